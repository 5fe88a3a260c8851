// Import first in every bench entry point: the benchmarks measure the project on the Node it runs on
// (the `node` devDependency, Node 24, which every `npm run …` script uses). Started with an older
// `node` (e.g. `node bench/run.js` on a machine whose system Node is 20), the script re-runs itself
// under the pinned one, so the servers it spawns with process.execPath are that Node too: on Node 20
// the accept path measured half as fast, which says nothing about the project.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PINNED = path.join(ROOT, 'node_modules', 'node', 'bin', 'node');

if (Number(process.versions.node.split('.')[0]) < 24 && fs.existsSync(PINNED) && !process.env.ARSEL_BENCH_PINNED) {
  process.stderr.write(`bench: re-running under the project's Node (${PINNED}) instead of ${process.version}\n`);
  const r = spawnSync(PINNED, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ARSEL_BENCH_PINNED: '1' } });
  process.exit(r.status ?? 1);
}
