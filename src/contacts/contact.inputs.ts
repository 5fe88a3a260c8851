/** The only place contact input rules live (GraphQL inputs; the REST shim validates with them too). */
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsEmail, IsObject, IsOptional, IsString, IsUUID, Matches, MinLength } from 'class-validator';
import { MaxLength } from '../shared/validation.js'; // PostgreSQL's characters (code points)
import { EmailAddressResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';

/** E.164: `+`, a country code that does not start with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;
const E164_MESSAGE = '$property must be a phone number in E.164 format (e.g. +14155550100)';

@InputType()
export class CreateContactInput {
  @Field(() => EmailAddressResolver, { nullable: true })
  @IsOptional() @IsEmail() @MaxLength(320)
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'E.164, e.g. +14155550100' })
  @IsOptional() @IsString() @Matches(E164, { message: E164_MESSAGE })
  phoneNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'Your own id for this person (≤ 255 characters), unique per organization' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(255)
  externalId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional() @IsString() @MaxLength(255)
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional() @IsString() @MaxLength(255)
  lastName?: string | null;

  @Field(() => JSONObjectResolver, { nullable: true })
  @IsOptional() @IsObject()
  properties?: Record<string, unknown> | null;
}

/** PATCH: only the fields given change; `null` clears a field (`properties: null` empties it). */
@InputType()
export class UpdateContactInput extends CreateContactInput {
  @Field(() => Boolean, { nullable: true })
  @IsOptional() @IsBoolean()
  isSuppressed?: boolean | null;
}

/** Identifiers of a contact; at least one must be set (rule lives in contact.service.ts). */
export const IDENTIFIERS = ['email', 'phoneNumber', 'externalId'] as const;

/** POST /v1/contacts/bulk-delete, deleteContacts: 1–1,000 contact ids (unknown ones are ignored). */
@InputType()
export class BulkDeleteContactsInput {
  @Field(() => [ID])
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsUUID('all', { each: true })
  ids!: string[];
}
