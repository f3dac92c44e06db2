import { readFile } from 'node:fs/promises';
import { readCsvRows } from './csv';
import { itemHash, type ItemContent, type ReadItem } from './item';
import { readJsonArray, readJsonDocument, readJsonLines, startsWithArray } from './json-files';
import { renderOptions } from './options';
import type { RecordFormat } from './formats/record-format';
import type { SourceFormat } from './sources';

/** Item content of a source -> the one item schema, as the unified reader builds it from the XMedBench file. */
export function originalToItem({ source }: SourceFormat, content: ItemContent, file: string, index: number): ReadItem {
  // The unified format keeps option texts with XMedBench's ending; so does the item schema.
  const options = content.options.map((o) => ({ label: o.label, text: o.text + source.optionEnd }));
  const base = {
    source: source.key,
    language: source.language,
    question: content.question,
    ...(content.context ? { context: content.context } : {}),
    options,
    optionsText: renderOptions(content.options, source.optionEnd),
    answerText: `(${content.gold.join('')})`,
    gold: content.gold,
  };
  return { ...base, hash: itemHash(base), file, index };
}

/** The content of each record of a file in a format's layout, in file order. */
async function* formatRecords(format: RecordFormat, file: string): AsyncGenerator<ItemContent> {
  if (format.layout === 'csv') {
    let first = true;
    for await (const { row, line } of readCsvRows(file)) {
      const header = first && format.header;
      first = false;
      if (header) continue;
      yield format.parse(row, { file, line });
    }
    return;
  }
  if (format.layout === 'json-document') {
    // The parsed document gives the values; the text keeps the order of its keys.
    const records = format.records(await readJsonDocument(file), file, await readFile(file, 'utf8'));
    for (let record = 0; record < records.length; record++) {
      yield format.parse(records[record], { file, record });
    }
    return;
  }
  // MedQA and MedMCQA ship JSON lines (MedMCQA's named .json); the others JSON arrays: look.
  if (await startsWithArray(file)) {
    for (const { value, record } of await readJsonArray(file)) {
      yield format.parse(value, { file, record });
    }
    return;
  }
  for await (const { value, line } of readJsonLines(file)) {
    yield format.parse(value, { file, line });
  }
}

/** Streams the items of one file in a source's original format, in file order. A malformed record throws with file and record (or line). */
export async function* readOriginalFile(sf: SourceFormat, file: string): AsyncGenerator<ReadItem> {
  let index = 0;
  for await (const content of formatRecords(sf.format, file)) yield originalToItem(sf, content, file, index++);
}
