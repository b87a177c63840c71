import {
  makeCellTractBuilderConfig,
  makeDiscreteSkyMapConfig,
  makeDodecaSkyMapConfig,
  makeEquatSkyMapConfig,
  makeLegacyTractBuilderConfig,
  makeRingsSkyMapConfig,
  type CellTractBuilderConfig,
  type DiscreteSkyMapConfig,
  type DodecaSkyMapConfig,
  type EquatSkyMapConfig,
  type LegacyTractBuilderConfig,
  type RingsSkyMapConfig,
  type TractBuilderConfig,
} from './config.js';
import { DiscreteSkyMap } from './discrete-sky-map.js';
import { DodecaSkyMap } from './dodeca-sky-map.js';
import { EquatSkyMap } from './equat-sky-map.js';
import { SkymapConfigError, SkymapInvalidArgumentError } from './errors.js';
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

/** An equatorial sky map description: config fields tagged with the registry name `equat`. */
export interface EquatSkyMapDescription extends Partial<EquatSkyMapConfig> {
  /** lsst.skymap's `skyMapRegistry` name. */
  readonly name: 'equat';
}

/** A dodecahedron sky map description: config fields tagged with the registry name `dodeca`. */
export interface DodecaSkyMapDescription extends Partial<DodecaSkyMapConfig> {
  /** lsst.skymap's `skyMapRegistry` name. */
  readonly name: 'dodeca';
}

/**
 * A sky map description: a config tagged with its `skyMapRegistry` name (`rings`, `discrete`,
 * `equat`, `dodeca`). `patchInnerDimensions` and `patchBorder` may be given as shortcuts for the
 * legacy tract builder; `tractBuilder` may be partial (`{ name: 'cells' }` takes the defaults).
 */
export type SkyMapDescription = (
  | RingsSkyMapDescription
  | DiscreteSkyMapDescription
  | EquatSkyMapDescription
  | DodecaSkyMapDescription
) & {
  /** Sets `tractBuilder.patchInnerDimensions` of a legacy builder. */
  readonly patchInnerDimensions?: readonly [number, number];
  /** Sets `tractBuilder.patchBorder` of a legacy builder. */
  readonly patchBorder?: number;
};

const BASE_FIELDS = ['tractBuilder', 'tractOverlap', 'pixelScale', 'projection', 'rotation', 'patchInnerDimensions', 'patchBorder'];

/** The `skyMapRegistry` names and the config fields of each (besides `name`). */
export const SKYMAP_REGISTRY_FIELDS: Readonly<Record<SkyMapDescription['name'], readonly string[]>> = Object.freeze({
  rings: Object.freeze([...BASE_FIELDS, 'numRings', 'raStart']),
  discrete: Object.freeze([...BASE_FIELDS, 'raList', 'decList', 'radiusList']),
  equat: Object.freeze([...BASE_FIELDS, 'numTracts', 'decRange']),
  dodeca: Object.freeze([...BASE_FIELDS, 'withTractsOnPoles']),
});

const BUILDER_FIELDS: Readonly<Record<TractBuilderConfig['name'], readonly string[]>> = {
  legacy: ['name', 'patchInnerDimensions', 'patchBorder'],
  cells: ['name', 'cellInnerDimensions', 'cellBorder', 'numCellsPerPatchInner', 'numCellsInPatchBorder'],
};

function checkFields(what: string, given: object, allowed: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) throw new SkymapConfigError(`Unknown field '${key}' in ${what}.`, allowed);
  }
}

function normalizeBuilder(b: unknown): TractBuilderConfig {
  if (typeof b !== 'object' || b === null) {
    throw new SkymapConfigError(`tractBuilder must be an object with a name; got ${JSON.stringify(b)}.`, Object.keys(BUILDER_FIELDS));
  }
  const { name, ...rest } = b as { name?: unknown };
  if (name === 'legacy') {
    checkFields('the legacy tract builder', b, BUILDER_FIELDS.legacy);
    return makeLegacyTractBuilderConfig(rest as Partial<LegacyTractBuilderConfig>);
  }
  if (name === 'cells') {
    checkFields('the cells tract builder', b, BUILDER_FIELDS.cells);
    return makeCellTractBuilderConfig(rest as Partial<CellTractBuilderConfig>);
  }
  throw new SkymapConfigError(`Unknown tract builder '${String(name)}'.`, Object.keys(BUILDER_FIELDS));
}

/**
 * Makes a sky map from a name of {@link NAMED_SKYMAP_CONFIGS}, or from a description (for example
 * parsed from YAML/JSON) naming the sky map class as lsst.skymap's `skyMapRegistry`
 * (`rings`, `discrete`, `equat`, `dodeca`) with config fields.
 *
 * @param nameOrConfig - a named sky map or a description
 * @returns the sky map
 * @throws {@link SkymapInvalidArgumentError} for an unknown named sky map or an invalid value
 * @throws {@link SkymapConfigError} for an unknown sky map class, tract builder or field
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
  if (typeof nameOrConfig !== 'object' || nameOrConfig === null) {
    throw new SkymapInvalidArgumentError(`A sky map description must be an object or a name; got ${String(nameOrConfig)}.`);
  }
  const { name, ...fields } = nameOrConfig as { name?: unknown } & Record<string, unknown>;
  const allowed = (SKYMAP_REGISTRY_FIELDS as Record<string, readonly string[] | undefined>)[String(name)];
  if (typeof name !== 'string' || allowed === undefined) {
    throw new SkymapConfigError(`Unknown sky map class '${String(name)}'.`, Object.keys(SKYMAP_REGISTRY_FIELDS));
  }
  checkFields(`a '${name}' sky map config`, fields, allowed);
  if (fields.tractBuilder !== undefined) fields.tractBuilder = normalizeBuilder(fields.tractBuilder);
  switch (name) {
    case 'rings':
      return new RingsSkyMap(makeRingsSkyMapConfig(fields as Partial<RingsSkyMapConfig>));
    case 'discrete':
      return new DiscreteSkyMap(makeDiscreteSkyMapConfig(fields as Partial<DiscreteSkyMapConfig>));
    case 'equat':
      return new EquatSkyMap(makeEquatSkyMapConfig(fields as Partial<EquatSkyMapConfig>));
    default:
      return new DodecaSkyMap(makeDodecaSkyMapConfig(fields as Partial<DodecaSkyMapConfig>));
  }
}
