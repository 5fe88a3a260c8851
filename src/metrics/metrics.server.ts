/**
 * Role `worker` has no API port: it listens on METRICS_PORT (default 9464) with only GET /metrics,
 * /health and /ready (plain node:http, nothing else loaded). Errors use the API's shape.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import type { WorkerDeps } from '../shared/context.js';
import { CONTENT_TYPE, enableDefaultMetrics, scrape, unwatchPool, watchPool, watchQueues } from './metrics.js';
import { metricsAuthorized } from './metrics.routes.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

export async function startMetricsServer(deps: WorkerDeps, config: Pick<Config, 'host' | 'metricsPort' | 'metricsToken'>): Promise<MetricsServer> {
  enableDefaultMetrics();
  watchPool(deps.pool);
  watchQueues(deps.pool);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 404, { status_code: 404, name: 'not_found', message: `Route ${req.method}:${path} not found` });
    if (path === '/health') return json(res, 200, { status: 'ok' });
    if (path === '/ready') {
      deps.pool.query('select 1').then(
        () => json(res, 200, { status: 'ready' }),
        () => json(res, 503, { status_code: 503, name: 'service_unavailable', message: 'Service temporarily unavailable' }, { 'retry-after': '5' }),
      );
      return;
    }
    if (path !== '/metrics') return json(res, 404, { status_code: 404, name: 'not_found', message: `Route GET:${path} not found` });
    if (!metricsAuthorized(req.headers.authorization, config.metricsToken)) {
      return json(res, 401, { status_code: 401, name: 'unauthorized', message: 'A valid metrics token is required (Authorization: Bearer <METRICS_TOKEN>)' });
    }
    scrape().then(
      (text) => {
        res.writeHead(200, { 'content-type': CONTENT_TYPE });
        res.end(text);
      },
      (err) => {
        deps.log.warn({ err }, 'metrics scrape failed');
        json(res, 500, { status_code: 500, name: 'internal_server_error', message: 'Internal server error' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metricsPort, config.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      unwatchPool(deps.pool); // closed by the caller after this
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
