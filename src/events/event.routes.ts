/** REST shim for event definitions: parse → validate with the GraphQL input class → same service → snake_case. */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../shared/context.js';
import { errorResponses, idParamSchema, listQuerySchema } from '../shared/openapi.js';
import { parseListQuery, restList } from '../shared/pagination.js';
import { validateInput } from '../shared/validation.js';
import { invalidateOrgEvents } from './event.cache.js';
import { CreateEventInput, UpdateEventInput } from './event.inputs.js';
import { createEvent, deleteEvent, getEvent, listEvents } from './event.service.js';
import { parseFlag } from '../shared/query-flags.js';
import { previewEventUpdate, updateEventSafely } from './event.preview.js';
import { previewToRest } from './event.preview.types.js';
import { eventToRest } from './event.types.js';

const fieldSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 64 },
    type: { type: 'string', enum: ['string', 'number', 'boolean', 'date'] },
    required: { type: 'boolean', default: false },
  },
  required: ['name', 'type'],
  additionalProperties: false,
};
const conversionSchema = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    value_field: { type: ['string', 'null'] },
    currency_field: { type: ['string', 'null'] },
    currencies: { type: ['array', 'null'], items: { type: 'string' } },
  },
  required: ['enabled'],
};
const schemaSchema = { type: 'object', properties: { fields: { type: 'array', maxItems: 100, items: fieldSchema } }, required: ['fields'] };
const createBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 80 },
    description: { type: ['string', 'null'], maxLength: 2000 },
    schema: schemaSchema,
    conversion: conversionSchema,
  },
  required: ['name'],
  additionalProperties: false,
};
const updateBody = { ...createBody, properties: { description: createBody.properties.description, schema: schemaSchema, conversion: conversionSchema }, required: [] };
const tags = ['Events'];

export const eventRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  const onChange = (orgId: string) => invalidateOrgEvents(deps, orgId);
  const em = () => deps.orm.em.fork();

  app.post('/events', { schema: { tags, summary: 'Create Event', body: createBody, response: { ...errorResponses } } }, async (req, reply) => {
    const input = await validateInput(CreateEventInput, req.body);
    const def = await createEvent(em(), req.org!, input, onChange);
    return reply.code(201).send(eventToRest(def));
  });

  app.get('/events', { schema: { tags, summary: 'List Events', querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, search: { type: 'string' } } } } }, async (req) => {
    const { page, search } = parseListQuery(req.query as Record<string, unknown>);
    // listEvents only reads through the ORM's connection (hand-written SQL, no identity map), so it
    // gets the global EntityManager: the per-request fork was 60 % of this route's own CPU samples.
    const result = await listEvents(deps.orm.em, req.org!, { page, search, caches: deps.caches });
    return restList(result, result.items.map(eventToRest));
  });

  app.get('/events/:id', { schema: { tags, summary: 'Get Event', params: idParamSchema } }, async (req) => {
    return eventToRest(await getEvent(em(), req.org!, (req.params as { id: string }).id));
  });

  app.patch('/events/:id', { schema: { tags, summary: 'Update Event (?dry_run=true previews the impact; ?force=true disables the enabled automations it breaks)', params: idParamSchema, body: updateBody } }, async (req) => {
    const input = await validateInput(UpdateEventInput, req.body);
    const q = req.query as Record<string, unknown>;
    const id = (req.params as { id: string }).id;
    if (parseFlag(q.dry_run, 'dry_run')) return previewToRest(await previewEventUpdate(em(), req.org!, id, input, deps.config));
    return eventToRest(await updateEventSafely(em(), req.org!, id, input, { force: parseFlag(q.force, 'force'), config: deps.config, onChange }));
  });

  app.delete('/events/:id', { schema: { tags, summary: 'Delete Event', params: idParamSchema } }, async (req) => {
    const def = await deleteEvent(em(), req.org!, (req.params as { id: string }).id, onChange);
    return { object: 'event', id: def.id, deleted: true };
  });
};
