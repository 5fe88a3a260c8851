import { graphql } from '../gql/index.js';

export const AutomationFields = graphql(`
  fragment AutomationFields on Automation {
    id
    name
    status
    triggerEvent
    steps
    connections { from to outcome }
    issues { step path reason message }
    broken
    webhookSecret
    createdAt
    updatedAt
  }
`);

export const CreateAutomationDoc = graphql(`
  mutation CreateAutomation($input: CreateAutomationInput!) {
    createAutomation(input: $input) { ...AutomationFields }
  }
`);

export const UpdateAutomationDoc = graphql(`
  mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {
    updateAutomation(id: $id, input: $input) { ...AutomationFields }
  }
`);

export const EnableAutomationDoc = graphql(`
  mutation EnableAutomation($id: ID!) {
    enableAutomation(id: $id) { ...AutomationFields }
  }
`);

export const DisableAutomationDoc = graphql(`
  mutation DisableAutomation($id: ID!) {
    disableAutomation(id: $id) { ...AutomationFields }
  }
`);

export const DeleteAutomationDoc = graphql(`
  mutation DeleteAutomation($id: ID!) {
    deleteAutomation(id: $id) { object id deleted }
  }
`);

export const AutomationDoc = graphql(`
  query Automation($id: ID!) {
    automation(id: $id) { ...AutomationFields }
  }
`);

export const AutomationsDoc = graphql(`
  query Automations($first: Int, $after: String, $status: AutomationStatus, $event: String) {
    automations(first: $first, after: $after, status: $status, event: $event) {
      edges { cursor node { ...AutomationFields } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

export const AutomationRunsDoc = graphql(`
  query AutomationRuns($filter: AutomationRunsFilter, $first: Int, $after: String) {
    automationRuns(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id automationId sendId contactId status currentStep error waitUntil createdAt updatedAt finishedAt
          steps { step type outcome details next error startedAt finishedAt durationMs }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const AutomationRunDoc = graphql(`
  query AutomationRun($id: ID!) {
    automationRun(id: $id) { id automationId status steps { step outcome details } }
  }
`);

export const EventAutomationsDoc = graphql(`
  query EventAutomations($name: String!, $first: Int, $after: String, $last: Int, $before: String) {
    event(name: $name) {
      name
      automations(first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { id name status broken issues { step path reason message } } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
`);
