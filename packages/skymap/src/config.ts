import { SkymapInvalidArgumentError } from './errors.js';

/**
 * Configuration of the legacy tract builder (lsst.skymap `LegacyTractBuilderConfig`): patches of
 * `patchInnerDimensions` pixels whose outer boxes are grown by `patchBorder` and clipped to the tract.
 */
export interface LegacyTractBuilderConfig {
  /** The registry name of the builder. */
  readonly name: 'legacy';
  /** Dimensions of the inner region of patches (x, y pixels); default (4000, 4000). */
  readonly patchInnerDimensions: readonly [number, number];
  /** Border between patch inner and outer boxes (pixels); default 100. */
  readonly patchBorder: number;
}

/**
 * Configuration of the cell-based tract builder (lsst.skymap `CellTractBuilderConfig`): patches of
 * `numCellsPerPatchInner` square cells, with `numCellsInPatchBorder` cells of border, not clipped.
 */
export interface CellTractBuilderConfig {
  /** The registry name of the builder. */
  readonly name: 'cells';
  /** Dimensions of the inner region of cells (x, y pixels; must be equal); default (150, 150). */
  readonly cellInnerDimensions: readonly [number, number];
  /** Border between cell inner and outer boxes (pixels); default 50. */
  readonly cellBorder: number;
  /** Number of cells per inner patch (per axis); default 20. */
  readonly numCellsPerPatchInner: number;
  /** Number of cells in the patch border (outside the inner patch region); default 1. */
  readonly numCellsInPatchBorder: number;
}

/** The tract builder configuration: lsst.skymap's `tractBuilder` registry field (`legacy` or `cells`). */
export type TractBuilderConfig = LegacyTractBuilderConfig | CellTractBuilderConfig;

/**
 * Fields shared by every sky map (lsst.skymap `BaseSkyMapConfig`). Units are lsst.skymap's:
 * degrees for `tractOverlap` and `rotation`, arcseconds per pixel for `pixelScale`.
 */
export interface BaseSkyMapConfig {
  /** Algorithm for creating patches within the tract; default legacy 4000/100. */
  readonly tractBuilder: TractBuilderConfig;
  /** Minimum overlap between adjacent sky tracts, on the sky (degrees); default 1.0. */
  readonly tractOverlap: number;
  /** Nominal pixel scale (arcseconds per pixel); default 0.333. */
  readonly pixelScale: number;
  /** FITS WCS projection code of the tract WCS (`STG`, `TAN`, …); default `STG`. */
  readonly projection: string;
  /** Rotation of the tract WCS (degrees); default 0. */
  readonly rotation: number;
}

/** Configuration of a {@link RingsSkyMap} (lsst.skymap `RingsSkyMapConfig`). */
export interface RingsSkyMapConfig extends BaseSkyMapConfig {
  /** Number of rings in declination, not counting the polar caps (required, > 0). */
  readonly numRings: number;
  /** Starting centre RA of each ring (degrees, in [0, 360)); default 0. */
  readonly raStart: number;
}

/** Configuration of a {@link DiscreteSkyMap} (lsst.skymap `DiscreteSkyMapConfig`). */
export interface DiscreteSkyMapConfig extends BaseSkyMapConfig {
  /** Right ascensions of the tract centres (ICRS, degrees). */
  readonly raList: readonly number[];
  /** Declinations of the tract centres (ICRS, degrees). */
  readonly decList: readonly number[];
  /** Radii (half-sizes) of the tracts (degrees). */
  readonly radiusList: readonly number[];
}

/**
 * Overrides accepted by the config makers: any field of the config, plus the back-compatibility
 * shortcuts `patchInnerDimensions` and `patchBorder` of lsst.skymap, which set the legacy builder.
 */
export type SkyMapConfigOverrides<C extends BaseSkyMapConfig> = Partial<C> & {
  /** Sets `tractBuilder.patchInnerDimensions` of a legacy builder. */
  readonly patchInnerDimensions?: readonly [number, number];
  /** Sets `tractBuilder.patchBorder` of a legacy builder. */
  readonly patchBorder?: number;
};

/**
 * Makes a legacy tract builder config with lsst.skymap's defaults (4000 × 4000 inner, border 100).
 *
 * @param overrides - fields to change
 * @returns a frozen config
 * @example
 * ```ts
 * const builder = makeLegacyTractBuilderConfig({ patchBorder: 200 });
 * ```
 * @see lsst.skymap.tractBuilder.LegacyTractBuilderConfig
 */
export function makeLegacyTractBuilderConfig(overrides: Partial<Omit<LegacyTractBuilderConfig, 'name'>> = {}): LegacyTractBuilderConfig {
  return Object.freeze({ name: 'legacy' as const, patchInnerDimensions: [4000, 4000] as const, patchBorder: 100, ...overrides });
}

