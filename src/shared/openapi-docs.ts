/**
 * What /docs and /openapi.json say about each REST route, beyond the route's own request schema:
 * its responses (the success body and every error status with the error shape), a request example
 * that succeeds when sent as it is (in the seed's order: define order.completed, send, automate),
 * and the automation step types one by one. Applied by an onRoute hook (app.ts) so the route files
 * stay about handling requests. Response schemas only document: the app's serializer compiler is
 * JSON.stringify (app.ts), so a documented shape never filters a real answer.
 */
import type { RouteOptions } from 'fastify';
import { errorSchema } from './openapi.js';

const ts = { type: 'string', format: 'date-time' } as const;
const id = { type: 'string', format: 'uuid' } as const;
const nullable = (t: string) => ({ type: [t, 'null'] });
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
const list = (item: unknown) => obj({ object: { type: 'string', const: 'list' }, has_more: { type: 'boolean' }, data: { type: 'array', items: item } });
const fieldError = obj({ field: { type: 'string' }, message: { type: 'string' } });

const field = obj({ name: { type: 'string' }, type: { type: 'string', enum: ['string', 'number', 'boolean', 'date'] }, required: { type: 'boolean' } });
const event = obj({
  id, name: { type: 'string' }, description: nullable('string'),
  schema: obj({ fields: { type: 'array', items: field } }),
  conversion: obj({ enabled: { type: 'boolean' }, value_field: nullable('string'), currency_field: nullable('string'), currencies: { type: ['array', 'null'], items: { type: 'string' } } }),
  created_at: ts, updated_at: ts,
});
const send = obj({
  id, event: { type: 'string' }, status: { type: 'string', enum: ['accepted', 'rejected', 'processed', 'failed'] },
  errors: { type: 'array', items: fieldError }, contact_id: nullable('string'), email: nullable('string'), data: { type: 'object' },
  timestamp: ts, created_at: ts, processed_at: nullable('string'), failure_reason: nullable('string'),
});
const contact = obj({
  id, email: nullable('string'), phone_number: nullable('string'), external_id: nullable('string'), first_name: nullable('string'), last_name: nullable('string'),
  source: { type: 'string', enum: ['api', 'event'] }, properties: { type: 'object' }, is_suppressed: { type: 'boolean' }, created_at: ts, updated_at: ts,
});
const issue = obj({ step: nullable('string'), path: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } });
const connection = obj({ from: { type: 'string' }, to: { type: 'string' }, outcome: { type: 'string', enum: ['condition_met', 'condition_not_met'] } }, { required: ['from', 'to'] });

