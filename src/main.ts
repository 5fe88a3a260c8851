/**
 * `npm start` → node dist/src/main.js [--role api|worker|all]
 * Boots the database (embedded when DATABASE_URL is unset), applies migrations, serves REST + GraphQL
 * and/or runs the workers, and shuts down gracefully on SIGTERM/SIGINT.
 */
import 'reflect-metadata';
import closeWithGrace from 'close-with-grace';
import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { createOrganization } from './auth/api-key.service.js';
import { Organization } from './auth/organization.entity.js';
import { ConfigError, loadConfig, type Role } from './config.js';
import { EmbeddedDbError } from './db/embedded.js';
import { FEATURES } from './modules.js';
import { createLogger, createRuntime, flushLogger } from './runtime.js';
import { startWorkerThread } from './worker-thread.js';
import { startWorkers, type Workers } from './workers.js';
import { startMetricsServer, type MetricsServer } from './metrics/metrics.server.js';

const HELP = `Usage: npm start -- [--role api|worker|all]

Runs the arsel-events server: REST (/v1) and GraphQL (/graphql) plus the send/automation worker.

Options:
  --role <role>   api: HTTP only; worker: jobs only; all (default): both in one process
                  (the jobs in a worker thread; WORKER_THREAD=0 runs them on the HTTP event loop)
  -h, --help      show this help

Environment:
  PORT (3000), HOST (0.0.0.0), DATABASE_URL (unset: embedded PostgreSQL in ARSEL_DATA_DIR,
  default .arsel/pgdata), LOG_LEVEL (info), RATE_LIMIT_MAX (requests/min per organization, 0 = off),
  EVENT_BUDGET_PER_MINUTE (events per organization per minute, 0 = off), SMTP_URL, MAIL_FROM,
  WEBHOOK_ALLOW_HOSTS, CACHE_TTL_MS (5000), SHUTDOWN_TIMEOUT_MS (10000), HTTP_HEADERS_TIMEOUT_MS
  (10000), HTTP_REQUEST_TIMEOUT_MS (30000: headers and body), HTTP_KEEP_ALIVE_TIMEOUT_MS (72000),
  GRAPHQL_MAX_COST (8000), WORKER_THREAD (1),
  WORKER_THREAD_NICE (10: the worker thread yields the CPU to HTTP under contention; 0 = off).
  Tuning (README, Configuration): WORKER_BATCH_SIZE, WORKER_CONCURRENCY, WORKER_POLL_SECONDS,
  SEND_WORKER_JOBS, COMMIT_WINDOW_MS (2), COMMIT_CONCURRENCY (4).`;

