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
