import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDoc, type Doc, type SourceType } from '@apollo/document';
import { runStage, silentLogger, verifyStage, type StageOptions } from '@apollo/stage';
import type { IndexManifest } from '../corpus-index';
import { dedupeStage } from '../stage';
import { MEDICAL_TEXTS, variants } from './fixtures/medical-texts';

function doc(text: string, lang: string, source: SourceType, tag: string): Doc {
  const made = makeDoc({ kind: 'text', text, source, stage: 'pretrain', provenance: { file: tag, record: 0 } }, { file: tag });
  if (!made.ok) throw new Error(made.problem.detail);
  return { ...made.value, lang, langScore: 0.99 };
}

/**
 * Per language: the old corpus holds the base paragraph (guideline) and a copy with a sentence
 * deleted (web); even languages also hold the unrelated paragraph (web). The delta brings near
 * duplicates of the base (web: the old guideline stays the kept one), in even languages the
 * unrelated paragraph with a sentence added, from a book (a better source: from scratch the
 * delta copy would be kept), in odd languages the unrelated paragraph (web) and that longer
 * version (paper): a cluster of new documents only. All texts differ, so ids name documents.
 */
function corpora(): { old: Doc[]; delta: Doc[] } {
  const old: Doc[] = [];
  const delta: Doc[] = [];
  MEDICAL_TEXTS.forEach((t, k) => {
    const v = variants(t);
    old.push(doc(v.base, t.lang, 'guideline', 'old'), doc(v.deleted, t.lang, 'web', 'old'));
    delta.push(doc(v.inserted, t.lang, 'web', 'delta'), doc(v.reformatted, t.lang, 'web', 'delta'));
    const unrelatedPlus = [...t.unrelated, t.insert].join(t.joiner);
    if (k % 2 === 0) {
      old.push(doc(v.unrelated, t.lang, 'web', 'old'));
      delta.push(doc(unrelatedPlus, t.lang, 'book', 'delta'));
    } else {
      delta.push(doc(v.unrelated, t.lang, 'web', 'delta'), doc(unrelatedPlus, t.lang, 'paper', 'delta'));
    }
  });
  return { old, delta };
}

async function writeFiles(dir: string, name: string, docs: Doc[], files: number): Promise<string[]> {
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const path = join(dir, `${name}-${f}.jsonl`);
    await writeFile(path, docs.filter((_, i) => i % files === f).map((d) => JSON.stringify(d)).join('\n') + '\n');
    paths.push(path);
  }
  return paths;
}

interface Decision {
  kept: boolean;
  duplicateOf?: string;
  inIndex?: boolean;
}

