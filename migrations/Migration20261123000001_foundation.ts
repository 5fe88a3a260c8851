import { Migration } from '@mikro-orm/migrations';

/** Organizations, API keys and event definitions. */
export class Migration20261123000001_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table organizations (
        id uuid primary key,
        name varchar(200) not null,
        created_at timestamptz(3) not null default now()
      );
      create table api_keys (
        id uuid primary key,
        organization_id uuid not null references organizations(id) on delete cascade,
        token_hash char(64) not null unique,
        token_prefix varchar(16) not null,
        name varchar(200),
        created_at timestamptz(3) not null default now(),
        last_used_at timestamptz(3),
        revoked_at timestamptz(3)
      );
      create index api_keys_org_idx on api_keys (organization_id, id);

      create table event_definitions (
        id uuid primary key,
        organization_id uuid not null references organizations(id) on delete cascade,
        name varchar(80) not null,
        description varchar(2000),
        fields jsonb not null default '[]',
        conversion jsonb not null default '{"enabled":false,"value_field":null,"currency_field":null,"currencies":null}',
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        deleted_at timestamptz(3)
      );
      -- one live definition per (org, name); a soft-deleted name can be defined again
      create unique index event_definitions_org_name_live on event_definitions (organization_id, name) where deleted_at is null;
      -- newest-first keyset pages (ids are UUIDv7, so id order is creation order)
      create index event_definitions_org_id_live on event_definitions (organization_id, id desc) where deleted_at is null;
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists event_definitions; drop table if exists api_keys; drop table if exists organizations;');
  }
}
