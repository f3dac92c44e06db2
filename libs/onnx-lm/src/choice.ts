import type { BatchOptions, LogitsModel } from './causal-lm';

/** A multiple-choice question as text: the context ends right where the letter goes. */
export interface LetterChoiceRequest {
  context: string;
  letters: readonly string[];
}

export interface LetterChoiceScore {
  /** Log-prob of each letter, in the request's order. */
  scores: number[];
  /**
   * `letter`: every letter is one token in context, read from one forward pass at the last
   * context position. `continuation`: some letter is not, so each letter was scored as a
   * continuation with joint tokenization (the sum of its tokens' log-probs).
   */
  method: 'letter' | 'continuation';
  /** Tokens in the context (BOS included). */
  contextTokens: number;
}

/**
 * Scores option letters after each context. Letter mode needs one forward pass per question;
 * questions whose letters do not tokenize as single tokens after their context fall back to
 * continuation scoring, one sequence per letter.
 */
export async function scoreLetterChoices(lm: LogitsModel, requests: readonly LetterChoiceRequest[], options: BatchOptions = {}): Promise<LetterChoiceScore[]> {
  const tok = lm.tokenizer;
  const plans = requests.map((r) => {
    const ids = tok.encode(r.context);
    const single = r.letters.map((l) => tok.singleTokenAfter(ids, r.context, l));
    return { ids, single: single.every((s) => s !== null) ? (single as number[]) : null };
  });

  const letterIdx = plans.flatMap((p, i) => (p.single ? [i] : []));
  const letterScores = await lm.nextTokenLogProbs(
    letterIdx.map((i) => ({ ids: plans[i]!.ids, select: plans[i]!.single! })),
    options,
  );

  // Joint tokenization, as the standard harness does: encode context+letter, score the tokens after the context's own length.
  const contRequests: { item: number; ids: number[]; from: number }[] = [];
  plans.forEach((p, i) => {
    if (p.single) return;
    for (const letter of requests[i]!.letters) {
      const whole = tok.encode(requests[i]!.context + letter);
      contRequests.push({ item: i, ids: whole, from: Math.min(p.ids.length, whole.length - 1) });
    }
  });
  const contScores = await lm.continuationLogProbs(contRequests, options);

  const out: LetterChoiceScore[] = plans.map((p) => ({ scores: [], method: p.single ? 'letter' : 'continuation', contextTokens: p.ids.length }));
  letterIdx.forEach((i, k) => (out[i]!.scores = letterScores[k]!));
  contRequests.forEach((r, k) => out[r.item]!.scores.push(contScores[k]!.reduce((a, b) => a + b, 0)));
  return out;
}

/** A context and the texts that may follow it (the choices of a multiple-choice item). */
export interface ContinuationChoiceRequest {
  context: string;
  continuations: readonly string[];
}

export interface ContinuationChoiceScore {
  /** Sum of each continuation's token log-probs (the harness's `acc` compares these). */
  logprobs: number[];
  /** Each continuation's length in code points (the divisor of `acc_norm`). */
  chars: number[];
  /** Tokens scored per continuation. */
  tokens: number[];
  /** Tokens in the context (BOS included). */
  contextTokens: number;
}

/**
 * Scores every continuation of every request as lm-evaluation-harness does for
 * `loglikelihood`: context and continuation are tokenized together, split at the context's own
 * token count (at least one continuation token), and the continuation tokens' log-probs summed.
 * All sequences of all requests go through the length-sorted batcher together.
 */
export async function scoreContinuations(lm: LogitsModel, requests: readonly ContinuationChoiceRequest[], options: BatchOptions = {}): Promise<ContinuationChoiceScore[]> {
  const tok = lm.tokenizer;
  const flat: { item: number; ids: number[]; from: number }[] = [];
  const out: ContinuationChoiceScore[] = requests.map((r) => {
    const ctx = tok.encode(r.context);
    for (const c of r.continuations) {
      const whole = tok.encode(r.context + c);
      flat.push({ item: flat.length, ids: whole, from: Math.min(ctx.length, whole.length - 1) });
    }
    return { logprobs: [], chars: r.continuations.map(codePointLength), tokens: [], contextTokens: ctx.length };
  });
  const scores = await lm.continuationLogProbs(flat, options);
  let k = 0;
  requests.forEach((r, i) => {
    for (let j = 0; j < r.continuations.length; j++, k++) {
      out[i]!.logprobs.push(scores[k]!.reduce((a, b) => a + b, 0));
      out[i]!.tokens.push(scores[k]!.length);
    }
  });
  return out;
}

/** Length in code points, as Python's len() on a str (the harness's acc_norm divides by it). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Index of the highest score; ties go to the first. */
export function argmax(scores: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
