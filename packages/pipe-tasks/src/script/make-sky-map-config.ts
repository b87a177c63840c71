// The configuration of `butler register-skymap` (pipe_tasks' MakeSkyMapConfig): the registry name
// of the sky map and a choice of sky map class, as pex-config fields so that LSST's override files
// (`config.skyMap['rings'].numRings = 120`) and `-c name=value` options apply to it.
import { Config, ConfigChoiceField, Field, ListField, type ConfigChoice } from '@skystack/pex-config';
import {
  NAMED_SKYMAP_CONFIGS,
  makeSkyMap,
  type BaseSkyMap,
  type BaseSkyMapConfig,
  type NamedSkyMap,
  type RingsSkyMapConfig,
  type SkyMapDescription,
} from '@skystack/skymap';
import { PipeTasksInvalidArgumentError } from '../errors.js';

/**
 * The legacy tract builder's fields as a pex-config `Config` (lsst.skymap
 * `LegacyTractBuilderConfig`): patches of `patchInnerDimensions` pixels, grown by `patchBorder`
 * and clipped to the tract.
 *
 * @see lsst.skymap.tractBuilder.LegacyTractBuilderConfig
 */
export class LegacyTractBuilderFields extends Config {
  /** Dimensions of the inner region of patches (x, y pixels). */
  patchInnerDimensions = ListField({ doc: 'dimensions of inner region of patches (x,y pixels)', dtype: 'int', default: [4000, 4000], length: 2, itemCheck: (v) => v > 0 });
  /** Border between patch inner and outer boxes (pixels). */
  patchBorder = Field.int({ doc: 'border between patch inner and outer bbox (pixels)', default: 100, check: (v) => v >= 0 });
}

/**
 * The cells tract builder's fields as a pex-config `Config` (lsst.skymap
 * `CellTractBuilderConfig`): square cells, `numCellsPerPatchInner` per patch side plus
 * `numCellsInPatchBorder` of border, not clipped.
 *
 * @see lsst.skymap.tractBuilder.CellTractBuilderConfig
 */
export class CellTractBuilderFields extends Config {
  /** Dimensions of the inner region of cells (x, y pixels; must be equal). */
  cellInnerDimensions = ListField({ doc: 'dimensions of inner region of cells (x,y pixels)', dtype: 'int', default: [150, 150], length: 2, itemCheck: (v) => v > 0 });
  /** Border between cell inner and outer boxes (pixels). */
  cellBorder = Field.int({ doc: 'border between cell inner and outer bbox (pixels)', default: 50, check: (v) => v >= 0 });
  /** Number of cells per inner patch, per axis. */
  numCellsPerPatchInner = Field.int({ doc: 'number of cells per inner patch region', default: 20, check: (v) => v > 0 });
  /** Number of cells in the patch border, outside the inner patch region. */
  numCellsInPatchBorder = Field.int({ doc: 'number of cells in the patch border (outside the inner patch region)', default: 1, check: (v) => v >= 0 });

  /**
   * Checks the fields and that cells are square.
   *
   * @throws FieldValidationError (pex-config) for an invalid field
   * @throws {@link PipeTasksInvalidArgumentError} for cells that are not square
   */
  override validate(): void {
    super.validate();
    const [x, y] = this.cellInnerDimensions;
    if (x !== y) throw new PipeTasksInvalidArgumentError(`cellInnerDimensions must be square; got [${x}, ${y}].`);
  }
}

/** The tract builders of {@link BaseSkyMapFields.tractBuilder} (lsst.skymap's `tractBuilderRegistry`). */
export type TractBuilderTypeMap = {
  /** Patches of fixed size, clipped to the tract (the default). */
  readonly legacy: typeof LegacyTractBuilderFields;
  /** Patches of square cells, not clipped. */
  readonly cells: typeof CellTractBuilderFields;
};

