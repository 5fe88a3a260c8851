// Our real server: `node dist/src/main.js` (what `npm start` runs after its build) on a fresh database.
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnTracked, stopChild, waitHttp } from './children.js';
import { connect, createDatabase, dbUrl, dropDatabase, walCounters } from './db.js';

export const SEND_BODY = JSON.stringify({ event: 'order.completed', email: 'a@b.com', data: { order_id: 'o-1', total: 12.5, is_gift: false } });
export const DEFINITION = {
  name: 'order.completed',
  schema: { fields: [
    { name: 'order_id', type: 'string', required: true },
    { name: 'total', type: 'number', required: true },
    { name: 'is_gift', type: 'boolean', required: false },
    { name: 'placed_at', type: 'date', required: false },
  ] },
};
// Fallback target before /v1/events/send exists: creating definitions, to prove the harness mechanics.
const EVENTS_BODY = JSON.stringify({ name: 'bench.[<id>]', schema: { fields: [{ name: 'order_id', type: 'string', required: true }] } });

/** Counts log lines with `"statusCode":<code>` written after byte `from` (the server's own count). */
async function countStatus(file, from, code) {
  const needle = `"statusCode":${code},`;
  let n = 0, carry = '';
  for await (const chunk of createReadStream(file, { start: from, encoding: 'utf8' })) {
    const text = carry + chunk;
    let i = text.indexOf(needle);
    while (i !== -1) { n++; i = text.indexOf(needle, i + needle.length); }
    carry = text.slice(-(needle.length - 1)); // a match ending at the chunk edge was already counted
  }
  return n;
}

function tokenFromCli(repoRoot, url) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'arsel.js'), 'org', 'create', '--name', 'bench', '--json'], {
    cwd: repoRoot, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000,
  });
  const m = r.status === 0 ? /be_[A-Za-z0-9_-]{32,}/.exec(r.stdout) : null;
  return m ? { token: m[0], via: 'cli' } : { token: null, why: (r.stderr || r.stdout || '').trim().split('\n')[0] };
}

/** The node flags `npm start` runs the server with (package.json `"start": "exec node <flags> dist/src/main.js"`). */
export function startNodeArgs(repoRoot) {
  const start = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts?.start ?? '';
  const m = /\bnode\s+(.*?)\s*dist\/src\/main\.js/.exec(start);
  return m && m[1] ? m[1].split(/\s+/) : [];
}

