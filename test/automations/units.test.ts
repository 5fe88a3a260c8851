/** Pure parts of automations: ISO durations, condition semantics, the network guard's address rules and DNS hook. */
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/automations/duration.js';
import { guardedLookup, isBlockedAddress, urlRefusal } from '../../src/automations/net-guard.js';
import { evaluateCondition } from '../../src/automations/steps/condition.js';
import { LiquidDate, renderTemplate, typedPayload } from '../../src/automations/templates.js';

describe('parseDuration', () => {
  it.each([
    ['PT1H', 3_600_000],
    ['PT90M', 5_400_000],
    ['P1DT12H', 129_600_000],
    ['P2W', 1_209_600_000],
    ['PT0.5S', 500],
    ['PT3S', 3_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['1h', 'P', 'PT', 'P1H', 'PT1D', '', 'PT-1H', 'P1DT'])('%s is not a duration', (text) => expect(parseDuration(text)).toBeNull());
});

describe('evaluateCondition', () => {
  const fields = [
    { name: 'total', type: 'number' as const, required: true },
    { name: 'placed_at', type: 'date' as const, required: false },
    { name: 'sku', type: 'string' as const, required: false },
  ];
  const ctx = {
    event: typedPayload({ total: 129.99, placed_at: '2026-06-01T12:00:00Z', sku: 'ABC-123', tags: ['vip'] }, fields),
    contact: { email: 'jane@example.com', properties: { plan: 'pro' } },
  };
  it.each([
    ['event.total', 'gt', 100, true],
    ['event.total', 'gt', 129.99, false],
    ['event.total', 'gte', 129.99, true],
    ['event.total', 'lt', 10, false],
    ['event.total', 'lte', 129.99, true],
    ['event.total', 'eq', 129.99, true],
    ['event.total', 'neq', 129.99, false],
    ['event.placed_at', 'gt', '2026-05-31', true],
    ['event.placed_at', 'eq', '2026-06-01T14:00:00+02:00', true],
    ['event.sku', 'contains', 'BC-1', true],
    ['event.sku', 'contains', 'xyz', false],
    ['event.missing', 'exists', undefined, false],
    ['event.missing', 'neq', 'x', true],
    ['event.missing', 'eq', 'x', false],
    ['event.sku', 'exists', undefined, true],
    ['contact.email', 'contains', '@example.com', true],
    ['contact.properties.plan', 'eq', 'pro', true],
    ['event.tags', 'contains', 'vip', true],
  ])('%s %s %j → %s', (field, op, value, met) => {
    expect(evaluateCondition({ field, op, value }, ctx, fields).met).toBe(met);
  });
});

describe('templates', () => {
  it('dates are dates (date filter, UTC) and print as ISO 8601', async () => {
    const event = typedPayload({ placed_at: '2026-06-01T23:30:00+02:00' }, [{ name: 'placed_at', type: 'date', required: false }]);
    expect(event.placed_at).toBeInstanceOf(LiquidDate);
    expect(await renderTemplate('{{ event.placed_at | date: "%Y-%m-%d %H:%M" }}|{{ event.placed_at }}', { event, contact: {} })).toBe('2026-06-01 21:30|2026-06-01T21:30:00.000Z');
  });
});

describe('template limits', () => {
  it('a runaway loop fails instead of stalling the worker', async () => {
    await expect(renderTemplate('{% for i in (1..100000000) %}{{ i }}{% endfor %}', { event: {}, contact: {} })).rejects.toThrow(/limit/i);
  });
});

describe('network guard', () => {
  it.each(['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1'])('%s is blocked', (ip) =>
    expect(isBlockedAddress(ip)).toBe(true),
  );
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('%s is public', (ip) => expect(isBlockedAddress(ip)).toBe(false));

  it('allow-list by host; scheme and credentials refused', async () => {
    expect(await urlRefusal('http://127.0.0.1:9/x', ['127.0.0.1'])).toBeNull();
    expect(await urlRefusal('http://127.0.0.1:9/x', [])).toContain('loopback');
    expect(await urlRefusal('http://[::1]/x', [])).toContain('private, loopback');
    expect(await urlRefusal('file:///etc/passwd', [])).toContain('only http and https');
    expect(await urlRefusal('http://u:p@93.184.216.34/', [])).toContain('credentials');
    expect(await urlRefusal('http://localhost/x', [])).toContain('loopback');
  });

  it('the send-time DNS lookup refuses a name that resolves to loopback, unless allowed', async () => {
    const lookup = (allow: string[]) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        (guardedLookup(allow) as unknown as (h: string, o: object, cb: (e: NodeJS.ErrnoException | null, a: unknown) => void) => void)('localhost', {}, (err, address) => resolve({ err, address })),
      );
    const refused = await lookup([]);
    expect(refused.err?.code).toBe('EBLOCKEDADDRESS');
    const allowed = await lookup(['localhost']);
    expect(allowed.err).toBeNull();
  });
});
