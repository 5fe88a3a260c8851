import { graphql } from '../gql/index.js';

export const ValidateEventDoc = graphql(`
  mutation ValidateEvent($input: SendEventInput!) {
    validateEvent(input: $input) { valid errors { field message } }
  }
`);

export const ValidateEventQueryDoc = graphql(`
  query ValidateEventQuery($input: SendEventInput!) {
    validateEvent(input: $input) { valid errors { field message } }
  }
`);

export const EventVersionsDoc = graphql(`
  query EventVersions($name: String!, $first: Int, $after: String) {
    event(name: $name) {
      id
      version
      versions(first: $first, after: $after) {
        edges { cursor node { version schema { fields { name type required } } createdAt } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
`);

export const SendVersionsDoc = graphql(`
  query SendVersions($filter: SendsFilter) {
    sends(filter: $filter, first: 50) { edges { node { id status schemaVersion replayedAt } } }
  }
`);
