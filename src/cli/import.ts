/**
 * `arsel import --event NAME FILE.ndjson`: bulk import of sends, one REST send body per line
 * (`event` may be omitted: --event fills it), through the batch path — a running server's
 * `POST /v1/events/send` with {"events":[…]} (--url, --key), or, without them, the same
 * acceptSends in this process against the database the CLI uses. A progress bar (stderr) shows
 * lines/s, accepted, rejected and the ETA; per-line results go to FILE.results.ndjson
 * (`{"line":n,"id":…,"status":"accepted"}` or `{"line":n,"error":{…}}`, in line order).
 *
 * Resumable, each line sent once: lines go in FIXED batches (lines 1–500, 501–1000, …), each sent
 * with an Idempotency-Key made of the file's identity and its line range, so every line has one
 * stable key. Started again, the command keeps the complete result lines already written, and
 * re-sends from the first batch without all of its results: a batch that was committed before the
 * interruption gets its stored response replayed (nothing recorded twice), the others are sent.
 * Keys live 24 h (IDEMPOTENCY_TTL): resume within that.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Command } from 'commander';
import type { Deps, OrgRef } from '../shared/context.js';
import { callServer, resolveOrg, withAppRuntime } from './app-runtime.js';
import { usage } from './replay.js';

/** Lines per request (the batch path's maximum). */
export const IMPORT_BATCH = 500;
/** Batches in flight at once. */
const IN_FLIGHT = 4;

interface ImportOpts {
  event: string;
  url?: string;
  key?: string;
  org?: string;
  json?: boolean;
}

export const resultsPathFor = (file: string): string => (file.endsWith('.ndjson') ? `${file.slice(0, -'.ndjson'.length)}.results.ndjson` : `${file}.results.ndjson`);

/** Who sends a batch: `{status, body}` of the batch request as the server would answer it. */
type Sender = (events: unknown[], key: string) => Promise<{ status: number; body: unknown; retryAfter?: number }>;

/** The file's identity: where it is, its size, and a hash of its first 64 KiB. */
function fileIdentity(file: string): string {
  const real = fs.realpathSync(file);
  const size = fs.statSync(real).size;
  const fd = fs.openSync(real, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 65_536));
    fs.readSync(fd, head, 0, head.length, 0);
    return createHash('sha256').update(real).update('\0').update(String(size)).update('\0').update(head).digest('hex').slice(0, 32);
  } finally {
    fs.closeSync(fd);
  }
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  let last = 10;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
    if (chunk.length) last = chunk[chunk.length - 1];
  }
  return last === 10 ? n : n + 1;
}

/** Complete result lines already written (a torn last line is cut off); their accepted / rejected counts. */
function readResults(resultsPath: string): { done: number; accepted: number; rejected: number } {
  if (!fs.existsSync(resultsPath)) return { done: 0, accepted: 0, rejected: 0 };
  const text = fs.readFileSync(resultsPath, 'utf8');
  let done = 0;
  let accepted = 0;
  let rejected = 0;
  let keep = 0;
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    if (end === -1) break;
    try {
      const r = JSON.parse(text.slice(start, end)) as { line: number; error?: unknown };
      if (r.line !== done + 1) break;
      done++;
      if (r.error) rejected++;
      else accepted++;
    } catch {
      break;
    }
    start = keep = end + 1;
  }
  if (keep < Buffer.byteLength(text)) fs.truncateSync(resultsPath, Buffer.byteLength(text.slice(0, keep)));
  return { done, accepted, rejected };
}

interface Batch {
  first: number;
  lines: string[];
}

/** One line → the REST send body, or why it cannot be sent. */
function parseLine(text: string, event: string): { item: Record<string, unknown> } | { error: Record<string, unknown> } {
  if (!text.trim()) return { error: { status_code: 400, code: 'validation_error', message: 'empty line' } };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { error: { status_code: 400, code: 'validation_error', message: `not JSON: ${(err as Error).message}` } };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: { status_code: 400, code: 'validation_error', message: 'each line must be a JSON object' } };
  const item = v as Record<string, unknown>;
  return { item: item.event === undefined ? { event, ...item } : item };
}

