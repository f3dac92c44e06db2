import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import iconv from 'iconv-lite';
import { docLine } from './doc-line';
import { canServeExtraction, ExtractPool } from './extract-pool';
import { extractPage, type PageContext, type PageJob } from './page-extract';

jest.setTimeout(60_000);

const root = join(__dirname, '..', '..', '..', '..');

const context: PageContext = {
  read: {
    spec: { file: 'sites.json', sourceId: 'site', format: 'html', source: 'web', stage: 'pretrain', lang: 'en', license: 'test' },
    limits: { maxChars: 2_000, maxFileBytes: 1 << 20 },
  },
  robotsToken: 'apollocorpusbot',
  scope: { hosts: ['a.org'], include: [], exclude: ['/private/*'], maxDepth: 2, maxPages: 100 },
  sortQuery: false,
  run: '2026-11-25T00:00:00.000Z',
};

const html = (body: string, head = '') => `<!doctype html><html lang="fr-CA"><head>${head}<title>T</title></head><body>${body}</body></html>`;
const job = (name: string, bytes: Uint8Array, contentType = 'text/html', extra: Partial<PageJob> = {}): PageJob => ({
  bytes,
  media: contentType.split(';')[0]!.trim(),
  contentType,
  requestedUrl: `https://a.org/${name}`,
  finalUrl: `https://a.org/${name}`,
  fetchedAt: '2026-11-25T01:00:00.000Z',
  wantLinks: true,
  version: 1,
  ...extra,
});

/** Pages that take every branch of `extractPage`. */
function jobs(): PageJob[] {
  const links = '<a href="/b#x">b</a> <a href="/b">again</a> <a href="https://other.org/">out</a> <a href="/private/p">private</a> <a rel="nofollow" href="/c">c</a>';
  return [
    job('plain.html', Buffer.from(html(`<main><h1>Grippe</h1><p>La grippe est une infection.</p>${links}</main>`))),
    job('gbk.html', iconv.encode(html('<p>糖尿病是一种慢性代谢性疾病。</p>', '<meta charset="gb2312">'), 'gbk')),
    job('big5.html', iconv.encode(html('<p>高血壓是心血管疾病。</p>'), 'big5'), 'text/html; charset=big5'),
    job('noindex.html', Buffer.from(html(`<p>Hidden.</p>${links}`, '<meta name="robots" content="noindex">'))),
    job('nofollow.html', Buffer.from(html(`<p>Kept, links not.</p>${links}`, '<meta name="ApolloCorpusBot" content="nofollow">'))),
    job('deep.html', Buffer.from(html(`<p>Too deep for links.</p>${links}`)), 'text/html', { wantLinks: false }),
    job('redirected.html', Buffer.from(html('<p>Moved.</p>')), 'text/html', { finalUrl: 'https://a.org/target.html' }),
    job('notes.txt', Buffer.from('  line one\r\nline two\r\n'), 'text/plain; charset=utf-8'),
    job('empty.html', Buffer.from(html('<nav>only navigation</nav>'))),
    job('huge.html', Buffer.from(html(`<p>${'word '.repeat(1_000)}</p>`))),
    job('klingon.html', Buffer.from(html('<p>x</p>')), 'text/html; charset=x-klingon'),
  ];
}

