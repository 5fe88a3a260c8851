/**
 * Templates have no file system (issue 19, item 1). Every tag that would load another file —
 * include, render, layout, in any spelling or nesting — is an issue at save time and a 422 on
 * enable, with the same words whether or not the named file exists; a template that reached the
 * database some other way (stored before the fix) renders no file at run time and its failure names
 * no path. Real HTTP, PostgreSQL, worker and SMTP; a real secret file in the working directory.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liquid } from '../../src/automations/templates.js';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, startSmtp, waitFor, type TestSmtp } from './helpers.js';

const SECRET = `ARSEL_TEST_SECRET_${randomUUID()}`;
const PRESENT = `.env.arsel-files-${process.pid}`;
const ABSENT = `.env.arsel-absent-${process.pid}`;
const presentPath = path.join(process.cwd(), PRESENT);

let t: TestApp;
let smtp: TestSmtp;
let token: string;

beforeAll(async () => {
  fs.writeFileSync(presentPath, `DATABASE_PASSWORD=${SECRET}\n`);
  smtp = await startSmtp();
  t = await startTestApp({ worker: true, config: { smtpUrl: smtp.url, logLevel: 'silent' } });
  token = (await t.createOrg('Acme')).token;
  expect((await t.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
});
afterAll(async () => {
  fs.rmSync(presentPath, { force: true });
  await t?.close();
  await smtp?.close();
});

/** Every way a template could name a file; `f` is the file's name. */
const FORMS: [string, (f: string) => string][] = [
  ['include, double quotes', (f) => `{% include "${f}" %}`],
  ['include, single quotes', (f) => `{% include '${f}' %}`],
  ['include, unquoted', (f) => `{% include ${f} %}`],
  ['include, dynamic name', () => `{% include event.order_id %}`],
  ['include with a variable', (f) => `{% include "${f}" with event.order_id %}`],
  ['include with parameters', (f) => `{% include "${f}", x: 1 %}`],
  ['include, whitespace control', (f) => `a {%- include "${f}" -%} b`],
  ['include, relative path', (f) => `{% include "./${f}" %}`],
  ['include, parent path', (f) => `{% include "../${path.basename(process.cwd())}/${f}" %}`],
  ['include, absolute path', (f) => `{% include "${path.join(process.cwd(), f)}" %}`],
  ['include without a name', () => `{% include %}`],
  ['render', (f) => `{% render "${f}" %}`],
  ['render with … as', (f) => `{% render "${f}" with event.order_id as x %}`],
  ['render for … as', (f) => `{% render "${f}" for event.order_id as x %}`],
  ['layout', (f) => `{% layout "${f}" %}`],
  ['layout with blocks', (f) => `{% layout "${f}" %}{% block main %}hi{% endblock %}`],
  ['layout none', () => `{% layout none %}x`],
  ['inside if', (f) => `{% if event.total > 1 %}{% include "${f}" %}{% endif %}`],
  ['inside for', (f) => `{% for i in (1..2) %}{% render "${f}" %}{% endfor %}`],
  ['inside capture', (f) => `{% capture x %}{% include "${f}" %}{% endcapture %}{{ x }}`],
  ['inside unless/case', (f) => `{% unless false %}{% case 1 %}{% when 1 %}{% layout "${f}" %}{% endcase %}{% endunless %}`],
  ['inside a liquid tag', (f) => `{% liquid\n  if true\n    include "${f}"\n  endif\n%}`],
  ['inside tablerow', (f) => `{% tablerow i in (1..2) %}{% render "${f}" %}{% endtablerow %}`],
];

const MESSAGE = /^\{% (include|render|layout) %\} is not available: templates cannot load other files, line:\d+, col:\d+$/;

function flow(prop: 'subject' | 'body' | 'to', template: string) {
  const thank: Record<string, string> = { key: 'thank', type: 'send_email', subject: 'Hello', body: 'Thanks {{ event.order_id }}' };
  thank[prop] = template;
  return {
    name: `files ${randomUUID()}`,
    steps: [{ key: 'trigger', type: 'trigger', event: 'order.completed' }, thank],
    connections: [{ from: 'trigger', to: 'thank' }],
  };
}

/** Nothing about the file system leaks: no content, no error code, no directory, no file name. */
function expectNoFileHints(text: string) {
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain('DATABASE_PASSWORD');
  expect(text).not.toContain('ENOENT');
  expect(text).not.toContain(process.cwd());
  expect(text).not.toContain(PRESENT);
  expect(text).not.toContain(ABSENT);
}

