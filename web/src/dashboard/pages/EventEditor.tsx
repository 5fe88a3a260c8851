/**
 * Create or edit a definition: name (create only), description, and the field schema. Each API
 * validation message is shown next to the field it names (`schema.fields.1.name must match …`).
 */
import { useState } from 'react';
import type { FieldType } from '../../gql/graphql';
import { gql } from '../api';
import { CreateEventMutation, UpdateEventMutation } from '../operations';
import { splitMessages } from '../ui';

const TYPES: FieldType[] = ['STRING', 'NUMBER', 'BOOLEAN', 'DATE'];
type Row = { key: number; name: string; type: FieldType; required: boolean };
let nextKey = 1;

export interface EventEditorProps {
  existing?: { id: string; name: string; description?: string | null; schema: { fields: { name: string; type: FieldType; required: boolean }[] } };
  onSaved: (name: string) => void;
  onCancel: () => void;
}

export function EventEditor({ existing, onSaved, onCancel }: EventEditorProps) {
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [rows, setRows] = useState<Row[]>(
    existing?.schema.fields.map((f) => ({ ...f, key: nextKey++ })) ?? [{ key: nextKey++, name: '', type: 'STRING', required: true }],
  );
  const [messages, setMessages] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const update = (key: number, patch: Partial<Row>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  // Messages by where they belong: a field row (by its index at save time), the name, or the form.
  const forField = (i: number) => messages.filter((m) => m.startsWith(`schema.fields.${i}.`) || m.startsWith(`schema.fields.${i} `)).map((m) => m.replace(/^schema\.fields\.\d+\.?/, ''));
  const forName = messages.filter((m) => /^name\b/.test(m) || /event named/i.test(m));
  const forDescription = messages.filter((m) => /^description\b/.test(m));
  const general = messages.filter((m) => !forName.includes(m) && !forDescription.includes(m) && !/^schema\.fields\.\d+/.test(m));

  return (
    <form
      className="editor"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setMessages([]);
        const schema = { fields: rows.map(({ name: n, type, required }) => ({ name: n.trim(), type, required })) };
        try {
          if (existing) {
            await gql(UpdateEventMutation, { id: existing.id, input: { description: description || null, schema } });
            onSaved(existing.name);
          } else {
            const r = await gql(CreateEventMutation, { input: { name: name.trim(), description: description || undefined, schema } });
            onSaved(r.createEvent.name);
          }
        } catch (err) {
          setMessages(splitMessages(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2>{existing ? `Edit ${existing.name}` : 'New event'}</h2>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input
            name="name"
            className={forName.length ? 'invalid' : ''}
            value={name}
            disabled={!!existing}
            placeholder="order.completed"
            onChange={(e) => setName(e.target.value)}
            autoFocus={!existing}
          />
          {existing ? <small className="muted">Names cannot change once created.</small> : <small className="muted">noun.verb, 1–80 characters</small>}
          {forName.map((m) => <small key={m} className="field-error">{m}</small>)}
        </label>
        <label className="field">
          <span>Description</span>
          <input name="description" value={description} placeholder="Fired when a customer completes checkout." onChange={(e) => setDescription(e.target.value)} />
          {forDescription.map((m) => <small key={m} className="field-error">{m}</small>)}
        </label>
      </div>
      <h3>Fields</h3>
      <p className="muted small">Each send's <code>data</code> is checked against these. Undeclared keys are kept as they are.</p>
      <div className="schema-rows">
        {rows.length === 0 && <p className="muted">No fields: every payload is accepted. Add one to check sends.</p>}
        {rows.map((r, i) => {
          const errs = forField(i);
          return (
            <div className={`schema-row${errs.length ? ' has-error' : ''}`} key={r.key} data-field-row={i}>
              <input
                aria-label={`Field ${i + 1} name`}
                className={`mono${errs.length ? ' invalid' : ''}`}
                placeholder="field_name"
                value={r.name}
                onChange={(e) => update(r.key, { name: e.target.value })}
              />
              <select aria-label={`Field ${i + 1} type`} value={r.type} onChange={(e) => update(r.key, { type: e.target.value as FieldType })}>
                {TYPES.map((t) => (
                  <option key={t} value={t}>{t.toLowerCase()}</option>
                ))}
              </select>
              <label className="check">
                <input type="checkbox" aria-label={`Field ${i + 1} required`} checked={r.required} onChange={(e) => update(r.key, { required: e.target.checked })} />
                required
              </label>
              <button type="button" className="btn btn-ghost" aria-label={`Remove field ${i + 1}`} onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}>
                ✕
              </button>
              {errs.map((m) => <small key={m} className="field-error">{m}</small>)}
            </div>
          );
        })}
      </div>
      <button type="button" className="btn" onClick={() => setRows((rs) => [...rs, { key: nextKey++, name: '', type: 'STRING', required: false }])}>
        + Add field
      </button>
      {general.map((m) => <div key={m} className="alert alert-error">{m}</div>)}
      <div className="actions">
        <button type="button" className="btn" onClick={onCancel}>Cancel</button>
        <button className="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : existing ? 'Save changes' : 'Create event'}</button>
      </div>
    </form>
  );
}
