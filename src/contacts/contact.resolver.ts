import { Arg, Args, ArgsType, Ctx, Field, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import { relayToPage } from '../shared/pagination.js';
import { toConnection } from '../shared/relay.js';
import { CreateContactInput } from './contact.inputs.js';
import { createContact, getContact, listContacts } from './contact.service.js';
import { ContactConnection, ContactType, contactToGraphQL } from './contact.types.js';

@ArgsType()
export class ContactsArgs {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => Int, { nullable: true }) last?: number;
  @Field(() => String, { nullable: true }) before?: string;
  @Field(() => String, { nullable: true, description: 'Exact email (case-insensitive)' }) email?: string;
}

@Resolver(() => ContactType)
export class ContactResolver {
  @Query(() => ContactConnection, { description: 'Contacts, newest first' })
  async contacts(@Args() args: ContactsArgs, @Ctx() ctx: GraphQLContext) {
    const page = await listContacts(ctx.em, ctx.org, { page: relayToPage(args), email: args.email ?? undefined });
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
}
