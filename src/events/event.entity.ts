import { OptionalProps } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { Organization } from '../auth/organization.entity.js';

export const FIELD_TYPES = ['string', 'number', 'boolean', 'date'] as const;
export type FieldTypeName = (typeof FIELD_TYPES)[number];

export interface FieldDef {
  name: string;
  type: FieldTypeName;
  required: boolean;
}

/** Stored (and REST) shape of the public API's conversion object. */
export interface ConversionDef {
  enabled: boolean;
  value_field: string | null;
  currency_field: string | null;
  currencies: string[] | null;
}

export const DEFAULT_CONVERSION: ConversionDef = Object.freeze({
  enabled: false,
  value_field: null,
  currency_field: null,
  currencies: null,
}) as ConversionDef;

@Entity({ tableName: 'event_definitions' })
@Index({ properties: ['organization', 'id'] })
export class EventDefinition {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'description' | 'fields' | 'conversion' | 'deletedAt' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Organization, { deleteRule: 'cascade' })
  organization!: Organization;

  @Property({ length: 80 })
  name!: string;

  @Property({ length: 2000, nullable: true })
  description?: string | null = null;

  @Property({ type: 'json' })
  fields: FieldDef[] = [];

  @Property({ type: 'json' })
  conversion: ConversionDef = { ...DEFAULT_CONVERSION };

  /** Schema version: 1 at creation, +1 for every update that changes the field list (event.versions.ts). */
  @Property({ type: 'integer' })
  version: number = 1;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, nullable: true })
  deletedAt?: Date | null = null;
}
