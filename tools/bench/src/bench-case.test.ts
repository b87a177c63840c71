import { describe, expect, it } from 'vitest';
import { formatBenchTable, validateBenchCases } from './bench-case.js';

describe('validateBenchCases', () => {
  it('accepts well-formed cases and rejects malformed ones with the file named', () => {
    const fn = () => 1;
    expect(validateBenchCases('a.bench.ts', [{ name: 'x', fn }])).toHaveLength(1);
    expect(() => validateBenchCases('a.bench.ts', undefined)).toThrow(/a\.bench\.ts: expected a named export 'benchmarks'/);
    expect(() => validateBenchCases('b.bench.ts', [{ name: 'x' }])).toThrow(/b\.bench\.ts: benchmarks\[0\]/);
    expect(() => validateBenchCases('c.bench.ts', [{ name: 'x', fn, itemsPerIteration: 0 }])).toThrow(/positive/);
    expect(validateBenchCases('d.bench.ts', [{ name: 'astropy', measure: () => ({ meanMs: 1, samples: 3 }) }])).toHaveLength(1);
    expect(() => validateBenchCases('e.bench.ts', [{ name: 'both', fn, measure: () => ({ meanMs: 1, samples: 1 }) }])).toThrow(/exactly one/);
  });
});

describe('formatBenchTable', () => {
  it('prints one aligned row per result with throughput in items/s', () => {
    const table = formatBenchTable([
      { file: 'p/x.bench.ts', name: 'index', meanMs: 2, rmePercent: 1.25, samples: 100, opsPerSecond: 500, itemsPerSecond: 5e7, itemUnit: 'points' },
      { file: 'p/y.bench.ts', name: 'envelope', meanMs: 0.5, rmePercent: 0.5, samples: 2000, opsPerSecond: 2000, itemsPerSecond: undefined, itemUnit: undefined },
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('50.00M points/s');
    expect(lines[2]).toContain('2.000');
    expect(lines[3]).toContain('2.00k');
    expect(lines[0]!.indexOf('mean ms')).toBeGreaterThan(0);
  });
});
