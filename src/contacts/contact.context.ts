/**
 * The contact as automations see it (`contact.*` in conditions and templates, `contact` in webhook
 * bodies): the API's snake_case fields. Plain SQL (the worker thread loads this, not the ORM).
 */
import { LiquidDate } from '../automations/templates.js';

/** Select-list item for a query joining `contacts c`: the contact as one jsonb value `c` (null when absent). */
export const CONTACT_COLUMNS = `case when c.id is null then null else jsonb_build_object(
  'id', c.id, 'phone_number', c.phone_number, 'external_id', c.external_id, 'first_name', c.first_name, 'last_name', c.last_name,
  'source', c.source, 'properties', c.properties, 'is_suppressed', c.is_suppressed, 'created_at', c.created_at, 'updated_at', c.updated_at) end as c`;

export interface ContactRow {
  id: string;
  phone_number: string | null;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  source: string;
  properties: Record<string, unknown> | null;
  is_suppressed: boolean;
  created_at: string;
  updated_at: string;
}

const date = (v: string | null | undefined): LiquidDate | null => (v ? new LiquidDate(v) : null);

/** `email` is the contact's, or the send's when the contact is not there (yet). Dates are dates (`| date:` works). */
export function contactContext(c: ContactRow | null, email: string | null): Record<string, unknown> {
  return {
    id: c?.id ?? null,
    email,
    phone_number: c?.phone_number ?? null,
    external_id: c?.external_id ?? null,
    first_name: c?.first_name ?? null,
    last_name: c?.last_name ?? null,
    source: c?.source ?? null,
    properties: c?.properties ?? {},
    is_suppressed: c?.is_suppressed ?? false,
    created_at: date(c?.created_at),
    updated_at: date(c?.updated_at),
  };
}
