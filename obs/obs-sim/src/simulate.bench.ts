// SimCam simulation speed: one full 2048² detector raw, and the default demo set.
//   pnpm bench --filter obs-sim [--smoke]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeSimCamDetectors } from './camera.js';
import { makeDetectorSignature } from './detector-signature.js';
import { simulateExposure } from './exposure-sim.js';
import { simulate } from './simulate.js';
import { makeTruthCatalog } from './truth-catalog.js';
import { planVisits } from './visits.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  measure?: () => Promise<ExternalMeasurement>;
}

interface ExternalMeasurement {
  meanMs: number;
  samples: number;
  rmePercent?: number;
}

const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const SMOKE = args.smoke === true;

async function timeIt(runs: number, fn: () => Promise<unknown> | unknown): Promise<ExternalMeasurement> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const sd = Math.sqrt(times.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, times.length - 1));
  return { meanMs: mean, samples: runs, rmePercent: runs > 1 ? (100 * sd) / Math.sqrt(runs) / mean : 0 };
}

const size = SMOKE ? 512 : 2048;

/** The benchmark cases. */
export const benchmarks: BenchCase[] = [
  {
    name: `obs-sim: one ${size}² detector raw (sources, sky, signature, noise, cosmic rays, readout)`,
    itemsPerIteration: size * size,
    itemUnit: 'pixels',
    measure: async () => {
      const [detector] = makeSimCamDetectors({ size, ids: [0] });
      const sig = makeDetectorSignature(detector!, 1);
      const truth = makeTruthCatalog({ seed: 1 });
      const [visit] = planVisits({ seed: 1, visits: 1 });
      return timeIt(SMOKE ? 1 : 3, () => simulateExposure(sig, visit!, truth, 1));
    },
  },
  {
    name: SMOKE ? 'obs-sim: simulate --size small (2 visits × 2 detectors, files written)' : 'obs-sim: simulate default demo set (6 visits × 4 detectors of 2048², files written)',
    measure: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'obs-sim-bench-'));
      try {
        return await timeIt(1, () => simulate({ out: dir, size: SMOKE ? 'small' : 'full' }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
