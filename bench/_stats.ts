/**
 * Small statistics for benchmarks.
 *
 * @module
 */

/** The q-quantile (0 ≤ q ≤ 1) of `samples`, by linear interpolation. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new RangeError("Cannot take a quantile of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** Rounds to `digits` decimal places. */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Prints figures as a table of `name  value` lines, or as one JSON object. */
export function printFigures(
  title: string,
  figures: Record<string, number | string | boolean | null>,
  json: boolean,
): void {
  if (json) {
    console.log(JSON.stringify(figures));
    return;
  }
  console.log(title);
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [name, value] of Object.entries(figures)) {
    console.log(`  ${name.padEnd(width)}  ${value}`);
  }
}

/**
 * The processor time every process of the machine has used since boot, in milliseconds
 * (Linux's `/proc/stat`: sandboxed children included, which a process's own accounting misses
 * once it kills them), busy and idle; `undefined` where there is no `/proc/stat`.
 */
export function machineCpuMs(): { busy: number; idle: number } | undefined {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n", 1)[0];
    // cpu  user nice system idle iowait irq softirq steal ... (in USER_HZ, 100 a second)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/)
      .slice(1, 9).map(Number);
    return {
      busy: 10 * (user + nice + system + irq + softirq + steal),
      idle: 10 * (idle + iowait),
    };
  } catch {
    return undefined;
  }
}
