import type { Manifest, Totals } from './manifest';

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', zh: 'Chinese', es: 'Spanish', fr: 'French', ar: 'Arabic', hi: 'Hindi' };

/** The `size_categories` tag Hugging Face uses for a row count. */
export function sizeCategory(rows: number): string {
  const bounds: [number, string][] = [
    [1e3, 'n<1K'],
    [1e4, '1K<n<10K'],
    [1e5, '10K<n<100K'],
    [1e6, '100K<n<1M'],
    [1e7, '1M<n<10M'],
    [1e8, '10M<n<100M'],
    [1e9, '100M<n<1B'],
  ];
  for (const [bound, tag] of bounds) if (rows < bound) return tag;
  return 'n>1B';
}

/** A dataset config of the card: a name and the glob of its files. */
export interface CardConfig {
  name: string;
  path: string;
  default?: boolean;
}

/**
 * The configs `load_dataset(dir, name)` accepts: `all` (the default), one per language, one
 * per source type (all languages and kinds), one per (language, source, kind) folder.
 */
export function cardConfigs(m: Manifest): CardConfig[] {
  const configs: CardConfig[] = [{ name: 'all', path: 'data/*/*/*.parquet', default: true }];
  for (const lang of Object.keys(m.totals.byLanguage)) configs.push({ name: lang, path: `data/${lang}/*/*.parquet` });
  for (const source of Object.keys(m.totals.bySource)) configs.push({ name: source, path: `data/*/${source}_*/*.parquet` });
  for (const g of m.totals.byGroup) configs.push({ name: `${g.lang}_${g.source}_${g.kind}`, path: `data/${g.path}/*.parquet` });
  return configs;
}

const q = (s: string): string => JSON.stringify(s); // a JSON string is a valid YAML scalar
const n = (x: number): string => x.toLocaleString('en-US');

function frontMatter(m: Manifest, license: string): string {
  const lines = ['---', `pretty_name: ${q(m.name)}`, `license: ${q(license)}`, 'language:'];
  for (const lang of Object.keys(m.totals.byLanguage)) lines.push(`- ${lang}`);
  if (Object.keys(m.totals.byLanguage).length > 1) lines.push('multilinguality: multilingual');
  lines.push('task_categories:', '- text-generation', 'tags:', '- medical', 'size_categories:', `- ${sizeCategory(m.totals.documents)}`);
  lines.push('configs:');
  for (const c of cardConfigs(m)) {
    lines.push(`- config_name: ${c.name}`);
    if (c.default) lines.push('  default: true');
    lines.push('  data_files:', '  - split: train', `    path: ${q(c.path)}`);
  }
  lines.push('---');
  return lines.join('\n');
}

function totalsCells(t: Totals): string {
  return `${n(t.documents)} | ${n(t.characters)} | ${n(t.tokens)}`;
}

/** The card's "Version" section: which version, its base, and what changed (empty without a version block). */
export function versionLines(m: Manifest): string[] {
  const v = m.version;
  if (!v) return [];
  const base = v.base
    ? `It is built on version ${v.base.number} (\`${v.base.manifest}\`, sha256 \`${v.base.sha256.slice(0, 16)}…\`, ${n(v.base.documents)} documents): `
    : 'It has no base version: ';
  const reasons = Object.entries(v.removedByReason).map(([r, k]) => `${r} ${n(k)}`).join(', ');
  return [
    '## Version',
    '',
    `This is version ${v.number} of the corpus. ${base}${n(v.added)} documents added, ${n(v.removed)} removed` +
      `${reasons ? ` (${reasons})` : ''}, ${n(v.carried)} carried over. The documents added and removed are listed in ` +
      `\`${v.changes.added}\` and \`${v.changes.removed}\` (id, url, lang, source, reason).`,
    '',
  ];
}

