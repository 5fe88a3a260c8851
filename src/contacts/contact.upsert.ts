/**
 * Contacts by email for the send worker, in plain SQL (no ORM import: the worker thread loads this).
 */
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/**
 * Race-safe find-or-create of many (org, email) pairs on the caller's transaction:
 * `insert … on conflict do nothing`, then select. Concurrent workers creating the same contact
 * both end up with the one row the unique constraint allows. Returns `${org}\0${email}` → id.
 * Contacts it creates get `source = 'event'`; their ids are added to `created` when given.
 */
export async function findOrCreateContacts(client: pg.ClientBase, pairs: { orgId: string; email: string }[], created?: Set<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!pairs.length) return out;
  const uniq = new Map<string, { orgId: string; email: string }>();
  for (const p of pairs) {
    const email = normaliseEmail(p.email);
    uniq.set(`${p.orgId}\u0000${email}`, { orgId: p.orgId, email });
  }
  const list = [...uniq.values()];
  const orgs = list.map((p) => p.orgId);
  const emails = list.map((p) => p.email);
  const ins = await client.query<{ id: string }>(
    `insert into contacts (id, organization_id, email, source)
     select id, org, email, 'event' from unnest($1::uuid[], $2::uuid[], $3::text[]) as p(id, org, email)
     order by 2, 3
     on conflict (organization_id, email) do nothing
     returning id`,
    [list.map(() => uuidv7()), orgs, emails],
  );
  if (created) for (const row of ins.rows) created.add(row.id);
  const r = await client.query<{ id: string; organization_id: string; email: string }>(
    `select c.id, c.organization_id, c.email from contacts c
       join unnest($1::uuid[], $2::text[]) as p(org, email) on c.organization_id = p.org and c.email = p.email`,
    [orgs, emails],
  );
  for (const row of r.rows) out.set(`${row.organization_id}\u0000${row.email}`, row.id);
  return out;
}
