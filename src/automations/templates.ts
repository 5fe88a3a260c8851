/**
 * LiquidJS for send_email: one engine, static analysis for the checker, rendering for the worker.
 *
 * Templates have no file system. The tags that load other files (`include`, `render`, `layout`)
 * are replaced by ones that refuse to parse, whatever their arguments (quoted, unquoted, dynamic,
 * `with`/`for`, nested in if/for/capture/liquid), so a template naming one is an issue at save
 * time and a failed step if one was stored before. Behind that, the engine's `fs` holds nothing and
 * resolves nothing (no root, partials or layouts directories, no relative references), so no
 * LiquidJS API can read a file, and no message can depend on which files exist. No built-in
 * filter reads files or the environment; the date filter's locale is fixed rather than taken from
 * the server's environment.
 */
import { Liquid, Parser, Token, type FS, type Template, type TopLevelToken } from 'liquidjs';
import { LRUCache } from 'lru-cache';
import type { FieldDef } from '../events/event.entity.js';

/** Dates render as ISO 8601 by default and stay dates for the `date` filter. */
export class LiquidDate extends Date {
  override toString(): string {
    return this.toISOString();
  }
  toJSON(): string {
    return this.toISOString();
  }
}

/**
 * LiquidJS computes a token's line and column by scanning its template from the start
 * (`Token.getPosition`), and its static analysis (`globalVariableSegmentsSync`, which the checker runs
 * on the HTTP event loop) asks it for every variable: quadratic in the template's length.
 * 20,000 × `{{x}}` (100 KB, within `parseLimit`) took 3 s of one CPU per template, so one save
 * stalled every tenant. The same answer from the line starts of the last template seen (computed
 * once, then a binary search): the analysis is linear again.
 *
 * Its parser also takes each token off the front of an array (`tokens.shift()`, O(n) per call on a
 * large array): 20,000 tokens took 0.3 s to parse. The parser and the block tags only ever call
 * `shift()` and read `length` on that list, so it is handed a queue that does both in O(1).
 */
const lines = { input: '', starts: [0] };
function lineStarts(input: string): number[] {
  if (lines.input !== input) {
    const starts = [0];
    for (let i = input.indexOf('\n'); i !== -1; i = input.indexOf('\n', i + 1)) starts.push(i + 1);
    lines.input = input;
    lines.starts = starts;
  }
  return lines.starts;
}
Token.prototype.getPosition = function getPosition(this: Token): [number, number] {
  const starts = lineStarts(this.input);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= this.begin) lo = mid;
    else hi = mid - 1;
  }
  return [lo + 1, this.begin - starts[lo]! + 1];
};

class TokenQueue {
  private head = 0;
  constructor(private readonly items: TopLevelToken[]) {}
  get length(): number {
    return this.items.length - this.head;
  }
  shift(): TopLevelToken | undefined {
    return this.head < this.items.length ? this.items[this.head++] : undefined;
  }
}
const parseTokens = Parser.prototype.parseTokens;
Parser.prototype.parseTokens = function parseTokensInOrder(this: Parser, tokens: TopLevelToken[]) {
  return parseTokens.call(this, (Array.isArray(tokens) ? new TokenQueue(tokens) : tokens) as unknown as TopLevelToken[]);
};

/** The tags that would load another template from a file. */
export const FILE_TAGS = ['include', 'render', 'layout'] as const;
export const NO_FILES = 'templates cannot load other files';
export const fileTagMessage = (tag: string): string => `{% ${tag} %} is not available: ${NO_FILES}`;

/** Thrown (and wrapped in liquid's ParseError) when a template names a file tag. */
export class FileTagRefused extends Error {}

/** An `fs` for LiquidJS that holds nothing: every lookup misses and every read fails with one fixed message. */
const EMPTY_FS: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error(NO_FILES);
  },
  readFileSync: () => {
    throw new Error(NO_FILES);
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
  fallback: () => undefined,
  sep: '/',
  dirname: () => '',
};

// UTC for the date filter, unknown filters are parse errors, no prototype access from templates, and
// bounded work: a tenant's template cannot stall the worker ({% for i in (1..100000000) %}).
// No `cache`: LiquidJS caches only templates loaded from files (parseFile), and there are none.
export const liquid = new Liquid({
  fs: EMPTY_FS,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  extname: '',
  strictFilters: true,
  ownPropertyOnly: true,
  timezoneOffset: 0,
  locale: 'en-US',
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
});
for (const tag of FILE_TAGS) {
  liquid.registerTag(tag, {
    parse() {
      throw new FileTagRefused(fileTagMessage(tag));
    },
    render: () => '',
  });
}

/**
 * The issue text for a template that does not parse: a file tag gets its own message (the same
 * whether or not the named file exists: nothing is looked up); anything else is liquid's first line.
 */
