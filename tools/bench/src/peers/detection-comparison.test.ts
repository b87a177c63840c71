// End to end on a small scene: each installed tool's catalog, read back through its runner,
// recovers the bright simulated stars at their true positions and fluxes (so the runners'
// pixel conventions and aperture settings are right). A tool that is not installed is skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatComparisonTable, runRatioLines, prepareScene, runComparisonInTurns, runComparisonTool, type ComparisonRow, type ComparisonScene, type ComparisonTool } from './detection-comparison.js';
import { sepAvailable } from './sep-runner.js';
import { findSExtractor } from './sextractor-runner.js';

let scene: ComparisonScene;
beforeAll(async () => {
  scene = await prepareScene({ size: 256, nStars: 30 }, 11);
});
afterAll(() => scene?.dispose());

function checkRow(row: ComparisonRow, runs = 1): void {
  expect(row.unavailable).toBeUndefined();
  const s = row.score!;
  expect(s.nBright).toBeGreaterThanOrEqual(2);
  expect(s.brightCompleteness).toBe(1);
  expect(s.centroidRmsBright).toBeLessThan(0.1);
  expect(s.fluxMedianAbsError).toBeLessThan(0.03);
  expect(s.falseDetections).toBeLessThanOrEqual(1);
  expect(row.run!.totalMs.length).toBe(runs);
}

const cases: { tool: ComparisonTool; available: () => boolean }[] = [
  { tool: 'sextractor', available: () => findSExtractor() !== undefined },
  { tool: 'sextractor-matched', available: () => findSExtractor() !== undefined },
  { tool: 'sep', available: sepAvailable },
  { tool: 'sep-matched', available: sepAvailable },
  { tool: 'skystack', available: () => true },
  { tool: 'skystack-parallel', available: () => true },
];

// SkyStack's rows start a Node process each (tsx and the workspace's modules load first): seconds on a busy machine
const PROCESS_TIMEOUT_MS = 120_000;

describe('runComparisonTool on a 256² scene', () => {
  for (const c of cases) {
    it.skipIf(!c.available())(`${c.tool}: finds every bright star at its position and flux`, async () => {
      checkRow(await runComparisonTool(c.tool, scene, 1));
    }, PROCESS_TIMEOUT_MS);
  }

  it('skystack-parallel gives the same catalog as skystack, with 2 threads', async () => {
    const one = await runComparisonTool('skystack', scene, 1);
    const two = await runComparisonTool('skystack-parallel', scene, 1);
    expect(one.run!.threads).toBe(1);
    expect(two.run!.threads).toBe(2);
    expect(two.run!.detections.length).toBeGreaterThan(0);
    expect(two.run!.detections).toEqual(one.run!.detections);
  }, PROCESS_TIMEOUT_MS);

  it.skipIf(findSExtractor() === undefined)('the matched threshold finds at least as many stars as the nominal one', async () => {
    const nominal = await runComparisonTool('sextractor', scene, 1);
    const matched = await runComparisonTool('sextractor-matched', scene, 1);
    expect(matched.score!.nMatched).toBeGreaterThanOrEqual(nominal.score!.nMatched);
    expect(formatComparisonTable([nominal, matched, { tool: 'X', unavailable: 'not installed' }], scene)).toMatch(/X\s+skipped: not installed/);
  });
});

describe('runComparisonInTurns', () => {
  it.skipIf(findSExtractor() === undefined)('runs every tool once a round and scores the last catalogs', async () => {
    const rows = await runComparisonInTurns(['sextractor-matched', 'skystack'], scene, 2);
    for (const r of rows) checkRow(r, 2);
    expect(rows[1]!.run!.workMs).toHaveLength(2);
    const lines = runRatioLines(rows);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^SkyStack \(1 thread\) ÷ SExtractor \(matched\), run by run: [\d.]+, [\d.]+; of the means: [\d.]+$/);
  }, PROCESS_TIMEOUT_MS);

  it('runRatioLines divides each SkyStack run by the matched SExtractor run of the same round', () => {
    const row = (tool: string, totalMs: number[], threads = 1): ComparisonRow => ({ tool, run: { tool, detections: [], totalMs, workMs: [], threads } });
    const lines = runRatioLines([
      row('SExtractor 2.25, DETECT_THRESH 5.00', [1, 1]),
      row('SExtractor 2.25, DETECT_THRESH 31.39 ABSOLUTE (matched)', [400, 500]),
      row('SkyStack (meas-algorithms + meas-deblender + meas-base), kernels on 2 threads', [800, 450], 2),
    ]);
    expect(lines).toEqual(['SkyStack (2 threads) ÷ SExtractor (matched), run by run: 2.00, 0.90; of the means: 1.39']);
    expect(runRatioLines([row('SkyStack', [1])])).toEqual([]);
  });
});
