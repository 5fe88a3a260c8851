/**
 * The process logger, shared by the main thread and the worker thread (this module imports only
 * pino, so the worker thread can load it without the ORM).
 */
import pino from 'pino';

export const REDACT = {
  paths: ['req.headers.authorization', 'headers.authorization', 'authorization', '*.authorization', 'token', '*.token', 'api_key', '*.api_key', 'password', '*.password', 'smtpUrl', 'databaseUrl'],
  censor: '[redacted]',
};

/** How long a log line may wait in the logger's buffer before it is written anyway. */
const LOG_FLUSH_MS = 50;

/**
 * The process logger: JSON lines on stdout through an asynchronous, buffered destination (one
 * write per ~4 KB instead of one synchronous write per line; the per-request line made stdout
 * writes a visible share of the accept path's CPU). Lines reach stdout within LOG_FLUSH_MS, and
 * pino flushes the buffer synchronously when the process exits (process.exit, a fatal error,
 * the end of a graceful shutdown); call flushLogger before exiting on purpose.
 */
export function createLogger(level: string) {
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
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
