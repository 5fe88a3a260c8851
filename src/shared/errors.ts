/**
 * The one error model. Services throw AppError; REST (rest-errors.ts) and GraphQL (graphql-errors.ts)
 * each translate it once. `name` is what REST clients branch on; GraphQL uses `graphqlCode`.
 */
import {
  ConnectionException,
  NotFoundError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  validation_error: 422,
  schema_mismatch: 422,
  rate_limit_exceeded: 429,
  internal_server_error: 500,
  service_unavailable: 503,
  // conversion configuration problems (spec §3): 400s whose name says which
  conversion_value_field_invalid: 400,
  conversion_currency_field_invalid: 400,
  conversion_currency_field_required: 400,
  conversion_currency_unsupported: 400,
  conversion_currency_without_value: 400,
} as const;

export type ErrorName = keyof typeof ERROR_STATUS;

const GRAPHQL_CODE: Partial<Record<ErrorName, string>> = {
  unauthorized: 'UNAUTHENTICATED',
  rate_limit_exceeded: 'RATE_LIMITED',
};

export const graphqlCode = (name: ErrorName): string => GRAPHQL_CODE[name] ?? name.toUpperCase();

/** GraphQL code (as set by graphqlCode or by Apollo itself) back to our error name. */
export function nameFromGraphqlCode(code: string): ErrorName | undefined {
  for (const [name, c] of Object.entries(GRAPHQL_CODE)) if (c === code) return name as ErrorName;
  const lower = code.toLowerCase();
  if (lower in ERROR_STATUS) return lower as ErrorName;
  if (code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED') return 'bad_request';
  return undefined;
}

export const MESSAGES = {
  unauthorized: 'Invalid or missing API key',
  rateLimited: 'Too many requests. Please retry after the period indicated in the retry-after header.',
  internal: 'Internal server error',
  unavailable: 'The service is temporarily unavailable. Please retry shortly.',
  contactChoice: 'Provide either email or contact_id.',
  nulText: 'Text must not contain NUL (\\u0000) characters',
  loneSurrogate: 'Text must be valid Unicode: a \\uD800-\\uDFFF escape must be half of a surrogate pair',
} as const;

// With the u flag a surrogate pair is one code point, so this matches only a surrogate standing alone.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Why PostgreSQL cannot store this text as given, if it cannot: U+0000 (refused in text and jsonb),
 * or a UTF-16 surrogate without its pair (jsonb refuses it; text would silently become U+FFFD).
 * Only JSON and GraphQL escapes can produce either (`\u0000`, `\uD83D` alone): see MAY_HOLD_BAD_TEXT.
 */
export function badTextMessage(s: string): string | undefined {
  if (s.includes('\u0000')) return MESSAGES.nulText;
  if (LONE_SURROGATE.test(s)) return MESSAGES.loneSurrogate;
  return undefined;
}

/** Source text (a JSON body, a GraphQL document) that may decode to text badTextMessage refuses. */
export const MAY_HOLD_BAD_TEXT = /\\u(?:0000|d[89a-f])/i;

/** badTextMessage for the first string or key of a parsed JSON value that has one. */
export function badTextIn(v: unknown): string | undefined {
  if (typeof v === 'string') return badTextMessage(v);
  if (Array.isArray(v)) {
    for (const x of v) {
      const m = badTextIn(x);
      if (m) return m;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const m = badTextMessage(k) ?? badTextIn(x);
      if (m) return m;
    }
  }
  return undefined;
}

export class AppError extends Error {
  /** Extra keys written after status_code/name/message (REST) or into extensions (GraphQL). */
  readonly details?: Record<string, unknown>;
  /** Extra HTTP headers (retry-after on 429/503). */
  readonly headers?: Record<string, string>;

  constructor(
    readonly code: ErrorName,
    message: string,
    opts: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.details = opts.details;
    this.headers = opts.headers;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  static notFound(message: string): AppError {
    return new AppError('not_found', message);
  }
  static unavailable(message: string = MESSAGES.unavailable, retryAfter = 5): AppError {
    return new AppError('service_unavailable', message, { headers: { 'retry-after': String(retryAfter) } });
  }
}

const PG_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300']);

/** Whether `err` means the database cannot be reached right now (→ 503, never a 500). */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof ConnectionException) return true;
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && PG_CONNECTION_CODES.has(code)) return true;
    const msg = (e as { message?: unknown }).message;
    if (typeof msg === 'string' && /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection/i.test(msg)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * PostgreSQL refuses NUL (U+0000) in text and jsonb strings (22021, 22P05), and a NUL inside a bound
 * parameter breaks the wire message (08P01). Bodies and URLs are checked up front (app.ts); this
 * catches what slips through (e.g. a "\\u0000" escape inside a GraphQL string literal): the input's fault, a 400.
 */
const PG_BAD_TEXT_CODES = new Set(['22021', '22P05', '08P01']);

function isBadTextError(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && PG_BAD_TEXT_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Anything thrown → AppError. Unknown errors become a generic 500 (details only in the log). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof NotFoundError) return new AppError('not_found', 'Not found', { cause: err });
  if (err instanceof UniqueConstraintViolationException) return new AppError('conflict', 'Conflict', { cause: err });
  if (isConnectionError(err)) return AppError.unavailable(undefined, 5);
  if (isBadTextError(err)) return new AppError('bad_request', MESSAGES.nulText, { cause: err });
  return new AppError('internal_server_error', MESSAGES.internal, { cause: err });
}
