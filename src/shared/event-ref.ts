/**
 * How a request names an event definition, and the ONE rule for finding it (REST and GraphQL, the
 * ORM read in event.service.ts and the prepared statements of the send history alike).
 *
 * Event names are free text (1–80 characters), so a name may look like a UUID
 * (`11111111-2222-7333-8444-555555555555`). The rule:
 * - An explicit name is a name, never an id: GraphQL `event(name:)`, a send's `event`, the
 *   `event` filters of `automations` / `GET /v1/automations?event=` and automation triggers.
 * - An id parameter (REST `{id}` in `/v1/events/{id}…`, GraphQL `event(id:)`, `updateEvent(id:)`,
 *   `deleteEvent(id:)`) is looked up as an id first when it is UUID-shaped (any case), and as a
 *   name when the organization has no definition with that id (or it is not UUID-shaped). Ids are
 *   UUIDv7 and unique across organizations, so this is ambiguous only when an organization names
 *   an event exactly like the id of another of its own definitions: then the id wins, and that
 *   event is reached by name through GraphQL `event(name:)` (or by its own id).
 * - The history filter GraphQL `sends(filter: {event})` is a name first; only when no definition
 *   of the organization ever had that name is a UUID-shaped value taken as an id (clients that
 *   passed an id there keep working).
 */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** UUID-shaped (8-4-4-4-12 hex digits, any version, any case): what PostgreSQL's `uuid` accepts in this form. */
export const isUuid = (s: string): boolean => UUID_RE.test(s);

export type EventRef =
  /** An explicit name. */
  | { name: string }
  /** An id parameter: the id when UUID-shaped and found, else the name. */
  | { idOrName: string }
  /** A filter value: the name when found, else the id when UUID-shaped. */
  | { nameOrId: string };

/** One lookup: by id (lower-case, as PostgreSQL prints uuids) or by exact name. */
export type EventKey = { id: string } | { name: string };

/** The text the caller wrote (for "Event … not found"). */
export const eventRefText = (ref: EventRef): string => ('name' in ref ? ref.name : 'idOrName' in ref ? ref.idOrName : ref.nameOrId);

/** The lookups to try, in order. */
export function eventKeys(ref: EventRef): EventKey[] {
  if ('name' in ref) return [{ name: ref.name }];
  if ('idOrName' in ref) return isUuid(ref.idOrName) ? [{ id: ref.idOrName.toLowerCase() }, { name: ref.idOrName }] : [{ name: ref.idOrName }];
  return isUuid(ref.nameOrId) ? [{ name: ref.nameOrId }, { id: ref.nameOrId.toLowerCase() }] : [{ name: ref.nameOrId }];
}

/**
 * The first definition `find` returns for `eventKeys(ref)`, in order; undefined when none matches.
 * `find` does the query its caller can afford (the ORM, or a prepared statement on a hot read),
 * scoped to the caller's organization; this function owns which keys are tried and in which order.
 */
export async function findEventDefinition<T>(ref: EventRef, find: (key: EventKey) => Promise<T | null | undefined>): Promise<T | undefined> {
  for (const key of eventKeys(ref)) {
    const found = await find(key);
    if (found != null) return found;
  }
  return undefined;
}
