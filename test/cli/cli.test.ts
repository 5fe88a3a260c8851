/**
 * The `arsel` CLI as a user runs it: the real bin/arsel.js in a child process (built dist/, see
 * `pretest`), against a fresh database, next to a running server that must honour revocations at once.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { createTestDatabase, startTestApp, type TestApp } from '../setup/harness.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'arsel.js');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TOKEN = /^be_[A-Za-z0-9_-]{43}$/;

interface CliResult { code: number; stdout: string; stderr: string }

let databaseUrl: string;
let t: TestApp;

function arsel(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const { LOG_LEVEL: _drop, ...base } = process.env;
    execFile(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: { ...base, DATABASE_URL: databaseUrl, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A user-facing failure: non-zero, one clear line, no stack trace, nothing on stdout. */
function expectCleanFailure(r: CliResult, message: RegExp) {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  t = await startTestApp({ databaseUrl });
});
afterAll(() => t?.close());

describe('arsel org create', () => {
  it('--json prints exactly one line of the documented shape, and the key works', async () => {
    const r = await arsel(['org', 'create', '--name', 'Acme', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const body = JSON.parse(r.stdout);
    expect(Object.keys(body)).toEqual(['organization', 'api_key']);
    expect(Object.keys(body.organization)).toEqual(['id', 'name']);
    expect(Object.keys(body.api_key)).toEqual(['id', 'token']);
    expect(body.organization.name).toBe('Acme');
    expect(body.organization.id).toMatch(UUID);
    expect(body.api_key.id).toMatch(UUID);
    expect(body.api_key.token).toMatch(TOKEN);
    const res = await t.http('POST', '/v1/events', { token: body.api_key.token, body: { name: 'cli.created' } });
    expect(res.status).toBe(201);
  });

  it('prints a readable text without --json', async () => {
    const r = await arsel(['org', 'create', '--name', 'Text Org']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Text Org');
    expect(r.stdout).toMatch(/be_[A-Za-z0-9_-]{43}/);
    expect(() => JSON.parse(r.stdout)).toThrow();
  });

  it('refuses a missing or empty name with one line and a non-zero exit', async () => {
    const [missing, empty] = await Promise.all([arsel(['org', 'create']), arsel(['org', 'create', '--name', '   '])]);
    expectCleanFailure(missing, /--name/);
    expectCleanFailure(empty, /^arsel: name must be between 1 and 200 characters\n$/);
  });
});

describe('arsel org list / key create / key list / key revoke', () => {
  let orgId: string;
  let firstKeyId: string;
  let firstToken: string;

  beforeAll(async () => {
    const r = JSON.parse((await arsel(['org', 'create', '--name', 'Keys Inc', '--json'])).stdout);
    orgId = r.organization.id;
    firstKeyId = r.api_key.id;
    firstToken = r.api_key.token;
  });

  it('org list shows the organization (JSON and text)', async () => {
    const [json, text] = await Promise.all([arsel(['org', 'list', '--json']), arsel(['org', 'list'])]);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as { id: string; name: string; created_at: string }[];
    expect(rows).toContainEqual({ id: orgId, name: 'Keys Inc', created_at: expect.stringMatching(/Z$/) });
    expect(text.stdout).toContain(orgId);
    expect(text.stdout).toContain('Keys Inc');
  });

  it('key create adds a working key to the organization', async () => {
    const r = await arsel(['key', 'create', '--org', orgId, '--json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body.organization).toEqual({ id: orgId, name: 'Keys Inc' });
    expect(body.api_key.token).toMatch(TOKEN);
    expect(body.api_key.token).not.toBe(firstToken);
    // Both keys see the same organization's data.
    await t.http('POST', '/v1/events', { token: firstToken, body: { name: 'shared.by.keys' } });
    const got = await t.http('GET', '/v1/events/shared.by.keys', { token: body.api_key.token });
    expect(got.status).toBe(200);
  });

  it('key list never prints a token', async () => {
    const [r, text] = await Promise.all([arsel(['key', 'list', '--org', orgId, '--json']), arsel(['key', 'list', '--org', orgId])]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.length).toBe(2);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['id', 'prefix', 'created_at', 'last_used_at', 'revoked_at']);
      expect(row.prefix).toMatch(/^be_/);
      expect(String(row.prefix).length).toBeLessThan(20);
    }
    expect(r.stdout).not.toContain(firstToken);
    expect(text.stdout).toContain(firstKeyId);
    expect(text.stdout).not.toContain(firstToken);
  });

  it('a key revoked by the CLI is refused at once by a running server', async () => {
    const second = JSON.parse((await arsel(['key', 'create', '--org', orgId, '--json'])).stdout).api_key;
    // Warm the server's key cache, so only the invalidation (LISTEN/NOTIFY) can make it forget.
    expect((await t.http('GET', '/v1/events', { token: second.token })).status).toBe(200);
    expect((await t.http('GET', '/v1/events', { token: second.token })).status).toBe(200);

    const r = await arsel(['key', 'revoke', second.id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(second.id);
    expect(r.stdout).not.toContain(second.token);

    // The server learns of it through LISTEN/NOTIFY, sent before the CLI even exits; allow only the
    // delivery of that notification (a few ms on a loaded machine), never the cache TTL.
    let after = await t.http('GET', '/v1/events', { token: second.token });
    for (let i = 0; i < 20 && after.status === 200; i++) {
      await new Promise((res) => setTimeout(res, 10));
      after = await t.http('GET', '/v1/events', { token: second.token });
    }
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ status_code: 401, name: 'unauthorized', message: 'Invalid or missing API key' });
    const gql = await t.http('POST', '/graphql', { token: second.token, body: { query: '{ events { edges { cursor } } }' } });
    expect(gql.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', status_code: 401 });
    // The organization's other keys keep working.
    expect((await t.http('GET', '/v1/events', { token: firstToken })).status).toBe(200);

    const rows = JSON.parse((await arsel(['key', 'list', '--org', orgId, '--json'])).stdout) as { id: string; revoked_at: string | null; last_used_at: string | null }[];
    const revoked = rows.find((k) => k.id === second.id)!;
    expect(revoked.revoked_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(revoked.last_used_at, JSON.stringify(rows)).not.toBeNull();
    expect(rows.find((k) => k.id === firstKeyId)!.revoked_at).toBeNull();
  });

  it('revoking twice is harmless; --json reports the revocation time', async () => {
    const key = JSON.parse((await arsel(['key', 'create', '--org', orgId, '--json'])).stdout).api_key;
    const a = JSON.parse((await arsel(['key', 'revoke', key.id, '--json'])).stdout);
    const b = JSON.parse((await arsel(['key', 'revoke', key.id, '--json'])).stdout);
    expect(a.id).toBe(key.id);
    expect(b.revoked_at).toBe(a.revoked_at);
  });
});

describe('arsel errors and help', () => {
  it('unknown organization or key: one line, non-zero exit', async () => {
    const missing = '01957e3a-4b5c-7d8e-9f0a-1b2c3d4e5f6a';
    const [list, create, revoke, noArg, unknown] = await Promise.all([
      arsel(['key', 'list', '--org', missing]),
      arsel(['key', 'create', '--org', 'not-a-uuid']),
      arsel(['key', 'revoke', missing]),
      arsel(['key', 'revoke']),
      arsel(['nope']),
    ]);
    expectCleanFailure(list, new RegExp(`^arsel: Organization ${missing} not found\\n$`));
    expectCleanFailure(create, /^arsel: Organization not-a-uuid not found\n$/);
    expectCleanFailure(revoke, new RegExp(`^arsel: API key ${missing} not found\\n$`));
    expectCleanFailure(noArg, /key-id/);
    expectCleanFailure(unknown, /unknown command/);
  });

  it('an unreachable database is one clear line', async () => {
    const r = await arsel(['org', 'list'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/arsel' });
    expectCleanFailure(r, /^arsel: cannot reach the database .*DATABASE_URL\.\n$/);
  });

  it('--help works on every command', async () => {
    const cases: [string[], RegExp][] = [
      [['--help'], /Usage: arsel \[options\] \[command\][\s\S]*org[\s\S]*key/],
      [['org', '--help'], /Usage: arsel org[\s\S]*create[\s\S]*list/],
      [['org', 'create', '--help'], /Usage: arsel org create[\s\S]*--name <name>[\s\S]*--json/],
      [['org', 'list', '--help'], /Usage: arsel org list/],
      [['key', '--help'], /Usage: arsel key[\s\S]*create[\s\S]*list[\s\S]*revoke/],
      [['key', 'create', '--help'], /Usage: arsel key create[\s\S]*--org <org-id>/],
      [['key', 'list', '--help'], /Usage: arsel key list[\s\S]*--org <org-id>/],
      [['key', 'revoke', '--help'], /Usage: arsel key revoke[\s\S]*<key-id>/],
    ];
    const results = await Promise.all(cases.map(([args]) => arsel(args, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/never-used' })));
    results.forEach((r, i) => {
      expect(r.code, cases[i][0].join(' ')).toBe(0);
      expect(r.stdout).toMatch(cases[i][1]);
    });
  });
});
