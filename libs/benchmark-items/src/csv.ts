import { createReadStream } from 'node:fs';
import { fail } from './item-error';

/**
 * Streams the rows of an RFC 4180 CSV file: fields separated by commas, optionally quoted with
 * `"` (a doubled `""` inside quotes is one quote), quoted fields may span lines, CRLF or LF
 * line ends, a UTF-8 BOM is skipped. Yields each row with its 1-based starting line.
 */
export async function* readCsvRows(file: string): AsyncGenerator<{ row: string[]; line: number }> {
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let rowLine = 1;
  let first = true;
  let pendingCr = false;
  for await (const chunk of createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>) {
    let text = chunk;
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (pendingCr) {
        pendingCr = false;
        if (c === '\n') continue;
      }
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else {
            // Closes the field, unless (at a chunk's end) the next chunk starts with the second quote of a pair.
            quoted = false;
            afterQuote = true;
          }
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (afterQuote && c === '"') {
        // The quote that ended a chunk was the first half of a doubled quote.
        field += '"';
        quoted = true;
        afterQuote = false;
        continue;
      }
      afterQuote = false;
      if (c === '"' && field === '') quoted = true;
      else if (c === ',') {
        row.push(field);
        field = '';
      } else if (c === '\n' || c === '\r') {
        row.push(field);
        field = '';
        if (!(row.length === 1 && row[0] === '')) yield { row, line: rowLine };
        row = [];
        line++;
        rowLine = line;
        pendingCr = c === '\r';
      } else field += c;
    }
  }
  if (quoted) fail({ file, line: rowLine }, 'malformed_csv', 'unterminated quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    yield { row, line: rowLine };
  }
}
