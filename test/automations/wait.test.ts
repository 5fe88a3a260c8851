/** A `wait` resumes from a scheduled pg-boss job, also after the worker has been restarted in between. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/harness.js';
import { ORDER_COMPLETED, startSmtp, waitFor, type TestSmtp } from './helpers.js';

let smtp: TestSmtp;
let apps: TestApp[] = [];

beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  for (const a of apps) await a.close().catch(() => {});
  await smtp?.close();
});

describe('wait', () => {
  it('a waiting run resumes after the worker restarts', async () => {
    const config = { smtpUrl: smtp.url };
    const first = await startTestApp({ worker: true, config });
    apps.push(first);
    const { token } = await first.createOrg('Acme');
    expect((await first.http('POST', '/v1/events', { token, body: ORDER_COMPLETED })).status).toBe(201);
    const created = await first.http('POST', '/v1/automations', {
      token,
      body: {
        name: 'Follow up',
        status: 'enabled',
        steps: [
          { key: 'trigger', type: 'trigger', event: 'order.completed' },
          { key: 'pause', type: 'wait', duration: 'PT3S' },
          { key: 'follow_up', type: 'send_email', subject: 'How was order {{ event.order_id }}?', body: 'Placed {{ event.placed_at | date: "%d.%m.%Y" }}' },
        ],
        connections: [
          { from: 'trigger', to: 'pause' },
          { from: 'pause', to: 'follow_up' },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('enabled');
    const id = created.body.id;

    const sent = await first.http('POST', '/v1/events/send', { token, body: { event: 'order.completed', email: 'kim@example.com', data: { order_id: 'o-9', total: 5, placed_at: '2026-06-01' } } });
    expect(sent.status).toBe(202);
    const waiting = await waitFor(async () => {
      const r = await first.http('GET', `/v1/automations/${id}/runs`, { token });
      return r.body.data[0]?.status === 'waiting' ? r.body.data[0] : null;
    }, 15_000, 'run waiting');
    expect(waiting.current_step).toBe('follow_up');
    expect(waiting.steps.at(-1)).toMatchObject({ step: 'pause', outcome: 'waiting', details: { duration: 'PT3S' } });
    const resumeAt = Date.parse(waiting.steps.at(-1).details.resume_at);
    expect(Date.parse(waiting.wait_until)).toBe(resumeAt);

    // Stop everything of the first process (API + worker), then start a fresh one on the same database.
    await first.close();
    apps = [];
    expect(smtp.mails).toHaveLength(0);
    const second = await startTestApp({ worker: true, config, databaseUrl: first.databaseUrl });
    apps.push(second);

    await waitFor(() => smtp.mails.length === 1, 20_000, 'follow-up email');
    expect(Date.now()).toBeGreaterThanOrEqual(resumeAt);
    expect(smtp.mails[0]!.subject).toBe('How was order o-9?');
    expect(smtp.mails[0]!.body).toContain('Placed 01.06.2026');
    const done = await waitFor(async () => {
      const r = await second.http('GET', `/v1/automations/${id}/runs`, { token });
      return r.body.data[0]?.status === 'completed' ? r.body.data[0] : null;
    }, 10_000, 'run completed');
    expect(done.steps.map((s: any) => s.step)).toEqual(['trigger', 'pause', 'follow_up']);
    expect(Date.parse(done.steps[2].started_at)).toBeGreaterThanOrEqual(resumeAt);
    expect(done.wait_until).toBeNull();
  });
});
