import { stat } from 'node:fs/promises';
import { LANGS, parseDocLine, readRawRecords, SOURCE_TYPES, type DocLine } from '@apollo/document';
import { finishStats, removeStaleTemporaries, startStats, type ShardedPhase, type TaskRuntime, type TaskSpec, type TaskStats } from '@apollo/stage';
import { memoryBytes, numHashes, shortBands, type DedupeConfig } from './config';
import { loadBoilerplate } from './boilerplate';
import { Fingerprinter } from './fingerprint';
import { writeEntry } from './bucket-entry';
import { sourceRanks } from './keep-policy';
import { DedupeLayout, EXACT_SPACE, keySpaces, PHASE_SIGNATURES } from './layout';
import { isCopyableLine } from './doc-line';
import { LINE_PLAN_FORMAT, LinePlanFileBuilder, fileIdentity, removeLinePlan, writeLinePlan, type LinePlanFile } from './line-plan';
import { bandKeyOf, shortBandKeyOf } from './lsh';
import { SpaceRunWriter } from './runs-manifest';
import { FLAG_NO_SHINGLES, OTHER_LANG, readSignatureHeader, SignatureFileWriter } from './signature-file';

const LANG_INDEX = new Map<string, number>(LANGS.map((l, i) => [l, i]));
const SOURCE_INDEX = new Map<string, number>(SOURCE_TYPES.map((s, i) => [s, i]));

/**
 * Reads the task's documents in input order and writes one signature record per valid
 * document; its position among the task's valid documents is its ordinal, the key the filter
 * phase uses to find it again. Invalid records are counted (the filter phase rejects them).
 * Beside the signature file it writes the first half of the external sort: sorted runs of
 * bucket entries per key space (one per band, one for exact hashes), within the memory setting,
 * and the line plan the filter phase uses to copy lines without parsing them (line-plan.ts).
 */
