// Local PostgreSQL (127.0.0.1:5432, user postgres, trust): fresh databases per run, counters.
import pg from 'pg';

export const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
};
const ADMIN_DB = process.env.ADMIN_DB ?? 'postgres';

export const dbUrl = (name) => `postgres://${PG.user}@${PG.host}:${PG.port}/${name}`;

async function admin(fn) {
  const c = new pg.Client({ ...PG, database: ADMIN_DB });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const ident = (name) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  return name;
};

export const createDatabase = (name) => admin(async (c) => {
  await c.query(`drop database if exists ${ident(name)} with (force)`);
  await c.query(`create database ${ident(name)}`);
});

export const dropDatabase = (name) => admin((c) => c.query(`drop database if exists ${ident(name)} with (force)`)).catch(() => {});

export async function connect(name) {
  const c = new pg.Client({ ...PG, database: name });
  await c.connect();
  return c;
}

export async function serverInfo() {
  return admin(async (c) => {
    const v = (await c.query('show server_version')).rows[0].server_version;
    const s = await c.query(`select name, setting from pg_settings where name in
      ('synchronous_commit','fsync','wal_sync_method','shared_buffers','max_connections','commit_delay')`);
    return { version: v, settings: Object.fromEntries(s.rows.map((r) => [r.name, r.setting])) };
  });
}

export async function walCounters(c) {
  const r = await c.query(`select (select wal_sync from pg_stat_wal)::bigint as wal_sync,
    (select xact_commit from pg_stat_database where datname = current_database())::bigint as commits`);
  return { walSync: Number(r.rows[0].wal_sync), commits: Number(r.rows[0].commits) };
}
