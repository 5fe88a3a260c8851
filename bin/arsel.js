#!/usr/bin/env node
// The `arsel` command (`npx arsel …` in the repo). Runs the compiled CLI, building the project first
// when dist/ is missing (a fresh clone where nobody ran `npm start` / `npm run build` yet).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('arsel: dist/ is missing, building the project first (npx tsc -p tsconfig.json)…\n');
  try {
    // Build output goes to stderr: stdout is reserved for the command's own output (--json).
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: ['ignore', 2, 2] });
  } catch {
    process.stderr.write('arsel: the build failed; run `npm run build` to see why.\n');
    process.exit(1);
  }
}
await import(pathToFileURL(entry).href);
