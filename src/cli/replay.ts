/**
 * `arsel replay --event NAME [--since ISO] [--until ISO] [--dry-run]`: replay an event's rejected
 * sends against its current schema with a progress bar. With --url and --key it asks a running
 * server (POST …/sends/replay, then follows GET …/replays/{id}); without, it starts the replay in
 * the database and drives it in this process (a server's workers would take it over if this
 * command is killed: the replay's lease expires).
 */
import type { Command } from 'commander';
import { callServer, resolveOrg, withAppRuntime } from './app-runtime.js';

interface ReplayOpts {
  event: string;
  since?: string;
  until?: string;
  dryRun?: boolean;
  url?: string;
  key?: string;
  org?: string;
  json?: boolean;
}

interface ReplayView {
  id: string;
  status: string;
  total: number;
  done: number;
  accepted: number;
  still_rejected: number;
  dry_run: boolean;
  reason?: string | null;
}

/** A user-facing failure: main.ts prints an AppError's message as one line (imported lazily: --help stays fast). */
export async function usage(message: string): Promise<Error> {
  const { AppError } = await import('../shared/errors.js');
  return new AppError('bad_request', message);
}

async function progressBar(total: number) {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: 'replay |{bar}| {percentage}% | {value}/{total} sends | accepted {accepted} | still rejected {rejected} | ETA {eta_formatted}', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { accepted: 0, rejected: 0 });
  return {
    update: (r: ReplayView) => bar.update(r.done, { accepted: r.accepted, rejected: r.still_rejected }),
    stop: () => bar.stop(),
  };
}

function summary(r: ReplayView, json?: boolean): string {
  if (json) return JSON.stringify(r);
  const what = r.dry_run ? 'Dry run: would accept' : 'Accepted';
  return r.status === 'failed'
    ? `Replay ${r.id} failed: ${r.reason ?? 'unknown reason'} (${r.done}/${r.total} done, ${r.accepted} accepted).`
    : `Replay ${r.id} ${r.status}: ${what} ${r.accepted} of ${r.total} rejected sends; ${r.still_rejected} still rejected.`;
}

async function overHttp(o: ReplayOpts): Promise<ReplayView> {
  const base = `/v1/events/${encodeURIComponent(o.event)}`;
  const started = await callServer(o.url!, o.key!, 'POST', `${base}/sends/replay`, {
    status: 'rejected', ...(o.since ? { from: o.since } : {}), ...(o.until ? { to: o.until } : {}), ...(o.dryRun ? { dry_run: true } : {}),
  });
  if (started.status !== 202) throw await usage(`the server answered ${started.status}: ${started.body?.message ?? JSON.stringify(started.body)}`);
  let r = started.body as ReplayView;
  const bar = await progressBar(r.total);
  try {
    while (r.status === 'running') {
      await new Promise((res) => setTimeout(res, 500));
      const got = await callServer(o.url!, o.key!, 'GET', `${base}/replays/${r.id}`);
      if (got.status !== 200) throw await usage(`the server answered ${got.status}: ${got.body?.message ?? ''}`);
      r = got.body as ReplayView;
      bar.update(r);
    }
  } finally {
    bar.stop();
  }
  return r;
}

async function inDatabase(o: ReplayOpts): Promise<ReplayView> {
  return withAppRuntime(async (deps) => {
    const [{ startReplay, replayToRest, getReplay }, { driveReplay }, { validateInput }] = await Promise.all([
      import('../sends/replay.service.js'), import('../sends/replay.runner.js'), import('../shared/validation.js'),
    ]);
    const org = await resolveOrg(deps, o.event, o.org);
    const { ReplayInput } = await import('../sends/replay.service.js');
    const input = await validateInput(ReplayInput, { status: 'rejected', ...(o.since ? { from: o.since } : {}), ...(o.until ? { to: o.until } : {}), ...(o.dryRun ? { dry_run: true } : {}) });
    const rec = await startReplay(deps.orm.em.fork(), org, o.event, input, { pool: deps.pool, boss: null });
    const bar = await progressBar(rec.total);
    const read = async () => replayToRest(await getReplay(deps.pool, org, rec.id)) as ReplayView;
    try {
      let last = 0;
      if (rec.status === 'running') {
        await driveReplay(deps, rec.id, {
          onBatch: () => {
            if (Date.now() - last < 200) return;
            last = Date.now();
            void read().then((r) => bar.update(r)).catch(() => {});
          },
        });
      }
      const end = await read();
      bar.update(end);
      return end;
    } finally {
      bar.stop();
    }
  });
}

export function registerReplayCommand(program: Command, out: (text: string) => void): void {
  program
    .command('replay')
    .description('Replay an event\'s rejected sends against its current schema (after a schema fix), with a progress bar.')
    .requiredOption('--event <name>', 'the event whose rejected sends to replay')
    .option('--since <iso>', 'only sends recorded at or after this ISO 8601 time')
    .option('--until <iso>', 'only sends recorded before this ISO 8601 time')
    .option('--dry-run', 'count what would pass; change nothing')
    .option('--url <url>', 'a running server (with --key); default: the database directly')
    .option('--key <api-key>', 'API key for --url (or ARSEL_API_KEY)')
    .option('--org <org-id>', 'database path: the organization (needed when several have an event of that name)')
    .option('--json', 'print the final replay object as one JSON line')
    .action(async (opts: ReplayOpts) => {
      const key = opts.key ?? process.env.ARSEL_API_KEY;
      if (opts.url && !key) throw await usage('--url needs --key (or ARSEL_API_KEY)');
      const r = opts.url ? await overHttp({ ...opts, key }) : await inDatabase(opts);
      out(summary(r, opts.json));
      if (r.status === 'failed') process.exitCode = 1;
    });
}
