/**
 * Canonical JSON text of a parsed value, for comparing two requests by meaning rather than by
 * spelling (Idempotency-Key, src/sends/idempotency.ts). Modelled on RFC 8785 (JCS):
 * - object keys sorted by UTF-16 code units (JavaScript's default sort), at every level;
 * - arrays in their order;
 * - numbers by value, written as ECMAScript writes them (`1`, `1.0`, `1e0` and `10e-1` are all `1`;
 *   `-0` is `0`), strings as JSON.stringify escapes them, no whitespace;
 * - what JSON.stringify leaves out is left out (`undefined` members), `toJSON` is honoured (a
 *   GraphQL `DateTimeISO` arrives as a Date).
 * Unlike RFC 8785 it never throws: non-finite numbers (JSON.parse reads `1e400` as Infinity) are
 * written `Infinity` / `-Infinity` / `NaN` (the text is hashed, never parsed), so they differ from
 * each other and from `null`.
 *
 * Iterative, with an explicit stack: request bodies can be nested deeper than the call stack
 * allows (a recursive walk, like JSON.stringify itself, overflows at ~5,000 levels).
 */

/** A value as JSON.stringify would see it: after toJSON; `undefined` when it is left out. */
function jsonValue(v: unknown, key: string): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(k: string): unknown }).toJSON(key);
  }
  return typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
}

/** The text of a leaf (anything but a non-null object or array). */
function scalar(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return String(v); // String(-0) is "0"; non-finite: `Infinity`, `NaN` (see above)
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    default:
      return 'null'; // null, and undefined inside arrays (as JSON.stringify writes it)
  }
}

const isContainer = (v: unknown): v is object => v !== null && typeof v === 'object';

export function canonicalJson(value: unknown): string {
  // The work stack holds text to emit (strings: leaves are written as soon as they are seen) and
  // containers still to expand. A container pushes its parts in reverse, so they pop in order.
  const first = jsonValue(value, '');
  if (!isContainer(first)) return scalar(first);
  const stack: (string | object)[] = [first];
  let out = '';
  while (stack.length) {
    const v = stack.pop()!;
    if (typeof v === 'string') {
      out += v;
      continue;
    }
    if (Array.isArray(v)) {
      out += '[';
      stack.push(']');
      for (let i = v.length - 1; i >= 0; i--) {
        const m = jsonValue(v[i], String(i));
        const sep = i > 0 ? ',' : '';
        if (isContainer(m)) stack.push(m, sep);
        else stack.push(sep + scalar(m));
      }
      continue;
    }
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length > 1) keys.sort();
    out += '{';
    stack.push('}');
    // Reverse order, so the comma trails every member but the last one written.
    let last = true;
    for (let i = keys.length - 1; i >= 0; i--) {
      const m = jsonValue(o[keys[i]], keys[i]);
      if (m === undefined) continue;
      const name = `${JSON.stringify(keys[i])}:`;
      const sep = last ? '' : ',';
      if (isContainer(m)) stack.push(sep, m, name);
      else stack.push(name + scalar(m) + sep);
      last = false;
    }
  }
  return out;
}
