/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ApiKeys {\n    apiKeys { id name prefix current createdAt lastUsedAt revokedAt }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($name: String) {\n    createApiKey(name: $name) { token apiKey { id name prefix } }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id revokedAt }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {\n    events(first: $first, after: $after, last: $last, before: $before, search: $search) {\n      edges { node { id name description updatedAt schema { fields { name type required } } automations(first: 1) { edges { node { id status } } pageInfo { hasNextPage } } } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.EventsDocument,
    "\n  query Event($name: String!) {\n    event(name: $name) {\n      id name description createdAt updatedAt\n      schema { fields { name type required } }\n      automations(first: 100) { edges { node { id name status broken issues { step message } } } pageInfo { hasNextPage } }\n    }\n  }\n": typeof types.EventDocument,
    "\n  mutation CreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) { id name }\n  }\n": typeof types.CreateEventDocument,
    "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { id name }\n  }\n": typeof types.UpdateEventDocument,
    "\n  mutation DeleteEvent($id: ID!) {\n    deleteEvent(id: $id) { id deleted }\n  }\n": typeof types.DeleteEventDocument,
    "\n  mutation SendTestEvent($input: SendEventInput!) {\n    sendEvent(input: $input) { id status }\n  }\n": typeof types.SendTestEventDocument,
    "\n  query Sends($event: String!, $status: SendStatus, $first: Int, $after: String) {\n    sends(filter: { event: $event, status: $status }, first: $first, after: $after) {\n      edges { node { id status timestamp createdAt email contactId data errors { field message } processedAt failureReason } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.SendsDocument,
    "\n  query SendStats($event: String!, $from: DateTimeISO!, $to: DateTimeISO, $bucket: SendStatsBucket!) {\n    sendStats(event: $event, from: $from, to: $to, bucket: $bucket) {\n      accepted rejected points { start accepted rejected }\n    }\n  }\n": typeof types.SendStatsDocument,
    "\n  query Automations($first: Int, $after: String, $event: String) {\n    automations(first: $first, after: $after, event: $event) {\n      edges { node { id name status broken triggerEvent updatedAt issues { step message } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AutomationsDocument,
    "\n  query Automation($id: ID!) {\n    automation(id: $id) {\n      id name status broken triggerEvent steps webhookSecret updatedAt\n      connections { from to outcome }\n      issues { step path reason message }\n    }\n  }\n": typeof types.AutomationDocument,
    "\n  mutation CreateAutomation($input: CreateAutomationInput!) {\n    createAutomation(input: $input) { id issues { step path message } }\n  }\n": typeof types.CreateAutomationDocument,
    "\n  mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {\n    updateAutomation(id: $id, input: $input) { id issues { step path message } }\n  }\n": typeof types.UpdateAutomationDocument,
    "\n  mutation EnableAutomation($id: ID!) {\n    enableAutomation(id: $id) { id status }\n  }\n": typeof types.EnableAutomationDocument,
    "\n  mutation DisableAutomation($id: ID!) {\n    disableAutomation(id: $id) { id status }\n  }\n": typeof types.DisableAutomationDocument,
    "\n  mutation DeleteAutomation($id: ID!) {\n    deleteAutomation(id: $id) { id deleted }\n  }\n": typeof types.DeleteAutomationDocument,
    "\n  query AutomationRuns($automationId: ID!, $status: AutomationRunStatus, $first: Int, $after: String) {\n    automationRuns(filter: { automationId: $automationId, status: $status }, first: $first, after: $after) {\n      edges { node {\n        id status sendId contactId createdAt finishedAt currentStep waitUntil error\n        steps { step type outcome details next error startedAt finishedAt durationMs }\n      } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AutomationRunsDocument,
};
const documents: Documents = {
    "\n  query ApiKeys {\n    apiKeys { id name prefix current createdAt lastUsedAt revokedAt }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($name: String) {\n    createApiKey(name: $name) { token apiKey { id name prefix } }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id revokedAt }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {\n    events(first: $first, after: $after, last: $last, before: $before, search: $search) {\n      edges { node { id name description updatedAt schema { fields { name type required } } automations(first: 1) { edges { node { id status } } pageInfo { hasNextPage } } } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.EventsDocument,
    "\n  query Event($name: String!) {\n    event(name: $name) {\n      id name description createdAt updatedAt\n      schema { fields { name type required } }\n      automations(first: 100) { edges { node { id name status broken issues { step message } } } pageInfo { hasNextPage } }\n    }\n  }\n": types.EventDocument,
    "\n  mutation CreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) { id name }\n  }\n": types.CreateEventDocument,
    "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { id name }\n  }\n": types.UpdateEventDocument,
    "\n  mutation DeleteEvent($id: ID!) {\n    deleteEvent(id: $id) { id deleted }\n  }\n": types.DeleteEventDocument,
    "\n  mutation SendTestEvent($input: SendEventInput!) {\n    sendEvent(input: $input) { id status }\n  }\n": types.SendTestEventDocument,
    "\n  query Sends($event: String!, $status: SendStatus, $first: Int, $after: String) {\n    sends(filter: { event: $event, status: $status }, first: $first, after: $after) {\n      edges { node { id status timestamp createdAt email contactId data errors { field message } processedAt failureReason } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.SendsDocument,
    "\n  query SendStats($event: String!, $from: DateTimeISO!, $to: DateTimeISO, $bucket: SendStatsBucket!) {\n    sendStats(event: $event, from: $from, to: $to, bucket: $bucket) {\n      accepted rejected points { start accepted rejected }\n    }\n  }\n": types.SendStatsDocument,
    "\n  query Automations($first: Int, $after: String, $event: String) {\n    automations(first: $first, after: $after, event: $event) {\n      edges { node { id name status broken triggerEvent updatedAt issues { step message } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AutomationsDocument,
    "\n  query Automation($id: ID!) {\n    automation(id: $id) {\n      id name status broken triggerEvent steps webhookSecret updatedAt\n      connections { from to outcome }\n      issues { step path reason message }\n    }\n  }\n": types.AutomationDocument,
    "\n  mutation CreateAutomation($input: CreateAutomationInput!) {\n    createAutomation(input: $input) { id issues { step path message } }\n  }\n": types.CreateAutomationDocument,
    "\n  mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {\n    updateAutomation(id: $id, input: $input) { id issues { step path message } }\n  }\n": types.UpdateAutomationDocument,
    "\n  mutation EnableAutomation($id: ID!) {\n    enableAutomation(id: $id) { id status }\n  }\n": types.EnableAutomationDocument,
    "\n  mutation DisableAutomation($id: ID!) {\n    disableAutomation(id: $id) { id status }\n  }\n": types.DisableAutomationDocument,
    "\n  mutation DeleteAutomation($id: ID!) {\n    deleteAutomation(id: $id) { id deleted }\n  }\n": types.DeleteAutomationDocument,
    "\n  query AutomationRuns($automationId: ID!, $status: AutomationRunStatus, $first: Int, $after: String) {\n    automationRuns(filter: { automationId: $automationId, status: $status }, first: $first, after: $after) {\n      edges { node {\n        id status sendId contactId createdAt finishedAt currentStep waitUntil error\n        steps { step type outcome details next error startedAt finishedAt durationMs }\n      } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AutomationRunsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys {\n    apiKeys { id name prefix current createdAt lastUsedAt revokedAt }\n  }\n"): typeof import('./graphql.js').ApiKeysDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($name: String) {\n    createApiKey(name: $name) { token apiKey { id name prefix } }\n  }\n"): typeof import('./graphql.js').CreateApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id revokedAt }\n  }\n"): typeof import('./graphql.js').RevokeApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {\n    events(first: $first, after: $after, last: $last, before: $before, search: $search) {\n      edges { node { id name description updatedAt schema { fields { name type required } } automations(first: 1) { edges { node { id status } } pageInfo { hasNextPage } } } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): typeof import('./graphql.js').EventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Event($name: String!) {\n    event(name: $name) {\n      id name description createdAt updatedAt\n      schema { fields { name type required } }\n      automations(first: 100) { edges { node { id name status broken issues { step message } } } pageInfo { hasNextPage } }\n    }\n  }\n"): typeof import('./graphql.js').EventDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) { id name }\n  }\n"): typeof import('./graphql.js').CreateEventDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { id name }\n  }\n"): typeof import('./graphql.js').UpdateEventDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteEvent($id: ID!) {\n    deleteEvent(id: $id) { id deleted }\n  }\n"): typeof import('./graphql.js').DeleteEventDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendTestEvent($input: SendEventInput!) {\n    sendEvent(input: $input) { id status }\n  }\n"): typeof import('./graphql.js').SendTestEventDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sends($event: String!, $status: SendStatus, $first: Int, $after: String) {\n    sends(filter: { event: $event, status: $status }, first: $first, after: $after) {\n      edges { node { id status timestamp createdAt email contactId data errors { field message } processedAt failureReason } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): typeof import('./graphql.js').SendsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SendStats($event: String!, $from: DateTimeISO!, $to: DateTimeISO, $bucket: SendStatsBucket!) {\n    sendStats(event: $event, from: $from, to: $to, bucket: $bucket) {\n      accepted rejected points { start accepted rejected }\n    }\n  }\n"): typeof import('./graphql.js').SendStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Automations($first: Int, $after: String, $event: String) {\n    automations(first: $first, after: $after, event: $event) {\n      edges { node { id name status broken triggerEvent updatedAt issues { step message } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): typeof import('./graphql.js').AutomationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Automation($id: ID!) {\n    automation(id: $id) {\n      id name status broken triggerEvent steps webhookSecret updatedAt\n      connections { from to outcome }\n      issues { step path reason message }\n    }\n  }\n"): typeof import('./graphql.js').AutomationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAutomation($input: CreateAutomationInput!) {\n    createAutomation(input: $input) { id issues { step path message } }\n  }\n"): typeof import('./graphql.js').CreateAutomationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {\n    updateAutomation(id: $id, input: $input) { id issues { step path message } }\n  }\n"): typeof import('./graphql.js').UpdateAutomationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnableAutomation($id: ID!) {\n    enableAutomation(id: $id) { id status }\n  }\n"): typeof import('./graphql.js').EnableAutomationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableAutomation($id: ID!) {\n    disableAutomation(id: $id) { id status }\n  }\n"): typeof import('./graphql.js').DisableAutomationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAutomation($id: ID!) {\n    deleteAutomation(id: $id) { id deleted }\n  }\n"): typeof import('./graphql.js').DeleteAutomationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AutomationRuns($automationId: ID!, $status: AutomationRunStatus, $first: Int, $after: String) {\n    automationRuns(filter: { automationId: $automationId, status: $status }, first: $first, after: $after) {\n      edges { node {\n        id status sendId contactId createdAt finishedAt currentStep waitUntil error\n        steps { step type outcome details next error startedAt finishedAt durationMs }\n      } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): typeof import('./graphql.js').AutomationRunsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
