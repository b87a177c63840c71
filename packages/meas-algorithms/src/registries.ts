import { Registry, type Config } from '@skystack/pex-config';
import { FlaggedSourceSelectorTask, ObjectSizeStarSelectorTask } from './object-size-star-selector.js';
import { PcaPsfDeterminerTask } from './pca-psf-determiner.js';
import { PiffPsfDeterminerTask } from './piff-psf-determiner.js';
import { ScienceSourceSelectorTask } from './science-source-selector.js';

/**
 * A registry of the source selectors of this package: `objectSize`
 * ({@link ObjectSizeStarSelectorTask}) and `flagged` ({@link FlaggedSourceSelectorTask}).
 *
 * @returns a new registry (register more selectors on it)
 * @example
 * ```ts
 * const registry = makeSourceSelectorRegistry();
 * registry.register('mySelector', MySelectorTask);
 * ```
 * @see lsst.meas.algorithms.sourceSelector.sourceSelectorRegistry
 */
export function makeSourceSelectorRegistry(): Registry<Config> {
  const registry = new Registry<Config>('source selectors');
  registry.register('objectSize', ObjectSizeStarSelectorTask);
  registry.register('flagged', FlaggedSourceSelectorTask);
  registry.register('science', ScienceSourceSelectorTask);
  return registry;
}

/**
 * A registry of PSF determiners: `pca` ({@link PcaPsfDeterminerTask}) and `piff`
 * ({@link PiffPsfDeterminerTask}).
 *
 * @returns a new registry
 * @example
 * ```ts
 * const registry = makePsfDeterminerRegistry();
 * registry.names(); // ['pca', 'piff']
 * ```
 * @see lsst.meas.algorithms.psfDeterminerRegistry
 */
export function makePsfDeterminerRegistry(): Registry<Config> {
  const registry = new Registry<Config>('PSF determiners');
  registry.register('pca', PcaPsfDeterminerTask);
  registry.register('piff', PiffPsfDeterminerTask);
  return registry;
}

/** The registry the configs of {@link MeasurePsfTask} and {@link MeasureApCorrTask} choose source selectors from. */
export const sourceSelectorRegistry = makeSourceSelectorRegistry();

/** The registry {@link MeasurePsfConfig} chooses PSF determiners from. */
export const psfDeterminerRegistry = makePsfDeterminerRegistry();