/** Fields shared by every sky map (lsst.skymap `BaseSkyMapConfig`): tract builder, overlap, pixel scale, projection, rotation. */
export class BaseSkyMapFields extends Config {
  /** The tract builder: `legacy` (default) or `cells`. */
  tractBuilder: ConfigChoice<TractBuilderTypeMap> = ConfigChoiceField<TractBuilderTypeMap>({
    doc: 'Algorithm for creating patches within the tract.',
    typemap: { legacy: LegacyTractBuilderFields, cells: CellTractBuilderFields },
    default: 'legacy',
  });
  /** Minimum overlap between adjacent sky tracts, on the sky (degrees). */
  tractOverlap = Field.float({ doc: 'minimum overlap between adjacent sky tracts, on the sky (deg)', default: 1.0, check: (v) => v >= 0 });
  /** Nominal pixel scale (arcseconds per pixel). */
  pixelScale = Field.float({ doc: 'nominal pixel scale (arcsec/pixel)', default: 0.333, check: (v) => v > 0 });
  /** FITS WCS projection code of the tract WCS. */
  projection = Field.str({ doc: 'one of the FITS WCS projection codes, such as: STG, TAN, CEA', default: 'STG', check: (v) => /^[A-Z]{3}$/.test(v) });
  /** Rotation of the tract WCS (degrees). */
  rotation = Field.float({ doc: 'Rotation for WCS (deg)', default: 0 });
}

/** A `RingsSkyMap` (@skystack/skymap)'s fields as a pex-config `Config` (lsst.skymap `RingsSkyMapConfig`); `numRings` has no default. */
export class RingsSkyMapFields extends BaseSkyMapFields {
  /** Number of rings in declination, not counting the polar caps (required). */
  numRings = Field.int({ doc: 'Number of rings', default: null, check: (v) => v > 0 });
  /** Starting centre RA of each ring (degrees, in [0, 360)). */
  raStart = Field.float({ doc: 'Starting center RA for each ring (degrees)', default: 0, check: (v) => v >= 0 && v < 360 });
}

/** A `DiscreteSkyMap` (@skystack/skymap)'s fields as a pex-config `Config` (lsst.skymap `DiscreteSkyMapConfig`). */
export class DiscreteSkyMapFields extends BaseSkyMapFields {
  /** Right ascensions of the tract centres (ICRS, degrees). */
  raList = ListField({ doc: 'List of Right Ascension for tract centers (deg)', dtype: 'float', default: [] });
  /** Declinations of the tract centres (ICRS, degrees). */
  decList = ListField({ doc: 'List of Declination for tract centers (deg)', dtype: 'float', default: [] });
  /** Radii of the tracts (degrees). */
  radiusList = ListField({ doc: 'List of tract radius (deg)', dtype: 'float', default: [] });
}

/** An `EquatSkyMap` (@skystack/skymap)'s fields as a pex-config `Config` (lsst.skymap `EquatSkyMapConfig`); projection `CEA` by default. */
export class EquatSkyMapFields extends BaseSkyMapFields {
  /** Number of tracts, equal slices of RA. */
  numTracts = Field.int({ doc: 'number of tracts; warning: TAN projection requires at least 3', default: 4, check: (v) => v > 0 });
  /** Range of declination (degrees). */
  decRange = ListField({ doc: 'range of declination (deg)', dtype: 'float', default: [-1.25, 1.25], length: 2 });

  /** Sets `projection` to `CEA`. */
  override setDefaults(): void {
    super.setDefaults();
    this.projection = 'CEA';
  }
}

/** A `DodecaSkyMap` (@skystack/skymap)'s fields as a pex-config `Config` (lsst.skymap `DodecaSkyMapConfig`, with its `setDefaults`). */
export class DodecaSkyMapFields extends BaseSkyMapFields {
  /** If true a tract is centred on each pole, else a vertex is on each pole. */
  withTractsOnPoles = Field.bool({ doc: 'if True center a tract on each pole, else put a vertex on each pole', default: false });

  /** lsst.skymap's defaults: overlap 3.5°, 0.2″/pixel, patches 4000² with border 250. */
  override setDefaults(): void {
    super.setDefaults();
    this.tractOverlap = 3.5;
    this.pixelScale = 10.0 / 50.0;
    this.projection = 'STG';
    const legacy = this.tractBuilder.get('legacy') as LegacyTractBuilderFields;
    legacy.patchInnerDimensions = [4000, 4000];
    legacy.patchBorder = 250;
  }
}

