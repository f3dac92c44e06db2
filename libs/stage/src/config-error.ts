/** One thing wrong with a configuration: where (a file or a flag), the key path, and why. */
export interface ConfigProblem {
  /** The pipeline file, the command-line flag (`--threshold`), or `default`. */
  where: string;
  /** Key path inside the file (`stages.dedupe.threshold`); empty for a flag. */
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/**
 * A configuration that cannot be used, found before any work starts. Lists every problem, one
 * per line, each naming the file and key path (or the flag) and the reason.
 */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.length === 1 ? formatProblem(problems[0]!) : `${problems.length} configuration problems:\n  ${problems.map(formatProblem).join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = next;
    }
  }
  return row[b.length]!;
}

/** The known name closest to a misspelt one, if it is close enough to be a likely typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 4))) return best;
  // A longer or shorter spelling of a known name (`stateDirectory` for `stateDir`).
  const lower = name.toLowerCase();
  return known.find((k) => Math.min(k.length, name.length) >= 4 && (lower.startsWith(k.toLowerCase()) || k.toLowerCase().startsWith(lower)));
}

export function unknownKeyProblem(where: string, path: string, key: string, known: readonly string[], what = 'key'): ConfigProblem {
  const guess = closestName(key, known);
  return {
    where,
    path,
    message: `unknown ${what} ${JSON.stringify(key)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; known: ${known.join(', ')}`,
  };
}
