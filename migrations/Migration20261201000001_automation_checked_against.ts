import { Migration } from '@mikro-orm/migrations';

/**
 * Reads of automations only read their stored issues (issue 19, item 3): `checked_against` records
 * which definition (id and a hash of its fields, or none) and which checker version the stored
 * `issues` were computed against, so a changed schema's automations are found by one comparison and
 * re-checked in the background, and enabling reuses issues that are still current.
 * NULL (rows saved before this migration) counts as stale: the startup sweep re-checks them.
 *
 * The index serves `GET /v1/events/{id}/automations` / `EventDefinition.automations` (keyset pages
 * of one trigger event's automations, newest first) and the re-check's scan of one event's automations.
 */
export class Migration20261201000001_automation_checked_against extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table automations add column checked_against text;
      create index automations_org_trigger_id on automations (organization_id, trigger_event, id desc) where deleted_at is null;
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists automations_org_trigger_id; alter table automations drop column if exists checked_against;');
  }
}
