import { describe, expect, it } from 'vitest';
import { makeScene, SPURIOUS_ID_OFFSET } from '../test/synthetic.js';
import { MatchPessimisticBConfig, MatchPessimisticBTask, MatchTolerancePessimistic } from './match-pessimistic-b.js';
import { MeasAstromInvalidArgumentError, MeasAstromMatchError } from './errors.js';
import type { Scene } from '../test/synthetic.js';
import type { ReferenceMatch } from './matches.js';

/** True pairs: sources made from a reference (the scene's source id is the reference id). */
function score(scene: Scene, matches: readonly ReferenceMatch[]): { found: number; truePairs: number; falseMatches: number } {
  const truePairs = Array.from(scene.truthRefId).filter((r) => r > 0n).length;
  let found = 0;
  let falseMatches = 0;
  for (const m of matches) {
    if (m.first.getId() === m.second.getId() && m.second.getId() < SPURIOUS_ID_OFFSET) found++;
    else falseMatches++;
  }
  return { found, truePairs, falseMatches };
}

const FLUX = 'slot_ApFlux_instFlux';

describe('MatchPessimisticBTask', () => {
  it('finds >= 95% of the true pairs and no false match with a 10" offset, 0.5 deg rotation and 1% scale error', () => {
    const scene = makeScene({ seed: 7 });
    const { matches, matchTolerance } = new MatchPessimisticBTask().matchObjectsToSources(scene.refCat, scene.sourceCat, scene.initialWcs, FLUX, 'r_flux');
    const s = score(scene, matches);
    expect(s.falseMatches).toBe(0);
    expect(s.found / s.truePairs).toBeGreaterThanOrEqual(0.95);
    expect(matchTolerance.lastMatchedPattern).not.toBeNull();
    // The shift found is the initial WCS error: ~10" at the centre plus the rotation/scale terms there.
    expect(matchTolerance.maxShift!.asArcseconds()).toBeGreaterThan(5);
  });

  it('copes with the other sign of each error, missing sources and a denser reference catalog', () => {
    const scene = makeScene({ seed: 11, offsetArcsec: -12, rotationDeg: -0.6, scaleError: -0.012, fracMissingSources: 0.1, fracOutside: 0.5, nInside: 600 });
    const { matches } = new MatchPessimisticBTask().matchObjectsToSources(scene.refCat, scene.sourceCat, scene.initialWcs, FLUX, 'r_flux');
    const s = score(scene, matches);
    expect(s.falseMatches).toBe(0);
    expect(s.found / s.truePairs).toBeGreaterThanOrEqual(0.95);
  });

  it('matches directly within the previous iteration\'s distance once the WCS is good', () => {
    const scene = makeScene({ seed: 3 });
    const tol = new MatchTolerancePessimistic();
    tol.maxMatchDist = scene.truthWcs.getPixelScale().multiply(0.5);
    const { matches } = new MatchPessimisticBTask().matchObjectsToSources(scene.refCat, scene.sourceCat, scene.truthWcs, FLUX, 'r_flux', tol);
    const s = score(scene, matches);
    expect(s.falseMatches).toBe(0);
    expect(s.found).toBe(s.truePairs);
    expect(tol.lastMatchedPattern).toBeNull();
  });

  it('fails clearly when the initial WCS is off by more than maxOffsetPix', () => {
    const scene = makeScene({ seed: 5, offsetArcsec: 200 }); // 1000 pixels
    const task = new MatchPessimisticBTask();
    expect(() => task.matchObjectsToSources(scene.refCat, scene.sourceCat, scene.initialWcs, FLUX, 'r_flux')).toThrow(MeasAstromMatchError);
    expect(() => task.matchObjectsToSources(scene.refCat, scene.sourceCat, scene.initialWcs, FLUX, 'r_flux')).toThrow(/Unable to match sources: found 0 matches/);
  });

  it('validates numPointsForShapeAttempt >= numPointsForShape', () => {
    const config = new MatchPessimisticBConfig();
    config.numPointsForShapeAttempt = 4;
    expect(() => config.validate()).toThrow(MeasAstromInvalidArgumentError);
  });
});
