/** The only place event-definition input rules live (GraphQL inputs; the REST shim validates with them too). */
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsEnum, IsObject, IsOptional, IsString, Matches, ValidateIf, ValidateNested, IsDefined } from 'class-validator';
import { Length, MaxLength } from '../shared/validation.js'; // PostgreSQL's characters (code points)
import { Field, InputType, registerEnumType } from 'type-graphql';

export enum FieldType {
  STRING = 'string',
  NUMBER = 'number',
  BOOLEAN = 'boolean',
  DATE = 'date',
}
registerEnumType(FieldType, { name: 'FieldType', description: 'Type of a payload field' });

export const FIELD_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

@InputType()
export class EventFieldInput {
  @Field()
  @IsString() @MaxLength(64) @Matches(FIELD_NAME_RE)
  name!: string;

  @Field(() => FieldType)
  @IsEnum(FieldType)
  type!: FieldType;

  // Nullable with a default, as in the spec's SDL (`required: Boolean = false`): null means false.
  @Field(() => Boolean, { nullable: true, defaultValue: false })
  @IsOptional() @IsBoolean()
  required?: boolean | null;
}

@InputType()
export class EventSchemaInput {
  @Field(() => [EventFieldInput])
  @IsArray() @ArrayMaxSize(100) @ArrayUnique((f: EventFieldInput) => (f && typeof f === 'object' ? f.name : f))
  @ValidateNested({ each: true }) @Type(() => EventFieldInput)
  fields!: EventFieldInput[];
}

@InputType()
export class ConversionInput {
  @Field()
  @IsDefined() @IsBoolean()
  enabled!: boolean;

  /** Required (possibly null) when enabling: the number field holding the value, null for count-only. */
  @Field(() => String, { nullable: true })
  @ValidateIf((o: ConversionInput) => o.enabled === true && o.valueField !== null)
  @IsString()
  valueField?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional() @IsString()
  currencyField?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional() @IsArray() @ArrayMinSize(1) @IsString({ each: true })
  currencies?: string[] | null;
}

@InputType()
export class CreateEventInput {
  @Field()
  @IsString() @Length(1, 80)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @Field(() => EventSchemaInput, { nullable: true })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => EventSchemaInput)
  schema?: EventSchemaInput;

  @Field(() => ConversionInput, { nullable: true })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ConversionInput)
  conversion?: ConversionInput;
}

@InputType()
export class UpdateEventInput {
  @Field(() => String, { nullable: true })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @Field(() => EventSchemaInput, { nullable: true })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => EventSchemaInput)
  schema?: EventSchemaInput;

  @Field(() => ConversionInput, { nullable: true })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ConversionInput)
  conversion?: ConversionInput;
}
