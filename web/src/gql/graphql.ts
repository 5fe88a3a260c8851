/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AutomationRunStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'FAILED'
  | 'RUNNING'
  | 'WAITING';

export type AutomationStatus =
  | 'DISABLED'
  | 'DRAFT'
  | 'ENABLED';

export type AutomationStepConnectionInput = {
  from: string;
  outcome?: ConnectionOutcome | null | undefined;
  to: string;
};

/** How a condition step leaves */
export type ConnectionOutcome =
  | 'CONDITION_MET'
  | 'CONDITION_NOT_MET';

export type ConversionInput = {
  currencies?: Array<string> | null | undefined;
  currencyField?: string | null | undefined;
  enabled: boolean;
  valueField?: string | null | undefined;
};

export type CreateAutomationInput = {
  connections?: Array<AutomationStepConnectionInput> | null | undefined;
  name: string;
  status?: AutomationStatus | null | undefined;
  /** Steps, each {key, type, …}; the trigger is {"key":"trigger","type":"trigger","event":"…"} */
  steps: Array<Record<string, unknown>>;
};

export type CreateEventInput = {
  conversion?: ConversionInput | null | undefined;
  description?: string | null | undefined;
  name: string;
  schema?: EventSchemaInput | null | undefined;
};

export type EventFieldInput = {
  name: string;
  required?: boolean | null | undefined;
  type: FieldType;
};

export type EventSchemaInput = {
  fields: Array<EventFieldInput>;
};

/** Type of a payload field */
export type FieldType =
  | 'BOOLEAN'
  | 'DATE'
  | 'NUMBER'
  | 'STRING';

export type SendEventInput = {
  contactId?: string | number | null | undefined;
  data: Record<string, unknown>;
  /** Exactly one of email / contactId */
  email?: string | null | undefined;
  /** Name of a live event definition */
  event: string;
  /** When the event occurred; defaults to now */
  timestamp?: string | null | undefined;
};

/** Width of one point of sendStats (UTC) */
export type SendStatsBucket =
  | 'DAY'
  | 'HOUR'
  | 'MINUTE';

/** Lifecycle of a recorded send */
export type SendStatus =
  | 'ACCEPTED'
  | 'FAILED'
  | 'PROCESSED'
  | 'REJECTED';

export type UpdateAutomationInput = {
  connections?: Array<AutomationStepConnectionInput> | null | undefined;
  name?: string | null | undefined;
  status?: AutomationStatus | null | undefined;
  steps?: Array<Record<string, unknown>> | null | undefined;
};

export type UpdateEventInput = {
  conversion?: ConversionInput | null | undefined;
  description?: string | null | undefined;
  schema?: EventSchemaInput | null | undefined;
};

export type ApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiKeysQuery = { apiKeys: Array<{ id: string, name: string | null, prefix: string, current: boolean, createdAt: string, lastUsedAt: string | null, revokedAt: string | null }> };

export type CreateApiKeyMutationVariables = Exact<{
  name?: string | null | undefined;
}>;


export type CreateApiKeyMutation = { createApiKey: { token: string, apiKey: { id: string, name: string | null, prefix: string } } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: { id: string, revokedAt: string | null } };

export type EventsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  search?: string | null | undefined;
}>;


