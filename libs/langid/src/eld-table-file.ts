import { createHash } from 'node:crypto';
import type { EldTable } from './eld-engine';

/** The eld release whose database the tables are compiled from (checked against the package in tests). */
export const ELD_VERSION = '2.1.0';
/** Version of the file layout below; a change makes old cache files unreadable, so they are rebuilt. */
export const ELD_TABLE_FORMAT = 1;
const MAGIC = 'ELDT';

interface Header {
  format: number;
  eld: string;
  codes: string[];
  keys: number;
  pairs: number;
}

/**
 * Serializes a table: "ELDT", the header length (u32 LE), a JSON header (format, eld version,
 * language codes, counts), the arrays (key lo, key hi, pair counts, pair scores, pair languages)
 * and a sha256 of everything before it.
 */
export function encodeEldTable(table: EldTable): Buffer {
  const header: Header = { format: ELD_TABLE_FORMAT, eld: ELD_VERSION, codes: table.codes, keys: table.keyLo.length, pairs: table.pairLang.length };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const body = Buffer.concat([
    Buffer.from(MAGIC, 'latin1'),
    len,
    json,
    Buffer.from(table.keyLo.buffer, table.keyLo.byteOffset, table.keyLo.byteLength),
    Buffer.from(table.keyHi.buffer, table.keyHi.byteOffset, table.keyHi.byteLength),
    Buffer.from(table.pairCounts.buffer, table.pairCounts.byteOffset, table.pairCounts.byteLength),
    Buffer.from(table.pairScore.buffer, table.pairScore.byteOffset, table.pairScore.byteLength),
    Buffer.from(table.pairLang.buffer, table.pairLang.byteOffset, table.pairLang.byteLength),
  ]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Reads a table written by `encodeEldTable`; throws, naming `source`, on any mismatch or damage. */
export function decodeEldTable(buf: Buffer, source: string): EldTable {
  const fail = (why: string): never => {
    throw new Error(`${source}: not a usable eld table: ${why}`);
  };
  if (buf.length < 40 || buf.toString('latin1', 0, 4) !== MAGIC) fail('bad magic');
  const body = buf.subarray(0, buf.length - 32);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(buf.length - 32))) fail('checksum mismatch');
  const headerLen = buf.readUInt32LE(4);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + headerLen)) as Header;
  } catch {
    return fail('unreadable header');
  }
  if (header.format !== ELD_TABLE_FORMAT) fail(`format ${header.format}, expected ${ELD_TABLE_FORMAT}`);
  if (header.eld !== ELD_VERSION) fail(`compiled from eld ${header.eld}, expected ${ELD_VERSION}`);
  const { keys, pairs } = header;
  let at = 8 + headerLen;
  const take = (bytes: number): ArrayBuffer => {
    if (at + bytes > body.length) fail('truncated');
    // A copy: typed arrays need aligned offsets.
    const out = new Uint8Array(bytes);
    out.set(body.subarray(at, at + bytes));
    at += bytes;
    return out.buffer;
  };
  const table: EldTable = {
    codes: header.codes,
    keyLo: new Int32Array(take(4 * keys)),
    keyHi: new Int32Array(take(4 * keys)),
    pairCounts: new Uint8Array(take(keys)),
    pairScore: new Uint16Array(take(2 * pairs)),
    pairLang: new Uint8Array(take(pairs)),
  };
  if (at !== body.length) fail(`${body.length - at} trailing bytes`);
  return table;
}
