/**
 * The browser side, built by Vite from web/ into dist/web (`npm run build`):
 * - /dashboard and /dashboard/<page>: the dashboard (one page app; the API key stays in the browser
 *   and authenticates each GraphQL call like any client, so the page itself needs no key);
 * - /dashboard/assets/*: its bundles, the playground's and Monaco's workers (content-hashed names,
 *   cached for a year);
 * - GET /graphql from a browser (Accept: text/html): the GraphiQL playground, answered in app.ts's
 *   onRequest hook before authentication (JSON requests go to Apollo as before);
 * - GET / from a browser: a redirect to /dashboard.
 * Files are read on first request, so a server run without dist/web still starts (404 for the pages).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { PROJECT_ROOT } from '../config.js';
import { AppError } from '../shared/errors.js';
import { sendRestError } from '../shared/rest-errors.js';

const WEB_DIR = path.join(PROJECT_ROOT, 'dist', 'web');
const ASSET = /^[\w.-]+$/;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
};
/** Pages are small and few (two HTML files); assets are streamed from disk, cached by the browser. */
const pages = new Map<string, Buffer>();

async function page(file: 'index.html' | 'playground.html'): Promise<Buffer> {
  let body = pages.get(file);
  if (!body) {
    body = await fs.readFile(path.join(WEB_DIR, file)).catch(() => undefined);
    if (!body) throw AppError.notFound(`The web pages are not built (dist/web/${file} is missing): run npm run build`);
    pages.set(file, body);
  }
  return body;
}

/** A browser navigating (not a fetch from a GraphQL client): GET asking for HTML first. */
export function wantsHtml(req: FastifyRequest): boolean {
  if (req.method !== 'GET') return false;
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.startsWith('text/html');
}

/** GET /graphql from a browser: the playground page (callback style, called from onRequest). */
export function isPlaygroundRequest(req: FastifyRequest): boolean {
  return req.method === 'GET' && (req.url === '/graphql' || req.url.startsWith('/graphql?') || req.url === '/graphql/') && wantsHtml(req);
}

export function servePlayground(req: FastifyRequest, reply: FastifyReply): void {
  page('playground.html').then(
    (body) => void reply.type(TYPES['.html']).header('cache-control', 'no-cache').send(body),
    (err) => void sendRestError(err, req, reply),
  );
}

export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const sendPage = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.type(TYPES['.html']).header('cache-control', 'no-cache').send(await page('index.html'));
  app.get('/dashboard', { schema: { hide: true } }, sendPage);
  app.get('/dashboard/*', { schema: { hide: true } }, async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    if (!rest.startsWith('assets/')) return sendPage(req, reply);
    const name = rest.slice('assets/'.length);
    const type = TYPES[path.extname(name)];
    if (!ASSET.test(name) || !type) throw AppError.notFound(`Route GET ${req.url} not found`);
    const body = await fs.readFile(path.join(WEB_DIR, 'assets', name)).catch(() => undefined);
    if (!body) throw AppError.notFound(`Route GET ${req.url} not found`);
    return reply.type(type).header('cache-control', 'public, max-age=31536000, immutable').send(body);
  });
  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    if (wantsHtml(req)) return reply.redirect('/dashboard', 302);
    throw AppError.notFound('Route GET / not found. The API is at /v1 (docs: /docs) and /graphql; the dashboard at /dashboard');
  });
};