/** Renders the dataset card (README.md of the output folder) from the manifest. */
export function renderCard(m: Manifest, license: string): string {
  const c = m.created;
  const out: string[] = [frontMatter(m, license), '', `# ${m.name}`, ''];
  const langs = Object.keys(m.totals.byLanguage).map((l) => LANGUAGE_NAMES[l] ?? l);
  out.push(
    `Medical text and question/answer data for continued pre-training and instruction tuning of a multilingual ` +
      `medical language model, in the layout of ApolloCorpora: ${n(m.totals.documents)} documents in ${langs.join(', ')}, ` +
      `about ${n(m.totals.tokens)} tokens (estimated), in ${m.totals.shards} Parquet files (${(m.totals.bytes / 1e6).toFixed(1)} MB).`,
    '',
    ...versionLines(m),
    '## Counts',
    '',
    '| language | source | kind | documents | characters | est. tokens | shards |',
    '|---|---|---|---:|---:|---:|---:|',
  );
  for (const g of m.totals.byGroup) out.push(`| ${g.lang} | ${g.source} | ${g.kind} | ${totalsCells(g)} | ${g.shards} |`);
  out.push(`| **all** | | | ${totalsCells(m.totals)} | ${m.totals.shards} |`, '');
  out.push('| language | documents | characters | est. tokens |', '|---|---:|---:|---:|');
  for (const [lang, t] of Object.entries(m.totals.byLanguage)) out.push(`| ${lang} | ${totalsCells(t)} |`);
  out.push('', '| source | documents | characters | est. tokens |', '|---|---:|---:|---:|');
  for (const [source, t] of Object.entries(m.totals.bySource)) out.push(`| ${source} | ${totalsCells(t)} |`);
  const perToken = Object.entries(c.config.charsPerToken)
    .map(([l, v]) => `${l} ${v}`)
    .join(', ');
  out.push(
    '',
    `Characters are Unicode code points. Token counts are estimates, not a tokenizer's output: characters divided by ` +
      `characters per token for the language (${perToken}), rounded up per document.`,
    '',
    '## Loading',
    '',
    'Configs: `all` (default), one per language (`en`, `zh`, ...), one per source type (`paper`, `exam`, ...), and one per',
    'folder (`en_paper_text`, ...). Every config has a single `train` split.',
    '',
    '```python',
    'from datasets import load_dataset',
    'ds = load_dataset("path/to/this/folder", "en", split="train")',
    '',
    'import pandas as pd',
    'df = pd.read_parquet("path/to/this/folder/data/en")',
    '',
    'import duckdb',
    'duckdb.sql("SELECT lang, source, count(*) FROM \'path/to/this/folder/data/*/*/*.parquet\' GROUP BY ALL")',
    '```',
    '',
    '## Columns',
    '',
    '| column | type | null | description |',
    '|---|---|---|---|',
  );
  for (const col of m.schema) out.push(`| \`${col.name}\` | ${col.type} | ${col.nullable ? 'yes' : 'no'} | ${col.description} |`);
  out.push(
    '',
    '## License and provenance',
    '',
    `Declared license: \`${license}\`. Documents come from the sources configured in the pipeline and keep the license and ` +
      'terms of their source; the `url`, `file`, `line`, `record` and `source_id` columns trace every document to where it ' +
      'was read or fetched. Check the terms of each source before redistributing a subset.',
    '',
    '## How it was built',
    '',
    'Written by the convert stage of the Apollo data pipeline (crawl -> langid -> dedupe -> convert) from the documents ' +
      'the earlier stages kept: each carries its detected language and confidence (`lang`, `lang_score`); the shards are ' +
      'grouped by language, source type and kind.',
    '',
    `- made by ${c.tool}, ${c.writer}, Node ${c.node}`,
    `- ${c.inputFiles} input files, ${c.tasks} write tasks`,
    `- ${c.config.compression} compression, ${n(c.config.rowGroupSize)} rows per row group, shards capped at ${n(c.config.shardMaxBytes)} bytes`,
    '- `manifest.json` lists every shard with its row count, size and sha256',
  );
  if (m.apollo) {
    out.push(`- the Apollo release format is in \`apollo/\` (${m.apollo.files.length} files)`);
  }
  return out.join('\n') + '\n';
}
