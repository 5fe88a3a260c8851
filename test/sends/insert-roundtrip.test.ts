/**
 * The group commit writes a batch's `data` and `errors` as one JSON array each and the rest as array
 * parameters (committer.ts insertSends): whatever a send may carry — quotes, backslashes, control
 * characters, U+2028, emoji, JSON-looking text, long strings — must be stored exactly as sent, in
 * data, in the email, in the Idempotency-Key and in the errors of a rejected send, and an accepted
 * send's errors must be SQL NULL (fast-check, through HTTP and the real committer, read from the rows).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storableText as text } from '../setup/arbitraries.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp;
let token: string;
let orgId: string;
beforeAll(async () => {
  t = await startTestApp();
  const org = await t.createOrg('Roundtrip');
  token = org.token;
  orgId = org.orgId;
  const r = await t.http('POST', '/v1/events', { token, body: { name: 'rt.event', schema: { fields: [{ name: 's', type: 'string' }, { name: 'n', type: 'number' }] } } });
  expect(r.status).toBe(201);
});
afterAll(() => t?.close());

const localPart = fc.stringMatching(/^[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}$/);

it('stores every accepted and rejected send exactly as sent', async () => {
  await fc.assert(
    fc.asyncProperty(
      // `key`: an undeclared field (kept as sent); not `n` (declared a number) nor a reserved key (a 422).
      fc.array(fc.record({ s: text, key: text.filter((k) => !['n', '__proto__', 'constructor', 'prototype'].includes(k)), local: localPart, reject: fc.boolean() }), { minLength: 1, maxLength: 6 }),
      fc.option(fc.stringMatching(/^[\x21-\x7e]{1,60}$/), { nil: undefined }),
      async (items, idemKey) => {
        const events = items.map((x) => ({
          event: 'rt.event',
          email: `${x.local}@example.com`,
          // A string where a number is declared makes the send rejected, with its errors stored.
          data: x.reject ? { s: x.s, n: x.s, [x.key]: x.s } : { s: x.s, [x.key]: x.s },
        }));
        const headers = idemKey ? { 'idempotency-key': `${idemKey}-${Math.random()}` } : undefined;
        const r = await t.http('POST', '/v1/events/send', { token, body: { events }, headers });
        expect(r.status, r.text.slice(0, 300)).toBeLessThan(300);
        // A rejected send's result is `{ error: { code: 'schema_mismatch', id, errors } }`.
        const results: { id?: string; error?: { id: string; errors: unknown } }[] = r.body.results;
        const ids = results.map((x) => x.id ?? x.error!.id);
        expect(ids).toHaveLength(items.length);
        const rows = await t.deps.pool.query<{ id: string; organization_id: string; email: string; data: unknown; status: string; errors: unknown; no_errors: boolean; idempotency_key: string | null }>(
          'select id, organization_id, email, data, status, errors, errors is null as no_errors, idempotency_key from event_sends where id = any($1::uuid[])',
          [ids],
        );
        const byId = new Map(rows.rows.map((x) => [x.id, x]));
        items.forEach((x, i) => {
          const row = byId.get(ids[i])!;
          expect(row, ids[i]).toBeDefined();
          expect(row.organization_id).toBe(orgId);
          expect(row.email).toBe(events[i].email);
          expect(row.data).toEqual({ ...events[i].data });
          expect(row.idempotency_key).toBe(headers ? headers['idempotency-key'] : null);
          if (x.reject) {
            expect(row.status).toBe('rejected');
            expect(row.errors).toEqual(results[i].error!.errors);
          } else {
            expect(row.status).not.toBe('rejected');
            expect(row.no_errors).toBe(true); // SQL NULL, not a JSON null (the rejected-sends index tests it)
          }
        });
      },
    ),
    { numRuns: 60 },
  );
});
