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

export const PreviewEventUpdateDoc = graphql(`
  mutation PreviewEventUpdate($id: ID!, $input: UpdateEventInput!) {
    previewEventUpdate(id: $id, input: $input) {
      event { id version schema { fields { name type required } } }
      changes { field change from to }
      automations { id name status issues { step path reason message } }
      sendsChecked
      sendsRejected
      examples { sendId errors { field message } }
    }
  }
`);

export const ForceUpdateEventDoc = graphql(`
  mutation ForceUpdateEvent($id: ID!, $input: UpdateEventInput!, $force: Boolean) {
    updateEvent(id: $id, input: $input, force: $force) { id version }
  }
`);

export const TestAutomationDoc = graphql(`
  mutation TestAutomation($id: ID!, $input: TestAutomationInput!) {
    testAutomation(id: $id, input: $input) { automationId status issues { step path message } steps { step type outcome details next error } error }
  }
`);

export const ReplaySendsDoc = graphql(`
  mutation ReplaySends($event: String!, $filter: ReplayFilter!) {
    replaySends(event: $event, filter: $filter) { id event status total done accepted stillRejected dryRun reason }
  }
`);

export const ReplayDoc = graphql(`
  query Replay($id: ID!) {
    replay(id: $id) { id event status total done accepted stillRejected dryRun reason finishedAt }
  }
`);
