import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed GraphQL documents from the committed SDL (schema/schema.graphql). Run `npm run codegen`
 * after `npm run schema:emit`; the output in test/gql/ is committed so tests need no generation step.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/graphql/**/*.ts', 'web/**/*.graphql'],
  ignoreNoDocuments: true,
  // NodeNext resolution needs the extension; without it the generated types silently resolve to {}.
  importExtension: '.js',
  generates: {
    'test/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTimeISO: 'string', JSONObject: 'Record<string, unknown>', EmailAddress: 'string' },
      },
    },
  },
};

export default config;
