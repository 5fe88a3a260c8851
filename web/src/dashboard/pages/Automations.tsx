import { gql } from '../api';
import { AutomationsQuery } from '../operations';
import { Link, navigate } from '../router';
import { Badge, Empty, ErrorBox, useLoad, when } from '../ui';

export function Automations() {
  const { data, error } = useLoad(() => gql(AutomationsQuery, { first: 100 }), []);
  const rows = data?.automations.edges.map((e) => e.node) ?? [];
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Automations</h1>
          <p className="muted">Steps that run for the contact of every accepted send of their trigger event.</p>
        </div>
        <button className="btn btn-primary" onClick={() => navigate('/automations/new')}>New automation</button>
      </div>
      <div className="card">
        <ErrorBox error={error} />
        {data && rows.length === 0 && (
          <Empty title="No automations yet.">
            Create one: a trigger on an event (e.g. <code>order.completed</code>), then conditions, emails, waits or webhooks.{' '}
            <Link to="/automations/new">New automation</Link>. It starts as a draft; enable it when it shows no issues.
          </Empty>
        )}
        {rows.length > 0 && (
          <ul className="list">
            {rows.map((a) => (
              <li key={a.id}>
                <Link to={`/automations/${a.id}`} className="list-row">
                  <div className="list-main">
                    <span className="strong">{a.name}</span>
                    <span className="muted">
                      on <span className="mono">{a.triggerEvent ?? '—'}</span>
                    </span>
                  </div>
                  <div className="list-meta">
                    <Badge value={a.status} />
                    {a.broken && <Badge value="broken" />}
                    {a.issues.length > 0 ? <span className="error-text">{a.issues.length} issue{a.issues.length === 1 ? '' : 's'}</span> : <span>no issues</span>}
                    <span className="muted">updated {when(a.updatedAt)}</span>
                  </div>
                </Link>
              </li>
            ))}
          </ul>
        )}
        {data?.automations.pageInfo.hasNextPage && <p className="muted small">Showing the newest 100.</p>}
      </div>
    </>
  );
}
