/** REST: GET /v1/events/{id_or_name}/versions — a definition's schema versions, newest first. */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../shared/context.js';
import { idParamSchema } from '../shared/openapi.js';
import { restList } from '../shared/pagination.js';
import { listEventVersions, parseVersionQuery, versionToRest } from './event.versions.js';

export const eventVersionRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/events/:id/versions',
    {
      schema: {
        tags: ['Events'],
        summary: 'List the schema versions of an event (newest first; after/before are version numbers)',
        params: idParamSchema,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, after: { type: 'string' }, before: { type: 'string' } } },
      },
    },
    async (req) => {
      const page = parseVersionQuery(req.query as Record<string, unknown>);
      const result = await listEventVersions(deps.orm.em.fork(), req.org!, (req.params as { id: string }).id, page);
      return restList(result, result.items.map(versionToRest));
    },
  );
};
