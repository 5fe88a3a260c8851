// `--help` / `-h` for the bench scripts: prints the script's own header comment (its flags and
// what it measures), so the text lives in one place, and exits before anything starts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function helpIfAsked(scriptUrl, argv = process.argv.slice(2)) {
  if (!argv.includes('--help') && !argv.includes('-h')) return;
  const lines = readFileSync(fileURLToPath(scriptUrl), 'utf8').split('\n');
  const header = [];
  for (const l of lines.slice(lines[0].startsWith('#!') ? 1 : 0)) {
    if (!l.startsWith('//')) break;
    header.push(l.replace(/^\/\/ ?/, ''));
  }
  process.stdout.write(`${header.join('\n')}\n`);
  process.exit(0);
}
