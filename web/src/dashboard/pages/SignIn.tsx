import { useState } from 'react';
import { gql } from '../api';
import { ApiKeysQuery } from '../operations';
import { ErrorBox } from '../ui';

export function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <div className="signin">
      <form
        className="card signin-card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            await gql(ApiKeysQuery, {}, key.trim());
            onSignedIn(key.trim());
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="brand brand-lg">
          <span className="logo" aria-hidden>◆</span> arsel<span className="brand-dim">events</span>
        </div>
        <h1>Sign in with an API key</h1>
        <p className="muted">
          The server printed a key on its first start (<code>API key (shown once…)</code>). Create more with{' '}
          <code>npx arsel key create --org &lt;org-id&gt;</code>. The key stays in this browser until you sign out.
        </p>
        {notice && <div className="alert alert-warn">{notice}</div>}
        <label className="field">
          <span>API key</span>
          <input
            name="key"
            type="password"
            autoComplete="off"
            placeholder="be_…"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            required
          />
        </label>
        <ErrorBox error={error} />
        <button className="btn btn-primary" disabled={busy || !key.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">
          Prefer code? <a href="/graphql">GraphQL playground</a> · <a href="/docs">REST docs</a>
        </p>
      </form>
    </div>
  );
}
