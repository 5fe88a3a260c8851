/**
 * Without DATABASE_URL the CLI and the server share the embedded PostgreSQL in ARSEL_DATA_DIR:
 * the CLI starts it (and stops it again) when nothing runs, and uses the server's running one
 * (never a second postmaster on the same folder) while `npm start` runs.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { runningPort } from '../../src/db/embedded.js';
import { freePort } from '../../src/db/embedded.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'arsel.js');
const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');
let tmp: string;
let dataDir: string;

function env(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _a, LOG_LEVEL: _b, PORT: _c, ...rest } = process.env;
  return { ...rest, ARSEL_DATA_DIR: dataDir };
}

function arsel(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: env(), timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}


beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arsel-cli-embedded-'));
  fs.chmodSync(tmp, 0o755); // as root, the postgres OS user must reach the data folder
  dataDir = path.join(tmp, 'pgdata');
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('CLI alone starts and stops the embedded database; with a server running it reuses the server\'s', async () => {
  // 1. Nothing runs: the CLI initialises, starts, migrates, works and stops the database again.
  const created = await arsel(['org', 'create', '--name', 'Embedded', '--json']);
  expect(created.code, created.stderr).toBe(0);
  const { organization, api_key } = JSON.parse(created.stdout);
  expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
  expect(runningPort(dataDir)).toBeNull();

  // 2. A server on the same folder: it starts the database (no banner: an organization exists).
  const port = await freePort();
  const server = spawn(process.execPath, [MAIN], { cwd: PROJECT_ROOT, env: { ...env(), PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stdout!.on('data', (d) => (out += d));
  server.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  try {
    for (let i = 0; i < 600 && !out.includes('arsel-events is ready'); i++) {
      if (server.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toContain('arsel-events is ready');
    expect(out).not.toContain('API key (shown once');
    const pgPort = runningPort(dataDir);
    expect(pgPort).not.toBeNull();

    // 3. The CLI uses the running database and leaves it running.
    const list = await arsel(['key', 'list', '--org', organization.id, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((k: { id: string }) => k.id)).toEqual([api_key.id]);
    expect(runningPort(dataDir)).toBe(pgPort);

    const res = await fetch(`http://127.0.0.1:${port}/v1/events`, { headers: { authorization: `Bearer ${api_key.token}` } });
    expect(res.status).toBe(200);
    const revoked = await arsel(['key', 'revoke', api_key.id]);
    expect(revoked.code).toBe(0);
    expect((await fetch(`http://127.0.0.1:${port}/v1/events`, { headers: { authorization: `Bearer ${api_key.token}` } })).status).toBe(401);
  } finally {
    server.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  // 4. The server started the database, so it stopped it on the way out.
  expect(runningPort(dataDir)).toBeNull();
}, 120_000);