/** The step types, one schema each (a `oneOf` on `type`). */
const stepKey = { type: 'string', description: 'Unique within the automation; connections refer to it' };
export const stepSchema = {
  oneOf: [
    obj({ key: { type: 'string', const: 'trigger' }, type: { const: 'trigger' }, event: { type: 'string', description: 'The event name that starts a run' } }, { title: 'trigger', required: ['key', 'type', 'event'] }),
    obj(
      {
        key: stepKey, type: { const: 'condition' },
        if: obj(
          {
            field: { type: 'string', description: 'event.<field>, contact.<field> (id, email, phone_number, external_id, first_name, last_name, source, is_suppressed, created_at, updated_at) or contact.properties.<name>' },
            op: { type: 'string', enum: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'] },
            value: { description: 'Compared with the field (not for exists); its type must fit the field' },
          },
          { required: ['field', 'op'] },
        ),
      },
      { title: 'condition', required: ['key', 'type', 'if'], description: 'Leaves by the connections with outcome condition_met / condition_not_met' },
    ),
    obj(
      {
        key: stepKey, type: { const: 'send_email' },
        subject: { type: 'string', description: 'Liquid template over event.* and contact.*' },
        body: { type: 'string', description: 'Liquid template; a body starting with < is also sent as HTML' },
        to: { type: 'string', description: "Defaults to the contact's email" },
      },
      { title: 'send_email', required: ['key', 'type', 'subject', 'body'] },
    ),
    obj({ key: stepKey, type: { const: 'wait' }, duration: { type: 'string', description: 'ISO 8601 duration, e.g. PT1H, P1DT12H (at most P366D)' } }, { title: 'wait', required: ['key', 'type', 'duration'] }),
    obj(
      { key: stepKey, type: { const: 'webhook' }, url: { type: 'string', format: 'uri' }, headers: { type: 'object', additionalProperties: { type: 'string' } } },
      { title: 'webhook', required: ['key', 'type', 'url'], description: 'POSTs the event and contact as JSON, signed with X-Arsel-Signature' },
    ),
  ],
  discriminator: { propertyName: 'type' },
};
const automation = obj({
  id, object: { const: 'automation' }, name: { type: 'string' }, status: { type: 'string', enum: ['draft', 'enabled', 'disabled'] },
  trigger_event: nullable('string'), steps: { type: 'array', items: stepSchema }, connections: { type: 'array', items: connection },
  issues: { type: 'array', items: issue }, broken: { type: 'boolean' }, webhook_secret: { type: 'string' }, created_at: ts, updated_at: ts,
});
const runStep = obj({
  step: { type: 'string' }, type: { type: 'string' }, outcome: { type: 'string', enum: ['triggered', 'condition_met', 'condition_not_met', 'queued', 'waiting', 'delivered', 'failed'] },
  details: { type: 'object', description: 'condition: field/op/value/actual/met; send_email: to/subject/delivery; wait: duration/resume_at; webhook: url/status/attempts' },
  next: nullable('string'), started_at: ts, finished_at: ts, duration_ms: { type: 'integer' },
});
const run = obj({
  id, object: { const: 'automation_run' }, automation_id: id, send_id: id, contact_id: nullable('string'),
  status: { type: 'string', enum: ['running', 'waiting', 'completed', 'failed', 'cancelled'] }, current_step: nullable('string'),
  steps: { type: 'array', items: runStep }, error: nullable('string'), wait_until: nullable('string'), created_at: ts, updated_at: ts, finished_at: nullable('string'),
});
const replay = obj({
  object: { const: 'replay' }, id, status: { type: 'string', enum: ['running', 'completed', 'failed'] }, total: { type: 'integer' }, done: { type: 'integer' },
  accepted: { type: 'integer' }, still_rejected: { type: 'integer' }, dry_run: { type: 'boolean' },
});
const deleted = (object: string) => obj({ id, object: { const: object }, deleted: { const: true } });

const ERRORS: Record<number, string> = {
  400: 'bad_request: malformed JSON, wrong Content-Type, or an input rule such as "Provide either email or contact_id."',
  401: 'unauthorized: missing, malformed or revoked API key',
  404: 'not_found',
  409: 'conflict',
  422: 'validation_error: every failing rule, in class-validator wording',
  429: 'rate_limit_exceeded (Retry-After says when to retry)',
  503: 'service_unavailable: the database is unreachable (Retry-After)',
};
const errorsFor = (codes: number[], notes: Record<number, string> = {}) =>
  Object.fromEntries(codes.map((c) => [c, { description: notes[c] ?? ERRORS[c], ...errorSchema }]));

const ORDER_COMPLETED = {
  name: 'order.completed',
  description: 'Fired when a customer completes checkout.',
  schema: { fields: [{ name: 'order_id', type: 'string', required: true }, { name: 'total', type: 'number', required: true }, { name: 'is_gift', type: 'boolean', required: false }] },
};
const AUTOMATION = {
  name: 'Thank big orders',
  steps: [
    { key: 'trigger', type: 'trigger', event: 'order.completed' },
    { key: 'big_order', type: 'condition', if: { field: 'event.total', op: 'gte', value: 100 } },
    { key: 'thank', type: 'send_email', subject: 'Thanks for order {{ event.order_id }}', body: 'Your order of {{ event.total }} is on its way.' },
  ],
  connections: [{ from: 'trigger', to: 'big_order' }, { from: 'big_order', to: 'thank', outcome: 'condition_met' }],
};

interface Doc {
  ok: [number, string, unknown];
  errors: number[];
  notes?: Record<number, string>;
  example?: unknown;
  steps?: boolean;
}
const R = (s: string) => s;
/** By "METHOD /v1/path" as Fastify registers it. */
const DOCS: Record<string, Doc> = {
  [R('POST /v1/events')]: { ok: [201, 'The definition', event], errors: [400, 401, 409, 422, 429], notes: { 409: 'conflict: an event with this name exists' }, example: ORDER_COMPLETED },
  [R('GET /v1/events')]: { ok: [200, 'Definitions, newest first', list(event)], errors: [400, 401, 429] },
  [R('GET /v1/events/:id')]: { ok: [200, 'The definition', event], errors: [401, 404, 429] },
  [R('PATCH /v1/events/:id')]: { ok: [200, 'The updated definition', event], errors: [400, 401, 404, 422, 429], example: { description: 'A customer completed checkout.', schema: ORDER_COMPLETED.schema } },
  [R('DELETE /v1/events/:id')]: { ok: [200, 'Deleted (sends stay readable)', deleted('event')], errors: [401, 404, 409, 429], notes: { 409: 'conflict: enabled automations are triggered by it; disable them first' } },
  [R('POST /v1/events/send')]: {
    ok: [202, 'Recorded: {id, status: "accepted"}, or for a batch {results: […]} in request order', obj({ id, status: { const: 'accepted' }, results: { type: 'array', items: { type: 'object' } } })],
    errors: [400, 401, 404, 409, 422, 429, 503],
    notes: {
      404: 'not_found: unknown or deleted event, or unknown contact_id',
      409: 'conflict: the Idempotency-Key was used with another body',
      422: 'schema_mismatch: recorded as rejected; the body also carries its `id` and `errors: [{field, message}]`',
    },
    example: { event: 'order.completed', email: 'jane@example.com', data: { order_id: 'o-1', total: 129.99, is_gift: false } },
  },
  [R('GET /v1/events/:id/sends')]: { ok: [200, 'Sends, newest first', list(send)], errors: [400, 401, 404, 429] },
  [R('POST /v1/contacts')]: { ok: [201, 'The contact', contact], errors: [400, 401, 409, 422, 429], notes: { 409: 'conflict: a contact with this email, phone_number or external_id exists' }, example: { email: 'sam@example.com', first_name: 'Sam', properties: { plan: 'pro' } } },
  [R('PATCH /v1/contacts/:id')]: { ok: [200, 'The updated contact', contact], errors: [400, 401, 404, 409, 422, 429], example: { last_name: 'Doe', properties: { plan: 'team' } } },
  [R('DELETE /v1/contacts/:id')]: { ok: [200, 'Erased: the contact and its personal data', obj({ message: { type: 'string', const: 'Contact deleted' } })], errors: [401, 404, 429] },
  [R('POST /v1/contacts/bulk-delete')]: { ok: [200, 'Erased (unknown ids are ignored)', obj({ message: { type: 'string' }, deleted: { type: 'array', items: id } })], errors: [400, 401, 422, 429] },
  [R('GET /v1/contacts')]: { ok: [200, 'Contacts, newest first', list(contact)], errors: [400, 401, 429] },
  [R('GET /v1/contacts/:id')]: { ok: [200, 'The contact', contact], errors: [401, 404, 429] },
  [R('POST /v1/automations')]: {
    ok: [201, 'Stored (a draft unless status is given) with its issues', automation], errors: [400, 401, 422, 429],
    notes: { 422: 'validation_error: malformed steps, or status "enabled" while it has issues (the body carries `issues`)' },
    example: AUTOMATION, steps: true,
  },
  [R('GET /v1/automations')]: { ok: [200, 'Automations, newest first, each with its issues', list(automation)], errors: [400, 401, 429] },
  [R('GET /v1/automations/:id')]: { ok: [200, 'The automation', automation], errors: [401, 404, 429] },
  [R('PATCH /v1/automations/:id')]: {
    ok: [200, 'The updated automation with its issues', automation], errors: [400, 401, 404, 409, 422, 429],
    notes: { 409: 'conflict: steps/connections of an enabled automation cannot change; disable it first' },
    example: { name: 'Thank big orders (v2)' }, steps: true,
  },
  [R('DELETE /v1/automations/:id')]: { ok: [200, 'Deleted; runs in progress are cancelled', deleted('automation')], errors: [401, 404, 429] },
  [R('POST /v1/automations/:id/enable')]: { ok: [200, 'Enabled', automation], errors: [401, 404, 422, 429], notes: { 422: 'validation_error: it has issues (listed in the message and in `issues`)' } },
  [R('POST /v1/automations/:id/disable')]: { ok: [200, 'Disabled; runs in progress are cancelled', automation], errors: [401, 404, 429] },
  [R('GET /v1/automations/:id/runs')]: { ok: [200, 'Runs with their step log, newest first', list(run)], errors: [400, 401, 404, 429] },
  [R('GET /v1/automations/:id/runs/:runId')]: { ok: [200, 'One run with its step log', run], errors: [401, 404, 429] },
  [R('GET /v1/events/:id/versions')]: {
    ok: [200, 'Schema versions, newest first (cursors are version numbers)', list(obj({ version: { type: 'integer' }, schema: obj({ fields: { type: 'array', items: field } }), created_at: ts }))],
    errors: [400, 401, 404, 429],
  },
  [R('POST /v1/events/:id/sends/replay')]: {
    ok: [202, 'The replay, started in the background', replay], errors: [400, 401, 404, 422, 429],
    example: { status: 'rejected', dry_run: true },
  },
  [R('GET /v1/events/:id/replays/:replay_id')]: { ok: [200, 'The replay as it progresses', replay], errors: [401, 404, 429] },
  [R('POST /v1/automations/:id/test')]: {
    ok: [200, 'The run log the flow would produce (nothing sent or recorded)', obj({ status: { type: 'string' }, issues: { type: 'array', items: issue }, steps: { type: 'array', items: { type: 'object' } } })],
    errors: [400, 401, 404, 422, 429],
  },
  [R('GET /v1/events/:id/automations')]: { ok: [200, 'Automations triggered by the event, with their issues', list(automation)], errors: [401, 404, 429] },
};

/** onRoute: complete a /v1 route's OpenAPI entry from DOCS. */
export function documentRoute(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const doc = DOCS[`${methods[0]} ${route.url}`];
  if (!doc || !route.schema) return;
  const [status, description, body] = doc.ok;
  const schema = { ...route.schema } as Record<string, unknown>;
  schema.response = { [status]: { description, ...(body as object) }, ...errorsFor(doc.errors, doc.notes) };
  if (schema.body && (doc.example || doc.steps)) {
    const b = { ...(schema.body as Record<string, unknown>) };
    if (doc.steps && b.properties) {
      const props = { ...(b.properties as Record<string, Record<string, unknown>>) };
      props.steps = { ...props.steps, type: 'array', items: stepSchema };
      props.connections = { type: 'array', items: connection };
      b.properties = props;
    }
    if (doc.example) b.examples = [doc.example];
    schema.body = b;
  }
  const params = schema.params as { properties?: Record<string, unknown> } | undefined;
  if (params?.properties?.id && route.url.startsWith('/v1/events/:id')) {
    schema.params = { ...params, properties: { ...params.properties, id: { ...(params.properties.id as object), examples: ['order.completed'] } } };
  }
  route.schema = schema;
}