/** Send one batch (retrying 429 / 503 / network errors); the result line of each of its lines. */
async function sendBatch(send: Sender, batch: Batch, keyPrefix: string, event: string): Promise<Record<string, unknown>[]> {
  const parsed = batch.lines.map((l) => parseLine(l, event));
  const items = parsed.flatMap((p) => ('item' in p ? [p.item] : []));
  let results: Record<string, unknown>[] = [];
  if (items.length) {
    const key = `${keyPrefix}:${batch.first}-${batch.first + batch.lines.length - 1}`;
    for (let attempt = 0; ; attempt++) {
      let r: Awaited<ReturnType<Sender>>;
      try {
        r = await send(items, key);
      } catch (err) {
        if (attempt >= 8) throw err;
        await new Promise((res) => setTimeout(res, Math.min(10_000, 250 * 2 ** attempt)));
        continue;
      }
      if ((r.status === 429 || r.status === 503) && attempt < 20) {
        await new Promise((res) => setTimeout(res, (r.retryAfter ?? 1) * 1000));
        continue;
      }
      if (r.status !== 202 && r.status !== 200) {
        const b = r.body as { message?: string } | undefined;
        throw await usage(`lines ${batch.first}–${batch.first + batch.lines.length - 1}: the batch was refused (${r.status}): ${b?.message ?? JSON.stringify(r.body)}`);
      }
      results = (r.body as { results: Record<string, unknown>[] }).results;
      break;
    }
  }
  let i = 0;
  return parsed.map((p, n) => ({ line: batch.first + n, ...('item' in p ? results[i++] : { error: p.error }) }));
}

function httpSender(url: string, key: string): Sender {
  return async (events, idemKey) => {
    const r = await callServer(url, key, 'POST', '/v1/events/send', { events }, { 'idempotency-key': idemKey });
    return { status: r.status, body: r.body, retryAfter: Number(r.headers.get('retry-after') ?? 1) };
  };
}

async function dbSender(deps: Deps, org: OrgRef): Promise<Sender> {
  const [{ acceptSends, sendServices }, { idempotencyContext }, { AppError }] = await Promise.all([
    import('../sends/send.service.js'), import('../sends/idempotency.js'), import('../shared/errors.js'),
  ]);
  return async (events, key) => {
    // Exactly what the route does for {"events":[…]} with an Idempotency-Key.
    const idempotency = idempotencyContext(org.id, key, { events });
    try {
      const r = await sendServices(deps).gate.run(idempotency, async () => (await acceptSends(deps, org, events, { naming: 'rest', batch: true, idempotency })).response);
      return { status: r.status, body: r.body };
    } catch (err) {
      if (err instanceof AppError) return { status: err.status, body: { message: err.message }, retryAfter: Number(err.headers?.['retry-after'] ?? 1) };
      throw err;
    }
  };
}

export interface ImportSummary {
  file: string;
  results: string;
  lines: number;
  accepted: number;
  rejected: number;
  /** Lines already done by an earlier, interrupted run. */
  resumed_from: number;
  seconds: number;
  lines_per_second: number;
}

