/**
 * `arsel import` and `arsel replay` as a user runs them (bin/arsel.js in a child process, built
 * dist/): through a running server over HTTP, and through the database; an import of 100,000
 * lines SIGKILLed halfway and started again holds each send exactly once.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { createTestDatabase, startTestApp, until, type TestApp } from '../setup/harness.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'arsel.js');
interface CliResult { code: number; stdout: string; stderr: string }

let databaseUrl: string;
let t: TestApp;
let token: string;
let dir: string;

function arsel(args: string[], timeout = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const { LOG_LEVEL: _drop, ...base } = process.env;
    execFile(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: { ...base, DATABASE_URL: databaseUrl }, timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const q = async (sql: string, v: unknown[] = []) => (await t.deps.pool.query(sql, v)).rows;
const readResults = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  t = await startTestApp({ databaseUrl });
  token = (await t.createOrg('Acme')).token;
  const ev = { name: 'order', schema: { fields: [{ name: 'seq', type: 'number', required: true }, { name: 'sku', type: 'string', required: true }] } };
  expect((await t.http('POST', '/v1/events', { token, body: ev })).status).toBe(201);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arsel-import-'));
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('arsel import', () => {
  it('over HTTP: per-line results in order (accepted, rejected, unparseable), event filled in, resumable without duplicates', async () => {
    const file = path.join(dir, 'small.ndjson');
    const lines: string[] = [];
    for (let i = 1; i <= 1200; i++) {
      if (i === 7) lines.push('{not json');
      else if (i % 100 === 0) lines.push(JSON.stringify({ email: `u${i}@example.com`, data: { seq: i } })); // missing sku: rejected
      else lines.push(JSON.stringify({ email: `u${i}@example.com`, data: { seq: i, sku: `s${i}` } }));
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await arsel(['import', '--event', 'order', file, '--url', t.baseUrl, '--key', token, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ lines: 1200, accepted: 1187, rejected: 13, resumed_from: 0 });
    const results = readResults(path.join(dir, 'small.results.ndjson'));
    expect(results.map((x) => x.line)).toEqual(lines.map((_, i) => i + 1));
    expect(results[0]).toEqual({ line: 1, id: expect.any(String), status: 'accepted' });
    expect(results[6]).toMatchObject({ line: 7, error: { status_code: 400, code: 'validation_error' } });
    expect(results[99]).toMatchObject({ line: 100, error: { status_code: 422, code: 'schema_mismatch', errors: [{ field: 'sku', message: 'is required' }] } });
    expect((await q(`select count(*)::int n from event_sends where event_name = 'order'`))[0].n).toBe(1199);

    // an interruption after line 700 (its results file cut mid-line): started again, nothing is recorded twice
    const resultsFile = path.join(dir, 'small.results.ndjson');
    const text = fs.readFileSync(resultsFile, 'utf8');
    const cut = text.split('\n').slice(0, 700).join('\n') + '\n{"line":701,"id":"01';
    fs.writeFileSync(resultsFile, cut);
    const again = await arsel(['import', '--event', 'order', file, '--url', t.baseUrl, '--key', token, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ lines: 1200, accepted: 1187, rejected: 13, resumed_from: 700 });
    expect(readResults(resultsFile)).toEqual(results);
    expect((await q(`select count(*)::int n from event_sends where event_name = 'order'`))[0].n).toBe(1199);
  });

  it('clear failures: unknown file, --url without --key, unknown event', async () => {
    expect((await arsel(['import', '--event', 'order', path.join(dir, 'nope.ndjson')])).stderr).toMatch(/no such file/);
    const f = path.join(dir, 'one.ndjson');
    fs.writeFileSync(f, '{"email":"a@b.co","data":{}}\n');
    expect((await arsel(['import', '--event', 'order', f, '--url', t.baseUrl])).stderr).toMatch(/--url needs --key/);
    const r = await arsel(['import', '--event', 'nope', f]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Event nope not found/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('100,000 lines through the database, SIGKILLed halfway and started again: each send exactly once', async () => {
    const N = 100_000;
    const file = path.join(dir, 'big.ndjson');
    const out = fs.createWriteStream(file);
    for (let i = 1; i <= N; i++) out.write(`{"email":"c${i % 1000}@example.com","data":{"seq":${i},"sku":"s${i % 97}"}}\n`);
    await new Promise((r) => out.end(r));
    const resultsFile = path.join(dir, 'big.results.ndjson');
    await q(`delete from event_sends`);

    // first run, killed once half the lines have results
    const { LOG_LEVEL: _drop, ...base } = process.env;
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, 'import', '--event', 'order', file], { cwd: PROJECT_ROOT, env: { ...base, DATABASE_URL: databaseUrl }, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    const lineCount = () => (fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8').split('\n').length - 1 : 0);
    await until(async () => lineCount(), (n) => n >= N / 2, 120_000, 'half the lines');
    const firstSecs = (Date.now() - started) / 1000;
    const firstLines = lineCount();
    child.kill('SIGKILL');
    await exited;
    const mid = (await q(`select count(*)::int n from event_sends`))[0].n;
    expect(mid).toBeGreaterThanOrEqual(firstLines);
    expect(mid).toBeLessThan(N);

    const r = await arsel(['import', '--event', 'order', file, '--json'], 300_000);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ lines: N, accepted: N, rejected: 0 });
    expect(summary.resumed_from).toBeGreaterThanOrEqual(N / 2);
    const counts = (await q(`select count(*)::int n, count(distinct (data->>'seq')::int)::int seqs, min((data->>'seq')::int) lo, max((data->>'seq')::int) hi from event_sends`))[0];
    expect(counts).toEqual({ n: N, seqs: N, lo: 1, hi: N });
    const results = readResults(resultsFile);
    expect(results).toHaveLength(N);
    expect(results.every((x, i) => x.line === i + 1 && x.status === 'accepted')).toBe(true);
    // every result id is the one recorded for that line
    const ids = new Map((await q(`select id, (data->>'seq')::int seq from event_sends`)).map((x) => [x.seq, x.id]));
    expect(results.every((x) => ids.get(x.line) === x.id)).toBe(true);
    // throughput (reported): first run until the kill, and the resumed run
    console.log(`[import throughput] first run ${firstLines} lines in ${firstSecs.toFixed(1)} s = ${Math.round(firstLines / firstSecs)} lines/s (incl. startup); resumed run ${N - summary.resumed_from} lines at ${summary.lines_per_second} lines/s`);
  }, 400_000);
});

describe('arsel replay', () => {
  it('through the database and over HTTP, with --dry-run and --since', async () => {
    await t.http('PATCH', '/v1/events/order', { token, body: { schema: { fields: [{ name: 'seq', type: 'number', required: true }, { name: 'sku', type: 'string', required: true }] } } });
    for (let i = 0; i < 30; i++) expect((await t.http('POST', '/v1/events/send', { token, body: { event: 'order', email: 'r@example.com', data: { seq: -i } } })).status).toBe(422);
    await t.http('PATCH', '/v1/events/order', { token, body: { schema: { fields: [{ name: 'seq', type: 'number', required: true }, { name: 'sku', type: 'string' }] } } });
    const dry = await arsel(['replay', '--event', 'order', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ status: 'completed', dry_run: true, total: 30, done: 30, accepted: 30, still_rejected: 0 });
    expect((await q(`select count(*)::int n from event_sends where status = 'rejected'`))[0].n).toBe(30);
    const http = await arsel(['replay', '--event', 'order', '--since', new Date(Date.now() + 3_600_000).toISOString(), '--url', t.baseUrl, '--key', token, '--json']);
    expect(http.code, http.stderr).toBe(0);
    expect(JSON.parse(http.stdout)).toMatchObject({ status: 'completed', total: 0 });
    const real = await arsel(['replay', '--event', 'order']);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/Accepted 30 of 30 rejected sends/);
    expect((await q(`select count(*)::int n from event_sends where status = 'accepted' and replayed_at is not null and schema_version = 2`))[0].n).toBe(30);
  });
});
