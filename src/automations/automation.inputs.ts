/** Input rules for automations (GraphQL inputs; the REST shim validates with them too). Steps are checked by the checker. */
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEnum, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Length } from '../shared/validation.js'; // PostgreSQL's characters (code points)
import { JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType, registerEnumType } from 'type-graphql';

export enum AutomationStatusEnum {
  DRAFT = 'draft',
  ENABLED = 'enabled',
  DISABLED = 'disabled',
}
registerEnumType(AutomationStatusEnum, { name: 'AutomationStatus' });

export enum ConnectionOutcome {
  CONDITION_MET = 'condition_met',
  CONDITION_NOT_MET = 'condition_not_met',
}
registerEnumType(ConnectionOutcome, { name: 'ConnectionOutcome', description: 'How a condition step leaves' });

export enum RunStatusEnum {
  RUNNING = 'running',
  WAITING = 'waiting',
  COMPLETED = 'completed',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}
registerEnumType(RunStatusEnum, { name: 'AutomationRunStatus' });

/** Well-formedness cap only; the graph rule (at most 100 steps) is reported as an issue. */
export const MAX_STEPS_ACCEPTED = 1000;

@InputType('AutomationStepConnectionInput')
export class AutomationConnectionInput {
  @Field() @IsString() @Length(1, 100) from!: string;
  @Field() @IsString() @Length(1, 100) to!: string;
  @Field(() => ConnectionOutcome, { nullable: true }) @IsOptional() @IsEnum(ConnectionOutcome) outcome?: ConnectionOutcome | null;
}

@InputType()
export class CreateAutomationInput {
  @Field() @IsString() @Length(1, 200) name!: string;

  /** `draft` (default), or `enabled` to enable at once (422 when it has issues). */
  @Field(() => AutomationStatusEnum, { nullable: true }) @IsOptional() @IsEnum(AutomationStatusEnum) status?: AutomationStatusEnum;

  @Field(() => [JSONObjectResolver], { description: 'Steps, each {key, type, …}; the trigger is {"key":"trigger","type":"trigger","event":"…"}' })
  @IsArray() @ArrayMaxSize(MAX_STEPS_ACCEPTED) @IsObject({ each: true })
  steps!: Record<string, unknown>[];

  @Field(() => [AutomationConnectionInput], { nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_STEPS_ACCEPTED * 2) @ValidateNested({ each: true }) @Type(() => AutomationConnectionInput)
  connections?: AutomationConnectionInput[];
}

@InputType()
export class UpdateAutomationInput {
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @Length(1, 200) name?: string;

  @Field(() => AutomationStatusEnum, { nullable: true }) @IsOptional() @IsEnum(AutomationStatusEnum) status?: AutomationStatusEnum;

  @Field(() => [JSONObjectResolver], { nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_STEPS_ACCEPTED) @IsObject({ each: true })
  steps?: Record<string, unknown>[];

  @Field(() => [AutomationConnectionInput], { nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_STEPS_ACCEPTED * 2) @ValidateNested({ each: true }) @Type(() => AutomationConnectionInput)
  connections?: AutomationConnectionInput[];
}

@InputType()
export class AutomationRunsFilter {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() automationId?: string;
  @Field(() => RunStatusEnum, { nullable: true }) @IsOptional() @IsEnum(RunStatusEnum) status?: RunStatusEnum;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() sendId?: string;
}
