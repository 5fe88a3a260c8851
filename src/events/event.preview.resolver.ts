/** GraphQL `previewEventUpdate(id, input)`: the impact of an update, saving nothing (also a query). */
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import { UpdateEventInput } from './event.inputs.js';
import { previewEventUpdate } from './event.preview.js';
import { EventUpdatePreview, previewToGraphQL } from './event.preview.types.js';

async function preview(ctx: GraphQLContext, id: string, input: UpdateEventInput): Promise<EventUpdatePreview> {
  return previewToGraphQL(await previewEventUpdate(ctx.em, ctx.org, id, input, ctx.deps.config));
}

@Resolver()
export class EventPreviewResolver {
  @Mutation(() => EventUpdatePreview, { description: 'What updateEvent would do (schema changes, automations it would break, recent sends it would reject); saves nothing' })
  async previewEventUpdate(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateEventInput) input: UpdateEventInput, @Ctx() ctx: GraphQLContext) {
    return preview(ctx, id, input);
  }

  @Query(() => EventUpdatePreview, { name: 'previewEventUpdate', description: 'Same as the previewEventUpdate mutation' })
  async previewEventUpdateQuery(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateEventInput) input: UpdateEventInput, @Ctx() ctx: GraphQLContext) {
    return preview(ctx, id, input);
  }
}
