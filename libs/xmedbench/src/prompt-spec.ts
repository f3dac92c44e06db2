import { sha256Hex } from '@apollo/document';
import { sourceInfo, type Language } from '@apollo/benchmark-items';

/** One language's wording of the XMedBench prompt (REFERENCE.md section 2, exact to the character). */
export interface PromptTemplate {
  instruction: string;
  questionLabel: string;
  optionsLabel: string;
  /** The answer sentence; `{answer}` stands for the item's answer string, e.g. `(B)`. */
  answerSentence: string;
  /** Whether a `Context: {context} \n` line follows the instruction (PubMedQA). */
  contextLine: boolean;
}

export type TemplateKey = Language | 'pubmedqa';

const EN_INSTRUCTION = 'You are a medical doctor answering real-world medical exam questions. Select one correct answer from A to D.';

/** The reference's wording per language, plus PubMedQA's own English instruction with a context line. */
export const APOLLO_TEMPLATES: Readonly<Record<TemplateKey, PromptTemplate>> = {
  en: {
    instruction: EN_INSTRUCTION,
    questionLabel: 'Question:',
    optionsLabel: 'Options:',
    answerSentence: 'The correct answer is {answer}.',
    contextLine: false,
  },
  zh: {
    instruction: '您是一名医生，正在回答现实世界的医学考试问题。请从A到D中选择一个正确答案。',
    questionLabel: '问题:',
    optionsLabel: '选项:',
    answerSentence: '正确答案是{answer}.',
    contextLine: false,
  },
  es: {
    instruction: 'Usted es un médico que responde preguntas de exámenes médicos del mundo real. Elija una respuesta correcta de la A a la D.',
    questionLabel: 'pregunta:',
    optionsLabel: 'Opciones:',
    answerSentence: 'La respuesta correcta es {answer}.',
    contextLine: false,
  },
  fr: {
    instruction: "Vous êtes un médecin et répondez à des questions d'examen médical du monde réel. Veuillez choisir une bonne réponse de A à E.",
    questionLabel: 'question:',
    optionsLabel: 'Possibilités:',
    answerSentence: 'La bonne réponse est {answer}.',
    contextLine: false,
  },
  hi: {
    instruction: 'आप एक डॉक्टर हैं जो वास्तविक दुनिया की मेडिकल परीक्षा के सवालों का जवाब दे रहे हैं। कृपया A से D तक सही उत्तर चुनें।',
    questionLabel: 'सवाल:',
    optionsLabel: 'विकल्प:',
    // No space before the answer, as in the reference.
    answerSentence: 'सही उत्तर है{answer}.',
    contextLine: false,
  },
  ar: {
    instruction: 'أنت طبيب يجيب على أسئلة الفحص الطبي في العالم الحقيقي. الرجاء اختيار الإجابة الصحيحة من أ إلى د.',
    questionLabel: 'سؤال:',
    optionsLabel: 'خيارات:',
    // The letter comes first, as in the reference.
    answerSentence: '{answer}الإجابة الصحيحة هي.',
    contextLine: false,
  },
  pubmedqa: {
    instruction:
      'You are a medical doctor answering real-world medical exam questions. Select one correct answer from A to C. ' +
      'Choose ‘yes’ or ‘no’ if the evidence in the context supports a definitive answer. ' +
      'Choose ‘maybe’ if the evidence in the context does not support a definitive answer.',
    questionLabel: 'Question:',
    optionsLabel: 'Options:',
    answerSentence: 'The correct answer is {answer}.',
    contextLine: true,
  },
};

export type PromptSpecName = 'apollo' | 'default';

/** How prompts are built. Plain data, so it can be hashed and recorded with results. */
export interface PromptSpec {
  name: PromptSpecName;
  /** Bumped whenever the rendering of any prompt changes. */
  version: number;
  templates: Readonly<Record<TemplateKey, PromptTemplate>>;
  /** Few-shot examples per item. Default 3. */
  shots: number;
  /** Prompts stay under this many characters (Unicode code points, as Python's len). Default 4096. */
  maxChars: number;
  /**
   * Reference behaviour, kept for reproducing published numbers: Chinese items get the English
   * template for the item itself (their shots keep the Chinese one); shots come from the items
   * being scored (same source, never the item itself); each shot is added independently only if
   * the running prompt plus that shot plus the item stays under `maxChars`, so a long shot is
   * skipped and a later shorter one can still be added.
   */
  referenceQuirks: boolean;
}

/** `apollo`: the reference prompts, quirks included. */
export const APOLLO_SPEC: PromptSpec = { name: 'apollo', version: 1, templates: APOLLO_TEMPLATES, shots: 3, maxChars: 4096, referenceQuirks: true };

/**
 * `default`: the same wording, corrected: every item gets its own language's template; shots are
 * drawn with a recorded seed from a separate pool (the dev split) and never include the item;
 * when a prompt is too long, shots are removed (last first) and the truncation is recorded, and
 * no item is dropped.
 */
export const DEFAULT_SPEC: PromptSpec = { name: 'default', version: 1, templates: APOLLO_TEMPLATES, shots: 3, maxChars: 4096, referenceQuirks: false };

export function promptSpec(name: PromptSpecName, shots?: number): PromptSpec {
  const base = name === 'apollo' ? APOLLO_SPEC : DEFAULT_SPEC;
  return shots === undefined ? base : { ...base, shots };
}

function isTemplateKey(key: string): key is TemplateKey {
  return Object.prototype.hasOwnProperty.call(APOLLO_TEMPLATES, key);
}

/**
 * Which template a source's items use (shots always; the item too unless the quirk applies):
 * the source's own when the source table names one (PubMedQA), else the language's.
 */
export function templateKey(source: string, language: Language): TemplateKey {
  const own = sourceInfo(source)?.promptTemplate;
  if (own === undefined) return language;
  if (!isTemplateKey(own)) throw new Error(`source ${source} names prompt template "${own}", which is not one of ${Object.keys(APOLLO_TEMPLATES).join(', ')}`);
  return own;
}

/** The template of the item itself: the reference gives Chinese items the English template. */
export function itemTemplateKey(spec: PromptSpec, source: string, language: Language): TemplateKey {
  const key = templateKey(source, language);
  return spec.referenceQuirks && key === 'zh' ? 'en' : key;
}

/**
 * One hash per template key: everything that shapes that language's prompts (spec name, version,
 * quirks, limits, both templates used, and the EOS string that ends each shot).
 */
export function promptSpecHashes(spec: PromptSpec, eos: string): Record<TemplateKey, string> {
  const out = {} as Record<TemplateKey, string>;
  for (const key of Object.keys(spec.templates) as TemplateKey[]) {
    const itemKey = spec.referenceQuirks && key === 'zh' ? 'en' : key;
    out[key] = sha256Hex(
      JSON.stringify({
        name: spec.name,
        version: spec.version,
        shots: spec.shots,
        maxChars: spec.maxChars,
        referenceQuirks: spec.referenceQuirks,
        shotTemplate: spec.templates[key],
        itemTemplate: spec.templates[itemKey],
        eos,
      }),
    ).slice(0, 16);
  }
  return out;
}
