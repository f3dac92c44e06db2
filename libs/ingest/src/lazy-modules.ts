import type * as Htmlparser2 from 'htmlparser2';
import type IconvLite from 'iconv-lite';
import type * as Undici from 'undici';

// Loaded on first use, not when the bundle loads: a stage's worker thread loads the whole crawl
// bundle, and undici (about 95 ms), htmlparser2 (30 ms) and iconv-lite (8 ms) would otherwise be
// required by every thread, also by those that only read JSONL and never fetch or parse HTML.
// That was most of a crawl worker's start-up (160 of 220 ms, measured in docs/benchmarks.md).

let undici: typeof Undici | undefined;
let htmlparser2: typeof Htmlparser2 | undefined;
let iconvLite: typeof IconvLite | undefined;

export function undiciModule(): typeof Undici {
  return (undici ??= require('undici') as typeof Undici);
}

export function htmlparser2Module(): typeof Htmlparser2 {
  return (htmlparser2 ??= require('htmlparser2') as typeof Htmlparser2);
}

export function iconvModule(): typeof IconvLite {
  return (iconvLite ??= require('iconv-lite') as typeof IconvLite);
}
