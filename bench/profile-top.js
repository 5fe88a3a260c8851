#!/usr/bin/env node
// Summarise a V8 .cpuprofile (from `node --cpu-prof`, e.g. `node bench/run.js --modes product --profile`):
// top functions by self time, and time by package/file. Usage: node bench/profile-top.js <file> [top=30]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const short = (url) => url.replace(/^file:\/\//, '').replace(/^.*?node_modules\//, 'nm:').replace(/^.*?\/dist\//, 'dist/');
const fnKey = (cf) => `${cf.functionName || '(anonymous)'} ${short(cf.url)}:${cf.lineNumber + 1}`;
const agg = new Map(), pkg = new Map();
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame;
  agg.set(fnKey(cf), (agg.get(fnKey(cf)) ?? 0) + us);
  const u = short(cf.url);
  const p = !u ? `(${cf.functionName || 'native'})` : u.startsWith('nm:') ? u.slice(3).split('/').slice(0, u.slice(3).startsWith('@') ? 2 : 1).join('/') : u.startsWith('node:') ? 'node:internal' : u;
  pkg.set(p, (pkg.get(p) ?? 0) + us);
}
const pct = (us) => `${((us / total) * 100).toFixed(1)}%`;
console.log(`total sampled ${(total / 1e6).toFixed(1)} s`);
console.log('\n== self time by package / file ==');
for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(pct(v).padStart(6), k);
console.log('\n== self time by function ==');
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 30))) console.log(pct(v).padStart(6), k);
// Inclusive time of our own functions (dist/src): where the request path spends its time.
const children = new Map(prof.nodes.map((n) => [n.id, n.children ?? []]));
const incl = new Map();
const walk = (id, stack) => {
  const n = byId.get(id);
  const k = fnKey(n.callFrame);
  const own = short(n.callFrame.url).startsWith('dist/') && !stack.has(k);
  if (own) stack.add(k);
  let sum = self.get(id) ?? 0;
  for (const c of children.get(id)) sum += walk(c, stack);
  if (own) { stack.delete(k); incl.set(k, (incl.get(k) ?? 0) + sum); }
  return sum;
};
walk(prof.nodes[0].id, new Set());
console.log('\n== inclusive time of dist/ functions ==');
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(pct(v).padStart(6), k);
