/** GraphQL output types for automations and runs, and the REST mapping (one place per transport). */
import { DateTimeISOResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../shared/relay.js';
import type { Automation, AutomationRun, RunStepLog } from './automation.entity.js';
import { AutomationStatusEnum, ConnectionOutcome, RunStatusEnum } from './automation.inputs.js';
import type { Issue } from './graph.js';

@ObjectType('AutomationIssue', { description: 'Why an automation does not type-check: steps[thank].subject: unknown field event.totl' })
export class AutomationIssueType {
  @Field(() => String, { nullable: true }) step!: string | null;
  @Field() path!: string;
  @Field() reason!: string;
  @Field() message!: string;
}

@ObjectType('AutomationStepConnection', { description: 'A link between two steps of the graph (a condition leaves by an outcome)' })
export class AutomationConnectionType {
  @Field() from!: string;
  @Field() to!: string;
  @Field(() => ConnectionOutcome, { nullable: true }) outcome!: ConnectionOutcome | null;
}

@ObjectType('Automation')
export class AutomationType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => AutomationStatusEnum) status!: AutomationStatusEnum;
  @Field(() => String, { nullable: true }) triggerEvent!: string | null;
  @Field(() => [JSONObjectResolver]) steps!: Record<string, unknown>[];
  @Field(() => [AutomationConnectionType]) connections!: AutomationConnectionType[];
  @Field(() => [AutomationIssueType], { description: 'Empty when the automation type-checks against its trigger event' })
  issues!: AutomationIssueType[];
  @Field({ description: 'Enabled but no longer type-checks (e.g. its event schema changed): runs may fail' })
  broken!: boolean;
  @Field({ description: 'Secret for the X-Arsel-Signature HMAC-SHA256 of webhook bodies' }) webhookSecret!: string;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver) updatedAt!: Date;
}

@ObjectType('AutomationRunStep')
export class RunStepType {
  @Field() step!: string;
  @Field() type!: string;
  @Field() outcome!: string;
  @Field(() => JSONObjectResolver) details!: Record<string, unknown>;
  @Field(() => String, { nullable: true }) next!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => DateTimeISOResolver) startedAt!: Date;
  @Field(() => DateTimeISOResolver) finishedAt!: Date;
  @Field(() => Int) durationMs!: number;
}

@ObjectType('AutomationRun')
export class AutomationRunType {
  @Field(() => ID) id!: string;
  @Field(() => ID) automationId!: string;
  @Field(() => ID) sendId!: string;
  @Field(() => ID, { nullable: true }) contactId!: string | null;
  @Field(() => RunStatusEnum) status!: RunStatusEnum;
  @Field(() => String, { nullable: true }) currentStep!: string | null;
  @Field(() => [RunStepType]) steps!: RunStepType[];
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => DateTimeISOResolver, { nullable: true }) waitUntil!: Date | null;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver) updatedAt!: Date;
  @Field(() => DateTimeISOResolver, { nullable: true }) finishedAt!: Date | null;
  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the send that started this run was accepted' }) acceptedAt!: Date | null;
  @Field(() => DateTimeISOResolver, { nullable: true, description: "When the run's first step started" }) startedAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'Milliseconds from the send being accepted to the run starting' }) startDelayMs!: number | null;
  @Field(() => Int, { nullable: true, description: 'Milliseconds from the send being accepted to the run finishing' }) totalMs!: number | null;
}

@ObjectType('DeleteAutomationResult')
export class DeleteAutomationResult {
  @Field() object!: string;
  @Field(() => ID) id!: string;
  @Field() deleted!: boolean;
}

export const AutomationConnection = ConnectionType(AutomationType, 'Automation');
export const AutomationRunConnection = ConnectionType(AutomationRunType, 'AutomationRun');

const isBroken = (a: Automation) => a.status === 'enabled' && a.issues.length > 0;

export const issueToGraphQL = (i: Issue): AutomationIssueType => ({ step: i.step, path: i.path, reason: i.reason, message: i.message });

export function automationToGraphQL(a: Automation): AutomationType {
  return {
    id: a.id,
    name: a.name,
    status: a.status as AutomationStatusEnum,
    triggerEvent: a.triggerEvent ?? null,
    steps: a.steps,
    connections: a.connections.map((c) => ({ from: c.from, to: c.to, outcome: (c.outcome ?? null) as ConnectionOutcome | null })),
    issues: a.issues.map(issueToGraphQL),
    broken: isBroken(a),
    webhookSecret: a.webhookSecret,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function automationToRest(a: Automation) {
  return {
    id: a.id,
    object: 'automation',
    name: a.name,
    status: a.status,
    trigger_event: a.triggerEvent ?? null,
    steps: a.steps,
    connections: a.connections.map((c) => (c.outcome ? { from: c.from, to: c.to, outcome: c.outcome } : { from: c.from, to: c.to })),
    issues: a.issues.map((i) => ({ step: i.step, path: i.path, reason: i.reason, message: i.message })),
    broken: isBroken(a),
    webhook_secret: a.webhookSecret,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}

const stepToGraphQL = (s: RunStepLog): RunStepType => ({
  step: s.step,
  type: s.type,
  outcome: s.outcome,
  details: s.details ?? {},
  next: s.next ?? null,
  error: s.error ?? null,
  startedAt: new Date(s.started_at),
  finishedAt: new Date(s.finished_at),
  durationMs: s.duration_ms,
});

export function runToGraphQL(r: AutomationRun): AutomationRunType {
  return {
    id: r.id,
    automationId: r.automationId,
    sendId: r.sendId,
    contactId: r.contactId ?? null,
    status: r.status as RunStatusEnum,
    currentStep: r.currentStep ?? null,
    steps: r.steps.map(stepToGraphQL),
    error: r.error ?? null,
    waitUntil: r.waitUntil ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    finishedAt: r.finishedAt ?? null,
    acceptedAt: r.acceptedAt ?? null,
    startedAt: r.startedAt ?? null,
    startDelayMs: msBetween(r.acceptedAt, r.startedAt),
    totalMs: msBetween(r.acceptedAt, r.finishedAt),
  };
}

const msBetween = (from?: Date | null, to?: Date | null): number | null => (from && to ? Math.max(0, to.getTime() - from.getTime()) : null);

export function runToRest(r: AutomationRun) {
  return {
    id: r.id,
    object: 'automation_run',
    automation_id: r.automationId,
    send_id: r.sendId,
    contact_id: r.contactId ?? null,
    status: r.status,
    current_step: r.currentStep ?? null,
    steps: r.steps,
    error: r.error ?? null,
    wait_until: r.waitUntil ? r.waitUntil.toISOString() : null,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
    finished_at: r.finishedAt ? r.finishedAt.toISOString() : null,
    accepted_at: r.acceptedAt ? r.acceptedAt.toISOString() : null,
    started_at: r.startedAt ? r.startedAt.toISOString() : null,
    start_delay_ms: msBetween(r.acceptedAt, r.startedAt),
    total_ms: msBetween(r.acceptedAt, r.finishedAt),
  };
}
