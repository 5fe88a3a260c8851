/**
 * Checking a template costs time linear in its length (issue 19, item 3: one tenant's save must not
 * stall the others). LiquidJS computes every token's line and column by scanning its template from
 * the start, and its parser takes tokens off the front of an array; the checker's static analysis
 * asks for a position per variable, so a 100 KB template of 20,000 `{{x}}` took 3 s of the HTTP event
 * loop (an automation of two such templates: 6 s during which every tenant waited). templates.ts
 * gives both a linear replacement; these tests fail on the quadratic versions.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liquid, templateVariableIssues } from '../../src/automations/templates.js';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED } from './helpers.js';

const FIELDS = ORDER_COMPLETED.schema.fields as never;
/** Shapes that were quadratic, each just under LiquidJS's parseLimit (100,000 characters). */
const SHAPES: [string, string][] = [
  ['20,000 outputs of an unknown variable', '{{x}}'.repeat(19_800)],
  ['9,000 outputs of a declared field', '{{event.order_id}}'.repeat(5_500)],
  ['7,000 assigns', '{%assign a=1%}'.repeat(7_000)],
  ['a chain of 6,000 contains', `{% if a${' contains a or a'.repeat(6_000)} %}{% endif %}`],
  ['8,000 nested brackets', `{{event${'[event]'.repeat(11_000)}}}`],
];

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

describe('template checking is linear', () => {
  it.each(SHAPES)('%s: checked in well under a second', (_, source) => {
    expect(source.length).toBeLessThan(100_000);
    timed(() => templateVariableIssues(source, FIELDS)); // warm up
    const best = Math.min(...[1, 2, 3].map(() => timed(() => templateVariableIssues(source, FIELDS))));
    // Quadratic: 1.1–3 s on the shared 2-core box. Linear: 20–100 ms there.
    expect(best).toBeLessThan(400);
  });

  it('doubling a template about doubles its cost (not ×4)', () => {
    const cost = (n: number) => {
      const src = '{{x}}\n'.repeat(n);
      templateVariableIssues(src, FIELDS);
      return Math.min(...[1, 2, 3].map(() => timed(() => templateVariableIssues(src, FIELDS))));
    };
    const small = cost(4_000);
    const big = cost(16_000);
    // ×4 the length: linear is ~×4, quadratic ~×16.
    expect(big / small).toBeLessThan(9);
  });

  it('line and column in messages are still right', () => {
    const cases: [string, string][] = [
      ['{{ x | nope }}', 'line:1, col:1'],
      ['a\nbc\n  {{ x | nope }}', 'line:3, col:3'],
      ['\n\n\n\n{% if %}', 'line:5, col:6'],
      ['é😀\n\t{{ a | nope }}', 'line:2, col:2'],
    ];
    for (const [src, where] of cases) {
      const err = (() => {
        try {
          liquid.parse(src);
          return null;
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err?.message).toContain(where);
    }
    // Positions inside one template after another template was analysed (the line index is per template).
    templateVariableIssues('x\n'.repeat(1000), FIELDS);
    expect(() => liquid.parse('ab\n{{ y | nope }}')).toThrow(/line:2, col:1/);
  });
});

describe('a save of the largest templates does not stall another tenant', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  beforeAll(async () => {
    t = await startTestApp({ config: { logLevel: 'silent' } });
    a = (await t.createOrg('A')).token;
    b = (await t.createOrg('B')).token;
    for (const token of [a, b]) expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('two 100 KB templates of 20,000 outputs are saved with their issue while B reads', async () => {
    const big = '{{x}}'.repeat(19_800);
    const body = {
      name: `heavy ${randomUUID()}`,
      steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, { key: 'mail', type: 'send_email', subject: big, body: big }],
      connections: [{ from: 'trigger', to: 'mail' }],
    };
    let saving = true;
    const others: number[] = [];
    const reader = (async () => {
      while (saving) {
        const t0 = performance.now();
        expect((await t.http('GET', '/v1/events?limit=5', { token: b })).status).toBe(200);
        others.push(performance.now() - t0);
      }
    })();
    const t0 = performance.now();
    const saved = await t.http('POST', '/v1/automations', { token: a, body });
    const took = performance.now() - t0;
    saving = false;
    await reader;
    expect(saved.status).toBe(201);
    expect(saved.body.issues.map((i: { path: string; reason: string }) => `${i.path}: ${i.reason}`)).toEqual([
      'steps[mail].subject: unknown variable x (use event.* or contact.*)',
      'steps[mail].body: unknown variable x (use event.* or contact.*)',
    ]);
    // Quadratic: ~6 s of event loop for this save, every read of B waiting behind it.
    expect(took).toBeLessThan(2_000);
    expect(Math.max(...others)).toBeLessThan(1_000);
  });
});
