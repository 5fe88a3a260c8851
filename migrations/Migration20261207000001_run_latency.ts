import { Migration } from '@mikro-orm/migrations';

/**
 * Automation latency, recorded rather than guessed: every run stores when its send was accepted
 * (the send's created_at, copied so the run log needs no join) and when the run started (its first
 * step); each step's started_at / finished_at are in the step log. And the wake-up timer's lookup:
 * the earliest wait to come due.
 */
export class Migration20261207000001_run_latency extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table automation_runs add column accepted_at timestamptz(3), add column started_at timestamptz(3);
      create index automation_runs_waiting on automation_runs (wait_until) where status = 'waiting';
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index if exists automation_runs_waiting;
      alter table automation_runs drop column if exists accepted_at, drop column if exists started_at;
    `);
  }
}
