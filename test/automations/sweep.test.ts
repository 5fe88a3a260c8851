/**
 * Stored issues that are stale (rows from before the checked_against migration, a re-check cut short
 * by a crash, a checker upgrade) are re-checked by the sweep each API process runs at start.
 */
import { afterAll, expect, it } from 'vitest';
import { startTestApp, until, type TestApp } from '../setup/harness.js';

let t: TestApp | undefined;
afterAll(() => t?.close());

it('a restarted server re-checks automations whose stored issues are stale', async () => {
  t = await startTestApp();
  const { token } = await t.createOrg('Sweep');
  await t.http('POST', '/v1/events', { token, body: { name: 'sweep.me', schema: { fields: [{ name: 'total', type: 'number' }] } } });
  const a = await t.http('POST', '/v1/automations', {
    token,
    body: { name: 's', steps: [{ key: 'trigger', type: 'trigger', event: 'sweep.me' }, { key: 'm', type: 'send_email', subject: '{{ event.totl }}', body: 'b' }], connections: [{ from: 'trigger', to: 'm' }] },
  });
  expect(a.body.issues.map((i: any) => i.message)).toEqual(['steps[m].subject: unknown field event.totl']);
  // As a row written before the migration (or by a re-check that died) looks: wrong issues, no fingerprint.
  await t.deps.pool.query(`update automations set issues = '[]', checked_against = null where id = $1`, [a.body.id]);
  expect((await t.http('GET', `/v1/automations/${a.body.id}`, { token })).body.issues).toEqual([]); // reads only read
  const databaseUrl = t.databaseUrl;
  await t.close();
  t = await startTestApp({ databaseUrl });
  const got = await until(
    () => t!.http('GET', `/v1/automations/${a.body.id}`, { token }),
    (r) => r.body.issues.length === 1,
    15_000,
    'sweep re-checked the stale automation',
  );
  expect(got.body.issues[0].message).toBe('steps[m].subject: unknown field event.totl');
});

it('a one-shot CLI runtime (arsel import / replay through the database) runs no sweep', async () => {
  const { token } = await t!.createOrg('OneShot');
  await t!.http('POST', '/v1/events', { token, body: { name: 'oneshot', schema: { fields: [{ name: 'total', type: 'number' }] } } });
  const a = await t!.http('POST', '/v1/automations', {
    token,
    body: { name: 'o', steps: [{ key: 'trigger', type: 'trigger', event: 'oneshot' }, { key: 'm', type: 'send_email', subject: '{{ event.totl }}', body: 'b' }], connections: [{ from: 'trigger', to: 'm' }] },
  });
  await t!.deps.pool.query(`update automations set issues = '[]', checked_against = null where id = $1`, [a.body.id]);
  const databaseUrl = t!.databaseUrl;
  await t!.close();
  t = undefined;
  const saved = { url: process.env.DATABASE_URL, level: process.env.LOG_LEVEL };
  process.env.DATABASE_URL = databaseUrl;
  delete process.env.LOG_LEVEL;
  try {
    const { withAppRuntime } = await import('../../src/cli/app-runtime.js');
    const row = await withAppRuntime(async (deps) => {
      await new Promise((r) => setTimeout(r, 1_500)); // a server's sweep re-checks it well within this (test above)
      return (await deps.pool.query(`select issues, checked_against from automations where id = $1`, [a.body.id])).rows[0];
    });
    expect(row).toEqual({ issues: [], checked_against: null });
  } finally {
    if (saved.url === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved.url;
    if (saved.level !== undefined) process.env.LOG_LEVEL = saved.level;
  }
});
