/**
 * The one way this server reads JSON text it did not just build itself: request bodies, and the
 * json/jsonb columns PostgreSQL returns (installed as pg's type parser in db/pools.ts).
 *
 * Why not JSON.parse alone: a V8 bug (nodejs/node#63785, chromium 521080746; Node 24 and 26 alike)
 * decodes an object key written with an escape through a key V8 has already seen: once a body had
 * the key "\\" (one backslash), a later body's key "\"" (a quote) came back as "\\". Data was
 * stored under the wrong key, silently. Only keys containing an escape are affected, so text
 * without a backslash is read by JSON.parse alone (every ordinary request); text with one is
 * checked by JSON.parse (strict JSON, same errors) and then read by json5, a parser written in
 * JavaScript that gives valid JSON its standard meaning (own `__proto__` keys included).
 */
import JSON5 from 'json5';

export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return text.includes('\\') ? (JSON5.parse(text) as unknown) : value;
}
