/** GraphQL `EventDefinition.versions`: the schema versions of a definition, newest first (cursors are version numbers). */
import { DateTimeISOResolver } from 'graphql-scalars';
import { Args, ArgsType, Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import { ConnectionType, toConnection } from '../shared/relay.js';
import { EventDefinitionType, EventSchema } from './event.types.js';
import { listVersionsOf, versionPageFromRelay, type VersionItem } from './event.versions.js';
import type { FieldType } from './event.inputs.js';

@ObjectType('EventDefinitionVersion')
export class EventDefinitionVersionType {
  @Field(() => Int) version!: number;
  @Field(() => EventSchema) schema!: EventSchema;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
}

export const EventDefinitionVersionConnection = ConnectionType(EventDefinitionVersionType, 'EventDefinitionVersion');

@ArgsType()
export class VersionsArgs {
  @Field(() => Int, { nullable: true }) first?: number;
  @Field(() => String, { nullable: true, description: 'A version number' }) after?: string;
  @Field(() => Int, { nullable: true }) last?: number;
  @Field(() => String, { nullable: true, description: 'A version number' }) before?: string;
}

export const versionToGraphQL = (v: VersionItem): EventDefinitionVersionType => ({
  version: v.version,
  schema: { fields: v.fields.map((f) => ({ name: f.name, type: f.type as FieldType, required: f.required })) },
  createdAt: v.createdAt,
});

@Resolver(() => EventDefinitionType)
export class EventVersionsResolver {
  @FieldResolver(() => EventDefinitionVersionConnection, { description: 'Schema versions, newest first' })
  async versions(@Root() def: EventDefinitionType, @Args() args: VersionsArgs, @Ctx() ctx: GraphQLContext) {
    const page = await listVersionsOf(ctx.em, def.id, versionPageFromRelay(args));
    return toConnection(page, versionToGraphQL, Boolean(args.after || args.before));
  }
}
