/**
 * The process logger (src/logger.ts) in a real process: its buffered destination must not keep
 * lines to itself — they reach stdout within the flush interval, in order and whole, and the last
 * lines before a crash are written at exit.
 */
import { spawnSync, type StdioOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = pathToFileURL(path.resolve('dist/src/logger.js')).href;

/** Runs `script` (ESM, with createLogger imported) in a new node process; stdout is captured unless `stdio` says otherwise. */
function run(script: string, stdio?: StdioOptions) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { createLogger } from ${JSON.stringify(LOGGER)};\n${script}`], { encoding: 'utf8', timeout: 20_000, stdio });
  const lines = (r.stdout ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; i?: number; big?: string });
  return { status: r.status, stderr: r.stderr, lines };
}

describe('process logger', () => {
  it('writes the lines logged just before an uncaught exception', () => {
    const r = run(`const log = createLogger('info'); log.info('first'); setTimeout(() => { log.info('last words'); throw new Error('boom'); }, 100);`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('boom');
    expect(r.lines.map((l) => l.msg)).toEqual(['first', 'last words']);
  });

  it('writes a line within the flush interval while the process keeps running', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'arsel-log-'));
    const out = path.join(dir, 'stdout.log');
    const fd = openSync(out, 'w');
    try {
      const r = run(`const { readFileSync } = await import('node:fs');
const log = createLogger('info');
log.info('early');
setTimeout(() => { process.stderr.write(String(readFileSync(${JSON.stringify(out)}, 'utf8').split('\\n').filter(Boolean).length)); }, 300);
setTimeout(() => {}, 400);`, ['ignore', fd, 'pipe']);
      expect(r.stderr).toBe('1'); // written 300 ms later, the process still running, without a flush call
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every line whole and in order, long lines (beyond the buffer) and process.exit included', () => {
    // Repeated: an asynchronous destination got the last lines out of order at exit in ~1 run of 12.
    for (let k = 0; k < 8; k++) {
      const r = run(`const log = createLogger('info');
for (let i = 0; i < 3000; i++) { log.info({ i, big: i % 500 === 0 ? 'x'.repeat(10000) + 'é' : undefined }, 'line'); if (i % 100 === 0) await new Promise((r) => setTimeout(r, 1)); }
process.exit(0);`);
      expect(r.lines).toHaveLength(3000);
      expect(r.lines.findIndex((l, i) => l.i !== i)).toBe(-1);
      expect(r.lines.filter((l) => l.big).map((l) => l.big!.length)).toEqual(Array(6).fill(10001));
    }
  });
});
