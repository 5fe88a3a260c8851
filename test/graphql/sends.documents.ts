import { graphql } from '../gql/index.js';

export const SendEventDoc = graphql(`
  mutation SendEvent($input: SendEventInput!) {
    sendEvent(input: $input) { id event status errors { field message } contactId email data timestamp createdAt processedAt }
  }
`);

export const SendEventsDoc = graphql(`
  mutation SendEvents($inputs: [SendEventInput!]!) {
    sendEvents(inputs: $inputs) { id status errors { field message } error { statusCode code message } }
  }
`);

export const SendsDoc = graphql(`
  query Sends($filter: SendsFilter, $first: Int, $after: String) {
    sends(filter: $filter, first: $first, after: $after) {
      edges { cursor node { id event status errors { field message } contactId email data timestamp createdAt processedAt failureReason } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);
