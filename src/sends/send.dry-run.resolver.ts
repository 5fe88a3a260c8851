/** GraphQL `validateEvent`: a send checked exactly as sendEvent checks it, recording nothing. */
import { Arg, Ctx, Field, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/context.js';
import { validateSendGraphQL } from './send.dry-run.js';
import { SendEventInput } from './send.inputs.js';
import { FieldError } from './send.types.js';

@ObjectType()
export class ValidationResult {
  @Field({ description: 'The send would be accepted' }) valid!: boolean;
  @Field(() => [FieldError], { description: 'Why it would be rejected (schema mismatch), empty when valid' }) errors!: FieldError[];
}

// Checked by the service like sendEvent's input (same order of checks as REST).
const perItem = { validateFn: () => undefined };

@Resolver()
export class SendValidateResolver {
  @Mutation(() => ValidationResult, {
    description: 'Validate a send without recording it (nothing stored, enqueued or counted); request errors are raised as for sendEvent',
  })
  async validateEvent(@Arg('input', () => SendEventInput, perItem) input: SendEventInput, @Ctx() ctx: GraphQLContext): Promise<ValidationResult> {
    return validateSendGraphQL(ctx.deps, ctx.org, { ...input });
  }

  // Also a query (it changes nothing), so a client may call it either way.
  @Query(() => ValidationResult, { name: 'validateEvent', description: 'Same as the validateEvent mutation' })
  async validateEventQuery(@Arg('input', () => SendEventInput, perItem) input: SendEventInput, @Ctx() ctx: GraphQLContext): Promise<ValidationResult> {
    return validateSendGraphQL(ctx.deps, ctx.org, { ...input });
  }
}
