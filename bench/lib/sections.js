// bench/RESULTS.md holds one section per scenario; each run replaces only its own section.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function upsertSection(file, name, text) {
  const begin = `<!-- begin:${name} -->`, end = `<!-- end:${name} -->`;
  const block = `${begin}\n${text.trimEnd()}\n${end}\n`;
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const i = doc.indexOf(begin), j = doc.indexOf(end);
  if (i !== -1 && j > i) doc = doc.slice(0, i) + block + doc.slice(j + end.length + 1);
  else if (name === 'send') doc = block + (doc ? `\n${doc}` : '');
  else doc = `${doc}${doc && !doc.endsWith('\n\n') ? '\n' : ''}${block}`;
  writeFileSync(file, doc);
}
