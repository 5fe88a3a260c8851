/** The REST transport's single translation point: anything thrown → `{status_code, name, message, ...}`. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, toAppError } from './errors.js';
import { graphqlErrorBody } from './graphql-errors.js';
import { MESSAGES as GUARD_MESSAGES } from './input-guard.js';

/** Fastify's own errors (parsing, limits, routing) → AppError. */
function fromFastify(err: FastifyError): AppError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'Request body is larger than 256 KiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('bad_request', 'Content-Type must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('bad_request', 'Request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('bad_request', 'Request body is not valid JSON');
    case 'FST_ERR_BAD_URL':
      return new AppError('bad_request', GUARD_MESSAGES.urlNotUtf8);
    case 'FST_ERR_VALIDATION':
      return new AppError('validation_error', err.message);
  }
  if (err instanceof SyntaxError || (err as { type?: string }).type === 'entity.parse.failed') {
    return new AppError('bad_request', 'Request body is not valid JSON');
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 && !(err instanceof AppError)) {
    if (err.statusCode === 413) return new AppError('payload_too_large', 'Request body is larger than 256 KiB');
    if (err.statusCode === 429) return undefined;
    return new AppError('bad_request', err.message);
  }
  return undefined;
}

/**
 * Errors of the HTTP layer rather than of our code: Fastify's own (`FST_…`), a body that is not JSON,
 * and the body reader's 4xx errors that carry no FST_ code (a client that closes its socket mid-body:
 * `aborted`, code ECONNRESET, statusCode 400). The last were read as a database connection reset:
 * a 503 and an error-level log line for every client that gave up on its upload.
 */
function fromHttpLayer(err: unknown): boolean {
  if (err instanceof AppError) return false;
  const e = err as FastifyError;
  if (e?.code?.startsWith?.('FST_') || err instanceof SyntaxError) return true;
  return typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500;
}

export function restErrorBody(e: AppError): Record<string, unknown> {
  return { status_code: e.status, name: e.code, message: e.message, ...(e.details ?? {}) };
}

export function sendRestError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = fromHttpLayer(err) ? fromFastify(err as FastifyError) ?? toAppError(err) : toAppError(err);
  if (e.status >= 500) req.log.error({ err: e.cause ?? err, reqId: req.id }, 'request failed');
  if (e.headers) reply.headers(e.headers);
  const graphql = /^\/graphql(\/|\?|$)/.test(req.url);
  return reply.code(e.status).type('application/json; charset=utf-8').send(graphql ? graphqlErrorBody(e) : restErrorBody(e));
}
