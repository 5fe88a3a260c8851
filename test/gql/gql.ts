/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

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
    "\n  fragment AutomationFields on Automation {\n    id\n    name\n    status\n    triggerEvent\n    steps\n    connections { from to outcome }\n    issues { step path reason message }\n    broken\n    webhookSecret\n    createdAt\n    updatedAt\n  }\n": typeof types.AutomationFieldsFragmentDoc,
    "\n  mutation CreateAutomation($input: CreateAutomationInput!) {\n    createAutomation(input: $input) { ...AutomationFields }\n  }\n": typeof types.CreateAutomationDocument,
    "\n  mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {\n    updateAutomation(id: $id, input: $input) { ...AutomationFields }\n  }\n": typeof types.UpdateAutomationDocument,
    "\n  mutation EnableAutomation($id: ID!) {\n    enableAutomation(id: $id) { ...AutomationFields }\n  }\n": typeof types.EnableAutomationDocument,
    "\n  mutation DisableAutomation($id: ID!) {\n    disableAutomation(id: $id) { ...AutomationFields }\n  }\n": typeof types.DisableAutomationDocument,
    "\n  mutation DeleteAutomation($id: ID!) {\n    deleteAutomation(id: $id) { object id deleted }\n  }\n": typeof types.DeleteAutomationDocument,
    "\n  query Automation($id: ID!) {\n    automation(id: $id) { ...AutomationFields }\n  }\n": typeof types.AutomationDocument,
    "\n  query Automations($first: Int, $after: String, $status: AutomationStatus, $event: String) {\n    automations(first: $first, after: $after, status: $status, event: $event) {\n      edges { cursor node { ...AutomationFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.AutomationsDocument,
    "\n  query AutomationRuns($filter: AutomationRunsFilter, $first: Int, $after: String) {\n    automationRuns(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id automationId sendId contactId status currentStep error waitUntil createdAt updatedAt finishedAt\n          steps { step type outcome details next error startedAt finishedAt durationMs }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AutomationRunsDocument,
    "\n  query AutomationRun($id: ID!) {\n    automationRun(id: $id) { id automationId status steps { step outcome details } }\n  }\n": typeof types.AutomationRunDocument,
    "\n  query EventAutomations($name: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    event(name: $name) {\n      name\n      automations(first: $first, after: $after, last: $last, before: $before) {\n        edges { cursor node { id name status broken issues { step path reason message } } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": typeof types.EventAutomationsDocument,
    "\n  mutation CreateContact($input: CreateContactInput!) {\n    createContact(input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n": typeof types.CreateContactDocument,
    "\n  mutation UpdateContact($id: ID!, $input: UpdateContactInput!) {\n    updateContact(id: $id, input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n": typeof types.UpdateContactDocument,
    "\n  mutation DeleteContact($id: ID!) {\n    deleteContact(id: $id) { id deleted message }\n  }\n": typeof types.DeleteContactDocument,
    "\n  mutation DeleteContacts($input: BulkDeleteContactsInput!) {\n    deleteContacts(input: $input) { message deleted }\n  }\n": typeof types.DeleteContactsDocument,
    "\n  query Contact($id: ID, $email: String) {\n    contact(id: $id, email: $email) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n": typeof types.ContactDocument,
    "\n  query Contacts($first: Int, $after: String, $email: String, $phoneNumber: String, $externalId: String) {\n    contacts(first: $first, after: $after, email: $email, phoneNumber: $phoneNumber, externalId: $externalId) {\n      edges { cursor node { id email phoneNumber externalId properties source } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.ContactsDocument,
    "\n  fragment EventFields on EventDefinition {\n    id\n    name\n    description\n    schema { fields { name type required } }\n    conversion { enabled valueField currencyField currencies }\n    createdAt\n    updatedAt\n  }\n": typeof types.EventFieldsFragmentDoc,
    "\n  mutation CreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) { ...EventFields }\n  }\n": typeof types.CreateEventDocument,
    "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { ...EventFields }\n  }\n": typeof types.UpdateEventDocument,
    "\n  mutation DeleteEvent($id: ID!) {\n    deleteEvent(id: $id) { object id deleted }\n  }\n": typeof types.DeleteEventDocument,
    "\n  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {\n    events(first: $first, after: $after, last: $last, before: $before, search: $search) {\n      edges { cursor node { ...EventFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.EventsDocument,
    "\n  query Event($id: ID, $name: String) {\n    event(id: $id, name: $name) { ...EventFields }\n  }\n": typeof types.EventDocument,
    "\n  mutation ValidateEvent($input: SendEventInput!) {\n    validateEvent(input: $input) { valid errors { field message } }\n  }\n": typeof types.ValidateEventDocument,
    "\n  query ValidateEventQuery($input: SendEventInput!) {\n    validateEvent(input: $input) { valid errors { field message } }\n  }\n": typeof types.ValidateEventQueryDocument,
    "\n  query EventVersions($name: String!, $first: Int, $after: String) {\n    event(name: $name) {\n      id\n      version\n      versions(first: $first, after: $after) {\n        edges { cursor node { version schema { fields { name type required } } createdAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": typeof types.EventVersionsDocument,
    "\n  query SendVersions($filter: SendsFilter) {\n    sends(filter: $filter, first: 50) { edges { node { id status schemaVersion replayedAt } } }\n  }\n": typeof types.SendVersionsDocument,
    "\n  mutation PreviewEventUpdate($id: ID!, $input: UpdateEventInput!) {\n    previewEventUpdate(id: $id, input: $input) {\n      event { id version schema { fields { name type required } } }\n      changes { field change from to }\n      automations { id name status issues { step path reason message } }\n      sendsChecked\n      sendsRejected\n      examples { sendId errors { field message } }\n    }\n  }\n": typeof types.PreviewEventUpdateDocument,
    "\n  mutation ForceUpdateEvent($id: ID!, $input: UpdateEventInput!, $force: Boolean) {\n    updateEvent(id: $id, input: $input, force: $force) { id version }\n  }\n": typeof types.ForceUpdateEventDocument,
    "\n  mutation TestAutomation($id: ID!, $input: TestAutomationInput!) {\n    testAutomation(id: $id, input: $input) { automationId status issues { step path message } steps { step type outcome details next error } error }\n  }\n": typeof types.TestAutomationDocument,
    "\n  mutation ReplaySends($event: String!, $filter: ReplayFilter!) {\n    replaySends(event: $event, filter: $filter) { id event status total done accepted stillRejected dryRun reason }\n  }\n": typeof types.ReplaySendsDocument,
    "\n  query Replay($id: ID!) {\n    replay(id: $id) { id event status total done accepted stillRejected dryRun reason finishedAt }\n  }\n": typeof types.ReplayDocument,
    "\n  mutation SendEvent($input: SendEventInput!) {\n    sendEvent(input: $input) { id event status errors { field message } contactId email data timestamp createdAt processedAt }\n  }\n": typeof types.SendEventDocument,
    "\n  mutation SendEvents($inputs: [SendEventInput!]!) {\n    sendEvents(inputs: $inputs) { id status errors { field message } error { statusCode code message } }\n  }\n": typeof types.SendEventsDocument,
    "\n  query Sends($filter: SendsFilter, $first: Int, $after: String) {\n    sends(filter: $filter, first: $first, after: $after) {\n      edges { cursor node { id event status errors { field message } contactId email data timestamp createdAt processedAt failureReason } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.SendsDocument,
};
const documents: Documents = {
    "\n  fragment AutomationFields on Automation {\n    id\n    name\n    status\n    triggerEvent\n    steps\n    connections { from to outcome }\n    issues { step path reason message }\n    broken\n    webhookSecret\n    createdAt\n    updatedAt\n  }\n": types.AutomationFieldsFragmentDoc,
    "\n  mutation CreateAutomation($input: CreateAutomationInput!) {\n    createAutomation(input: $input) { ...AutomationFields }\n  }\n": types.CreateAutomationDocument,
    "\n  mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {\n    updateAutomation(id: $id, input: $input) { ...AutomationFields }\n  }\n": types.UpdateAutomationDocument,
    "\n  mutation EnableAutomation($id: ID!) {\n    enableAutomation(id: $id) { ...AutomationFields }\n  }\n": types.EnableAutomationDocument,
    "\n  mutation DisableAutomation($id: ID!) {\n    disableAutomation(id: $id) { ...AutomationFields }\n  }\n": types.DisableAutomationDocument,
    "\n  mutation DeleteAutomation($id: ID!) {\n    deleteAutomation(id: $id) { object id deleted }\n  }\n": types.DeleteAutomationDocument,
    "\n  query Automation($id: ID!) {\n    automation(id: $id) { ...AutomationFields }\n  }\n": types.AutomationDocument,
    "\n  query Automations($first: Int, $after: String, $status: AutomationStatus, $event: String) {\n    automations(first: $first, after: $after, status: $status, event: $event) {\n      edges { cursor node { ...AutomationFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.AutomationsDocument,
    "\n  query AutomationRuns($filter: AutomationRunsFilter, $first: Int, $after: String) {\n    automationRuns(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id automationId sendId contactId status currentStep error waitUntil createdAt updatedAt finishedAt\n          steps { step type outcome details next error startedAt finishedAt durationMs }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AutomationRunsDocument,
    "\n  query AutomationRun($id: ID!) {\n    automationRun(id: $id) { id automationId status steps { step outcome details } }\n  }\n": types.AutomationRunDocument,
    "\n  query EventAutomations($name: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    event(name: $name) {\n      name\n      automations(first: $first, after: $after, last: $last, before: $before) {\n        edges { cursor node { id name status broken issues { step path reason message } } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": types.EventAutomationsDocument,
    "\n  mutation CreateContact($input: CreateContactInput!) {\n    createContact(input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n": types.CreateContactDocument,
    "\n  mutation UpdateContact($id: ID!, $input: UpdateContactInput!) {\n    updateContact(id: $id, input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n": types.UpdateContactDocument,
    "\n  mutation DeleteContact($id: ID!) {\n    deleteContact(id: $id) { id deleted message }\n  }\n": types.DeleteContactDocument,
    "\n  mutation DeleteContacts($input: BulkDeleteContactsInput!) {\n    deleteContacts(input: $input) { message deleted }\n  }\n": types.DeleteContactsDocument,
    "\n  query Contact($id: ID, $email: String) {\n    contact(id: $id, email: $email) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n": types.ContactDocument,
    "\n  query Contacts($first: Int, $after: String, $email: String, $phoneNumber: String, $externalId: String) {\n    contacts(first: $first, after: $after, email: $email, phoneNumber: $phoneNumber, externalId: $externalId) {\n      edges { cursor node { id email phoneNumber externalId properties source } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.ContactsDocument,
    "\n  fragment EventFields on EventDefinition {\n    id\n    name\n    description\n    schema { fields { name type required } }\n    conversion { enabled valueField currencyField currencies }\n    createdAt\n    updatedAt\n  }\n": types.EventFieldsFragmentDoc,
    "\n  mutation CreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) { ...EventFields }\n  }\n": types.CreateEventDocument,
    "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { ...EventFields }\n  }\n": types.UpdateEventDocument,
    "\n  mutation DeleteEvent($id: ID!) {\n    deleteEvent(id: $id) { object id deleted }\n  }\n": types.DeleteEventDocument,
    "\n  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {\n    events(first: $first, after: $after, last: $last, before: $before, search: $search) {\n      edges { cursor node { ...EventFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.EventsDocument,
    "\n  query Event($id: ID, $name: String) {\n    event(id: $id, name: $name) { ...EventFields }\n  }\n": types.EventDocument,
    "\n  mutation ValidateEvent($input: SendEventInput!) {\n    validateEvent(input: $input) { valid errors { field message } }\n  }\n": types.ValidateEventDocument,
    "\n  query ValidateEventQuery($input: SendEventInput!) {\n    validateEvent(input: $input) { valid errors { field message } }\n  }\n": types.ValidateEventQueryDocument,
    "\n  query EventVersions($name: String!, $first: Int, $after: String) {\n    event(name: $name) {\n      id\n      version\n      versions(first: $first, after: $after) {\n        edges { cursor node { version schema { fields { name type required } } createdAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": types.EventVersionsDocument,
    "\n  query SendVersions($filter: SendsFilter) {\n    sends(filter: $filter, first: 50) { edges { node { id status schemaVersion replayedAt } } }\n  }\n": types.SendVersionsDocument,
    "\n  mutation PreviewEventUpdate($id: ID!, $input: UpdateEventInput!) {\n    previewEventUpdate(id: $id, input: $input) {\n      event { id version schema { fields { name type required } } }\n      changes { field change from to }\n      automations { id name status issues { step path reason message } }\n      sendsChecked\n      sendsRejected\n      examples { sendId errors { field message } }\n    }\n  }\n": types.PreviewEventUpdateDocument,
    "\n  mutation ForceUpdateEvent($id: ID!, $input: UpdateEventInput!, $force: Boolean) {\n    updateEvent(id: $id, input: $input, force: $force) { id version }\n  }\n": types.ForceUpdateEventDocument,
    "\n  mutation TestAutomation($id: ID!, $input: TestAutomationInput!) {\n    testAutomation(id: $id, input: $input) { automationId status issues { step path message } steps { step type outcome details next error } error }\n  }\n": types.TestAutomationDocument,
    "\n  mutation ReplaySends($event: String!, $filter: ReplayFilter!) {\n    replaySends(event: $event, filter: $filter) { id event status total done accepted stillRejected dryRun reason }\n  }\n": types.ReplaySendsDocument,
    "\n  query Replay($id: ID!) {\n    replay(id: $id) { id event status total done accepted stillRejected dryRun reason finishedAt }\n  }\n": types.ReplayDocument,
    "\n  mutation SendEvent($input: SendEventInput!) {\n    sendEvent(input: $input) { id event status errors { field message } contactId email data timestamp createdAt processedAt }\n  }\n": types.SendEventDocument,
    "\n  mutation SendEvents($inputs: [SendEventInput!]!) {\n    sendEvents(inputs: $inputs) { id status errors { field message } error { statusCode code message } }\n  }\n": types.SendEventsDocument,
    "\n  query Sends($filter: SendsFilter, $first: Int, $after: String) {\n    sends(filter: $filter, first: $first, after: $after) {\n      edges { cursor node { id event status errors { field message } contactId email data timestamp createdAt processedAt failureReason } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.SendsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AutomationFields on Automation {\n    id\n    name\n    status\n    triggerEvent\n    steps\n    connections { from to outcome }\n    issues { step path reason message }\n    broken\n    webhookSecret\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment AutomationFields on Automation {\n    id\n    name\n    status\n    triggerEvent\n    steps\n    connections { from to outcome }\n    issues { step path reason message }\n    broken\n    webhookSecret\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAutomation($input: CreateAutomationInput!) {\n    createAutomation(input: $input) { ...AutomationFields }\n  }\n"): (typeof documents)["\n  mutation CreateAutomation($input: CreateAutomationInput!) {\n    createAutomation(input: $input) { ...AutomationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {\n    updateAutomation(id: $id, input: $input) { ...AutomationFields }\n  }\n"): (typeof documents)["\n  mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {\n    updateAutomation(id: $id, input: $input) { ...AutomationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnableAutomation($id: ID!) {\n    enableAutomation(id: $id) { ...AutomationFields }\n  }\n"): (typeof documents)["\n  mutation EnableAutomation($id: ID!) {\n    enableAutomation(id: $id) { ...AutomationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableAutomation($id: ID!) {\n    disableAutomation(id: $id) { ...AutomationFields }\n  }\n"): (typeof documents)["\n  mutation DisableAutomation($id: ID!) {\n    disableAutomation(id: $id) { ...AutomationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAutomation($id: ID!) {\n    deleteAutomation(id: $id) { object id deleted }\n  }\n"): (typeof documents)["\n  mutation DeleteAutomation($id: ID!) {\n    deleteAutomation(id: $id) { object id deleted }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Automation($id: ID!) {\n    automation(id: $id) { ...AutomationFields }\n  }\n"): (typeof documents)["\n  query Automation($id: ID!) {\n    automation(id: $id) { ...AutomationFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Automations($first: Int, $after: String, $status: AutomationStatus, $event: String) {\n    automations(first: $first, after: $after, status: $status, event: $event) {\n      edges { cursor node { ...AutomationFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Automations($first: Int, $after: String, $status: AutomationStatus, $event: String) {\n    automations(first: $first, after: $after, status: $status, event: $event) {\n      edges { cursor node { ...AutomationFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AutomationRuns($filter: AutomationRunsFilter, $first: Int, $after: String) {\n    automationRuns(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id automationId sendId contactId status currentStep error waitUntil createdAt updatedAt finishedAt\n          steps { step type outcome details next error startedAt finishedAt durationMs }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query AutomationRuns($filter: AutomationRunsFilter, $first: Int, $after: String) {\n    automationRuns(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id automationId sendId contactId status currentStep error waitUntil createdAt updatedAt finishedAt\n          steps { step type outcome details next error startedAt finishedAt durationMs }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AutomationRun($id: ID!) {\n    automationRun(id: $id) { id automationId status steps { step outcome details } }\n  }\n"): (typeof documents)["\n  query AutomationRun($id: ID!) {\n    automationRun(id: $id) { id automationId status steps { step outcome details } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventAutomations($name: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    event(name: $name) {\n      name\n      automations(first: $first, after: $after, last: $last, before: $before) {\n        edges { cursor node { id name status broken issues { step path reason message } } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EventAutomations($name: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    event(name: $name) {\n      name\n      automations(first: $first, after: $after, last: $last, before: $before) {\n        edges { cursor node { id name status broken issues { step path reason message } } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateContact($input: CreateContactInput!) {\n    createContact(input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n"): (typeof documents)["\n  mutation CreateContact($input: CreateContactInput!) {\n    createContact(input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateContact($id: ID!, $input: UpdateContactInput!) {\n    updateContact(id: $id, input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n"): (typeof documents)["\n  mutation UpdateContact($id: ID!, $input: UpdateContactInput!) {\n    updateContact(id: $id, input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteContact($id: ID!) {\n    deleteContact(id: $id) { id deleted message }\n  }\n"): (typeof documents)["\n  mutation DeleteContact($id: ID!) {\n    deleteContact(id: $id) { id deleted message }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteContacts($input: BulkDeleteContactsInput!) {\n    deleteContacts(input: $input) { message deleted }\n  }\n"): (typeof documents)["\n  mutation DeleteContacts($input: BulkDeleteContactsInput!) {\n    deleteContacts(input: $input) { message deleted }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Contact($id: ID, $email: String) {\n    contact(id: $id, email: $email) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n"): (typeof documents)["\n  query Contact($id: ID, $email: String) {\n    contact(id: $id, email: $email) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Contacts($first: Int, $after: String, $email: String, $phoneNumber: String, $externalId: String) {\n    contacts(first: $first, after: $after, email: $email, phoneNumber: $phoneNumber, externalId: $externalId) {\n      edges { cursor node { id email phoneNumber externalId properties source } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Contacts($first: Int, $after: String, $email: String, $phoneNumber: String, $externalId: String) {\n    contacts(first: $first, after: $after, email: $email, phoneNumber: $phoneNumber, externalId: $externalId) {\n      edges { cursor node { id email phoneNumber externalId properties source } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EventFields on EventDefinition {\n    id\n    name\n    description\n    schema { fields { name type required } }\n    conversion { enabled valueField currencyField currencies }\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment EventFields on EventDefinition {\n    id\n    name\n    description\n    schema { fields { name type required } }\n    conversion { enabled valueField currencyField currencies }\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) { ...EventFields }\n  }\n"): (typeof documents)["\n  mutation CreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) { ...EventFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { ...EventFields }\n  }\n"): (typeof documents)["\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { ...EventFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteEvent($id: ID!) {\n    deleteEvent(id: $id) { object id deleted }\n  }\n"): (typeof documents)["\n  mutation DeleteEvent($id: ID!) {\n    deleteEvent(id: $id) { object id deleted }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {\n    events(first: $first, after: $after, last: $last, before: $before, search: $search) {\n      edges { cursor node { ...EventFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {\n    events(first: $first, after: $after, last: $last, before: $before, search: $search) {\n      edges { cursor node { ...EventFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Event($id: ID, $name: String) {\n    event(id: $id, name: $name) { ...EventFields }\n  }\n"): (typeof documents)["\n  query Event($id: ID, $name: String) {\n    event(id: $id, name: $name) { ...EventFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ValidateEvent($input: SendEventInput!) {\n    validateEvent(input: $input) { valid errors { field message } }\n  }\n"): (typeof documents)["\n  mutation ValidateEvent($input: SendEventInput!) {\n    validateEvent(input: $input) { valid errors { field message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ValidateEventQuery($input: SendEventInput!) {\n    validateEvent(input: $input) { valid errors { field message } }\n  }\n"): (typeof documents)["\n  query ValidateEventQuery($input: SendEventInput!) {\n    validateEvent(input: $input) { valid errors { field message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventVersions($name: String!, $first: Int, $after: String) {\n    event(name: $name) {\n      id\n      version\n      versions(first: $first, after: $after) {\n        edges { cursor node { version schema { fields { name type required } } createdAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EventVersions($name: String!, $first: Int, $after: String) {\n    event(name: $name) {\n      id\n      version\n      versions(first: $first, after: $after) {\n        edges { cursor node { version schema { fields { name type required } } createdAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SendVersions($filter: SendsFilter) {\n    sends(filter: $filter, first: 50) { edges { node { id status schemaVersion replayedAt } } }\n  }\n"): (typeof documents)["\n  query SendVersions($filter: SendsFilter) {\n    sends(filter: $filter, first: 50) { edges { node { id status schemaVersion replayedAt } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PreviewEventUpdate($id: ID!, $input: UpdateEventInput!) {\n    previewEventUpdate(id: $id, input: $input) {\n      event { id version schema { fields { name type required } } }\n      changes { field change from to }\n      automations { id name status issues { step path reason message } }\n      sendsChecked\n      sendsRejected\n      examples { sendId errors { field message } }\n    }\n  }\n"): (typeof documents)["\n  mutation PreviewEventUpdate($id: ID!, $input: UpdateEventInput!) {\n    previewEventUpdate(id: $id, input: $input) {\n      event { id version schema { fields { name type required } } }\n      changes { field change from to }\n      automations { id name status issues { step path reason message } }\n      sendsChecked\n      sendsRejected\n      examples { sendId errors { field message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ForceUpdateEvent($id: ID!, $input: UpdateEventInput!, $force: Boolean) {\n    updateEvent(id: $id, input: $input, force: $force) { id version }\n  }\n"): (typeof documents)["\n  mutation ForceUpdateEvent($id: ID!, $input: UpdateEventInput!, $force: Boolean) {\n    updateEvent(id: $id, input: $input, force: $force) { id version }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestAutomation($id: ID!, $input: TestAutomationInput!) {\n    testAutomation(id: $id, input: $input) { automationId status issues { step path message } steps { step type outcome details next error } error }\n  }\n"): (typeof documents)["\n  mutation TestAutomation($id: ID!, $input: TestAutomationInput!) {\n    testAutomation(id: $id, input: $input) { automationId status issues { step path message } steps { step type outcome details next error } error }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReplaySends($event: String!, $filter: ReplayFilter!) {\n    replaySends(event: $event, filter: $filter) { id event status total done accepted stillRejected dryRun reason }\n  }\n"): (typeof documents)["\n  mutation ReplaySends($event: String!, $filter: ReplayFilter!) {\n    replaySends(event: $event, filter: $filter) { id event status total done accepted stillRejected dryRun reason }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Replay($id: ID!) {\n    replay(id: $id) { id event status total done accepted stillRejected dryRun reason finishedAt }\n  }\n"): (typeof documents)["\n  query Replay($id: ID!) {\n    replay(id: $id) { id event status total done accepted stillRejected dryRun reason finishedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendEvent($input: SendEventInput!) {\n    sendEvent(input: $input) { id event status errors { field message } contactId email data timestamp createdAt processedAt }\n  }\n"): (typeof documents)["\n  mutation SendEvent($input: SendEventInput!) {\n    sendEvent(input: $input) { id event status errors { field message } contactId email data timestamp createdAt processedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendEvents($inputs: [SendEventInput!]!) {\n    sendEvents(inputs: $inputs) { id status errors { field message } error { statusCode code message } }\n  }\n"): (typeof documents)["\n  mutation SendEvents($inputs: [SendEventInput!]!) {\n    sendEvents(inputs: $inputs) { id status errors { field message } error { statusCode code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sends($filter: SendsFilter, $first: Int, $after: String) {\n    sends(filter: $filter, first: $first, after: $after) {\n      edges { cursor node { id event status errors { field message } contactId email data timestamp createdAt processedAt failureReason } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Sends($filter: SendsFilter, $first: Int, $after: String) {\n    sends(filter: $filter, first: $first, after: $after) {\n      edges { cursor node { id event status errors { field message } contactId email data timestamp createdAt processedAt failureReason } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;