import { buildSchema } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { RESOLVERS } from './modules.js';
import { assertValid } from './shared/validation.js';

/** The GraphQL schema. Input validation runs through the same validator the REST shim uses. */
export async function buildGraphQLSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    validateFn: async (arg) => {
      if (arg && typeof arg === 'object' && !Array.isArray(arg) && arg.constructor !== Object) await assertValid(arg as object, 'graphql');
      if (Array.isArray(arg)) for (const a of arg) if (a && typeof a === 'object' && a.constructor !== Object) await assertValid(a as object, 'graphql');
    },
  });
}
