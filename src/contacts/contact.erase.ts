/**
 * Erasure (GDPR art. 17): a contact and every copy of its personal data go in ONE transaction.
 *
 * - the contact row;
 * - its sends (by contact_id, or by its email — also sends rejected or still queued, which carry the
 *   address but no contact yet) keep id, event, status and times; `email`, `contact_id`, `data`,
 *   `errors` and `failure_reason` are cleared. A send still `accepted` (queued, not processed)
 *   becomes `failed` with `failure_reason = 'contact erased'`: the send worker only takes
 *   `accepted` sends, so it never re-creates the contact from it;
 * - its automation runs keep their row (counts) but lose their step log (rendered subjects and
 *   recipients, compared values), error and contact; running or waiting runs are `cancelled`;
 * - the outbox rows of those runs (rendered emails, webhook bodies) are deleted;
 * - pg-boss job payloads and results (and pg-boss warnings) that contain its email are cleared.
 *
 * Lock order: outbox rows (a delivery in flight holds its row until it commits), then the runs (a
 * step job in flight holds its run), then the outbox again (rows a step job committed meanwhile).
 * A delivery that claims a row in between can deadlock with us; PostgreSQL aborts one side and
 * the erasure is retried (the delivery retries on its own).
 *
 * Finding sends by email scans the organization's sends (there is no index on `contact_id` or
 * `email`: one would cost every accepted send an index entry, and an index on `contact_id` would
 * make the worker's `accepted → processed` update non-HOT). Erasure is rare; a bulk request of up
 * to 1,000 contacts is still one scan.
 */
import type pg from 'pg';
import { applyInvalidation, INVALIDATION_CHANNEL } from '../shared/caches.js';
import type { Deps } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { UUID_RE } from './contact.service.js';

export const MAX_BULK_ERASE = 1000;
export const ERASED_REASON = 'contact erased';

export interface ErasedContact {
  id: string;
  organizationId: string;
}

const RETRYABLE = new Set(['40P01', '40001']); // deadlock, serialization failure

export interface EraseOptions {
  /** Limit to one organization (the API); the CLI may erase by id in any organization. */
  orgId?: string;
  ids?: string[];
  /** Erase the contacts with this email (case-insensitive), in orgId or in every organization. */
  email?: string;
}

/** Erases the contacts named; returns those that existed (unknown ids are ignored). */
export async function eraseContacts(pool: pg.Pool, opts: EraseOptions): Promise<ErasedContact[]> {
  const ids = [...new Set((opts.ids ?? []).filter((id) => UUID_RE.test(id)).map((id) => id.toLowerCase()))];
  if (ids.length > MAX_BULK_ERASE) throw new AppError('validation_error', `ids must contain no more than ${MAX_BULK_ERASE} elements`);
  if (!ids.length && opts.email == null) return [];
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const erased = await eraseInTx(client, ids, opts);
      await client.query('commit');
      return erased;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      if (attempt < 5 && RETRYABLE.has((err as { code?: string }).code ?? '')) continue;
      throw err;
    } finally {
      client.release();
    }
  }
}

