import { Migration } from '@mikro-orm/migrations';

/**
 * Runs and outbox rows lose their foreign keys, as sends never had them (migration _sends).
 *
 * The worker inserts a batch's runs and their email/webhook rows in one statement; PostgreSQL checks
 * each foreign key row by row afterwards, an index probe plus a KEY SHARE lock on the referenced
 * row: eight per run of a three-step flow (two for the run, three for each of its two outbox rows).
 * Measured on a fresh database, 500 runs and 1,000 outbox rows spent 37 ms inserting and about
 * 150 ms more in those checks, every one of them on the same organization and automation row.
 *
 * What the keys guarded, and what guards it now:
 * - organization_id and automation_id come from the enabled automation the batch matched in the same
 *   transaction; automations are only ever soft-deleted (deleted_at), and nothing deletes an
 *   organization.
 * - run_id of an outbox row is the run inserted by the same statement (the outbox rows join the
 *   runs it inserted); erasing a contact deletes its runs' outbox rows explicitly
 *   (src/contacts/contact.erase.ts). An operator deleting an organization by hand deletes its
 *   automation_outbox, automation_runs and event_sends rows first (docs/scaling.md).
 */
export class Migration20261208000001_run_tables_without_fks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table automation_outbox drop constraint if exists automation_outbox_organization_id_fkey,
                                    drop constraint if exists automation_outbox_automation_id_fkey,
                                    drop constraint if exists automation_outbox_run_id_fkey;
      alter table automation_runs drop constraint if exists automation_runs_organization_id_fkey,
                                  drop constraint if exists automation_runs_automation_id_fkey;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      alter table automation_runs add constraint automation_runs_organization_id_fkey foreign key (organization_id) references organizations(id) on delete cascade,
                                  add constraint automation_runs_automation_id_fkey foreign key (automation_id) references automations(id) on delete cascade;
      alter table automation_outbox add constraint automation_outbox_organization_id_fkey foreign key (organization_id) references organizations(id) on delete cascade,
                                    add constraint automation_outbox_automation_id_fkey foreign key (automation_id) references automations(id) on delete cascade,
                                    add constraint automation_outbox_run_id_fkey foreign key (run_id) references automation_runs(id) on delete cascade;
    `);
  }
}
