/**
 * buildApp(deps): Fastify + Apollo (GraphQL) + the REST shim. Never listens; main.ts and tests do.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { authenticate } from './auth/api-key.service.js';
import { graphqlDocumentStore, type CachedKey } from './shared/caches.js';
import { REST_MODULES } from './modules.js';
import type { Deps, GraphQLContext, OrgRef } from './shared/context.js';
import { AppError, badTextIn, MAY_HOLD_BAD_TEXT, MESSAGES } from './shared/errors.js';
import { badTextLiteralsPlugin, formatGraphQLError } from './shared/graphql-errors.js';
import { graphqlGuards } from './shared/graphql-guards.js';
import { sendRestError } from './shared/rest-errors.js';
import { documentRoute } from './shared/openapi-docs.js';
import { buildGraphQLSchema } from './schema.js';
import { dashboardRoutes, isPlaygroundRequest, servePlayground } from './web/dashboard.routes.js';
import { fastUuidv7 } from './shared/uuidv7.js';
import { parseJson } from './shared/json.js';
import { registerMetrics } from './metrics/metrics.routes.js';
import { decodeUtf8, jsonBodyIssue, MAX_JSON_DEPTH, MESSAGES as GUARD_MESSAGES, urlNotUtf8 } from './shared/input-guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    org?: OrgRef;
    authError?: AppError;
  }
}

export const BODY_LIMIT = 256 * 1024;

/**
 * /docs "Try it out": a request without an Authorization header (nothing entered under Authorize)
 * carries the key this browser signed in to the dashboard with. Runs in the browser (swagger-ui's
 * requestInterceptor; the plugin writes the function's source into the page).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function docsRequestInterceptor(req: any): any {
  let key = null;
  try {
    key = window.localStorage.getItem('arsel.apiKey');
  } catch {
    key = null;
  }
  if (key && !req.headers.Authorization && !req.headers.authorization) req.headers.Authorization = `Bearer ${key}`;
  return req;
}
declare const window: { localStorage: { getItem(k: string): string | null } };
const PUBLIC_PATHS = /^\/($|\?|(health|ready|metrics|openapi\.json|docs|dashboard)(\/|$|\?))/;

export interface BuildAppOptions {
  schema?: GraphQLSchema;
}

/**
 * The logger Fastify gets: `log` itself, except that its `child()` (which Fastify calls for every
 * request, to bind the reqId) returns it unchanged. A pino child per request cost ~1.5 % of a
 * send's CPU (serialising its bindings), and a custom `childLoggerFactory` instead makes Fastify
 * re-validate the returned logger on every request (an array and a filter, ~1 %). The lines we
 * write about a request (onResponse, request failures) carry `reqId` themselves.
 */
function requestLogger(log: Deps['log']): Deps['log'] {
  return Object.create(log, { child: { value: function (this: Deps['log']) { return this; } } }) as Deps['log'];
}

