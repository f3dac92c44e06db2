import { mkdir, mkdtemp, open, rm, truncate, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_DEDUPE_CONFIG } from '../config';
import { DedupeLayout } from '../layout';
import { openSignatureStore, SignatureStore } from '../signature-store';
import {
  checkSignatureParams,
  HEADER_BYTES,
  holdSignatureFile,
  loadSignatureFile,
  releaseHeldSignatureFiles,
  readSignatureFile,
  readSignatureHeader,
  recordSignature,
  REC_ID,
  scanSignatureFile,
  SignatureFileError,
  verifySignatureFileOnce,
  SignatureFileWriter,
  type SignatureFileParams,
  type SignatureRecord,
} from '../signature-file';

const params: SignatureFileParams = { numHashes: 4, seed: 42, shingleWords: 5, shingleChars: 5, rank: 2, worldSize: 3 };

async function writeSample(path: string, count: number, p: SignatureFileParams = params, salt = 0): Promise<void> {
  const w = new SignatureFileWriter(path, p);
  for (let i = 0; i < count; i++) {
    w.add({
      ordinal: i,
      exactHash: new Uint8Array(16).fill(i),
      id: i.toString(16).padStart(32, 'a'),
      contentLength: 100 + i,
      sourceIndex: i % 10,
      langIndex: i % 6,
      flags: i % 2,
      signature: Uint32Array.of(i, i + 1 + salt, 0xffffffff, 7),
    });
  }
  await w.commit();
}

async function readAll(path: string): Promise<SignatureRecord[]> {
  const out: SignatureRecord[] = [];
  for await (const r of readSignatureFile(path)) out.push(r);
  return out;
}

