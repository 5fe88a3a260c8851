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
  /** sends (same process only): the ids a quiet group commit wrote, for an idle worker to process at once */
  ids?: string[];
}

interface Log {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Per key, at most one fire per `gapMs`: the first push fires at once (leading edge, with its `ids`);
 * pushes within the gap are folded into ONE trailing fire at the gap's end, carrying the earliest
 * `at` they gave (no ids: those were for a quiet moment's at-once fire).
 */
class Coalescer<K> {
  private readonly last = new Map<K, number>();
  private readonly trailing = new Map<K, { timer: NodeJS.Timeout; at?: number }>();

  constructor(private readonly gapMs: number, private readonly fire: (key: K, at?: number, ids?: string[]) => void) {}

  push(key: K, at?: number, ids?: string[]): void {
    const pending = this.trailing.get(key);
    if (pending) {
      if (at !== undefined) pending.at = pending.at === undefined ? at : Math.min(pending.at, at);
      return;
    }
    const now = Date.now();
    const since = now - (this.last.get(key) ?? 0);
    if (since >= this.gapMs) {
      this.last.set(key, now);
      this.fire(key, at, ids);
      return;
    }
    const timer = setTimeout(() => {
      const p = this.trailing.get(key);
      this.trailing.delete(key);
      this.last.set(key, Date.now());
      this.fire(key, p?.at);
    }, this.gapMs - since);
    timer.unref();
    this.trailing.set(key, { timer, at });
  }

  /** Drops the pending trailing fires. */
  close(): void {
    for (const p of this.trailing.values()) clearTimeout(p.timer);
    this.trailing.clear();
  }
}

/** The producing side: in-process broadcast at once, NOTIFY to other processes coalesced. */
export class WakeSignal {
  private readonly bc = new BroadcastChannel(BC_NAME);
  /**
   * The in-process message, coalesced too (at most one per topic per IN_PROCESS_MS: leading edge at
   * once, with the ids of a quiet commit; one trailing message for what came after): under load the
   * API thread committed hundreds of batches a second and the worker thread woke up for each.
   */
  private readonly posts = new Coalescer<WakeTopic>(IN_PROCESS_MS, (topic, at, ids) => {
    if (this.closed) return;
    this.bc.postMessage(at === undefined && !ids ? { topic } : ({ topic, at, ids } satisfies Msg));
  });
  /** NOTIFYs to other processes (none without a pool or with notifyMs 0: in-process only). */
  private readonly notifies?: Coalescer<WakeTopic>;
  private closed = false;

  /** notifyMs 0 = no NOTIFY (in-process only). */
  constructor(private readonly pool: pg.Pool | undefined, notifyMs: number, private readonly log?: Log) {
    (this.bc as unknown as { unref(): void }).unref();
    if (pool && notifyMs > 0) this.notifies = new Coalescer(notifyMs, (topic, at) => this.notify(topic, at));
  }

  signal(topic: WakeTopic, at?: number, ids?: string[]): void {
    if (this.closed) return;
    this.posts.push(topic, at, ids);
    this.notifies?.push(topic, at);
  }

  private notify(topic: WakeTopic, at?: number): void {
    if (this.closed) return;
    if (!this.othersListen()) return;
    const payload = `${topic}:${process.pid}${at === undefined ? '' : `:${at}`}`;
    this.pool!.query('select pg_notify($1, $2)', [WAKE_PG_CHANNEL, payload]).catch((err) => this.log?.debug({ err }, 'wake NOTIFY failed'));
  }

  private others = true;
  private othersCheckedAt = 0;
  private checking = false;

  /**
   * Whether another process has a WakeListener connected (its LISTEN connection is named
   * `arsel-wake:<pid>`), from a look at pg_stat_activity at most every OTHERS_CHECK_MS. A single
   * process (role all) then sends no NOTIFY at all: its threads hear the BroadcastChannel. Until the
   * first answer, and if the look fails, it assumes yes. A listener that connects later is covered
   * by its own catch-up fetch on connect and by polling until the next look.
   */
  private othersListen(): boolean {
    const now = Date.now();
    if (!this.checking && now - this.othersCheckedAt >= OTHERS_CHECK_MS) {
      this.checking = true;
      this.othersCheckedAt = now;
      this.pool!.query<{ n: boolean }>(
        `select exists (select 1 from pg_stat_activity where application_name like 'arsel-wake:%' and application_name <> $1) as n`,
        [listenerName()],
      ).then(
        (r) => (this.others = r.rows[0]?.n !== false),
        () => (this.others = true),
      ).finally(() => (this.checking = false));
    }
    return this.others;
  }

  close(): void {
    this.closed = true;
    this.posts.close();
    this.notifies?.close();
    this.bc.close();
  }
}

/** In-process wake-ups of one topic are at most this far apart (leading edge at once). */
const IN_PROCESS_MS = 5;
/** How often a WakeSignal looks whether another process listens (and so needs NOTIFYs). */
const OTHERS_CHECK_MS = 2_000;
/** The application_name of a process's LISTEN connection. */
const listenerName = () => `arsel-wake:${process.pid}`;

export type WakeHandler = (at?: number, ids?: string[]) => void;

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
      if (m && typeof m.topic === 'string') this.emit(m.topic, m.at, Array.isArray(m.ids) ? m.ids : undefined);
    };
  }

  on(topic: WakeTopic, fn: WakeHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Run a topic's handlers (also used for wake-ups inside this isolate). */
  emit(topic: WakeTopic, at?: number, ids?: string[]): void {
    for (const fn of this.handlers.get(topic) ?? []) {
      try {
        fn(at, ids);
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
    const client = new pg.Client({ ...this.pgConfig, application_name: listenerName() });
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

/**
 * Wakes pg-boss work() lanes without making a busy queue pay for it.
 * - A wake-up reaches ONE lane that is not inside its handler (round robin), never all of them:
 *   waking every lane for one commit made all but one fetch nothing.
 * - Wake-ups are rate-limited across the lanes: at most one per `minGapMs`; one that comes sooner
 *   is deferred to the end of the gap (and covers everything that came meanwhile). An idle server
 *   still fetches the moment a commit lands; under load a lane takes many commits per fetch and
 *   per processing transaction, as with polls and fetch-while-full, instead of one small round
 *   per commit (which doubled PostgreSQL's CPU per accepted send in bench/run.js).
 * - If every lane is busy, the wake-up is remembered and the first lane to finish takes it.
 */
export class LaneWaker {
  private readonly lanes: Lane[] = [];
  private next = 0;
  private pending = false;
  private stopped = false;
  private lastWake = -Infinity;
  private timer?: NodeJS.Timeout;

  constructor(private readonly notify: (id: string) => void, private readonly minGapMs: number) {}

  /** A work() handler for the next lane; register it, then pass the id pg-boss returned to `add`. */
  handler<A, R>(fn: (a: A) => Promise<R>): (a: A) => Promise<R> {
    const lane: Lane = { id: '', busy: false };
    this.lanes.push(lane);
    return async (a: A) => {
      lane.busy = true;
      try {
        return await fn(a);
      } finally {
        lane.busy = false;
        if (this.pending) {
          this.pending = false;
          this.wake();
        }
      }
    };
  }

  /** The id pg-boss gave the lane whose handler was made last. */
  add(id: string): void {
    const lane = this.lanes[this.lanes.length - 1];
    if (lane && !lane.id) lane.id = id;
  }

  /**
   * Runs `fn` now as the work of an idle lane (marked busy meanwhile) if one is idle and no wake-up
   * is due; false otherwise (then call wake()). For work handed over directly instead of fetched.
   */
  tryRun(fn: () => Promise<unknown>): boolean {
    const lane = this.lanes.find((l) => !l.busy && l.id);
    if (!lane || this.stopped || this.timer) return false;
    lane.busy = true;
    void fn().finally(() => {
      lane.busy = false;
      if (this.pending) {
        this.pending = false;
        this.wake();
      }
    });
    return true;
  }

  wake(): void {
    if (this.stopped || this.timer) return; // a deferred wake-up is coming: it covers this work
    const wait = this.lastWake + this.minGapMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.fire();
      }, wait);
      this.timer.unref();
      return;
    }
    this.fire();
  }

  private fire(): void {
    if (this.stopped) return;
    const n = this.lanes.length;
    for (let i = 0; i < n; i++) {
      const lane = this.lanes[(this.next + i) % n]!;
      if (lane.busy || !lane.id) continue;
      this.next = (this.next + i + 1) % n;
      this.lastWake = Date.now();
      this.notify(lane.id);
      return;
    }
    this.pending = true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

interface Lane {
  id: string;
  busy: boolean;
}
