/** GraphQL output types for definitions and the REST mapping (one place for each transport's shape). */
import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../shared/relay.js';
import type { EventDefinition } from './event.entity.js';
import { FieldType } from './event.inputs.js';

@ObjectType()
export class EventField {
  @Field() name!: string;
  @Field(() => FieldType) type!: FieldType;
  @Field() required!: boolean;
}

@ObjectType()
export class EventSchema {
  @Field(() => [EventField]) fields!: EventField[];
}

@ObjectType()
export class Conversion {
  @Field() enabled!: boolean;
  @Field(() => String, { nullable: true }) valueField!: string | null;
  @Field(() => String, { nullable: true }) currencyField!: string | null;
  @Field(() => [String], { nullable: true }) currencies!: string[] | null;
}

@ObjectType('EventDefinition')
export class EventDefinitionType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => EventSchema) schema!: EventSchema;
  @Field(() => Conversion) conversion!: Conversion;
  @Field(() => Int, { description: 'Schema version: 1 at creation, +1 for every update that changes the schema' }) version!: number;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver) updatedAt!: Date;
}

@ObjectType()
export class DeleteEventResult {
  @Field() object!: string;
  @Field(() => ID) id!: string;
  @Field() deleted!: boolean;
}

export const EventConnection = ConnectionType(EventDefinitionType, 'EventDefinition');

export function eventToGraphQL(d: EventDefinition): EventDefinitionType {
  return {
    id: d.id,
    name: d.name,
    description: d.description ?? null,
    schema: { fields: d.fields.map((f) => ({ name: f.name, type: f.type as FieldType, required: f.required })) },
    conversion: {
      enabled: d.conversion.enabled,
      valueField: d.conversion.value_field,
      currencyField: d.conversion.currency_field,
      currencies: d.conversion.currencies,
    },
    version: d.version,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export function eventToRest(d: EventDefinition) {
  return {
    id: d.id,
    name: d.name,
    description: d.description ?? null,
    schema: { fields: d.fields.map((f) => ({ name: f.name, type: f.type, required: f.required })) },
    conversion: {
      enabled: d.conversion.enabled,
      value_field: d.conversion.value_field,
      currency_field: d.conversion.currency_field,
      currencies: d.conversion.currencies,
    },
    version: d.version,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}
