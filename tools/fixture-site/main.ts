// Serves the crawler's fixture site (libs/ingest/src/crawler/testing/fixture-site.ts) on
// 127.0.0.1, so a crawl and a refresh of it can be run from the command line:
//   node dist/tools/fixture-site/main.js --out /tmp/fx
// writes /tmp/fx/sources.json (a registry with the site) and /tmp/fx/pipeline.json (the test
// settings: short timeouts, a 64 KiB cap), prints the commands to run, and serves until stopped.
// A line on standard input (Enter) moves the site to its second version: one page changed, one
// added, two gone (404 and 410).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { startFixtureSite } from '@apollo/ingest';
import { fixturePipeline, fixtureRegistry } from './fixture-files';

async function main(opts: { out: string }): Promise<void> {
  const out = resolve(opts.out);
  await mkdir(out, { recursive: true });
  const site = await startFixtureSite();
  const sources = join(out, 'sources.json');
  const pipeline = join(out, 'pipeline.json');
  await writeFile(sources, JSON.stringify(fixtureRegistry(site), null, 2) + '\n');
  await writeFile(pipeline, JSON.stringify(fixturePipeline(join(out, 'crawl-state')), null, 2) + '\n');
  const refresh = `node dist/tools/pipeline/main.js refresh --sources ${sources} --pipeline ${pipeline} --allow-private-hosts`;
  process.stdout.write(
    [
      `fixture site: serving ${site.origin} (version 1)`,
      `wrote ${sources} and ${pipeline}`,
      `version 1 of the corpus:  ${refresh} --output ${join(out, 'v1')}`,
      'then press Enter here: the site changes (version 2)',
      `version 2, the delta:     ${refresh} --base ${join(out, 'v1')} --output ${join(out, 'v2')}`,
      '',
    ].join('\n'),
  );
  const stop = () => void site.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  createInterface({ input: process.stdin }).on('line', () => {
    site.version++;
    process.stdout.write(`fixture site: now version ${site.version}\n`);
  });
}

new Command('fixture-site')
  .description("serve the crawler's loopback fixture site and write a registry and settings for crawling it")
  .requiredOption('--out <dir>', 'folder for sources.json, pipeline.json and the crawl state')
  .action(main)
  .parseAsync(process.argv)
  .catch((err: Error) => {
    process.stderr.write(`fixture-site: ${err.message}\n`);
    process.exitCode = 1;
  });
