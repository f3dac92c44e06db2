import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const tool = join(resolve(__dirname, '..', '..', '..'), 'dist', 'tools', 'fixture-site', 'main.js');

/** The tool's output so far, and a way to wait until it contains a pattern. */
function output(child: ChildProcessWithoutNullStreams): (pattern: RegExp) => Promise<RegExpMatchArray> {
  let text = '';
  const waiting: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (let i = waiting.length - 1; i >= 0; i--) {
      const m = text.match(waiting[i]!.pattern);
      if (m) waiting.splice(i, 1)[0]!.resolve(m);
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    text += d.toString('utf8');
    check();
  });
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`fixture-site exited with ${code} before printing ${w.pattern}: ${text}`));
  });
  return (pattern) =>
    new Promise((resolvePromise, reject) => {
      waiting.push({ pattern, resolve: resolvePromise, reject });
      check();
    });
}

describe('tools/fixture-site', () => {
  let dir: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fixture-site-'));
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the site, writes a registry for it, and moves to version 2 on Enter', async () => {
    child = spawn(process.execPath, [tool, '--out', dir]);
    const waitFor = output(child);
    const [, origin] = (await waitFor(/serving (http:\/\/127\.0\.0\.1:\d+) \(version 1\)/)) as unknown as [string, string];
    await waitFor(/version 2, the delta:/);
    const registry = JSON.parse(await readFile(join(dir, 'sources.json'), 'utf8')) as { sources: { seeds: string[] }[] };
    expect(registry.sources[0]!.seeds).toEqual([`${origin}/en/diabetes.html`]);
    const settings = JSON.parse(await readFile(join(dir, 'pipeline.json'), 'utf8')) as { stages: { crawl: { crawler: { stateDir: string } } } };
    expect(settings.stages.crawl.crawler.stateDir).toBe(join(dir, 'crawl-state'));

    expect((await fetch(`${origin}/gone-later.html`)).status).toBe(200);
    expect((await fetch(`${origin}/en/new-page.html`)).status).toBe(404);
    child.stdin.write('\n');
    await waitFor(/now version 2/);
    expect((await fetch(`${origin}/gone-later.html`)).status).toBe(404);
    expect((await fetch(`${origin}/removed-410.html`)).status).toBe(410);
    expect((await fetch(`${origin}/en/new-page.html`)).status).toBe(200);

    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
