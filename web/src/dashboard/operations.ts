/**
 * Every GraphQL operation of the dashboard. `npm run codegen` types each one from
 * schema/schema.graphql into web/src/gql/; pages import these constants only.
 */
import { graphql } from '../gql';

export const ApiKeysQuery = graphql(`
  query ApiKeys {
    apiKeys { id name prefix current createdAt lastUsedAt revokedAt }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($name: String) {
    createApiKey(name: $name) { token apiKey { id name prefix } }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { id revokedAt }
  }
`);

export const EventsQuery = graphql(`
  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {
    events(first: $first, after: $after, last: $last, before: $before, search: $search) {
      edges { node { id name description updatedAt schema { fields { name type required } } automations(first: 1) { edges { node { id status } } pageInfo { hasNextPage } } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

export const EventQuery = graphql(`
  query Event($name: String!) {
    event(name: $name) {
      id name description createdAt updatedAt
      schema { fields { name type required } }
      automations(first: 100) { edges { node { id name status broken issues { step message } } } pageInfo { hasNextPage } }
    }
  }
`);

export const CreateEventMutation = graphql(`
  mutation CreateEvent($input: CreateEventInput!) {
    createEvent(input: $input) { id name }
  }
`);

export const UpdateEventMutation = graphql(`
  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {
    updateEvent(id: $id, input: $input) { id name }
  }
`);

export const DeleteEventMutation = graphql(`
  mutation DeleteEvent($id: ID!) {
    deleteEvent(id: $id) { id deleted }
  }
`);

export const SendEventMutation = graphql(`
  mutation SendTestEvent($input: SendEventInput!) {
    sendEvent(input: $input) { id status }
  }
`);

export const SendsQuery = graphql(`
  query Sends($event: String!, $status: SendStatus, $first: Int, $after: String) {
    sends(filter: { event: $event, status: $status }, first: $first, after: $after) {
      edges { node { id status timestamp createdAt email contactId data errors { field message } processedAt failureReason } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const SendStatsQuery = graphql(`
  query SendStats($event: String!, $from: DateTimeISO!, $to: DateTimeISO, $bucket: SendStatsBucket!) {
    sendStats(event: $event, from: $from, to: $to, bucket: $bucket) {
      accepted rejected points { start accepted rejected }
    }
  }
`);

export const AutomationsQuery = graphql(`
  query Automations($first: Int, $after: String, $event: String) {
    automations(first: $first, after: $after, event: $event) {
      edges { node { id name status broken triggerEvent updatedAt issues { step message } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const AutomationQuery = graphql(`
  query Automation($id: ID!) {
    automation(id: $id) {
      id name status broken triggerEvent steps webhookSecret updatedAt
      connections { from to outcome }
      issues { step path reason message }
    }
  }
`);

export const CreateAutomationMutation = graphql(`
  mutation CreateAutomation($input: CreateAutomationInput!) {
    createAutomation(input: $input) { id issues { step path message } }
  }
`);

export const UpdateAutomationMutation = graphql(`
  mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {
    updateAutomation(id: $id, input: $input) { id issues { step path message } }
  }
`);

export const EnableAutomationMutation = graphql(`
  mutation EnableAutomation($id: ID!) {
    enableAutomation(id: $id) { id status }
  }
`);

export const DisableAutomationMutation = graphql(`
  mutation DisableAutomation($id: ID!) {
    disableAutomation(id: $id) { id status }
  }
`);

export const DeleteAutomationMutation = graphql(`
  mutation DeleteAutomation($id: ID!) {
    deleteAutomation(id: $id) { id deleted }
  }
`);

export const RunsQuery = graphql(`
  query AutomationRuns($automationId: ID!, $status: AutomationRunStatus, $first: Int, $after: String) {
    automationRuns(filter: { automationId: $automationId, status: $status }, first: $first, after: $after) {
      edges { node {
        id status sendId contactId createdAt finishedAt currentStep waitUntil error
        steps { step type outcome details next error startedAt finishedAt durationMs }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
