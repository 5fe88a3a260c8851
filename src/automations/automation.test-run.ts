/**
 * Automation test runs (issue 22): `POST /v1/automations/{id}/test` and GraphQL `testAutomation`.
 * The payload is validated against the trigger event's schema (the send path's validateData), then
 * the flow runs in memory with the executor's own condition evaluation (steps/condition.ts) and
 * template rendering (templates.ts renderTemplate / typedPayload): the log shows each step, the
 * branch taken with the values compared, the rendered email, the webhook's URL and body, waits as
 * their durations. Nothing is sent, stored or enqueued (no run, no outbox row). Drafts too, with
 * their issues.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { IsEmail, IsObject, IsOptional, IsUUID } from 'class-validator';
import { MaxLength } from '../shared/validation.js'; // PostgreSQL's characters (code points)
import type { FastifyPluginAsync } from 'fastify';
import { EmailAddressResolver, JSONObjectResolver } from 'graphql-scalars';
import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Config } from '../config.js';
import { contactContext } from '../contacts/contact.context.js';
import { Contact } from '../contacts/contact.entity.js';
import { normaliseEmail } from '../contacts/contact.upsert.js';
import { EventDefinition, type FieldDef } from '../events/event.entity.js';
import { validateData } from '../sends/data-validator.js';
import { dryMismatch } from '../sends/send.dry-run.js';
import type { Deps, GraphQLContext, OrgRef } from '../shared/context.js';
import { AppError, MESSAGES } from '../shared/errors.js';
import { idParamSchema } from '../shared/openapi.js';
import { validateInput } from '../shared/validation.js';
import { getAutomation } from './automation.service.js';
import { AutomationIssueType, issueToGraphQL } from './automation.types.js';
import { checkIssues } from './issues.js';
import { parseDuration } from './duration.js';
import { nextStep, type Issue, type Outcome } from './graph.js';
import { evaluateCondition, type ConditionSpec } from './steps/condition.js';
import { jsonSafe, renderEmail, webhookBody } from './run.executor.js';
import { typedPayload, type RenderContext } from './templates.js';

@InputType()
export class TestAutomationInput {
  @Field(() => JSONObjectResolver, { description: 'The trigger event payload' })
  @IsObject()
  data!: Record<string, unknown>;

  @Field(() => EmailAddressResolver, { nullable: true, description: 'At most one of email / contactId' })
  @IsOptional() @IsEmail() @MaxLength(320)
  email?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional() @IsUUID()
  contactId?: string | null;
}

/** One step as the test run logs it (the run log's shape, without timings). */
export interface TestStepLog {
  step: string;
  type: string;
  /** triggered, condition_met / condition_not_met, would_send, would_wait, would_call, failed */
  outcome: string;
  details: Record<string, unknown>;
  next: string | null;
  error?: string;
}

export interface TestRunResult {
  automationId: string;
  status: 'completed' | 'failed';
  issues: Issue[];
  steps: TestStepLog[];
  error: string | null;
}


/** The contact as the executor sees it (src/contacts/contact.context.ts), from the entity. */
const asContext = (c: Contact): RenderContext['contact'] =>
  contactContext(
    {
      id: c.id, phone_number: c.phoneNumber ?? null, external_id: c.externalId ?? null, first_name: c.firstName ?? null, last_name: c.lastName ?? null,
      source: c.source, properties: c.properties ?? {}, is_suppressed: c.isSuppressed, created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(),
    },
    c.email ?? null,
  );

async function contactFor(em: EntityManager, org: OrgRef, input: TestAutomationInput): Promise<RenderContext['contact']> {
  if (input.email != null && input.contactId != null) throw new AppError('bad_request', MESSAGES.contactChoice);
  if (input.contactId != null) {
    const c = await em.findOne(Contact, { id: input.contactId, organization: org.id });
    if (!c) throw AppError.notFound(`Contact ${input.contactId} not found`);
    return asContext(c);
  }
  if (input.email != null) {
    // An existing contact is used as the worker would find it; otherwise the one it would create.
    const c = await em.findOne(Contact, { email: normaliseEmail(input.email), organization: org.id });
    if (c) return asContext(c);
    return contactContext(null, input.email);
  }
  return contactContext(null, null);
}

