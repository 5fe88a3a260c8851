/** REST shim for contacts: parse → validate with the GraphQL input class → same service → snake_case. */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../shared/context.js';
import { errorResponses, idParamSchema, listQuerySchema } from '../shared/openapi.js';
import { parseListQuery, restList } from '../shared/pagination.js';
import { validateInput } from '../shared/validation.js';
import { CreateContactInput } from './contact.inputs.js';
import { createContact, getContact, listContacts } from './contact.service.js';
import { contactToRest } from './contact.types.js';

const tags = ['Contacts'];
const createBody = {
  type: 'object',
  properties: { email: { type: 'string', format: 'email' }, attributes: { type: 'object' } },
  required: ['email'],
  additionalProperties: false,
};

export const contactRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  const em = () => deps.orm.em.fork();

  app.post('/contacts', { schema: { tags, summary: 'Create Contact', body: createBody, response: { ...errorResponses } } }, async (req, reply) => {
    const input = await validateInput(CreateContactInput, req.body, { opaque: new Set(['attributes']) });
    return reply.code(201).send(contactToRest(await createContact(em(), req.org!, input)));
  });

  app.get('/contacts', { schema: { tags, summary: 'List Contacts', querystring: { ...listQuerySchema, properties: { ...listQuerySchema.properties, email: { type: 'string' } } } } }, async (req) => {
    const { page, rest } = parseListQuery(req.query as Record<string, unknown>, ['email']);
    const result = await listContacts(em(), req.org!, { page, email: rest.email });
    return restList(result, result.items.map(contactToRest));
  });

  app.get('/contacts/:id', { schema: { tags, summary: 'Get Contact', params: idParamSchema } }, async (req) => {
    return contactToRest(await getContact(em(), req.org!, { id: (req.params as { id: string }).id }));
  });
};
