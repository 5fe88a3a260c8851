/**
 * A test send generated from the event's schema: one typed input per field, the contact by email
 * or by id. Fields left empty are left out of `data` (a required one is then reported missing).
 * "Edit as JSON" sends any payload, e.g. a wrong type, to see how a rejection looks.
 */
import { useState } from 'react';
import type { FieldType } from '../../gql/graphql';
import { ApiError, gql } from '../api';
import { SendEventMutation } from '../operations';
import { ErrorBox } from '../ui';

type Field = { name: string; type: FieldType; required: boolean };
type Outcome = { kind: 'accepted'; id: string } | { kind: 'rejected'; id?: string; errors: { field: string; message: string }[] };

function toValue(type: FieldType, raw: string): unknown {
  if (type === 'NUMBER') return Number.isFinite(Number(raw)) && raw.trim() !== '' ? Number(raw) : raw;
  if (type === 'BOOLEAN') return raw === 'true';
  return raw;
}

export function SendForm({ event, onSent }: { event: { name: string; schema: { fields: Field[] } }; onSent: () => void }) {
  const fields = event.schema.fields;
  const [by, setBy] = useState<'email' | 'contactId'>('email');
  const [contact, setContact] = useState('jane@example.com');
  const [values, setValues] = useState<Record<string, string>>({});
  const [asJson, setAsJson] = useState(false);
  const [json, setJson] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const data = () => {
    const d: Record<string, unknown> = {};
    for (const f of fields) if ((values[f.name] ?? '') !== '') d[f.name] = toValue(f.type, values[f.name]);
    return d;
  };
  const failing = (name: string) => (outcome?.kind === 'rejected' ? outcome.errors.filter((e) => e.field === name) : []);

  return (
    <form
      className="editor"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        setOutcome(undefined);
        try {
          let payload: Record<string, unknown>;
          try {
            payload = asJson ? JSON.parse(json) : data();
          } catch {
            throw new Error('The data is not valid JSON.');
          }
          const r = await gql(SendEventMutation, { input: { event: event.name, data: payload, ...(by === 'email' ? { email: contact.trim() } : { contactId: contact.trim() }) } });
          setOutcome({ kind: 'accepted', id: r.sendEvent.id });
        } catch (err) {
          if (err instanceof ApiError && err.code === 'SCHEMA_MISMATCH') {
            setOutcome({ kind: 'rejected', id: err.extensions.id as string | undefined, errors: (err.extensions.errors as { field: string; message: string }[]) ?? [] });
          } else setError(err);
        } finally {
          setBusy(false);
          onSent();
        }
      }}
    >
      <div className="contact-row">
        <select aria-label="Identify the contact by" value={by} onChange={(e) => setBy(e.target.value as 'email' | 'contactId')}>
          <option value="email">Contact email</option>
          <option value="contactId">Contact id</option>
        </select>
        <input
          aria-label={by === 'email' ? 'Contact email' : 'Contact id'}
          type={by === 'email' ? 'email' : 'text'}
          value={contact}
          placeholder={by === 'email' ? 'jane@example.com' : '0197…'}
          onChange={(e) => setContact(e.target.value)}
          required
        />
      </div>
      {asJson ? (
        <label className="field">
          <span>data (JSON)</span>
          <textarea className="mono" rows={6} value={json} onChange={(e) => setJson(e.target.value)} />
        </label>
      ) : fields.length === 0 ? (
        <p className="muted small">This event declares no fields: the payload is sent empty.</p>
      ) : (
        fields.map((f) => {
          const errs = failing(f.name);
          const id = `send-${f.name}`;
          const common = {
            id,
            name: f.name,
            className: errs.length ? 'invalid' : '',
            value: values[f.name] ?? '',
            'aria-invalid': errs.length > 0,
            onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [f.name]: e.target.value })),
          };
          return (
            <div className={`field${errs.length ? ' has-error' : ''}`} key={f.name} data-send-field={f.name}>
              <label htmlFor={id}>
                <span className="mono">{f.name}</span> <span className="muted small">{f.type.toLowerCase()}{f.required ? ', required' : ''}</span>
              </label>
              {f.type === 'BOOLEAN' ? (
                <select {...common}>
                  <option value="">(leave out)</option>
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              ) : f.type === 'NUMBER' ? (
                <input {...common} inputMode="decimal" placeholder="129.99" />
              ) : f.type === 'DATE' ? (
                <input {...common} placeholder="2026-06-01 or 2026-06-01T12:00:00Z" />
              ) : (
                <input {...common} placeholder="text" />
              )}
              {errs.map((m) => <small key={m.message} className="field-error">{m.message}</small>)}
            </div>
          );
        })
      )}
      <label className="check small">
        <input
          type="checkbox"
          checked={asJson}
          onChange={(e) => {
            if (e.target.checked) setJson(JSON.stringify(data(), null, 2));
            setAsJson(e.target.checked);
          }}
        />
        Edit data as JSON
      </label>
      {outcome?.kind === 'accepted' && (
        <div className="alert alert-ok" role="status">Accepted: send <span className="mono">{outcome.id}</span>. Automations on this event will run for the contact.</div>
      )}
      {outcome?.kind === 'rejected' && (
        <div className="alert alert-error" role="status">
          Rejected by the schema (recorded as <span className="mono">{outcome.id}</span>):
          <ul>{outcome.errors.map((e) => <li key={e.field + e.message}><span className="mono">{e.field}</span> {e.message}</li>)}</ul>
        </div>
      )}
      <ErrorBox error={error} />
      <div className="actions">
        <button className="btn btn-primary" disabled={busy}>{busy ? 'Sending…' : 'Send test event'}</button>
      </div>
    </form>
  );
}