/** Runs the automation's flow in memory for one payload; records nothing. */
export async function testAutomation(em: EntityManager, org: OrgRef, config: Pick<Config, 'webhookAllowHosts' | 'mailFrom'>, id: string, input: TestAutomationInput): Promise<TestRunResult> {
  const a = await getAutomation({ em, org, config }, id);
  const def = a.triggerEvent ? await em.findOne(EventDefinition, { organization: org.id, name: a.triggerEvent, deletedAt: null }) : null;
  const fields: FieldDef[] = def?.fields ?? [];
  // Fresh issues, not stored (a test run writes nothing); DNS is not resolved for webhook hosts.
  const issues = await checkIssues(a.steps, a.connections, def ? def.fields : null, config, { resolveDns: false }); // in the checking lane (yields)
  // The send path's order: the contact choice, then the data.
  const contact = await contactFor(em, org, input);
  const checked = validateData(fields, input.data);
  if (!checked.ok) throw dryMismatch(checked.errors);
  const ctx: RenderContext = { event: typedPayload(checked.data, fields), contact };
  const timestamp = new Date().toISOString();

  const byKey = new Map(a.steps.map((s) => [s.key, s]));
  const visited = new Set<string>();
  const log: TestStepLog[] = [];
  let current: string | null | undefined = 'trigger';
  let error: string | null = null;
  while (current) {
    const step = byKey.get(current);
    if (!step || visited.has(current)) {
      error = step ? `step ${current} visited twice` : `step ${current} does not exist`;
      break;
    }
    visited.add(current);
    const entry: TestStepLog = { step: step.key, type: step.type, outcome: '', details: {}, next: null };
    try {
      switch (step.type) {
        case 'trigger':
          entry.outcome = 'triggered';
          entry.details = { event: step.event, contact_id: contact.id ?? null };
          entry.next = nextStep(a.connections, step.key) ?? null;
          break;
        case 'condition': {
          const spec = step.if as ConditionSpec;
          const res = evaluateCondition(spec, ctx, fields);
          entry.outcome = res.met ? 'condition_met' : 'condition_not_met';
          entry.details = { field: spec.field, op: spec.op, value: spec.value ?? null, actual: jsonSafe(res.actual), met: res.met };
          entry.next = nextStep(a.connections, step.key, entry.outcome as Outcome) ?? null;
          break;
        }
        case 'send_email': {
          const { to, subject, body } = await renderEmail(step, ctx); // exactly as a run renders it
          entry.outcome = 'would_send';
          entry.details = { from: config.mailFrom, to, subject, body };
          entry.next = nextStep(a.connections, step.key) ?? null;
          break;
        }
        case 'wait': {
          const ms = parseDuration(String(step.duration));
          if (ms === null || ms <= 0) throw new Error(`invalid duration ${String(step.duration)}`);
          entry.outcome = 'would_wait';
          entry.details = { duration: step.duration, duration_ms: ms };
          entry.next = nextStep(a.connections, step.key) ?? null;
          break;
        }
        case 'webhook': {
          // The body a run posts (the contact as every run sees it); a test run has no send or run id.
          const body = webhookBody(
            { event: { name: a.triggerEvent, data: checked.data, timestamp }, contact: { ...contact, created_at: jsonSafe(contact.created_at), updated_at: jsonSafe(contact.updated_at) } },
            { send_id: null, automation_id: a.id, run_id: null, step: step.key },
          );
          entry.outcome = 'would_call';
          entry.details = { url: step.url, headers: (step.headers as Record<string, string>) ?? {}, body };
          entry.next = nextStep(a.connections, step.key) ?? null;
          break;
        }
        default:
          throw new Error(`unknown step type ${step.type}`);
      }
    } catch (err) {
      entry.outcome = 'failed';
      entry.error = (err as Error).message;
      error = `step ${step.key}: ${(err as Error).message}`;
    }
    log.push(entry);
    if (error) break;
    current = entry.next;
  }
  return { automationId: a.id, status: error ? 'failed' : 'completed', issues, steps: log, error };
}

export function testRunToRest(r: TestRunResult) {
  return {
    object: 'automation_test_run',
    automation_id: r.automationId,
    status: r.status,
    issues: r.issues.map((i) => ({ step: i.step, path: i.path, reason: i.reason, message: i.message })),
    steps: r.steps.map((s) => ({ step: s.step, type: s.type, outcome: s.outcome, details: s.details, next: s.next, ...(s.error ? { error: s.error } : {}) })),
    error: r.error,
  };
}

export const automationTestRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/automations/:id/test',
    { schema: { tags: ['Automations'], summary: 'Test-run an automation in memory with a payload (sends and records nothing)', params: idParamSchema } },
    async (req) => {
      const input = await validateInput(TestAutomationInput, req.body, { opaque: new Set(['data']) });
      return testRunToRest(await testAutomation(deps.orm.em.fork(), req.org!, deps.config, (req.params as { id: string }).id, input));
    },
  );
};

@ObjectType('AutomationTestStep')
export class AutomationTestStepType {
  @Field() step!: string;
  @Field() type!: string;
  @Field({ description: 'triggered, condition_met, condition_not_met, would_send, would_wait, would_call, failed' }) outcome!: string;
  @Field(() => JSONObjectResolver) details!: Record<string, unknown>;
  @Field(() => String, { nullable: true }) next!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
}

@ObjectType('AutomationTestRun')
export class AutomationTestRunType {
  @Field(() => ID) automationId!: string;
  @Field({ description: 'completed or failed' }) status!: string;
  @Field(() => [AutomationIssueType]) issues!: AutomationIssueType[];
  @Field(() => [AutomationTestStepType]) steps!: AutomationTestStepType[];
  @Field(() => String, { nullable: true }) error!: string | null;
}

const testRunToGraphQL = (r: TestRunResult): AutomationTestRunType => ({
  automationId: r.automationId,
  status: r.status,
  issues: r.issues.map(issueToGraphQL),
  steps: r.steps.map((s) => ({ ...s, error: s.error ?? null })),
  error: r.error,
});

@Resolver()
export class AutomationTestResolver {
  @Mutation(() => AutomationTestRunType, { description: 'Run an automation in memory with a payload: the log it would produce; sends and records nothing' })
  async testAutomation(@Arg('id', () => ID) id: string, @Arg('input', () => TestAutomationInput) input: TestAutomationInput, @Ctx() ctx: GraphQLContext) {
    return testRunToGraphQL(await testAutomation(ctx.em, ctx.org, ctx.deps.config, id, input));
  }

  @Query(() => AutomationTestRunType, { name: 'testAutomation', description: 'Same as the testAutomation mutation' })
  async testAutomationQuery(@Arg('id', () => ID) id: string, @Arg('input', () => TestAutomationInput) input: TestAutomationInput, @Ctx() ctx: GraphQLContext) {
    return testRunToGraphQL(await testAutomation(ctx.em, ctx.org, ctx.deps.config, id, input));
  }
}
