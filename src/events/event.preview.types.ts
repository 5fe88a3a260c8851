/** The impact preview's GraphQL types and its REST shape (one place per transport). */
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AutomationStatusEnum } from '../automations/automation.inputs.js';
import { AutomationIssueType, issueToGraphQL } from '../automations/automation.types.js';
import { FieldError } from '../sends/send.types.js';
import { FieldType } from './event.inputs.js';
import type { UpdatePreview } from './event.preview.js';
import { impactToRest } from './event.preview.js';
import { EventDefinitionType, eventToGraphQL, eventToRest } from './event.types.js';

export enum SchemaChangeKind {
  ADDED = 'added',
  REMOVED = 'removed',
  TYPE_CHANGED = 'type_changed',
  NOW_REQUIRED = 'now_required',
  NOW_OPTIONAL = 'now_optional',
}
registerEnumType(SchemaChangeKind, { name: 'SchemaChangeKind' });

@ObjectType()
export class SchemaChange {
  @Field() field!: string;
  @Field(() => SchemaChangeKind) change!: SchemaChangeKind;
  @Field(() => FieldType, { nullable: true, description: 'type_changed: the current type' }) from!: FieldType | null;
  @Field(() => FieldType, { nullable: true, description: 'type_changed: the new type' }) to!: FieldType | null;
}

@ObjectType()
export class AutomationImpact {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => AutomationStatusEnum) status!: AutomationStatusEnum;
  @Field(() => [AutomationIssueType], { description: 'The issues the new schema would add' }) issues!: AutomationIssueType[];
}

@ObjectType()
export class SendCheckExample {
  @Field(() => ID) sendId!: string;
  @Field(() => [FieldError]) errors!: FieldError[];
}

@ObjectType()
export class EventUpdatePreview {
  @Field(() => EventDefinitionType, { description: 'The definition as it would be, version included' }) event!: EventDefinitionType;
  @Field(() => [SchemaChange]) changes!: SchemaChange[];
  @Field(() => [AutomationImpact], { description: 'Automations that would stop type-checking' }) automations!: AutomationImpact[];
  @Field(() => Int, { description: 'Recent accepted sends re-validated (at most 1,000)' }) sendsChecked!: number;
  @Field(() => Int) sendsRejected!: number;
  @Field(() => [SendCheckExample], { description: 'At most 5' }) examples!: SendCheckExample[];
}

export function previewToRest(p: UpdatePreview) {
  return {
    object: 'event_update_preview',
    event: eventToRest(p.event),
    changes: p.changes.map((c) => (c.change === 'type_changed' ? { field: c.field, change: c.change, from: c.from, to: c.to } : { field: c.field, change: c.change })),
    automations: p.automations.map(impactToRest),
    sends_checked: p.sendsChecked,
    sends_rejected: p.sendsRejected,
    examples: p.examples.map((e) => ({ send_id: e.sendId, errors: e.errors })),
  };
}

export function previewToGraphQL(p: UpdatePreview): EventUpdatePreview {
  return {
    event: eventToGraphQL(p.event),
    changes: p.changes.map((c) => ({ field: c.field, change: c.change as SchemaChangeKind, from: (c.from ?? null) as FieldType | null, to: (c.to ?? null) as FieldType | null })),
    automations: p.automations.map((a) => ({ id: a.id, name: a.name, status: a.status as AutomationStatusEnum, issues: a.issues.map(issueToGraphQL) })),
    sendsChecked: p.sendsChecked,
    sendsRejected: p.sendsRejected,
    examples: p.examples,
  };
}
