/** Accepted vs rejected sends over time (GraphQL sendStats, answered from the history index). */
import { useState } from 'react';
import type { SendStatsBucket } from '../../gql/graphql';
import { gql } from '../api';
import { SendStatsQuery } from '../operations';
import { ErrorBox, useLoad } from '../ui';

const RANGES: { label: string; ms: number; bucket: SendStatsBucket }[] = [
  { label: 'Last hour', ms: 3_600_000, bucket: 'MINUTE' },
  { label: '24 h', ms: 86_400_000, bucket: 'HOUR' },
  { label: '7 days', ms: 7 * 86_400_000, bucket: 'HOUR' },
];

export function SendsChart({ event, refresh }: { event: string; refresh: number }) {
  const [range, setRange] = useState(0);
  const r = RANGES[range];
  const { data, error } = useLoad(
    () => gql(SendStatsQuery, { event, from: new Date(Date.now() - r.ms).toISOString(), bucket: r.bucket }),
    [event, range, refresh],
    10_000,
  );
  const stats = data?.sendStats;
  const points = stats?.points ?? [];
  const max = Math.max(1, ...points.map((p) => p.accepted + p.rejected));
  const W = 720;
  const H = 160;
  const bw = W / Math.max(1, points.length);
  const fmt = (iso: string) =>
    new Date(iso).toLocaleString(undefined, r.bucket === 'MINUTE' ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'short', hour: '2-digit', minute: '2-digit' });

  return (
    <div>
      <div className="section-head">
        <h2>Sends over time</h2>
        <div className="segmented" role="group" aria-label="Time range">
          {RANGES.map((x, i) => (
            <button key={x.label} type="button" className={i === range ? 'on' : ''} onClick={() => setRange(i)}>{x.label}</button>
          ))}
        </div>
      </div>
      <ErrorBox error={error} />
      {stats && (
        <>
          <div className="legend">
            <span><i className="sw sw-ok" /> accepted <strong data-testid="stats-accepted">{stats.accepted}</strong></span>
            <span><i className="sw sw-bad" /> rejected <strong data-testid="stats-rejected">{stats.rejected}</strong></span>
          </div>
          <svg className="chart" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`Sends per ${r.bucket.toLowerCase()}: ${stats.accepted} accepted, ${stats.rejected} rejected`}>
            <line x1="0" x2={W} y1={H} y2={H} className="axis" />
            {points.map((p, i) => {
              const ha = (p.accepted / max) * (H - 6);
              const hr = (p.rejected / max) * (H - 6);
              return (
                <g key={p.start}>
                  <title>{`${fmt(p.start)}: ${p.accepted} accepted, ${p.rejected} rejected`}</title>
                  {ha > 0 && <rect x={i * bw + bw * 0.1} width={bw * 0.8} y={H - ha} height={ha} className="bar-ok" />}
                  {hr > 0 && <rect x={i * bw + bw * 0.1} width={bw * 0.8} y={H - ha - hr} height={hr} className="bar-bad" />}
                </g>
              );
            })}
          </svg>
          {points.length > 0 && (
            <div className="chart-axis muted small">
              <span>{fmt(points[0].start)}</span>
              <span>now</span>
            </div>
          )}
          {stats.accepted + stats.rejected === 0 && <p className="muted small">No sends in this range yet. Send a test event above, or from your application.</p>}
        </>
      )}
    </div>
  );
}
