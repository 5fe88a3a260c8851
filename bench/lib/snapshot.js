// What the bench runs, isolated from a shared working tree: other people rebuild (and wipe) dist/
// or leave half-done edits while a bench is running. So the bench runs a private copy:
//   --src dist  (default): a copy of the dist/ that `prebench` just built from the working tree;
//   --src HEAD (or any commit): `git archive` of that commit, compiled with the repo's tsc.
// node_modules is a symlink to the repo's. The copy is removed on exit.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function prepareApp(root, src = 'dist') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arsel-bench-app-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  let rev = null;
  if (src === 'dist') {
    if (!existsSync(path.join(root, 'dist', 'src', 'main.js'))) throw new Error('dist/src/main.js missing: run `npm run build` (npm run bench does)');
    for (const p of ['dist', 'bin', 'web', 'package.json']) cpSync(path.join(root, p), path.join(dir, p), { recursive: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  } else {
    rev = execFileSync('git', ['-C', root, 'rev-parse', '--short', src], { encoding: 'utf8' }).trim();
    const tar = spawnSync('sh', ['-c', `git -C "${root}" archive ${rev} | tar -x -C "${dir}"`], { stdio: 'inherit' });
    if (tar.status !== 0) throw new Error(`git archive ${rev} failed`);
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(dir, 'tsconfig.json')], { stdio: 'inherit', timeout: 300_000 });
    if (tsc.status !== 0) throw new Error(`building ${rev} failed`);
  }
  return { dir, rev, src };
}
