/** Automations know the contact's new fields: the checker types them, conditions and templates read them. */
import { expect, it } from 'vitest';
import { resolveField } from '../../src/automations/checker.js';
import { evaluateCondition } from '../../src/automations/steps/condition.js';
import { renderTemplate, templateVariableIssues } from '../../src/automations/templates.js';
import { contactContext } from '../../src/contacts/contact.context.js';

const row = {
  id: '0195f3a0-0000-7000-8000-000000000002', phone_number: '+14155550100', external_id: 'crm-1', first_name: 'Ann', last_name: 'Lee',
  source: 'event', properties: { plan: 'pro' }, is_suppressed: true, created_at: '2026-01-02T03:04:05.006+00:00', updated_at: '2026-02-02T00:00:00+00:00',
};

it('the checker types the contact fields and properties.*; attributes.* is gone', () => {
  expect(resolveField('contact.phone_number', [])).toEqual({ type: 'string' });
  expect(resolveField('contact.is_suppressed', [])).toEqual({ type: 'boolean' });
  expect(resolveField('contact.updated_at', [])).toEqual({ type: 'date' });
  expect(resolveField('contact.properties.plan', [])).toEqual({ type: 'untyped' });
  expect(resolveField('contact.attributes.plan', [])).toMatchObject({ reason: expect.stringContaining('unknown field contact.attributes.plan') });
  expect(templateVariableIssues('{{ contact.first_name }} {{ contact.properties.plan }} {{ contact.external_id }}', [])).toEqual([]);
  expect(templateVariableIssues('{{ contact.properties }}', [])).toEqual(['use one property (contact.properties.<name>)']);
  expect(templateVariableIssues('{{ contact.attributes.plan }}', [])[0]).toMatch(/unknown field contact\.attributes/);
});

it('conditions and templates read the contact as automations see it', async () => {
  const ctx = { event: {}, contact: contactContext(row, 'ann@example.com') };
  expect(evaluateCondition({ field: 'contact.is_suppressed', op: 'eq', value: true }, ctx, []).met).toBe(true);
  expect(evaluateCondition({ field: 'contact.properties.plan', op: 'eq', value: 'pro' }, ctx, []).met).toBe(true);
  expect(evaluateCondition({ field: 'contact.created_at', op: 'lt', value: '2026-01-03' }, ctx, []).met).toBe(true);
  expect(await renderTemplate('{{ contact.first_name }} {{ contact.last_name }} {{ contact.phone_number }} {{ contact.source }} {{ contact.created_at | date: "%Y-%m-%d" }} {{ contact.email }}', ctx))
    .toBe('Ann Lee +14155550100 event 2026-01-02 ann@example.com');
  // no contact row (not created yet): the send's email, everything else empty
  expect(contactContext(null, 'x@example.com')).toMatchObject({ id: null, email: 'x@example.com', properties: {}, is_suppressed: false, created_at: null });
});
