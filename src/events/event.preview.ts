/**
 * Impact preview and safe changes of a definition (issue 22).
 *
 * previewEventUpdate: what an update would do, saving nothing — the definition as it would be
 * (version included), the field changes, the automations that would stop type-checking (the
 * automations checker run against the new fields, minus what already fails against the current
 * ones: their stored issues when those were checked against the current definition), and the last 1,000 accepted sends re-validated against the new fields (5 examples).
 *
 * updateEventSafely: the real update, refused with 409 `conflict` (carrying the same `automations`
 * list) when it would break an ENABLED automation, unless `force`: then, in one transaction, the
 * update is saved, its automations are re-checked (their issues stored: the flag) and disabled,
 * and their waiting runs cancelled (automation.service setAutomationStatus: the same rule as a
 * user's disable).
 */
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { Automation } from '../automations/automation.entity.js';
import { setAutomationStatus } from '../automations/automation.service.js';
import { checkIssues, triggerSchema } from '../automations/issues.js';
import type { Issue } from '../automations/graph.js';
import { validateData, type FieldError } from '../sends/data-validator.js';
import type { OrgRef } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import type { EventDefinition, FieldDef, FieldTypeName } from './event.entity.js';
import type { UpdateEventInput } from './event.inputs.js';
import { getEvent, plannedUpdate, updateEvent } from './event.service.js';
import { sameFields, versionFor } from './event.versions.js';

export const PREVIEW_SENDS = 1000;
export const PREVIEW_EXAMPLES = 5;

export type ChangeKind = 'added' | 'removed' | 'type_changed' | 'now_required' | 'now_optional';

export interface FieldChange {
  field: string;
  change: ChangeKind;
  from?: FieldTypeName;
  to?: FieldTypeName;
}

export interface AutomationImpact {
  id: string;
  name: string;
  status: Automation['status'];
  /** The issues the new schema would add (the automations API's issue shape). */
  issues: Issue[];
}

export interface UpdatePreview {
  /** The definition as it would be (not managed: nothing is flushed). */
  event: EventDefinition;
  changes: FieldChange[];
  automations: AutomationImpact[];
  sendsChecked: number;
  sendsRejected: number;
  examples: { sendId: string; errors: FieldError[] }[];
}

type CheckConfig = Pick<Config, 'webhookAllowHosts'>;

/** Field by field, in the current schema's order, then the added ones in the new schema's order. */
export function diffFields(before: readonly FieldDef[], after: readonly FieldDef[]): FieldChange[] {
  const next = new Map(after.map((f) => [f.name, f]));
  const prev = new Set(before.map((f) => f.name));
  const out: FieldChange[] = [];
  for (const f of before) {
    const n = next.get(f.name);
    if (!n) {
      out.push({ field: f.name, change: 'removed' });
      continue;
    }
    if (n.type !== f.type) out.push({ field: f.name, change: 'type_changed', from: f.type, to: n.type });
    if (n.required !== f.required) out.push({ field: f.name, change: n.required ? 'now_required' : 'now_optional' });
  }
  for (const f of after) if (!prev.has(f.name)) out.push({ field: f.name, change: 'added' });
  return out;
}

/**
 * The automations triggered by `def` that the new fields would break: issues against `fields`
 * that the automation does not already have against the current ones. DNS is not resolved: the
 * webhook host check does not depend on the schema.
 */
