/**
 * GET /metrics on the API's port (roles api and all) and the request-duration histogram.
 * registerMetrics(app, deps) is called once from buildApp.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { CONTENT_TYPE, enableDefaultMetrics, httpDuration, scrape, unwatchPool, watchPool, watchQueues } from './metrics.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Whether an Authorization header carries the metrics token (always true when no token is set). */
export function metricsAuthorized(header: string | string[] | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const h = Array.isArray(header) ? header[0] : header;
  const m = h ? /^bearer\s+(.+)$/i.exec(h.trim()) : null;
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function registerMetrics(app: FastifyInstance, deps: Deps): void {
  enableDefaultMetrics();
  watchPool(deps.pool);
  watchPool(deps.genericPool);
  watchQueues(deps.pool);
  // The runtime closes these pools after the app: stop reporting them (a process running several apps, tests, kept every closed one).
  app.addHook('onClose', async () => {
    unwatchPool(deps.pool);
    unwatchPool(deps.genericPool);
  });

  // One histogram child per (method, route pattern, status), kept: the hot path does a Map lookup
  // and observe(), no label object or label-key string per request after the first.
  const children = new Map<string, ReturnType<typeof httpDuration.labels>>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${req.method} ${reply.statusCode} ${route}`;
    let child = children.get(key);
    if (!child) {
      if (children.size >= 2_000) children.clear(); // bounded: routes, methods and statuses are finite anyway
      child = httpDuration.labels(METHODS.has(req.method) ? req.method : 'OTHER', route, String(reply.statusCode));
      children.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  });

  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!metricsAuthorized(req.headers.authorization, deps.config.metricsToken)) {
      throw new AppError('unauthorized', 'A valid metrics token is required (Authorization: Bearer <METRICS_TOKEN>)');
    }
    return reply.header('content-type', CONTENT_TYPE).send(await scrape());
  });
}
