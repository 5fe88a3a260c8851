/** The GraphQL transport's single translation point (Apollo formatError). */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError, visit } from 'graphql';
import { AppError, badTextMessage, ERROR_STATUS, graphqlCode, MAY_HOLD_BAD_TEXT, toAppError, type ErrorName } from './errors.js';

/** Unwrap Apollo's wrapping to find what the resolver threw. */
function original(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 4 && e && typeof e === 'object' && 'originalError' in e && (e as { originalError?: unknown }).originalError; i++) {
    e = (e as { originalError: unknown }).originalError;
  }
  return e;
}

export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const orig = original(error);
  const code = formatted.extensions?.code as string | undefined;
  // An invalid EmailAddress scalar is an input rule (REST: 422 "email must be an email"), not a malformed request.
  if (!(orig instanceof AppError) && /Value is not a valid email address/.test(formatted.message)) {
    const field = /at "(?:[^"]*\.)?([A-Za-z_]\w*)"/.exec(formatted.message)?.[1] ?? 'email';
    const e = new AppError('validation_error', `${field} must be an email`);
    return { message: e.message, locations: formatted.locations, path: formatted.path, extensions: { code: graphqlCode(e.code), status_code: e.status } };
  }
  // graphql-js's token limit (graphql-guards.ts) is a limit like the others: BAD_REQUEST.
  const tokens = code === 'GRAPHQL_PARSE_FAILED' ? /Document contains more tha[nt] (\d+) tokens/ /* graphql 16 writes "more that" */.exec(formatted.message) : null;
  if (tokens) {
    const e = new AppError('bad_request', `Query has more than ${tokens[1]} tokens (the limit); parsing aborted`);
    return { message: e.message, extensions: { code: graphqlCode(e.code), status_code: e.status } };
  }
  // Errors from parsing/validating the operation itself (and bad variables) stay as Apollo made them.
  if (!(orig instanceof AppError) && code && code !== 'INTERNAL_SERVER_ERROR') {
    const name: ErrorName = code === 'UNAUTHENTICATED' ? 'unauthorized' : 'bad_request';
    return { ...formatted, extensions: { ...formatted.extensions, status_code: ERROR_STATUS[name] } };
  }
  const e = orig instanceof AppError ? orig : toAppError(orig);
  return {
    message: e.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: graphqlCode(e.code), status_code: e.status, ...(e.details ?? {}) },
  };
}

/** Throwable from a resolver when the error is known up front; `http`: also the response's HTTP status (Apollo reads it, clients never see it). */
export const toGraphQLError = (e: AppError, http = false): GraphQLError =>
  new GraphQLError(e.message, { originalError: e, extensions: { code: graphqlCode(e.code), status_code: e.status, ...(http ? { http: { status: e.status } } : {}) } });

/**
 * Failures that happen before Apollo runs (auth, rate limit, body parsing) on /graphql: the same
 * AppError, written as a GraphQL error response so GraphQL clients still read `extensions.code`.
 */
export const graphqlErrorBody = (e: AppError) => ({
  errors: [{ message: e.message, extensions: { code: graphqlCode(e.code), status_code: e.status, ...(e.details ?? {}) } }],
});

/**
 * String literals of the operation that PostgreSQL cannot store (a `\\u0000` or lone-surrogate
 * escape; see badTextMessage) are a 400 before any resolver runs. Variables arrive in the JSON body
 * and are checked by its parser (app.ts), so REST and GraphQL refuse the same text with one rule.
 */
export const badTextLiteralsPlugin: ApolloServerPlugin = {
  async requestDidStart({ request }) {
    if (!request.query || !MAY_HOLD_BAD_TEXT.test(request.query)) return;
    return {
      async didResolveOperation({ document }) {
        let bad: string | undefined;
        visit(document, {
          StringValue(node) {
            bad ??= badTextMessage(node.value);
          },
        });
        if (!bad) return;
        throw toGraphQLError(new AppError('bad_request', bad), true);
      },
    };
  },
};
