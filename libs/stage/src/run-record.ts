import { readFile, stat } from 'node:fs/promises';
import { sha256Hex, writeFileAtomic } from '@apollo/document';
import { StageLayout } from './layout';

/** `run.json`: what a stage output folder was made from; a relaunch must match it. */
export interface RunRecord {
  stage: string;
  inputs: string[];
  worldSize: number;
  configHash: string;
  /** Hash of the input files' paths, sizes and modification times: a rebuilt input changes it. */
  inputsFingerprint: string;
  config: unknown;
  startedAt: string;
}

export function configHash(config: unknown): string {
  return sha256Hex(JSON.stringify(config)).slice(0, 16);
}

export async function inputsFingerprint(files: string[]): Promise<string> {
  const parts: [string, number, number][] = [];
  for (const file of files) {
    try {
      const info = await stat(file);
      parts.push([file, info.size, Math.round(info.mtimeMs)]);
    } catch {
      parts.push([file, -1, -1]);
    }
  }
  return sha256Hex(JSON.stringify(parts)).slice(0, 16);
}

export async function readRunRecord(output: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(new StageLayout(output).runFile(), 'utf8')) as RunRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${new StageLayout(output).runFile()}: cannot read run record: ${(err as Error).message}`);
  }
}

/** Differences between a stored run record and the current launch, in words; empty if none. */
export function runRecordMismatch(stored: RunRecord, current: RunRecord): string[] {
  const problems: string[] = [];
  if (stored.stage !== current.stage) problems.push(`it holds stage "${stored.stage}", not "${current.stage}"`);
  if (stored.worldSize !== current.worldSize) problems.push(`it was run with world size ${stored.worldSize}, not ${current.worldSize}`);
  if (stored.configHash !== current.configHash) problems.push('it was run with a different configuration');
  if (JSON.stringify(stored.inputs) !== JSON.stringify(current.inputs)) problems.push('it was run on different input files');
  else if (stored.inputsFingerprint !== current.inputsFingerprint) problems.push('its input files have changed since');
  return problems;
}

export async function writeRunRecord(output: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(new StageLayout(output).runFile(), JSON.stringify(record, null, 2) + '\n');
}
