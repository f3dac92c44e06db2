import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '@apollo/document';
import { StageLayout } from '@apollo/stage';
import { ENTRY_BYTES } from './bucket-entry';
import { SortBuffer } from './external-sort';
import { DedupeLayout } from './layout';
import type { RunFileInfo } from './run-file';

/** One sorted run written by a signatures task. */
export interface RunEntry {
  /** File name inside the space's runs folder. */
  file: string;
  count: number;
  checksum: string;
}

/** `signatures/<rank>.runs.json`: the runs a signatures task wrote, per key space. */
export interface RunsManifest {
  rank: number;
  worldSize: number;
  /** Checksum of the task's signature file (hex): runs and signatures belong together. */
  signatureChecksum: string;
  spaces: Record<string, RunEntry[]>;
}

/**
 * The run generation half of the external sort, inside a signatures task: one sort buffer per
 * key space, each given an equal share of the memory setting; a full buffer is sorted and
 * written as the next run of that space.
 */
export class SpaceRunWriter {
  private readonly buffers = new Map<string, SortBuffer>();
  private readonly runs = new Map<string, RunEntry[]>();

  constructor(
    private readonly layout: DedupeLayout,
    private readonly rank: number,
    readonly spaces: readonly string[],
    memoryBytes: number,
  ) {
    const share = Math.floor(memoryBytes / Math.max(1, spaces.length));
    for (const s of spaces) {
      this.buffers.set(s, new SortBuffer(ENTRY_BYTES, share));
      this.runs.set(s, []);
    }
  }

  /** Removes runs an earlier attempt of this task left behind (finished or not). */
  removeOld(): void {
    const prefix = `${StageLayout.rankName(this.rank)}-`;
    for (const s of this.spaces) {
      const dir = this.layout.runsDir(s);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names) if (n.startsWith(prefix)) rmSync(join(dir, n), { force: true });
    }
  }

  /** A slot for one entry of `space`, spilling the space's buffer first when it is full. */
  slot(space: string): { buf: Buffer; offset: number } {
    const b = this.buffers.get(space)!;
    if (b.full) this.spill(space);
    return b.slot();
  }

  private spill(space: string): void {
    const b = this.buffers.get(space)!;
    const list = this.runs.get(space)!;
    const path = this.layout.runFile(space, this.rank, list.length);
    const info: RunFileInfo = b.spill(path);
    list.push({ file: basename(path), count: info.count, checksum: info.checksum });
  }

  /** Spills what is left and writes the manifest. */
  async finish(worldSize: number, signatureChecksum: string): Promise<RunsManifest> {
    for (const s of this.spaces) if (this.buffers.get(s)!.count > 0) this.spill(s);
    const manifest: RunsManifest = { rank: this.rank, worldSize, signatureChecksum, spaces: Object.fromEntries(this.runs) };
    await writeFileAtomic(this.layout.runsManifest(this.rank), JSON.stringify(manifest, null, 1) + '\n');
    return manifest;
  }
}

export async function readRunsManifest(layout: DedupeLayout, rank: number): Promise<RunsManifest> {
  const path = layout.runsManifest(rank);
  let text: string;
  try {
    // Synchronous: every task of the buckets phase reads every rank's manifest, and a promise
    // round trip per small file left the worker idle.
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`${path} is missing: rerun signatures task ${rank} (delete its completion marker)`);
  }
  try {
    return JSON.parse(text) as RunsManifest;
  } catch {
    throw new Error(`${path} is not valid JSON: rerun signatures task ${rank} (delete its completion marker)`);
  }
}
