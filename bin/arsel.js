#!/usr/bin/env node
// The `arsel` command. Runs the compiled CLI; `npm start` / `npm run build` produce dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error('arsel: the project is not built yet. Run `npm run build` (or `npm start`) first.');
  process.exit(1);
}
await import(entry);
