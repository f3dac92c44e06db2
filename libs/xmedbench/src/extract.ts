/** Options of the generation-mode answer extraction. */
export interface ExtractOptions {
  /**
   * Also read parenthesised Arabic letters (أ ب ج/س د as A B C D), as the successor project
   * ApolloMoE does. Default false (the Apollo reference rule).
   */
  arabicLetters?: boolean;
}

const ARABIC: Readonly<Record<string, string>> = { 'أ': 'A', 'ب': 'B', 'ج': 'C', 'س': 'C', 'د': 'D' };
const STRICT = /[（(]([A-Fa-f])[）)]/g;
const STRICT_ARABIC = /[（(]([A-Fa-fأبجسد])[）)]/g;
const LOOSE = /[A-F]/g;

/** The first non-empty line, as the reference does it: only when the text has a newline at all. */
function firstLine(text: string): string {
  if (!text.includes('\n')) return text;
  return text.split('\n').find((line) => line.length > 0) ?? text;
}

/** Most frequent letter; a tie goes to the one seen first. */
function mostFrequent(letters: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const l of letters) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [l, c] of counts) {
    if (c > bestCount) {
      best = l;
      bestCount = c;
    }
  }
  return best;
}

/**
 * The reference's answer extraction for generated text: keep the first non-empty line; count
 * option letters in ASCII or full-width parentheses (lower case accepted and upper-cased) and
 * take the most frequent; else the most frequent capital A-F anywhere in that line (so
 * "Based on ..." reads as B); else the line "Yes." means A and "No." means B; else null.
 */
export function extractAnswer(output: string, options: ExtractOptions = {}): string | null {
  const line = firstLine(output);
  const strict = [...line.matchAll(options.arabicLetters ? STRICT_ARABIC : STRICT)].map((m) => ARABIC[m[1]!] ?? m[1]!.toUpperCase());
  const fromStrict = mostFrequent(strict);
  if (fromStrict) return fromStrict;
  const fromLoose = mostFrequent([...line.matchAll(LOOSE)].map((m) => m[0]));
  if (fromLoose) return fromLoose;
  if (line === 'Yes.') return 'A';
  if (line === 'No.') return 'B';
  return null;
}

const GROUP = /[（(]([A-F]{2,6})[）)]/;

/**
 * extractAnswer for items that may have several correct letters (CMExam's `(BCDE)`): a
 * parenthesised group of capital letters in the first line, such as `(ACD)`, is read as that
 * set (sorted, repeats removed); otherwise the single letter extractAnswer finds. Null when none.
 */
export function extractAnswerSet(output: string, options: ExtractOptions = {}): string[] | null {
  const group = GROUP.exec(firstLine(output));
  if (group) return [...new Set(group[1]!)].sort();
  const one = extractAnswer(output, options);
  return one === null ? null : [one];
}
