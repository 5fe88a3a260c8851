// Medians, ranges and formatting for the report.
export const median = (xs) => {
  const s = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const num = (x, digits) => {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a';
  if (digits !== undefined) return x.toFixed(digits);
  return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(Math.round(x * 10) / 10);
};

/** "median (min–max)", or just the value for one run. */
export function medRange(xs, digits) {
  const v = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x));
  if (!v.length) return 'n/a';
  if (v.length === 1) return num(v[0], digits);
  return `${num(median(v), digits)} (${num(Math.min(...v), digits)}–${num(Math.max(...v), digits)})`;
}

export const fmt = num;
