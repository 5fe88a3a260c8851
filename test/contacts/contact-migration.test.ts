/**
 * Migration20261201000002_contact_fields on a populated database: `attributes` data moves to
 * `properties`, existing contacts get `source = 'api'`, and stored automations that named
 * `contact.attributes.<name>` now name `contact.properties.<name>` and still type-check.
 */
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { inject, afterAll, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-key.service.js';
import { Organization } from '../../src/auth/organization.entity.js';
import { ormOptions } from '../../src/orm.config.js';
import { withDatabase } from '../setup/global-setup.js';
import { startTestApp, type TestApp } from '../setup/harness.js';

let t: TestApp | undefined;
afterAll(() => t?.close());

it('moves attributes to properties and rewrites automations\' contact.attributes.* fields', async () => {
  const name = `arsel_t_${inject('templateDb').replace('arsel_test_template_', '')}_mig_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(inject('adminUrl'), name);

  const orm = await MikroORM.init(ormOptions(url, { pool: { min: 0, max: 2 } }));
  await orm.migrator.up({ to: 'Migration20261128000001_event_sends_hot_updates' });
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const org = '0195f3a0-0000-7000-8000-000000000001';
  const contact = '0195f3a0-0000-7000-8000-000000000002';
  await db.query(`insert into organizations (id, name) values ($1, 'Old')`, [org]);
  await db.query(`insert into contacts (id, organization_id, email, attributes) values ($1, $2, 'old@example.com', '{"plan":"pro","n":{"a":1}}')`, [contact, org]);
  await db.query(`insert into event_definitions (id, organization_id, name, fields) values ('0195f3a0-0000-7000-8000-000000000003', $1, 'order.completed', '[]')`, [org]);
  const steps = [
    { key: 'trigger', type: 'trigger', event: 'order.completed' },
    { key: 'check', type: 'condition', if: { field: 'contact.attributes.plan', op: 'eq', value: 'pro' } },
    { key: 'mail', type: 'send_email', subject: 'Hi {{ contact.attributes.plan }}', body: 'b' },
  ];
  await db.query(
    `insert into automations (id, organization_id, name, status, trigger_event, steps, connections, webhook_secret)
     values ('0195f3a0-0000-7000-8000-000000000004', $1, 'Old', 'draft', 'order.completed', $2, $3, 'whsec_x')`,
    [org, JSON.stringify(steps), JSON.stringify([{ from: 'trigger', to: 'check' }, { from: 'check', outcome: 'condition_met', to: 'mail' }])],
  );

  await orm.migrator.up();
  await orm.close(true);

  const c = (await db.query(`select email, properties, source, is_suppressed, phone_number from contacts where id = $1`, [contact])).rows[0];
  expect(c).toEqual({ email: 'old@example.com', properties: { plan: 'pro', n: { a: 1 } }, source: 'api', is_suppressed: false, phone_number: null });
  const a = (await db.query(`select steps from automations`)).rows[0].steps;
  expect(a[1].if.field).toBe('contact.properties.plan');
  expect(a[2].subject).toBe('Hi {{ contact.properties.plan }}');
  await expect(db.query(`insert into contacts (id, organization_id) values ('0195f3a0-0000-7000-8000-000000000005', $1)`, [org])).rejects.toThrow(/contacts_identified/);
  await db.end();

  // the API reads the migrated contact and the automation type-checks against the new fields
  t = await startTestApp({ databaseUrl: url });
  const em = t.deps.orm.em.fork();
  const { token } = await createApiKey(em, await em.findOneOrFail(Organization, org));
  const got = await t.http('GET', `/v1/contacts/${contact}`, { token });
  expect(got.body).toMatchObject({ email: 'old@example.com', properties: { plan: 'pro', n: { a: 1 } }, source: 'api', external_id: null });
  const auto = await t.http('GET', '/v1/automations/0195f3a0-0000-7000-8000-000000000004', { token });
  expect(auto.status).toBe(200);
  expect(auto.body.issues).toEqual([]);
});