/** Spawns `node dist/src/main.js` on `dbName` with production logging to `logFile`, with `npm start`'s node flags. */
export function spawnServer({ repoRoot, dbName, port, logFile, role = 'all', env: extraEnv = {}, nodeArgs = [] }) {
  const fd = openSync(logFile, 'w');
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl(dbName), PORT: String(port ?? 0), HOST: '127.0.0.1', LOG_LEVEL: 'info',
    // Far above the offered load (~1M/min): limits are on and evaluated, never hit.
    RATE_LIMIT_MAX: '100000000', EVENT_BUDGET_PER_MINUTE: '100000000',
    ...extraEnv,
  };
  const args = [...startNodeArgs(repoRoot), ...nodeArgs, path.join(repoRoot, 'dist', 'src', 'main.js'), ...(role === 'all' ? [] : ['--role', role])];
  const child = spawnTracked(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

/** Another API or worker process on an existing database (scale-out). */
export async function startExtra(o) {
  const child = spawnServer(o);
  if (o.role === 'worker') {
    const end = Date.now() + 90_000;
    while (!/worker is ready/.test(readFileSync(o.logFile, 'utf8'))) {
      if (child.exitCode !== null || Date.now() > end) throw new Error(`worker did not start: ${readFileSync(o.logFile, 'utf8').slice(-500)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } else {
    await waitHttp(`http://127.0.0.1:${o.port}/health`, child, 90_000);
  }
  return { pid: child.pid, child, stop: () => stopChild(child, 15_000) };
}

export async function startProduct({ repoRoot, dbName, port, logFile, role = 'all', env = {}, nodeArgs = [], target = 'auto' }) {
  await createDatabase(dbName);
  const url = dbUrl(dbName);
  const child = spawnServer({ repoRoot, dbName, port, logFile, role, env, nodeArgs });
  const base = `http://127.0.0.1:${port}`;
  let db;
  try {
    await waitHttp(`${base}/health`, child, 90_000);
    let { token, via, why } = tokenFromCli(repoRoot, url);
    if (!token) {
      // No CLI yet: the first start printed the Default organization's key once.
      const m = /API key \(shown once, store it now\): (be_[A-Za-z0-9_-]+)/.exec(readFileSync(logFile, 'utf8'));
      if (!m) throw new Error(`no API key: CLI said "${why}" and the server printed no first-start key`);
      token = m[1];
      via = `first-start banner (CLI: ${why})`;
    }
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const def = await fetch(`${base}/v1/events`, { method: 'POST', headers: auth, body: JSON.stringify(DEFINITION) });
    if (def.status !== 201 && def.status !== 409) throw new Error(`creating the definition: ${def.status} ${await def.text()}`);
    let kind = target;
    if (kind === 'auto') {
      const probe = await fetch(`${base}/v1/events/send`, { method: 'POST', headers: auth, body: SEND_BODY });
      if (probe.status === 202) kind = 'send';
      else if (probe.status === 404 && /Route POST/.test(await probe.text())) kind = 'events-create';
      else throw new Error(`probe POST /v1/events/send: ${probe.status} ${await probe.text()}`);
    }
    db = await connect(dbName);
    const queue = kind === 'send' ? await sendQueue(db) : null;
    let jobArrayKey;
    const jobSendsSql = () => (jobArrayKey
      ? `coalesce((select sum(jsonb_array_length(data->'${jobArrayKey}')) from pgboss.job where name = $1), 0)::int`
      : `(select count(*) from pgboss.job where name = $1)::int`);
    return {
      kind: 'product',
      dbName,
      target: kind,
      pid: child.pid,
      child,
      base,
      url: kind === 'send' ? `${base}/v1/events/send` : `${base}/v1/events`,
      token,
      tokenVia: via,
      queue,
      body: kind === 'send' ? SEND_BODY : EVENTS_BODY,
      idReplacement: kind !== 'send',
      logFile,
      async counters() {
        const offset = statSync(logFile).size;
        let row;
        if (kind === 'send') {
          if (jobArrayKey === undefined) jobArrayKey = await detectJobArrayKey(db, queue);
          row = (await db.query(`select (select count(*) from event_sends)::int as rows,
              (select count(*) from event_sends where status <> 'rejected')::int as accepted_rows,
              (select count(*) from (select 1 from event_sends where idempotency_key is not null
                 group by organization_id, idempotency_key having count(*) > 1) d)::int as dup_keys,
              (select count(*) from pgboss.job where name = $1)::int as jobs, ${jobSendsSql()} as job_sends`, [queue])).rows[0];
        } else {
          row = (await db.query(`select count(*)::int as rows from event_definitions where name like 'bench.%'`)).rows[0];
        }
        return { rows: row.rows, acceptedRows: row.accepted_rows ?? null, dupKeys: row.dup_keys ?? null, jobs: row.jobs ?? null, jobSends: row.job_sends ?? null, logOffset: offset, ...(await walCounters(db)) };
      },
      /** 2xx answers the server itself logged between two counter snapshots. */
      server2xx: (c0, c1) => countStatus(logFile, c0.logOffset, kind === 'send' ? 202 : 201).then((n) => n),
      async statuses() {
        if (kind !== 'send') return {};
        const r = await db.query('select status, count(*)::int as n from event_sends group by status');
        return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
      },
      query: (text, values) => db.query(text, values),
      async stop() {
        await db?.end().catch(() => {});
        await stopChild(child, 15_000);
        await dropDatabase(dbName);
      },
    };
  } catch (err) {
    const tail = readFileSync(logFile, 'utf8').split('\n').filter((l) => !l.includes('"level":30')).slice(-12).join('\n');
    err.message += `\n--- ${logFile} (last lines) ---\n${tail}`;
    await db?.end().catch(() => {});
    await stopChild(child, 5_000);
    await dropDatabase(dbName);
    throw err;
  }
}

async function sendQueue(db) {
  const names = (await db.query('select name from pgboss.queue order by name')).rows.map((r) => r.name);
  const q = process.env.BENCH_SEND_QUEUE ?? names.find((n) => /^sends?\./.test(n)) ?? names.find((n) => /send/i.test(n));
  if (!q) throw new Error(`no send queue among pg-boss queues [${names.join(', ')}] (set BENCH_SEND_QUEUE)`);
  return q;
}

/** One job per send, or one job per group-commit batch carrying the send ids (then count the ids). */
async function detectJobArrayKey(db, queue) {
  const r = await db.query('select data from pgboss.job where name = $1 limit 1', [queue]);
  const data = r.rows[0]?.data;
  if (!data || typeof data !== 'object') return null;
  const key = Object.keys(data).find((k) => Array.isArray(data[k]));
  return key && /^[a-z_][a-z0-9_]*$/i.test(key) ? key : null;
}
