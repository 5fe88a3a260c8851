/** LiquidJS for send_email: one engine, static analysis for the checker, rendering for the worker. */
import { Liquid, type Template } from 'liquidjs';
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

// UTC for the date filter, unknown filters are parse errors, no prototype access from templates, and
// bounded work: a tenant's template cannot stall the worker ({% for i in (1..100000000) %}).
export const liquid = new Liquid({
  strictFilters: true,
  ownPropertyOnly: true,
  timezoneOffset: 0,
  cache: 500,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
});

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
  const segments = liquid.globalVariableSegmentsSync(liquid.parse(source));
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

export async function renderTemplate(source: string, ctx: RenderContext): Promise<string> {
  return liquid.parseAndRender(source, ctx as unknown as Record<string, unknown>);
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
