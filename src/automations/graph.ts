/** The automation graph's stored shape and its structural rules (keys, connections, reachability, cycles). */

export const STEP_TYPES = ['trigger', 'condition', 'send_email', 'wait', 'webhook'] as const;
export type StepType = (typeof STEP_TYPES)[number];
export const OUTCOMES = ['condition_met', 'condition_not_met'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const CONDITION_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];
export const MAX_STEPS = 100;
export const STEP_KEY_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

/** A step as stored: `key`, `type` and the type's own properties. Validated by the checker, not by shape. */
export interface Step {
  key: string;
  type: string;
  [prop: string]: unknown;
}

export interface Connection {
  from: string;
  to: string;
  outcome?: Outcome | null;
}

export interface Issue {
  /** The step the issue is about (`null` for graph-wide issues such as a missing trigger). */
  step: string | null;
  /** Where: `steps[thank].subject`, `connections[2].to`, `steps`. */
  path: string;
  /** Why: `unknown field event.totl`. */
  reason: string;
  /** `path: reason`, the form shown in a 422. */
  message: string;
}

export function issue(step: string | null, path: string, reason: string): Issue {
  return { step, path, reason, message: `${path}: ${reason}` };
}

/** The step a run goes to after `from` (with a condition's outcome); undefined ends the run. */
export function nextStep(connections: Connection[], from: string, outcome?: Outcome): string | undefined {
  return connections.find((c) => c.from === from && (outcome ? c.outcome === outcome : !c.outcome))?.to;
}

/** Structural rules of the graph (no types involved). */
export function checkGraph(steps: Step[], connections: Connection[]): Issue[] {
  const issues: Issue[] = [];
  if (steps.length > MAX_STEPS) issues.push(issue(null, 'steps', `at most ${MAX_STEPS} steps (got ${steps.length})`));
  const byKey = new Map<string, Step>();
  steps.forEach((s, i) => {
    if (!STEP_KEY_RE.test(s.key)) issues.push(issue(s.key, `steps[${i}].key`, `invalid key "${s.key}" (letters, digits, _ . -, at most 100)`));
    if (byKey.has(s.key)) issues.push(issue(s.key, `steps[${s.key}].key`, `duplicate key ${s.key}`));
    else byKey.set(s.key, s);
  });
  const triggers = steps.filter((s) => s.type === 'trigger');
  const trigger = byKey.get('trigger');
  if (!trigger) issues.push(issue(null, 'steps', 'missing the trigger step (key "trigger", type "trigger")'));
  else if (trigger.type !== 'trigger') issues.push(issue('trigger', 'steps[trigger].type', 'the step keyed "trigger" must have type trigger'));
  for (const t of triggers) if (t.key !== 'trigger') issues.push(issue(t.key, `steps[${t.key}].type`, 'only the step keyed "trigger" may have type trigger'));

  const seen = new Set<string>();
  connections.forEach((c, i) => {
    const at = `connections[${i}]`;
    const from = byKey.get(c.from);
    if (!from) issues.push(issue(null, `${at}.from`, `unknown step ${c.from}`));
    if (!byKey.has(c.to)) issues.push(issue(null, `${at}.to`, `unknown step ${c.to}`));
    if (c.to === 'trigger') issues.push(issue('trigger', `${at}.to`, 'no connection may lead to the trigger'));
    if (c.from === c.to) issues.push(issue(c.from, `${at}`, `step ${c.from} connects to itself`));
    if (from) {
      if (from.type === 'condition' && !c.outcome) {
        issues.push(issue(c.from, `${at}.outcome`, `a connection from condition step ${c.from} needs an outcome (condition_met or condition_not_met)`));
      } else if (from.type !== 'condition' && c.outcome) {
        issues.push(issue(c.from, `${at}.outcome`, `only condition steps have outcomes (${c.from} is ${from.type})`));
      }
    }
    if (c.outcome && !(OUTCOMES as readonly string[]).includes(c.outcome)) {
      issues.push(issue(c.from, `${at}.outcome`, `unknown outcome ${c.outcome} (condition_met or condition_not_met)`));
    }
    const slot = `${c.from}\u0000${c.outcome ?? ''}`;
    if (seen.has(slot)) issues.push(issue(c.from, at, `step ${c.from} already has a ${c.outcome ? `${c.outcome} ` : ''}connection`));
    seen.add(slot);
  });

  // Cycles (DFS over known steps) and reachability from the trigger.
  const out = new Map<string, string[]>();
  for (const c of connections) if (byKey.has(c.from) && byKey.has(c.to) && c.from !== c.to) out.set(c.from, [...(out.get(c.from) ?? []), c.to]);
  const state = new Map<string, 1 | 2>();
  const reported = new Set<string>();
  const visit = (k: string, path: string[]): void => {
    state.set(k, 1);
    for (const n of out.get(k) ?? []) {
      if (state.get(n) === 1) {
        const cycle = [...path.slice(path.indexOf(n)), k, n];
        const id = [...new Set(cycle)].sort().join(',');
        if (!reported.has(id)) {
          reported.add(id);
          issues.push(issue(k, 'connections', `cycle ${cycle.join(' → ')}: no connection may lead back to an earlier step`));
        }
      } else if (!state.has(n)) visit(n, [...path, k]);
    }
    state.set(k, 2);
  };
  for (const k of byKey.keys()) if (!state.has(k)) visit(k, []);
  if (trigger) {
    const reach = new Set<string>(['trigger']);
    const queue = ['trigger'];
    while (queue.length) for (const n of out.get(queue.shift()!) ?? []) if (!reach.has(n)) reach.add(n), queue.push(n);
    for (const k of byKey.keys()) if (!reach.has(k)) issues.push(issue(k, `steps[${k}]`, 'not reachable from the trigger'));
  }
  return issues;
}