export type EventsQuery = { events: { edges: Array<{ node: { id: string, name: string, description: string | null, updatedAt: string, schema: { fields: Array<{ name: string, type: FieldType, required: boolean }> }, automations: { edges: Array<{ node: { id: string, status: AutomationStatus } }>, pageInfo: { hasNextPage: boolean } } } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type EventQueryVariables = Exact<{
  name: string;
}>;


export type EventQuery = { event: { id: string, name: string, description: string | null, createdAt: string, updatedAt: string, schema: { fields: Array<{ name: string, type: FieldType, required: boolean }> }, automations: { edges: Array<{ node: { id: string, name: string, status: AutomationStatus, broken: boolean, issues: Array<{ step: string | null, message: string }> } }>, pageInfo: { hasNextPage: boolean } } } };

export type CreateEventMutationVariables = Exact<{
  input: CreateEventInput;
}>;


export type CreateEventMutation = { createEvent: { id: string, name: string } };

export type UpdateEventMutationVariables = Exact<{
  id: string | number;
  input: UpdateEventInput;
}>;


export type UpdateEventMutation = { updateEvent: { id: string, name: string } };

export type DeleteEventMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteEventMutation = { deleteEvent: { id: string, deleted: boolean } };

export type SendTestEventMutationVariables = Exact<{
  input: SendEventInput;
}>;


export type SendTestEventMutation = { sendEvent: { id: string, status: SendStatus } };

export type SendsQueryVariables = Exact<{
  event: string;
  status?: SendStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SendsQuery = { sends: { edges: Array<{ node: { id: string, status: SendStatus, timestamp: string, createdAt: string, email: string | null, contactId: string | null, data: Record<string, unknown>, processedAt: string | null, failureReason: string | null, errors: Array<{ field: string, message: string }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type SendStatsQueryVariables = Exact<{
  event: string;
  from: string;
  to?: string | null | undefined;
  bucket: SendStatsBucket;
}>;


export type SendStatsQuery = { sendStats: { accepted: number, rejected: number, points: Array<{ start: string, accepted: number, rejected: number }> } };

export type AutomationsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  event?: string | null | undefined;
}>;


export type AutomationsQuery = { automations: { edges: Array<{ node: { id: string, name: string, status: AutomationStatus, broken: boolean, triggerEvent: string | null, updatedAt: string, issues: Array<{ step: string | null, message: string }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type AutomationQueryVariables = Exact<{
  id: string | number;
}>;


export type AutomationQuery = { automation: { id: string, name: string, status: AutomationStatus, broken: boolean, triggerEvent: string | null, steps: Array<Record<string, unknown>>, webhookSecret: string, updatedAt: string, connections: Array<{ from: string, to: string, outcome: ConnectionOutcome | null }>, issues: Array<{ step: string | null, path: string, reason: string, message: string }> } };

export type CreateAutomationMutationVariables = Exact<{
  input: CreateAutomationInput;
}>;


export type CreateAutomationMutation = { createAutomation: { id: string, issues: Array<{ step: string | null, path: string, message: string }> } };

export type UpdateAutomationMutationVariables = Exact<{
  id: string | number;
  input: UpdateAutomationInput;
}>;


export type UpdateAutomationMutation = { updateAutomation: { id: string, issues: Array<{ step: string | null, path: string, message: string }> } };

export type EnableAutomationMutationVariables = Exact<{
  id: string | number;
}>;


export type EnableAutomationMutation = { enableAutomation: { id: string, status: AutomationStatus } };

export type DisableAutomationMutationVariables = Exact<{
  id: string | number;
}>;


export type DisableAutomationMutation = { disableAutomation: { id: string, status: AutomationStatus } };

export type DeleteAutomationMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteAutomationMutation = { deleteAutomation: { id: string, deleted: boolean } };

export type AutomationRunsQueryVariables = Exact<{
  automationId: string | number;
  status?: AutomationRunStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AutomationRunsQuery = { automationRuns: { edges: Array<{ node: { id: string, status: AutomationRunStatus, sendId: string, contactId: string | null, createdAt: string, finishedAt: string | null, currentStep: string | null, waitUntil: string | null, error: string | null, steps: Array<{ step: string, type: string, outcome: string, details: Record<string, unknown>, next: string | null, error: string | null, startedAt: string, finishedAt: string, durationMs: number }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ApiKeysDocument = new TypedDocumentString(`
    query ApiKeys {
  apiKeys {
    id
    name
    prefix
    current
    createdAt
    lastUsedAt
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<ApiKeysQuery, ApiKeysQueryVariables>;
export const CreateApiKeyDocument = new TypedDocumentString(`
    mutation CreateApiKey($name: String) {
  createApiKey(name: $name) {
    token
    apiKey {
      id
      name
      prefix
    }
  }
}
    `) as unknown as TypedDocumentString<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = new TypedDocumentString(`
    mutation RevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    id
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const EventsDocument = new TypedDocumentString(`
    query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {
  events(
    first: $first
    after: $after
    last: $last
    before: $before
    search: $search
  ) {
    edges {
      node {
        id
        name
        description
        updatedAt
        schema {
          fields {
            name
            type
            required
          }
        }
        automations(first: 1) {
          edges {
            node {
              id
              status
            }
          }
          pageInfo {
            hasNextPage
          }
        }
      }
    }
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<EventsQuery, EventsQueryVariables>;
export const EventDocument = new TypedDocumentString(`
    query Event($name: String!) {
  event(name: $name) {
    id
    name
    description
    createdAt
    updatedAt
    schema {
      fields {
        name
        type
        required
      }
    }
    automations(first: 100) {
      edges {
        node {
          id
          name
          status
          broken
          issues {
            step
            message
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
}
    `) as unknown as TypedDocumentString<EventQuery, EventQueryVariables>;
export const CreateEventDocument = new TypedDocumentString(`
    mutation CreateEvent($input: CreateEventInput!) {
  createEvent(input: $input) {
    id
    name
  }
}
    `) as unknown as TypedDocumentString<CreateEventMutation, CreateEventMutationVariables>;
export const UpdateEventDocument = new TypedDocumentString(`
    mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {
  updateEvent(id: $id, input: $input) {
    id
    name
  }
}
    `) as unknown as TypedDocumentString<UpdateEventMutation, UpdateEventMutationVariables>;
export const DeleteEventDocument = new TypedDocumentString(`
    mutation DeleteEvent($id: ID!) {
  deleteEvent(id: $id) {
    id
    deleted
  }
}
    `) as unknown as TypedDocumentString<DeleteEventMutation, DeleteEventMutationVariables>;
export const SendTestEventDocument = new TypedDocumentString(`
    mutation SendTestEvent($input: SendEventInput!) {
  sendEvent(input: $input) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<SendTestEventMutation, SendTestEventMutationVariables>;
export const SendsDocument = new TypedDocumentString(`
    query Sends($event: String!, $status: SendStatus, $first: Int, $after: String) {
  sends(filter: {event: $event, status: $status}, first: $first, after: $after) {
    edges {
      node {
        id
        status
        timestamp
        createdAt
        email
        contactId
        data
        errors {
          field
          message
        }
        processedAt
        failureReason
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<SendsQuery, SendsQueryVariables>;
export const SendStatsDocument = new TypedDocumentString(`
    query SendStats($event: String!, $from: DateTimeISO!, $to: DateTimeISO, $bucket: SendStatsBucket!) {
  sendStats(event: $event, from: $from, to: $to, bucket: $bucket) {
    accepted
    rejected
    points {
      start
      accepted
      rejected
    }
  }
}
    `) as unknown as TypedDocumentString<SendStatsQuery, SendStatsQueryVariables>;
export const AutomationsDocument = new TypedDocumentString(`
    query Automations($first: Int, $after: String, $event: String) {
  automations(first: $first, after: $after, event: $event) {
    edges {
      node {
        id
        name
        status
        broken
        triggerEvent
        updatedAt
        issues {
          step
          message
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<AutomationsQuery, AutomationsQueryVariables>;
export const AutomationDocument = new TypedDocumentString(`
    query Automation($id: ID!) {
  automation(id: $id) {
    id
    name
    status
    broken
    triggerEvent
    steps
    webhookSecret
    updatedAt
    connections {
      from
      to
      outcome
    }
    issues {
      step
      path
      reason
      message
    }
  }
}
    `) as unknown as TypedDocumentString<AutomationQuery, AutomationQueryVariables>;
export const CreateAutomationDocument = new TypedDocumentString(`
    mutation CreateAutomation($input: CreateAutomationInput!) {
  createAutomation(input: $input) {
    id
    issues {
      step
      path
      message
    }
  }
}
    `) as unknown as TypedDocumentString<CreateAutomationMutation, CreateAutomationMutationVariables>;
export const UpdateAutomationDocument = new TypedDocumentString(`
    mutation UpdateAutomation($id: ID!, $input: UpdateAutomationInput!) {
  updateAutomation(id: $id, input: $input) {
    id
    issues {
      step
      path
      message
    }
  }
}
    `) as unknown as TypedDocumentString<UpdateAutomationMutation, UpdateAutomationMutationVariables>;
export const EnableAutomationDocument = new TypedDocumentString(`
    mutation EnableAutomation($id: ID!) {
  enableAutomation(id: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<EnableAutomationMutation, EnableAutomationMutationVariables>;
export const DisableAutomationDocument = new TypedDocumentString(`
    mutation DisableAutomation($id: ID!) {
  disableAutomation(id: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<DisableAutomationMutation, DisableAutomationMutationVariables>;
export const DeleteAutomationDocument = new TypedDocumentString(`
    mutation DeleteAutomation($id: ID!) {
  deleteAutomation(id: $id) {
    id
    deleted
  }
}
    `) as unknown as TypedDocumentString<DeleteAutomationMutation, DeleteAutomationMutationVariables>;
export const AutomationRunsDocument = new TypedDocumentString(`
    query AutomationRuns($automationId: ID!, $status: AutomationRunStatus, $first: Int, $after: String) {
  automationRuns(
    filter: {automationId: $automationId, status: $status}
    first: $first
    after: $after
  ) {
    edges {
      node {
        id
        status
        sendId
        contactId
        createdAt
        finishedAt
        currentStep
        waitUntil
        error
        steps {
          step
          type
          outcome
          details
          next
          error
          startedAt
          finishedAt
          durationMs
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<AutomationRunsQuery, AutomationRunsQueryVariables>;