/** fast-check arbitraries shared by the round-trip property tests. */
import fc from 'fast-check';
import { badTextMessage } from '../../src/shared/errors.js';

/**
 * Text a request may hold and PostgreSQL can store (no U+0000 and no lone surrogate: those are
 * refused up front): random binary and grapheme strings, and the usual suspects of JSON escaping.
 */
export const storableText = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom('', '"', '\\', '\\"', '\\u0041', '"},{"i":"x', '{"a":1}', '\n\r\t\b\f', '\u0001\u001f\u007f', '\u2028\u2029', '😀', 'é', '{}', 'null', 'x'.repeat(3000)),
  )
  .filter((s) => badTextMessage(s) === undefined);

/** An object key: any storable text but the three that JavaScript objects treat specially. */
export const objectKey = storableText.filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));

/** Any JSON value (no -0: JSON has no way to keep it), nested up to a few levels. */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    storableText, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)), fc.boolean(), fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(objectKey, tie('v'), { maxKeys: 3 }),
  ),
})).v;

/** A JSON object of up to five keys. */
export const jsonObject = fc.dictionary(objectKey, jsonValue, { maxKeys: 5 });
