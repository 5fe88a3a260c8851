/**
 * The event's sends, newest first, refreshing by itself. A send opens to show its payload; a
 * rejected one marks each failing field with the API's message (a missing field included).
 */
import { useState } from 'react';
import type { SendStatus } from '../../gql/graphql';
import { gql, type ResultOf } from '../api';
import { SendsQuery } from '../operations';
import { Badge, Empty, ErrorBox, useLoad, when } from '../ui';

type Send = ResultOf<typeof SendsQuery>['sends']['edges'][number]['node'];
const STATUSES: SendStatus[] = ['ACCEPTED', 'PROCESSED', 'REJECTED', 'FAILED'];

export function SendsHistory({ event, fields, refresh }: { event: string; fields: { name: string; required: boolean }[]; refresh: number }) {
  const [status, setStatus] = useState<SendStatus | ''>('');
  const [pages, setPages] = useState(1);
  const [open, setOpen] = useState<string>();
  const { data, error } = useLoad(() => gql(SendsQuery, { event, status: status || undefined, first: 25 * pages }), [event, status, pages, refresh], 4000);
  const sends = data?.sends.edges.map((e) => e.node) ?? [];

  return (
    <div>
      <div className="section-head">
        <h2>Sends</h2>
        <label className="inline">
          <span className="muted small">Status</span>
          <select aria-label="Filter sends by status" value={status} onChange={(e) => (setStatus(e.target.value as SendStatus | ''), setPages(1))}>
            <option value="">all</option>
            {STATUSES.map((s) => <option key={s} value={s}>{s.toLowerCase()}</option>)}
          </select>
        </label>
      </div>
      <p className="muted small">Refreshes every few seconds. Click a send to see its payload.</p>
      <ErrorBox error={error} />
      {data && sends.length === 0 && (
        <Empty title={status ? `No ${status.toLowerCase()} sends.` : 'No sends yet.'}>
          {status ? 'Choose “all” to see every send.' : 'Use “Send a test event” above, or send from your application with POST /v1/events/send.'}
        </Empty>
      )}
      {sends.length > 0 && (
        <ul className="sends">
          {sends.map((s) => (
            <li key={s.id} className={`send send-${s.status.toLowerCase()}${open === s.id ? ' open' : ''}`} data-send-id={s.id}>
              <button type="button" className="send-row" aria-expanded={open === s.id} onClick={() => setOpen(open === s.id ? undefined : s.id)}>
                <Badge value={s.status} />
                <span className="send-contact">{s.email ?? s.contactId}</span>
                <span className="muted small send-when">{when(s.createdAt)}</span>
                <span className="muted small send-summary">
                  {s.errors.length ? s.errors.map((e) => `${e.field} ${e.message}`).join('; ') : s.failureReason ?? summary(s.data)}
                </span>
              </button>
              {open === s.id && <SendDetail send={s} fields={fields} />}
            </li>
          ))}
        </ul>
      )}
      {data?.sends.pageInfo.hasNextPage && (
        <div className="pager">
          <button className="btn" onClick={() => setPages((p) => p + 1)}>Show older sends</button>
        </div>
      )}
    </div>
  );
}

function summary(data: Record<string, unknown>): string {
  const s = JSON.stringify(data);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

function SendDetail({ send, fields }: { send: Send; fields: { name: string; required: boolean }[] }) {
  const keys = [...new Set([...fields.map((f) => f.name), ...Object.keys(send.data)])];
  return (
    <div className="send-detail">
      <dl className="kv">
        <dt>id</dt><dd className="mono">{send.id}</dd>
        <dt>contact</dt><dd>{send.email ?? <span className="mono">{send.contactId}</span>}</dd>
        <dt>event time</dt><dd>{new Date(send.timestamp).toISOString()}</dd>
        {send.processedAt && (<><dt>processed</dt><dd>{new Date(send.processedAt).toISOString()}</dd></>)}
        {send.failureReason && (<><dt>failure</dt><dd className="error-text">{send.failureReason}</dd></>)}
      </dl>
      <table className="table payload">
        <thead><tr><th>Field</th><th>Value sent</th><th></th></tr></thead>
        <tbody>
          {keys.map((k) => {
            const errs = send.errors.filter((e) => e.field === k);
            const present = Object.prototype.hasOwnProperty.call(send.data, k);
            return (
              <tr key={k} className={errs.length ? 'row-error' : ''} data-payload-field={k}>
                <td className="mono">{k}</td>
                <td className="mono">{present ? JSON.stringify(send.data[k]) : <span className="muted">(not sent)</span>}</td>
                <td>{errs.map((e) => <span key={e.message} className="field-error">{e.message}</span>)}</td>
              </tr>
            );
          })}
          {send.errors.filter((e) => !keys.includes(e.field)).map((e) => (
            <tr key={e.field} className="row-error"><td className="mono">{e.field}</td><td /><td><span className="field-error">{e.message}</span></td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
