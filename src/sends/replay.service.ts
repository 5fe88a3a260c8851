/**
 * Replays of rejected sends, the API side (issue 22): start one (the replay row and its
 * `sends.replay` job in one transaction), read one. The work is replay.runner.ts.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsISO8601, IsOptional, IsUUID, ValidateIf } from 'class-validator';
import { DateTimeISOResolver } from 'graphql-scalars';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { v7 as uuidv7 } from 'uuid';
import { getEvent } from '../events/event.service.js';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { isUuid } from '../shared/event-ref.js';
import { filterValues, REPLAY_QUEUE, REPLAY_WHERE, type ReplayFilterStored, type ReplayJob } from './replay.runner.js';
import { SendStatus } from './send.types.js';

export const MAX_REPLAY_IDS = 10_000;

const notDate = (_: unknown, v: unknown) => v != null && !(v instanceof Date);

@InputType('ReplayFilter')
export class ReplayInput {
  @Field(() => SendStatus, { description: 'Which sends to replay: only REJECTED' })
  @IsIn(['rejected'], { message: 'status must be one of the following values: rejected' })
  status!: string;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'Sends recorded at or after' })
  @ValidateIf(notDate) @IsISO8601({ strict: true })
  from?: string | Date | null;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'Sends recorded before' })
  @ValidateIf(notDate) @IsISO8601({ strict: true })
  to?: string | Date | null;

  @Field(() => [ID], { nullable: true, description: `Only these sends (at most ${MAX_REPLAY_IDS})` })
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_REPLAY_IDS) @IsUUID('all', { each: true })
  ids?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Count what would pass; change nothing' })
  @IsOptional() @IsBoolean()
  dryRun?: boolean | null;
}

export interface ReplayRecord {
  id: string;
  organization_id: string;
  event_definition_id: string;
  event_name: string;
  status: 'running' | 'completed' | 'failed';
  dry_run: boolean;
  total: number;
  done: number;
  accepted: number;
  still_rejected: number;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const iso = (v: string | Date | null | undefined): string | null => (v == null ? null : new Date(v).toISOString());

export interface StartReplayOptions {
  pool: pg.Pool;
  /** Null: no job (the caller drives the replay itself, e.g. the CLI without a server). */
  boss: PgBoss | null;
}

/** Count what the replay covers, store it and enqueue its job, in one transaction. */
export async function startReplay(em: EntityManager, org: OrgRef, eventRef: string, input: ReplayInput, opts: StartReplayOptions): Promise<ReplayRecord> {
  const def = await getEvent(em, org, eventRef);
  const filter: ReplayFilterStored = { from: iso(input.from), to: iso(input.to), ids: input.ids?.length ? input.ids.map((x) => x.toLowerCase()) : null };
  if (filter.from && filter.to && filter.from >= filter.to) throw new AppError('validation_error', 'from must be before to');
  const client = await opts.pool.connect();
  let ok = false;
  try {
    await client.query('begin');
    const c = await client.query<{ n: number }>(`select count(*)::int as n from event_sends where ${REPLAY_WHERE}`, filterValues(org.id, def.id, filter, null));
    const total = c.rows[0].n;
    const id = uuidv7();
    const r = await client.query<ReplayRecord>(
      `insert into event_replays (id, organization_id, event_definition_id, event_name, status, dry_run, filter, total, finished_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning *`,
      [id, org.id, def.id, def.name, total ? 'running' : 'completed', Boolean(input.dryRun), filter, total, total ? null : new Date()],
    );
    if (total && opts.boss) {
      const data: ReplayJob = { replayId: id };
      await opts.boss.insert(REPLAY_QUEUE, [{ data }], { db: { executeSql: (text: string, values?: unknown[]) => client.query(text, values as unknown[]) } });
    }
    await client.query('commit');
    ok = true;
    return r.rows[0];
  } finally {
    if (!ok) await client.query('rollback').catch(() => {});
    client.release();
  }
}

/** A replay of the org (optionally of one event: REST's `/events/{id_or_name}/replays/{id}`). */
export async function getReplay(pool: pg.Pool, org: OrgRef, id: string, event?: { em: EntityManager; ref: string }): Promise<ReplayRecord> {
  const defId = event ? (await getEvent(event.em, org, event.ref, { includeDeleted: true })).id : undefined;
  const r = isUuid(id) ? await pool.query<ReplayRecord>('select * from event_replays where id = $1 and organization_id = $2', [id, org.id]) : { rows: [] };
  const rep = r.rows[0];
  if (!rep || (defId && rep.event_definition_id !== defId)) throw AppError.notFound(`Replay ${id} not found`);
  return rep;
}

/** `{"object":"replay","id","status","total","done","accepted","still_rejected","dry_run"}`, with `reason` once failed. */
export function replayToRest(r: ReplayRecord) {
  return {
    object: 'replay',
    id: r.id,
    status: r.status,
    total: r.total,
    done: r.done,
    accepted: r.accepted,
    still_rejected: r.still_rejected,
    dry_run: r.dry_run,
    ...(r.status === 'failed' ? { reason: r.error } : {}),
  };
}

export enum ReplayStatus {
  RUNNING = 'running',
  COMPLETED = 'completed',
  FAILED = 'failed',
}
registerEnumType(ReplayStatus, { name: 'ReplayStatus' });

@ObjectType('Replay')
export class ReplayType {
  @Field(() => ID) id!: string;
  @Field({ description: 'The event name' }) event!: string;
  @Field(() => ReplayStatus) status!: ReplayStatus;
  @Field(() => Int, { description: 'Rejected sends it covers (counted when it started)' }) total!: number;
  @Field(() => Int) done!: number;
  @Field(() => Int) accepted!: number;
  @Field(() => Int) stillRejected!: number;
  @Field() dryRun!: boolean;
  @Field(() => String, { nullable: true, description: 'Why it failed' }) reason!: string | null;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver, { nullable: true }) finishedAt!: Date | null;
}

export const replayToGraphQL = (r: ReplayRecord): ReplayType => ({
  id: r.id,
  event: r.event_name,
  status: r.status as ReplayStatus,
  total: r.total,
  done: r.done,
  accepted: r.accepted,
  stillRejected: r.still_rejected,
  dryRun: r.dry_run,
  reason: r.status === 'failed' ? r.error : null,
  createdAt: new Date(r.created_at),
  finishedAt: r.finished_at ? new Date(r.finished_at) : null,
});
