import {
  makeCellTractBuilderConfig,
  makeDiscreteSkyMapConfig,
  makeRingsSkyMapConfig,
  type DiscreteSkyMapConfig,
  type RingsSkyMapConfig,
} from './config.js';
import { DiscreteSkyMap } from './discrete-sky-map.js';
import { SkymapInvalidArgumentError } from './errors.js';
import { RingsSkyMap } from './rings-sky-map.js';
import type { BaseSkyMap } from './sky-map.js';

/** The names of the sky maps shipped with the package. */
export type NamedSkyMap = 'hsc_rings_v1' | 'DC2' | 'DC2_cells_v1' | 'lsst_cells_v1';

const RINGS_TAN = { numRings: 120, raStart: 0, projection: 'TAN', tractOverlap: 1 / 60 } as const;

/**
 * The configurations of the named sky maps: `hsc_rings_v1` (HSC SSP, 0.168″), `DC2` (DESC DC2,
 * 0.2″), `DC2_cells_v1` and `lsst_cells_v1` (0.2″, cells tract builder); all rings of 120, TAN,
 * tract overlap 1′.
 */
export const NAMED_SKYMAP_CONFIGS: Readonly<Record<NamedSkyMap, RingsSkyMapConfig>> = Object.freeze({
  hsc_rings_v1: makeRingsSkyMapConfig({ ...RINGS_TAN, pixelScale: 0.168 }),
  DC2: makeRingsSkyMapConfig({ ...RINGS_TAN, pixelScale: 0.2 }),
  DC2_cells_v1: makeRingsSkyMapConfig({ ...RINGS_TAN, pixelScale: 0.2, tractBuilder: makeCellTractBuilderConfig() }),
  lsst_cells_v1: makeRingsSkyMapConfig({ ...RINGS_TAN, pixelScale: 0.2, tractBuilder: makeCellTractBuilderConfig() }),
});

/** A rings sky map description: config fields tagged with the registry name `rings`. */
export interface RingsSkyMapDescription extends Partial<RingsSkyMapConfig> {
  /** lsst.skymap's `skyMapRegistry` name. */
  readonly name: 'rings';
}

/** A discrete sky map description: config fields tagged with the registry name `discrete`. */
export interface DiscreteSkyMapDescription extends Partial<DiscreteSkyMapConfig> {
  /** lsst.skymap's `skyMapRegistry` name. */
  readonly name: 'discrete';
}

/** A sky map description: a rings or discrete config tagged with its registry name. */
export type SkyMapDescription = RingsSkyMapDescription | DiscreteSkyMapDescription;

/**
 * Makes a sky map from a name of {@link NAMED_SKYMAP_CONFIGS}, or from a description (for example
 * parsed from YAML/JSON) naming the sky map class as lsst.skymap's `skyMapRegistry`
 * (`rings`, `discrete`) with config fields.
 *
 * @param nameOrConfig - a named sky map or a description
 * @returns the sky map
 * @throws {@link SkymapInvalidArgumentError} for an unknown name or an invalid config
 * @example
 * ```ts
 * const hsc = makeSkyMap('hsc_rings_v1');
 * const mine = makeSkyMap({ name: 'rings', numRings: 60, projection: 'TAN' });
 * ```
 */
export function makeSkyMap(nameOrConfig: NamedSkyMap | SkyMapDescription): BaseSkyMap {
  if (typeof nameOrConfig === 'string') {
    const config = (NAMED_SKYMAP_CONFIGS as Record<string, RingsSkyMapConfig | undefined>)[nameOrConfig];
    if (config === undefined) {
      throw new SkymapInvalidArgumentError(`Unknown sky map name '${String(nameOrConfig)}'.`, {
        hint: `Known names: ${Object.keys(NAMED_SKYMAP_CONFIGS).join(', ')}.`,
      });
    }
    return new RingsSkyMap(config);
  }
  const { name, ...fields } = nameOrConfig;
  if (name === 'rings') return new RingsSkyMap(makeRingsSkyMapConfig(fields as Partial<RingsSkyMapConfig>));
  if (name === 'discrete') return new DiscreteSkyMap(makeDiscreteSkyMapConfig(fields as Partial<DiscreteSkyMapConfig>));
  throw new SkymapInvalidArgumentError(`Unknown sky map class '${String(name)}'; expected 'rings' or 'discrete'.`);
}
