/**
 * `npx arsel …` (bin/arsel.js → dist/src/cli/main.js): organizations and API keys from the shell.
 *
 * Same database rules as the server (DATABASE_URL, else the embedded PostgreSQL in ARSEL_DATA_DIR:
 * reused while `npm start` runs, started and stopped otherwise) because it boots through
 * createRuntime. stdout carries only the command's output, so `--json` is always parseable;
 * logs, migration notes and anything a library prints go to stderr.
 */
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApiKey } from '../auth/api-key.entity.js';
import type { Organization } from '../auth/organization.entity.js';
import type { Deps } from '../shared/context.js';
import { registerImportCommand } from './import.js';
import { registerReplayCommand } from './replay.js';

// Everything written to process.stdout by anyone but `out` (MikroORM's migrator, stray console.log) goes to stderr.
const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
const out = (text: string): void => void writeStdout(text.endsWith('\n') ? text : `${text}\n`);

type Services = typeof import('../auth/api-key.service.js');

/**
 * Boot the runtime (no queue, no LISTEN), run `fn`, always tear down (stops an embedded DB we started).
 * The app's modules are imported here, not at the top, so `--help` and usage errors answer at once.
 */
async function withRuntime<T>(fn: (em: EntityManager, svc: Services, deps: Deps) => Promise<T>): Promise<T> {
  const [{ loadConfig }, { createRuntime, REDACT }, svc, { default: pino }] = await Promise.all([
    import('../config.js'), import('../runtime.js'), import('../auth/api-key.service.js'), import('pino'),
  ]);
  const config = loadConfig(process.env);
  const log = pino({ level: process.env.LOG_LEVEL ? config.logLevel : 'warn', redact: REDACT, base: undefined }, pino.destination(2));
  const rt = await createRuntime(config, { queue: false, listen: false, log, poolSize: 2 });
  try {
    return await fn(rt.deps.orm.em.fork(), svc, rt.deps);
  } finally {
    await rt.close();
  }
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

function keyRow(k: ApiKey) {
  return { id: k.id, prefix: k.tokenPrefix, created_at: iso(k.createdAt), last_used_at: iso(k.lastUsedAt), revoked_at: iso(k.revokedAt) };
}

function orgRow(o: Organization) {
  return { id: o.id, name: o.name, created_at: iso(o.createdAt) };
}

/** Plain-text table with aligned columns. */
function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = [columns, ...rows.map((r) => columns.map((c) => String(r[c] ?? '-')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** `org create --json` and `key create --json`: {"organization":{"id","name"},"api_key":{"id","token"}}. */
function createdJson(org: { id: string; name: string }, key: { id: string }, token: string): string {
  return JSON.stringify({ organization: { id: org.id, name: org.name }, api_key: { id: key.id, token } });
}

function createdText(org: Organization, key: ApiKey, token: string, what: string): string {
  return [
    `${what}`,
    `  organization: ${org.name} (${org.id})`,
    `  api key id:   ${key.id}`,
    `  api key:      ${token}`,
    '',
    'The key is shown only once; store it now. Use it as `Authorization: Bearer <key>`.',
  ].join('\n');
}

const HELP_FOOTER = `
Database:
  DATABASE_URL if set; otherwise the embedded PostgreSQL in ARSEL_DATA_DIR (default .arsel/pgdata),
  the same one \`npm start\` uses: reused while the server runs, else started for the command.

Examples:
  npx arsel org create --name Acme --json
  npx arsel key create --org <org-id>
  npx arsel key list --org <org-id>
  npx arsel key revoke <key-id>
  npx arsel contact delete <contact-id>
  npx arsel contact delete --email jane@example.com --org <org-id> --json`;

export function buildProgram(): Command {
  const program = new Command('arsel')
    .description('Manage arsel-events organizations and API keys.')
    .addHelpText('after', HELP_FOOTER)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => out(s.replace(/\n$/, '')) })
    .exitOverride();

  const org = program.command('org').description('Organizations: every resource and API key belongs to one.');

  org
    .command('create')
    .description('Create an organization and its first API key (the key is printed once).')
    .requiredOption('--name <name>', 'organization name (1-200 characters)')
    .option('--json', 'print {"organization":{"id","name"},"api_key":{"id","token"}} on one line')
    .action(async (opts: { name: string; json?: boolean }) => {
      const r = await withRuntime((em, svc) => svc.createOrganization(em, opts.name));
      if (opts.json) out(createdJson(r.org, r.key, r.token));
      else out(createdText(r.org, r.key, r.token, 'Created organization.'));
    });

  org
    .command('list')
    .description('List organizations (oldest first).')
    .option('--json', 'print a JSON array of {"id","name","created_at"}')
    .action(async (opts: { json?: boolean }) => {
      const rows = (await withRuntime((em, svc) => svc.listOrganizations(em))).map(orgRow);
      if (opts.json) out(JSON.stringify(rows));
      else out(rows.length ? table(rows, ['id', 'name', 'created_at']) : 'No organizations yet. Create one with: arsel org create --name <name>');
    });

  const key = program.command('key').description('API keys: `be_` + 43 random characters; only a SHA-256 hash is stored.');

  key
    .command('create')
    .description('Create another API key for an organization (the key is printed once).')
    .requiredOption('--org <org-id>', 'organization id')
    .option('--name <label>', 'a label to tell keys apart (1-200 characters), as the dashboard shows it')
    .option('--json', 'print {"organization":{"id","name"},"api_key":{"id","token"}} on one line')
    .action(async (opts: { org: string; name?: string; json?: boolean }) => {
      const r = await withRuntime(async (em, svc) => {
        const o = await svc.getOrganization(em, opts.org);
        return { org: o, ...(await svc.createApiKey(em, o, opts.name)) };
      });
      if (opts.json) out(createdJson(r.org, r.key, r.token));
      else out(createdText(r.org, r.key, r.token, 'Created API key.'));
    });

  key
    .command('list')
    .description('List an organization\'s API keys (never the keys themselves: id, prefix, dates).')
    .requiredOption('--org <org-id>', 'organization id')
    .option('--json', 'print a JSON array of {"id","prefix","created_at","last_used_at","revoked_at"}')
    .action(async (opts: { org: string; json?: boolean }) => {
      const rows = (await withRuntime((em, svc) => svc.listApiKeys(em, opts.org))).map(keyRow);
      if (opts.json) out(JSON.stringify(rows));
      else out(rows.length ? table(rows, ['id', 'prefix', 'created_at', 'last_used_at', 'revoked_at']) : 'No API keys.');
    });

  key
    .command('revoke')
    .description('Revoke an API key. Running servers refuse it at once (401).')
    .argument('<key-id>', 'the key id (from `key list`), not the key itself')
    .option('--json', 'print {"id","revoked_at"}')
    .action(async (keyId: string, opts: { json?: boolean }) => {
      const k = await withRuntime((em, svc) => svc.revokeApiKey(em, keyId));
      // Running servers drop the key from their cache when the NOTIFY sent at commit reaches them,
      // a few ms later. Returning only after that window means a request made right after this
      // command is already refused.
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (opts.json) out(JSON.stringify({ id: k.id, revoked_at: iso(k.revokedAt) }));
      else out(`Revoked API key ${k.id} (${k.tokenPrefix}…) at ${iso(k.revokedAt)}.`);
    });

  const contact = program.command('contact').description('Contacts: erasure of a person\'s data (GDPR).');

  contact
    .command('delete')
    .description('Erase a contact and its personal data in one transaction: the contact, the email/contact/data/errors of its sends (the send rows stay), its runs\' step logs, its outbox rows; waiting runs are cancelled.')
    .argument('[contact-id]', 'the contact id')
    .option('--email <email>', 'erase the contact with this email instead (case-insensitive)')
    .option('--org <org-id>', 'only in this organization (required with --email when several organizations have that email)')
    .option('--json', 'print {"deleted":[{"id","organization_id"}]}')
    .action(async (id: string | undefined, opts: { email?: string; org?: string; json?: boolean }) => {
      const erased = await withRuntime((_em, _svc, deps) => deleteContactCommand(deps, id, opts));
      if (opts.json) out(JSON.stringify({ deleted: erased.map((c) => ({ id: c.id, organization_id: c.organizationId })) }));
      else out(erased.map((c) => `Erased contact ${c.id} (organization ${c.organizationId}).`).join('\n'));
    });

  registerReplayCommand(program, out);
  registerImportCommand(program, out);

  return program;
}

async function deleteContactCommand(deps: Deps, id: string | undefined, opts: { email?: string; org?: string }) {
  const [{ eraseContacts }, { AppError }, { UUID_RE }] = await Promise.all([
    import('../contacts/contact.erase.js'), import('../shared/errors.js'), import('../contacts/contact.service.js'),
  ]);
  if ((id == null) === (opts.email == null)) throw new AppError('bad_request', 'Provide either a contact id or --email.');
  if (opts.org != null && !UUID_RE.test(opts.org)) throw AppError.notFound(`Organization ${opts.org} not found`);
  if (opts.email != null && opts.org == null) {
    const r = await deps.pool.query('select count(distinct organization_id)::int n from contacts where lower(email) = lower($1)', [opts.email]);
    if (r.rows[0].n > 1) throw new AppError('bad_request', `${r.rows[0].n} organizations have a contact with email ${opts.email}; pass --org <org-id>.`);
  }
  const erased = await eraseContacts(deps.pool, { orgId: opts.org, ids: id != null ? [id] : undefined, email: opts.email });
  if (!erased.length) throw AppError.notFound(`Contact ${id ?? opts.email} not found`);
  return erased;
}

/** Errors a user can cause (the app's AppError, bad configuration, the embedded database refusing to start). */
const USER_ERRORS = new Set(['AppError', 'ConfigError', 'EmbeddedDbError']);

/** One clear line on stderr for anything a user can cause; a stack trace only for real bugs. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed help or its one-line error.
    return err.exitCode;
  }
  if (err instanceof Error && USER_ERRORS.has(err.constructor.name)) {
    process.stderr.write(`arsel: ${err.message}\n`);
    return 1;
  }
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '28P01' || code === '3D000') {
    process.stderr.write(`arsel: cannot reach the database (${(err as Error).message}). Check DATABASE_URL.\n`);
    return 1;
  }
  process.stderr.write(`arsel: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}

try {
  await buildProgram().parseAsync(process.argv);
  process.exitCode = 0;
} catch (err) {
  process.exitCode = report(err);
}
