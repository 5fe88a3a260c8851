/** The only place contact input rules live (GraphQL inputs; the REST shim validates with them too). */
import { IsEmail, IsObject, IsOptional } from 'class-validator';
import { MaxLength } from '../shared/validation.js'; // PostgreSQL's characters (code points)
import { EmailAddressResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, InputType } from 'type-graphql';

@InputType()
export class CreateContactInput {
  @Field(() => EmailAddressResolver)
  @IsEmail() @MaxLength(320)
  email!: string;

  @Field(() => JSONObjectResolver, { nullable: true })
  @IsOptional() @IsObject()
  attributes?: Record<string, unknown>;
}
