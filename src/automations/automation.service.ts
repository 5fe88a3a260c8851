/**
 * Automation use cases. Both transports call these. Saving always stores a well-formed automation
 * with its issues; enabling requires none. Reads only read the stored issues; every write of issues
 * holds the trigger name's lock shared (issues.ts).
 */
import { LockMode } from '@mikro-orm/core';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { lockEventName } from '../events/event.service.js';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { keysetPage, type Cursor, type Page, type PageArgs } from '../shared/pagination.js';
import { pageSizes } from '../shared/page-sizes.js';
import { Automation, AutomationRun, type AutomationStatus } from './automation.entity.js';
import type { AutomationConnectionInput, CreateAutomationInput, UpdateAutomationInput } from './automation.inputs.js';
import type { Connection, Issue, Step } from './graph.js';
import { checkIssues, lookUpWebhookHosts, triggerSchema } from './issues.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AutomationCtx {
  em: EntityManager;
  org: OrgRef;
  config: Pick<Config, 'webhookAllowHosts'>;
}

/** Shape rules a stored automation always satisfies (everything else is an issue). */
function wellFormedSteps(raw: Record<string, unknown>[]): Step[] {
  const problems: string[] = [];
  raw.forEach((s, i) => {
    if (typeof s.key !== 'string' || !s.key) problems.push(`steps.${i}.key must be a non-empty string`);
    else if (s.key.length > 100) problems.push(`steps.${i}.key must be shorter than or equal to 100 characters`);
    if (typeof s.type !== 'string' || !s.type) problems.push(`steps.${i}.type must be a non-empty string`);
  });
  if (problems.length) throw new AppError('validation_error', problems.join(', '));
  return raw as Step[];
}

/** Deep equality of JSON values regardless of key order (jsonb does not keep it). */
const canonical = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

const toConnections = (list: AutomationConnectionInput[] | undefined): Connection[] =>
  (list ?? []).map((c) => (c.outcome ? { from: c.from, to: c.to, outcome: c.outcome } : { from: c.from, to: c.to }));

const triggerOf = (steps: Step[]): string | null => {
  const t = steps.find((s) => s.key === 'trigger');
  // The column holds 80 characters as PostgreSQL counts them (code points); a longer name is no
  // event's name anyway (an issue says so), and a cut must not split a surrogate pair.
  return t && typeof t.event === 'string' ? Array.from(t.event).slice(0, 80).join('') : null;
};

/**
 * Issues of `steps`/`connections` against the definition current at the caller's commit: call inside
 * the transaction that writes them, after `lockEventName(…, 'shared')` on the trigger. `pre` is a
 * check already computed (before the transaction, or stored with its fingerprint): it is reused when
 * the definition has not changed since.
 */
async function issuesAtCommit(
  em: EntityManager,
  orgId: string,
  trigger: string | null | undefined,
  steps: Step[],
  connections: Connection[],
  config: AutomationCtx['config'],
  pre?: { issues: Issue[]; fingerprint: string },
  hosts?: Map<string, string[] | null>,
): Promise<{ issues: Issue[]; fingerprint: string }> {
  const schema = await triggerSchema(em, orgId, trigger);
  if (pre && pre.fingerprint === schema.fingerprint) return pre;
  return { issues: await checkIssues(steps, connections, schema.fields, config, { resolvedHosts: hosts }), fingerprint: schema.fingerprint };
}

/**
 * The webhook hosts a change of automation `id` will check inside its transaction, looked up before
 * it (no lock held): those of `newSteps` when the change replaces the steps, else of the stored
 * steps when their stored check is not against the current definition (a fresh check will run);
 * none when the stored issues will be reused. Read without a lock: a change in between only means
 * a host missing from the map, looked up in the transaction as before.
 */
async function hostsForCheck(ctx: AutomationCtx, id: string, newSteps?: Step[]): Promise<Map<string, string[] | null> | undefined> {
  if (newSteps) return lookUpWebhookHosts(newSteps, ctx.config);
  if (!UUID_RE.test(id)) return undefined;
  const [row] = await ctx.em.getConnection().execute<{ steps: Step[]; trigger_event: string | null; checked_against: string | null }[]>(
    'select steps, trigger_event, checked_against from automations where id = ? and organization_id = ? and deleted_at is null',
    [id, ctx.org.id],
  );
  if (!row) return undefined;
  const { fingerprint } = await triggerSchema(ctx.em, ctx.org.id, row.trigger_event);
  return fingerprint === row.checked_against ? undefined : lookUpWebhookHosts(row.steps, ctx.config);
}

/** Reads only read: the stored issues (issues.ts says when they are computed). */
export async function getAutomation(ctx: AutomationCtx, id: string): Promise<Automation> {
  const a = UUID_RE.test(id) ? await ctx.em.findOne(Automation, { id, organization: ctx.org.id, deletedAt: null }) : null;
  if (!a) throw AppError.notFound(`Automation ${id} not found`);
  return a;
}

