/**
 * Automation use cases. Both transports call these. Saving always stores a well-formed automation
 * with its issues; enabling requires none.
 */
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { EventDefinition } from '../events/event.entity.js';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { keysetPage, type Page, type PageArgs } from '../shared/pagination.js';
import { Automation, AutomationRun, type AutomationStatus } from './automation.entity.js';
import type { AutomationConnectionInput, CreateAutomationInput, UpdateAutomationInput } from './automation.inputs.js';
import { checkAutomation } from './checker.js';
import type { Connection, Issue, Step } from './graph.js';

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
  return t && typeof t.event === 'string' ? t.event.slice(0, 80) : null;
};

/** Re-check automations against their trigger events' current schemas; stores changed issue lists. */
export async function refreshIssues(em: EntityManager, orgId: string, list: Automation[], config: AutomationCtx['config']): Promise<void> {
  if (!list.length) return;
  const names = [...new Set(list.map((a) => a.triggerEvent).filter((n): n is string => !!n))];
  const defs = names.length ? await em.find(EventDefinition, { organization: orgId, name: { $in: names }, deletedAt: null }) : [];
  const byName = new Map(defs.map((d) => [d.name, d]));
  let changed = false;
  for (const a of list) {
    const def = a.triggerEvent ? byName.get(a.triggerEvent) : undefined;
    const issues = await checkAutomation(a.steps, a.connections, { eventFields: def ? def.fields : null, webhookAllowHosts: config.webhookAllowHosts });
    if (!sameJson(issues, a.issues)) {
      a.issues = issues;
      changed = true;
    }
  }
  if (changed) await em.flush();
}

export async function getAutomation(ctx: AutomationCtx, id: string, opts: { refresh?: boolean } = { refresh: true }): Promise<Automation> {
  const a = UUID_RE.test(id) ? await ctx.em.findOne(Automation, { id, organization: ctx.org.id, deletedAt: null }) : null;
  if (!a) throw AppError.notFound(`Automation ${id} not found`);
  if (opts.refresh !== false) await refreshIssues(ctx.em, ctx.org.id, [a], ctx.config);
  return a;
}

export async function listAutomations(ctx: AutomationCtx, opts: { page: PageArgs; status?: AutomationStatus; event?: string }): Promise<Page<Automation>> {
  const page = await keysetPage(opts.page, (cursor, order, limit) =>
    ctx.em.find(
      Automation,
      {
        organization: ctx.org.id,
        deletedAt: null,
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.event ? { triggerEvent: opts.event } : {}),
        ...(cursor ? { id: cursor.op === '<' ? { $lt: cursor.id } : { $gt: cursor.id } } : {}),
      },
      { orderBy: { id: order }, limit },
    ),
  );
  await refreshIssues(ctx.em, ctx.org.id, page.items, ctx.config);
  return page;
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
  return ctx.em.transactional(async (em) => {
    const a = em.create(Automation, {
      organization: ctx.org.id,
      name: input.name,
      steps,
      connections: toConnections(input.connections),
      triggerEvent: triggerOf(steps),
    });
    await refreshIssues(em, ctx.org.id, [a], ctx.config);
    if (input.status && input.status !== 'draft') await applyStatus({ ...ctx, em }, a, input.status);
    await em.flush();
    return a;
  });
}

export async function updateAutomation(ctx: AutomationCtx, id: string, input: UpdateAutomationInput): Promise<Automation> {
  return ctx.em.transactional(async (em) => {
    const a = await lockAutomation(em, ctx.org.id, id);
    const steps = input.steps !== undefined && input.steps !== null ? wellFormedSteps(input.steps) : undefined;
    const connections = input.connections !== undefined && input.connections !== null ? toConnections(input.connections) : undefined;
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
    await refreshIssues(em, ctx.org.id, [a], ctx.config);
    if (input.status && input.status !== 'disabled') await applyStatus({ ...ctx, em }, a, input.status);
    await em.flush();
    return a;
  });
}

async function lockAutomation(em: EntityManager, orgId: string, id: string): Promise<Automation> {
  const a = UUID_RE.test(id) ? await em.findOne(Automation, { id, organization: orgId, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
  if (!a) throw AppError.notFound(`Automation ${id} not found`);
  return a;
}

export async function setAutomationStatus(ctx: AutomationCtx, id: string, status: 'enabled' | 'disabled'): Promise<Automation> {
  return ctx.em.transactional(async (em) => {
    const a = await lockAutomation(em, ctx.org.id, id);
    // Enabling re-checks against the schemas as they are now.
    if (status === 'enabled') await refreshIssues(em, ctx.org.id, [a], ctx.config);
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

/** Live automations triggered by an event (any status), with fresh issues: how a schema change shows on the event. */
export async function automationsForEvent(ctx: AutomationCtx, eventName: string): Promise<Automation[]> {
  const list = await ctx.em.find(Automation, { organization: ctx.org.id, triggerEvent: eventName, deletedAt: null }, { orderBy: { id: 'desc' }, limit: 1000 });
  await refreshIssues(ctx.em, ctx.org.id, list, ctx.config);
  return list;
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
  return keysetPage(opts.page, (cursor, order, limit) =>
    ctx.em.find(
      AutomationRun,
      {
        organization: ctx.org.id,
        ...(opts.automationId ? { automationId: opts.automationId } : {}),
        ...(opts.status ? { status: opts.status as AutomationRun['status'] } : {}),
        ...(opts.sendId ? { sendId: opts.sendId } : {}),
        ...(cursor ? { id: cursor.op === '<' ? { $lt: cursor.id } : { $gt: cursor.id } } : {}),
      },
      { orderBy: { id: order }, limit },
    ),
  );
}
