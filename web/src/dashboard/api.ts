/** The dashboard's one way to the server: a typed document (operations.ts) POSTed to /graphql. */
import type { TypedDocumentString } from '../gql/graphql';
import { storedKey } from '../shared/key';

export type ResultOf<D> = D extends TypedDocumentString<infer R, infer _V> ? R : never;
export type VariablesOf<D> = D extends TypedDocumentString<infer _R, infer V> ? V : never;

/** An error the API answered, in words: `message` is the API's own; `extensions` its details. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let onUnauthorized: (message: string) => void = () => {};
export function whenUnauthorized(fn: (message: string) => void): void {
  onUnauthorized = fn;
}

export async function gql<R, V>(doc: TypedDocumentString<R, V>, variables?: V, key = storedKey()): Promise<R> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError('Cannot reach the server. Is it running?', 'NETWORK', 0);
  }
  let body: { data?: R; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The server answered ${res.status} without a GraphQL body.`, 'BAD_RESPONSE', res.status);
  }
  const err = body.errors?.[0];
  if (err) {
    const ext = err.extensions ?? {};
    const e = new ApiError(err.message, String(ext.code ?? 'ERROR'), Number(ext.status_code ?? res.status), ext);
    if (e.code === 'UNAUTHENTICATED' || res.status === 401) onUnauthorized(e.message);
    throw e;
  }
  return body.data as R;
}

/** UUIDv7 ids carry their creation time (ms) in the first 48 bits. */
export function idTime(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
