import { OptionalProps } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { EventDefinition, type FieldDef } from './event.entity.js';

/** One schema version of a definition: the field list sends were validated against while it was current. */
@Entity({ tableName: 'event_definition_versions' })
@Unique({ name: 'event_definition_versions_version', properties: ['eventDefinition', 'version'] })
export class EventDefinitionVersion {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  // A relation (not a plain uuid) so that the unit of work inserts the definition first.
  @ManyToOne(() => EventDefinition, { deleteRule: 'cascade' })
  eventDefinition!: EventDefinition;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'json' })
  fields!: FieldDef[];

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