describe('signature files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sig-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('round-trips records and parameters', async () => {
    const path = join(dir, 'signatures', '00002.sig');
    await writeSample(path, 5000);
    const header = await readSignatureHeader(path);
    expect(header).toMatchObject({ ...params, count: 5000, version: 1 });
    const recs = await readAll(path);
    expect(recs).toHaveLength(5000);
    expect(recs[4321]).toMatchObject({ rank: 2, ordinal: 4321, id: (4321).toString(16).padStart(32, 'a'), contentLength: 4421, sourceIndex: 1, langIndex: 1, flags: 1 });
    expect(Array.from(recs[4321]!.signature)).toEqual([4321, 4322, 0xffffffff, 7]);
  });

  it('scans records as views with the fields readSignatureFile decodes', async () => {
    const path = join(dir, '00002.sig');
    await writeSample(path, 5000);
    const recs = await readAll(path);
    const seen: string[] = [];
    scanSignatureFile(path, (buf, o, ordinal) => {
      const r = recs[ordinal]!;
      if (buf.toString('hex', o + REC_ID, o + REC_ID + 16) !== r.id || !recordSignature(buf, o, 4).every((v, i) => v === r.signature[i])) seen.push(`bad ${ordinal}`);
      else if (ordinal % 1000 === 0) seen.push(r.id);
    });
    expect(seen).toEqual([0, 1000, 2000, 3000, 4000].map((i) => i.toString(16).padStart(32, 'a')));
  });

  it('verifies a file once per thread, and again once it was rewritten', async () => {
    const path = join(dir, '00002.sig');
    await writeSample(path, 50);
    expect(verifySignatureFileOnce(path).count).toBe(50);
    expect(verifySignatureFileOnce(path).count).toBe(50);
    const fh = await open(path, 'r+');
    await fh.write(Buffer.from([0xff, 0xee]), 0, 2, HEADER_BYTES + 100);
    await fh.close();
    expect(() => verifySignatureFileOnce(path)).toThrow(`${path}: bad signature file: checksum mismatch`);
    expect(() => scanSignatureFile(path, () => undefined)).toThrow(`${path}: bad signature file: checksum mismatch`);
  });

  it('names a truncated file', async () => {
    const path = join(dir, '00002.sig');
    await writeSample(path, 10);
    await truncate(path, HEADER_BYTES + 3 * 64 + 10);
    await expect(readAll(path)).rejects.toThrow(SignatureFileError);
    await expect(readAll(path)).rejects.toThrow(`${path}: bad signature file: truncated`);
    await truncate(path, 20);
    await expect(readSignatureHeader(path)).rejects.toThrow(`${path}: bad signature file: truncated`);
  });

  it('detects a corrupted record by its checksum', async () => {
    const path = join(dir, '00002.sig');
    await writeSample(path, 10);
    const fh = await open(path, 'r+');
    await fh.write(Buffer.from([0x55]), 0, 1, HEADER_BYTES + 5 * 64 + 50);
    await fh.close();
    await expect(readAll(path)).rejects.toThrow(`${path}: bad signature file: checksum mismatch`);
  });

  it('rejects a file that is not a signature file, and a missing one', async () => {
    const path = join(dir, 'other.sig');
    await writeFile(path, Buffer.alloc(200, 1));
    await expect(readSignatureHeader(path)).rejects.toThrow(/not a signature file/);
    await expect(readSignatureHeader(join(dir, 'missing.sig'))).rejects.toThrow(/missing\.sig: bad signature file: cannot open/);
  });

  it('rejects a file made with other parameters', async () => {
    const path = join(dir, '00002.sig');
    await writeSample(path, 1);
    const header = await readSignatureHeader(path);
    expect(() => checkSignatureParams(path, header, params)).not.toThrow();
    expect(() => checkSignatureParams(path, header, { ...params, seed: 7 })).toThrow(/made with seed 42, but this run uses 7/);
  });

  it('holds a file in memory with the records and signatures a positioned read gives', async () => {
    const path = join(dir, '00002.sig');
    await writeSample(path, 3000);
    const header = await readSignatureHeader(path);
    const onDisk = new SignatureStore([path], [header]);
    const held = new SignatureStore([path], [header], [loadSignatureFile(path).image]);
    expect(held.held).toBe(true);
    expect(onDisk.held).toBe(false);
    for (const ordinal of [0, 1, 1234, 2999]) {
      expect(held.record(0, ordinal).equals(onDisk.record(0, ordinal))).toBe(true);
      expect(Array.from(held.signature(0, ordinal))).toEqual(Array.from(onDisk.signature(0, ordinal)));
    }
    expect(() => held.signature(0, 3000)).toThrow(/no document \(0, 3000\)/);
    expect(() => held.record(0, 3000)).toThrow(/no document \(0, 3000\)/);
    const seen: string[] = [];
    const scanned: string[] = [];
    held.scan(0, (buf, o, ordinal) => seen.push(`${ordinal}:${buf.toString('hex', o, o + header.recordBytes)}`));
    scanSignatureFile(path, (buf, o, ordinal) => scanned.push(`${ordinal}:${buf.toString('hex', o, o + header.recordBytes)}`));
    expect(seen).toEqual(scanned);
    onDisk.close();
  });

  it('loads a held file once per thread, again once it was rewritten, and never a corrupt one', async () => {
    releaseHeldSignatureFiles();
    const path = join(dir, '00002.sig');
    await writeSample(path, 50);
    const keep = new Set([path]);
    const first = holdSignatureFile(path, keep);
    expect(holdSignatureFile(path, keep)).toBe(first);
    await writeSample(path, 50, params, 1);
    const second = holdSignatureFile(path, keep);
    expect(second).not.toBe(first);
    expect(second.image.readUInt32LE(HEADER_BYTES + 48 + 4)).toBe(2);
    const fh = await open(path, 'r+');
    await fh.write(Buffer.from([0xff, 0xee]), 0, 2, HEADER_BYTES + 100);
    await fh.close();
    expect(() => holdSignatureFile(path, keep)).toThrow(`${path}: bad signature file: checksum mismatch`);
    await truncate(path, HEADER_BYTES + 10);
    expect(() => loadSignatureFile(path)).toThrow(`${path}: bad signature file: truncated`);
    releaseHeldSignatureFiles();
  });

  it('holds a run that fits half the memory setting, and reads a larger one by position', async () => {
    const layout = new DedupeLayout(dir);
    const one = { ...params, rank: 0, worldSize: 1 };
    await writeSample(layout.signatureFile(0), 2000, one);
    await mkdir(dirname(layout.signaturesComplete(0)), { recursive: true });
    await writeFile(layout.signaturesComplete(0), 'done\n');
    const config = { ...DEFAULT_DEDUPE_CONFIG, bands: 1, rows: 4 };
    releaseHeldSignatureFiles();
    expect((await openSignatureStore(dir, 1, config, true, { hold: 'if-held' })).held).toBe(false);
    const held = await openSignatureStore(dir, 1, config, true, { hold: true });
    expect(held.held).toBe(true);
    // Held by this thread now: a single phase after the buckets tasks uses them.
    expect((await openSignatureStore(dir, 1, config, true, { hold: 'if-held' })).held).toBe(true);
    // 2,000 records of 64 bytes: more than half of 0.2 MB.
    const small = await openSignatureStore(dir, 1, { ...config, memoryMb: 0.2 }, true, { hold: true });
    expect(small.held).toBe(false);
    const plain = await openSignatureStore(dir, 1, config, true);
    expect(plain.held).toBe(false);
    expect(Array.from(small.signature(0, 1999))).toEqual(Array.from(held.signature(0, 1999)));
    for (const s of [held, small, plain]) s.close();
    releaseHeldSignatureFiles();
  });

  it('leaves nothing under the final name when aborted', async () => {
    const path = join(dir, '00002.sig');
    const w = new SignatureFileWriter(path, params);
    w.add({ ordinal: 0, exactHash: new Uint8Array(16), id: 'a'.repeat(32), contentLength: 1, sourceIndex: 0, langIndex: 0, flags: 0, signature: new Uint32Array(4) });
    await w.abort();
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });
});
