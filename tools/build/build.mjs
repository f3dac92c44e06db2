#!/usr/bin/env node
// Bundles each app (apps/<name>/src/main.ts) and tool entry (tools/<name>/main.ts) into one
// CommonJS file under dist/. Library code is bundled in; npm packages stay external except
// ESM-only ones, which Node 20 cannot require() and are therefore bundled.
// Usage: node tools/build/build.mjs [apps/<name> | tools ...]   (no argument: everything)
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bundled = new Set(['p-limit', 'yocto-queue', 'eld']);
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]
  .filter((name) => !bundled.has(name))
  .flatMap((name) => [name, `${name}/*`]);

// The crawler's extraction threads load this small bundle instead of the whole app or tool
// (libs/ingest/src/crawler/extract-pool.ts finds it at dist/workers/ from dist/<apps|tools>/<name>/).
// htmlparser2 is bundled into it: resolving and loading the package's many modules was a third
// of the thread's start-up.
const crawlWorker = {
  entry: join(root, 'libs', 'ingest', 'src', 'crawler', 'extract-worker.ts'),
  out: join(root, 'dist', 'workers', 'crawl-extract.js'),
  external: external.filter((name) => name !== 'htmlparser2' && name !== 'htmlparser2/*'),
};

function entries(target) {
  if (target.startsWith('apps/')) {
    const entry = join(root, target, 'src', 'main.ts');
    const app = existsSync(entry) ? [{ entry, out: join(root, 'dist', target, 'main.js') }] : [];
    return target === 'apps/crawl' ? [...app, crawlWorker] : app;
  }
  if (target === 'tools') {
    return readdirSync(join(root, 'tools'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, 'tools', d.name, 'main.ts')))
      .map((d) => ({ entry: join(root, 'tools', d.name, 'main.ts'), out: join(root, 'dist', 'tools', d.name, 'main.js') }))
      .concat([crawlWorker]);
  }
  throw new Error(`unknown build target ${target}`);
}

// eld's n-gram database (1.6 MB of source) is read only when the compiled table is not cached
// (libs/langid/src/eld-detector.ts), yet compiling it into every bundle cost each thread that
// loads langid about 0.13 s. It goes to a file of its own, imported on that rare path.
const eldNgrams = { entry: join(root, 'node_modules', 'eld', 'src', 'ngrams', 'small.js'), out: join(root, 'dist', 'data', 'eld-small.mjs'), format: 'esm' };
const eldNgramsPlugin = {
  name: 'eld-ngrams-sidecar',
  setup(b) {
    // Every bundle sits two folders below dist/ (dist/apps/<name>/main.js, dist/tools/<name>/main.js).
    b.onResolve({ filter: /^eld-src\/ngrams\/small\.js$/ }, () => ({ path: '../../data/eld-small.mjs', external: true }));
  },
};

const targets = process.argv.slice(2);
const all = targets.length > 0 ? targets : [...readdirSync(join(root, 'apps')).map((a) => `apps/${a}`), 'tools'];
const jobs = [...new Map([...all.flatMap(entries), eldNgrams].map((j) => [j.out, j])).values()];
await Promise.all(
  jobs.map(({ entry, out, external: jobExternal, format }) =>
    build({
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: format ?? 'cjs',
      target: 'node20',
      sourcemap: true,
      external: jobExternal ?? external,
      tsconfig: join(root, 'tsconfig.base.json'),
      logLevel: 'warning',
      banner: format === 'esm' ? undefined : { js: '#!/usr/bin/env node' },
      plugins: out.startsWith(join(root, 'dist', 'workers')) ? [] : [eldNgramsPlugin],
      // eld's exports map hides the n-gram database that libs/langid's engine reads.
      alias: { 'eld-src': join(root, 'node_modules', 'eld', 'src') },
    }),
  ),
);
for (const { out } of jobs) console.log(`built ${relative(root, out)}`);
