/**
 * The app runtime for CLI commands that send or replay through the database (`arsel import`,
 * `arsel replay` without --url): like the server's API side (pg-boss started, the send path's
 * group committer running), without HTTP, LISTEN or the features' background jobs (`oneShot`). Modules are imported lazily so `--help`
 * answers at once.
 */
import type { Deps, OrgRef } from '../shared/context.js';

export async function withAppRuntime<T>(fn: (deps: Deps) => Promise<T>): Promise<T> {
  const [{ loadConfig }, { createRuntime, REDACT }, { FEATURES }, { default: pino }] = await Promise.all([
    import('../config.js'), import('../runtime.js'), import('../modules.js'), import('pino'),
  ]);
  const config = loadConfig(process.env);
  const log = pino({ level: process.env.LOG_LEVEL ? config.logLevel : 'warn', redact: REDACT, base: undefined }, pino.destination(2));
  const rt = await createRuntime(config, { listen: false, log, poolSize: 6 });
  try {
    for (const f of FEATURES) await f.startApi?.(rt.deps, { oneShot: true });
    try {
      return await fn(rt.deps);
    } finally {
      for (const f of [...FEATURES].reverse()) await f.stop?.(rt.deps);
    }
  } finally {
    await rt.close();
  }
}

/**
 * The organization a CLI command acts for: `--org`, else the one organization with a live event
 * of that name (the database path has no API key to say whose it is).
 */
export async function resolveOrg(deps: Deps, event: string, orgId?: string): Promise<OrgRef> {
  const { AppError } = await import('../shared/errors.js');
  const r = await deps.pool.query<{ id: string; name: string }>(
    `select o.id, o.name from organizations o join event_definitions d on d.organization_id = o.id
      where d.name = $1 and d.deleted_at is null ${orgId ? 'and o.id::text = $2' : ''} limit 2`,
    orgId ? [event, orgId] : [event],
  );
  if (!r.rows.length) throw new AppError('not_found', orgId ? `Event ${event} not found in organization ${orgId}` : `Event ${event} not found`);
  if (r.rows.length > 1) throw new AppError('bad_request', `Several organizations have an event named ${event}: pass --org <org-id>`);
  return { id: r.rows[0].id, name: r.rows[0].name, keyId: '' };
}

/** A JSON request to a running server (`--url`, `--key`). */
export async function callServer(url: string, key: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body
Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(new URL(p, url), {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
