/** REST shim for sends: POST /v1/events/send (single or batch) and the per-event history. */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Deps } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { idParamSchema, listQuerySchema } from '../shared/openapi.js';
import { parseListQuery, restListJson } from '../shared/pagination.js';
import { requireObjectBody } from '../shared/validation.js';
import { checkKey, idempotencyContext, type StoredResponse } from './idempotency.js';
import { listSendsJson } from './send.history.js';
import { parseDryRun, validateSendsRest } from './send.dry-run.js';
import { acceptSends, MAX_BATCH, sendServices } from './send.service.js';

const tags = ['Sends'];
const sendItem = {
  type: 'object',
  properties: {
    event: { type: 'string', minLength: 1, maxLength: 80 },
    email: { type: 'string', format: 'email' },
    contact_id: { type: 'string', format: 'uuid' },
    data: { type: 'object' },
    timestamp: { type: 'string', format: 'date-time' },
  },
  required: ['event', 'data'],
};
const sendBody = {
  oneOf: [sendItem, { type: 'object', properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: sendItem } }, required: ['events'] }],
};

/** Batch envelope checks, in class-validator's wording. */
function batchItems(body: Record<string, unknown>): unknown[] {
  const issues: string[] = [];
  for (const k of Object.keys(body)) if (k !== 'events') issues.push(`property ${k} should not exist`);
  const events = body.events;
  if (!Array.isArray(events)) issues.push('events must be an array');
  else if (events.length < 1) issues.push('events must contain at least 1 elements');
  else if (events.length > MAX_BATCH) issues.push(`events must contain no more than ${MAX_BATCH} elements`);
  if (issues.length) throw new AppError('validation_error', issues.join(', '));
  return events as unknown[];
}

const send = (reply: FastifyReply, r: StoredResponse) => {
  if (r.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(r.status).send(r.body);
};

export const sendRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/events/send',
    { schema: { tags, summary: 'Send Event (one, or a batch of 1–500 as {"events":[…]}); ?dry_run=true validates only', body: sendBody } },
    async (req, reply) => {
      const body = requireObjectBody(req.body);
      const batch = Object.prototype.hasOwnProperty.call(body, 'events');
      const items = batch ? batchItems(body) : [body];
      const org = req.org!;
      // Validate-only: the same checks, nothing recorded; Idempotency-Key is not looked at.
      const dryRun = (req.query as Record<string, unknown>).dry_run;
      if (dryRun !== undefined && parseDryRun(dryRun)) {
        const r = await validateSendsRest(deps, org, items, batch);
        return reply.code(r.status).send(r.body);
      }
      const header = req.headers['idempotency-key'];
      if (header === undefined) {
        return send(reply, (await acceptSends(deps, org, items, { naming: 'rest', batch })).response);
      }
      const key = Array.isArray(header) ? header[0] : header;
      checkKey(key);
      const idempotency = idempotencyContext(org.id, key, body);
      const r = await sendServices(deps).gate.run(idempotency, async () => (await acceptSends(deps, org, items, { naming: 'rest', batch, idempotency })).response);
      return send(reply, r);
    },
  );

  app.get(
    '/events/:id/sends',
    { schema: { tags, summary: 'List the recorded sends of an event (ours)', params: idParamSchema, querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, status: { type: 'string', enum: ['accepted', 'rejected', 'processed', 'failed'] } } } } },
    async (req, reply) => {
      const { page, rest } = parseListQuery(req.query as Record<string, unknown>, ['status']);
      const result = await listSendsJson(deps, req.org!, { event: { idOrName: (req.params as { id: string }).id }, status: rest.status, page });
      return reply.type('application/json; charset=utf-8').send(restListJson(result, result.items.map((s) => s.json)));
    },
  );
};
