import { fmix32, murmur3String } from '../murmur3';
import { normalizeForMatching } from '../normalize';
import { tokenCapacity, type ShingleMode } from '../shingles';

/**
 * The token stream decontamination matches, the same on both sides: a benchmark item and a
 * corpus document are normalized by the dedupe stage's matching form (case, width, punctuation,
 * spacing, Arabic spelling and traditional Chinese folded) and tokenized by this one function,
 * so whatever a copy changes among those changes nothing.
 *
 * Option labels are left out of the stream. After normalization a label (`(A)`, `（A）`, `A.`,
 * `A)`, `a:`, `أ)`, `(क)`) is a word of one letter, and so is nothing else that carries meaning
 * in a question (the English article `a` goes too, identically on both sides). A document that
 * quotes an item with its labels, another label style, or none, then gives the same stream as
 * the item's question followed by its options, and n-grams span question and options.
 *
 * The field labels exam pages and SFT records put before the question and the options
 * (`Question: ...\nOptions:\n(A). ...` in Apollo's exam records, `问题：`, `选项：`, and their
 * forms in the other languages) are left out too: between a short question and its options they
 * would break every n-gram.
 *
 * Words mode (languages written with spaces): the tokens are the words; a word that is one
 * letter, or a field label, is left out. Characters mode (Chinese): every character is a token,
 * spaces skipped; a Latin letter with no Latin letter or digit beside it (`a 反应性`, `a反应性`)
 * is left out, while the letters of `hb72g` or `ct` are kept, and so are the field labels 问题
 * and 选项.
 */

const TOKEN_SEED = 0x1b873593;
const SPACE = 0x20;
const LETTER = /^\p{L}$/u;

/** Field labels of words mode, in their matching form. */
const FIELD_WORDS = ['question', 'options', 'choices', 'pregunta', 'opciones', 'propositions', 'السؤال', 'الخيارات', 'प्रश्न', 'विकल्प'];
const FIELD_WORD_HASHES = new Set(FIELD_WORDS.map((w) => murmur3String(normalizeForMatching(w), TOKEN_SEED)));
/** Whether two characters are a field label of characters mode (问题, 选项). */
function isFieldPair(cp: number, next: number): boolean {
  return (cp === 0x95ee && next === 0x9898) || (cp === 0x9009 && next === 0x9879);
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

function isLatinLetter(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

/** Whether the word `normalized[start, end)` is a single letter (an option label once normalized). */
function isOneLetter(normalized: string, start: number, end: number): boolean {
  const units = end - start;
  if (units === 1) {
    const c = normalized.charCodeAt(start);
    return isLatinLetter(c) || (c >= 0x80 && LETTER.test(normalized[start]!));
  }
  // One astral letter is two code units (a surrogate pair).
  const c = normalized.charCodeAt(start);
  return units === 2 && c >= 0xd800 && c < 0xdc00 && LETTER.test(normalized.slice(start, end));
}

/**
 * Hashes of the matching tokens of a normalized text (see above), in order, written into `out`
 * (at least `tokenCapacity(normalized.length)` long: never more tokens than `tokenHashesInto` gives); returns their number.
 */
export function matchTokensInto(normalized: string, mode: ShingleMode, out: Uint32Array): number {
  let n = 0;
  const len = normalized.length;
  if (mode === 'words') {
    let start = 0;
    for (let i = 0; i <= len; i++) {
      if (i < len && normalized.charCodeAt(i) !== SPACE) continue;
      if (i > start && !isOneLetter(normalized, start, i)) {
        const h = murmur3String(normalized, TOKEN_SEED, start, i);
        if (!FIELD_WORD_HASHES.has(h)) out[n++] = h;
      }
      start = i + 1;
    }
    return n;
  }
  for (let i = 0; i < len; i++) {
    const cp = normalized.codePointAt(i)!;
    if (cp > 0xffff) {
      out[n++] = fmix32(cp ^ TOKEN_SEED);
      i++;
      continue;
    }
    if (cp === SPACE) continue;
    if (isFieldPair(cp, normalized.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    if (isLatinLetter(cp) && !(i > 0 && isAsciiAlnum(normalized.charCodeAt(i - 1))) && !(i + 1 < len && isAsciiAlnum(normalized.charCodeAt(i + 1)))) continue;
    out[n++] = fmix32(cp ^ TOKEN_SEED);
  }
  return n;
}

/** Hashes of the matching tokens of a normalized text, in order. */
export function matchTokensOfNormalized(normalized: string, mode: ShingleMode): Uint32Array {
  const out = new Uint32Array(tokenCapacity(normalized.length));
  return out.subarray(0, matchTokensInto(normalized, mode, out));
}

/** The matching tokens of a text: its matching form, tokenized in the mode. */
export function matchTokens(text: string, mode: ShingleMode): Uint32Array {
  return matchTokensOfNormalized(normalizeForMatching(text), mode);
}
