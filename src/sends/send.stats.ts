/**
 * Sends over time for one event (the dashboard's chart): per bucket, how many sends were accepted
 * and how many rejected. Answered from the history indexes alone: a send's id is a UUIDv7 whose
 * first 48 bits are its creation time in ms, so a time range is an id range on
 * event_sends_event (organization_id, event_definition_id, id) and, for the rejected ones, on the
 * partial index event_sends_event_rejected; each row's bucket is computed from its id. No heap row
 * is read when the visibility map is current (index-only scans), and never a table scan.
 */
import type { Deps, OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { findEventDefinition } from '../shared/event-ref.js';
import { definitionId } from './send.history.js';

export const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Bucket = keyof typeof BUCKET_MS;
/** At most this many buckets per answer (a day by minutes; a week by hours is 168). */
export const MAX_BUCKETS = 1440;

export interface StatsPoint {
  start: Date;
  accepted: number;
  rejected: number;
}
export interface SendStats {
  event: string;
  from: Date;
  to: Date;
  bucket: Bucket;
  accepted: number;
  rejected: number;
  points: StatsPoint[];
}

/** The smallest UUIDv7 created at `ms` (lower bound of an id range). */
export function uuidAt(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

const ID_MS = `('x' || left(replace(id::text, '-', ''), 12))::bit(48)::bigint`;
const STATS_SQL = `
  select ((${ID_MS} - $3::bigint) / $4::bigint)::int as i, count(*)::int as n, false as rejected
    from event_sends where organization_id = $1 and event_definition_id = $2 and id >= $5::uuid and id < $6::uuid group by 1
  union all
  select ((${ID_MS} - $3::bigint) / $4::bigint)::int, count(*)::int, true
    from event_sends where organization_id = $1 and event_definition_id = $2 and id >= $5::uuid and id < $6::uuid
      and errors is not null group by 1`;

export async function sendStats(
  deps: Pick<Deps, 'pool'>,
  org: OrgRef,
  opts: { event: string; from: Date; to?: Date | null; bucket: Bucket },
): Promise<SendStats> {
  const width = BUCKET_MS[opts.bucket];
  const to = opts.to ?? new Date();
  if (Number.isNaN(opts.from.getTime()) || Number.isNaN(to.getTime()) || opts.from >= to) {
    throw new AppError('validation_error', 'from must be before to');
  }
  // Buckets start on whole minutes/hours/days (UTC); the last one ends at or after `to`.
  const start = Math.floor(opts.from.getTime() / width) * width;
  const count = Math.ceil((to.getTime() - start) / width);
  if (count > MAX_BUCKETS) {
    throw new AppError('validation_error', `from..to spans ${count} ${opts.bucket} buckets; at most ${MAX_BUCKETS} (use a larger bucket)`);
  }
  // `event` names the event (a UUID-shaped value no event is named is taken as its id), like sends(filter:{event}).
  const defId = await findEventDefinition({ nameOrId: opts.event }, (key) => definitionId(deps.pool, org, key));
  if (!defId) throw AppError.notFound(`Event ${opts.event} not found`);
  const r = await deps.pool.query<{ i: number; n: number; rejected: boolean }>({
    name: 'sends_stats',
    text: STATS_SQL,
    values: [org.id, defId, start, width, uuidAt(opts.from.getTime()), uuidAt(to.getTime())],
  });
  const points: StatsPoint[] = Array.from({ length: count }, (_, i) => ({ start: new Date(start + i * width), accepted: 0, rejected: 0 }));
  const total = new Array<number>(count).fill(0);
  for (const row of r.rows) {
    if (row.i < 0 || row.i >= count) continue;
    if (row.rejected) points[row.i].rejected = row.n;
    else total[row.i] = row.n;
  }
  for (let i = 0; i < count; i++) points[i].accepted = total[i] - points[i].rejected;
  return {
    event: opts.event,
    from: opts.from,
    to,
    bucket: opts.bucket,
    accepted: points.reduce((s, p) => s + p.accepted, 0),
    rejected: points.reduce((s, p) => s + p.rejected, 0),
    points,
  };
}
