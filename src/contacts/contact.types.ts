/** GraphQL output type for contacts and the REST mapping. */
import { DateTimeISOResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '../shared/relay.js';
import type { Contact } from './contact.entity.js';

@ObjectType('Contact')
export class ContactType {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field(() => JSONObjectResolver) attributes!: Record<string, unknown>;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver) updatedAt!: Date;
}

export const ContactConnection = ConnectionType(ContactType, 'Contact');

export const contactToGraphQL = (c: Contact): ContactType => ({
  id: c.id,
  email: c.email,
  attributes: c.attributes ?? {},
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

export const contactToRest = (c: Contact) => ({
  id: c.id,
  email: c.email,
  attributes: c.attributes ?? {},
  created_at: c.createdAt.toISOString(),
  updated_at: c.updatedAt.toISOString(),
});
