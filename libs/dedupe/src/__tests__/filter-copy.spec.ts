import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDoc, type Doc, type SourceType } from '@apollo/document';
import { runStage, silentLogger, verifyStage, type StageOptions, type TaskStats } from '@apollo/stage';
import { DedupeLayout } from '../layout';
import { usableLinePlan, type LinePlan } from '../line-plan';
import { dedupeStage } from '../stage';

function doc(text: string, source: SourceType, i: number, extra: Partial<Doc> = {}): Doc {
  const made = makeDoc({ kind: 'text', text, source, stage: 'pretrain', provenance: { file: 'fixture', record: i } }, { file: 'fixture' });
  if (!made.ok) throw new Error(made.problem.detail);
  return { ...made.value, lang: 'en', langScore: 0.99, ...extra };
}

const TEXTS = [
  'Aspirin 100 mg daily reduces the risk of a second myocardial infarction in adults.',
  'Wash hands for twenty seconds with soap before touching a wound dressing.',
  'Metformin is the first-line drug for type 2 diabetes unless the kidneys fail.',
  'A fever above 39 degrees in an infant under three months needs a doctor today.',
  'Iron deficiency anaemia is treated with oral iron for three months after recovery.',
];

/**
 * Input files with every kind of line the reader treats specially, duplicates among all of
 * them (exact copies from a less preferred source), and documents long enough that lines
 * cross the copy filter's 4 MB read chunks.
 */
function trickyFiles(): Buffer[] {
  let i = 0;
  const line = (d: Doc) => JSON.stringify(d);
  const fileA = [
    Buffer.from(line(doc(TEXTS[0]!, 'guideline', i++)) + '\n'),
    Buffer.from('\n   \n\u00a0\n'), // blank and whitespace-only lines
    Buffer.from('\ufeff' + line(doc(TEXTS[1]!, 'web', i++)) + '\r\n'), // BOM and CRLF, a duplicate
    Buffer.from('{"not json\n'),
    Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), // invalid UTF-8
    Buffer.from('{"kind":"text"}\n'), // valid JSON, invalid document
    Buffer.from(JSON.stringify(doc(TEXTS[2]!, 'web', i++), null, 1).replace(/\n/g, ' ') + '\n'), // spaced, a duplicate
    Buffer.from(line(doc(TEXTS[1]!, 'guideline', i++)) + '\r\n'), // CRLF, kept
    Buffer.from(line(doc(TEXTS[3]!, 'web', i++)).replace('"langScore":0.99', '"langScore":9.9e-1') + '\n'), // another number form
    Buffer.from(line(doc(TEXTS[4]!, 'guideline', i++))), // no final newline
  ];
  const fileB = [
    Buffer.from(line(doc(TEXTS[0]!, 'web', i++)) + '\n'), // duplicate of a canonical line
    Buffer.from(line(doc(TEXTS[2]!, 'guideline', i++)) + '\n'),
    Buffer.from(line(doc(TEXTS[3]!, 'guideline', i++)) + '\n'),
    Buffer.from(line(doc(TEXTS[4]!, 'web', i++)) + '\n'), // duplicate, last line
  ];
  // Long documents: lines cross chunk boundaries, some of them dropped as duplicates.
  const fileC: Buffer[] = [];
  const words = (k: number) => Array.from({ length: 110_000 }, (_, w) => `w${(w * 7919 + k * 104729) % 100_003}`).join(' ');
  for (let k = 0; k < 6; k++) {
    const text = words(k % 4);
    fileC.push(Buffer.from(line(doc(text, k < 4 ? 'book' : 'web', i++)) + '\n'));
    fileC.push(Buffer.from(line(doc(`${TEXTS[k % 5]!} Part ${k}.`, 'web', i++)) + '\n'));
  }
  return [Buffer.concat(fileA), Buffer.concat(fileB), Buffer.concat(fileC)];
}

const base = (opts: Partial<StageOptions>): StageOptions => ({ output: '', workers: 1, quiet: true, ...opts });

function withoutTimes(s: TaskStats): Partial<TaskStats> {
  const { startedAt: _a, finishedAt: _b, seconds: _c, ...rest } = s;
  return rest;
}

async function filterOutputs(out: string, worldSize: number): Promise<{ files: Buffer[]; stats: Partial<TaskStats>[] }> {
  const layout = new DedupeLayout(out);
  const files: Buffer[] = [];
  const stats: Partial<TaskStats>[] = [];
  for (let r = 0; r < worldSize; r++) {
    files.push(await readFile(layout.stage.docsFile(r)), await readFile(layout.stage.rejectsFile(r)));
    stats.push(withoutTimes(JSON.parse(await readFile(layout.stage.statsFile('filter', true, r), 'utf8')) as TaskStats));
  }
  return { files, stats };
}

