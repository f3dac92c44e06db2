import type { Doc } from '@apollo/document';
import { docPhase, drop, filterStep, keep, type DocStep, type Judgement, type StageApp, type StepContext } from '@apollo/stage';
import { langidConfig, type LangidConfig } from './config';
import { createDetector } from './create-detector';
import type { LanguageDetector } from './detector';
import { judgeText } from './judge';
import { LANGID_SETTINGS, type LangidSettings } from './settings';

/**
 * The langid judge: every document is kept with `lang` and `langScore` (and meta `langShare`,
 * `langRunnerUp`, `langRunnerUpShare` when another language was seen, `langScript: "latin"` for
 * Hindi kept in Latin letters), or dropped with a reason.
 */
export function langidJudge(detector: LanguageDetector, config: LangidConfig): (doc: Doc, ctx: StepContext) => Judgement {
  return (doc, ctx) => {
    const verdict = judgeText(doc.text, detector, config, { prose: doc.kind === 'text' });
    if (!verdict.keep) return drop(verdict.reason, verdict.detail, verdict.lang !== undefined ? { lang: verdict.lang, langScore: verdict.score } : undefined);
    if (doc.langHint !== undefined) ctx.count(doc.langHint.toLowerCase().split(/[-_]/)[0] === verdict.lang ? 'hint_agrees' : 'hint_differs');
    ctx.count(`kept_${verdict.lang}`);
    const meta: Record<string, string | number | boolean> = { ...doc.meta, langShare: verdict.share };
    if (verdict.script) meta.langScript = verdict.script;
    if (verdict.runnerUp) {
      meta.langRunnerUp = verdict.runnerUp.lang;
      meta.langRunnerUpShare = Math.round(verdict.runnerUp.share * 1e4) / 1e4;
    }
    return keep({ ...doc, lang: verdict.lang, langScore: verdict.score, meta });
  };
}

/** The langid step: `langidJudge` as a filter. */
export function langidStep(detector: LanguageDetector, config: LangidConfig): DocStep {
  return filterStep(langidJudge(detector, config));
}

/** The langid stage: detect each document's language, keep the target languages. */
export const langidStage: StageApp<LangidConfig, LangidSettings> = {
  name: 'langid',
  summary: 'Detects the language of each document; keeps the target languages (en, zh, es, fr, ar, hi) with lang and langScore',
  settings: LANGID_SETTINGS,
  configure: (settings) => langidConfig(settings),
  phases: [
    docPhase<LangidConfig>({
      // One detector per task: cld3's WebAssembly module and eld's 150 MB database load once
      // per worker thread and task, not once per document or file.
      async step(task) {
        const detector = await createDetector(task.config.detector);
        return filterStep({ judge: langidJudge(detector, task.config), close: () => detector.dispose() });
      },
    }),
  ],
};
