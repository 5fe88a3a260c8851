import { OptionalProps } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { Organization } from '../auth/organization.entity.js';
import type { Connection, Issue, Step } from './graph.js';

export type AutomationStatus = 'draft' | 'enabled' | 'disabled';
export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';

export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64url')}`;

@Entity({ tableName: 'automations' })
export class Automation {
  [OptionalProps]?: 'id' | 'status' | 'triggerEvent' | 'steps' | 'connections' | 'issues' | 'checkedAgainst' | 'webhookSecret' | 'createdAt' | 'updatedAt' | 'deletedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Organization, { deleteRule: 'cascade' })
  organization!: Organization;

  @Property({ length: 200 })
  name!: string;

  @Property({ length: 16 })
  status: AutomationStatus = 'draft';

  /** Denormalised from the trigger step for the worker's lookup. */
  @Property({ length: 80, nullable: true })
  triggerEvent?: string | null = null;

  @Property({ type: 'json' })
  steps: Step[] = [];

  @Property({ type: 'json' })
  connections: Connection[] = [];

  /** Issues found at the last check (save, enable, or a schema change of the trigger event); reads only read them. */
  @Property({ type: 'json' })
  issues: Issue[] = [];

  /**
   * What `issues` were computed against: checker version + trigger definition id + hash of its
   * fields (`schemaFingerprint`), or none. Differs from the current one while a re-check is pending.
   */
  @Property({ type: 'text', nullable: true })
  checkedAgainst?: string | null = null;

  /** Signs webhook bodies (HMAC-SHA256); shown to the owner so receivers can verify. */
  @Property({ length: 128 })
  webhookSecret: string = newWebhookSecret();

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3 })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, nullable: true })
  deletedAt?: Date | null = null;
}

/** One step as the run log records it. */
export interface RunStepLog {
  step: string;
  type: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  /** condition_met / condition_not_met for conditions; sent, scheduled, waiting, delivered, failed… otherwise. */
  outcome: string;
  /** What the step saw and did: values compared, rendered subject, webhook status, resume time. */
  details: Record<string, unknown>;
  next: string | null;
  error?: string;
}

@Entity({ tableName: 'automation_runs' })
export class AutomationRun {
  [OptionalProps]?: 'status' | 'currentStep' | 'steps' | 'error' | 'createdAt' | 'updatedAt' | 'finishedAt' | 'waitUntil' | 'contactId' | 'acceptedAt' | 'startedAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => Organization, { deleteRule: 'cascade' })
  organization!: Organization;

  @Property({ type: 'uuid' })
  automationId!: string;

  @Property({ type: 'uuid' })
  sendId!: string;

  @Property({ type: 'uuid', nullable: true })
  contactId?: string | null;

  @Property({ length: 16 })
  status: RunStatus = 'running';

  @Property({ length: 100, nullable: true })
  currentStep?: string | null;

  @Property({ type: 'json' })
  steps: RunStepLog[] = [];

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  waitUntil?: Date | null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3 })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, nullable: true })
  finishedAt?: Date | null;

  /** When the send that started this run was accepted (its created_at). */
  @Property({ type: 'datetime', length: 3, nullable: true })
  acceptedAt?: Date | null;

  /** When the run's first step started. */
  @Property({ type: 'datetime', length: 3, nullable: true })
  startedAt?: Date | null;
}
