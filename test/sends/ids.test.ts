import fc from 'fast-check';
import { parse, stringify } from 'uuid';
import { describe, expect, it } from 'vitest';
import { newSendId } from '../../src/sends/ids.js';
import { uuidText } from '../../src/shared/uuidv7.js';

describe('newSendId', () => {
  it('gives UUIDv7s that sort in creation order, all distinct, across pool refills', () => {
    const ids = Array.from({ length: 5000 }, newSendId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const ms = Number.parseInt(ids[0].replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(5_000);
  });
});

describe('uuidText', () => {
  it('writes the same text as uuid.stringify for any UUID bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.constantFrom(1, 4, 7, 8), (b, version) => {
        b[6] = (version << 4) | (b[6] & 0x0f); // uuid.stringify accepts only valid versions and variants
        b[8] = 0x80 | (b[8] & 0x3f);
        expect(uuidText(b)).toBe(stringify(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives each id its own string (the shared scratch buffer does not leak between calls)', () => {
    const a = newSendId();
    const b = newSendId();
    expect(a).not.toBe(b);
    expect(a < b).toBe(true);
    expect(parse(a)).toHaveLength(16);
  });
});
