/** ISO 8601 durations for `wait` (PT1H, P1DT12H, P2W). Years and months count as 365 and 30 days. */
const RE = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS = [365 * 86_400_000, 30 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000];
export const MAX_WAIT_MS = 366 * 86_400_000;

/** Milliseconds, or null when not an ISO 8601 duration. */
export function parseDuration(text: string): number | null {
  if (typeof text !== 'string' || text.endsWith('T')) return null;
  const m = RE.exec(text);
  if (!m || m.slice(1).every((g) => g === undefined)) return null;
  return Math.round(m.slice(1).reduce((sum, g, i) => sum + (g ? Number(g) * UNIT_MS[i]! : 0), 0));
}
