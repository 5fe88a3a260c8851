/**
 * WakeSignal's in-process coalescing, heard through a real BroadcastChannel by a WakeListener:
 * per topic, the first signal is posted at once (with its ids), signals within IN_PROCESS_MS fold
 * into one trailing message with the earliest `at`, and topics are coalesced independently.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WakeListener, WakeSignal, type WakeTopic } from '../../src/shared/wake.js';

const log = { debug() {}, warn() {} };
const heard: { topic: WakeTopic; at?: number; ids?: string[]; t: number }[] = [];
let listener: WakeListener | undefined;
let signal: WakeSignal | undefined;

afterEach(async () => {
  signal?.close();
  await listener?.stop();
  heard.length = 0;
});

const until = async (cond: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
};

describe('WakeSignal in-process coalescing', () => {
  it('leading message at once with ids, one trailing message with the earliest at, topics apart', async () => {
    listener = new WakeListener(undefined, log);
    for (const topic of ['sends', 'waits'] as WakeTopic[]) listener.on(topic, (at, ids) => heard.push({ topic, at, ids, t: Date.now() }));
    await listener.start();
    signal = new WakeSignal(undefined, 0, log);
    const t0 = Date.now();
    signal.signal('sends', undefined, ['a']);
    signal.signal('sends', 300, ['b']);
    signal.signal('sends', 200);
    signal.signal('sends', 400);
    signal.signal('waits', 50);
    await until(() => heard.length >= 3);
    await new Promise((r) => setTimeout(r, 30)); // nothing more comes
    const sends = heard.filter((h) => h.topic === 'sends');
    expect(sends.map(({ at, ids }) => ({ at, ids }))).toEqual([{ at: undefined, ids: ['a'] }, { at: 200, ids: undefined }]);
    expect(sends[1]!.t - t0).toBeGreaterThanOrEqual(4); // the trailing one waits out the gap
    expect(heard.filter((h) => h.topic === 'waits').map(({ at }) => at)).toEqual([50]);
  });

  it('a closed signal posts nothing, not even a pending trailing message', async () => {
    listener = new WakeListener(undefined, log);
    listener.on('steps', (at, ids) => heard.push({ topic: 'steps', at, ids, t: Date.now() }));
    signal = new WakeSignal(undefined, 0, log);
    signal.signal('steps');
    signal.signal('steps', 7);
    signal.close();
    signal.signal('steps');
    await new Promise((r) => setTimeout(r, 40));
    expect(heard.map((h) => h.at)).toEqual([undefined]);
  });
});
