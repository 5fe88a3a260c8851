/** REST shim for automations: parse → validate with the GraphQL input classes → same service → snake_case. */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { idParamSchema, listQuerySchema } from '../shared/openapi.js';
import { parseListQuery, restList } from '../shared/pagination.js';
import { validateInput } from '../shared/validation.js';
import { CreateAutomationInput, UpdateAutomationInput } from './automation.inputs.js';
import {
  automationsForEvent, createAutomation, deleteAutomation, getAutomation, getRun, listAutomations, listRuns, setAutomationStatus, updateAutomation, type AutomationCtx,
} from './automation.service.js';
import { getEvent } from '../events/event.service.js';
import { automationToRest, runToRest } from './automation.types.js';

const tags = ['Automations'];
// Step bodies are opaque JSON (their keys are the step's own: `if`, `subject`, …), never re-cased.
const opaque = new Set(['steps']);
const STATUSES = ['draft', 'enabled', 'disabled'];
const RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled'];

const connectionSchema = {
  type: 'object',
  properties: { from: { type: 'string' }, to: { type: 'string' }, outcome: { type: 'string', enum: ['condition_met', 'condition_not_met'] } },
  required: ['from', 'to'],
};
const body = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    status: { type: 'string', enum: STATUSES },
    steps: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, type: { type: 'string', enum: ['trigger', 'condition', 'send_email', 'wait', 'webhook'] } }, required: ['key', 'type'] } },
    connections: { type: 'array', items: connectionSchema },
  },
};

export const automationRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  const ctx = (org: AutomationCtx['org']): AutomationCtx => ({ em: deps.orm.em.fork(), org, config: deps.config });
  const idOf = (req: { params: unknown }) => (req.params as { id: string }).id;

  app.post('/automations', { schema: { tags, summary: 'Create Automation (stored as a draft with its issues)', body: { ...body, required: ['name', 'steps'] } } }, async (req, reply) => {
    const input = await validateInput(CreateAutomationInput, req.body, { opaque });
    return reply.code(201).send(automationToRest(await createAutomation(ctx(req.org!), input)));
  });

  app.get('/automations', { schema: { tags, summary: 'List Automations', querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, status: { type: 'string', enum: STATUSES }, event: { type: 'string' } } } } }, async (req) => {
    const { page, rest } = parseListQuery(req.query as Record<string, unknown>, ['status', 'event']);
    if (rest.status && !STATUSES.includes(rest.status)) throw new AppError('validation_error', `status must be one of the following values: ${STATUSES.join(', ')}`);
    const result = await listAutomations(ctx(req.org!), { page, status: rest.status as never, event: rest.event });
    return restList(result, result.items.map(automationToRest));
  });

  app.get('/automations/:id', { schema: { tags, summary: 'Get Automation', params: idParamSchema } }, async (req) => automationToRest(await getAutomation(ctx(req.org!), idOf(req))));

  app.patch('/automations/:id', { schema: { tags, summary: 'Update Automation', params: idParamSchema, body } }, async (req) => {
    const input = await validateInput(UpdateAutomationInput, req.body, { opaque });
    return automationToRest(await updateAutomation(ctx(req.org!), idOf(req), input));
  });

  app.delete('/automations/:id', { schema: { tags, summary: 'Delete Automation (cancels its runs in progress)', params: idParamSchema } }, async (req) => {
    const a = await deleteAutomation(ctx(req.org!), idOf(req));
    return { object: 'automation', id: a.id, deleted: true };
  });

  app.post('/automations/:id/enable', { schema: { tags, summary: 'Enable Automation (422 listing its issues when it does not type-check)', params: idParamSchema } }, async (req) =>
    automationToRest(await setAutomationStatus(ctx(req.org!), idOf(req), 'enabled')),
  );

  app.post('/automations/:id/disable', { schema: { tags, summary: 'Disable Automation (cancels runs in progress)', params: idParamSchema } }, async (req) =>
    automationToRest(await setAutomationStatus(ctx(req.org!), idOf(req), 'disabled')),
  );

  app.get('/automations/:id/runs', { schema: { tags, summary: 'List the runs of an automation with their step log', params: idParamSchema, querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, status: { type: 'string', enum: RUN_STATUSES }, send_id: { type: 'string' } } } } }, async (req) => {
    const c = ctx(req.org!);
    const { page, rest } = parseListQuery(req.query as Record<string, unknown>, ['status', 'send_id']);
    if (rest.status && !RUN_STATUSES.includes(rest.status)) throw new AppError('validation_error', `status must be one of the following values: ${RUN_STATUSES.join(', ')}`);
    const a = await getAutomation(c, idOf(req));
    const result = await listRuns(c, { page, automationId: a.id, status: rest.status, sendId: rest.send_id });
    return restList(result, result.items.map(runToRest));
  });

  app.get('/automations/:id/runs/:runId', { schema: { tags, summary: 'Get one run with its step log', params: { type: 'object', properties: { id: { type: 'string' }, runId: { type: 'string' } }, required: ['id', 'runId'] } } }, async (req) => {
    const c = ctx(req.org!);
    const a = await getAutomation(c, idOf(req));
    return runToRest(await getRun(c, a.id, (req.params as { runId: string }).runId));
  });

  // The event side of "a schema change that breaks an automation is reported": its automations with their issues.
  app.get('/events/:id/automations', { schema: { tags, summary: 'Automations triggered by an event, newest first, with their issues (broken = enabled but no longer type-checks)', params: idParamSchema, querystring: listQuerySchema } }, async (req) => {
    const c = ctx(req.org!);
    const { page } = parseListQuery(req.query as Record<string, unknown>);
    const def = await getEvent(c.em, c.org, idOf(req));
    const result = await automationsForEvent(c, def.name, page);
    return restList(result, result.items.map(automationToRest));
  });
};