/** The sky map classes of {@link MakeSkyMapConfig.skyMap} (lsst.skymap's `skyMapRegistry`). */
export type SkyMapTypeMap = {
  /** Rings of tracts in declination ({@link RingsSkyMapFields}). */
  readonly rings: typeof RingsSkyMapFields;
  /** Tracts at given centres ({@link DiscreteSkyMapFields}). */
  readonly discrete: typeof DiscreteSkyMapFields;
  /** Tracts along the equator ({@link EquatSkyMapFields}). */
  readonly equat: typeof EquatSkyMapFields;
  /** The twelve faces of a dodecahedron ({@link DodecaSkyMapFields}). */
  readonly dodeca: typeof DodecaSkyMapFields;
};

/**
 * The configuration of `butler register-skymap` (pipe_tasks' `MakeSkyMapConfig`): `name`, the
 * name of the sky map in the registry (required), and `skyMap`, the sky map class (`dodeca` by
 * default, as LSST; `rings`, `discrete`, `equat`) with the fields of each.
 *
 * @example
 * ```ts
 * const config = new MakeSkyMapConfig();
 * config.loadFromString([
 *   "config.name = 'hsc_rings_v1'",
 *   "config.skyMap.name = 'rings'",
 *   "config.skyMap['rings'].numRings = 120",
 *   "config.skyMap['rings'].projection = 'TAN'",
 *   "config.skyMap['rings'].tractOverlap = 0.016666666666666666",
 *   "config.skyMap['rings'].pixelScale = 0.168",
 * ].join('\n'));
 * const skyMap = config.makeSkyMap();
 * ```
 * @see lsst.pipe.tasks.script.registerSkymap.MakeSkyMapConfig
 */
export class MakeSkyMapConfig extends Config {
  /** The name of the sky map in the Butler registry (required). */
  name = Field.str({ doc: 'Name assigned to created skymap in butler registry', default: null, optional: true });
  /** The sky map class and its fields. */
  skyMap: ConfigChoice<SkyMapTypeMap> = ConfigChoiceField<SkyMapTypeMap>({
    doc: 'type of skyMap',
    typemap: { rings: RingsSkyMapFields, discrete: DiscreteSkyMapFields, equat: EquatSkyMapFields, dodeca: DodecaSkyMapFields },
    default: 'dodeca',
  });

  /**
   * Checks the fields, and that `name` is set.
   *
   * @throws {@link PipeTasksInvalidArgumentError} when `name` is not set
   * @throws FieldValidationError (pex-config) for an invalid field of the chosen sky map
   */
  override validate(): void {
    if (this.name === null || this.name === '') {
      throw new PipeTasksInvalidArgumentError('The name field must be set to the name of the specific skymap to use when writing to the butler.', {
        hint: "Set it with -c name=NAME or `config.name = 'NAME'` in the config file.",
      });
    }
    super.validate();
  }