let started: Awaited<ReturnType<typeof createRuntime>> | undefined;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { role: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const config = loadConfig(process.env, values.role ? { role: values.role as Role } : {});
  const log = createLogger(config.logLevel);
  const runtime = await createRuntime(config, { log });
  started = runtime;
  const { deps } = runtime;

  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let workers: Workers | undefined;
  let metricsServer: MetricsServer | undefined;
  const stop = async () => {
    await metricsServer?.close();
    if (app) {
      // Stop accepting and drain in-flight requests (idle keep-alive sockets close at once). A socket
      // still mid-request at half the budget (a client stalling its upload, or a response that never
      // ends) is closed then, so the rest of shutdown fits in SHUTDOWN_TIMEOUT_MS and exits 0.
      const server = app.server;
      const force = setTimeout(() => server.closeAllConnections(), Math.floor(config.shutdownTimeoutMs / 2));
      await app.close().finally(() => clearTimeout(force));
    }
    for (const f of [...FEATURES].reverse()) await f.stop?.(deps); // the committer flushes its last group
    await workers?.stop(); // jobs in hand finish
    await runtime.close(); // queue (graceful), pools, embedded database
  };
  // Under `npm start`, npm is the parent. If npm itself is killed (SIGKILL cannot be forwarded), do not
  // linger as an orphan holding the port and the database: shut down as if told to.
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) {
        log.warn({ parent }, 'the npm process that started this server is gone; shutting down');
        process.kill(process.pid, 'SIGTERM');
      }
    }, 500).unref();
  }
  closeWithGrace({ delay: config.shutdownTimeoutMs + 5_000 }, async ({ err, signal }) => {
    if (err) log.error({ err }, 'fatal error, shutting down');
    else log.info({ signal }, 'shutting down');
    try {
      await stop();
    } finally {
      await flushLogger(log); // the logger buffers; write everything before close-with-grace exits
    }
  });

  if (config.role === 'all' && config.workerThread) {
    workers = await startWorkerThread(config, runtime.url, log, (err) => {
      log.fatal({ err }, 'the worker thread died; shutting down so that a supervisor restarts the whole process');
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  } else if (config.role !== 'api') {
    workers = await startWorkers(deps);
  }
  if (config.role !== 'worker') {
    for (const f of FEATURES) await f.startApi?.(deps);
    app = await buildApp(deps);
    await app.listen({ port: config.port, host: config.host });
    const base = `http://127.0.0.1:${config.port}`;
    printBanner(base, await seedDefaultOrganization(runtime));
    log.info({ role: config.role, graphql: `${base}/graphql`, rest: `${base}/v1`, docs: `${base}/docs` }, 'arsel-events is ready');
  } else {
    // role worker: /metrics, /health, /ready on METRICS_PORT. A second worker on one host finds the
    // default port taken: it still processes, without a listener, and says how to get one.
    metricsServer = await startMetricsServer(deps, config).catch((err: NodeJS.ErrnoException) => {
      if (err?.code !== 'EADDRINUSE' || config.metricsPortSet) throw Object.assign(err, { variable: 'METRICS_PORT' });
      log.warn({ port: config.metricsPort }, `port ${config.metricsPort} is in use: this worker serves no /metrics, /health or /ready; set METRICS_PORT to a free port (0 picks one)`);
      return undefined;
    });
    log.info({ role: config.role, metrics: metricsServer ? `http://127.0.0.1:${metricsServer.port}/metrics` : null }, 'arsel-events worker is ready');
  }
  await flushLogger(log);
}

/** First start on an empty database: create a Default organization and return its key (shown once). */
async function seedDefaultOrganization(runtime: Awaited<ReturnType<typeof createRuntime>>): Promise<{ orgId: string; keyId: string; token: string } | undefined> {
  const em = runtime.deps.orm.em.fork();
  // Serialise with other processes starting at the same moment.
  return em.transactional(async (tem) => {
    await tem.getConnection().execute('select pg_advisory_xact_lock(7231912)', [], 'all', tem.getTransactionContext());
    if ((await tem.count(Organization, {})) > 0) return undefined;
    const { org, key, token } = await createOrganization(tem, 'Default');
    return { orgId: org.id, keyId: key.id, token };
  });
}

/** Every start: where everything is. The first start on an empty database also shows the key, once. */
function printBanner(base: string, created: { orgId: string; keyId: string; token: string } | undefined): void {
  const lines = ['', '  arsel-events is running.', ''];
  if (created) {
    lines.push(
      '  First start: created the "Default" organization.',
      `  Organization id: ${created.orgId}`,
      `  API key (shown once, store it now): ${created.token}`,
      `  API key id: ${created.keyId}`,
      '',
    );
  }
  lines.push(
    `  Dashboard:  ${base}/dashboard   (sign in with an API key)`,
    `  GraphQL:    ${base}/graphql     (open it in a browser for the playground)`,
    `  REST:       ${base}/v1`,
    `  REST docs:  ${base}/docs        (OpenAPI: ${base}/openapi.json)`,
    `  Health:     ${base}/health, ${base}/ready`,
    '',
  );
  if (created) {
    lines.push(
      '  Try it: open the dashboard and sign in with the key, or follow the README\'s five-minute walkthrough:',
      `  BASE=${base}`,
      `  KEY=${created.token}`,
      '',
    );
  } else {
    lines.push('  Lost the key? Create one: npx arsel org list, then npx arsel key create --org <org-id>', '');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch(async (err) => {
  // A database we started must not outlive a failed start.
  await started?.close().catch(() => {});
  if (err instanceof ConfigError || err instanceof EmbeddedDbError) {
    console.error(`arsel-events: ${err.message}`);
  } else if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    const e = err as { port?: number; variable?: string };
    console.error(`arsel-events: port ${e.port ?? ''} is in use. Set ${e.variable ?? 'PORT'} to a free port.`);
  } else {
    console.error('arsel-events failed to start:', err);
  }
  process.exit(1);
});
