/**
 * Wake-ups instead of polls. When work becomes ready (a group commit of sends, step jobs, a wait
 * coming due, outbox rows), the workers that will take it are told at once instead of finding it
 * at their next poll; polling stays only as the slow fallback that catches a lost signal.
 *
 * - Same process (every thread): a node:worker_threads BroadcastChannel. The API thread's group
 *   committer posts to it and the worker thread (role `all`) hears it within a fraction of a
 *   millisecond; no reference to the Worker object is needed, and isolates in the same thread hear
 *   it too (role `worker`, tests).
 * - Other processes: PostgreSQL LISTEN/NOTIFY on channel `arsel_wake`, payload `<topic>:<pid>[:<arg>]`.
 *   Coalesced: at most one NOTIFY per topic per `notifyMs` (leading edge at once, one trailing
 *   NOTIFY for whatever came after), sent after the commit on its own (not inside the commit, which
 *   would make every commit take PostgreSQL's global notify-queue lock). A process ignores its own
 *   NOTIFYs (its threads already heard the BroadcastChannel).
 *
 * A wake-up is only a hint: it makes a worker fetch now. Correctness never depends on it.
 */
import { BroadcastChannel } from 'node:worker_threads';
import pg from 'pg';

export type WakeTopic = 'sends' | 'steps' | 'waits' | 'outbox';
const TOPICS: WakeTopic[] = ['sends', 'steps', 'waits', 'outbox'];
export const WAKE_PG_CHANNEL = 'arsel_wake';
const BC_NAME = 'arsel:wake';

interface Msg {
  topic: WakeTopic;
  /** waits: epoch ms of the earliest new due time */
  at?: number;
}

interface Log {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The producing side: in-process broadcast at once, NOTIFY to other processes coalesced. */
export class WakeSignal {
  private readonly bc = new BroadcastChannel(BC_NAME);
  private readonly last = new Map<WakeTopic, number>();
  private readonly trailing = new Map<WakeTopic, { timer: NodeJS.Timeout; at?: number }>();
  private closed = false;

  /** notifyMs 0 = no NOTIFY (in-process only). */
  constructor(private readonly pool: pg.Pool | undefined, private readonly notifyMs: number, private readonly log?: Log) {
    (this.bc as unknown as { unref(): void }).unref();
  }

  signal(topic: WakeTopic, at?: number): void {
    if (this.closed) return;
    this.bc.postMessage(at === undefined ? { topic } : ({ topic, at } satisfies Msg));
    if (!this.pool || this.notifyMs <= 0) return;
    const pending = this.trailing.get(topic);
    if (pending) {
      if (at !== undefined) pending.at = pending.at === undefined ? at : Math.min(pending.at, at);
      return;
    }
    const since = Date.now() - (this.last.get(topic) ?? 0);
    if (since >= this.notifyMs) this.notify(topic, at);
    else {
      const timer = setTimeout(() => {
        const p = this.trailing.get(topic);
        this.trailing.delete(topic);
        this.notify(topic, p?.at);
      }, this.notifyMs - since);
      timer.unref();
      this.trailing.set(topic, { timer, at });
    }
  }

  private notify(topic: WakeTopic, at?: number): void {
    if (this.closed) return;
    this.last.set(topic, Date.now());
    const payload = `${topic}:${process.pid}${at === undefined ? '' : `:${at}`}`;
    this.pool!.query('select pg_notify($1, $2)', [WAKE_PG_CHANNEL, payload]).catch((err) => this.log?.debug({ err }, 'wake NOTIFY failed'));
  }

  close(): void {
    this.closed = true;
    for (const p of this.trailing.values()) clearTimeout(p.timer);
    this.trailing.clear();
    this.bc.close();
  }
}

export type WakeHandler = (at?: number) => void;

/**
 * The consuming side (one per worker set): hears the BroadcastChannel and, with a connection
 * string, LISTENs on `arsel_wake` over its own connection (reconnecting with backoff; after every
 * (re)connect each topic's handlers run once, since NOTIFYs sent meanwhile were missed).
 */
export class WakeListener {
  private readonly bc = new BroadcastChannel(BC_NAME);
  private readonly handlers = new Map<WakeTopic, Set<WakeHandler>>();
  private client?: pg.Client;
  private retry?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;

  constructor(private readonly pgConfig: pg.ClientConfig | undefined, private readonly log: Log) {
    (this.bc as unknown as { unref(): void }).unref();
    this.bc.onmessage = (e: unknown) => {
      const m = (e as { data: Msg }).data;
      if (m && typeof m.topic === 'string') this.emit(m.topic, m.at);
    };
  }

  on(topic: WakeTopic, fn: WakeHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Run a topic's handlers (also used for wake-ups inside this isolate). */
  emit(topic: WakeTopic, at?: number): void {
    for (const fn of this.handlers.get(topic) ?? []) {
      try {
        fn(at);
      } catch (err) {
        this.log.warn({ err, topic }, 'wake handler failed');
      }
    }
  }

  async start(): Promise<void> {
    if (this.pgConfig) await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(this.pgConfig);
    client.on('error', (err) => {
      this.log.debug({ err }, 'wake listener connection failed');
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    client.on('notification', (n) => {
      if (n.channel !== WAKE_PG_CHANNEL || !n.payload) return;
      const [topic, pid, at] = n.payload.split(':');
      if (Number(pid) === process.pid || !TOPICS.includes(topic as WakeTopic)) return;
      this.emit(topic as WakeTopic, at ? Number(at) : undefined);
    });
    try {
      await client.connect();
      await client.query(`listen ${WAKE_PG_CHANNEL}`);
      this.client = client;
      this.failures = 0;
      for (const t of TOPICS) this.emit(t); // whatever was signalled while we were not listening
    } catch (err) {
      this.log.debug({ err }, 'wake listener could not connect; polling covers it');
      this.reconnect(client);
    }
  }

  private readonly dead = new WeakSet<pg.Client>();

  private reconnect(client: pg.Client): void {
    if (this.stopped || this.dead.has(client)) return;
    this.dead.add(client);
    if (this.client === client) this.client = undefined;
    client.end().catch(() => {});
    const delay = Math.min(30_000, 500 * 2 ** this.failures++);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, delay);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.bc.close();
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}
