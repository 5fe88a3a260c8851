// Summary of a V8 .cpuprofile (from `node --cpu-prof`): self time by package/file and by function,
// and inclusive time of our own functions (dist/src), each as a share of the profile's busy time
// ((idle) excluded). Used by bench/profile-top.js (console) and bench/run.js --profile (RESULTS.md).
import { readFileSync } from 'node:fs';

const short = (url) => url.replace(/^file:\/\//, '').replace(/^.*?node_modules\//, 'nm:').replace(/^.*?\/dist\//, 'dist/');
const fnKey = (cf) => `${cf.functionName || '(anonymous)'} ${short(cf.url)}:${cf.lineNumber + 1}`;
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);

export function summariseProfile(file, n = 25) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const agg = new Map(), pkg = new Map();
  let total = 0, idle = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    total += us;
    if (cf.functionName === '(idle)') { idle += us; continue; }
    agg.set(fnKey(cf), (agg.get(fnKey(cf)) ?? 0) + us);
    const u = short(cf.url);
    const p = !u ? `(${cf.functionName || 'native'})` : u.startsWith('nm:') ? u.slice(3).split('/').slice(0, u.slice(3).startsWith('@') ? 2 : 1).join('/') : u.startsWith('node:') ? 'node:internal' : u;
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const children = new Map(prof.nodes.map((x) => [x.id, x.children ?? []]));
  const incl = new Map();
  const walk = (id, stack) => {
    const node = byId.get(id);
    const k = fnKey(node.callFrame);
    const own = short(node.callFrame.url).startsWith('dist/') && !stack.has(k);
    if (own) stack.add(k);
    let sum = self.get(id) ?? 0;
    for (const c of children.get(id)) sum += walk(c, stack);
    if (own) { stack.delete(k); incl.set(k, (incl.get(k) ?? 0) + sum); }
    return sum;
  };
  walk(prof.nodes[0].id, new Set());
  const busy = total - idle;
  const share = (list) => list.map(([k, us]) => ({ name: k, pct: busy ? (us / busy) * 100 : 0 }));
  return { totalSec: total / 1e6, busySec: busy / 1e6, packages: share(top(pkg, n)), functions: share(top(agg, n)), inclusive: share(top(incl, n)) };
}
