#!/usr/bin/env node
// Bundles libs/langid/src/evaluate-cli.ts (like tools/build/build.mjs bundles apps: eld, which
// is ESM-only, goes into the bundle; cld3-asm stays external) and runs it with the given arguments.
// Usage: node libs/langid/scripts/evaluate.mjs [--calibrate] [--seconds 2] [--detectors cld3,eld,combined] [--set file]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const outfile = join(root, 'dist', 'libs', 'langid', 'evaluate.js');
await build({
  entryPoints: [join(root, 'libs', 'langid', 'src', 'evaluate-cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['cld3-asm'],
  tsconfig: join(root, 'tsconfig.base.json'),
  // The bundle lives in dist/: point the default evaluation set path back at the sources.
  define: { __dirname: JSON.stringify(join(root, 'libs', 'langid', 'src')) },
  logLevel: 'warning',
  alias: { 'eld-src': join(root, 'node_modules', 'eld', 'src') },
});
const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
