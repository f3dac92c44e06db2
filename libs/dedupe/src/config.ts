import { settingsDefaults } from '@apollo/stage';
import { resolveIndexVersion } from './corpus-index';
import { loadBenchmarks } from './decontam/benchmark';
import { DEDUPE_SETTINGS, type DedupeConfig } from './settings';

export type { DedupeConfig } from './settings';

export const DEFAULT_DEDUPE_CONFIG: DedupeConfig = settingsDefaults(DEDUPE_SETTINGS);

/** The memory setting in bytes. */
export function memoryBytes(config: DedupeConfig): number {
  return Math.floor(config.memoryMb * 1024 * 1024);
}

/** Signature length implied by a configuration (0 in exact-only mode). */
export function numHashes(config: DedupeConfig): number {
  return config.exactOnly ? 0 : config.bands * config.rows;
}

/** Number of short bands (0 in exact-only mode or with short documents off). */
export function shortBands(config: DedupeConfig): number {
  return config.exactOnly || config.shortChars === 0 ? 0 : Math.floor(numHashes(config) / config.shortRows);
}

/**
 * The least estimated similarity for two documents to be joined, from their matching forms'
 * lengths (what bucket entries and signature records hold): `shortThreshold` when both are
 * shorter than `shortChars`, else `threshold`. Only documents with shingles are compared.
 */
export function pairThreshold(config: Pick<DedupeConfig, 'threshold' | 'shortChars' | 'shortThreshold'>, lengthX: number, lengthY: number): number {
  return lengthX < config.shortChars && lengthY < config.shortChars ? config.shortThreshold : config.threshold;
}

/**
 * The configuration a run uses, from its resolved settings: the signature length checked, the
 * benchmark items read once (a malformed item or a file that is no benchmark file stops the run
 * before it starts, not in its filter phase), and `against` pinned to the index's current
 * version, so run.json records which one it matched.
 */
export async function configureDedupe(settings: DedupeConfig): Promise<DedupeConfig> {
  if (!settings.exactOnly && settings.bands * settings.rows > 4096) {
    throw new Error(`stages.dedupe: bands x rows = ${settings.bands * settings.rows} is above the limit of 4096`);
  }
  if (settings.decontaminate.length > 0) await loadBenchmarks(settings.decontaminate);
  return { ...settings, ...(settings.against ? { against: resolveIndexVersion(settings.against) } : {}) };
}
