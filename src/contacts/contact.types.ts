/** GraphQL output type for contacts and the REST mapping. */
import { DateTimeISOResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../shared/relay.js';
import type { Contact } from './contact.entity.js';

export enum ContactSource {
  API = 'api',
  EVENT = 'event',
}
registerEnumType(ContactSource, { name: 'ContactSource', description: 'How a contact was created: through the API, or by a send naming a new email' });

@ObjectType('Contact')
export class ContactType {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => String, { nullable: true }) phoneNumber!: string | null;
  @Field(() => String, { nullable: true }) externalId!: string | null;
  @Field(() => String, { nullable: true }) firstName!: string | null;
  @Field(() => String, { nullable: true }) lastName!: string | null;
  @Field(() => ContactSource) source!: ContactSource;
  @Field(() => JSONObjectResolver) properties!: Record<string, unknown>;
  @Field() isSuppressed!: boolean;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver) updatedAt!: Date;
}

@ObjectType()
export class DeleteContactResult {
  @Field(() => ID) id!: string;
  @Field() deleted!: boolean;
  @Field() message!: string;
}

@ObjectType()
export class BulkDeleteContactsResult {
  @Field() message!: string;
  @Field(() => [ID], { description: 'The ids that were contacts of the organization and are now erased' }) deleted!: string[];
}

export const ContactConnection = ConnectionType(ContactType, 'Contact');

export const contactToGraphQL = (c: Contact): ContactType => ({
  id: c.id,
  email: c.email ?? null,
  phoneNumber: c.phoneNumber ?? null,
  externalId: c.externalId ?? null,
  firstName: c.firstName ?? null,
  lastName: c.lastName ?? null,
  source: c.source as ContactSource,
  properties: c.properties ?? {},
  isSuppressed: c.isSuppressed,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

export const contactToRest = (c: Contact) => ({
  id: c.id,
  email: c.email ?? null,
  phone_number: c.phoneNumber ?? null,
  external_id: c.externalId ?? null,
  first_name: c.firstName ?? null,
  last_name: c.lastName ?? null,
  source: c.source,
  properties: c.properties ?? {},
  is_suppressed: c.isSuppressed,
  created_at: c.createdAt.toISOString(),
  updated_at: c.updatedAt.toISOString(),
});
