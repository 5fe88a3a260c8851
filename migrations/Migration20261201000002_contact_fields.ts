import { Migration } from '@mikro-orm/migrations';

/**
 * Contacts as the product's API has them (issue 23): `attributes` becomes `properties` (the data
 * moves with the column), new identifiers `phone_number` (E.164) and `external_id`, names,
 * `source` (`api` or `event`) and `is_suppressed`. A contact needs at least one of email,
 * phone_number, external_id; each is unique per organization when present.
 *
 * Automations that named `contact.attributes.<name>` (conditions and templates) are rewritten to
 * `contact.properties.<name>`, so they keep type-checking and running. Contacts that exist before
 * this migration get `source = 'api'`: whether a row was created by the API or by a send was not
 * recorded.
 */
export class Migration20261201000002_contact_fields extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table contacts rename column attributes to properties;
      alter table contacts alter column email drop not null;
      alter table contacts
        add column phone_number varchar(16),
        add column external_id varchar(255),
        add column first_name varchar(255),
        add column last_name varchar(255),
        add column source varchar(16) not null default 'api' check (source in ('api', 'event')),
        add column is_suppressed boolean not null default false,
        add constraint contacts_identified check (email is not null or phone_number is not null or external_id is not null);
      create unique index contacts_org_phone on contacts (organization_id, phone_number) where phone_number is not null;
      create unique index contacts_org_external_id on contacts (organization_id, external_id) where external_id is not null;
      -- the text 'contact.attributes.' only ever appears inside JSON strings (field paths and Liquid), so a textual replace is exact
      update automations set steps = replace(steps::text, 'contact.attributes.', 'contact.properties.')::jsonb
       where steps::text like '%contact.attributes.%';
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      update automations set steps = replace(steps::text, 'contact.properties.', 'contact.attributes.')::jsonb
       where steps::text like '%contact.properties.%';
      drop index if exists contacts_org_phone;
      drop index if exists contacts_org_external_id;
      delete from contacts where email is null;
      alter table contacts drop constraint contacts_identified,
        drop column phone_number, drop column external_id, drop column first_name, drop column last_name,
        drop column source, drop column is_suppressed;
      alter table contacts alter column email set not null;
      alter table contacts rename column properties to attributes;
    `);
  }
}
