/** The condition step: compares one event.* / contact.* value with a constant. */
import type { FieldDef } from '../../events/event.entity.js';
import { CONTACT_FIELDS } from '../templates.js';

export interface ConditionSpec {
  field: string;
  op: string;
  value?: unknown;
}

export interface ConditionResult {
  met: boolean;
  actual: unknown;
}

/** The value a field path names in the run's context (undefined when absent). */
export function lookup(field: string, ctx: { event: Record<string, unknown>; contact: Record<string, unknown> }): unknown {
  const [root, ...rest] = field.split('.');
  let cur: unknown = root === 'event' ? ctx.event : root === 'contact' ? ctx.contact : undefined;
  for (const p of rest) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function fieldType(field: string, eventFields: FieldDef[]): string {
  const [root, name, ...more] = field.split('.');
  if (root === 'event' && !more.length) return eventFields.find((f) => f.name === name)?.type ?? 'untyped';
  if (root === 'contact' && name && !more.length) return CONTACT_FIELDS[name] ?? 'untyped';
  return 'untyped';
}

const asTime = (v: unknown): number | undefined => {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
};

export function evaluateCondition(spec: ConditionSpec, ctx: { event: Record<string, unknown>; contact: Record<string, unknown> }, eventFields: FieldDef[]): ConditionResult {
  const actual = lookup(spec.field, ctx);
  const type = fieldType(spec.field, eventFields);
  const expected = spec.value;
  if (spec.op === 'exists') return { met: actual !== undefined && actual !== null, actual };
  if (actual === undefined || actual === null) return { met: spec.op === 'neq', actual: actual ?? null };
  let a: unknown = actual;
  let b: unknown = expected;
  if (type === 'date' || actual instanceof Date) {
    a = asTime(actual);
    b = asTime(expected);
  }
  switch (spec.op) {
    case 'eq':
      return { met: a === b, actual };
    case 'neq':
      return { met: a !== b, actual };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof a !== 'number' || typeof b !== 'number') return { met: false, actual };
      const met = spec.op === 'gt' ? a > b : spec.op === 'gte' ? a >= b : spec.op === 'lt' ? a < b : a <= b;
      return { met, actual };
    }
    case 'contains':
      if (typeof actual === 'string') return { met: typeof expected === 'string' && actual.includes(expected), actual };
      if (Array.isArray(actual)) return { met: actual.some((x) => x === expected), actual };
      return { met: false, actual };
    default:
      return { met: false, actual };
  }
}
