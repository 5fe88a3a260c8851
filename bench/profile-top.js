#!/usr/bin/env node
// Summarise a V8 .cpuprofile (from `node --cpu-prof`, e.g. `node bench/run.js --modes product --profile`):
// time by package/file, top functions by self time, inclusive time of our own functions; shares are
// of the profile's busy time ((idle) excluded). Usage: node bench/profile-top.js <file> [top=30]
import { summariseProfile } from './lib/profile.js';
import { helpIfAsked } from './lib/usage.js';

helpIfAsked(import.meta.url);

const [file, topArg] = process.argv.slice(2);
const s = summariseProfile(file, Number(topArg ?? 30));
const line = (x) => console.log(`${x.pct.toFixed(1)}%`.padStart(6), x.name);
console.log(`sampled ${s.totalSec.toFixed(1)} s, busy ${s.busySec.toFixed(1)} s (shares below are of the busy time)`);
console.log('\n== self time by package / file ==');
s.packages.slice(0, 25).forEach(line);
console.log('\n== self time by function ==');
s.functions.forEach(line);
console.log('\n== inclusive time of dist/ functions ==');
s.inclusive.slice(0, 25).forEach(line);