async function runImport(file: string, o: ImportOpts, send: Sender): Promise<ImportSummary> {
  const total = await countLines(file);
  const resultsPath = resultsPathFor(file);
  const prior = readResults(resultsPath);
  const keyPrefix = `arsel-import:${fileIdentity(file)}`;
  const startLine = Math.floor(prior.done / IMPORT_BATCH) * IMPORT_BATCH + 1;
  const out = fs.createWriteStream(resultsPath, { flags: 'a' });
  const counts = { done: prior.done, accepted: prior.accepted, rejected: prior.rejected };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: 'import |{bar}| {percentage}% | {value}/{total} lines | {rate} lines/s | accepted {accepted} | rejected {rejected} | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, counts.done, { rate: 0, accepted: counts.accepted, rejected: counts.rejected });
  const started = Date.now();

  const write = (rows: Record<string, unknown>[]) =>
    new Promise<void>((resolve, reject) => {
      let text = '';
      for (const r of rows) {
        if ((r.line as number) <= counts.done) continue; // written by the interrupted run
        text += `${JSON.stringify(r)}\n`;
        counts.done++;
        if (r.error) counts.rejected++;
        else counts.accepted++;
      }
      if (!text) return resolve();
      out.write(text, (err) => (err ? reject(err) : resolve()));
    });

  // Batches in flight, results written in order.
  const inflight: Promise<Record<string, unknown>[]>[] = [];
  const drainOne = async () => {
    await write(await inflight.shift()!);
    const secs = (Date.now() - started) / 1000;
    bar.update(counts.done, { rate: Math.round((counts.done - prior.done) / Math.max(secs, 0.001)), accepted: counts.accepted, rejected: counts.rejected });
  };
  try {
    const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
    let lineNo = 0;
    let batch: Batch = { first: startLine, lines: [] };
    for await (const text of rl) {
      lineNo++;
      if (lineNo < startLine) continue;
      batch.lines.push(text);
      if (batch.lines.length === IMPORT_BATCH) {
        inflight.push(sendBatch(send, batch, keyPrefix, o.event));
        batch = { first: lineNo + 1, lines: [] };
        if (inflight.length >= IN_FLIGHT) await drainOne();
      }
    }
    if (batch.lines.length) inflight.push(sendBatch(send, batch, keyPrefix, o.event));
    while (inflight.length) await drainOne();
  } finally {
    // Let every request in flight settle before closing (its result is lost, its key is not).
    await Promise.allSettled(inflight);
    bar.stop();
    await new Promise<void>((r) => out.end(() => r()));
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    file,
    results: resultsPath,
    lines: counts.done,
    accepted: counts.accepted,
    rejected: counts.rejected,
    resumed_from: prior.done,
    seconds: Math.round(seconds * 100) / 100,
    lines_per_second: Math.round((counts.done - prior.done) / Math.max(seconds, 0.001)),
  };
}

export function registerImportCommand(program: Command, out: (text: string) => void): void {
  program
    .command('import')
    .description('Import sends from an NDJSON file (one REST send body per line) through the batch path; resumable.')
    .requiredOption('--event <name>', 'the event of lines that do not name one')
    .argument('<file>', 'the .ndjson file; results go to <file>.results.ndjson (…/x.ndjson → …/x.results.ndjson)')
    .option('--url <url>', 'a running server (with --key); default: the database directly')
    .option('--key <api-key>', 'API key for --url (or ARSEL_API_KEY)')
    .option('--org <org-id>', 'database path: the organization (needed when several have an event of that name)')
    .option('--json', 'print the summary as one JSON line')
    .action(async (file: string, opts: ImportOpts) => {
      const abs = path.resolve(file);
      if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw await usage(`no such file: ${file}`);
      const key = opts.key ?? process.env.ARSEL_API_KEY;
      if (opts.url && !key) throw await usage('--url needs --key (or ARSEL_API_KEY)');
      const summary = opts.url
        ? await runImport(abs, opts, httpSender(opts.url, key!))
        : await withAppRuntime(async (deps) => runImport(abs, opts, await dbSender(deps, await resolveOrg(deps, opts.event, opts.org))));
      out(
        opts.json
          ? JSON.stringify(summary)
          : `Imported ${summary.lines} lines (${summary.accepted} accepted, ${summary.rejected} rejected${summary.resumed_from ? `; resumed after line ${summary.resumed_from}` : ''}) in ${summary.seconds} s, ${summary.lines_per_second} lines/s. Results: ${summary.results}`,
      );
    });
}
