/**
 * API keys of the caller's organization over GraphQL (the dashboard's Keys page). The rules are the
 * CLI's (api-key.service.ts): a key is shown once, only its hash is stored, revoking takes effect
 * on every running server at once.
 */
import { DateTimeISOResolver } from 'graphql-scalars';
import { Arg, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import type { ApiKey } from './api-key.entity.js';
import { createApiKey, listApiKeys, MAX_SELF_SERVICE_KEYS, revokeApiKey } from './api-key.service.js';
import { Organization } from './organization.entity.js';

@ObjectType('ApiKey', { description: 'An API key, without the key itself (only its prefix)' })
class ApiKeyType {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field({ description: '`be_` + the first 8 characters' }) prefix!: string;
  @Field({ description: 'The key this request is authenticated with' }) current!: boolean;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => DateTimeISOResolver, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType({ description: 'A new key: `token` is shown only in this answer' })
class CreatedApiKey {
  @Field(() => ApiKeyType) apiKey!: ApiKeyType;
  @Field({ description: 'Use as `Authorization: Bearer <token>`; it cannot be shown again' }) token!: string;
}

const toType = (k: ApiKey, ctx: GraphQLContext): ApiKeyType => ({
  id: k.id,
  name: k.name ?? null,
  prefix: k.tokenPrefix,
  current: k.id === ctx.org.keyId,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt ?? null,
  revokedAt: k.revokedAt ?? null,
});

@Resolver()
export class ApiKeyResolver {
  @Query(() => [ApiKeyType], { description: "The organization's API keys, oldest first (revoked ones included; at most 100 unless an operator added more)" })
  async apiKeys(@Ctx() ctx: GraphQLContext): Promise<ApiKeyType[]> {
    return (await listApiKeys(ctx.em, ctx.org.id)).map((k) => toType(k, ctx));
  }

  @Mutation(() => CreatedApiKey, { description: 'Create another key for this organization' })
  async createApiKey(@Arg('name', () => String, { nullable: true }) name: string | null, @Ctx() ctx: GraphQLContext): Promise<CreatedApiKey> {
    const { key, token } = await createApiKey(ctx.em, ctx.em.getReference(Organization, ctx.org.id), name, { limit: MAX_SELF_SERVICE_KEYS });
    return { apiKey: toType(key, ctx), token };
  }

  @Mutation(() => ApiKeyType, { description: 'Revoke a key of this organization; servers refuse it at once (401)' })
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ApiKeyType> {
    return toType(await revokeApiKey(ctx.em, id, ctx.deps.caches, ctx.org.id), ctx);
  }
}