describe('extractPage', () => {
  it('decodes, extracts, filters links and builds documents or drops', () => {
    const results = Object.fromEntries(jobs().map((j) => [j.requestedUrl.slice('https://a.org/'.length), extractPage(context, j)]));
    expect(results['plain.html']).toMatchObject({ kind: 'page', links: ['https://a.org/b'], noindex: false, item: { doc: { text: 'Grippe\n\nLa grippe est une infection.\n\nb again out private c', langHint: 'fr' } } });
    expect(results['gbk.html']).toMatchObject({ item: { doc: { text: '糖尿病是一种慢性代谢性疾病。', meta: { charset: 'gbk', title: 'T', license: 'test' } } } });
    expect(results['big5.html']).toMatchObject({ item: { doc: { text: '高血壓是心血管疾病。', meta: { charset: 'big5' } } } });
    expect(results['noindex.html']).toEqual({ kind: 'page', links: ['https://a.org/b'], noindex: true });
    expect(results['nofollow.html']).toMatchObject({ links: [], noindex: false, item: { doc: { text: 'Kept, links not.\n\nb again out private c' } } });
    expect(results['deep.html']).toMatchObject({ links: [] });
    expect(results['redirected.html']).toMatchObject({ item: { doc: { provenance: { url: 'https://a.org/target.html' }, meta: { requestedUrl: 'https://a.org/redirected.html' } } } });
    expect(results['notes.txt']).toMatchObject({ item: { doc: { text: 'line one\nline two', langHint: 'en' } } });
    expect(results['empty.html']).toMatchObject({ item: { problem: { reason: 'empty' } } });
    expect(results['huge.html']).toMatchObject({ item: { problem: { reason: 'too_large' } } });
    expect(results['klingon.html']).toEqual({ kind: 'unsupported_charset', label: 'x-klingon', from: 'header' });
  });

  it('versions each document and serializes it as the crawl store line', () => {
    const changed = extractPage(context, job('plain.html', Buffer.from(html('<p>Version two.</p>')), 'text/html', { version: 2, previousDocId: 'abc' }));
    if (changed.kind !== 'page' || !changed.item || !('doc' in changed.item)) throw new Error('expected a document');
    expect(changed.item.doc.meta).toMatchObject({ version: 2, previousDocId: 'abc' });
    // The crawl store's line: run, requested URL, then the document as JSON.stringify writes it.
    expect(Buffer.from(changed.docLine!).toString()).toBe(docLine(context.run, 'https://a.org/plain.html', JSON.stringify(changed.item.doc)));
    expect(JSON.parse(Buffer.from(changed.docLine!).toString())).toEqual({ run: context.run, url: 'https://a.org/plain.html', doc: changed.item.doc });
    const plain = extractPage(context, job('notes.txt', Buffer.from('new text'), 'text/plain'));
    if (plain.kind !== 'page' || !plain.item || !('doc' in plain.item)) throw new Error('expected a document');
    expect(plain.item.doc.meta).toMatchObject({ version: 1 });
    expect(plain.item.doc.meta).not.toHaveProperty('previousDocId');
    expect(Buffer.from(plain.docLine!).toString()).toBe(docLine(context.run, 'https://a.org/notes.txt', JSON.stringify(plain.item.doc)));
    const dropped = extractPage(context, job('empty.html', Buffer.from(html('<nav>only navigation</nav>'))));
    expect(dropped).not.toHaveProperty('docLine');
  });
});

