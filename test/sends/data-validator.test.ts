import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../src/events/event.entity.js';
import { describeErrors, normaliseDate, validateData } from '../../src/sends/data-validator.js';

const f = (name: string, type: FieldDef['type'], required = false): FieldDef => ({ name, type, required });

describe('validateData: the spec examples', () => {
  const fields = [f('order_id', 'string', true), f('total', 'number', true), f('is_gift', 'boolean'), f('on', 'date')];

  it('reports every failing field, type errors then missing required ones', () => {
    const r = validateData(fields, { total: '12' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(describeErrors(r.errors)).toBe('data.total must be a number, data.order_id is required');
  });

  it.each([
    ['12', false], [12, true], [Number.NaN, false], [Number.POSITIVE_INFINITY, false], [-0.5, true],
  ])('number %s → %s', (v, ok) => {
    expect(validateData([f('n', 'number', true)], { n: v }).ok).toBe(ok);
  });

  it.each([
    ['2026-06-01', '2026-06-01'],
    ['2026-06-01T12:00:00Z', '2026-06-01T12:00:00.000Z'],
    ['2026-06-01T12:00:00+03:00', '2026-06-01T09:00:00.000Z'],
    ['2026-06-01T12:00:00.123456-01:30', '2026-06-01T13:30:00.123Z'],
    ['2024-02-29', '2024-02-29'],
    ['2026-13-45', null], ['2025-02-29', null], ['2026-06-01T24:00:00Z', null], ['2026-06-01T12:00:00', null],
    ['06/01/2026', null], ['2026-6-1', null], ['', null], ['2026-06-01T12:00Z', null],
  ])('date %s → %s', (v, want) => {
    expect(normaliseDate(v)).toBe(want);
    const r = validateData([f('d', 'date', true)], { d: v });
    expect(r.ok).toBe(want !== null);
    if (r.ok) expect(r.data.d).toBe(want);
  });

  it('null or absent optional fields pass; null required fails; undeclared keys are kept', () => {
    expect(validateData(fields, { order_id: 'a', total: 1, is_gift: null, x: { y: 1 } })).toEqual({ ok: true, data: { order_id: 'a', total: 1, is_gift: null, x: { y: 1 } } });
    expect(validateData(fields, { order_id: null, total: 1 }).ok).toBe(false);
    expect(validateData([], { anything: [1, 2] })).toEqual({ ok: true, data: { anything: [1, 2] } });
  });
});

// The type table as an oracle, written independently of the implementation.
function accepts(type: FieldDef['type'], v: unknown): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return v === true || v === false;
    case 'date': {
      if (typeof v !== 'string') return false;
      const d = /^(\d{4})-(\d\d)-(\d\d)(?:[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-](\d\d):(\d\d)))?$/.exec(v);
      if (!d) return false;
      const dateOnly = d[4] === undefined;
      const [y, m, day] = [+d[1], +d[2], +d[3]];
      const dt = new Date(Date.UTC(2000, m - 1, day));
      dt.setUTCFullYear(y);
      if (m < 1 || m > 12 || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== day) return false;
      if (dateOnly) return true;
      return +d[4] < 24 && +d[5] < 60 && +d[6] < 60 && (d[9] === undefined || (+d[9] < 24 && +d[10] < 60));
    }
  }
}

const types = fc.constantFrom<FieldDef['type']>('string', 'number', 'boolean', 'date');
const fieldName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const schema = fc.uniqueArray(fc.record({ name: fieldName, type: types, required: fc.boolean() }), { selector: (x) => x.name, maxLength: 8 });
const dateLike = fc.oneof(
  fc.date({ noInvalidDate: true, min: new Date('0001-01-01'), max: new Date('9999-12-31') }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true, min: new Date('0001-01-01'), max: new Date('9999-12-31') }).map((d) => d.toISOString().slice(0, 10)),
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 19 }), fc.integer({ min: 0, max: 39 }), fc.integer({ min: 0, max: 29 }), fc.integer({ min: 0, max: 69 }), fc.constantFrom('Z', '+03:00', '-11:30', '+25:00', 'z', ''))
    .map(([y, m, d, h, mi, off]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:00${off}`),
);
const value = fc.oneof(
  fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined),
  fc.constantFrom('12', 'true', '2026-13-45', '2026-06-01T12:00:00+03:00', Number.NaN, Number.POSITIVE_INFINITY),
  dateLike, fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
);

describe('validateData: property against the type table', () => {
  it('accepts exactly what the table accepts, reports each failing field once, keeps undeclared keys', () => {
    fc.assert(
      fc.property(schema, fc.dictionary(fc.oneof(fieldName, fc.string()), value, { maxKeys: 10 }), (fields, data) => {
        const r = validateData(fields, data);
        const expected = fields.flatMap((fd) => {
          const v = Object.prototype.hasOwnProperty.call(data, fd.name) ? data[fd.name] : undefined;
          if (v === undefined || v === null) return fd.required ? [fd.name] : [];
          return accepts(fd.type, v) ? [] : [fd.name];
        });
        if (expected.length === 0) {
          expect(r.ok).toBe(true);
          for (const k of Object.keys(data)) {
            const fd = fields.find((x) => x.name === k);
            if (fd?.type === 'date' && typeof data[k] === 'string') expect(r.data[k]).toBe(normaliseDate(data[k] as string));
            else expect(r.data[k]).toBe(data[k]);
          }
        } else {
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual([...expected].sort());
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('normalised date-times denote the same instant', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true, min: new Date('1000-01-01'), max: new Date('9999-12-31') }), fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }), (d, off) => {
        const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 23);
        const sign = off < 0 ? '-' : '+';
        const a = Math.abs(off);
        const s = `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
        expect(normaliseDate(s)).toBe(d.toISOString());
      }),
    );
  });
});
