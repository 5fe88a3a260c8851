import { Migration } from '@mikro-orm/migrations';

/** Contacts, recorded sends (the event log) and Idempotency-Key records. */
export class Migration20261123000002_sends extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table contacts (
        id uuid primary key,
        organization_id uuid not null references organizations(id) on delete cascade,
        -- stored lower-cased; the unique constraint makes the worker's find-or-create race-safe
        email varchar(320) not null,
        attributes jsonb not null default '{}',
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        constraint contacts_org_email unique (organization_id, email)
      );
      create index contacts_org_id on contacts (organization_id, id desc);

      -- The hot accept path inserts here in multi-row group commits; no foreign keys (each would
      -- cost an index probe per row): organization and definition come from the authenticated,
      -- cached lookups, and definitions are only ever soft-deleted.
      create table event_sends (
        id uuid primary key,
        organization_id uuid not null,
        event_definition_id uuid not null,
        event_name varchar(80) not null,
        contact_id uuid,
        email varchar(320),
        data jsonb not null,
        "timestamp" timestamptz(3) not null,
        status varchar(16) not null check (status in ('accepted', 'rejected', 'processed', 'failed')),
        errors jsonb,
        failure_reason text,
        idempotency_key varchar(256),
        created_at timestamptz(3) not null default now(),
        processed_at timestamptz(3)
      );
      -- history of one event, newest first (keyset on id: UUIDv7 = creation order)
      create index event_sends_event_id on event_sends (organization_id, event_definition_id, id desc);
      -- history filtered by status
      create index event_sends_event_status_id on event_sends (organization_id, event_definition_id, status, id desc);
      -- (GraphQL sends without an event filter walk the primary key backwards: every extra index
      -- here is paid on the hot insert and again when the worker updates the row)

      -- One row per (org, key), written in the same transaction as the sends it covers, so a
      -- replayable response exists exactly when its sends are committed. There is no in-flight
      -- state column on purpose: a request in flight is tracked in its process (duplicates wait),
      -- and a duplicate racing on another instance blocks on this primary key until the first
      -- commits, then replays it (src/sends/idempotency.ts).
      create table idempotency_keys (
        organization_id uuid not null,
        key varchar(256) not null,
        request_hash char(64) not null,
        status_code smallint not null,
        response jsonb not null,
        headers jsonb not null default '{}',
        created_at timestamptz(3) not null default now(),
        expires_at timestamptz(3) not null,
        primary key (organization_id, key)
      );
      create index idempotency_keys_expires on idempotency_keys (expires_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists idempotency_keys; drop table if exists event_sends; drop table if exists contacts;');
  }
}
