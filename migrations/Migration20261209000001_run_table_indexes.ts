import { Migration } from '@mikro-orm/migrations';

/**
 * Fewer indexes on the run tables' hot path: every run of a three-step flow inserts a run row, updates
 * it twice (both updates change `status` or `updated_at`, so neither is a heap-only update and each
 * writes a new entry into every index of the table), and inserts and deletes two outbox rows. Each
 * index entry is a B-tree insert and its WAL record.
 *
 * automation_runs, 7 indexes → 6, of which the hot path writes 4 (a run that completes):
 * - `unique (automation_id, send_id)` becomes `unique (send_id, automation_id)`: the same guarantee
 *   (one run per automation and send; `on conflict (automation_id, send_id)` infers it, the column
 *   order does not matter), and it also serves the lookups by send (erasure, `?send_id=`), so
 *   `automation_runs_send (send_id)` goes.
 * - `automation_runs_automation_status (automation_id, status)` goes. Its one user, the cancellation
 *   of an automation's runs in progress when it is disabled or deleted, uses the partial index of runs
 *   in progress, which is now keyed by automation: `automation_runs_active (automation_id) where
 *   status in ('running', 'waiting')`. That index holds only runs in progress, so the stalled-run
 *   sweep (once a minute, filtering on updated_at) reads all of it cheaply.
 * - A list of an automation's runs filtered by status: `completed` (most runs) walks
 *   `automation_runs_automation_id (automation_id, id desc)` and filters; `running` / `waiting` read
 *   the small index of runs in progress; `failed` / `cancelled`, which can be rare among millions,
 *   get their own partial index `automation_runs_ended_badly (automation_id, id desc)`, written only
 *   when a run ends that way (never on the hot path of a run that completes).
 *
 * automation_outbox, 4 indexes → 3: `unique (idempotency_key)` ("<run id>:<step key>") becomes
 * `unique (run_id, step_key)`, the same guarantee (one effect per step of a run) on a shorter key that
 * also serves the lookups by run (erasure), so `automation_outbox_run (run_id)` goes.
 *
 * Measured (docs/realtime.md, "Fourth pass").
 */
export class Migration20261209000001_run_table_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create unique index automation_runs_send_automation on automation_runs (send_id, automation_id);
      alter table automation_runs drop constraint if exists automation_runs_automation_id_send_id_key;
      drop index if exists automation_runs_send;
      drop index if exists automation_runs_automation_status;
      drop index if exists automation_runs_active;
      create index automation_runs_active on automation_runs (automation_id) where status in ('running', 'waiting');
      create index automation_runs_ended_badly on automation_runs (automation_id, id desc) where status in ('failed', 'cancelled');

      create unique index automation_outbox_run_step on automation_outbox (run_id, step_key);
      alter table automation_outbox drop constraint if exists automation_outbox_idempotency_key_key;
      drop index if exists automation_outbox_run;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      create index automation_outbox_run on automation_outbox (run_id);
      alter table automation_outbox add constraint automation_outbox_idempotency_key_key unique (idempotency_key);
      drop index if exists automation_outbox_run_step;

      drop index if exists automation_runs_ended_badly;
      drop index if exists automation_runs_active;
      create index automation_runs_active on automation_runs (updated_at) where status in ('running', 'waiting');
      create index automation_runs_automation_status on automation_runs (automation_id, status);
      create index automation_runs_send on automation_runs (send_id);
      alter table automation_runs add constraint automation_runs_automation_id_send_id_key unique (automation_id, send_id);
      drop index if exists automation_runs_send_automation;
    `);
  }
}
