/** An automation's runs, newest first, each with its whole step log laid out per step. */
import { useState } from 'react';
import type { AutomationRunStatus } from '../../gql/graphql';
import { gql, idTime, type ResultOf } from '../api';
import { RunsQuery } from '../operations';
import { Badge, Empty, ErrorBox, useLoad, when } from '../ui';

type Run = ResultOf<typeof RunsQuery>['automationRuns']['edges'][number]['node'];
type Step = Run['steps'][number];
const STATUSES: AutomationRunStatus[] = ['RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED'];

function delay(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** What the run did, in one phrase: the path through conditions and the last step's outcome. */
function headline(run: Run): string {
  const last = run.steps[run.steps.length - 1];
  const cond = run.steps.filter((s) => s.type === 'condition').map((s) => `${s.step}: ${s.outcome === 'condition_met' ? 'met' : 'not met'}`);
  const parts = [...cond];
  const mail = run.steps.find((s) => s.type === 'send_email');
  if (mail) parts.push(`email ${String(mail.details.delivery ?? mail.outcome)}`);
  const hook = run.steps.find((s) => s.type === 'webhook');
  if (hook) parts.push(`webhook ${hook.details.status ?? hook.outcome}`);
  if (!mail && !hook && last && last.type === 'condition') parts.push('nothing sent');
  return parts.join(' · ') || (last ? `${last.step}: ${last.outcome}` : 'starting');
}

export function Runs({ automationId }: { automationId: string }) {
  const [status, setStatus] = useState<AutomationRunStatus | ''>('');
  const [open, setOpen] = useState<string>();
  const { data, error } = useLoad(() => gql(RunsQuery, { automationId, status: status || undefined, first: 25 }), [automationId, status], 4000);
  const runs = data?.automationRuns.edges.map((e) => e.node) ?? [];
  return (
    <div>
      <div className="section-head">
        <h2>Runs</h2>
        <label className="inline">
          <span className="muted small">Status</span>
          <select aria-label="Filter runs by status" value={status} onChange={(e) => setStatus(e.target.value as AutomationRunStatus | '')}>
            <option value="">all</option>
            {STATUSES.map((s) => <option key={s} value={s}>{s.toLowerCase()}</option>)}
          </select>
        </label>
      </div>
      <ErrorBox error={error} />
      {data && runs.length === 0 && (
        <Empty title={status ? `No ${status.toLowerCase()} runs.` : 'No runs yet.'}>
          A run starts for every accepted send of the trigger event while the automation is enabled. Send a test event from the event's page.
        </Empty>
      )}
      <ul className="runs">
        {runs.map((run) => (
          <li key={run.id} className={`run${open === run.id ? ' open' : ''}`} data-run-id={run.id}>
            <button type="button" className="run-row" aria-expanded={open === run.id} onClick={() => setOpen(open === run.id ? undefined : run.id)}>
              <Badge value={run.status} />
              <span className="run-headline">{headline(run)}</span>
              <span className="muted small">{when(run.createdAt)}</span>
            </button>
            {open === run.id && <RunLog run={run} />}
          </li>
        ))}
      </ul>
    </div>
  );
}

function RunLog({ run }: { run: Run }) {
  const sentAt = idTime(run.sendId);
  return (
    <div className="run-log">
      <p className="small muted">
        send <span className="mono">{run.sendId}</span>
        {run.contactId && <> · contact <span className="mono">{run.contactId}</span></>}
        {run.waitUntil && <> · waiting until {new Date(run.waitUntil).toLocaleString()}</>}
      </p>
      {run.error && <div className="alert alert-error">{run.error}</div>}
      <ol className="timeline">
        {run.steps.map((s, i) => (
          <li key={`${s.step}-${i}`} className={`tl tl-${s.outcome}`} data-log-step={s.step}>
            <div className="tl-head">
              <span className="mono strong">{s.step}</span>
              <span className="badge">{s.type}</span>
              <span className={`badge badge-${s.outcome}`}>{s.outcome.replace(/_/g, ' ')}</span>
              <span className="muted small tl-time">+{delay(new Date(s.startedAt).getTime() - sentAt)} after the send · {s.durationMs} ms</span>
            </div>
            <StepDetails s={s} />
            {s.error && <div className="field-error">{s.error}</div>}
            {s.next && <div className="muted small">→ next: <span className="mono">{s.next}</span></div>}
          </li>
        ))}
        {run.currentStep && run.status !== 'COMPLETED' && run.status !== 'FAILED' && run.status !== 'CANCELLED' && (
          <li className="tl tl-pending"><span className="muted">next step: <span className="mono">{run.currentStep}</span></span></li>
        )}
      </ol>
    </div>
  );
}

function StepDetails({ s }: { s: Step }) {
  const d = s.details as Record<string, unknown>;
  const v = (x: unknown) => <code>{JSON.stringify(x)}</code>;
  switch (s.type) {
    case 'trigger':
      return <p className="small">Triggered by <span className="mono">{String(d.event ?? '')}</span></p>;
    case 'condition':
      return (
        <p className="small">
          <span className="mono">{String(d.field)}</span> {String(d.op)} {v(d.value)}: the value was {v(d.actual)}, so the{' '}
          <strong>{d.met ? 'met' : 'not met'}</strong> branch was taken.
        </p>
      );
    case 'send_email':
      return (
        <p className="small">
          Email to <span className="mono">{String(d.to ?? '')}</span>, subject “{String(d.subject ?? '')}” · delivery <strong>{String(d.delivery ?? 'pending')}</strong>
          {d.attempts !== undefined && <> after {String(d.attempts)} attempt(s)</>}
        </p>
      );
    case 'wait':
      return <p className="small">Wait {String(d.duration)} · resumes at {d.resume_at ? new Date(String(d.resume_at)).toLocaleString() : '—'}</p>;
    case 'webhook':
      return (
        <p className="small">
          POST <span className="mono">{String(d.url)}</span> · status <strong>{d.status === null || d.status === undefined ? 'pending' : String(d.status)}</strong> · {String(d.attempts ?? 0)} attempt(s)
        </p>
      );
    default:
      return <pre className="json small">{JSON.stringify(d, null, 2)}</pre>;
  }
}
