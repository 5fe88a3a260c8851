import { DateTimeISOResolver } from 'graphql-scalars';
import { Arg, Ctx, Field, Int, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import { sendStats, type Bucket } from './send.stats.js';

export enum SendStatsBucket {
  MINUTE = 'minute',
  HOUR = 'hour',
  DAY = 'day',
}
registerEnumType(SendStatsBucket, { name: 'SendStatsBucket', description: 'Width of one point of sendStats (UTC)' });

@ObjectType()
class SendStatsPoint {
  @Field(() => DateTimeISOResolver, { description: 'Start of the bucket' }) start!: Date;
  @Field(() => Int, { description: 'Sends recorded as accepted (processed or failed later included)' }) accepted!: number;
  @Field(() => Int, { description: 'Sends rejected by the schema' }) rejected!: number;
}

@ObjectType({ description: 'Sends of one event over time, by creation time' })
class SendStats {
  @Field() event!: string;
  @Field(() => DateTimeISOResolver) from!: Date;
  @Field(() => DateTimeISOResolver) to!: Date;
  @Field(() => SendStatsBucket) bucket!: SendStatsBucket;
  @Field(() => Int) accepted!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [SendStatsPoint]) points!: SendStatsPoint[];
}

@Resolver()
export class SendStatsResolver {
  @Query(() => SendStats, { description: 'Accepted vs rejected sends of an event per bucket (at most 1440 buckets); from the history index' })
  async sendStats(
    @Arg('event', { description: 'Event id or name (deleted events included)' }) event: string,
    @Arg('from', () => DateTimeISOResolver) from: Date,
    @Arg('to', () => DateTimeISOResolver, { nullable: true, description: 'Defaults to now' }) to: Date | null,
    @Arg('bucket', () => SendStatsBucket, { defaultValue: SendStatsBucket.HOUR }) bucket: SendStatsBucket,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SendStats> {
    const s = await sendStats(ctx.deps, ctx.org, { event, from, to, bucket: bucket as Bucket });
    return { ...s, bucket };
  }
}
