import { Arg, Args, ArgsType, Ctx, Field, InputType, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { relayToPage } from '../shared/pagination.js';
import { toConnection } from '../shared/relay.js';
import { checkKey, idempotencyContext, type StoredResponse } from './idempotency.js';
import { getSends, listSends } from './send.history.js';
import { SendEventInput } from './send.inputs.js';
import { acceptSends, schemaMismatch, sendServices, type ItemOutcome } from './send.service.js';
import { EventSendConnection, EventSendType, SendEventResult, SendStatus, sendToGraphQL } from './send.types.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- stored REST bodies are plain JSON */

@InputType()
export class SendsFilter {
  @Field(() => String, { nullable: true, description: 'Event name (deleted events included); a UUID-shaped value no event was ever named is taken as the event id' }) event?: string;
  @Field(() => SendStatus, { nullable: true }) status?: SendStatus;
}

@ArgsType()
export class SendsArgs {
  @Field(() => SendsFilter, { nullable: true }) filter?: SendsFilter;
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => Int, { nullable: true }) last?: number;
  @Field(() => String, { nullable: true }) before?: string;
}

// Items are checked one by one by the service (so one bad item of sendEvents never fails the
// others, and the order of checks matches REST); the global validateFn is skipped for them.
const perItem = { validateFn: () => undefined };

function recorded(o: Extract<ItemOutcome, { kind: 'recorded' }>): EventSendType {
  return {
    id: o.row.id,
    event: o.row.eventName,
    status: SendStatus.ACCEPTED,
    errors: [],
    contactId: o.row.contactId,
    email: o.row.email,
    data: o.data,
    timestamp: new Date(o.row.timestamp),
    createdAt: new Date(Number.parseInt(o.row.id.replace(/-/g, '').slice(0, 12), 16)), // UUIDv7 carries its creation time
    processedAt: null,
    failureReason: null,
    schemaVersion: o.row.schemaVersion,
    replayedAt: null,
  };
}

/** REST-shaped batch entry (what is stored under an Idempotency-Key) → GraphQL result. */
function resultFromRest(r: Record<string, any>): SendEventResult {
  if (!r.error) return { id: r.id, status: SendStatus.ACCEPTED, errors: [], error: null };
  const error = { statusCode: r.error.status_code, code: r.error.code, message: r.error.message };
  return r.error.code === 'schema_mismatch'
    ? { id: r.error.id, status: SendStatus.REJECTED, errors: r.error.errors, error }
    : { id: null, status: null, errors: null, error };
}

function idempotencyKey(ctx: GraphQLContext): string | undefined {
  const h = ctx.headers['idempotency-key'];
  const key = Array.isArray(h) ? h[0] : h;
  if (key !== undefined) checkKey(key);
  return key;
}

/** The same Idempotency-Key rules as REST (the header on the GraphQL request; the hash covers the mutation's input). */
async function keyed(ctx: GraphQLContext, key: string, field: string, items: unknown[], batch: boolean): Promise<StoredResponse> {
  const idempotency = idempotencyContext(ctx.org.id, key, { [field]: batch ? items : items[0] });
  return sendServices(ctx.deps).gate.run(idempotency, async () =>
    (await acceptSends(ctx.deps, ctx.org, items, { naming: 'graphql', batch, idempotency })).response,
  );
}

@Resolver(() => EventSendType)
export class SendResolver {
  @Mutation(() => EventSendType, { description: 'Record one send; a schema mismatch is recorded and raised as SCHEMA_MISMATCH' })
  async sendEvent(@Arg('input', () => SendEventInput, perItem) input: SendEventInput, @Ctx() ctx: GraphQLContext): Promise<EventSendType> {
    const key = idempotencyKey(ctx);
    if (key !== undefined) {
      const r = await keyed(ctx, key, 'sendEvent', [{ ...input }], false);
      const body = r.body as Record<string, any>;
      if (r.status === 422) throw schemaMismatch(body.id, body.errors);
      const [send] = await getSends(ctx.deps.pool, ctx.org, [body.id]);
      return sendToGraphQL(send);
    }
    const { outcomes } = await acceptSends(ctx.deps, ctx.org, [{ ...input }], { naming: 'graphql', batch: false });
    const o = outcomes![0];
    if (o.kind === 'error') throw o.error;
    if (o.errors) throw schemaMismatch(o.row.id, o.errors);
    return recorded(o);
  }

  @Mutation(() => [SendEventResult], { description: 'Record 1–500 sends; one result per input, in order' })
  async sendEvents(@Arg('inputs', () => [SendEventInput], perItem) inputs: SendEventInput[], @Ctx() ctx: GraphQLContext): Promise<SendEventResult[]> {
    if (inputs.length < 1 || inputs.length > 500) {
      throw new AppError('validation_error', inputs.length < 1 ? 'inputs must contain at least 1 elements' : 'inputs must contain no more than 500 elements');
    }
    const items = inputs.map((i) => ({ ...i }));
    const key = idempotencyKey(ctx);
    const r = key !== undefined
      ? await keyed(ctx, key, 'sendEvents', items, true)
      : (await acceptSends(ctx.deps, ctx.org, items, { naming: 'graphql', batch: true })).response;
    return (r.body as { results: Record<string, any>[] }).results.map(resultFromRest);
  }

  @Query(() => EventSendConnection, { description: 'Recorded sends, newest first' })
  async sends(@Args() args: SendsArgs, @Ctx() ctx: GraphQLContext) {
    const page = await listSends(ctx.deps, ctx.org, {
      event: args.filter?.event != null ? { nameOrId: args.filter.event } : undefined,
      status: args.filter?.status ?? undefined,
      page: relayToPage(args),
    });
    return toConnection(page, sendToGraphQL, Boolean(args.after || args.before));
  }
}
