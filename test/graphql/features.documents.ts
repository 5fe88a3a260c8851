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
