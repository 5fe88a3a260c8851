// Request mixes for bench/load.js (the plain `send` scenario uses one fixed body and needs none of this).
export function scenarioRequests() {
  throw new Error('scenario not implemented yet');
}
