import pg from 'pg';
import { readFileSync } from 'node:fs';
const URL = 'postgres://postgres@127.0.0.1:5432/xr';
const mode = process.argv[2]; const secs = Number(process.argv[3] ?? 8); const CONC = 64;
const h = await import('../dist/src/sends/send.history.js');
const st = h.historyStatement(true, false, '<', 'desc', undefined, 'rest');
const c = new pg.Client(URL); await c.connect();
const { org, def } = (await c.query(`select organization_id as org, id as def from event_definitions limit 1`)).rows[0];
const cursors = (await c.query(`select id from event_sends where random() < 0.002`)).rows.map((r) => r.id);
await c.end();
const pool = new pg.Pool({ connectionString: URL, max: 4, options: '-c plan_cache_mode=force_generic_plan -c jit=off' });
const inner = st.text.replace(/^select /, 'select ').replace('organization_id = $1', 's.organization_id = q.org').replace(/event_definition_id >= \$3/, 's.event_definition_id >= q.def').replace(/\(event_definition_id, id\) < \(\$3, \$\d\)/, '(s.event_definition_id, s.id) < (q.def, q.cur)').replace('order by event_definition_id desc, id desc limit $2', 'order by s.event_definition_id desc, s.id desc limit q.lim');
const batchText = `select q.i, p.* from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[]) with ordinality as q(org, def, cur, lim, i) cross join lateral (${inner}) p`;
if (mode === "show") { console.log(batchText); process.exit(0); }
if (mode === "explain") { const c2 = new pg.Client(URL); await c2.connect(); await c2.query("set plan_cache_mode = force_generic_plan"); for (let k=0;k<4;k++) await c2.query({name:"b", text:"explain (analyze, costs off, buffers off) " + batchText, values:[cursors.slice(0,16).map(()=>org), cursors.slice(0,16).map(()=>def), cursors.slice(0,16), cursors.slice(0,16).map(()=>21)]}).then(r=>console.log(r.rows.map(x=>x["QUERY PLAN"]).join("\n"))); process.exit(0); }
let pending = []; let inflight = 0;
function flush() {
  while (pending.length && inflight < 4) {
    const b = pending.splice(0, Math.ceil(pending.length / (4 - inflight))); inflight++;
    pool.query({ name: 'batch', text: batchText, values: [b.map(() => org), b.map(() => def), b.map((x) => x.cur), b.map(() => 21)] }).then((r) => {
      const out = b.map(() => []);
      for (const row of r.rows) out[Number(row.i) - 1].push(row);
      b.forEach((x, k) => x.resolve(out[k]));
    }, (e) => b.forEach((x) => x.reject(e))).finally(() => { inflight--; flush(); });
  }
}
const single = (cur) => pool.query({ name: st.name, text: st.text, values: st.params.map((n) => [org, 21, def, undefined, cur][n - 1]) }).then((r) => r.rows);
const batched = (cur) => new Promise((resolve, reject) => { pending.push({ cur, resolve, reject }); if (pending.length === 1) process.nextTick(flush); });
const run = mode === 'batch' ? batched : single;
let n = 0, rows = 0; const end = Date.now() + secs * 1000; const lat = [];
const cpu0 = process.cpuUsage(); const stat = () => readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
const s0 = stat();
await Promise.all(Array.from({ length: CONC }, async () => {
  while (Date.now() < end) { const t = performance.now(); const r = await run(cursors[(Math.random() * cursors.length) | 0]); lat.push(performance.now() - t); n++; rows += r.length; }
}));
const s1 = stat(); const cpu = process.cpuUsage(cpu0);
const tot = s1.reduce((a, b) => a + b) - s0.reduce((a, b) => a + b); const idle = (s1[3] + s1[4]) - (s0[3] + s0[4]);
lat.sort((a, b) => a - b);
console.log(`${mode}: ${Math.round(n / secs)} pages/s rows/page ${(rows / n).toFixed(1)} node cpu ${Math.round((cpu.user + cpu.system) / 1e4 / secs)}% (sys ${Math.round(cpu.system / 1e4 / secs)}%) machine busy ${Math.round(200 * (1 - idle / tot))}% p50 ${lat[lat.length >> 1].toFixed(1)} p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(1)}`);
await pool.end();