async function eraseInTx(client: pg.ClientBase, ids: string[], opts: EraseOptions): Promise<ErasedContact[]> {
  const found = await client.query<{ id: string; organization_id: string; email: string | null }>(
    `select id, organization_id, email from contacts
      where ${opts.email != null ? 'lower(email) = lower($1)' : 'id = any($1::uuid[])'} ${opts.orgId ? 'and organization_id = $2' : ''}
      order by id for update`,
    opts.orgId ? [opts.email ?? ids, opts.orgId] : [opts.email ?? ids],
  );
  const contacts = found.rows;
  if (!contacts.length) return [];
  const contactIds = contacts.map((c) => c.id);
  const orgs = [...new Set(contacts.map((c) => c.organization_id))];
  // `<org>:<lower(email)>`, so an address erased in one organization stays in another
  const emailKeys = contacts.filter((c) => c.email != null).map((c) => `${c.organization_id}:${c.email!.toLowerCase()}`);
  if (opts.email != null) emailKeys.push(...orgs.map((o) => `${o}:${opts.email!.toLowerCase()}`));

  const sends = await client.query<{ id: string }>(
    `update event_sends s
        set email = null, contact_id = null, data = '{}'::jsonb,
            errors = case when s.errors is null then null else '[]'::jsonb end,
            failure_reason = case when s.status = 'accepted' or s.failure_reason is not null then $4 end,
            processed_at = case when s.status = 'accepted' then now() else s.processed_at end,
            status = case when s.status = 'accepted' then 'failed' else s.status end
      where s.organization_id = any($1::uuid[])
        and (s.contact_id = any($2::uuid[]) or (s.email is not null and (s.organization_id::text || ':' || lower(s.email)) = any($3::text[])))
      returning s.id`,
    [orgs, contactIds, emailKeys, ERASED_REASON],
  );
  const sendIds = sends.rows.map((r) => r.id);

  const runs = await client.query<{ id: string }>(
    `select id from automation_runs where send_id = any($1::uuid[]) or (organization_id = any($2::uuid[]) and contact_id = any($3::uuid[]))`,
    [sendIds, orgs, contactIds],
  );
  const runIds = runs.rows.map((r) => r.id);
  if (runIds.length) {
    await client.query('delete from automation_outbox where run_id = any($1::uuid[])', [runIds]);
    await client.query(
      `update automation_runs
          set steps = '[]'::jsonb, contact_id = null,
              error = case when status in ('running', 'waiting') or error is not null then $2 end,
              status = case when status in ('running', 'waiting') then 'cancelled' else status end,
              current_step = case when status in ('running', 'waiting') then null else current_step end,
              wait_until = null, finished_at = coalesce(finished_at, now()), updated_at = now()
        where id = any($1::uuid[])`,
      [runIds, ERASED_REASON],
    );
    await client.query('delete from automation_outbox where run_id = any($1::uuid[])', [runIds]);
  }

  // pg-boss: our jobs carry ids only, but a job's result (an error message) or a warning may quote an address.
  const needles = [...new Set(contacts.filter((c) => c.email).map((c) => c.email!.toLowerCase()).concat(opts.email ? [opts.email.toLowerCase()] : []))];
  const hasBoss = (await client.query<{ ok: boolean }>(`select to_regclass('pgboss.job') is not null as ok`)).rows[0]!.ok;
  if (needles.length && hasBoss) {
    const hit = (col: string) => `(${col} is not null and exists (select 1 from unnest($1::text[]) n where strpos(lower(${col}::text), n) > 0))`;
    await client.query(
      `update pgboss.job set data = case when ${hit('data')} then '{}'::jsonb else data end,
                             output = case when ${hit('output')} then null else output end,
                             source_output = case when ${hit('source_output')} then null else source_output end
        where ${hit('data')} or ${hit('output')} or ${hit('source_output')}`,
      [needles],
    );
    await client.query(`update pgboss.warning set data = null where ${hit('data')}`, [needles]);
  }

  await client.query('delete from contacts where id = any($1::uuid[])', [contactIds]);
  // other processes' send paths drop the contact ids they remember (src/sends/send.service.ts)
  for (const org of orgs) await client.query('select pg_notify($1, $2)', [INVALIDATION_CHANNEL, `contacts:${org}`]);
  return contacts.map((c) => ({ id: c.id, organizationId: c.organization_id }));
}

/** The API's erasure: contacts of one organization; this process forgets them at once (others on NOTIFY). */
export async function eraseOrgContacts(deps: Pick<Deps, 'pool' | 'caches'>, orgId: string, ids: string[]): Promise<string[]> {
  const erased = await eraseContacts(deps.pool, { orgId, ids });
  if (erased.length) applyInvalidation(deps.caches, `contacts:${orgId}`);
  return erased.map((c) => c.id);
}

/** DELETE /v1/contacts/{id}, deleteContact: 404 when the id is not a contact of the organization. */
export async function eraseOrgContact(deps: Pick<Deps, 'pool' | 'caches'>, orgId: string, id: string): Promise<string> {
  const [erased] = await eraseOrgContacts(deps, orgId, [id]);
  if (!erased) throw AppError.notFound(`Contact ${id} not found`);
  return erased;
}
