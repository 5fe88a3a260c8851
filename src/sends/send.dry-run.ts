/**
 * Validate-only sends (`POST /v1/events/send?dry_run=true`, GraphQL `validateEvent`): the send
 * path's own checks (prepareItem: request shape, definition lookup, contact lookup, data
 * validation), then nothing: no row, no job, no Idempotency-Key, no event budget, no contact.
 */
import type { Deps, OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { parseFlag } from '../shared/query-flags.js';
import type { Naming } from '../shared/validation.js';
import { describeErrors, type FieldError } from './data-validator.js';
import { batchContacts, prepareItem, type ItemOutcome } from './send.service.js';

/** `?dry_run=` as REST passes it (see shared/query-flags.ts). */
export const parseDryRun = (value: unknown): boolean => parseFlag(value, 'dry_run');

/** The outcome of checking one send without recording it. */
export async function checkSends(deps: Deps, org: OrgRef, items: unknown[], naming: Naming): Promise<ItemOutcome[]> {
  const known = await batchContacts(deps, org.id, items, naming);
  return Promise.all(items.map((raw) => prepareItem(deps, org, raw, naming, null, known)));
}

/** REST body of one dry-run batch entry: `{"status":"valid"}` or the item's error (a mismatch without `id`). */
export function dryItemToRest(o: ItemOutcome): Record<string, unknown> {
  if (o.kind === 'error') return { error: { status_code: o.error.status, code: o.code, message: o.error.message } };
  if (o.errors) return { error: { status_code: 422, code: 'schema_mismatch', message: describeErrors(o.errors), errors: o.errors } };
  return { status: 'valid' };
}

/** The 422 of a send that would be rejected: the real send's body without `id`. */
export function dryMismatch(errors: FieldError[]): AppError {
  return new AppError('schema_mismatch', describeErrors(errors), { details: { errors } });
}

/** REST: status and body of a dry-run request (single or batch). A single send's request error is thrown as the real send throws it. */
export async function validateSendsRest(deps: Deps, org: OrgRef, items: unknown[], batch: boolean): Promise<{ status: number; body: unknown }> {
  const outcomes = await checkSends(deps, org, items, 'rest');
  if (batch) return { status: 200, body: { results: outcomes.map(dryItemToRest) } };
  const o = outcomes[0];
  if (o.kind === 'error') throw o.error;
  if (o.errors) throw dryMismatch(o.errors);
  return { status: 200, body: { status: 'valid' } };
}

/** GraphQL `validateEvent`: a schema mismatch is a result (`valid: false`); request errors are raised as for sendEvent. */
export async function validateSendGraphQL(deps: Deps, org: OrgRef, input: Record<string, unknown>): Promise<{ valid: boolean; errors: FieldError[] }> {
  const [o] = await checkSends(deps, org, [input], 'graphql');
  if (o.kind === 'error') throw o.error;
  return { valid: !o.errors, errors: o.errors ?? [] };
}
