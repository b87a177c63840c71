// Match + fit for 1000 sources / 2000 reference objects (4k x 4k detector, initial WCS off by
// 10", 0.5 deg and 1% in scale).   pnpm bench --filter astrometry [--smoke]
import { FitTanSipWcsTask } from './fit-tan-sip-wcs-task.js';
import { MatchPessimisticBTask } from './match-pessimistic-b.js';
import { makeScene, type Scene } from '../test/synthetic.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void;
  fn: () => unknown;
}

let scene: Scene | undefined;
const matcher = new MatchPessimisticBTask();
const fitter = new FitTanSipWcsTask();

function setup(): void {
  // 1800 references inside the detector + 10% outside = ~2000; 90% of them with a source,
  // plus spurious sources: ~1000 sources after keeping the brightest.
  scene ??= makeScene({ nInside: 1820, fracOutside: 0.1, fracMissingSources: 0.5, fracSpuriousSources: 0.05, seed: 99 });
}

/** Matching (pattern search from the perturbed WCS) and the TAN-SIP fit. */
export const benchmarks: BenchCase[] = [
  {
    name: 'MatchPessimisticBTask.matchObjectsToSources (1000 src / 2000 ref)',
    itemsPerIteration: 1000,
    itemUnit: 'sources',
    setup,
    fn: () => matcher.matchObjectsToSources(scene!.refCat, scene!.sourceCat, scene!.initialWcs, 'slot_ApFlux_instFlux', 'r_flux'),
  },
  {
    name: 'match + FitTanSipWcsTask.fitWcs (1000 src / 2000 ref)',
    itemsPerIteration: 1000,
    itemUnit: 'sources',
    setup,
    fn: () => {
      const { matches } = matcher.matchObjectsToSources(scene!.refCat, scene!.sourceCat, scene!.initialWcs, 'slot_ApFlux_instFlux', 'r_flux');
      return fitter.fitWcs(matches, scene!.initialWcs);
    },
  },
];
