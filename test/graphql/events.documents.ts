import { graphql } from '../gql/index.js';

export const EventFields = graphql(`
  fragment EventFields on EventDefinition {
    id
    name
    description
    schema { fields { name type required } }
    conversion { enabled valueField currencyField currencies }
    createdAt
    updatedAt
  }
`);

export const CreateEventDoc = graphql(`
  mutation CreateEvent($input: CreateEventInput!) {
    createEvent(input: $input) { ...EventFields }
  }
`);

export const UpdateEventDoc = graphql(`
  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {
    updateEvent(id: $id, input: $input) { ...EventFields }
  }
`);

export const DeleteEventDoc = graphql(`
  mutation DeleteEvent($id: ID!) {
    deleteEvent(id: $id) { object id deleted }
  }
`);

export const EventsDoc = graphql(`
  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {
    events(first: $first, after: $after, last: $last, before: $before, search: $search) {
      edges { cursor node { ...EventFields } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

export const EventDoc = graphql(`
  query Event($id: ID, $name: String) {
    event(id: $id, name: $name) { ...EventFields }
  }
`);
