/**
 * Every migration, in order. Listed explicitly (MikroORM `migrationsList`) so that the same list
 * runs from vitest (TypeScript) and from dist/ (JavaScript) without file discovery.
 * Add new migrations at the end; never edit one that has shipped.
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000001_foundation } from './Migration20261123000001_foundation.js';
import { Migration20261123000002_sends } from './Migration20261123000002_sends.js';
import { Migration20261123000003_automations } from './Migration20261123000003_automations.js';
import { Migration20261123000004_automation_outbox } from './Migration20261123000004_automation_outbox.js';
import { Migration20261123085500_event_definitions_name_index } from './Migration20261123085500_event_definitions_name_index.js';
import { Migration20261128000001_event_sends_hot_updates } from './Migration20261128000001_event_sends_hot_updates.js';
import { Migration20261201000001_automation_checked_against } from './Migration20261201000001_automation_checked_against.js';
import { Migration20261201000002_contact_fields } from './Migration20261201000002_contact_fields.js';
import { Migration20261205000001_event_sends_partitioned } from './Migration20261205000001_event_sends_partitioned.js';
import { Migration20261206000001_schema_versions_replays } from './Migration20261206000001_schema_versions_replays.js';
import { Migration20261207000001_run_latency } from './Migration20261207000001_run_latency.js';
import { Migration20261208000001_run_tables_without_fks } from './Migration20261208000001_run_tables_without_fks.js';
import { Migration20261209000001_run_table_indexes } from './Migration20261209000001_run_table_indexes.js';

export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261123000001_foundation', class: Migration20261123000001_foundation },
  { name: 'Migration20261123000002_sends', class: Migration20261123000002_sends },
  { name: 'Migration20261123000003_automations', class: Migration20261123000003_automations },
  { name: 'Migration20261123000004_automation_outbox', class: Migration20261123000004_automation_outbox },
  { name: 'Migration20261123085500_event_definitions_name_index', class: Migration20261123085500_event_definitions_name_index },
  { name: 'Migration20261128000001_event_sends_hot_updates', class: Migration20261128000001_event_sends_hot_updates },
  { name: 'Migration20261201000001_automation_checked_against', class: Migration20261201000001_automation_checked_against },
  { name: 'Migration20261201000002_contact_fields', class: Migration20261201000002_contact_fields },
  { name: 'Migration20261205000001_event_sends_partitioned', class: Migration20261205000001_event_sends_partitioned },
  { name: 'Migration20261206000001_schema_versions_replays', class: Migration20261206000001_schema_versions_replays },
  { name: 'Migration20261207000001_run_latency', class: Migration20261207000001_run_latency },
  { name: 'Migration20261208000001_run_tables_without_fks', class: Migration20261208000001_run_tables_without_fks },
  { name: 'Migration20261209000001_run_table_indexes', class: Migration20261209000001_run_table_indexes },
];
