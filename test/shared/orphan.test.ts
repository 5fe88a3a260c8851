// Regression: killing the `npm start` process with SIGKILL (which npm cannot forward) left the
// server running as an orphan that kept the port and the database. Under npm it now shuts down.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { createTestDatabase } from '../setup/harness.js';

const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('a server started by npm shuts down when its npm parent is SIGKILLed', async () => {
  const databaseUrl = await createTestDatabase();
  // A stand-in for npm: a shell that starts the server (as `npm start` does) and prints its pid.
  const parent = spawn('sh', ['-c', `"${process.execPath}" "${MAIN}" & echo $!; wait`], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', npm_lifecycle_event: 'start' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  parent.stdout!.on('data', (d) => (out += d));
  expect(await until(async () => /^\d+\n/.test(out), 10_000)).toBe(true);
  const serverPid = Number(out.split('\n')[0]);
  // Let it boot (it listens on a random port; being alive after boot is what matters here).
  expect(await until(async () => out.includes('first start'), 30_000)).toBe(true);
  expect(alive(serverPid)).toBe(true);

  try {
    parent.kill('SIGKILL');
    expect(await until(async () => !alive(serverPid), 20_000)).toBe(true);
  } finally {
    if (alive(serverPid)) process.kill(serverPid, 'SIGKILL');
  }
});
