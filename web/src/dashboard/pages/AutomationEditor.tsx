/**
 * An automation: name, a JSON editor for its steps and connections with each of the saved
 * automation's issues shown at its step, enable/disable/delete, and its runs with their step logs.
 */
import { useEffect, useMemo, useState } from 'react';
import { ApiError, gql } from '../api';
import {
  AutomationQuery,
  CreateAutomationMutation,
  DeleteAutomationMutation,
  DisableAutomationMutation,
  EnableAutomationMutation,
  UpdateAutomationMutation,
} from '../operations';
import { Link, navigate, usePath } from '../router';
import { Badge, ErrorBox, Modal, useLoad } from '../ui';
import { Runs } from './Runs';

function template(event: string) {
  return {
    steps: [
      { key: 'trigger', type: 'trigger', event },
      { key: 'big_order', type: 'condition', if: { field: 'event.total', op: 'gte', value: 100 } },
      { key: 'thank', type: 'send_email', subject: 'Thanks for order {{ event.order_id }}', body: 'Your order of {{ event.total }} is on its way.' },
    ],
    connections: [
      { from: 'trigger', to: 'big_order' },
      { from: 'big_order', to: 'thank', outcome: 'CONDITION_MET' },
    ],
  };
}

const HELP = [
  ['trigger', '{"key":"trigger","type":"trigger","event":"order.completed"}'],
  ['condition', '{"key":"k","type":"condition","if":{"field":"event.total","op":"gte","value":100}}  ops: eq neq gt gte lt lte contains exists'],
  ['send_email', '{"key":"k","type":"send_email","subject":"Hi {{ contact.email }}","body":"…","to":"optional"}'],
  ['wait', '{"key":"k","type":"wait","duration":"PT1H"}'],
  ['webhook', '{"key":"k","type":"webhook","url":"https://…","headers":{}}'],
];

type Issue = { step?: string | null; path?: string; message: string };