export async function automationImpact(em: EntityManager, org: OrgRef, def: EventDefinition, fields: FieldDef[], config: CheckConfig, lock = false): Promise<AutomationImpact[]> {
  if (sameFields(def.fields, fields)) return [];
  const list = await em.find(
    Automation,
    { organization: org.id, triggerEvent: def.name, deletedAt: null },
    { orderBy: { id: 'desc' }, ...(lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
  );
  // Stored issues computed against this very definition (checked_against: checker version, its id
  // and a hash of its fields) are the current schema's issues: read them instead of checking again.
  // They were checked with DNS, which only adds webhook-address issues that the DNS-less check of
  // the new fields below never reports, so the difference is the same.
  const live = await triggerSchema(em, org.id, def.name);
  const currentFingerprint = live.fields && sameFields(live.fields, def.fields) ? live.fingerprint : null;
  const out: AutomationImpact[] = [];
  for (const a of list) {
    // In the checking lane (automations/issues.ts): slices of a few ms that yield, so a preview over
    // thousands of heavy automations never holds the event loop for long.
    const nowIssues = a.checkedAgainst === currentFingerprint ? a.issues : await checkIssues(a.steps, a.connections, def.fields, config, { resolveDns: false });
    const now = new Set(nowIssues.map((i) => i.message));
    const added = (await checkIssues(a.steps, a.connections, fields, config, { resolveDns: false })).filter((i) => !now.has(i.message));
    if (added.length) out.push({ id: a.id, name: a.name, status: a.status, issues: added });
  }
  return out;
}

/** Saves nothing. */
export async function previewEventUpdate(em: EntityManager, org: OrgRef, idOrName: string, input: UpdateEventInput, config: CheckConfig): Promise<UpdatePreview> {
  const def = await getEvent(em, org, idOrName);
  const { fields, conversion } = plannedUpdate(def, input);
  const event = {
    ...def,
    description: input.description !== undefined ? input.description : def.description,
    fields,
    conversion,
    version: versionFor(def, fields),
  } as EventDefinition;
  const automations = await automationImpact(em, org, def, fields, config);
  // The last accepted sends (any status but rejected: `errors` is set exactly for rejected ones).
  const rows: { id: string; data: Record<string, unknown> }[] = await em.getConnection().execute(
    `select id, data from event_sends where organization_id = ? and event_definition_id = ? and errors is null order by id desc limit ${PREVIEW_SENDS}`,
    [org.id, def.id],
  );
  let sendsRejected = 0;
  const examples: UpdatePreview['examples'] = [];
  for (const r of rows) {
    const checked = validateData(fields, r.data ?? {});
    if (checked.ok) continue;
    sendsRejected++;
    if (examples.length < PREVIEW_EXAMPLES) examples.push({ sendId: r.id, errors: checked.errors });
  }
  return { event, changes: diffFields(def.fields, fields), automations, sendsChecked: rows.length, sendsRejected, examples };
}

export const impactToRest = (a: AutomationImpact) => ({
  id: a.id,
  name: a.name,
  status: a.status,
  issues: a.issues.map((i) => ({ step: i.step, path: i.path, reason: i.reason, message: i.message })),
});

export interface SafeUpdateOptions {
  force?: boolean;
  config: CheckConfig;
  /** Called after the commit (cache invalidation). */
  onChange?: (orgId: string) => Promise<void>;
}

/** The update, refused (409) when it would break an enabled automation unless forced; forced: those automations are disabled in the same transaction. */
export async function updateEventSafely(em: EntityManager, org: OrgRef, idOrName: string, input: UpdateEventInput, opts: SafeUpdateOptions): Promise<EventDefinition> {
  return updateEvent(em, org, idOrName, input, {
    onChange: opts.onChange,
    beforeSave: async (tx, current, fields) => {
      // Locked: an automation cannot be enabled between this check and the commit.
      const breaking = (await automationImpact(tx, org, current, fields, opts.config, true)).filter((a) => a.status === 'enabled');
      if (breaking.length && !opts.force) {
        const names = breaking.map((a) => `"${a.name}"`).join(', ');
        throw new AppError('conflict', `This schema change would break ${breaking.length} enabled automation(s): ${names}. Preview it with ?dry_run=true, or pass ?force=true to save it and disable them.`, {
          details: { automations: breaking.map(impactToRest) },
        });
      }
      for (const a of breaking) await setAutomationStatus({ em: tx, org, config: opts.config }, a.id, 'disabled');
    },
  });
}
