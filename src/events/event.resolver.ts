import { Arg, Args, ArgsType, Ctx, Field, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { relayToPage } from '../shared/pagination.js';
import { toConnection } from '../shared/relay.js';
import { invalidateOrgEvents } from './event.cache.js';
import { CreateEventInput, UpdateEventInput } from './event.inputs.js';
import { createEvent, deleteEvent, getEvent, listEvents } from './event.service.js';
import { updateEventSafely } from './event.preview.js';
import { DeleteEventResult, EventConnection, EventDefinitionType, eventToGraphQL } from './event.types.js';

@ArgsType()
export class EventsArgs {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => Int, { nullable: true }) last?: number;
  @Field(() => String, { nullable: true }) before?: string;
  @Field(() => String, { nullable: true }) search?: string;
}

@Resolver(() => EventDefinitionType)
export class EventResolver {
  @Query(() => EventConnection, { description: 'Event definitions, newest first' })
  async events(@Args() args: EventsArgs, @Ctx() ctx: GraphQLContext) {
    const page = await listEvents(ctx.em, ctx.org, { page: relayToPage(args), search: args.search ?? undefined, caches: ctx.deps.caches });
    return toConnection(page, eventToGraphQL, Boolean(args.after || args.before));
  }

  @Query(() => EventDefinitionType, { description: 'One definition, by id or by name' })
  async event(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true, description: 'The id; when no definition has it, a name' }) id?: string,
    @Arg('name', () => String, { nullable: true, description: 'The name, always a name (also when it looks like a UUID)' }) name?: string,
  ) {
    if ((id == null) === (name == null)) throw new AppError('bad_request', 'Provide either id or name.');
    // `name` is always a name (an event may be named like a UUID); `id` is looked up like REST's {id}.
    return eventToGraphQL(await getEvent(ctx.em, ctx.org, id != null ? { idOrName: id } : { name: name! }));
  }

  @Mutation(() => EventDefinitionType)
  async createEvent(@Arg('input', () => CreateEventInput) input: CreateEventInput, @Ctx() ctx: GraphQLContext) {
    return eventToGraphQL(await createEvent(ctx.em, ctx.org, input, (o) => invalidateOrgEvents(ctx.deps, o)));
  }

  @Mutation(() => EventDefinitionType)
  async updateEvent(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateEventInput) input: UpdateEventInput,
    @Ctx() ctx: GraphQLContext,
    @Arg('force', () => Boolean, { nullable: true, description: 'Save a schema change that breaks enabled automations, disabling them' }) force?: boolean,
  ) {
    return eventToGraphQL(await updateEventSafely(ctx.em, ctx.org, id, input, { force: force ?? false, config: ctx.deps.config, onChange: (o) => invalidateOrgEvents(ctx.deps, o) }));
  }

  @Mutation(() => DeleteEventResult)
  async deleteEvent(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DeleteEventResult> {
    const def = await deleteEvent(ctx.em, ctx.org, id, (o) => invalidateOrgEvents(ctx.deps, o));
    return { object: 'event', id: def.id, deleted: true };
  }
}
