/**
 * Monaco's web workers, bundled by Vite (graphiql 5 docs, "setup-workers/vite"): the editor, JSON
 * (variables/headers) and GraphQL language workers are our own files, never loaded from a CDN.
 * Written out instead of importing graphiql/setup-workers/vite, which logs every worker it starts.
 */
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker.js?worker';
import GraphQLWorker from 'monaco-graphql/esm/graphql.worker.js?worker';

(globalThis as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    if (label === 'json') return new JsonWorker();
    if (label === 'graphql') return new GraphQLWorker();
    return new EditorWorker();
  },
};
