/**
 * Validates a send's `data` against its event's field list (spec §4 type table). Pure: no I/O,
 * so it runs on the hot path and is property-tested (test/sends/data-validator.property.test.ts).
 *
 * | type    | accepted JSON values                                                        |
 * |---------|-----------------------------------------------------------------------------|
 * | string  | a string                                                                    |
 * | number  | a finite number (not a numeric string)                                      |
 * | boolean | true / false                                                                |
 * | date    | `YYYY-MM-DD`, or an RFC 3339 date-time with offset; stored normalised        |
 *
 * A required field missing or null fails; an optional one may be absent or null. Undeclared keys
 * are kept untouched. Every failure is reported: type errors first, then missing required
 * fields, each in schema order (`data.total must be a number, data.order_id is required`).
 */
import type { FieldDef } from '../events/event.entity.js';

export interface FieldError {
  field: string;
  message: string;
}

export type DataValidation =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; errors: FieldError[]; data: Record<string, unknown> };

const TYPE_MESSAGE: Record<FieldDef['type'], string> = {
  string: 'must be a string',
  number: 'must be a number',
  boolean: 'must be a boolean',
  date: 'must be an ISO 8601 date or date-time',
};

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}
const validYmd = (y: number, m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);

/**
 * A calendar date (`2026-06-01`, kept as is) or a date-time with an offset, normalised to UTC
 * with milliseconds (`2026-06-01T12:00:00+03:00` → `2026-06-01T09:00:00.000Z`). Null if invalid.
 */
export function normaliseDate(value: string): string | null {
  let m = DATE_RE.exec(value);
  if (m) return validYmd(+m[1], +m[2], +m[3]) ? value : null;
  m = DATE_TIME_RE.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]];
  if (!validYmd(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  let offsetMin = 0;
  if (!m[8]) {
    const [oh, om] = [+m[10], +m[11]];
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] ? Number(`${m[7]}00`.slice(0, 3)) : 0; // truncated to milliseconds
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return new Date(date.getTime() - offsetMin * 60_000).toISOString();
}

/** Checks one value against a declared type; returns the (normalised) value or undefined if invalid. */
function check(type: FieldDef['type'], v: unknown): unknown {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : undefined;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'date':
      return typeof v === 'string' ? (normaliseDate(v) ?? undefined) : undefined;
  }
}

export function validateData(fields: readonly FieldDef[], data: Record<string, unknown>): DataValidation {
  if (fields.length === 0) return { ok: true, data };
  const typeErrors: FieldError[] = [];
  const missing: FieldError[] = [];
  let out: Record<string, unknown> | undefined;
  for (const f of fields) {
    const present = Object.prototype.hasOwnProperty.call(data, f.name);
    const v = present ? data[f.name] : undefined;
    if (v === undefined || v === null) {
      if (f.required) missing.push({ field: f.name, message: 'is required' });
      continue;
    }
    const checked = check(f.type, v);
    if (checked === undefined) typeErrors.push({ field: f.name, message: TYPE_MESSAGE[f.type] });
    else if (checked !== v) {
      out ??= { ...data };
      Object.defineProperty(out, f.name, { value: checked, enumerable: true, writable: true, configurable: true });
    }
  }
  const errors = typeErrors.concat(missing);
  if (errors.length) return { ok: false, errors, data };
  return { ok: true, data: out ?? data };
}

/** `data.total must be a number, data.order_id is required` */
export const describeErrors = (errors: readonly FieldError[]): string => errors.map((e) => `data.${e.field} ${e.message}`).join(', ');