/** Automations of the org, newest first, paged (`event`: those triggered by that event name), with their stored issues. */
export async function listAutomations(ctx: AutomationCtx, opts: { page: PageArgs; status?: AutomationStatus; event?: string }): Promise<Page<Automation>> {
  const where = (cursor: Cursor): FilterQuery<Automation> => ({
    organization: ctx.org.id,
    deletedAt: null,
    ...(opts.status ? { status: opts.status } : {}),
    ...(opts.event !== undefined ? { triggerEvent: opts.event } : {}),
    ...(cursor ? { id: cursor.op === '<' ? { $lt: cursor.id } : { $gt: cursor.id } } : {}),
  });
  return keysetPage(
    opts.page,
    (cursor, order, limit) => ctx.em.find(Automation, where(cursor), { orderBy: { id: order }, limit }),
    pageSizes(ctx.em, Automation, where, ['steps', 'connections', 'issues']),
  );
}

/** Live automations triggered by an event (any status), newest first, paged: how a schema change shows on the event. */
export async function automationsForEvent(ctx: AutomationCtx, eventName: string, page: PageArgs): Promise<Page<Automation>> {
  return listAutomations(ctx, { page, event: eventName });
}

function enableIssuesError(issues: Issue[]): AppError {
  return new AppError('validation_error', issues.map((i) => i.message).join(', '), { details: { issues } });
}

async function applyStatus(ctx: AutomationCtx, a: Automation, status: AutomationStatus): Promise<void> {
  if (status === a.status) return;
  if (status === 'enabled') {
    if (a.issues.length) throw enableIssuesError(a.issues);
    a.status = 'enabled';
  } else if (status === 'disabled') {
    if (a.status === 'draft') return; // never enabled: nothing to stop, it stays a draft
    a.status = 'disabled';
    await cancelRuns(ctx.em, a.id, 'automation disabled');
  } else {
    throw new AppError('conflict', 'An automation that has been enabled cannot go back to draft; disable it instead');
  }
  a.updatedAt = new Date();
}

/** Runs in progress stop when their automation is disabled or deleted (documented in README). */
async function cancelRuns(em: EntityManager, automationId: string, reason: string): Promise<void> {
  await em.getConnection().execute(
    `update automation_runs set status = 'cancelled', error = ?, current_step = null, wait_until = null, finished_at = now(), updated_at = now()
      where automation_id = ? and status in ('running', 'waiting')`,
    [reason, automationId],
    'run',
    em.getTransactionContext(),
  );
}

export async function createAutomation(ctx: AutomationCtx, input: CreateAutomationInput): Promise<Automation> {
  const steps = wellFormedSteps(input.steps);
  const connections = toConnections(input.connections);
  const trigger = triggerOf(steps);
  // The slow check runs before the transaction (holding no connection); inside, under the trigger's
  // lock, it is reused unless the definition changed meanwhile.
  const schema = await triggerSchema(ctx.em, ctx.org.id, trigger);
  const hosts = await lookUpWebhookHosts(steps, ctx.config);
  const pre = { issues: await checkIssues(steps, connections, schema.fields, ctx.config, { resolvedHosts: hosts }), fingerprint: schema.fingerprint };
  return ctx.em.transactional(async (em) => {
    await lockEventName(em, ctx.org.id, [trigger], 'shared');
    const checked = await issuesAtCommit(em, ctx.org.id, trigger, steps, connections, ctx.config, pre, hosts);
    const a = em.create(Automation, {
      organization: ctx.org.id,
      name: input.name,
      steps,
      connections,
      triggerEvent: trigger,
      issues: checked.issues,
      checkedAgainst: checked.fingerprint,
    });
    if (input.status && input.status !== 'draft') await applyStatus({ ...ctx, em }, a, input.status);
    await em.flush();
    return a;
  });
}

/**
 * The automation locked for a change. Its trigger name's lock is taken first, in the same order as
 * re-checks (name, then row), with `alsoTriggers` (a trigger the change is about to set).
 */