export function templateErrorReason(err: unknown): string {
  const e = err as Error & { originalError?: unknown };
  const first = String(e?.message ?? err).split('\n')[0]!;
  return e?.originalError instanceof FileTagRefused || err instanceof FileTagRefused ? first : `template does not parse: ${first}`;
}

export function parseTemplate(source: string): Template[] {
  return liquid.parse(source);
}

/** The contact's fields as the checker and the worker see them (`contact.properties.*` is untyped). */
export const CONTACT_FIELDS: Record<string, FieldDef['type']> = {
  id: 'string', email: 'string', phone_number: 'string', external_id: 'string', first_name: 'string', last_name: 'string',
  source: 'string', is_suppressed: 'boolean', created_at: 'date', updated_at: 'date',
};

/** Liquid properties any scalar has (`{{ event.order_id.size }}`). */
const SCALAR_PROPS = new Set(['size', 'first', 'last']);

/**
 * Reasons why a template's global variables are not all declared (`unknown field event.totl`).
 * Throws liquid's error when the template does not parse.
 */
export function templateVariableIssues(source: string, fields: FieldDef[] | null): string[] {
  return parsedVariableIssues(liquid.parse(source), fields);
}

/** templateVariableIssues of a template already parsed (a checker parses and analyses in separate slices). */
export function parsedVariableIssues(template: Template[], fields: FieldDef[] | null): string[] {
  const segments = liquid.globalVariableSegmentsSync(template);
  const declared = new Map((fields ?? []).map((f) => [f.name, f]));
  const reasons: string[] = [];
  const add = (r: string) => {
    if (!reasons.includes(r)) reasons.push(r);
  };
  for (const seg of segments) {
    const parts = seg.map((s) => (typeof s === 'string' || typeof s === 'number' ? String(s) : '[…]'));
    const [root, field, ...more] = parts;
    const name = parts.join('.');
    if (root === 'event') {
      if (field === undefined) add('use a field of event (event.<field>), not the whole payload');
      else if (typeof seg[1] !== 'string') add(`dynamic field access ${name} cannot be checked: name the field`);
      else if (fields && !declared.has(field)) add(`unknown field event.${field}`);
      else if (more.length && !(more.length === 1 && SCALAR_PROPS.has(more[0]!))) add(`event.${field} is a ${declared.get(field)?.type ?? 'scalar'} and has no field ${more.join('.')}`);
    } else if (root === 'contact') {
      if (field === undefined) add('use a field of contact (contact.<field>), not the whole contact');
      else if (field === 'properties') {
        if (more.length === 0) add('use one property (contact.properties.<name>)');
      } else if (!(field in CONTACT_FIELDS)) add(`unknown field contact.${field} (contact fields: ${Object.keys(CONTACT_FIELDS).join(', ')}, properties.*)`);
    } else {
      add(`unknown variable ${name} (use event.* or contact.*)`);
    }
  }
  return reasons;
}

export interface RenderContext {
  event: Record<string, unknown>;
  contact: Record<string, unknown>;
}

/**
 * Parsed templates by source: a batch renders the same subject and body for every run, and parsing
 * was most of a render (profile of bench/automations.js). An LRU bounded in bytes: a parsed
 * template takes ~38 bytes of heap per source character (measured: 200 templates of 31 KB), so
 * 8 MB holds ~220 KB of sources; one larger than a quarter of that is parsed every time. A source
 * is immutable, so an entry is never stale.
 */
const PARSED_BYTES_PER_CHAR = 40;
export const PARSED_TEMPLATE_BYTES = 8 << 20;
const parsedTemplates = new LRUCache<string, Template[]>({
  maxSize: PARSED_TEMPLATE_BYTES,
  maxEntrySize: PARSED_TEMPLATE_BYTES / 4,
  sizeCalculation: (_tpl, source) => 64 + source.length * (2 + PARSED_BYTES_PER_CHAR),
});

export async function renderTemplate(source: string, ctx: RenderContext): Promise<string> {
  let tpl = parsedTemplates.get(source);
  if (!tpl) {
    tpl = parseTemplate(source);
    parsedTemplates.set(source, tpl); // refused (not stored) when over maxEntrySize
  }
  return (await liquid.render(tpl, ctx as unknown as Record<string, unknown>)) as string;
}

/** The payload as templates and conditions see it: declared date fields become dates. */
export function typedPayload(data: Record<string, unknown>, fields: FieldDef[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const f of fields) {
    if (f.type === 'date' && typeof out[f.name] === 'string') {
      const d = new LiquidDate(out[f.name] as string);
      if (!Number.isNaN(d.getTime())) out[f.name] = d;
    }
  }
  return out;
}
