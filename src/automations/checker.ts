/**
 * Type-checks an automation against its trigger event's schema (the point of typed events).
 * Returns every issue, each naming the step key and the path (`steps[thank].subject: unknown field event.totl`).
 * Pure apart from the webhook host check, which may resolve DNS.
 */
import type { FieldDef, FieldTypeName } from '../events/event.entity.js';
import { parseDuration, MAX_WAIT_MS } from './duration.js';
import { checkGraph, CONDITION_OPS, issue, STEP_TYPES, type Connection, type Issue, type Step } from './graph.js';
import { urlRefusal } from './net-guard.js';
import { CONTACT_FIELDS, liquid, parsedVariableIssues, templateErrorReason } from './templates.js';

export interface CheckContext {
  /** Fields of the trigger event; null when the trigger names no live event. */
  eventFields: FieldDef[] | null;
  /** Name of the trigger event as found (for messages). */
  webhookAllowHosts: readonly string[];
  /** Resolve webhook hosts (save/enable); false only checks literal addresses. */
  resolveDns?: boolean;
  /** Called before each step: lets a long check yield to the event loop (automation.service `slicer`). */
  pause?: () => Promise<void>;
  /** Webhook hosts resolved before the check (net-guard resolveHosts). */
  resolvedHosts?: Map<string, string[] | null>;
}

const ALLOWED_PROPS: Record<string, string[]> = {
  trigger: ['event'],
  condition: ['if'],
  send_email: ['subject', 'body', 'to'],
  wait: ['duration'],
  webhook: ['url', 'headers'],
};
const COMMON_PROPS = ['key', 'type', 'name', 'description'];

/** Which ops fit which field type (`untyped` is contact.properties.* and undeclared data). */
const OPS_FOR: Record<FieldTypeName | 'untyped', readonly string[]> = {
  string: ['eq', 'neq', 'contains', 'exists'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists'],
  boolean: ['eq', 'neq', 'exists'],
  date: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists'],
  untyped: CONDITION_OPS,
};

const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'x-arsel-signature', 'x-arsel-timestamp', 'x-arsel-delivery', 'idempotency-key']);

export const isIsoDate = (v: unknown): boolean =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2}))?$/.test(v) && !Number.isNaN(Date.parse(v));

/** The type of a condition field, or a reason it cannot be used. */
export function resolveField(field: unknown, eventFields: FieldDef[] | null): { type: FieldTypeName | 'untyped' } | { reason: string } | null {
  if (typeof field !== 'string' || !field) return { reason: 'required: a field such as event.total or contact.email' };
  const [root, name, ...more] = field.split('.');
  if (root === 'event') {
    if (!name) return { reason: `use a field of event (event.<field>)` };
    if (!eventFields) return null; // the trigger issue says why
    const f = eventFields.find((x) => x.name === name);
    if (!f || more.length) return { reason: `unknown field ${field}` };
    return { type: f.type };
  }
  if (root === 'contact') {
    if (name === 'properties' && more.length) return { type: 'untyped' };
    if (name && !more.length && name in CONTACT_FIELDS) return { type: CONTACT_FIELDS[name]! };
    return { reason: `unknown field ${field} (contact fields: ${Object.keys(CONTACT_FIELDS).join(', ')}, properties.*)` };
  }
  return { reason: `unknown field ${field} (use event.* or contact.*)` };
}