describe('ExtractPool', () => {
  let dir: string;
  let bundle: string;
  let workerBundle: string;

  beforeAll(async () => {
    // The threads load the app's own bundle, so the test builds the crawl app as tools/build/build.mjs
    // does (into a folder of its own: the SIGKILL test in crawl.spec.ts builds dist/apps/crawl meanwhile).
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const bundled = new Set(['p-limit', 'yocto-queue', 'eld']);
    const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter((n) => !bundled.has(n)).flatMap((n) => [n, `${n}/*`]);
    dir = join(root, 'dist', `.test-extract-pool-${process.pid}`);
    await mkdir(dir, { recursive: true });
    bundle = join(dir, 'main.js');
    workerBundle = join(dir, 'crawl-extract.js');
    const options = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external, tsconfig: join(root, 'tsconfig.base.json'), logLevel: 'silent' } as const;
    await build({ ...options, entryPoints: [join(root, 'apps', 'crawl', 'src', 'main.ts')], outfile: bundle });
    // The dedicated worker entry, as the build writes it to dist/workers/crawl-extract.js.
    await build({ ...options, entryPoints: [join(__dirname, 'extract-worker.ts')], outfile: workerBundle });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['app bundle', 'worker bundle'])('gives the same results in threads of the built %s as on the calling thread', async (which) => {
    const errors: Error[] = [];
    const pool = new ExtractPool(context, { threads: 2, script: which === 'app bundle' ? bundle : workerBundle, startAtPagesPerSec: 0, onError: (err) => errors.push(err) });
    try {
      await pool.whenStarted();
      expect(pool.readyThreads).toBe(2);
      const expected = jobs().map((j) => extractPage(context, j));
      const got = await Promise.all(jobs().map((j) => pool.run(j)));
      expect(got).toEqual(expected);
      // Key order too: documents are written as JSON.
      expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
      expect(pool.counts).toEqual({ threads: expected.length, inline: 0 });
      expect(errors).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('has pages given while its threads load wait for them', async () => {
    const pool = new ExtractPool(context, { threads: 2, script: workerBundle, startAtPagesPerSec: 0 });
    try {
      expect(pool.readyThreads).toBe(0);
      const got = await Promise.all(jobs().map((j) => pool.run(j)));
      expect(got).toEqual(jobs().map((j) => extractPage(context, j)));
      expect(pool.counts).toEqual({ threads: jobs().length, inline: 0 });
    } finally {
      await pool.close();
    }
  });

  it('extracts on the calling thread the pages of a thread that does not load in time', async () => {
    const errors: Error[] = [];
    const pool = new ExtractPool(context, { threads: 1, script: workerBundle, startAtPagesPerSec: 0, startTimeoutMs: 1, onError: (err) => errors.push(err) });
    try {
      const got = await Promise.all(jobs().map((j) => pool.run(j)));
      expect(got).toEqual(jobs().map((j) => extractPage(context, j)));
      expect(errors.map((e) => e.message)).toEqual(['extraction thread did not start within 1 ms']);
      expect(pool.counts).toEqual({ threads: 0, inline: jobs().length });
      expect(pool.readyThreads).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('extracts on the calling thread when a thread cannot start, and under Jest', async () => {
    const broken = join(await mkdtemp(join(tmpdir(), 'extract-pool-')), 'broken.js');
    await writeFile(broken, 'throw new Error("no such app");\n');
    const errors: Error[] = [];
    const pool = new ExtractPool(context, { threads: 1, script: broken, startAtPagesPerSec: 0, onError: (err) => errors.push(err) });
    try {
      const early = await pool.run(jobs()[0]!);
      await pool.whenStarted();
      expect(pool.readyThreads).toBe(0);
      expect(errors.map((e) => e.message)).toEqual(['no such app']);
      const late = await pool.run(jobs()[1]!);
      expect([early, late]).toEqual([extractPage(context, jobs()[0]!), extractPage(context, jobs()[1]!)]);
      expect(pool.counts).toEqual({ threads: 0, inline: 2 });
    } finally {
      await pool.close();
      await rm(join(broken, '..'), { recursive: true, force: true });
    }
    expect(canServeExtraction(__filename)).toBe(false);
    expect(canServeExtraction(bundle)).toBe(true);
  });

  it('starts its threads only when pages arrive fast enough', async () => {
    const pool = new ExtractPool(context, { threads: 1, script: bundle, startAtPagesPerSec: 3 });
    try {
      await Promise.all([pool.run(jobs()[0]!), pool.run(jobs()[1]!)]);
      await pool.whenStarted();
      expect(pool.readyThreads).toBe(0);
      // The third page within a second starts the thread, and waits for it.
      expect(await pool.run(jobs()[2]!)).toEqual(extractPage(context, jobs()[2]!));
      await pool.whenStarted();
      expect(pool.readyThreads).toBe(1);
      expect(await pool.run(jobs()[3]!)).toEqual(extractPage(context, jobs()[3]!));
      expect(pool.counts).toEqual({ threads: 2, inline: 2 });
    } finally {
      await pool.close();
    }
  });

  it('redoes the jobs of a thread that dies on the calling thread', async () => {
    const pool = new ExtractPool(context, { threads: 1, script: bundle, startAtPagesPerSec: 0 });
    try {
      await pool.whenStarted();
      const pending = jobs().map((j) => pool.run(j));
      // The thread dies before it gets the batch (posted at the end of this turn).
      await (pool as unknown as { threads: { worker: { terminate(): Promise<number> } }[] }).threads[0]!.worker.terminate();
      expect(await Promise.all(pending)).toEqual(jobs().map((j) => extractPage(context, j)));
      expect(pool.readyThreads).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
