import { useState } from 'react';
import { gql } from '../api';
import { ApiKeysQuery, CreateApiKeyMutation, RevokeApiKeyMutation } from '../operations';
import { Copy, ErrorBox, Modal, useLoad, when } from '../ui';

export function Keys() {
  const { data, error, reload } = useLoad(() => gql(ApiKeysQuery), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ token: string; prefix: string }>();
  const [revoking, setRevoking] = useState<{ id: string; prefix: string; current: boolean }>();
  const [actionError, setActionError] = useState<unknown>();
  const keys = data?.apiKeys ?? [];
  return (
    <>
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          <p className="muted">Each key acts for this organization: <code>Authorization: Bearer be_…</code>. Only a hash is stored, so a key is shown once.</p>
        </div>
      </div>
      <div className="card">
        <form
          className="toolbar"
          onSubmit={async (e) => {
            e.preventDefault();
            setActionError(undefined);
            try {
              const r = await gql(CreateApiKeyMutation, { name: name.trim() || null });
              setCreated({ token: r.createApiKey.token, prefix: r.createApiKey.apiKey.prefix });
              setName('');
              reload();
            } catch (err) {
              setActionError(err);
            }
          }}
        >
          <input aria-label="New key label" placeholder="Label (optional), e.g. checkout service" value={name} onChange={(e) => setName(e.target.value)} />
          <button className="btn btn-primary">Create key</button>
        </form>
        {created && (
          <div className="alert alert-ok created-key" role="status">
            <p><strong>Your new key.</strong> Copy it now: it will not be shown again.</p>
            <div className="token-row">
              <code className="token" data-copy-target>{created.token}</code>
              <Copy text={created.token} />
            </div>
            <button className="btn btn-link" onClick={() => setCreated(undefined)}>I stored it, hide it</button>
          </div>
        )}
        <ErrorBox error={error ?? actionError} />
        <table className="table keys">
          <thead><tr><th>Key</th><th>Label</th><th>Created</th><th>Last used</th><th>Status</th><th /></tr></thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} className={k.revokedAt ? 'muted' : ''}>
                <td className="mono">{k.prefix}…{k.current && <span className="badge badge-enabled">this browser</span>}</td>
                <td>{k.name ?? <span className="muted">—</span>}</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.lastUsedAt)}</td>
                <td>{k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active'}</td>
                <td>{!k.revokedAt && <button className="btn btn-danger btn-sm" onClick={() => setRevoking(k)}>Revoke</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {revoking && (
        <Modal title={`Revoke ${revoking.prefix}…?`} onClose={() => setRevoking(undefined)}>
          <p>Requests with this key are refused (401) at once on every server. This cannot be undone.</p>
          {revoking.current && <div className="alert alert-warn">This is the key this browser is signed in with: you will be signed out.</div>}
          <div className="actions">
            <button className="btn" onClick={() => setRevoking(undefined)}>Cancel</button>
            <button
              className="btn btn-danger"
              onClick={async () => {
                try {
                  await gql(RevokeApiKeyMutation, { id: revoking.id });
                  setRevoking(undefined);
                  if (revoking.current) location.reload();
                  else reload();
                } catch (err) {
                  setActionError(err);
                  setRevoking(undefined);
                }
              }}
            >
              Revoke key
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