export async function runSignaturesTask(task: TaskSpec<DedupeConfig>, rt: TaskRuntime): Promise<TaskStats> {
  const config = task.config;
  const startedAt = new Date();
  const layout = new DedupeLayout(task.output);
  const path = layout.signatureFile(task.rank);
  await removeStaleTemporaries(path);
  const planPath = layout.linePlan(task.rank);
  await removeLinePlan(planPath);
  const planFiles: LinePlanFile[] = [];
  const bands = numHashes(config) > 0 ? config.bands : 0;
  const short = shortBands(config);
  const spaces = keySpaces(bands);
  const runs = new SpaceRunWriter(layout, task.rank, spaces, memoryBytes(config));
  runs.removeOld();
  const rankOfSource = sourceRanks(config.sourcePriority);
  const fingerprinter = new Fingerprinter({
    shingles: { words: config.shingleWords, chars: config.shingleChars },
    numHashes: numHashes(config),
    seed: config.seed,
    foldChinese: config.foldChinese,
    shortChars: numHashes(config) > 0 ? config.shortChars : 0,
  });
  const boilerplate = await loadBoilerplate(task.output, config);
  const writer = new SignatureFileWriter(path, {
    numHashes: numHashes(config),
    seed: config.seed,
    shingleWords: config.shingleWords,
    shingleChars: config.shingleChars,
    rank: task.rank,
    worldSize: task.worldSize,
  });
  const stats: TaskStats = startStats(task, PHASE_SIGNATURES, startedAt, { files: task.files, extra: { noShingles: 0, wordShingled: 0, charShingled: 0, short: 0 } });
  const extra = stats.extra!;
  try {
    for (const file of task.files) {
      try {
        // Taken before reading: a change while the file is read shows as a changed identity.
        const info = await stat(file, { bigint: true });
        if (!info.isFile()) throw new Error('not a regular file');
        const plan = new LinePlanFileBuilder(file, fileIdentity(info));
        planFiles.push(plan.entry);
        // `readDocFile` without its `lines` option: the record is looked at while it is a view
        // of the read buffer, so it is neither copied nor kept in a map per document.
        for await (const rec of readRawRecords(file)) {
          const item: DocLine = 'problem' in rec ? { kind: 'problem', problem: { ...rec.problem, at: rec.at }, bytes: rec.bytes } : parseDocLine(rec.buf, rec.at);
          if (item.kind === 'blank') continue;
          stats.docsIn++;
          stats.bytesIn += item.bytes;
          rt.progress(1, item.bytes);
          if (item.kind === 'problem') {
            stats.dropped[item.problem.reason] = (stats.dropped[item.problem.reason] ?? 0) + 1;
            plan.problem();
            continue;
          }
          const doc = item.doc;
          stats.charsIn += doc.text.length;
          plan.doc(doc.text.length, isCopyableLine(doc, item.line, item.bytes));
          const fp = fingerprinter.fingerprint(boilerplate.size > 0 ? boilerplate.strip(doc).text : doc.text, doc.lang);
          if (fp.noShingles) extra.noShingles!++;
          else if (fp.mode === 'chars') extra.charShingled!++;
          else extra.wordShingled!++;
          if (fp.short) extra.short!++;
          const sourceIndex = SOURCE_INDEX.get(doc.source) ?? 255;
          const entry = {
            exactHash: fp.exactHash,
            sourceRank: rankOfSource[sourceIndex]!,
            contentLength: fp.contentLength,
            id: Buffer.from(doc.id, 'hex'),
            rank: task.rank,
            ordinal: stats.docsOut,
          };
          let slot = runs.slot(EXACT_SPACE);
          writeEntry(slot.buf, slot.offset, 0, 0, entry);
          // Documents without shingles take part in exact matching only.
          if (!fp.noShingles) {
            for (let b = 0; b < bands; b++) {
              const [hi, lo] = bandKeyOf(fp.signature, b, config.rows);
              slot = runs.slot(spaces[b]!);
              writeEntry(slot.buf, slot.offset, hi, lo, entry);
            }
            // Short band j goes to the key space of band j mod bands: no key space of its own
            // (its keys have seeds of their own, so its buckets stay apart from the band's).
            if (fp.short) {
              for (let j = 0; j < short; j++) {
                const [hi, lo] = shortBandKeyOf(fp.signature, j, config.shortRows);
                slot = runs.slot(spaces[j % bands]!);
                writeEntry(slot.buf, slot.offset, hi, lo, entry);
              }
            }
          }
          writer.add({
            ordinal: stats.docsOut,
            exactHash: fp.exactHash,
            id: doc.id,
            contentLength: fp.contentLength,
            sourceIndex,
            langIndex: (doc.lang !== undefined ? LANG_INDEX.get(doc.lang) : undefined) ?? OTHER_LANG,
            flags: fp.noShingles ? FLAG_NO_SHINGLES : 0,
            signature: fp.signature,
          });
          stats.docsOut++;
        }
      } catch (err) {
        stats.fileErrors.push({ file, reason: (err as Error).message });
        rt.log.error('cannot read input file', { file, reason: (err as Error).message });
      }
    }
    // A task that could not read all its files leaves no signature file: ordinals would not
    // match the documents the filter phase reads after the file is fixed.
    if (stats.fileErrors.length > 0) {
      await writer.abort();
      runs.removeOld();
    } else {
      await writer.commit();
      const header = await readSignatureHeader(path);
      const signatureChecksum = Buffer.from(header.checksum).toString('hex');
      const manifest = await runs.finish(task.worldSize, signatureChecksum);
      await writeLinePlan(planPath, { format: LINE_PLAN_FORMAT, signatureChecksum, files: planFiles });
      stats.bytesOut = (await stat(path)).size;
      extra.runs = Object.values(manifest.spaces).reduce((n, list) => n + list.length, 0);
    }
  } catch (err) {
    await writer.abort();
    runs.removeOld();
    throw err;
  }
  return finishStats(stats);
}

/** Phase 1 (sharded): one signature file per task. */
export function signaturesPhase(): ShardedPhase<DedupeConfig> {
  return { kind: 'sharded', name: PHASE_SIGNATURES, docPhase: false, run: runSignaturesTask };
}
