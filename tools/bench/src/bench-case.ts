/**
 * One benchmark, as a `*.bench.ts` file exports it in its `benchmarks` array. Bench files
 * declare this shape themselves (structurally) so that packages need not import tooling.
 */
export interface BenchCase {
  /** What is measured, e.g. `HTM index, level 20`. */
  readonly name: string;
  /** Items processed by one call of `fn` (points, pixels, rows); enables an items/s column. */
  readonly itemsPerIteration?: number;
  /** What the items are, e.g. `points`. */
  readonly itemUnit?: string;
  /** Prepares inputs once before timing. */
  readonly setup?: () => void | Promise<void>;
  /** The work to time; may be async (the harness awaits it). */
  readonly fn?: () => unknown;
  /**
   * Instead of `fn`: a measurement taken elsewhere, for side-by-side numbers from another tool
   * (for example astropy timing itself in a Python process). Returns the mean time of one
   * call and how many calls were timed.
   */
  readonly measure?: () => Promise<ExternalMeasurement> | ExternalMeasurement;
}

/** A timing reported by a case's `measure` function. */
export interface ExternalMeasurement {
  /** Mean wall time of one call, milliseconds. */
  readonly meanMs: number;
  /** Calls timed. */
  readonly samples: number;
  /** Relative margin of error of the mean, percent (0 when unknown). */
  readonly rmePercent?: number;
}

/** One measured result. */
export interface BenchResult {
  /** The bench file, relative to the workspace root. */
  readonly file: string;
  /** The case name. */
  readonly name: string;
  /** Mean wall time of one call, milliseconds. */
  readonly meanMs: number;
  /** Relative margin of error of the mean, percent. */
  readonly rmePercent: number;
  /** Calls timed. */
  readonly samples: number;
  /** Calls per second. */
  readonly opsPerSecond: number;
  /** Items per second, when the case declares `itemsPerIteration`. */
  readonly itemsPerSecond: number | undefined;
  /** The unit of `itemsPerSecond`. */
  readonly itemUnit: string | undefined;
}

/**
 * Checks that a module's `benchmarks` export has the {@link BenchCase} shape.
 *
 * @param file - the file the value came from, for the error message
 * @param value - the exported value
 * @returns the cases
 * @throws Error naming the file and what is wrong with the export
 */
export function validateBenchCases(file: string, value: unknown): BenchCase[] {
  if (!Array.isArray(value)) {
    throw new Error(`${file}: expected a named export 'benchmarks' holding an array of { name, fn }, got ${typeof value}.`);
  }
  return value.map((c: unknown, i) => {
    const rec = c as Partial<BenchCase> | null;
    if (rec === null || typeof rec !== 'object' || typeof rec.name !== 'string' || (typeof rec.fn === 'function') === (typeof rec.measure === 'function')) {
      throw new Error(`${file}: benchmarks[${i}] must be an object with a string 'name' and exactly one of the functions 'fn' and 'measure'.`);
    }
    if (rec.itemsPerIteration !== undefined && !(rec.itemsPerIteration > 0)) {
      throw new Error(`${file}: benchmarks[${i}] ('${rec.name}') has itemsPerIteration ${rec.itemsPerIteration}; it must be positive.`);
    }
    return rec as BenchCase;
  });
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${(x / 1e3).toFixed(2)}k`;
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/**
 * Renders results as a fixed-width text table.
 *
 * @param results - the measured results
 * @returns the table, one line per result plus a header
 */
export function formatBenchTable(results: readonly BenchResult[]): string {
  const header = ['file', 'benchmark', 'mean ms', '±%', 'samples', 'ops/s', 'throughput'];
  const rows = results.map((r) => [
    r.file,
    r.name,
    r.meanMs < 0.01 ? r.meanMs.toExponential(2) : r.meanMs.toFixed(3),
    r.rmePercent.toFixed(1),
    String(r.samples),
    formatNumber(r.opsPerSecond),
    r.itemsPerSecond === undefined ? '' : `${formatNumber(r.itemsPerSecond)} ${r.itemUnit ?? 'items'}/s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
