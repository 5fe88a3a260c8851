/**
 * The process logger, shared by the main thread and the worker thread (this module imports only
 * pino, so the worker thread can load it without the ORM).
 */
import pino from 'pino';

export const REDACT = {
  paths: ['req.headers.authorization', 'headers.authorization', 'authorization', '*.authorization', 'token', '*.token', 'api_key', '*.api_key', 'password', '*.password', 'smtpUrl', 'databaseUrl'],
  censor: '[redacted]',
};

/**
 * The destination: synchronous writes of at least LOG_MIN_WRITE bytes (sonic-boom, pino's own;
 * pino's default destination is synchronous too).
 * - Not asynchronous, because asynchronous sonic-boom cannot exit cleanly: at exit pino calls
 *   flushSync, which writes the rest of the buffer while an asynchronous write may still be in
 *   flight, so the last lines came out of order (5 runs in 60 of 3,000 lines and process.exit;
 *   CI caught it) and a partly written chunk is never finished. A synchronous write has nothing
 *   in flight.
 * - Asynchronous mode also writes one chunk per event-loop turn: small chunks (2 KB) fell behind at
 *   256 connections (lines queued in memory, RSS up to 320 MB), and large ones cost allocation
 *   (each line is appended to the pending chunk with `+=` after `Buffer.byteLength` of that chunk,
 *   which flattens it). A synchronous write empties the buffer at once, so a chunk never grows
 *   past ~LOG_MIN_WRITE plus a line, and nothing queues up.
 * - Throughput: against the asynchronous 4 KB buffer, 3 of 3 quick pairs at 256 connections were
 *   better (16,886 / 16,281 / 15,756 vs 16,275 / 15,080 / 11,897 sends/s), 20 s pairs were even
 *   (13,387 / 15,518 / 14,454 vs 14,101 / 15,326 / 16,453): no loss either way.
 * - The cost: a slow stdout reader (a full pipe) blocks the event loop, as with pino's default
 *   destination.
 */
const LOG_MIN_WRITE = 1024;

type Destination = ReturnType<typeof pino.destination>;
const destinations = new Set<Destination>();
/**
 * pino flushes a destination at exit only when it is asynchronous; ours is synchronous but
 * buffered, so the last lines before a crash (an uncaught exception, process.exit) are written here.
 */
function flushOnExit(dest: Destination): void {
  if (destinations.size === 0) {
    process.on('exit', () => {
      for (const d of destinations) {
        try {
          if (!(d as unknown as { destroyed?: boolean }).destroyed) d.flushSync();
        } catch {
          // stdout already closed: nothing left to write to
        }
      }
    });
  }
  destinations.add(dest);
}

/** How long a log line may wait in the logger's buffer before it is written anyway. */
const LOG_FLUSH_MS = 50;

/**
 * The process logger: JSON lines on stdout through a buffered destination (one write per ~1 KB
 * instead of one write per line; the per-request line made stdout writes a visible share of the
 * accept path's CPU). Lines reach stdout within LOG_FLUSH_MS, and whatever is buffered is written
 * synchronously when the process exits (flushOnExit: process.exit, a fatal error, the end of a
 * graceful shutdown).
 */
export function createLogger(level: string) {
  const dest = pino.destination({ dest: 1, sync: true, minLength: LOG_MIN_WRITE });
  flushOnExit(dest);
  const timer = setInterval(() => {
    // sonic-boom's own fields: _len = bytes buffered (when unknown, flush anyway).
    const s = dest as unknown as { destroyed?: boolean; _len?: number };
    if (!s.destroyed && s._len !== 0) dest.flush();
  }, LOG_FLUSH_MS);
  timer.unref();
  return pino({ level, redact: REDACT, base: { pid: process.pid } }, dest);
}

/** Writes out what the logger has buffered; resolves once it is written (or the stream is gone). */
export function flushLogger(log: pino.Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      log.flush(() => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * Writes already-serialised log lines (the worker thread's, see worker-thread.ts) through this
 * logger's own buffered stream, so the process has one writer on stdout and lines never interleave.
 */
export function rawLineWriter(log: pino.Logger): (line: string) => void {
  const stream = (log as unknown as Record<symbol, { write(s: string): unknown }>)[pino.symbols.streamSym];
  return (line) => void stream.write(line);
}
