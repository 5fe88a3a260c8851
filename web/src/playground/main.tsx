/**
 * GraphiQL at GET /graphql (browsers). The headers editor starts with the dashboard's key when this
 * browser signed in there; introspection (docs, autocompletion) then works at once.
 */
import './workers';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import { storedKey } from '../shared/key';
import { EXAMPLES } from './examples';

const key = storedKey();
const headers = JSON.stringify({ Authorization: `Bearer ${key ?? 'be_paste_your_api_key_here'}` }, null, 2);
// The stored key also goes on requests GraphiQL makes without the editor's headers (its schema
// introspection at load); the headers editor's own values win on the operations you run.
const fetcher = createGraphiQLFetcher({ url: '/graphql', headers: key ? { Authorization: `Bearer ${key}` } : undefined });

createRoot(document.getElementById('root')!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultTabs={EXAMPLES.map((t) => ({ ...t, headers }))}
    initialHeaders={headers}
    defaultHeaders={headers}
    shouldPersistHeaders={false}
    defaultEditorToolsVisibility={key ? true : 'headers'}
  >
    <GraphiQL.Logo>
      <a href="/dashboard" style={{ color: 'inherit', textDecoration: 'none', whiteSpace: 'nowrap' }}>arsel events</a>
    </GraphiQL.Logo>
  </GraphiQL>,
);
