import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed GraphQL documents from the committed SDL (schema/schema.graphql). Run `npm run codegen`
 * after `npm run schema:emit`; the output is committed so tests and builds need no generation step.
 * Two targets: the tests' documents (test/gql/) and the dashboard's (web/src/gql/, string
 * documents: the dashboard sends them with fetch, no GraphQL client library). `npm run build`
 * type-checks web/ against them, so a schema change that breaks a page fails the build, and
 * test/web/dashboard.test.ts fails when the generated files are stale.
 */
const scalars = { DateTimeISO: 'string', JSONObject: 'Record<string, unknown>', EmailAddress: 'string' };

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: true,
  // NodeNext resolution needs the extension; without it the generated types silently resolve to {}.
  importExtension: '.js',
  generates: {
    'test/gql/': {
      documents: ['test/graphql/**/*.ts'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars,
      },
    },
    'web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, documentMode: 'string', scalars },
    },
  },
};

export default config;
