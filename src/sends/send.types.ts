/** GraphQL output types for sends and the REST mapping (one place for each transport's shape). */
import { DateTimeISOResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../shared/relay.js';
import type { FieldError as FieldErrorShape } from './data-validator.js';

export enum SendStatus {
  ACCEPTED = 'accepted',
  REJECTED = 'rejected',
  PROCESSED = 'processed',
  FAILED = 'failed',
}
registerEnumType(SendStatus, { name: 'SendStatus', description: 'Lifecycle of a recorded send' });

@ObjectType()
export class FieldError {
  @Field() field!: string;
  @Field() message!: string;
}

@ObjectType('EventSend')
export class EventSendType {
  @Field(() => ID) id!: string;
  @Field() event!: string;
  @Field(() => SendStatus) status!: SendStatus;
  @Field(() => [FieldError]) errors!: FieldError[];
  @Field(() => ID, { nullable: true }) contactId!: string | null;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => JSONObjectResolver) data!: Record<string, unknown>;
  @Field(() => DateTimeISOResolver) timestamp!: Date;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver, { nullable: true }) processedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why processing failed (status FAILED)' }) failureReason!: string | null;
  @Field(() => Int, { description: 'The schema version of the event the send was (last) validated against' }) schemaVersion!: number;
  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When a replay accepted this (once rejected) send' }) replayedAt!: Date | null;
}

@ObjectType()
export class SendError {
  @Field(() => Int) statusCode!: number;
  @Field() code!: string;
  @Field() message!: string;
}

/** One entry of sendEvents, in input order: a recorded send (id, status, errors) or an error. */
@ObjectType()
export class SendEventResult {
  @Field(() => ID, { nullable: true }) id!: string | null;
  @Field(() => SendStatus, { nullable: true }) status!: SendStatus | null;
  @Field(() => [FieldError], { nullable: true }) errors!: FieldError[] | null;
  @Field(() => SendError, { nullable: true }) error!: SendError | null;
}

export const EventSendConnection = ConnectionType(EventSendType, 'EventSend');

/** A row of event_sends as the history query returns it (timestamps as epoch ms: see send.history.ts). */
export interface SendRecord {
  id: string;
  event_name: string;
  status: 'accepted' | 'rejected' | 'processed' | 'failed';
  errors: FieldErrorShape[] | null;
  contact_id: string | null;
  email: string | null;
  data: Record<string, unknown>;
  timestamp: number;
  created_at: number;
  processed_at: number | null;
  failure_reason: string | null;
  schema_version: number;
  replayed_at: number | null;
}

export const sendToGraphQL = (s: SendRecord): EventSendType => ({
  id: s.id,
  event: s.event_name,
  status: s.status as SendStatus,
  errors: s.errors ?? [],
  contactId: s.contact_id,
  email: s.email,
  data: s.data,
  timestamp: new Date(s.timestamp),
  createdAt: new Date(s.created_at),
  processedAt: s.processed_at === null ? null : new Date(s.processed_at),
  failureReason: s.failure_reason,
  schemaVersion: s.schema_version,
  replayedAt: s.replayed_at === null ? null : new Date(s.replayed_at),
});