  /**
   * The chosen sky map as a `SkyMapDescription` (@skystack/skymap) (plain data).
   *
   * @returns the description
   * @throws {@link PipeTasksInvalidArgumentError} when no sky map class is chosen
   */
  toSkyMapDescription(): SkyMapDescription {
    const kind = this.skyMap.name;
    if (kind === null) throw new PipeTasksInvalidArgumentError('No sky map class is chosen: skyMap.name is None.', { hint: "Set it, e.g. config.skyMap.name = 'rings'." });
    const c = this.skyMap.get(kind) as BaseSkyMapFields;
    const b = c.tractBuilder.name === 'cells' ? (c.tractBuilder.get('cells') as CellTractBuilderFields) : (c.tractBuilder.get('legacy') as LegacyTractBuilderFields);
    const tractBuilder =
      b instanceof CellTractBuilderFields
        ? {
            name: 'cells' as const,
            cellInnerDimensions: [b.cellInnerDimensions[0]!, b.cellInnerDimensions[1]!] as const,
            cellBorder: b.cellBorder,
            numCellsPerPatchInner: b.numCellsPerPatchInner,
            numCellsInPatchBorder: b.numCellsInPatchBorder,
          }
        : { name: 'legacy' as const, patchInnerDimensions: [b.patchInnerDimensions[0]!, b.patchInnerDimensions[1]!] as const, patchBorder: b.patchBorder };
    const base = { tractBuilder, tractOverlap: c.tractOverlap, pixelScale: c.pixelScale, projection: c.projection, rotation: c.rotation };
    if (c instanceof RingsSkyMapFields) {
      if (c.numRings === null) throw new PipeTasksInvalidArgumentError("skyMap['rings'].numRings is required; it is not set.", { hint: "e.g. config.skyMap['rings'].numRings = 120" });
      return { name: 'rings', ...base, numRings: c.numRings, raStart: c.raStart };
    }
    if (c instanceof DiscreteSkyMapFields) return { name: 'discrete', ...base, raList: [...c.raList], decList: [...c.decList], radiusList: [...c.radiusList] };
    if (c instanceof EquatSkyMapFields) return { name: 'equat', ...base, numTracts: c.numTracts, decRange: [c.decRange[0]!, c.decRange[1]!] };
    return { name: 'dodeca', ...base, withTractsOnPoles: (c as DodecaSkyMapFields).withTractsOnPoles };
  }

  /**
   * Builds the chosen sky map (lsst.pex.config's `config.skyMap.apply()`), after {@link validate}.
   *
   * @returns the sky map
   * @throws {@link PipeTasksInvalidArgumentError} or pex-config's FieldValidationError for an invalid config
   * @throws SkymapInvalidArgumentError / SkymapConfigError (skymap) for values the sky map refuses
   */
  makeSkyMap(): BaseSkyMap {
    this.validate();
    return makeSkyMap(this.toSkyMapDescription());
  }

  /**
   * Sets the fields of a named sky map that LSST users know (`NAMED_SKYMAP_CONFIGS` (@skystack/skymap):
   * `hsc_rings_v1`, `DC2`, `DC2_cells_v1`, `lsst_cells_v1`), and `name` to that name.
   *
   * @param named - the named sky map
   * @throws {@link PipeTasksInvalidArgumentError} for an unknown name (the message lists the known ones)
   */
  setNamedSkyMap(named: string): void {
    const known = NAMED_SKYMAP_CONFIGS as Readonly<Record<string, RingsSkyMapConfig | undefined>>;
    const c = known[named];
    if (c === undefined) {
      throw new PipeTasksInvalidArgumentError(`Unknown named sky map '${named}'.`, { hint: `Known names: ${Object.keys(NAMED_SKYMAP_CONFIGS).join(', ')}; or give a config file with -C.` });
    }
    this.name = named as NamedSkyMap;
    this.skyMap.name = 'rings';
    const rings = this.skyMap.get('rings') as RingsSkyMapFields;
    setBaseFields(rings, c);
    rings.numRings = c.numRings;
    rings.raStart = c.raStart;
  }
}

function setBaseFields(target: BaseSkyMapFields, c: BaseSkyMapConfig): void {
  target.tractOverlap = c.tractOverlap;
  target.pixelScale = c.pixelScale;
  target.projection = c.projection;
  target.rotation = c.rotation;
  const b = c.tractBuilder;
  target.tractBuilder.name = b.name;
  if (b.name === 'legacy') {
    const t = target.tractBuilder.get('legacy') as LegacyTractBuilderFields;
    t.patchInnerDimensions = [...b.patchInnerDimensions];
    t.patchBorder = b.patchBorder;
  } else {
    const t = target.tractBuilder.get('cells') as CellTractBuilderFields;
    t.cellInnerDimensions = [...b.cellInnerDimensions];
    t.cellBorder = b.cellBorder;
    t.numCellsPerPatchInner = b.numCellsPerPatchInner;
    t.numCellsInPatchBorder = b.numCellsInPatchBorder;
  }
}
