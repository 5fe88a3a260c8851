/**
 * How the GraphQL cost limit was chosen (docs/notes-sec-http.md). Opt-in (a measurement, not a
 * check): GRAPHQL_COST_MEASURE=1 [GRAPHQL_COST_ALIASES=1,2,3] [GRAPHQL_COST_DATA_BYTES=1000]
 * npx vitest run test/shared/graphql-cost.measure.test.ts (after `npm run build`).
 *
 * The built server (`node dist/src/main.js`) on a fresh database; one organization holds 3,000
 * sends with DATA_BYTES of data each; it runs 4 parallel loops of `k` aliases of
 * `sends(first: 100) { every field }` (cost printed) while another organization's simple requests
 * (`/health`, `GET /v1/events`) are timed one after another. Prints p50/max per k.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { freePort } from '../../src/db/embedded.js';
import { createTestDatabase } from '../setup/harness.js';

const ON = process.env.GRAPHQL_COST_MEASURE === '1';
const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');
const SENDS = 'edges { node { id event status data email contactId timestamp createdAt processedAt failureReason errors { field message } } } pageInfo { hasNextPage endCursor }';

let proc: ChildProcess | undefined;
afterAll(() => void proc?.kill('SIGKILL'));

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

it.skipIf(!ON)('4 parallel heaviest queries vs another organization\'s simple requests', async () => {
  const databaseUrl = await createTestDatabase();
  const port = await freePort();
  const { DATABASE_URL: _a, PORT: _b, ...env } = process.env;
  proc = spawn(process.execPath, ['--max-semi-space-size=16', '--heap-growing-percent=50', '--no-parallel-scavenge', MAIN], {
    cwd: PROJECT_ROOT,
    env: { ...env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', GRAPHQL_MAX_COST: '100000000', RATE_LIMIT_MAX: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  while (!/API key \(shown once, store it now\): (be_\S+)/.test(out)) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1_000));
  const attacker = /API key \(shown once, store it now\): (be_[A-Za-z0-9_-]{43})/.exec(out)![1];
  const victim = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'main.js'), 'org', 'create', '--name', 'Victim', '--json'], { env: { ...process.env, DATABASE_URL: databaseUrl } }, (err, stdout) =>
      err ? reject(err) : resolve((JSON.parse(stdout) as { api_key: { token: string } }).api_key.token),
    ),
  );
  const base = `http://127.0.0.1:${port}`;
  const post = (token: string, p: string, body: unknown) =>
    fetch(base + p, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const bytes = Number(process.env.GRAPHQL_COST_DATA_BYTES ?? 1000);
  expect((await post(attacker, '/v1/events', { name: 'heavy', schema: { fields: [{ name: 's', type: 'string' }] } })).status).toBe(201);
  for (let b = 0; b < 30; b++) {
    const events = Array.from({ length: 100 }, (_, i) => ({ event: 'heavy', email: `u${i % 50}@x.co`, data: { s: 'x'.repeat(bytes), n: i, nested: { a: [1, 2, 3], b: 'y' } } }));
    expect((await post(attacker, '/v1/events/send', { events })).status).toBe(202);
  }
  for (let i = 0; i < 5; i++) await post(victim, '/v1/events', { name: `v${i}` });

  for (const k of (process.env.GRAPHQL_COST_ALIASES ?? '1,2,3,4').split(',').map(Number)) {
    const first = Number(process.env.GRAPHQL_COST_FIRST ?? 100);
    const query = `{ ${Array.from({ length: k }, (_, i) => `a${i}: sends(first: ${first}) { ${SENDS} }`).join(' ')} }`;
    let stop = false;
    let heavyDone = 0;
    const heavyMs: number[] = [];
    const loops = Array.from({ length: k ? 4 : 0 }, async () => {
      while (!stop) {
        const t0 = performance.now();
        const r = await post(attacker, '/graphql', { query });
        await r.arrayBuffer();
        heavyMs.push(performance.now() - t0);
        heavyDone++;
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    const health: number[] = [];
    const list: number[] = [];
    const end = Date.now() + 8_000;
    while (Date.now() < end) {
      let t0 = performance.now();
      await (await fetch(`${base}/health`)).arrayBuffer();
      health.push(performance.now() - t0);
      t0 = performance.now();
      const r = await fetch(`${base}/v1/events?limit=5`, { headers: { authorization: `Bearer ${victim}` } });
      await r.arrayBuffer();
      expect(r.status).toBe(200);
      list.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    stop = true;
    await Promise.all(loops);
    const f = (x: number) => x.toFixed(1);
    console.log(
      `k=${k} (${k * first} sends/query, ${bytes} B data): heavy queries ${heavyDone} (p50 ${heavyMs.length ? f(pct(heavyMs, 50)) : "-"} ms) | /health p50 ${f(pct(health, 50))} max ${f(Math.max(...health))} ms | GET /v1/events p50 ${f(pct(list, 50))} p99 ${f(pct(list, 99))} max ${f(Math.max(...list))} ms (n=${list.length})`,
    );
  }
}, 600_000);
