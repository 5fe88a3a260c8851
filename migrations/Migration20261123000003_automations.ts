import { Migration } from '@mikro-orm/migrations';

/** Automations and their runs (one run per automation and send). */
export class Migration20261123000003_automations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table automations (
        id uuid primary key,
        organization_id uuid not null references organizations(id) on delete cascade,
        name varchar(200) not null,
        status varchar(16) not null default 'draft' check (status in ('draft', 'enabled', 'disabled')),
        trigger_event varchar(80),
        steps jsonb not null default '[]',
        connections jsonb not null default '[]',
        issues jsonb not null default '[]',
        webhook_secret varchar(128) not null,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        deleted_at timestamptz(3)
      );
      create index automations_org_id on automations (organization_id, id desc) where deleted_at is null;
      -- the worker's lookup: enabled automations of an org triggered by an event name
      create index automations_enabled_trigger on automations (organization_id, trigger_event) where status = 'enabled' and deleted_at is null;

      create table automation_runs (
        id uuid primary key,
        organization_id uuid not null references organizations(id) on delete cascade,
        automation_id uuid not null references automations(id) on delete cascade,
        send_id uuid not null,
        contact_id uuid,
        status varchar(16) not null default 'running' check (status in ('running', 'waiting', 'completed', 'failed', 'cancelled')),
        current_step varchar(100),
        steps jsonb not null default '[]',
        error text,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        finished_at timestamptz(3),
        -- exactly once in effect: a retried or crashed worker can never start a second run for one send
        unique (automation_id, send_id)
      );
      create index automation_runs_automation_id on automation_runs (automation_id, id desc);
      create index automation_runs_send on automation_runs (send_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists automation_runs; drop table if exists automations;');
  }
}