export function AutomationEditor({ id }: { id: string | null }) {
  const { query } = usePath();
  const { data, error, reload } = useLoad(() => (id ? gql(AutomationQuery, { id }) : Promise.resolve(null)), [id]);
  const a = data?.automation;
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saveError, setSaveError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string>();
  const [deleting, setDeleting] = useState(false);

  useEffect(() => {
    if (a) {
      setName(a.name);
      setText(JSON.stringify({ steps: a.steps.map(({ key, type, ...rest }) => ({ key, type, ...rest })), connections: a.connections.map((c) => (c.outcome ? c : { from: c.from, to: c.to })) }, null, 2));
      setIssues(a.issues);
    } else if (!id) {
      setName('Thank big orders');
      setText(JSON.stringify(template(query.get('event') ?? 'order.completed'), null, 2));
    }
  }, [a, id]); // eslint-disable-line react-hooks/exhaustive-deps

  const parsed = useMemo(() => {
    try {
      const v = JSON.parse(text) as { steps?: unknown; connections?: unknown };
      if (!v || typeof v !== 'object' || !Array.isArray(v.steps)) return { error: 'The JSON must be an object with a "steps" array (and "connections").' };
      return { value: v as { steps: Record<string, unknown>[]; connections?: { from: string; to: string; outcome?: 'CONDITION_MET' | 'CONDITION_NOT_MET' | null }[] } };
    } catch (e) {
      return { error: `Not valid JSON: ${(e as Error).message}` };
    }
  }, [text]);

  const enabled = a?.status === 'ENABLED';
  const save = async () => {
    if (!parsed.value) return;
    setBusy(true);
    setSaveError(undefined);
    setSaved(undefined);
    const input = { name: name.trim(), steps: parsed.value.steps, connections: parsed.value.connections ?? [] };
    try {
      if (id) {
        const r = await gql(UpdateAutomationMutation, { id, input: enabled ? { name: input.name } : input });
        setIssues(r.updateAutomation.issues);
        setSaved(enabled ? 'Saved the name. Disable the automation to change its steps.' : 'Saved.');
        reload();
      } else {
        const r = await gql(CreateAutomationMutation, { input });
        navigate(`/automations/${r.createAutomation.id}`, true);
      }
    } catch (e) {
      setSaveError(e);
    } finally {
      setBusy(false);
    }
  };
  const toggle = async () => {
    if (!id) return;
    setBusy(true);
    setSaveError(undefined);
    setSaved(undefined);
    try {
      if (enabled) await gql(DisableAutomationMutation, { id });
      else await gql(EnableAutomationMutation, { id });
      reload();
    } catch (e) {
      setSaveError(e);
      if (e instanceof ApiError && Array.isArray(e.extensions.issues)) setIssues(e.extensions.issues as Issue[]);
    } finally {
      setBusy(false);
    }
  };

  if (error) return <><p><Link to="/automations">← Automations</Link></p><ErrorBox error={error} /></>;
  if (id && !a) return <p className="muted">Loading…</p>;
  const steps = parsed.value?.steps ?? [];
  const general = issues.filter((i) => !i.step || !steps.some((s) => s.key === i.step));

  return (
    <>
      <p className="crumbs"><Link to="/automations">Automations</Link> / {a?.name ?? 'New'}</p>
      <div className="page-head">
        <div>
          <h1>{a?.name ?? 'New automation'}</h1>
          <p className="muted">
            {a ? <>Status <Badge value={a.status} /> {a.broken && <Badge value="broken" />} · on <span className="mono">{a.triggerEvent ?? '—'}</span></> : 'Saved as a draft; enable it once it shows no issues.'}
          </p>
        </div>
        {a && (
          <div className="actions">
            <button className={`btn ${enabled ? '' : 'btn-primary'}`} disabled={busy} onClick={toggle}>{enabled ? 'Disable' : 'Enable'}</button>
            <button className="btn btn-danger" onClick={() => setDeleting(true)}>Delete</button>
          </div>
        )}
      </div>
      {deleting && a && (
        <Modal title={`Delete ${a.name}?`} onClose={() => setDeleting(false)}>
          <p>Runs in progress are cancelled; emails already queued are still delivered. Its run history is deleted with it.</p>
          <div className="actions">
            <button className="btn" onClick={() => setDeleting(false)}>Cancel</button>
            <button className="btn btn-danger" onClick={async () => { await gql(DeleteAutomationMutation, { id: a.id }); navigate('/automations'); }}>Delete automation</button>
          </div>
        </Modal>
      )}
      <div className="columns wide-left">
        <section className="card editor">
          <label className="field">
            <span>Name</span>
            <input name="automation-name" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field">
            <span>Steps and connections (JSON){enabled && <em className="muted small"> · read-only while enabled</em>}</span>
            <textarea name="automation-json" className={`mono code${parsed.error ? ' invalid' : ''}`} rows={22} spellCheck={false} value={text} readOnly={enabled} onChange={(e) => setText(e.target.value)} />
            {parsed.error && <small className="field-error">{parsed.error}</small>}
          </label>
          <ErrorBox error={saveError} />
          {saved && <div className="alert alert-ok" role="status">{saved}</div>}
          <div className="actions">
            <button className="btn btn-primary" disabled={busy || !!parsed.error} onClick={save}>{id ? 'Save' : 'Create automation'}</button>
          </div>
          <details className="help">
            <summary>Step types</summary>
            <dl>{HELP.map(([t, ex]) => (<div key={t}><dt className="mono">{t}</dt><dd className="mono small">{ex}</dd></div>))}</dl>
            <p className="small muted">Connections: <code>{'{"from":"a","to":"b"}'}</code>; a condition leaves by <code>outcome</code> CONDITION_MET or CONDITION_NOT_MET. Templates are Liquid over <code>event.*</code> and <code>contact.*</code>.</p>
          </details>
        </section>
        <section className="card">
          <h2>Steps {issues.length > 0 ? <span className="error-text small">· {issues.length} issue{issues.length === 1 ? '' : 's'}</span> : a ? <span className="ok-text small">· no issues</span> : null}</h2>
          {!a && <p className="muted small">Issues appear here after saving.</p>}
          <ol className="steps-outline">
            {steps.map((s, i) => {
              const mine = issues.filter((x) => x.step === s.key);
              const next = (parsed.value?.connections ?? []).filter((c) => c.from === s.key);
              return (
                <li key={`${String(s.key)}-${i}`} className={mine.length ? 'has-error' : ''} data-step={String(s.key)}>
                  <div><span className="mono strong">{String(s.key)}</span> <span className="badge">{String(s.type)}</span></div>
                  {next.length > 0 && <div className="muted small">→ {next.map((c) => `${c.to}${c.outcome ? ` (${c.outcome.toLowerCase().replace(/_/g, ' ')})` : ''}`).join(', ')}</div>}
                  {mine.map((x) => <div key={x.message} className="field-error">{x.message}</div>)}
                </li>
              );
            })}
          </ol>
          {general.map((x) => <div key={x.message} className="field-error">{x.message}</div>)}
          {a && a.steps.some((s) => s.type === 'webhook') && (
            <p className="small muted">Webhook signing secret: <span className="mono">{a.webhookSecret}</span></p>
          )}
        </section>
      </div>
      {a && (
        <section className="card">
          <Runs automationId={a.id} />
        </section>
      )}
    </>
  );
}
