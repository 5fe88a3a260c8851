import { OptionalProps } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { Organization } from '../auth/organization.entity.js';

/**
 * A person events are sent for. At least one of email (stored lower-cased), phone_number (E.164)
 * and external_id is set; each is unique per organization. `source` is `api` (created through the
 * API) or `event` (created by the send worker for a send by email).
 */
@Entity({ tableName: 'contacts' })
export class Contact {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'properties' | 'source' | 'isSuppressed';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Organization, { deleteRule: 'cascade' })
  organization!: Organization;

  @Property({ length: 320, nullable: true })
  email?: string | null;

  @Property({ length: 16, nullable: true })
  phoneNumber?: string | null;

  @Property({ length: 255, nullable: true })
  externalId?: string | null;

  @Property({ length: 255, nullable: true })
  firstName?: string | null;

  @Property({ length: 255, nullable: true })
  lastName?: string | null;

  @Property({ length: 16 })
  source: 'api' | 'event' = 'api';

  @Property({ type: 'json' })
  properties: Record<string, unknown> = {};

  @Property()
  isSuppressed: boolean = false;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