export async function buildApp(deps: Deps, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: requestLogger(deps.log),
    // Fastify's own incoming/completed lines are off: our onResponse hook writes one line per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Slow clients (README, Configuration): headers and the whole request (body included) have a
    // deadline, after which Node answers 408 and closes the socket. Node checks the deadlines every
    // connectionsCheckingInterval (30 s by default, which would let a 30 s deadline run to 60 s).
    requestTimeout: deps.config.requestTimeoutMs,
    keepAliveTimeout: deps.config.keepAliveTimeoutMs,
    http: { headersTimeout: deps.config.headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : fastUuidv7();
    },
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
    // A URL the router cannot decode (e.g. %ED%A0%80, not UTF-8) gets our error shape, not Fastify's.
    frameworkErrors: (err, req, reply) => void sendRestError(err, req, reply),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  });

  // Request bodies: JSON only. Malformed JSON / other types become our 400 in the error handler.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json(;.*)?$/i, { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = decodeUtf8(body as Buffer); // bytes that are not UTF-8 are a 400, not a silent U+FFFD
    } catch (err) {
      return done(err as Error, undefined);
    }
    // No body (e.g. a client that sends Content-Type: application/json on every DELETE): nothing to
    // parse. Routes that need a body answer 400 themselves (requireObjectBody).
    if (text.trim() === '') return done(null, undefined);
    let value: unknown;
    try {
      value = parseJson(text);
    } catch {
      return done(new AppError('bad_request', 'Request body is not valid JSON'), undefined);
    }
    // Depth first (the other walks recurse). GraphQL variables sit two levels down ({variables: {input: …}}),
    // so a variable may nest as deep as the same value written as a literal or sent to REST.
    const bad = jsonBodyIssue(text, value, req.url.startsWith('/graphql') ? MAX_JSON_DEPTH + 2 : MAX_JSON_DEPTH) ??
      // Text PostgreSQL cannot store (U+0000, a lone surrogate) can only come as an escape: look only then.
      (MAY_HOLD_BAD_TEXT.test(text) ? badTextIn(value) : undefined);
    if (bad) return done(new AppError('bad_request', bad), undefined);
    done(null, value);
  });
  app.addContentTypeParser('*', (_req, _payload, done) => {
    done(new AppError('bad_request', 'Content-Type must be application/json'), undefined);
  });

  app.setErrorHandler((err, req, reply) => sendRestError(err, req, reply));
  // Route schemas document the API (OpenAPI); requests are validated by the class-validator input
  // classes shared with GraphQL, so the wording is class-validator's everywhere.
  app.setValidatorCompiler(() => () => true);
  // Response schemas document (src/shared/openapi-docs.ts); they never filter or reorder an answer.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onRoute', documentRoute);

  // Callback-style hooks on the hot path: an async hook costs a promise and a microtask per request.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    if (PUBLIC_PATHS.test(req.url)) return done();
    // A browser opening /graphql gets the playground; it asks for the key in its headers editor.
    if (req.method === 'GET' && isPlaygroundRequest(req)) return servePlayground(req, reply);
    const ok = (auth: CachedKey) => {
      req.org = { id: auth.orgId, name: auth.orgName, keyId: auth.keyId };
      done();
    };
    const failed = (err: unknown) => {
      // Answered in preParsing, after the rate limiter (an onRequest hook of each route) has run,
      // so a 401 carries the ratelimit-* headers too and bad-key floods are limited per IP.
      if (err instanceof AppError && err.code === 'unauthorized') {
        req.authError = err;
        done();
      } else done(err as Error);
    };
    let auth: CachedKey | Promise<CachedKey>;
    try {
      auth = authenticate(deps.pool, deps.caches, req.headers.authorization);
    } catch (err) {
      return failed(err);
    }
    if (auth instanceof Promise) auth.then(ok, failed);
    else ok(auth);
  });
  app.addHook('preParsing', (req, _reply, payload, done) => {
    if (req.authError) return done(req.authError);
    if (req.url.includes('%')) {
      if (/%00/.test(req.url)) return done(new AppError('bad_request', MESSAGES.nulText));
      if (urlNotUtf8(req.url)) return done(new AppError('bad_request', GUARD_MESSAGES.urlNotUtf8));
    }
    done(null, payload);
  });

  // Graceful shutdown: server.close() only reaps keep-alive sockets idle at that moment; one whose
  // request is still in flight would stay open after its response until keepAliveTimeout (72 s),
  // holding up the exit. Responses sent while closing therefore close their connection.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  // One log line per request (Authorization never logged: we log no headers). Its fields are fixed
  // and none is a redacted path, so it goes through a child without pino's redaction pass (about
  // half of a line's cost: 5.8 vs 11-12 us measured); the query string is redacted here. Callback
  // style: no promise per request.
  const requestLog = deps.log.child({}, { redact: { paths: [] } });
  app.addHook('onResponse', (req, reply, done) => {
    requestLog.info(
      { reqId: req.id, method: req.method, url: req.url.includes('=') ? req.url.replace(/([?&](?:key|token|api_key)=)[^&]*/gi, '$1[redacted]') : req.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, org: req.org?.id },
      'request',
    );
    done();
  });

  if (deps.config.rateLimitMax > 0) {
    await app.register(rateLimit, {
      global: true,
      max: deps.config.rateLimitMax,
      timeWindow: 60_000,
      enableDraftSpec: true,
      keyGenerator: (req: FastifyRequest) => req.org?.id ?? req.ip,
      allowList: (req: FastifyRequest) => PUBLIC_PATHS.test(req.url),
      errorResponseBuilder: (_req, ctx) =>
        new AppError('rate_limit_exceeded', MESSAGES.rateLimited, { headers: { 'retry-after': String(Math.max(1, Math.ceil(ctx.ttl / 1000))) } }),
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'arsel-events REST API', version: '1', description: 'Custom events: definitions, sends, contacts and automations. Authenticate with `Authorization: Bearer be_…`.' },
      servers: [{ url: '/' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The page's <title> is the only head text the plugin writes: the viewport meta rides on it, so
    // the docs read at phone width (the plugin's own </title> then closes a second, identical title;
    // browsers show the first).
    theme: {
      title: 'arsel-events REST API</title><meta name="viewport" content="width=device-width, initial-scale=1"><title>arsel-events REST API',
    },
    uiConfig: { persistAuthorization: true, requestInterceptor: docsRequestInterceptor, tryItOutEnabled: true, displayRequestDuration: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerMetrics(app, deps); // GET /metrics (METRICS_TOKEN) and the request-duration histogram
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await deps.pool.query('select 1');
      return { status: 'ready' };
    } catch {
      return reply.code(503).header('retry-after', '5').send({ status_code: 503, name: 'service_unavailable', message: MESSAGES.unavailable });
    }
  });

  await app.register(dashboardRoutes);

  // GraphQL
  const schema = opts.schema ?? (await buildGraphQLSchema());
  const guards = graphqlGuards(schema, deps.config.graphqlMaxCost); // token, depth, alias, cost and input-literal limits
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    parseOptions: guards.parseOptions,
    // Parsed documents, bounded by their heap size (Apollo's default undercounts ~5×).
    documentStore: graphqlDocumentStore<DocumentNode>(),
    validationRules: guards.validationRules,
    // Our own GraphiQL (dist/web) is the landing page; Apollo's loads its sandbox from a CDN.
    plugins: [fastifyApolloDrainPlugin(app), badTextLiteralsPlugin, ApolloServerPluginLandingPageDisabled(), ...guards.plugins],
    formatError: formatGraphQLError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Our own graceful shutdown (main.ts) closes Fastify, which drains and stops Apollo; Apollo's own
    // signal handler would re-raise SIGTERM and kill the process mid-drain.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  // GraphQL is not a REST route: keep it out of /docs (its playground is GET /graphql itself).
  app.addHook('onRoute', (route) => {
    if (route.url === '/graphql') route.schema = { ...route.schema, hide: true };
  });
  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (req) => ({
      org: req.org!,
      em: deps.orm.em.fork(),
      deps,
      requestId: String(req.id),
      headers: req.headers,
    }),
  });

  // REST shim
  await app.register(
    async (v1) => {
      for (const mod of REST_MODULES) await v1.register(mod, { deps });
    },
    { prefix: '/v1' },
  );

  app.setNotFoundHandler(
    deps.config.rateLimitMax > 0 ? { preHandler: app.rateLimit() } : {},
    async (req, reply) => sendRestError(AppError.notFound(`Route ${req.method} ${req.url.split('?')[0]} not found`), req, reply),
  );

  return app;
}
