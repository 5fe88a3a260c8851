/**
 * Odd input refused where it enters, once for both transports (README "Choices": input limits):
 * nesting deeper than MAX_JSON_DEPTH, numbers that would be stored as something else than what was
 * sent, and request bodies that are not UTF-8. The JSON body parser (app.ts) runs these on every
 * body (REST bodies and GraphQL variables); graphql-guards.ts runs the depth and number rules on
 * the literals written in a GraphQL document.
 */
import { isUtf8 } from 'node:buffer';
import { AppError } from './errors.js';

/** Objects and arrays nested deeper than this are a 400 (the outermost value is level 1). */
export const MAX_JSON_DEPTH = 64;

export const MESSAGES = {
  tooDeep: `JSON nested deeper than ${MAX_JSON_DEPTH} levels (objects and arrays) is not accepted`,
  notUtf8: 'Request body is not valid UTF-8',
  urlNotUtf8: 'The URL is not valid: a percent-encoded part is not UTF-8',
} as const;

/**
 * Whether a URL's percent-escapes (path and query alike) spell bytes that are not UTF-8 (`%FF`,
 * `%C0%AF`, a surrogate `%ED%A0%80`). The router refuses such a path, but the query string parser
 * kept `?search=%FF` as the three characters `%FF` (and GraphQL GET's URLSearchParams made it
 * U+FFFD): the request was silently read as something else than what was sent. Each run of
 * consecutive escapes is decoded and checked (a multi-byte character is always escaped whole:
 * bytes ≥ 0x80 cannot appear raw in a request line). `%zz` is no escape and stays text.
 */
export function urlNotUtf8(url: string): boolean {
  if (!url.includes('%')) return false;
  for (const m of url.matchAll(/(?:%[0-9A-Fa-f]{2})+/g)) {
    const run = m[0];
    if (!/%[89A-Fa-f]/.test(run)) continue; // ASCII only
    if (!isUtf8(Buffer.from(run.replaceAll('%', ''), 'hex'))) return true;
  }
  return false;
}

/**
 * Whether `value` nests objects/arrays deeper than `max` (`value` itself is level 1). Iterative:
 * recursion is what a deep value crashes (a 500 "Maximum call stack size exceeded").
 */
export function tooDeep(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length) {
    const v = stack.pop() as object;
    const d = depths.pop()!;
    if (d > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) {
      if (c !== null && typeof c === 'object') {
        stack.push(c);
        depths.push(d + 1);
      }
    }
  }
  return false;
}

/**
 * JSON text that may hold a number numberIssue refuses: an exponent, a negative zero, or 16+
 * digits (the only spellings that can overflow, underflow, lose digits, or be -0). It only has to
 * never miss one; a hit merely costs a second, checking parse. A JSON number follows `:`, `,`,
 * `[` or whitespace, so dates ("2026-06-01") and UUIDs ("…7e3a…") inside strings do not hit.
 */
export const MAY_HOLD_ODD_NUMBER = /[:,[\s](?:-0|-?\d[\d.]*[eE]|-?(?:\.?\d){16})/;

const NUMBER_RE = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A decimal literal's exact value as (sign, significant digits, exponent); undefined if not one. */
function decimal(src: string): { neg: boolean; digits: string; exp: number } | undefined {
  const m = NUMBER_RE.exec(src);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  let digits = (m[2] + frac).replace(/^0+/, '');
  let exp = Number(m[4] ?? 0) - frac.length;
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  return { neg: m[1] === '-', digits, exp: digits ? exp : 0 };
}

const show = (src: string) => (src.length > 40 ? `${src.slice(0, 37)}...` : src);

/**
 * Why the number literal `src` (parsed as the double `value`) cannot be stored as sent, if so.
 * Numbers are IEEE 754 doubles (as in JavaScript and jsonb round trips through this server):
 * - overflow to ±Infinity (1e400) and nonzero literals that underflow to 0 (1e-400) are refused;
 * - -0 is refused (jsonb has no negative zero; it would read back as 0);
 * - an integer literal (no fraction, no exponent) must be held exactly: beyond ±2^53 most are not
 *   (12345678901234567890 would read back as 12345678901234567000), so those are refused;
 * - a literal with a fraction or exponent and at most 17 significant digits names one double, and is
 *   stored as that double's shortest spelling (0.10000000000000001 reads back as 0.1, the same
 *   double); with more than 17 significant digits, a value the double does not hold exactly is refused.
 */
export function numberIssue(src: string, value: number): string | undefined {
  if (!Number.isFinite(value)) return `Number ${show(src)} is out of range: it does not fit in a double (at most about 1.8e308)`;
  const lit = decimal(src);
  if (!lit) return undefined;
  if (value === 0) {
    if (lit.digits) return `Number ${show(src)} is too small: it would be stored as 0 (a double holds at least about 5e-324)`;
    if (lit.neg) return `Number ${show(src)} is a negative zero, which cannot be stored (JSON in the database has no -0); send 0`;
    return undefined;
  }
  const held = decimal(String(value))!;
  if (held.digits === lit.digits && held.exp === lit.exp) return undefined;
  const integer = !/[.eE]/.test(src);
  if (integer) return `Number ${show(src)} is an integer beyond what a double holds exactly (±2^53); it would be stored as ${String(value)}. Send it as a string`;
  if (lit.digits.length > 17) return `Number ${show(src)} has more significant digits than a double keeps (17); it would be stored as ${String(value)}. Send it as a string`;
  return undefined;
}

/** numberIssue for the first number of the JSON text that has one (re-reads the text with each literal's source). */
export function numberIssueIn(text: string): string | undefined {
  let issue: string | undefined;
  JSON.parse(text, (_k, v: unknown, ctx?: { source?: string }) => {
    if (typeof v === 'number' && !issue && ctx?.source !== undefined) issue = numberIssue(ctx.source, v);
    return v;
  });
  return issue;
}

/** The body's text; a 400 when its bytes are not UTF-8 (never a silent U+FFFD). */
export function decodeUtf8(buf: Buffer): string {
  if (!isUtf8(buf)) throw new AppError('bad_request', MESSAGES.notUtf8);
  return buf.toString('utf8');
}

/** Depth and number rules for a parsed JSON body; `text` is what it was parsed from. `maxDepth` is larger for GraphQL bodies (see app.ts). */
/** How many `{` and `[` the text holds, counting stops past `max`. */
function openers(text: string, max: number): number {
  let n = 0;
  for (let i = 0; i < text.length && n <= max; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) n++;
  }
  return n;
}

export function jsonBodyIssue(text: string, value: unknown, maxDepth: number = MAX_JSON_DEPTH): string | undefined {
  // A value nests no deeper than the text has `{` and `[` (in strings too, so this only over-counts):
  // a typical send has a handful, and the walk is skipped.
  if (openers(text, maxDepth) > maxDepth && tooDeep(value, maxDepth)) return MESSAGES.tooDeep;
  return MAY_HOLD_ODD_NUMBER.test(text) ? numberIssueIn(text) : undefined;
}
