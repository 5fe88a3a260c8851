// Regression: killing the `npm start` process with SIGKILL (which npm cannot forward) left the
// server running as an orphan that kept the port and the database. Under npm it now shuts down.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { createTestDatabase, until } from '../setup/harness.js';

const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');


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
  await until(async () => /^\d+\n/.test(out), Boolean, 10_000, 'server pid printed');
  const serverPid = Number(out.split('\n')[0]);
  // Let it boot (it listens on a random port; being alive after boot is what matters here).
  await until(async () => /first start/i.test(out), Boolean, 30_000, 'server started');
  expect(alive(serverPid)).toBe(true);

  try {
    parent.kill('SIGKILL');
    await until(async () => !alive(serverPid), Boolean, 20_000, 'server exited after its parent was killed');
  } finally {
    if (alive(serverPid)) process.kill(serverPid, 'SIGKILL');
  }
});
