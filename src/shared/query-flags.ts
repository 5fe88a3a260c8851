import { AppError } from './errors.js';

/** A REST boolean query flag (`?dry_run=true`, `?force=1`): true/1/empty or false/0/absent; anything else is a 422. */
export function parseFlag(value: unknown, name: string): boolean {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === 'false' || v === '0' || v === false) return false;
  if (v === 'true' || v === '1' || v === '' || v === true) return true;
  throw new AppError('validation_error', `${name} must be a boolean value`);
}