/**
 * Makes a cells tract builder config with lsst.skymap's defaults (150-pixel cells, border 50, 20
 * cells per patch, 1 border cell).
 *
 * @param overrides - fields to change
 * @returns a frozen config
 * @throws {@link SkymapInvalidArgumentError} if the cells are not square
 * @example
 * ```ts
 * const builder = makeCellTractBuilderConfig();
 * ```
 * @see lsst.skymap.tractBuilder.CellTractBuilderConfig
 */
export function makeCellTractBuilderConfig(overrides: Partial<Omit<CellTractBuilderConfig, 'name'>> = {}): CellTractBuilderConfig {
  const c = Object.freeze({
    name: 'cells' as const,
    cellInnerDimensions: [150, 150] as const,
    cellBorder: 50,
    numCellsPerPatchInner: 20,
    numCellsInPatchBorder: 1,
    ...overrides,
  });
  if (c.cellInnerDimensions[0] !== c.cellInnerDimensions[1]) {
    throw new SkymapInvalidArgumentError(`cellInnerDimensions must be equal (square cells); got [${c.cellInnerDimensions.join(', ')}].`);
  }
  return c;
}

function checkBase(c: BaseSkyMapConfig): void {
  if (!/^[A-Z]{3}$/.test(c.projection)) {
    throw new SkymapInvalidArgumentError(`projection must be a 3-letter FITS projection code such as 'TAN'; got '${c.projection}'.`);
  }
  if (!(c.pixelScale > 0)) throw new SkymapInvalidArgumentError(`pixelScale must be > 0 arcsec/pixel; got ${c.pixelScale}.`);
  if (!(c.tractOverlap >= 0)) throw new SkymapInvalidArgumentError(`tractOverlap must be >= 0 degrees; got ${c.tractOverlap}.`);
  const b = c.tractBuilder;
  if (b.name === 'legacy') {
    const [x, y] = b.patchInnerDimensions;
    if (!(Number.isInteger(x) && Number.isInteger(y) && x > 0 && y > 0 && Number.isInteger(b.patchBorder) && b.patchBorder >= 0)) {
      throw new SkymapInvalidArgumentError(
        `legacy patchInnerDimensions must be two positive integers and patchBorder an integer >= 0; got [${x}, ${y}] and ${b.patchBorder}.`,
      );
    }
  }
}

function makeBase<C extends BaseSkyMapConfig>(defaults: C, overrides: SkyMapConfigOverrides<C>): C {
  const { patchInnerDimensions, patchBorder, ...rest } = overrides;
  let tractBuilder = rest.tractBuilder ?? defaults.tractBuilder;
  if (patchInnerDimensions !== undefined || patchBorder !== undefined) {
    if (tractBuilder.name !== 'legacy') {
      throw new SkymapInvalidArgumentError('patchInnerDimensions and patchBorder apply to the legacy tract builder only.', {
        hint: 'Set the cells builder fields in tractBuilder instead.',
      });
    }
    tractBuilder = makeLegacyTractBuilderConfig({
      patchInnerDimensions: patchInnerDimensions ?? tractBuilder.patchInnerDimensions,
      patchBorder: patchBorder ?? tractBuilder.patchBorder,
    });
  }
  const c = Object.freeze({ ...defaults, ...rest, tractBuilder: Object.freeze({ ...tractBuilder }) }) as C;
  checkBase(c);
  return c;
}

const BASE_DEFAULTS: BaseSkyMapConfig = Object.freeze({
  tractBuilder: makeLegacyTractBuilderConfig(),
  tractOverlap: 1.0,
  pixelScale: 0.333,
  projection: 'STG',
  rotation: 0,
});

/**
 * Makes a rings sky map config: lsst.skymap's defaults (overlap 1°, 0.333″/pixel, STG, rotation 0,
 * legacy 4000/100, `raStart` 0, `numRings` 120 here, as in every named rings sky map) with overrides.
 *
 * @param overrides - fields to change
 * @returns a frozen config
 * @throws {@link SkymapInvalidArgumentError} for an invalid value
 * @example
 * ```ts
 * const config = makeRingsSkyMapConfig({ projection: 'TAN', tractOverlap: 1 / 60, pixelScale: 0.168 });
 * ```
 * @see lsst.skymap.ringsSkyMap.RingsSkyMapConfig
 */
export function makeRingsSkyMapConfig(overrides: SkyMapConfigOverrides<RingsSkyMapConfig> = {}): RingsSkyMapConfig {
  const c = makeBase<RingsSkyMapConfig>({ ...BASE_DEFAULTS, numRings: 120, raStart: 0 }, overrides);
  if (!(Number.isInteger(c.numRings) && c.numRings > 0)) {
    throw new SkymapInvalidArgumentError(`numRings must be a positive integer; got ${c.numRings}.`);
  }
  if (!(c.raStart >= 0 && c.raStart < 360)) {
    throw new SkymapInvalidArgumentError(`raStart must be in [0, 360) degrees; got ${c.raStart}.`);
  }
  return c;
}

