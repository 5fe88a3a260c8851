import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api';

export function Badge({ value }: { value: string }) {
  return <span className={`badge badge-${value.toLowerCase()}`}>{value.toLowerCase().replace(/_/g, ' ')}</span>;
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="alert alert-error" role="alert">
      {message}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function Modal({ title, children, onClose }: { title: string; children: ReactNode; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    ref.current?.querySelector<HTMLElement>('button, input')?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={title} ref={ref} onClick={(e) => e.stopPropagation()}>
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** Runs `load` now, when `deps` change and every `everyMs` (when given); keeps the last good data. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (d) => live && (setData(d), setError(undefined), setLoading(false)),
      (e) => live && (setError(e), setLoading(false)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  useEffect(() => {
    if (!everyMs) return;
    const t = setInterval(() => document.visibilityState === 'visible' && setTick((n) => n + 1), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return { data, error, loading, reload: () => setTick((n) => n + 1) };
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const ago = (Date.now() - d.getTime()) / 1000;
  if (ago >= 0 && ago < 60) return `${Math.max(1, Math.round(ago))} s ago`;
  if (ago >= 0 && ago < 3600) return `${Math.round(ago / 60)} min ago`;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function Copy({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="btn"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Clipboard refused (http on another host): select the text instead.
          const r = document.createRange();
          const el = document.querySelector('[data-copy-target]');
          if (el) r.selectNodeContents(el), getSelection()?.removeAllRanges(), getSelection()?.addRange(r);
        }
        setDone(true);
        setTimeout(() => setDone(false), 2000);
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}

/** "schema.fields.1.name must match …, name must be …" → pieces, keeping commas inside a message. */
export function splitMessages(e: unknown): string[] {
  if (!(e instanceof ApiError) || e.code !== 'VALIDATION_ERROR') return e ? [e instanceof Error ? e.message : String(e)] : [];
  const out: string[] = [];
  for (const piece of e.message.split(', ')) {
    if (out.length && !/^(property )?[A-Za-z_][\w.]*( |$)/.test(piece)) out[out.length - 1] += `, ${piece}`;
    else out.push(piece);
  }
  return out;
}
