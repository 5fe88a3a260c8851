import { Migration } from '@mikro-orm/migrations';

/**
 * Automation execution: when a waiting run resumes, and the outbox that makes side effects
 * (emails, webhooks) happen once in effect — one row per (run, step), written in the step's
 * transaction, delivered afterwards by a transport.
 */
export class Migration20261123000004_automation_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table automation_runs add column wait_until timestamptz(3);
      -- the schema-change hook looks up every live automation of a trigger event, whatever its status
      create index automations_trigger_all on automations (organization_id, trigger_event) where deleted_at is null;
      create index automation_runs_automation_status on automation_runs (automation_id, status);
      -- the rescue sweep: runs in progress that have not moved for a while
      create index automation_runs_active on automation_runs (updated_at) where status in ('running', 'waiting');

      create table automation_outbox (
        id uuid primary key,
        organization_id uuid not null references organizations(id) on delete cascade,
        automation_id uuid not null references automations(id) on delete cascade,
        run_id uuid not null references automation_runs(id) on delete cascade,
        step_key varchar(100) not null,
        kind varchar(16) not null check (kind in ('email', 'webhook')),
        -- "<run id>:<step key>": one side effect per step of a run, however often the step job runs
        idempotency_key varchar(200) not null unique,
        payload jsonb not null,
        status varchar(16) not null default 'pending' check (status in ('pending', 'sent', 'failed', 'cancelled')),
        attempts int not null default 0,
        max_attempts int not null default 5,
        next_attempt_at timestamptz(3) not null default now(),
        last_error text,
        response_status int,
        -- index of this step's entry in automation_runs.steps, updated when delivery settles
        log_index int not null,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        sent_at timestamptz(3)
      );
      create index automation_outbox_due on automation_outbox (next_attempt_at) where status = 'pending';
      create index automation_outbox_run on automation_outbox (run_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table if exists automation_outbox;
      drop index if exists automations_trigger_all;
      drop index if exists automation_runs_automation_status;
      drop index if exists automation_runs_active;
      alter table automation_runs drop column if exists wait_until;
    `);
  }
}
