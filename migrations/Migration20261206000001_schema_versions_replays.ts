import { Migration } from '@mikro-orm/migrations';

/**
 * Schema versions of event definitions, the version each recorded send was validated against,
 * and replays of rejected sends (issue 22).
 *
 * - `event_definitions.version` and `event_sends.schema_version` are `not null default 1`: adding a
 *   column with a constant default is a catalogue change (no table rewrite), and every existing
 *   definition and send is then at version 1, its first. The send insert writes schema_version
 *   itself; `schema_version` is in no index, so the worker's processing update stays HOT.
 * - `event_definition_versions` keeps each version's field list (version 1 backfilled).
 * - `event_replays` is a replay's progress: the job resumes after `cursor` (the last send id it
 *   finished) when it is restarted, so a killed worker loses at most the batch in hand; a lease
 *   (owner, until) says which worker drives it, and an expired lease is taken over.
 */
export class Migration20261206000001_schema_versions_replays extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table event_definitions add column version int not null default 1;
      create table event_definition_versions (
        id uuid primary key,
        event_definition_id uuid not null references event_definitions(id) on delete cascade,
        version int not null,
        fields jsonb not null,
        created_at timestamptz(3) not null default now(),
        constraint event_definition_versions_version unique (event_definition_id, version)
      );
      insert into event_definition_versions (id, event_definition_id, version, fields, created_at)
        select gen_random_uuid(), id, 1, fields, created_at from event_definitions;

      alter table event_sends add column schema_version int not null default 1;
      alter table event_sends add column replayed_at timestamptz(3);

      create table event_replays (
        id uuid primary key,
        organization_id uuid not null references organizations(id) on delete cascade,
        event_definition_id uuid not null references event_definitions(id) on delete cascade,
        event_name varchar(80) not null,
        status varchar(16) not null check (status in ('running', 'completed', 'failed')),
        dry_run boolean not null default false,
        filter jsonb not null default '{}',
        total int not null default 0,
        done int not null default 0,
        accepted int not null default 0,
        still_rejected int not null default 0,
        cursor uuid,
        -- the worker driving it, until when (renewed every batch; an expired lease is taken over)
        lease_owner uuid,
        lease_until timestamptz(3),
        error text,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        finished_at timestamptz(3)
      );
      create index event_replays_org_id on event_replays (organization_id, id);
      create index event_replays_running on event_replays (lease_until) where status = 'running';
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table if exists event_replays;
      alter table event_sends drop column if exists replayed_at;
      alter table event_sends drop column if exists schema_version;
      drop table if exists event_definition_versions;
      alter table event_definitions drop column if exists version;
    `);
  }
}
