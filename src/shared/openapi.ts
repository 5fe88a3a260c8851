/**
 * JSON-schema fragments for the OpenAPI document. Requests are validated by the class-validator
 * input classes (the same ones GraphQL uses, so messages match the spec's wording); these schemas
 * describe the wire shape for /openapi.json and are not used to reject requests (see app.ts).
 */
export const errorSchema = {
  type: 'object',
  properties: { status_code: { type: 'integer' }, name: { type: 'string' }, message: { type: 'string' } },
  required: ['status_code', 'name', 'message'],
} as const;

export const listQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    after: { type: 'string', format: 'uuid', description: 'Items after this id (older)' },
    before: { type: 'string', format: 'uuid', description: 'Items before this id (newer)' },
  },
} as const;

export const idParamSchema = {
  type: 'object',
  properties: { id: { type: 'string', description: 'The id (UUIDv7) or, for events, the URL-encoded name' } },
  required: ['id'],
} as const;

export const errorResponses = {
  400: { description: 'bad_request', ...errorSchema },
  401: { description: 'unauthorized', ...errorSchema },
  404: { description: 'not_found', ...errorSchema },
  422: { description: 'validation_error', ...errorSchema },
  429: { description: 'rate_limit_exceeded', ...errorSchema },
};
