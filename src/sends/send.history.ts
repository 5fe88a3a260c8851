/** Send history (ours, spec §4): recorded sends of an org, optionally of one event and one status. */
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { getEvent } from '../events/event.service.js';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { keysetPage, type Page, type PageArgs } from '../shared/pagination.js';
import type { SendRecord } from './send.types.js';

export const SEND_STATUSES = ['accepted', 'rejected', 'processed', 'failed'] as const;

const COLUMNS = 'id, event_name, status, errors, contact_id, email, data, "timestamp", created_at, processed_at, failure_reason';

/** Sends of the org by id (in no particular order). */
export async function getSends(pool: pg.Pool, org: OrgRef, ids: string[]): Promise<SendRecord[]> {
  const r = await pool.query<SendRecord>(`select ${COLUMNS} from event_sends where organization_id = $1 and id = any($2::uuid[])`, [org.id, ids]);
  return r.rows;
}

export interface ListSendsOptions {
  /** Event id or name; soft-deleted definitions included (their sends stay queryable). */
  event?: string;
  status?: string;
  page: PageArgs;
}

export async function listSends(em: EntityManager, pool: pg.Pool, org: OrgRef, opts: ListSendsOptions): Promise<Page<SendRecord>> {
  if (opts.status !== undefined && !(SEND_STATUSES as readonly string[]).includes(opts.status)) {
    throw new AppError('validation_error', `status must be one of the following values: ${SEND_STATUSES.join(', ')}`);
  }
  const definitionId = opts.event !== undefined ? (await getEvent(em, org, opts.event, { includeDeleted: true })).id : undefined;
  return keysetPage(opts.page, async (cursor, order, limit) => {
    const where = ['organization_id = $1'];
    const values: unknown[] = [org.id];
    if (definitionId) where.push(`event_definition_id = $${values.push(definitionId)}`);
    if (opts.status) where.push(`status = $${values.push(opts.status)}`);
    if (cursor) where.push(`id ${cursor.op} $${values.push(cursor.id)}`);
    const r = await pool.query<SendRecord>(
      `select ${COLUMNS} from event_sends where ${where.join(' and ')} order by id ${order} limit ${Number(limit)}`,
      values,
    );
    return r.rows;
  });
}
