import { describe, expect, it } from 'vitest';
import { newSendId } from '../../src/sends/ids.js';

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
