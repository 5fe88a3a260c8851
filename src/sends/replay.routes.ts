/** REST: start a replay of an event's rejected sends, and follow it. */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../shared/context.js';
import { idParamSchema } from '../shared/openapi.js';
import { validateInput } from '../shared/validation.js';
import { getReplay, ReplayInput, replayToRest, startReplay } from './replay.service.js';

const tags = ['Sends'];

export const replayRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/events/:id/sends/replay',
    {
      schema: {
        tags,
        summary: 'Replay rejected sends against the current schema (background job; 202 with the replay to follow)',
        params: idParamSchema,
        body: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['rejected'] },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            ids: { type: 'array', items: { type: 'string', format: 'uuid' } },
            dry_run: { type: 'boolean' },
          },
          required: ['status'],
        },
      },
    },
    async (req, reply) => {
      const input = await validateInput(ReplayInput, req.body);
      const r = await startReplay(deps.orm.em.fork(), req.org!, (req.params as { id: string }).id, input, { pool: deps.pool, boss: deps.boss });
      return reply.code(202).send(replayToRest(r));
    },
  );

  app.get(
    '/events/:id/replays/:replay_id',
    { schema: { tags, summary: 'A replay as it progresses', params: { type: 'object', properties: { ...idParamSchema.properties, replay_id: { type: 'string' } } } } },
    async (req) => {
      const p = req.params as { id: string; replay_id: string };
      return replayToRest(await getReplay(deps.pool, req.org!, p.replay_id, { em: deps.orm.em.fork(), ref: p.id }));
    },
  );
};
