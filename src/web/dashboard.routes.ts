/**
 * The dashboard (web/): a static page over the GraphQL API at /dashboard. The page holds no data;
 * the user's API key stays in the browser and authenticates each GraphQL call like any client.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { PROJECT_ROOT } from '../config.js';

const FILES: Record<string, string> = {
  '/dashboard': 'index.html',
  '/dashboard/app.js': 'app.js',
  '/dashboard/documents.graphql': 'documents.graphql',
};
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.graphql': 'application/graphql; charset=utf-8',
};

export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  for (const [url, file] of Object.entries(FILES)) {
    const body = fs.readFileSync(path.join(PROJECT_ROOT, 'web', file));
    app.get(url, { schema: { hide: true } }, async (_req, reply) =>
      reply.type(TYPES[path.extname(file)]).header('cache-control', 'no-cache').send(body),
    );
  }
};
