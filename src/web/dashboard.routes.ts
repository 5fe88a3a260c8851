/**
 * The dashboard (web/): a static page over the GraphQL API at /dashboard. The page holds no data;
 * the user's API key stays in the browser and authenticates each GraphQL call like any client.
 * Files are read on first request, so a server run from a copy of dist/ without web/ still starts
 * (and answers 404 for the page).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { PROJECT_ROOT } from '../config.js';
import { AppError } from '../shared/errors.js';

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
  const cache = new Map<string, Buffer>();
  for (const [url, file] of Object.entries(FILES)) {
    app.get(url, { schema: { hide: true } }, async (_req, reply) => {
      let body = cache.get(file);
      if (!body) {
        body = await fs.readFile(path.join(PROJECT_ROOT, 'web', file)).catch(() => undefined);
        if (!body) throw AppError.notFound(`The dashboard is not installed (web/${file} is missing)`);
        cache.set(file, body);
      }
      return reply.type(TYPES[path.extname(file)]).header('cache-control', 'no-cache').send(body);
    });
  }
};
