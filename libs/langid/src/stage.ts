import type { Doc } from '@apollo/document';
import { docPhase, type DocStep, type StageApp, type StepContext } from '@apollo/stage';
import { Option } from 'commander';
import { DEFAULT_LANGID_CONFIG, resolveLangidConfig, type LangidCliOptions, type LangidConfig } from './config';
import { createDetector } from './create-detector';
import { DETECTOR_NAMES, type LanguageDetector } from './detector';
import { judgeText } from './judge';

/**
 * The langid step: every document is kept with `lang` and `langScore` (and meta `langShare`,
 * `langRunnerUp`, `langRunnerUpShare` when another language was seen), or dropped with a reason.
 */
export function langidStep(detector: LanguageDetector, config: LangidConfig): DocStep {
  return async function* (docs: AsyncIterable<Doc>, ctx: StepContext): AsyncIterable<Doc> {
    for await (const doc of docs) {
      const verdict = judgeText(doc.text, detector, config);
      if (!verdict.keep) {
        ctx.drop(doc, verdict.reason, verdict.detail, verdict.lang !== undefined ? { lang: verdict.lang, langScore: verdict.score } : undefined);
        continue;
      }
      if (doc.langHint !== undefined) ctx.count(doc.langHint.toLowerCase().split(/[-_]/)[0] === verdict.lang ? 'hint_agrees' : 'hint_differs');
      ctx.count(`kept_${verdict.lang}`);
      const meta: Record<string, string | number | boolean> = { ...doc.meta, langShare: verdict.share };
      if (verdict.runnerUp) {
        meta.langRunnerUp = verdict.runnerUp.lang;
        meta.langRunnerUpShare = Math.round(verdict.runnerUp.share * 1e4) / 1e4;
      }
      yield { ...doc, lang: verdict.lang, langScore: verdict.score, meta };
    }
  };
}

/** The langid stage: detect each document's language, keep the target languages. */
export const langidStage: StageApp<LangidConfig> = {
  name: 'langid',
  summary: 'Detects the language of each document; keeps the target languages (en, zh, es, fr, ar, hi) with lang and langScore',
  options(cmd) {
    cmd
      .addOption(new Option('--detector <name>', `language detector (default ${DEFAULT_LANGID_CONFIG.detector})`).choices([...DETECTOR_NAMES]))
      .option('--languages <list>', `languages to keep, comma-separated (default ${DEFAULT_LANGID_CONFIG.languages.join(',')})`)
      .option('--min-letters <n>', `fewest letters a document needs (default ${DEFAULT_LANGID_CONFIG.minLetters})`)
      .option('--thresholds <json>', 'least score per language, JSON such as {"fr":0.8}; merged over the detector defaults')
      .option('--sample-chars <n>', `characters examined per document, 0 for all (default ${DEFAULT_LANGID_CONFIG.sampleChars})`);
  },
  configure(opts, section) {
    return resolveLangidConfig(opts as LangidCliOptions, section);
  },
  phases: [
    docPhase<LangidConfig>({
      // One detector per task: cld3's WebAssembly module and eld's 150 MB database load once
      // per worker thread and task, not once per document or file.
      async step(task) {
        const detector = await createDetector(task.config.detector);
        const step = langidStep(detector, task.config);
        return async function* (docs, ctx) {
          try {
            yield* step(docs, ctx);
          } finally {
            detector.dispose();
          }
        };
      },
    }),
  ],
};
