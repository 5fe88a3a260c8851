import { useEffect, useState } from 'react';
import { gql } from '../api';
import { EventsQuery } from '../operations';
import { Link, navigate } from '../router';
import { Empty, ErrorBox, useLoad, when } from '../ui';
import { EventEditor } from './EventEditor';

const PAGE = 20;
type Cursor = { after?: string; before?: string };

export function Events() {
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const [cursor, setCursor] = useState<Cursor>({});
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    if (search.trim() === debounced) return;
    const t = setTimeout(() => (setDebounced(search.trim()), setCursor({})), 250);
    return () => clearTimeout(t);
  }, [search, debounced]);
  const { data, error } = useLoad(
    () =>
      gql(EventsQuery, {
        search: debounced || undefined,
        ...(cursor.before ? { last: PAGE, before: cursor.before } : { first: PAGE, after: cursor.after }),
      }),
    [debounced, cursor],
  );
  const conn = data?.events;
  const rows = conn?.edges.map((e) => e.node) ?? [];

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Events</h1>
          <p className="muted">Named schemas your application sends occurrences of. Sends are checked against them.</p>
        </div>
        <button className="btn btn-primary" onClick={() => setCreating(true)}>
          New event
        </button>
      </div>
      {creating && (
        <div className="card">
          <EventEditor onCancel={() => setCreating(false)} onSaved={(name) => navigate(`/events/${encodeURIComponent(name)}`)} />
        </div>
      )}
      <div className="card">
        <div className="toolbar">
          <input
            className="search"
            type="search"
            placeholder="Search event names…"
            aria-label="Search event names"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <ErrorBox error={error} />
        {data && !error && rows.length === 0 && (
          debounced ? (
            <Empty title={`No event matches “${debounced}”.`}>Try another part of the name, or clear the search.</Empty>
          ) : (
            <Empty title="No events defined yet.">
              Define your first one, for example <code>order.completed</code> with <code>order_id</code>, <code>total</code> and{' '}
              <code>is_gift</code>: <button className="btn btn-link" onClick={() => setCreating(true)}>create an event</button>. Your
              application then sends occurrences with <code>POST /v1/events/send</code> or the <code>sendEvent</code> mutation.
            </Empty>
          )
        )}
        {rows.length > 0 && (
          <ul className="list">
            {rows.map((ev) => (
              <li key={ev.id}>
                <Link to={`/events/${encodeURIComponent(ev.name)}`} className="list-row">
                  <div className="list-main">
                    <span className="mono strong">{ev.name}</span>
                    <span className="muted">{ev.description || 'No description'}</span>
                  </div>
                  <div className="list-meta">
                    <span>{ev.schema.fields.length} field{ev.schema.fields.length === 1 ? '' : 's'}</span>
                    {/* One automation is read per event (GraphQL cost limits): enough to tell none, one or several. */}
                    <span>{ev.automations.edges.length === 0 ? 'no automations' : ev.automations.pageInfo.hasNextPage ? '2+ automations' : '1 automation'}</span>
                    <span className="muted">updated {when(ev.updatedAt)}</span>
                  </div>
                </Link>
              </li>
            ))}
          </ul>
        )}
        {conn && (conn.pageInfo.hasNextPage || conn.pageInfo.hasPreviousPage || cursor.after || cursor.before) && (
          <div className="pager">
            <button
              className="btn"
              disabled={!(cursor.after || (cursor.before && conn.pageInfo.hasPreviousPage))}
              onClick={() => setCursor({ before: conn.pageInfo.startCursor ?? undefined })}
            >
              ← Newer
            </button>
            <button
              className="btn"
              disabled={!(cursor.before || conn.pageInfo.hasNextPage)}
              onClick={() => setCursor({ after: conn.pageInfo.endCursor ?? undefined })}
            >
              Older →
            </button>
          </div>
        )}
      </div>
    </>
  );
}
