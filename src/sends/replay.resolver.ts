/** GraphQL: replaySends(event, filter) and replay(id). */
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import { getReplay, ReplayInput, replayToGraphQL, ReplayType, startReplay } from './replay.service.js';

@Resolver(() => ReplayType)
export class ReplayResolver {
  @Mutation(() => ReplayType, { description: 'Replay the rejected sends of an event (by id or name) against its current schema, in the background' })
  async replaySends(@Arg('event', () => String) event: string, @Arg('filter', () => ReplayInput) filter: ReplayInput, @Ctx() ctx: GraphQLContext) {
    return replayToGraphQL(await startReplay(ctx.em, ctx.org, event, filter, { pool: ctx.deps.pool, boss: ctx.deps.boss }));
  }

  @Query(() => ReplayType, { description: 'A replay as it progresses' })
  async replay(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return replayToGraphQL(await getReplay(ctx.deps.pool, ctx.org, id));
  }
}
