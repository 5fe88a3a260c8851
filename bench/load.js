// Load generator, run as its own process: one autocannon run, summary as JSON on stdout.
// argv[2] = JSON { url, connections, duration, token, body, idReplacement, scenario, method, rate, paths }
import autocannon from 'autocannon';
import { scenarioRequests } from './lib/scenarios.js';

const o = JSON.parse(process.argv[2]);
const tally = {};
const opts = {
  url: o.url,
  method: o.method ?? 'POST',
  connections: o.connections,
  pipelining: 1,
  duration: o.duration,
  timeout: 10,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token}` },
  body: o.method === 'GET' ? undefined : o.body,
  idReplacement: Boolean(o.idReplacement),
};
if (o.rate) opts.overallRate = o.rate; // sustained runs: a fixed offered load instead of closed-loop max
if (o.scenario && o.scenario !== 'send') opts.requests = scenarioRequests(o, tally);
const r = await autocannon(opts);
const codes = {};
for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) codes[k] = v.count;
process.stdout.write(`${JSON.stringify({
  duration: r.duration,
  ok2xx: r['2xx'],
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
  total: r.requests.total,
  p50: r.latency.p50,
  p90: r.latency.p90,
  p99: r.latency.p99,
  latMax: r.latency.max,
  codes,
  tally,
  cpu: process.cpuUsage(),
})}\n`);
