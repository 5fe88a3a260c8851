import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { EventDefinitionType } from '../events/event.types.js';
import type { GraphQLContext } from '../shared/context.js';
import { relayToPage } from '../shared/pagination.js';
import { toConnection } from '../shared/relay.js';
import { AutomationRunsFilter, AutomationStatusEnum, CreateAutomationInput, UpdateAutomationInput } from './automation.inputs.js';
import {
  automationsForEvent, createAutomation, deleteAutomation, getAutomation, getRun, listAutomations, listRuns, setAutomationStatus, updateAutomation, type AutomationCtx,
} from './automation.service.js';
import {
  AutomationConnection, AutomationRunConnection, AutomationRunType, AutomationType, DeleteAutomationResult, automationToGraphQL, runToGraphQL,
} from './automation.types.js';

@ArgsType()
class PageArgsGql {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => Int, { nullable: true }) last?: number;
  @Field(() => String, { nullable: true }) before?: string;
}

@ArgsType()
class AutomationsArgs extends PageArgsGql {
  @Field(() => AutomationStatusEnum, { nullable: true }) status?: AutomationStatusEnum;
  @Field(() => String, { nullable: true, description: 'Only automations triggered by this event name' }) event?: string;
}

const actx = (ctx: GraphQLContext): AutomationCtx => ({ em: ctx.em, org: ctx.org, config: ctx.deps.config });

@Resolver(() => AutomationType)
export class AutomationResolver {
  @Query(() => AutomationConnection, { description: 'Automations, newest first; each with its current issues' })
  async automations(@Args() args: AutomationsArgs, @Ctx() ctx: GraphQLContext) {
    const page = await listAutomations(actx(ctx), { page: relayToPage(args), status: args.status ?? undefined, event: args.event ?? undefined });
    return toConnection(page, automationToGraphQL, Boolean(args.after || args.before));
  }

  @Query(() => AutomationType)
  async automation(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return automationToGraphQL(await getAutomation(actx(ctx), id));
  }

  @Query(() => AutomationRunConnection, { description: 'Runs with their step log, newest first' })
  async automationRuns(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => AutomationRunsFilter, { nullable: true }) filter?: AutomationRunsFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('last', () => Int, { nullable: true }) last?: number,
    @Arg('before', () => String, { nullable: true }) before?: string,
  ) {
    const c = actx(ctx);
    if (filter?.automationId) await getAutomation(c, filter.automationId);
    const page = await listRuns(c, {
      page: relayToPage({ first, after, last, before }),
      automationId: filter?.automationId ?? undefined,
      status: filter?.status ?? undefined,
      sendId: filter?.sendId ?? undefined,
    });
    return toConnection(page, runToGraphQL, Boolean(after || before));
  }

  @Query(() => AutomationRunType, { description: 'One run with its step log' })
  async automationRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return runToGraphQL(await getRun(actx(ctx), '', id));
  }

  @Mutation(() => AutomationType, { description: 'Stores the automation (as a draft unless status is given) and reports its issues' })
  async createAutomation(@Arg('input', () => CreateAutomationInput) input: CreateAutomationInput, @Ctx() ctx: GraphQLContext) {
    return automationToGraphQL(await createAutomation(actx(ctx), input));
  }

  @Mutation(() => AutomationType)
  async updateAutomation(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateAutomationInput) input: UpdateAutomationInput, @Ctx() ctx: GraphQLContext) {
    return automationToGraphQL(await updateAutomation(actx(ctx), id, input));
  }

  @Mutation(() => AutomationType, { description: 'VALIDATION_ERROR listing the issues when it does not type-check' })
  async enableAutomation(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return automationToGraphQL(await setAutomationStatus(actx(ctx), id, 'enabled'));
  }

  @Mutation(() => AutomationType, { description: 'Stops new runs and cancels runs in progress' })
  async disableAutomation(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return automationToGraphQL(await setAutomationStatus(actx(ctx), id, 'disabled'));
  }

  @Mutation(() => DeleteAutomationResult)
  async deleteAutomation(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DeleteAutomationResult> {
    const a = await deleteAutomation(actx(ctx), id);
    return { object: 'automation', id: a.id, deleted: true };
  }
}

/** `EventDefinition.automations`: an event lists the automations it triggers, with their issues (how a breaking schema change shows on the event). */
@Resolver(() => EventDefinitionType)
export class EventAutomationsResolver {
  @FieldResolver(() => AutomationConnection, { description: 'Automations triggered by this event, newest first, each with its stored issues (broken: enabled but no longer type-checks)' })
  async automations(@Root() event: EventDefinitionType, @Args() args: PageArgsGql, @Ctx() ctx: GraphQLContext) {
    const page = await automationsForEvent(actx(ctx), event.name, relayToPage(args));
    return toConnection(page, automationToGraphQL, Boolean(args.after || args.before));
  }
}
