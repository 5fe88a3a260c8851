/** The only place send input rules live (GraphQL input; the REST shim validates with it too). */
import { IsDefined, IsEmail, IsISO8601, IsObject, IsOptional, IsString, ValidateIf } from 'class-validator';
import { Length, MaxLength } from '../shared/validation.js'; // PostgreSQL's characters (code points)
import { DateTimeISOResolver, EmailAddressResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class SendEventInput {
  @Field({ description: 'Name of a live event definition' })
  @IsString() @Length(1, 80)
  event!: string;

  @Field(() => EmailAddressResolver, { nullable: true, description: 'Exactly one of email / contactId' })
  @IsOptional() @IsEmail() @MaxLength(320)
  email?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional() @IsString()
  contactId?: string | null;

  @Field(() => JSONObjectResolver)
  @IsDefined() @IsObject()
  data!: Record<string, unknown>;

  /** GraphQL's DateTimeISO scalar already parsed it (a Date); REST sends a string. */
  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the event occurred; defaults to now' })
  @ValidateIf((o: SendEventInput) => o.timestamp != null && !(o.timestamp instanceof Date))
  @IsISO8601({ strict: true })
  timestamp?: string | Date | null;
}
