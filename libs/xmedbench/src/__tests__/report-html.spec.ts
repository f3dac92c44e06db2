import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { SOURCES } from '@apollo/benchmark-items';
import { escapeHtml, htmlReport } from '../harness/report-html';
import { summarize, type ItemOutcome } from '../score';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`report browser test skipped: ${CHROMIUM} is missing (apt-get install chromium; tools/setup.sh does)`);

/** Outcomes for all 12 sources: source k gets k+3 items, about half right; one source with a label that needs escaping. */
function outcomes(): ItemOutcome[] {
  const out: ItemOutcome[] = [];
  SOURCES.forEach((s, k) => {
    for (let i = 0; i < k + 3; i++) out.push({ source: s.key, language: s.language, gold: ['A'], prediction: [i % 2 === 0 ? 'A' : 'B'] });
  });
  return out;
}

describe('report.html', () => {
  const summary = summarize(outcomes());
  const html = htmlReport({ label: 'tiny <model> & "co"', mode: 'letter', alpha: null, createdAt: '2026-01-01T00:00:00Z', summary, config: {} });

  it('escapes text and embeds the data safely', () => {
    expect(escapeHtml('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    expect(html).toContain('tiny &lt;model&gt; &amp; &quot;co&quot;');
    expect(html).not.toContain('tiny <model>');
    expect(html).toContain('<td>GPT-4 (paper)</td><td>79.10</td>');
  });

  (hasChromium ? it : it.skip)(
    'renders one SVG chart per language, a bar per source, in headless Chromium without console errors',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eval-report-'));
      const file = join(dir, 'report.html');
      writeFileSync(file, html);
      let browser: BrowserContext | undefined;
      try {
        // A fresh profile per run: playwright takes it as the persistent context's folder (it
        // refuses a --user-data-dir argument).
        browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
          executablePath: CHROMIUM,
          headless: true,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        });
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-rendered]');
        const charts = await page.$$eval('figure.chart', (figs) =>
          figs.map((f) => ({
            language: f.getAttribute('data-language'),
            svgs: f.querySelectorAll('svg').length,
            bars: [...f.querySelectorAll('rect.bar')].map((r) => ({ source: r.getAttribute('data-source'), height: Number(r.getAttribute('height')) })),
            paperLines: f.querySelectorAll('line.paper').length,
          })),
        );
        expect(charts.map((c) => c.language)).toEqual(['en', 'zh', 'es', 'fr', 'ar', 'hi']);
        for (const c of charts) expect(c.svgs).toBe(1);
        const en = charts[0]!;
        expect(en.bars.map((b) => b.source)).toEqual(['medqa-usmle', 'medmcqa', 'mmlu-medical', 'pubmedqa']);
        // medqa-usmle: 3 items, 2 right: the bar is 2/3 of the 180px plot.
        expect(en.bars[0]!.height).toBeCloseTo(120, 6);
        expect(en.paperLines).toBe(3); // PubMedQA has no paper column
        expect(await page.$$eval('#source-table tr', (rows) => rows.length)).toBe(13);
        expect(errors).toEqual([]);
      } finally {
        await browser?.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
