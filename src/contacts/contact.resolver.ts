import { Arg, Args, ArgsType, Ctx, Field, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import { relayToPage } from '../shared/pagination.js';
import { toConnection } from '../shared/relay.js';
import { eraseOrgContact, eraseOrgContacts } from './contact.erase.js';
import { BulkDeleteContactsInput, CreateContactInput, UpdateContactInput } from './contact.inputs.js';
import { createContact, getContact, listContacts, updateContact } from './contact.service.js';
import { BulkDeleteContactsResult, ContactConnection, ContactType, contactToGraphQL, DeleteContactResult } from './contact.types.js';

@ArgsType()
export class ContactsArgs {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => Int, { nullable: true }) last?: number;
  @Field(() => String, { nullable: true }) before?: string;
  @Field(() => String, { nullable: true, description: 'Exact email (case-insensitive)' }) email?: string;
  @Field(() => String, { nullable: true, description: 'Exact phone number (E.164)' }) phoneNumber?: string;
  @Field(() => String, { nullable: true, description: 'Exact external id' }) externalId?: string;
}

@Resolver(() => ContactType)
export class ContactResolver {
  @Query(() => ContactConnection, { description: 'Contacts, newest first' })
  async contacts(@Args() args: ContactsArgs, @Ctx() ctx: GraphQLContext) {
    const page = await listContacts(ctx.em, ctx.org, {
      page: relayToPage(args),
      email: args.email ?? undefined,
      phoneNumber: args.phoneNumber ?? undefined,
      externalId: args.externalId ?? undefined,
    });
    return toConnection(page, contactToGraphQL, Boolean(args.after || args.before));
  }

  @Query(() => ContactType, { description: 'One contact, by id or by email' })
  async contact(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('email', () => String, { nullable: true }) email?: string,
  ) {
    return contactToGraphQL(await getContact(ctx.em, ctx.org, { id, email }));
  }

  @Mutation(() => ContactType)
  async createContact(@Arg('input', () => CreateContactInput) input: CreateContactInput, @Ctx() ctx: GraphQLContext) {
    return contactToGraphQL(await createContact(ctx.em, ctx.org, input));
  }

  @Mutation(() => ContactType, { description: 'Only the fields given change; null clears a field' })
  async updateContact(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateContactInput) input: UpdateContactInput, @Ctx() ctx: GraphQLContext) {
    return contactToGraphQL(await updateContact(ctx.em, ctx.org, id, input));
  }

  @Mutation(() => DeleteContactResult, { description: 'Erase a contact and its personal data (sends, run logs, outbox) in one transaction' })
  async deleteContact(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DeleteContactResult> {
    return { id: await eraseOrgContact(ctx.deps, ctx.org.id, id), deleted: true, message: 'Contact deleted' };
  }

  @Mutation(() => BulkDeleteContactsResult, { description: 'Erase up to 1,000 contacts (unknown ids are ignored)' })
  async deleteContacts(@Arg('input', () => BulkDeleteContactsInput) input: BulkDeleteContactsInput, @Ctx() ctx: GraphQLContext): Promise<BulkDeleteContactsResult> {
    return { message: 'Contacts deleted', deleted: await eraseOrgContacts(ctx.deps, ctx.org.id, input.ids) };
  }
}