/** Decision per document key (id + source) of a finished run. */
async function decisions(out: string, worldSize: number): Promise<Map<string, Decision>> {
  const result = new Map<string, Decision>();
  for (let r = 0; r < worldSize; r++) {
    const name = String(r).padStart(5, '0');
    const lines = async (f: string) => (await readFile(f, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const d of await lines(join(out, 'docs', `${name}.jsonl`))) result.set(`${d.id as string}`, { kept: true });
    for (const rej of await lines(join(out, 'rejects', `${name}.jsonl`))) {
      const d = rej.doc as Doc;
      result.set(d.id, { kept: false, duplicateOf: rej.duplicateOf as string, ...(rej.duplicateInIndex ? { inIndex: true } : {}) });
    }
  }
  return result;
}

const base = (opts: Partial<StageOptions> & Record<string, unknown>): StageOptions => ({ output: '', workers: 1, quiet: true, ...opts }) as StageOptions;

describe('dedupe against a persistent index', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dedupe-index-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('decides a delta as deduplicating everything from scratch would, except where the old document must stay', async () => {
    const { old, delta } = corpora();
    const oldFiles = await writeFiles(dir, 'old', old, 2);
    const deltaFiles = await writeFiles(dir, 'delta', delta, 2);
    const idx = join(dir, 'index');

    const oldOut = join(dir, 'old-out');
    expect((await runStage(dedupeStage, base({ input: oldFiles, output: oldOut, index: idx }), undefined, silentLogger)).exitCode).toBe(0);
    const version = (await readFile(join(idx, 'CURRENT'), 'utf8')).trim();
    const manifest = JSON.parse(await readFile(join(idx, version, 'index.json'), 'utf8')) as IndexManifest;
    expect(manifest.docs).toBe(old.length);
    expect(manifest.ranks).toHaveLength(2);
    const oldDecisions = await decisions(oldOut, 2);

    const deltaOut = join(dir, 'delta-out');
    expect((await runStage(dedupeStage, base({ input: deltaFiles, output: deltaOut, against: idx }), undefined, silentLogger)).exitCode).toBe(0);
    expect((await verifyStage(deltaOut)).problems).toEqual([]);
    const against = await decisions(deltaOut, 2);
    expect(against.size).toBe(delta.length);

    const scratchOut = join(dir, 'scratch-out');
    await runStage(dedupeStage, base({ input: [...oldFiles, ...deltaFiles], output: scratchOut }), undefined, silentLogger);
    const scratch = await decisions(scratchOut, 4);

    const oldIds = new Set(old.map((d) => d.id));
    const keptOf = (id: string) => (scratch.get(id)!.kept ? id : scratch.get(id)!.duplicateOf!);
    let sameAsScratch = 0;
    let oldMustStay = 0;
    let newOnly = 0;
    for (const d of delta) {
      const a = against.get(d.id)!;
      const s = scratch.get(d.id)!;
      const clusterKept = keptOf(d.id);
      const oldMembers = old.filter((o) => keptOf(o.id) === clusterKept);
      if (oldIds.has(clusterKept)) {
        // From scratch an old document is kept: the same decision, naming the same document.
        expect(a).toEqual({ kept: false, duplicateOf: s.duplicateOf, inIndex: true });
        sameAsScratch++;
      } else if (oldMembers.length === 0) {
        // A cluster of new documents only: decided exactly as from scratch.
        expect({ kept: a.kept, duplicateOf: a.duplicateOf }).toEqual({ kept: s.kept, duplicateOf: s.duplicateOf });
        newOnly++;
      } else {
        // From scratch a new document would win over old ones; the old ones are published, so
        // every new document of the cluster is dropped, naming the old run's kept document.
        const oldKept = oldMembers.filter((o) => oldDecisions.get(o.id)!.kept).map((o) => o.id);
        expect(oldKept).toHaveLength(1);
        expect(a).toEqual({ kept: false, duplicateOf: oldKept[0], inIndex: true });
        oldMustStay++;
      }
    }
    expect(sameAsScratch).toBe(6 * 2);
    expect(oldMustStay).toBe(3);
    expect(newOnly).toBe(3 * 2);
    const summary = JSON.parse(await readFile(join(deltaOut, 'clusters', 'summary.json'), 'utf8')) as { stats: { duplicatesOfIndex: number; indexDocs: number } };
    expect(summary.stats.duplicatesOfIndex).toBe(6 * 2 + 3);
    expect(summary.stats.indexDocs).toBe(old.length);
  });

  it('publishes the delta on top of the index, so the next delta is checked against both', async () => {
    const { old, delta } = corpora();
    const idx = join(dir, 'index');
    await runStage(dedupeStage, base({ input: await writeFiles(dir, 'old', old, 1), output: join(dir, 'o1'), index: idx }), undefined, silentLogger);
    const first = (await readFile(join(idx, 'CURRENT'), 'utf8')).trim();
    // 17 delta files: with the index's one run that is 18 runs per key space, more than
    // MAX_RUNS_PER_SPACE, so publishing merges each space's runs into one.
    await runStage(dedupeStage, base({ input: await writeFiles(dir, 'delta', delta, 17), output: join(dir, 'o2'), against: idx, index: idx }), undefined, silentLogger);
    const second = (await readFile(join(idx, 'CURRENT'), 'utf8')).trim();
    expect(second).not.toBe(first);
    const manifest = JSON.parse(await readFile(join(idx, second, 'index.json'), 'utf8')) as IndexManifest;
    expect(manifest.docs).toBe(old.length + delta.length);
    expect(manifest.ranks).toHaveLength(18);
    expect(manifest.spaces['band-00']).toHaveLength(1);
    expect(manifest.spaces.exact![0]!.count).toBe(old.length + delta.length);
    expect(manifest.history.map((h) => h.docs)).toEqual([old.length, delta.length]);

    // A copy of a document kept in the delta run, and a new text: the copy names the delta's document.
    const paper = delta.find((d) => d.source === 'paper')!;
    expect((await decisions(join(dir, 'o2'), 17)).get(paper.id)).toEqual({ kept: true });
    const fresh = doc('Vitamin D deficiency is common in older adults who spend little time outdoors, and supplementation is advised in winter months.', 'en', 'web', 'third');
    const third = [doc(paper.text, paper.lang!, 'web', 'third'), fresh];
    const out3 = join(dir, 'o3');
    await runStage(dedupeStage, base({ input: await writeFiles(dir, 'third', third, 1), output: out3, against: idx }), undefined, silentLogger);
    const d3 = await decisions(out3, 1);
    expect(d3.get(third[0]!.id)).toEqual({ kept: false, duplicateOf: paper.id, inIndex: true });
    expect(d3.get(fresh.id)).toEqual({ kept: true });
  });

  it('works in exact-only mode: a delta copy of an indexed text is dropped, new texts stay', async () => {
    const { old, delta } = corpora();
    const idx = join(dir, 'index');
    await runStage(dedupeStage, base({ input: await writeFiles(dir, 'old', old, 1), output: join(dir, 'o1'), index: idx, exactOnly: true }), undefined, silentLogger);
    const copy = doc(`  ${old[0]!.text.toUpperCase()}  `, old[0]!.lang!, 'book', 'delta');
    const out = join(dir, 'o2');
    await runStage(dedupeStage, base({ input: await writeFiles(dir, 'delta', [copy, ...delta], 1), output: out, against: idx, exactOnly: true }), undefined, silentLogger);
    const d = await decisions(out, 1);
    expect(d.get(copy.id)).toEqual({ kept: false, duplicateOf: old[0]!.id, inIndex: true });
    // The reformatted copies (case and line breaks) are exact copies of the old base paragraph;
    // near copies are not, and with exact matching only they stay.
    const reformatted = new Set(MEDICAL_TEXTS.map((t) => variants(t).reformatted));
    for (const x of delta) {
      const base = old.find((o) => o.lang === x.lang && o.source === 'guideline')!;
      expect(d.get(x.id)).toEqual(reformatted.has(x.text) ? { kept: false, duplicateOf: base.id, inIndex: true } : { kept: true });
    }
  });

  it('names a damaged index file instead of matching against it', async () => {
    const { old, delta } = corpora();
    const idx = join(dir, 'index');
    await runStage(dedupeStage, base({ input: await writeFiles(dir, 'old', old, 1), output: join(dir, 'o1'), index: idx }), undefined, silentLogger);
    const version = join(idx, (await readFile(join(idx, 'CURRENT'), 'utf8')).trim());
    const manifest = JSON.parse(await readFile(join(version, 'index.json'), 'utf8')) as IndexManifest;
    const run = join(version, manifest.spaces['band-03']![0]!.file);
    const fh = await open(run, 'r+');
    await fh.write(Buffer.from([0xab, 0xcd, 0xef]), 0, 3, 64 + 10);
    await fh.close();
    const input = await writeFiles(dir, 'delta', delta, 1);
    await expect(runStage(dedupeStage, base({ input, output: join(dir, 'o2'), against: idx }), undefined, silentLogger)).rejects.toThrow(run);
  });

  it('refuses an index made with other settings, and a path that is no index', async () => {
    const { old } = corpora();
    const idx = join(dir, 'index');
    const input = await writeFiles(dir, 'old', old, 1);
    await runStage(dedupeStage, base({ input, output: join(dir, 'o1'), index: idx }), undefined, silentLogger);
    expect(existsSync(join(idx, 'CURRENT'))).toBe(true);
    await expect(runStage(dedupeStage, base({ input, output: join(dir, 'o2'), against: idx, bands: 7 }), undefined, silentLogger)).rejects.toThrow(/made with other settings/);
    await expect(runStage(dedupeStage, base({ input, output: join(dir, 'o3'), against: join(dir, 'nothing') }), undefined, silentLogger)).rejects.toThrow(`--against: not found: ${join(dir, 'nothing')}`);
    await mkdir(join(dir, 'empty'));
    await expect(runStage(dedupeStage, base({ input, output: join(dir, 'o3'), against: join(dir, 'empty') }), undefined, silentLogger)).rejects.toThrow(/is not a dedupe index/);
  });
});
