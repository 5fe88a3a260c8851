import 'reflect-metadata';
/**
 * Once per `npm test`: a PostgreSQL (DATABASE_URL's server, or an embedded one in a fresh temp
 * folder) with a migrated template database. Each test file then clones the template.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedHandle } from '../../src/db/embedded.js';
import { migrate } from '../../src/runtime.js';

let embedded: EmbeddedHandle | undefined;
let tmp: string | undefined;

export const TEMPLATE_DB = `arsel_test_template_${process.pid}`;

export default async function setup(project: TestProject) {
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arsel-test-'));
    fs.chmodSync(tmp, 0o755); // the postgres OS user (when running as root) must reach the data folder
    embedded = await startEmbedded({ dataDir: path.join(tmp, 'pgdata'), database: 'postgres' });
    adminUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = withDatabase(adminUrl, TEMPLATE_DB);
  await migrate(templateUrl);
  const boss = new PgBoss({ connectionString: templateUrl, schema: 'pgboss' });
  await boss.start();
  await boss.stop({ graceful: false, close: true });

  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', TEMPLATE_DB);

  return async () => {
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    const dbs = await a.query<{ datname: string }>(`select datname from pg_database where datname like $2 or datname = $1`, [TEMPLATE_DB, `arsel_t_${process.pid}_%`]);
    for (const { datname } of dbs.rows) await a.query(`drop database if exists "${datname}" with (force)`).catch(() => {});
    await a.end();
    await embedded?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}