/**
 * Makes a discrete sky map config: lsst.skymap's base defaults with overrides.
 *
 * @param overrides - fields to change (`raList`, `decList`, `radiusList` in degrees)
 * @returns a frozen config
 * @throws {@link SkymapInvalidArgumentError} if the lists have different lengths
 * @example
 * ```ts
 * const config = makeDiscreteSkyMapConfig({ raList: [56.65], decList: [-36.45], radiusList: [1] });
 * ```
 * @see lsst.skymap.discreteSkyMap.DiscreteSkyMapConfig
 */
export function makeDiscreteSkyMapConfig(overrides: SkyMapConfigOverrides<DiscreteSkyMapConfig> = {}): DiscreteSkyMapConfig {
  const c = makeBase<DiscreteSkyMapConfig>({ ...BASE_DEFAULTS, raList: [], decList: [], radiusList: [] }, overrides);
  if (c.raList.length !== c.radiusList.length || c.decList.length !== c.radiusList.length) {
    throw new SkymapInvalidArgumentError(
      `raList, decList and radiusList must have the same length; got ${c.raList.length}, ${c.decList.length} and ${c.radiusList.length}.`,
    );
  }
  return Object.freeze({ ...c, raList: Object.freeze([...c.raList]), decList: Object.freeze([...c.decList]), radiusList: Object.freeze([...c.radiusList]) });
}

/** Configuration of an {@link EquatSkyMap} (lsst.skymap `EquatSkyMapConfig`). */
export interface EquatSkyMapConfig extends BaseSkyMapConfig {
  /** Number of tracts, equal slices of RA (a TAN projection needs at least 3); default 4. */
  readonly numTracts: number;
  /** Range of declination of the band (degrees, [min, max]); default [-1.25, 1.25]. */
  readonly decRange: readonly [number, number];
}

/** Configuration of a {@link DodecaSkyMap} (lsst.skymap `DodecaSkyMapConfig`). */
export interface DodecaSkyMapConfig extends BaseSkyMapConfig {
  /** If true a tract is centred on each pole, else a vertex is on each pole; default false. */
  readonly withTractsOnPoles: boolean;
}

/**
 * Makes an equatorial sky map config: lsst.skymap's base defaults with projection `CEA`,
 * `numTracts` 4 and `decRange` [-1.25, 1.25], with overrides.
 *
 * @param overrides - fields to change
 * @returns a frozen config
 * @throws {@link SkymapInvalidArgumentError} for a non-positive `numTracts` or an empty `decRange`
 * @example
 * ```ts
 * const config = makeEquatSkyMapConfig({ numTracts: 8, decRange: [-2, 2] });
 * ```
 * @see lsst.skymap.equatSkyMap.EquatSkyMapConfig
 */
export function makeEquatSkyMapConfig(overrides: SkyMapConfigOverrides<EquatSkyMapConfig> = {}): EquatSkyMapConfig {
  const c = makeBase<EquatSkyMapConfig>({ ...BASE_DEFAULTS, projection: 'CEA', numTracts: 4, decRange: [-1.25, 1.25] }, overrides);
  if (!(Number.isInteger(c.numTracts) && c.numTracts > 0)) {
    throw new SkymapInvalidArgumentError(`numTracts must be a positive integer; got ${c.numTracts}.`);
  }
  const [lo, hi] = c.decRange;
  if (c.decRange.length !== 2 || !(lo >= -90 && hi <= 90 && lo < hi)) {
    throw new SkymapInvalidArgumentError(`decRange must be [min, max] degrees with -90 <= min < max <= 90; got [${c.decRange.join(', ')}].`);
  }
  return Object.freeze({ ...c, decRange: Object.freeze([lo, hi] as const) });
}

/**
 * Makes a dodecahedron sky map config with lsst.skymap's `DodecaSkyMapConfig.setDefaults`:
 * tract overlap 3.5°, patch border 250, 0.2″/pixel, patches 4000 × 4000, `STG`,
 * `withTractsOnPoles` false; with overrides.
 *
 * @param overrides - fields to change
 * @returns a frozen config
 * @throws {@link SkymapInvalidArgumentError} for an invalid value
 * @example
 * ```ts
 * const config = makeDodecaSkyMapConfig({ withTractsOnPoles: true });
 * ```
 * @see lsst.skymap.dodecaSkyMap.DodecaSkyMapConfig
 */
export function makeDodecaSkyMapConfig(overrides: SkyMapConfigOverrides<DodecaSkyMapConfig> = {}): DodecaSkyMapConfig {
  const defaults: DodecaSkyMapConfig = {
    ...BASE_DEFAULTS,
    tractOverlap: 3.5,
    pixelScale: 10.0 / 50.0,
    projection: 'STG',
    tractBuilder: makeLegacyTractBuilderConfig({ patchInnerDimensions: [4000, 4000], patchBorder: 250 }),
    withTractsOnPoles: false,
  };
  const c = makeBase<DodecaSkyMapConfig>(defaults, overrides);
  if (typeof c.withTractsOnPoles !== 'boolean') {
    throw new SkymapInvalidArgumentError(`withTractsOnPoles must be a boolean; got ${String(c.withTractsOnPoles)}.`);
  }
  return c;
}
