/** How much of a document the detector reads. */
export interface SamplingOptions {
  /** Characters examined per document, spread over the text; 0 reads everything. */
  sampleChars: number;
  /** Characters per window passed to the detector in one call. */
  windowChars: number;
}

/** Moves `at` forward to just after the next whitespace within `slack` characters, if any. */
function snapToSpace(text: string, at: number, slack: number): number {
  if (at <= 0 || at >= text.length) return Math.max(0, Math.min(at, text.length));
  const end = Math.min(text.length, at + slack);
  for (let i = at; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) return i + 1;
  }
  return at;
}

/**
 * The windows of a document the detector reads. A text up to `sampleChars` is cut into
 * consecutive windows; a longer one gives `ceil(sampleChars / windowChars)` windows evenly
 * spread from start to end, so a document whose second half changes language is still seen
 * as mixed. Window edges move to the next whitespace (within 10% of a window) to keep words whole.
 */
export function sampleWindows(text: string, options: SamplingOptions): string[] {
  const windowChars = Math.max(1, options.windowChars);
  const slack = Math.ceil(windowChars / 10);
  if (options.sampleChars <= 0 || text.length <= options.sampleChars) {
    const windows: string[] = [];
    let start = 0;
    while (start < text.length) {
      // Fold a short tail into the last window rather than detecting a fragment alone.
      const end = text.length - start <= windowChars + slack ? text.length : snapToSpace(text, start + windowChars, slack);
      windows.push(text.slice(start, end));
      start = end;
    }
    return windows;
  }
  const count = Math.max(1, Math.ceil(options.sampleChars / windowChars));
  const stride = count === 1 ? 0 : (text.length - windowChars) / (count - 1);
  const windows: string[] = [];
  for (let k = 0; k < count; k++) {
    const start = snapToSpace(text, Math.round(k * stride), slack);
    const end = snapToSpace(text, start + windowChars, slack);
    windows.push(text.slice(start, end));
  }
  return windows;
}