describe('copying filter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'filter-copy-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function prepared(worldSize?: number): Promise<{ inputs: string[]; out: string; opts: StageOptions }> {
    const inputs: string[] = [];
    for (const [k, data] of trickyFiles().entries()) {
      const path = join(dir, `in-${k}.jsonl`);
      await writeFile(path, data);
      inputs.push(path);
    }
    const out = join(dir, 'out');
    const opts = base({ input: inputs, output: out, ...(worldSize ? { worldSize } : {}) });
    for (const phase of ['signatures', 'buckets', 'cluster']) await runStage(dedupeStage, { ...opts, phase }, undefined, silentLogger);
    return { inputs, out, opts };
  }

  it.each([undefined, 2])('writes the same documents, rejects and stats as the full path (world size %p)', async (worldSize) => {
    const { inputs, out, opts } = await prepared(worldSize);
    const n = worldSize ?? 3;
    const plansFiles = (r: number) => inputs.filter((_, i) => i % n === r);
    const layout = new DedupeLayout(out);
    const plans: LinePlan[] = [];
    for (let r = 0; r < n; r++) {
      const usable = await usableLinePlan(layout.linePlan(r), plansFiles(r), (JSON.parse(await readFile(layout.linePlan(r), 'utf8')) as LinePlan).signatureChecksum);
      if (!('plan' in usable)) throw new Error(usable.reason);
      plans.push(usable.plan);
    }
    const all = plans.flatMap((p) => p.files);
    // Problems: bad JSON, bad UTF-8, invalid document; not copyable: BOM with CRLF, spaces, CRLF, number form.
    expect(all.reduce((s, f) => s + f.problems.length, 0)).toBe(3);
    expect(all.reduce((s, f) => s + f.uncopied.length, 0)).toBe(4);

    const full = join(dir, 'full');
    await cp(out, full, { recursive: true });
    for (const name of await readdir(join(full, 'signatures'))) if (name.endsWith('.lines.json')) await rm(join(full, 'signatures', name));
    await runStage(dedupeStage, { ...opts, phase: 'filter' }, undefined, silentLogger);
    await runStage(dedupeStage, { ...opts, output: full, phase: 'filter' }, undefined, silentLogger);

    const copied = await filterOutputs(out, n);
    const reference = await filterOutputs(full, n);
    expect(copied.stats).toEqual(reference.stats);
    expect(copied.files.map((b) => b.toString('hex'))).toEqual(reference.files.map((b) => b.toString('hex')));
    const dropped = (reason: string) => copied.stats.reduce((s, t) => s + (t.dropped![reason] ?? 0), 0);
    // A: the BOM line, the spaced line, the other number form; B: its first and last line.
    expect(dropped('exact_duplicate')).toBeGreaterThanOrEqual(5);
    // C: the long documents (near copies of each other) and their lines crossing read chunks.
    expect(dropped('near_duplicate')).toBeGreaterThanOrEqual(5);
    expect([dropped('malformed_json'), dropped('invalid_utf8'), dropped('missing_field')]).toEqual([1, 1, 1]);
    expect((await verifyStage(out)).problems).toEqual([]);
  }, 60_000);

  it('is not used for a file changed since the signatures phase, and then the full path stops', async () => {
    const { inputs, out, opts } = await prepared();
    const layout = new DedupeLayout(out);
    const plan = JSON.parse(await readFile(layout.linePlan(1), 'utf8')) as LinePlan;
    const checksum = plan.signatureChecksum;
    expect('plan' in (await usableLinePlan(layout.linePlan(1), [inputs[1]!], checksum))).toBe(true);
    expect(await usableLinePlan(layout.linePlan(1), [inputs[1]!], '0'.repeat(32))).toEqual({ reason: `${layout.linePlan(1)} belongs to another signature file` });
    // Same size, another document order: only the file's identity tells.
    const data = await readFile(inputs[1]!, 'utf8');
    const lines = data.split('\n').filter(Boolean);
    await writeFile(inputs[1]!, [lines[1], lines[0], lines[2], lines[3]].join('\n') + '\n');
    expect(await usableLinePlan(layout.linePlan(1), [inputs[1]!], checksum)).toEqual({ reason: `${inputs[1]} changed since the signatures phase` });
    await expect(runStage(dedupeStage, { ...opts, phase: 'filter' }, undefined, silentLogger)).rejects.toThrow(/input files have changed|the input changed/);
  });

  it('fails when a line is not what the plan says', async () => {
    const { out, opts } = await prepared();
    const layout = new DedupeLayout(out);
    const path = layout.linePlan(0);
    const plan = JSON.parse(await readFile(path, 'utf8')) as LinePlan;
    // Item 0 is a canonical document; the plan now says the reader rejected it.
    plan.files[0]!.problems.unshift(0);
    await writeFile(path, JSON.stringify(plan));
    await expect(runStage(dedupeStage, { ...opts, phase: 'filter', rank: 0 }, undefined, silentLogger)).rejects.toThrow(/in-0\.jsonl:1: a document, the signatures phase saw a problem; the input changed/);
  });
});