async function lockAutomation(em: EntityManager, orgId: string, id: string, alsoTriggers: (string | null)[] = []): Promise<Automation> {
  if (!UUID_RE.test(id)) throw AppError.notFound(`Automation ${id} not found`);
  const locked = new Set<string | null>();
  for (let attempt = 0; ; attempt++) {
    const peek = await em.getConnection().execute<{ trigger_event: string | null }[]>(
      'select trigger_event from automations where id = ? and organization_id = ? and deleted_at is null',
      [id, orgId],
      'all',
      em.getTransactionContext(),
    );
    if (!peek[0]) throw AppError.notFound(`Automation ${id} not found`);
    const names = [peek[0].trigger_event, ...alsoTriggers].filter((n) => !locked.has(n));
    await lockEventName(em, orgId, names, 'shared');
    names.forEach((n) => locked.add(n));
    const a = await em.findOne(Automation, { id, organization: orgId, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!a) throw AppError.notFound(`Automation ${id} not found`);
    // Its trigger was changed between the peek and the row lock: take that name's lock too.
    if (locked.has(a.triggerEvent ?? null)) return a;
    if (attempt >= 3) throw AppError.unavailable('The automation is being changed; retry shortly.');
  }
}

export async function updateAutomation(ctx: AutomationCtx, id: string, input: UpdateAutomationInput): Promise<Automation> {
  const steps = input.steps !== undefined && input.steps !== null ? wellFormedSteps(input.steps) : undefined;
  const connections = input.connections !== undefined && input.connections !== null ? toConnections(input.connections) : undefined;
  // A check inside the transaction (new steps, or a definition changed since the stored check) gets
  // the webhook hosts looked up here, before any lock is held.
  const hosts = await hostsForCheck(ctx, id, steps);
  return ctx.em.transactional(async (em) => {
    const a = await lockAutomation(em, ctx.org.id, id, steps ? [triggerOf(steps)] : []);
    const replacing = (steps && !sameJson(steps, a.steps)) || (connections && !sameJson(connections, a.connections));
    const staysEnabled = a.status === 'enabled' && input.status !== 'disabled';
    if (replacing && staysEnabled) {
      throw new AppError('conflict', 'The steps of an enabled automation cannot be replaced: disable it first');
    }
    if (input.status === 'disabled') await applyStatus({ ...ctx, em }, a, 'disabled');
    if (input.name !== undefined && input.name !== null) a.name = input.name;
    if (steps) {
      a.steps = steps;
      a.triggerEvent = triggerOf(steps);
    }
    if (connections) a.connections = connections;
    a.updatedAt = new Date();
    const stored = replacing ? undefined : { issues: a.issues, fingerprint: a.checkedAgainst ?? '' };
    const checked = await issuesAtCommit(em, ctx.org.id, a.triggerEvent, a.steps, a.connections, ctx.config, stored, hosts);
    a.issues = checked.issues;
    a.checkedAgainst = checked.fingerprint;
    if (input.status && input.status !== 'disabled') await applyStatus({ ...ctx, em }, a, input.status);
    await em.flush();
    return a;
  });
}

export async function setAutomationStatus(ctx: AutomationCtx, id: string, status: 'enabled' | 'disabled'): Promise<Automation> {
  const hosts = status === 'enabled' ? await hostsForCheck(ctx, id) : undefined;
  return ctx.em.transactional(async (em) => {
    const a = await lockAutomation(em, ctx.org.id, id);
    if (status === 'enabled') {
      // Against the definition current at this commit (the trigger's lock is held until then): the
      // stored issues when they were computed against it, else a fresh check.
      const checked = await issuesAtCommit(em, ctx.org.id, a.triggerEvent, a.steps, a.connections, ctx.config, { issues: a.issues, fingerprint: a.checkedAgainst ?? '' }, hosts);
      a.issues = checked.issues;
      a.checkedAgainst = checked.fingerprint;
    }
    await applyStatus({ ...ctx, em }, a, status);
    await em.flush();
    return a;
  });
}

export async function deleteAutomation(ctx: AutomationCtx, id: string): Promise<Automation> {
  return ctx.em.transactional(async (em) => {
    const a = await lockAutomation(em, ctx.org.id, id);
    a.deletedAt = new Date();
    a.updatedAt = new Date();
    await cancelRuns(em, a.id, 'automation deleted');
    await em.flush();
    return a;
  });
}

export async function getRun(ctx: AutomationCtx, automationId: string, runId: string): Promise<AutomationRun> {
  const r = UUID_RE.test(runId) ? await ctx.em.findOne(AutomationRun, { id: runId, organization: ctx.org.id, ...(automationId ? { automationId } : {}) }) : null;
  if (!r) throw AppError.notFound(`Run ${runId} not found`);
  return r;
}


export interface ListRunsOptions {
  page: PageArgs;
  automationId?: string;
  status?: string;
  sendId?: string;
}

export async function listRuns(ctx: AutomationCtx, opts: ListRunsOptions): Promise<Page<AutomationRun>> {
  for (const [k, v] of [['automationId', opts.automationId], ['sendId', opts.sendId]] as const) {
    if (v !== undefined && !UUID_RE.test(v)) throw new AppError('validation_error', `${k} must be a UUID`);
  }
  const where = (cursor: Cursor): FilterQuery<AutomationRun> => ({
    organization: ctx.org.id,
    ...(opts.automationId ? { automationId: opts.automationId } : {}),
    ...(opts.status ? { status: opts.status as AutomationRun['status'] } : {}),
    ...(opts.sendId ? { sendId: opts.sendId } : {}),
    ...(cursor ? { id: cursor.op === '<' ? { $lt: cursor.id } : { $gt: cursor.id } } : {}),
  });
  return keysetPage(
    opts.page,
    (cursor, order, limit) => ctx.em.find(AutomationRun, where(cursor), { orderBy: { id: order }, limit }),
    pageSizes(ctx.em, AutomationRun, where, ['steps', 'error']),
  );
}
