/** REST shim for contacts: parse → validate with the GraphQL input class → same service → snake_case. */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../shared/context.js';
import { errorResponses, idParamSchema, listQuerySchema } from '../shared/openapi.js';
import { parseListQuery, restList } from '../shared/pagination.js';
import { validateInput } from '../shared/validation.js';
import { eraseOrgContact, eraseOrgContacts } from './contact.erase.js';
import { BulkDeleteContactsInput, CreateContactInput, UpdateContactInput } from './contact.inputs.js';
import { createContact, getContact, listContacts, updateContact } from './contact.service.js';
import { contactToRest } from './contact.types.js';

const tags = ['Contacts'];
const nullableString = (extra: Record<string, unknown> = {}) => ({ type: ['string', 'null'], ...extra });
const fields = {
  email: nullableString({ format: 'email', maxLength: 320 }),
  phone_number: nullableString({ description: 'E.164, e.g. +14155550100' }),
  external_id: nullableString({ maxLength: 255 }),
  first_name: nullableString({ maxLength: 255 }),
  last_name: nullableString({ maxLength: 255 }),
  properties: { type: ['object', 'null'] },
};
const createBody = { type: 'object', properties: fields, additionalProperties: false, description: 'At least one of email, phone_number, external_id' };
const updateBody = { type: 'object', properties: { ...fields, is_suppressed: { type: 'boolean' } }, additionalProperties: false };
const bulkBody = { type: 'object', properties: { ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', format: 'uuid' } } }, required: ['ids'] };
const filters = ['email', 'phone_number', 'external_id'];
const opaque = new Set(['properties']);

export const contactRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  const em = () => deps.orm.em.fork();
  const idOf = (req: { params: unknown }) => (req.params as { id: string }).id;

  app.post('/contacts', { schema: { tags, summary: 'Create Contact', body: createBody, response: { ...errorResponses } } }, async (req, reply) => {
    const input = await validateInput(CreateContactInput, req.body, { opaque });
    return reply.code(201).send(contactToRest(await createContact(em(), req.org!, input)));
  });

  const listQuery = { ...listQuerySchema, properties: { ...listQuerySchema.properties, ...Object.fromEntries(filters.map((f) => [f, { type: 'string' }])) } };
  app.get('/contacts', { schema: { tags, summary: 'List Contacts', querystring: listQuery } }, async (req) => {
    const { page, rest } = parseListQuery(req.query as Record<string, unknown>, filters);
    const result = await listContacts(em(), req.org!, { page, email: rest.email, phoneNumber: rest.phone_number, externalId: rest.external_id });
    return restList(result, result.items.map(contactToRest));
  });

  app.get('/contacts/:id', { schema: { tags, summary: 'Get Contact', params: idParamSchema } }, async (req) => {
    return contactToRest(await getContact(em(), req.org!, { id: idOf(req) }));
  });

  app.patch('/contacts/:id', { schema: { tags, summary: 'Update Contact', params: idParamSchema, body: updateBody } }, async (req) => {
    const input = await validateInput(UpdateContactInput, req.body, { opaque });
    return contactToRest(await updateContact(em(), req.org!, idOf(req), input));
  });

  app.delete('/contacts/:id', { schema: { tags, summary: 'Delete Contact (erase its personal data)', params: idParamSchema } }, async (req) => {
    await eraseOrgContact(deps, req.org!.id, idOf(req));
    return { message: 'Contact deleted' };
  });

  app.post('/contacts/bulk-delete', { schema: { tags, summary: 'Delete Contacts (up to 1,000)', body: bulkBody } }, async (req) => {
    const input = await validateInput(BulkDeleteContactsInput, req.body);
    const deleted = await eraseOrgContacts(deps, req.org!.id, input.ids);
    return { message: 'Contacts deleted', deleted };
  });
};