function valueIssue(type: FieldTypeName | 'untyped', op: string, value: unknown, field: string): string | null {
  if (op === 'exists') return value === undefined || value === null || value === true ? null : 'exists takes no value';
  if (value === undefined || value === null) return `a value is required for ${op}`;
  const article = (t: string) => (t === 'untyped' ? 'a scalar' : `a ${t}`);
  switch (type) {
    case 'string':
      return typeof value === 'string' ? null : `expected a string for ${field}, got ${describe(value)}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : `expected a number for ${field}, got ${describe(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `expected a boolean for ${field}, got ${describe(value)}`;
    case 'date':
      return isIsoDate(value) ? null : `expected an ISO 8601 date for ${field}, got ${describe(value)}`;
    default:
      return ['string', 'number', 'boolean'].includes(typeof value) ? null : `expected ${article(type)} for ${field}, got ${describe(value)}`;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** A template's issues; parsing and analysing are separate slices (`pause` between), tens of ms each for a large one. */
async function templateIssues(step: Step, prop: string, source: unknown, fields: FieldDef[] | null, required: boolean, out: Issue[], pause?: () => Promise<void>): Promise<void> {
  const path = `steps[${step.key}].${prop}`;
  if (source === undefined || source === null) {
    if (required) out.push(issue(step.key, path, 'required'));
    return;
  }
  if (typeof source !== 'string') return void out.push(issue(step.key, path, `must be a string template, got ${describe(source)}`));
  if (required && !source.trim()) return void out.push(issue(step.key, path, 'must not be empty'));
  try {
    const parsed = liquid.parse(source);
    if (pause) await pause();
    for (const r of parsedVariableIssues(parsed, fields)) out.push(issue(step.key, path, r));
  } catch (err) {
    out.push(issue(step.key, path, templateErrorReason(err)));
  }
}

/** Every issue of an automation; an empty list means it may be enabled. */
export async function checkAutomation(steps: Step[], connections: Connection[], ctx: CheckContext): Promise<Issue[]> {
  const out: Issue[] = checkGraph(steps, connections);
  const fields = ctx.eventFields;
  for (const step of steps) {
    if (ctx.pause) await ctx.pause();
    const at = (p: string) => `steps[${step.key}].${p}`;
    if (!(STEP_TYPES as readonly string[]).includes(step.type)) {
      out.push(issue(step.key, at('type'), `unknown step type ${step.type} (${STEP_TYPES.join(', ')})`));
      continue;
    }
    for (const prop of Object.keys(step)) {
      if (!COMMON_PROPS.includes(prop) && !ALLOWED_PROPS[step.type]!.includes(prop)) out.push(issue(step.key, at(prop), `unknown property ${prop} for a ${step.type} step`));
    }
    switch (step.type) {
      case 'trigger':
        if (typeof step.event !== 'string' || !step.event) out.push(issue(step.key, at('event'), 'required: the name of the event that starts the automation'));
        else if (!fields) out.push(issue(step.key, at('event'), `unknown event ${step.event}`));
        break;
      case 'condition': {
        const cond = step.if as Record<string, unknown> | undefined;
        if (!cond || typeof cond !== 'object' || Array.isArray(cond)) {
          out.push(issue(step.key, at('if'), 'required: {field, op, value}'));
          break;
        }
        for (const k of Object.keys(cond)) if (!['field', 'op', 'value'].includes(k)) out.push(issue(step.key, at(`if.${k}`), `unknown property ${k}`));
        const resolved = resolveField(cond.field, fields);
        if (resolved && 'reason' in resolved) out.push(issue(step.key, at('if.field'), resolved.reason));
        const op = cond.op;
        if (typeof op !== 'string' || !(CONDITION_OPS as readonly string[]).includes(op)) {
          out.push(issue(step.key, at('if.op'), `unknown op ${op === undefined ? '(missing)' : String(op)} (${CONDITION_OPS.join(', ')})`));
          break;
        }
        if (resolved && 'type' in resolved) {
          if (!OPS_FOR[resolved.type].includes(op)) {
            out.push(issue(step.key, at('if.op'), `${op} does not apply to ${resolved.type} field ${String(cond.field)} (use ${OPS_FOR[resolved.type].join(', ')})`));
          } else {
            const why = valueIssue(resolved.type, op, cond.value, String(cond.field));
            if (why) out.push(issue(step.key, at('if.value'), why));
          }
        }
        break;
      }
      case 'send_email':
        // One template per slice at most (parse and analysis each its own): a large template is
        // tens of milliseconds of parsing on its own.
        await templateIssues(step, 'subject', step.subject, fields, true, out, ctx.pause);
        if (ctx.pause) await ctx.pause();
        await templateIssues(step, 'body', step.body, fields, true, out, ctx.pause);
        if (ctx.pause) await ctx.pause();
        await templateIssues(step, 'to', step.to, fields, false, out, ctx.pause);
        break;
      case 'wait': {
        const ms = typeof step.duration === 'string' ? parseDuration(step.duration) : null;
        if (step.duration === undefined) out.push(issue(step.key, at('duration'), 'required: an ISO 8601 duration such as PT1H'));
        else if (ms === null) out.push(issue(step.key, at('duration'), `not an ISO 8601 duration: ${describe(step.duration)} (e.g. PT1H, P1D)`));
        else if (ms <= 0) out.push(issue(step.key, at('duration'), 'must be longer than zero'));
        else if (ms > MAX_WAIT_MS) out.push(issue(step.key, at('duration'), 'must be at most one year (P366D)'));
        break;
      }
      case 'webhook': {
        if (typeof step.url !== 'string' || !step.url) out.push(issue(step.key, at('url'), 'required: the http(s) URL to POST to'));
        else {
          const why = await urlRefusal(step.url, ctx.webhookAllowHosts, ctx.resolveDns !== false, ctx.resolvedHosts);
          if (why) out.push(issue(step.key, at('url'), why));
        }
        if (step.headers !== undefined) {
          if (!step.headers || typeof step.headers !== 'object' || Array.isArray(step.headers)) out.push(issue(step.key, at('headers'), 'must be an object of header names to string values'));
          else {
            for (const [name, v] of Object.entries(step.headers as Record<string, unknown>)) {
              if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) out.push(issue(step.key, at(`headers.${name}`), 'not a valid header name'));
              else if (RESERVED_HEADERS.has(name.toLowerCase())) out.push(issue(step.key, at(`headers.${name}`), `header ${name} is set by the server`));
              else if (typeof v !== 'string' || /[\r\n]/.test(v)) out.push(issue(step.key, at(`headers.${name}`), 'must be a single-line string'));
            }
          }
        }
        break;
      }
    }
  }
  return out;
}
