import { OptionalProps } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { Organization } from '../auth/organization.entity.js';

/** A person events are sent for. `email` is unique per organization and stored lower-cased. */
@Entity({ tableName: 'contacts' })
export class Contact {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'attributes';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Organization, { deleteRule: 'cascade' })
  organization!: Organization;

  @Property({ length: 320 })
  email!: string;

  @Property({ type: 'json' })
  attributes: Record<string, unknown> = {};

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