describe('templates cannot reach files', () => {
  it.each(FORMS)('%s: an issue at save, 422 on enable, the same whether or not the file exists', async (_, form) => {
    const answers: string[][] = [];
    for (const file of [PRESENT, ABSENT]) {
      for (const prop of ['body', 'subject', 'to'] as const) {
        const saved = await t.http('POST', '/v1/automations', { token, body: flow(prop, form(file)) });
        expect(saved.status).toBe(201);
        expect(saved.body.issues).toHaveLength(1);
        const [found] = saved.body.issues;
        expect(found).toMatchObject({ step: 'thank', path: `steps[thank].${prop}` });
        expect(found.reason).toMatch(MESSAGE);
        expectNoFileHints(JSON.stringify(saved.body.issues));

        const enabled = await t.http('POST', `/v1/automations/${saved.body.id}/enable`, { token });
        expect(enabled.status).toBe(422);
        expect(enabled.body.name).toBe('validation_error');
        expect(enabled.body.message).toBe(found.message);
        expectNoFileHints(enabled.text);
        answers.push([saved.body.issues[0].message, enabled.body.message]);
      }
    }
    // Identical words for the file that exists and the one that does not.
    expect(answers.slice(0, 3)).toEqual(answers.slice(3));
  });

  it('the engine itself has no file system: file APIs find nothing, the same for a file that exists and one that does not', async () => {
    const pairs = [[PRESENT, ABSENT], [presentPath, path.join(process.cwd(), ABSENT)], ['package.json', 'package.nope']];
    for (const pair of pairs) {
      const seen = [];
      for (const name of pair) {
        for (const call of [() => liquid.renderFile(name), () => liquid.parseFile(name), async () => liquid.renderFileSync(name)]) {
          const err = await call().then(() => null, (e: Error) => e);
          expect(err).toBeInstanceOf(Error);
          expect(err!.message).not.toContain(SECRET);
          seen.push(err!.message.replaceAll(name, '<name>'));
        }
      }
      expect(seen.slice(0, 3)).toEqual(seen.slice(3));
    }
  });

  it('a template stored directly in the database renders no file: the run fails with a message that names no path', async () => {
    const placements: [string, 'subject' | 'body' | 'to'][] = [
      [`{% include "${PRESENT}" %}`, 'body'],
      [`{% render "${presentPath}" %}`, 'subject'],
      [`{% layout "./${PRESENT}" %}`, 'to'],
      [`{% liquid\n include "${PRESENT}" %}`, 'body'],
    ];
    const ids: string[] = [];
    for (const [template, prop] of placements) {
      const saved = await t.http('POST', '/v1/automations', { token, body: flow(prop, prop === 'to' ? '{{ contact.email }}' : 'fine') });
      expect(saved.body.issues).toEqual([]);
      expect((await t.http('POST', `/v1/automations/${saved.body.id}/enable`, { token })).status).toBe(200);
      // As if saved before templates lost their file system: straight into the row.
      const steps = saved.body.steps.map((s: any) => (s.key === 'thank' ? { ...s, [prop]: template } : s));
      await t.deps.pool.query('update automations set steps = $1::jsonb where id = $2', [JSON.stringify(steps), saved.body.id]);
      ids.push(saved.body.id);
    }
    const sent = await t.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'jane@example.com', data: { order_id: 'o-1', total: 5 } } });
    expect(sent.status).toBe(202);

    for (const id of ids) {
      const run = await waitFor(async () => {
        const r = await t.http('GET', `/v1/automations/${id}/runs`, { token });
        return r.body.data?.find((x: any) => x.send_id === sent.body.id && x.status !== 'running');
      }, 20_000, 'run finished');
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/^step thank: \{% (include|render|layout) %\} is not available: templates cannot load other files/);
      const thank = run.steps.find((s: any) => s.step === 'thank');
      expect(thank.outcome).toBe('failed');
      expectNoFileHints(JSON.stringify(run));
    }
    const outbox = await t.deps.pool.query(`select payload::text as p from automation_outbox where run_id in (select id from automation_runs where send_id = $1)`, [sent.body.id]);
    expect(outbox.rows).toEqual([]);
    const stored = await t.deps.pool.query(`select steps::text || coalesce(error, '') as t from automation_runs where send_id = $1`, [sent.body.id]);
    for (const r of stored.rows) expect(r.t).not.toContain(SECRET);
    for (const m of smtp.mails) expect(m.body + m.subject).not.toContain(SECRET);
  });
});
