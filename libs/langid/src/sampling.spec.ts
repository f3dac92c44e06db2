import { sampleWindows } from './sampling';

const words = (n: number, word = 'lorem') => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

describe('sampleWindows', () => {
  it('covers a text up to sampleChars completely, in windows of about windowChars', () => {
    const text = words(300); // ~2,200 characters
    const windows = sampleWindows(text, { sampleChars: 3000, windowChars: 500 });
    expect(windows.join('')).toBe(text);
    expect(windows.length).toBeGreaterThanOrEqual(4);
    for (const w of windows) expect(w.length).toBeLessThanOrEqual(500 * 1.1 + 60);
  });

  it('keeps words whole at window edges', () => {
    const text = words(300);
    for (const w of sampleWindows(text, { sampleChars: 3000, windowChars: 500 }).slice(0, -1)) expect(w.endsWith(' ')).toBe(true);
  });

  it('spreads the windows of a long text from its start to its end', () => {
    const text = words(2000, 'a') + ' ' + words(2000, 'z');
    const windows = sampleWindows(text, { sampleChars: 3000, windowChars: 500 });
    expect(windows).toHaveLength(6);
    expect(windows.reduce((n, w) => n + w.length, 0)).toBeLessThanOrEqual(3000 * 1.2);
    expect(windows[0]!.startsWith('a0')).toBe(true);
    expect(windows[5]!).toMatch(/z1999$/);
  });

  it('reads everything with sampleChars 0', () => {
    const text = words(2000);
    expect(sampleWindows(text, { sampleChars: 0, windowChars: 1000 }).join('')).toBe(text);
  });

  it('gives one window for a short text', () => {
    expect(sampleWindows('Le patient tousse.', { sampleChars: 3000, windowChars: 500 })).toEqual(['Le patient tousse.']);
  });
});
