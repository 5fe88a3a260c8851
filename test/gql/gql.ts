/* eslint-disable */
import * as types from './graphql';
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
    "\n  fragment EventFields on EventDefinition {\n    id\n    name\n    description\n    schema { fields { name type required } }\n    conversion { enabled valueField currencyField currencies }\n    createdAt\n    updatedAt\n  }\n": typeof types.EventFieldsFragmentDoc,
    "\n  mutation CreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) { ...EventFields }\n  }\n": typeof types.CreateEventDocument,
    "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { ...EventFields }\n  }\n": typeof types.UpdateEventDocument,
    "\n  mutation DeleteEvent($id: ID!) {\n    deleteEvent(id: $id) { object id deleted }\n  }\n": typeof types.DeleteEventDocument,
    "\n  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {\n    events(first: $first, after: $after, last: $last, before: $before, search: $search) {\n      edges { cursor node { ...EventFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.EventsDocument,
    "\n  query Event($id: ID, $name: String) {\n    event(id: $id, name: $name) { ...EventFields }\n  }\n": typeof types.EventDocument,
};
const documents: Documents = {
    "\n  fragment EventFields on EventDefinition {\n    id\n    name\n    description\n    schema { fields { name type required } }\n    conversion { enabled valueField currencyField currencies }\n    createdAt\n    updatedAt\n  }\n": types.EventFieldsFragmentDoc,
    "\n  mutation CreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) { ...EventFields }\n  }\n": types.CreateEventDocument,
    "\n  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {\n    updateEvent(id: $id, input: $input) { ...EventFields }\n  }\n": types.UpdateEventDocument,
    "\n  mutation DeleteEvent($id: ID!) {\n    deleteEvent(id: $id) { object id deleted }\n  }\n": types.DeleteEventDocument,
    "\n  query Events($first: Int, $after: String, $last: Int, $before: String, $search: String) {\n    events(first: $first, after: $after, last: $last, before: $before, search: $search) {\n      edges { cursor node { ...EventFields } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.EventsDocument,
    "\n  query Event($id: ID, $name: String) {\n    event(id: $id, name: $name) { ...EventFields }\n  }\n": types.EventDocument,
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

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;