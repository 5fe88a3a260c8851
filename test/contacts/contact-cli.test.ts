/**
 * `arsel contact delete ID|--email E` as an operator runs it: the real bin/arsel.js (built dist/)
 * against the database a running server uses; the erasure is the same transaction as the API's.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'arsel.js');
let t: TestApp;

function arsel(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const { LOG_LEVEL: _drop, ...base } = process.env;
    execFile(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: { ...base, DATABASE_URL: t.databaseUrl }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

it('erases by id or by --email (--org when several organizations have it); --json; clear errors', async () => {
  const a = await t.createOrg('A');
  const b = await t.createOrg('B');
  const byId = (await t.http('POST', '/v1/contacts', { token: a.token, body: { email: 'cli-one@example.com' } })).body;
  const inA = (await t.http('POST', '/v1/contacts', { token: a.token, body: { email: 'Shared@Example.com' } })).body;
  const inB = (await t.http('POST', '/v1/contacts', { token: b.token, body: { email: 'shared@example.com' } })).body;

  const help = await arsel(['contact', 'delete', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/--email <email>/);

  const r = await arsel(['contact', 'delete', byId.id, '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ deleted: [{ id: byId.id, organization_id: a.orgId }] });
  expect((await t.http('GET', `/v1/contacts/${byId.id}`, { token: a.token })).status).toBe(404);

  const ambiguous = await arsel(['contact', 'delete', '--email', 'SHARED@example.com']);
  expect(ambiguous.code).not.toBe(0);
  expect(ambiguous.stdout).toBe('');
  expect(ambiguous.stderr).toMatch(/2 organizations have a contact with email SHARED@example.com; pass --org/);

  const one = await arsel(['contact', 'delete', '--email', 'SHARED@example.com', '--org', b.orgId]);
  expect(one.code, one.stderr).toBe(0);
  expect(one.stdout.trim()).toBe(`Erased contact ${inB.id} (organization ${b.orgId}).`);
  expect((await t.http('GET', `/v1/contacts/${inA.id}`, { token: a.token })).status).toBe(200);

  const missing = await arsel(['contact', 'delete', byId.id]);
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toMatch(new RegExp(`arsel: Contact ${byId.id} not found`));
  expect(missing.stderr).not.toMatch(/\n\s+at /);
  const neither = await arsel(['contact', 'delete']);
  expect(neither.stderr).toMatch(/Provide either a contact id or --email/);
});
