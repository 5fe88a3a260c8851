import { useState } from 'react';
import { ApiError, gql } from '../api';
import { DeleteEventMutation, EventQuery } from '../operations';
import { Link, navigate } from '../router';
import { Badge, Empty, ErrorBox, Modal, useLoad } from '../ui';
import { EventEditor } from './EventEditor';
import { SendForm } from './SendForm';
import { SendsChart } from './SendsChart';
import { SendsHistory } from './SendsHistory';

export function EventDetail({ name }: { name: string }) {
  const { data, error, reload } = useLoad(() => gql(EventQuery, { name }), [name]);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const event = data?.event;
  // The first 100 automations it triggers (a connection; the detail page shows them as a list).
  const ev = event && { ...event, automations: event.automations.edges.map((e) => e.node) };

  if (error) {
    return (
      <>
        <p><Link to="/">← Events</Link></p>
        <ErrorBox error={error} />
      </>
    );
  }
  if (!ev) return <p className="muted">Loading…</p>;
  return (
    <>
      <p className="crumbs"><Link to="/">Events</Link> / <span className="mono">{ev.name}</span></p>
      <div className="page-head">
        <div>
          <h1 className="mono">{ev.name}</h1>
          <p className="muted">{ev.description || 'No description.'}</p>
        </div>
        <div className="actions">
          <button className="btn" onClick={() => setEditing(true)}>Edit</button>
          <button className="btn btn-danger" onClick={() => setDeleting(true)}>Delete</button>
        </div>
      </div>
      {editing && (
        <div className="card">
          <EventEditor existing={ev} onCancel={() => setEditing(false)} onSaved={() => (setEditing(false), reload())} />
        </div>
      )}
      {deleting && <DeleteEvent ev={ev} onClose={() => setDeleting(false)} />}

      <div className="columns">
        <section className="card">
          <h2>Schema</h2>
          {ev.schema.fields.length === 0 ? (
            <Empty title="No fields.">Every payload is accepted. Edit the event to declare fields and check sends.</Empty>
          ) : (
            <table className="table">
              <thead><tr><th>Field</th><th>Type</th><th>Required</th></tr></thead>
              <tbody>
                {ev.schema.fields.map((f) => (
                  <tr key={f.name}>
                    <td className="mono">{f.name}</td>
                    <td>{f.type.toLowerCase()}</td>
                    <td>{f.required ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2 className="spaced">Automations it triggers</h2>
          {ev.automations.length === 0 ? (
            <Empty title="None yet.">
              <Link to={`/automations/new?event=${encodeURIComponent(ev.name)}`}>Create an automation</Link> that starts when{' '}
              <span className="mono">{ev.name}</span> is received.
            </Empty>
          ) : (
            <ul className="plain">
              {ev.automations.map((a) => (
                <li key={a.id}>
                  <Link to={`/automations/${a.id}`}>{a.name}</Link> <Badge value={a.status} />
                  {a.broken && <Badge value="broken" />}
                  {a.issues.length > 0 && <span className="muted small"> {a.issues.length} issue(s)</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card">
          <h2>Send a test event</h2>
          <SendForm event={ev} onSent={() => setRefresh((n) => n + 1)} />
        </section>
      </div>
      <section className="card">
        <SendsChart event={ev.name} refresh={refresh} />
      </section>
      <section className="card">
        <SendsHistory event={ev.name} fields={ev.schema.fields} refresh={refresh} />
      </section>
    </>
  );
}

function DeleteEvent({ ev, onClose }: { ev: { id: string; name: string; automations: { id: string; name: string; status: string }[] }; onClose: () => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const enabled = ev.automations.filter((a) => a.status === 'ENABLED');
  return (
    <Modal title={`Delete ${ev.name}?`} onClose={onClose}>
      <p>
        New sends of <span className="mono">{ev.name}</span> will be refused (404). Its recorded sends stay readable in the history.
      </p>
      {error instanceof ApiError && error.status === 409 ? (
        <div className="alert alert-error" role="alert">
          <p>{error.message}</p>
          <p>
            An event that enabled automations start from cannot be deleted: disable them first
            {enabled.length > 0 && ':'}
          </p>
          {enabled.length > 0 && (
            <ul>
              {enabled.map((a) => (
                <li key={a.id}><Link to={`/automations/${a.id}`}>{a.name}</Link></li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <ErrorBox error={error} />
      )}
      <div className="actions">
        <button className="btn" onClick={onClose}>Cancel</button>
        <button
          className="btn btn-danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await gql(DeleteEventMutation, { id: ev.id });
              navigate('/');
            } catch (e) {
              setError(e);
            } finally {
              setBusy(false);
            }
          }}
        >
          Delete event
        </button>
      </div>
    </Modal>
  );
}
