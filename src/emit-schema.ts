/** Writes schema/schema.graphql from the resolvers (`npm run schema:emit`). A test fails when it is stale. */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { printSchema, lexicographicSortSchema } from 'graphql';
import { PROJECT_ROOT } from './config.js';
import { buildGraphQLSchema } from './schema.js';

export async function renderSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildGraphQLSchema()))}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const file = path.join(PROJECT_ROOT, 'schema', 'schema.graphql');
  fs.writeFileSync(file, await renderSchema());
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
