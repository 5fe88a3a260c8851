/**
 * Limits on a GraphQL operation, checked before anything executes (README "Choices": GraphQL
 * limits). Tokens (graphql-js's parser option), depth, aliases and directives (graphql-armor's
 * validation rules, cached with the parsed document), cost (graphql-armor's cost rule, run per
 * request on the operation with its page sizes filled in), and the input-literal rules shared with
 * JSON bodies (input-guard.ts). Every refusal is a 400 `BAD_REQUEST`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  GraphQLError, Kind, TypeInfo, validate, visit, visitWithTypeInfo,
  type ArgumentNode, type ASTNode, type DocumentNode, type FieldNode, type GraphQLSchema, type OperationDefinitionNode, type ValidationContext, type ValidationRule,
} from 'graphql';
import { AppError } from './errors.js';
import { toGraphQLError } from './graphql-errors.js';
import { MAX_JSON_DEPTH, MESSAGES, numberIssue } from './input-guard.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';

/**
 * The limits (the cost limit is GRAPHQL_MAX_COST, src/config.ts). Every operation of the tests, the
 * dashboard and the codegen documents fits, and so does GraphiQL's introspection query (its
 * `__schema` field is exempt from depth and cost; it has a few hundred tokens).
 */
export const GRAPHQL_LIMITS = {
  /** Lexical tokens in the document (graphql-js stops parsing past this). */
  maxTokens: 2_000,
  /** Nested selection sets (fragments flattened: a spread is not a level). */
  maxDepth: 10,
  /** Aliased fields per operation. */
  maxAliases: 15,
  maxDirectives: 50,
} as const;

const badRequest = (message: string) => new AppError('bad_request', message);

/** armor's onReject: report our error shape (an AppError under the GraphQLError) instead of throwing. */
const report = (ctx: ValidationContext | null, err: GraphQLError) =>
  ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ''), { originalError: badRequest(err.message.replace(/^Syntax Error: /, '')) }));

/**
 * JSON-ish literals written in the document: nesting deeper than MAX_JSON_DEPTH (as for JSON
 * bodies) and numbers that would be stored as something else (numberIssue) are refused. graphql's
 * visit is iterative; maxTokens bounds what the (recursive) parser accepted before.
 */
export const inputLiteralsRule: ValidationRule = (ctx) => {
  let depth = 0;
  let reported = false;
  const fail = (message: string, node: ASTNode) => {
    if (reported) return;
    reported = true;
    ctx.reportError(new GraphQLError(message, { nodes: [node], originalError: badRequest(message) }));
  };
  const enter = (node: ASTNode) => {
    if (++depth > MAX_JSON_DEPTH) fail(MESSAGES.tooDeep, node);
  };
  const leave = () => void depth--;
  const num = (node: { value: string } & ASTNode) => {
    const issue = numberIssue(node.value, Number(node.value));
    if (issue) fail(issue, node);
  };
  return { ObjectValue: { enter, leave }, ListValue: { enter, leave }, IntValue: num, FloatValue: num };
};

const armor = new ApolloArmor({
  // A fragment is a way of writing a selection, not a level: the same query costs the same either way.
  maxDepth: { n: GRAPHQL_LIMITS.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: [report] },
  maxAliases: { n: GRAPHQL_LIMITS.maxAliases, propagateOnRejection: false, onReject: [report] },
  maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives, propagateOnRejection: false, onReject: [report] },
  costLimit: { enabled: false }, // per request below: it needs the variables
  maxTokens: { enabled: false }, // graphql-js's own parseOptions.maxTokens (armor's plugin throws outside Apollo's error handling)
  blockFieldSuggestion: { enabled: true },
}).protect();

const costRule = (maxCost: number) => costLimitRule({ maxCost, flattenFragments: true, propagateOnRejection: false, onReject: [report] });

const PAGE_ARGS = new Set(['first', 'last']);

/**
 * The operation alone (with the fragments), every connection field given an explicit `first` of
 * the page size it will return, so that armor's cost rule multiplies by it.
 */
function sized(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): DocumentNode {
  const doc: DocumentNode = { ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === operation) };
  const typeInfo = new TypeInfo(schema);
  return visit(
    doc,
    visitWithTypeInfo(typeInfo, {
      Field(node: FieldNode) {
        if (!typeInfo.getFieldDef()?.args.some((a) => a.name === 'first')) return undefined;
        let size: number = DEFAULT_PAGE_SIZE;
        for (const a of node.arguments ?? []) {
          if (!PAGE_ARGS.has(a.name.value)) continue;
          const v = a.value.kind === Kind.VARIABLE ? variables[a.value.name.value] : a.value.kind === Kind.INT ? Number(a.value.value) : undefined;
          // A page size outside 1–100 is the resolver's 422 before it reads anything: that field does no work.
          if (v !== undefined && v !== null) size = typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_PAGE_SIZE ? v : 1;
        }
        const first: ArgumentNode = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'first' }, value: { kind: Kind.INT, value: String(size) } };
        return { ...node, arguments: [...(node.arguments ?? []).filter((a) => !PAGE_ARGS.has(a.name.value)), first] };
      },
    }),
  );
}

const usesPageVariables = (operation: OperationDefinitionNode, document: DocumentNode): boolean => {
  let found = false;
  visit(document, { Argument: (a) => void (found ||= PAGE_ARGS.has(a.name.value) && a.value.kind === Kind.VARIABLE) });
  return found && operation.variableDefinitions !== undefined && operation.variableDefinitions.length > 0;
};

/** Why this operation, run with these variables, costs too much (graphql-armor's cost rule); null when it does not. */
export function costVerdict(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, maxCost: number): string | null {
  const errors = validate(schema, sized(schema, document, operation, variables), [costRule(maxCost)]);
  return errors.length ? errors[0].message : null;
}

function costPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin {  // Verdicts for operations whose cost does not depend on variables (Apollo reuses parsed documents).
  const verdicts = new WeakMap<OperationDefinitionNode, string | null>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          let verdict = verdicts.get(operation);
          if (verdict === undefined) {
            verdict = costVerdict(schema, document, operation, request.variables ?? {}, maxCost);
            if (!usesPageVariables(operation, document)) verdicts.set(operation, verdict);
          }
          if (verdict) throw toGraphQLError(badRequest(verdict), true);
        },
      };
    },
  };
}

/**
 * What ApolloServer gets: `parseOptions`, `validationRules` and `plugins`. `maxCost`
 * (GRAPHQL_MAX_COST) bounds graphql-armor's cost: a scalar 1, an object 2, each level down ×1.5
 * (fragments flattened), and a connection's cost times its page size (`first`/`last`, from the
 * literal or the variable; the default page size when absent; 1 when outside 1–100, which the
 * resolver refuses with a 422 before reading anything).
 */
export function graphqlGuards(schema: GraphQLSchema, maxCost: number) {
  return {
    parseOptions: { maxTokens: GRAPHQL_LIMITS.maxTokens },
    validationRules: [...(armor.validationRules as ValidationRule[]), inputLiteralsRule],
    // armor is typed against Apollo's CommonJS build; the plugin objects are the same.
    plugins: [...(armor.plugins as unknown as ApolloServerPlugin[]), costPlugin(schema, maxCost)],
  };
}
