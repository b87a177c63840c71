// Loading reference objects from HTM-sharded reference catalogs (lsst.meas.algorithms.ReferenceObjectLoader).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getLogger, type Logger } from '@skystack/base';
import type { Schema} from '@skystack/afw-table';
import { SimpleCatalog } from '@skystack/afw-table';
import { Angle, Box2D, Box2I, Circle, ConvexPolygon, HtmPixelization, SpherePoint, UnitVector3d, type Region } from '@skystack/geom';
import { Config, DictField, Field, RangeField } from '@skystack/pex-config';
import type { SkyWcs } from '@skystack/wcs';
import { concatCatalogs, copyRows, copySchema } from './catalog-utils.js';
import { MeasAstromInvalidArgumentError, MeasAstromRefcatNotFoundError } from './errors.js';

/** The HTM subdivision level of LSST's sharded reference catalogs (`<htm7 id>.fits`). */
export const REFCAT_HTM_DEPTH = 7;

/**
 * One shard of a reference catalog: the HTM trixel it covers and a way to read it. A directory
 * of `<id>.fits` files ({@link refCatShardsFromDirectory}), in-memory catalogs
 * ({@link refCatShardsFromCatalogs}) or Butler deferred dataset handles all fit this shape.
 */
export interface RefCatShard {
  /** The HTM index (level 7 in LSST's refcats) of the trixel whose objects the shard holds. */
  readonly htm7Id: number;
  /** Reads the shard (called only when the shard overlaps a requested region). */
  load(): Promise<SimpleCatalog>;
}

/** Metadata describing a reference catalog load, written into match catalogs (LSST's `matchMeta`). */
export type MatchMetadata = Readonly<Record<string, string | number>>;

/** What the loaders return (LSST's `Struct(refCat, fluxField)`). */
export interface LoadReferenceObjectsResult {
  /** The reference objects; for a pixel-box load with `centroid_x`/`centroid_y`/`hasCentroid` and `slot_Centroid`. */
  readonly refCat: SimpleCatalog;
  /** The field (or alias) holding the flux for the requested filter. */
  readonly fluxField: string;
}

/** Options of the load methods. */
export interface LoadOptions {
  /** Epoch (TAI MJD) to which proper motions are applied; omitted: none applied. */
  readonly epoch?: number | undefined;
}

/** Options of {@link ReferenceObjectLoader.loadPixelBox} and {@link ReferenceObjectLoader.getMetadataBox}. */
export interface LoadPixelBoxOptions extends LoadOptions {
  /** Extra padding (pixels) of the sky polygon used to pre-select objects (100, as LSST). */
  readonly bboxToSpherePadding?: number;
}

/** Options of {@link makeRefCatSchema} (LSST's `makeMinimalSchema` keyword arguments). */
export interface RefCatSchemaOptions {
  /** Add `centroid_x`, `centroid_y` and `hasCentroid`. */
  readonly addCentroid?: boolean;
  /** Add the `photometric` flag. */
  readonly addIsPhotometric?: boolean;
  /** Add the `resolved` flag. */
  readonly addIsResolved?: boolean;
  /** Add the `variable` flag. */
  readonly addIsVariable?: boolean;
  /** 0: no position errors; 2 (default): `coord_raErr`, `coord_decErr`. */
  readonly coordErrDim?: 0 | 2;
  /** Add `epoch`, `pm_ra`, `pm_dec`, `pm_raErr`, `pm_decErr`, `pm_flag`. */
  readonly addProperMotion?: boolean;
}

/**
 * The schema of a reference catalog: `id`, `coord_ra`, `coord_dec`, `<filter>_flux` and
 * `<filter>_fluxErr` (nJy) per filter, and the optional fields of {@link RefCatSchemaOptions}.
 *
 * @param filterNames - the reference filters
 * @param options - optional fields
 * @returns a new schema
 * @example
 * ```ts
 * const schema = makeRefCatSchema(['g', 'r'], { addProperMotion: true });
 * const refCat = new SimpleCatalog(schema, { length: 100 });
 * ```
 * @see lsst.meas.algorithms.ReferenceObjectLoader.makeMinimalSchema
 */
export function makeRefCatSchema(filterNames: readonly string[], options: RefCatSchemaOptions = {}): Schema {
  const schema = SimpleCatalog.makeMinimalSchema();
  if (options.addCentroid === true) {
    schema.addField({ name: 'centroid_x', type: 'D', doc: 'centroid on an exposure, if relevant', units: 'pixel' });
    schema.addField({ name: 'centroid_y', type: 'D', doc: 'centroid on an exposure, if relevant', units: 'pixel' });
    schema.addField({ name: 'hasCentroid', type: 'Flag', doc: 'is position known?' });
  }
  for (const f of filterNames) schema.addField({ name: `${f}_flux`, type: 'D', doc: `flux in filter ${f}`, units: 'nJy' });
  for (const f of filterNames) schema.addField({ name: `${f}_fluxErr`, type: 'D', doc: `flux uncertainty in filter ${f}`, units: 'nJy' });
  if (options.addIsPhotometric === true) schema.addField({ name: 'photometric', type: 'Flag', doc: 'set if the object can be used for photometric calibration' });
  if (options.addIsResolved === true) schema.addField({ name: 'resolved', type: 'Flag', doc: 'set if the object is spatially resolved' });
  if (options.addIsVariable === true) schema.addField({ name: 'variable', type: 'Flag', doc: 'set if the object has variable brightness' });
  if ((options.coordErrDim ?? 2) === 2) {
    schema.addField({ name: 'coord_raErr', type: 'F', doc: 'uncertainty on coord_ra', units: 'rad' });
    schema.addField({ name: 'coord_decErr', type: 'F', doc: 'uncertainty on coord_dec', units: 'rad' });
  }
  if (options.addProperMotion === true) {
    schema.addField({ name: 'epoch', type: 'D', doc: 'date of observation (TAI, MJD)', units: 'day' });
    schema.addField({ name: 'pm_ra', type: 'Angle', doc: 'proper motion in the right ascension direction = dra/dt * cos(dec)' });
    schema.addField({ name: 'pm_dec', type: 'Angle', doc: 'proper motion in the declination direction' });
    schema.addField({ name: 'pm_raErr', type: 'F', doc: 'uncertainty on pm_ra', units: 'rad/year' });
    schema.addField({ name: 'pm_decErr', type: 'F', doc: 'uncertainty on pm_dec', units: 'rad/year' });
    schema.addField({ name: 'pm_flag', type: 'Flag', doc: 'Set if proper motion or proper motion error is bad' });
  }
  return schema;
}

/**
 * The flux field of a reference catalog for a camera filter: the `anyFilterMapsToThis` alias's
 * target when set, else `<filterName>_camFlux` (a filterMap alias) when present, else
 * `<filterName>_flux`.
 *
 * @param schema - the reference catalog's schema (with the aliases the loader added)
 * @param filterName - the camera filter (band)
 * @returns the field name or alias
 * @throws {@link MeasAstromInvalidArgumentError} when none of them exists
 * @example
 * ```ts
 * getRefFluxField(makeRefCatSchema(['r']), 'r'); // 'r_flux'
 * ```
 * @see lsst.meas.algorithms.getRefFluxField
 */
export function getRefFluxField(schema: Schema, filterName: string): string {
  const any = schema.getAliasMap().get('anyFilterMapsToThis');
  if (any !== undefined) return any;
  const candidates = [`${filterName}_camFlux`, `${filterName}_flux`];
  for (const c of candidates) if (schema.contains(c)) return c;
  const fluxes = schema.getNames().filter((n) => n.endsWith('_flux'));
  throw new MeasAstromInvalidArgumentError(`Could not find flux field(s) ${candidates.join(', ')} in the reference catalog.`, {
    hint: `The reference catalog has ${fluxes.length === 0 ? 'no flux fields' : fluxes.join(', ')}; set filterMap (camera filter → reference filter) or anyFilterMapsToThis in the loader config.`,
  });
}

/**
 * Configuration of {@link ReferenceObjectLoader}.
 *
 * @see lsst.meas.algorithms.LoadReferenceObjectsConfig
 */
export class LoadReferenceObjectsConfig extends Config {
  /** Padding added to all 4 edges of the bounding box (pixels); 250 as LSST. */
  pixelMargin = RangeField({ doc: 'Padding to add to 4 all edges of the bounding box (pixels)', dtype: 'int', default: 250, min: 0 });
  /** Always use this reference filter, whatever the camera filter (purely astrometric catalogs). */
  anyFilterMapsToThis = Field.str({
    doc: 'Always use this reference catalog filter, no matter whether or what filter name is supplied to the loader.',
    default: null,
    optional: true,
  });
  /** Camera filter name → reference catalog filter name (adds `<camFilter>_camFlux` aliases). */
  filterMap = DictField({
    doc: 'Mapping of camera filter name: reference catalog filter name; each reference filter must exist in the refcat.',
    keytype: 'str',
    itemtype: 'str',
    default: {},
  });
  /** Require the fields needed to correct proper motion (`epoch`, `pm_ra`, `pm_dec`). */
  requireProperMotion = Field.bool({
    doc: 'Require that the fields needed to correct proper motion (epoch, pm_ra and pm_dec) are present?',
    default: false,
  });

  /**
   * Checks the fields, and that `filterMap` and `anyFilterMapsToThis` are not both set.
   *
   * @throws {@link MeasAstromInvalidArgumentError} when both are set
   */
  override validate(): void {
    super.validate();
    if (Object.keys(this.filterMap).length > 0 && this.anyFilterMapsToThis !== null) {
      throw new MeasAstromInvalidArgumentError('LoadReferenceObjectsConfig: `filterMap` and `anyFilterMapsToThis` are mutually exclusive.', {
        hint: 'Set one of them; anyFilterMapsToThis is for purely astrometric catalogs.',
      });
    }
  }
}

/** Options of the {@link ReferenceObjectLoader} constructor. */
export interface ReferenceObjectLoaderOptions {
  /** The config (frozen by the loader); default a new {@link LoadReferenceObjectsConfig}. */
  readonly config?: LoadReferenceObjectsConfig;
  /** The logger; default `meas.astrom.ReferenceObjectLoader`. */
  readonly log?: Logger;
}

/** Edge normals of a convex polygon (inside: every dot product ≥ 0). */
function edgeNormals(polygon: ConvexPolygon): Float64Array {
  const v = polygon.getVertices();
  const n = v.length;
  const out = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const a = v[i]!;
    const b = v[(i + 1) % n]!;
    out[3 * i] = a.y * b.z - a.z * b.y;
    out[3 * i + 1] = a.z * b.x - a.x * b.z;
    out[3 * i + 2] = a.x * b.y - a.y * b.x;
  }
  return out;
}

function polygonFromPixelBox(box: Box2D, wcs: SkyWcs): ConvexPolygon {
  const xs = [box.minX, box.maxX, box.maxX, box.minX];
  const ys = [box.minY, box.minY, box.maxY, box.maxY];
  const { ra, dec } = wcs.pixelToSkyArray(xs, ys);
  const corners = Array.from(ra, (r, i) => UnitVector3d.fromLonLatRadians(r, dec[i]!));
  return ConvexPolygon.convexHull(corners);
}

function sameSchema(a: Schema, b: Schema): boolean {
  if (a.length !== b.length) return false;
  const fa = [...a];
  const fb = [...b];
  return fa.every((f, i) => f.name === fb[i]!.name && f.type === fb[i]!.type && f.size === fb[i]!.size);
}

/**
 * Loads reference objects from an HTM-sharded reference catalog: LSST's Gen3
 * `ReferenceObjectLoader`. It is given the shards (HTM index and a loader each); a load reads
 * only the shards whose trixel overlaps the requested region and keeps the objects inside it.
 *
 * `loadPixelBox` pads the pixel box by `pixelMargin`, selects objects on the sky with a polygon
 * made from the box's corners (padded by `bboxToSpherePadding` more), computes their pixel
 * positions through the WCS (`centroid_x`, `centroid_y`, `hasCentroid`, `slot_Centroid`) and
 * keeps those inside the padded box. The flux field for the filter follows `filterMap` /
 * `anyFilterMapsToThis` (see {@link getRefFluxField}).
 *
 * @example
 * ```ts
 * const loader = new ReferenceObjectLoader(await refCatShardsFromDirectory('refcats/gaia'));
 * const { refCat, fluxField } = await loader.loadPixelBox(exposure.getBBox(), exposure.getWcs()!, 'r');
 * refCat.getColumn('centroid_x'); // pixel positions through the WCS
 * ```
 * @see lsst.meas.algorithms.ReferenceObjectLoader
 */
export class ReferenceObjectLoader {
  /** The config (frozen). */
  readonly config: LoadReferenceObjectsConfig;
  /** The logger. */
  readonly log: Logger;
  /** The shards this loader reads from. */
  readonly shards: readonly RefCatShard[];

  /**
   * Makes the loader.
   *
   * @param shards - the shards (HTM index and loader each)
   * @param options - config and logger
   * @throws {@link MeasAstromInvalidArgumentError} for an invalid HTM index or config
   */
  constructor(shards: readonly RefCatShard[], options: ReferenceObjectLoaderOptions = {}) {
    for (const s of shards) {
      if (HtmPixelization.level(s.htm7Id) < 0) {
        throw new MeasAstromInvalidArgumentError(`Reference catalog shard ${s.htm7Id} is not a valid HTM index.`, {
          hint: `Shards are named after their level-${REFCAT_HTM_DEPTH} HTM index, e.g. 147456.fits.`,
        });
      }
    }
    this.shards = [...shards];
    const config = options.config ?? new LoadReferenceObjectsConfig();
    config.validate();
    config.freeze();
    this.config = config;
    this.log = options.log ?? getLogger('meas.astrom.ReferenceObjectLoader');
  }

  /**
   * Loads the reference objects inside a pixel box (padded by `config.pixelMargin`) of an
   * exposure, with their pixel positions through `wcs`.
   *
   * @param bbox - the pixel box (PARENT pixels)
   * @param wcs - the WCS of the box (the current best guess)
   * @param filterName - the camera filter (band)
   * @param options - epoch for proper motions, sky padding
   * @returns `refCat` (with `centroid_x`, `centroid_y`, `hasCentroid`) and `fluxField`
   * @throws {@link MeasAstromRefcatNotFoundError} when no shard overlaps the region
   * @throws {@link MeasAstromInvalidArgumentError} for an unknown filter or mismatched shard schemas
   * @see lsst.meas.algorithms.ReferenceObjectLoader.loadPixelBox
   */
  async loadPixelBox(bbox: Box2I | Box2D, wcs: SkyWcs, filterName: string, options: LoadPixelBoxOptions = {}): Promise<LoadReferenceObjectsResult> {
    const padded = (bbox instanceof Box2I ? Box2D.fromBox2I(bbox) : bbox).dilatedBy(this.config.pixelMargin);
    const outer = polygonFromPixelBox(padded.dilatedBy(options.bboxToSpherePadding ?? 100), wcs);
    const filter = (cat: SimpleCatalog): SimpleCatalog => {
      const inSky = this.#selectInPolygon(cat, outer);
      const ra = cat.getColumn('coord_ra') as Float64Array;
      const dec = cat.getColumn('coord_dec') as Float64Array;
      const { x, y } = wcs.skyToPixelArray(
        Float64Array.from(inSky, (i) => ra[i]!),
        Float64Array.from(inSky, (i) => dec[i]!),
      );
      const keep: number[] = [];
      for (let k = 0; k < inSky.length; k++) if (padded.contains(x[k]!, y[k]!)) keep.push(inSky[k]!);
      return copyRows(cat, keep, cat.schema);
    };
    const result = await this.#load(outer, filterName, filter, options.epoch);
    // Pixel positions after proper motion.
    const schema = copySchema(result.refCat.schema);
    for (const name of ['centroid_x', 'centroid_y']) {
      if (!schema.contains(name)) schema.addField({ name, type: 'D', doc: 'centroid on an exposure, if relevant', units: 'pixel' });
    }
    if (!schema.contains('hasCentroid')) schema.addField({ name: 'hasCentroid', type: 'Flag', doc: 'is position known?' });
    schema.getAliasMap().set('slot_Centroid', 'centroid');
    const n = result.refCat.length;
    const refCat = copyRows(result.refCat, Int32Array.from({ length: n }, (_, i) => i), schema);
    updateRefCentroids(wcs, refCat);
    this.log.info(`Loaded ${refCat.length} reference objects inside the padded box ${padded.toString()}`);
    return { refCat, fluxField: result.fluxField };
  }

  /**
   * Loads the reference objects within `radius` of `center`.
   *
   * @param center - the centre (ICRS)
   * @param radius - the radius
   * @param filterName - the camera filter (band)
   * @param options - epoch for proper motions
   * @returns `refCat` and `fluxField`
   * @throws {@link MeasAstromRefcatNotFoundError} when no shard overlaps the circle
   * @throws {@link MeasAstromInvalidArgumentError} for an unknown filter or mismatched shard schemas
   * @see lsst.meas.algorithms.ReferenceObjectLoader.loadSkyCircle
   */
  async loadSkyCircle(center: SpherePoint, radius: Angle, filterName: string, options: LoadOptions = {}): Promise<LoadReferenceObjectsResult> {
    return this.loadRegion(new Circle(center.toUnitVector(), radius), filterName, options);
  }

  /**
   * Loads the reference objects inside any spherical region.
   *
   * @param region - the region
   * @param filterName - the camera filter (band)
   * @param options - epoch for proper motions
   * @returns `refCat` and `fluxField`
   * @throws {@link MeasAstromRefcatNotFoundError} when no shard overlaps the region
   * @throws {@link MeasAstromInvalidArgumentError} for an unknown filter or mismatched shard schemas
   * @see lsst.meas.algorithms.ReferenceObjectLoader.loadRegion
   */
  async loadRegion(region: Region, filterName: string, options: LoadOptions = {}): Promise<LoadReferenceObjectsResult> {
    const filter = (cat: SimpleCatalog): SimpleCatalog => {
      const ra = cat.getColumn('coord_ra') as Float64Array;
      const dec = cat.getColumn('coord_dec') as Float64Array;
      const keep: number[] = [];
      for (let i = 0; i < cat.length; i++) if (region.contains(UnitVector3d.fromLonLatRadians(ra[i]!, dec[i]!))) keep.push(i);
      return copyRows(cat, keep, cat.schema);
    };
    const result = await this.#load(region, filterName, filter, options.epoch);
    this.log.info(`Loaded ${result.refCat.length} reference objects`);
    return result;
  }

  /**
   * Metadata of a pixel-box load (for re-loading the objects of a persisted match list):
   * the circle around the padded box and the corners of the inner and outer sky boxes.
   *
   * @param bbox - the pixel box
   * @param wcs - its WCS
   * @param filterName - the camera filter
   * @param options - epoch and sky padding (100 pixels)
   * @returns the metadata (`RA`, `DEC`, `RADIUS` in degrees, `SMATCHV`, `FILTER`, `EPOCH`, `INNER_*`/`OUTER_*` corners)
   * @see lsst.meas.algorithms.ReferenceObjectLoader.getMetadataBox
   */
  getMetadataBox(bbox: Box2I | Box2D, wcs: SkyWcs, filterName: string, options: LoadPixelBoxOptions = {}): MatchMetadata {
    const padded = (bbox instanceof Box2I ? Box2D.fromBox2I(bbox) : bbox).dilatedBy(this.config.pixelMargin);
    const center = wcs.pixelToSky(padded.getCenter());
    let radius = 0;
    for (const c of [
      [padded.minX, padded.minY],
      [padded.maxX, padded.minY],
      [padded.minX, padded.maxY],
      [padded.maxX, padded.maxY],
    ] as const) {
      radius = Math.max(radius, center.separation(wcs.pixelToSky(c[0], c[1])).asRadians());
    }
    const md: Record<string, string | number> = { ...ReferenceObjectLoader.getMetadataCircle(center, Angle.fromRadians(radius), filterName, options.epoch) };
    const pad = options.bboxToSpherePadding ?? 100;
    const boxes: [string, Box2D][] = [
      ['INNER', padded.width > 2 * pad && padded.height > 2 * pad ? padded.dilatedBy(-pad) : padded],
      ['OUTER', padded.dilatedBy(pad)],
    ];
    for (const [name, box] of boxes) {
      const corners: [string, number, number][] = [
        ['UPPER_LEFT', box.minX, box.maxY],
        ['UPPER_RIGHT', box.maxX, box.maxY],
        ['LOWER_LEFT', box.minX, box.minY],
        ['LOWER_RIGHT', box.maxX, box.minY],
      ];
      for (const [corner, x, y] of corners) {
        const sky = wcs.pixelToSky(x, y);
        md[`${name}_${corner}_RA`] = sky.getRa().asDegrees();
        md[`${name}_${corner}_DEC`] = sky.getDec().asDegrees();
      }
    }
    return Object.freeze(md);
  }

  /**
   * Metadata of a sky-circle load.
   *
   * @param coord - the centre
   * @param radius - the radius
   * @param filterName - the camera filter
   * @param epoch - the epoch (TAI MJD), if any
   * @returns `RA`, `DEC`, `RADIUS` (degrees), `SMATCHV` (1), `FILTER`, `EPOCH` (`'NONE'` when absent)
   * @see lsst.meas.algorithms.ReferenceObjectLoader.getMetadataCircle
   */
  static getMetadataCircle(coord: SpherePoint, radius: Angle, filterName: string, epoch?: number): MatchMetadata {
    return Object.freeze({
      RA: coord.getRa().asDegrees(),
      DEC: coord.getDec().asDegrees(),
      RADIUS: radius.asDegrees(),
      SMATCHV: 1,
      FILTER: filterName,
      EPOCH: epoch ?? 'NONE',
    });
  }

  /**
   * Moves positions to `epoch` with the catalog's proper motions (in place): each object moves
   * along the great circle of bearing `atan2(pm_dec, pm_ra)` by `|pm| × Δt`; `coord_raErr` and
   * `coord_decErr` grow by the proper-motion errors × Δt when present.
   *
   * @param catalog - the catalog (with `epoch`, `pm_ra`, `pm_dec` to be corrected)
   * @param epoch - the target epoch (TAI MJD); undefined: nothing is done
   * @throws {@link MeasAstromInvalidArgumentError} when `requireProperMotion` is set and the
   *   epoch or the fields are missing
   * @see lsst.meas.algorithms.ReferenceObjectLoader.applyProperMotions
   */
  applyProperMotions(catalog: SimpleCatalog, epoch: number | undefined): void {
    if (epoch === undefined) {
      if (this.config.requireProperMotion) {
        throw new MeasAstromInvalidArgumentError('requireProperMotion=true but no epoch was given to the loader.');
      }
      return;
    }
    const s = catalog.schema;
    if (!s.contains('epoch') || !s.contains('pm_ra') || !s.contains('pm_dec')) {
      if (this.config.requireProperMotion) {
        throw new MeasAstromInvalidArgumentError('requireProperMotion=true but the reference catalog has no epoch, pm_ra and pm_dec fields.');
      }
      this.log.warn('Proper motion correction not available for this reference catalog.');
      return;
    }
    const ra = catalog.getColumn('coord_ra') as Float64Array;
    const dec = catalog.getColumn('coord_dec') as Float64Array;
    const ep = catalog.getColumn('epoch') as Float64Array;
    const pmRa = catalog.getColumn('pm_ra') as Float64Array;
    const pmDec = catalog.getColumn('pm_dec') as Float64Array;
    const errs =
      s.contains('coord_raErr') && s.contains('coord_decErr') && s.contains('pm_raErr') && s.contains('pm_decErr')
        ? (['coord_raErr', 'coord_decErr', 'pm_raErr', 'pm_decErr'] as const).map((n) => catalog.getColumn(n) as Float32Array | Float64Array)
        : undefined;
    for (let i = 0; i < catalog.length; i++) {
      const dt = (epoch - ep[i]!) / 365.25;
      const amount = Math.hypot(pmRa[i]!, pmDec[i]!) * dt;
      if (amount !== 0 && Number.isFinite(amount)) {
        const moved = SpherePoint.fromRadians(ra[i]!, dec[i]!).offset(Angle.fromRadians(Math.atan2(pmDec[i]!, pmRa[i]!)), Angle.fromRadians(amount));
        ra[i] = moved.getRa().asRadians();
        dec[i] = moved.getDec().asRadians();
      }
      if (errs !== undefined) {
        errs[0]![i] = Math.hypot(errs[0]![i]!, errs[2]![i]! * dt);
        errs[1]![i] = Math.hypot(errs[1]![i]!, errs[3]![i]! * dt);
      }
    }
  }

  /** Rows of `cat` inside a convex polygon (edge-normal tests, no allocation per row). */
  #selectInPolygon(cat: SimpleCatalog, polygon: ConvexPolygon): number[] {
    const normals = edgeNormals(polygon);
    const m = normals.length / 3;
    const ra = cat.getColumn('coord_ra') as Float64Array;
    const dec = cat.getColumn('coord_dec') as Float64Array;
    const keep: number[] = [];
    outer: for (let i = 0; i < cat.length; i++) {
      const c = Math.cos(dec[i]!);
      const x = Math.cos(ra[i]!) * c;
      const y = Math.sin(ra[i]!) * c;
      const z = Math.sin(dec[i]!);
      for (let k = 0; k < m; k++) if (x * normals[3 * k]! + y * normals[3 * k + 1]! + z * normals[3 * k + 2]! < 0) continue outer;
      keep.push(i);
    }
    return keep;
  }

  async #load(region: Region, filterName: string, filter: (cat: SimpleCatalog) => SimpleCatalog, epoch: number | undefined): Promise<LoadReferenceObjectsResult> {
    const overlapping = this.shards.filter((s) => HtmPixelization.triangle(s.htm7Id).overlaps(region) !== false);
    if (overlapping.length === 0) {
      const box = region.getBoundingBox();
      throw new MeasAstromRefcatNotFoundError(`No reference catalog shard overlaps the region ${box.toString()}; the loader has ${this.shards.length} shard(s).`, {
        hint: 'Check the WCS of the exposure and that the reference catalog covers this part of the sky.',
      });
    }
    const parts: SimpleCatalog[] = [];
    let first: Schema | undefined;
    let trimmed = 0;
    for (const shard of overlapping) {
      const cat = await shard.load();
      if (first === undefined) first = cat.schema;
      else if (!sameSchema(first, cat.schema)) {
        throw new MeasAstromInvalidArgumentError(`Reference catalog shard ${shard.htm7Id} has a schema different from the other shards.`, {
          hint: 'All shards of one reference catalog must have the same fields.',
        });
      }
      const kept = filter(cat);
      trimmed += cat.length - kept.length;
      parts.push(kept);
    }
    this.log.debug(`Trimmed ${trimmed} refCat objects lying outside the region`);
    const schema = copySchema(first!);
    this.#addFluxAliases(schema);
    const refCat = concatCatalogs(parts, schema);
    this.applyProperMotions(refCat, epoch);
    return { refCat, fluxField: getRefFluxField(schema, filterName) };
  }

  /** Adds `<camFilter>_camFlux(Err)` aliases for `filterMap`, or `anyFilterMapsToThis`. */
  #addFluxAliases(schema: Schema): void {
    const aliases = schema.getAliasMap();
    const any = this.config.anyFilterMapsToThis;
    if (any !== null) {
      const name = `${any}_flux`;
      if (!schema.contains(name)) throw new MeasAstromInvalidArgumentError(`Unknown reference filter for anyFilterMapsToThis='${name}'.`);
      aliases.set('anyFilterMapsToThis', name);
      return;
    }
    for (const [cam, ref] of Object.entries(this.config.filterMap)) {
      const refFlux = `${ref}_flux`;
      if (!schema.contains(refFlux)) {
        throw new MeasAstromInvalidArgumentError(`Unknown reference filter ${refFlux} (filterMap['${cam}'] = '${String(ref)}').`);
      }
      aliases.set(`${cam}_camFlux`, refFlux);
      if (schema.contains(`${refFlux}Err`)) aliases.set(`${cam}_camFluxErr`, `${refFlux}Err`);
    }
  }
}

/**
 * Sets `centroid_x`/`centroid_y` (and `hasCentroid`) of reference objects to their pixel
 * positions through a WCS (in place).
 *
 * @param wcs - the WCS
 * @param refCat - a catalog with `coord_ra`, `coord_dec`, `centroid_x`, `centroid_y`
 * @throws AfwTableNotFoundError when the centroid fields are missing
 * @example
 * ```ts
 * updateRefCentroids(fittedWcs, refCat);
 * ```
 * @see lsst.afw.table.updateRefCentroids
 */
export function updateRefCentroids(wcs: SkyWcs, refCat: SimpleCatalog): void {
  const { x, y } = wcs.skyToPixelArray(refCat.getColumn('coord_ra') as Float64Array, refCat.getColumn('coord_dec') as Float64Array);
  (refCat.getColumn('centroid_x') as Float64Array).set(x);
  (refCat.getColumn('centroid_y') as Float64Array).set(y);
  if (refCat.schema.contains('hasCentroid')) (refCat.getColumn('hasCentroid') as Uint8Array).fill(1);
}

/**
 * Shards of a reference catalog directory: every `<htm id>.fits` file in it, read with
 * `SimpleCatalog.readFits` (`@skystack/afw-table`) on demand.
 *
 * @param dir - the directory
 * @returns one shard per file
 * @throws Error (from `fs`) when the directory cannot be read
 * @example
 * ```ts
 * const loader = new ReferenceObjectLoader(await refCatShardsFromDirectory('/data/refcats/gaia_dr3'));
 * ```
 */
export async function refCatShardsFromDirectory(dir: string): Promise<RefCatShard[]> {
  const names = await readdir(dir);
  return names
    .map((n) => /^(\d+)\.fits$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const path = join(dir, m[0]);
      return { htm7Id: Number(m[1]), load: () => SimpleCatalog.readFits(path) };
    });
}

/**
 * Shards from in-memory catalogs keyed by HTM index.
 *
 * @param catalogs - HTM index → catalog
 * @returns one shard per entry
 * @example
 * ```ts
 * const loader = new ReferenceObjectLoader(refCatShardsFromCatalogs(shardReferenceCatalog(refCat)));
 * ```
 */
export function refCatShardsFromCatalogs(catalogs: ReadonlyMap<number, SimpleCatalog>): RefCatShard[] {
  return [...catalogs].map(([htm7Id, cat]) => ({ htm7Id, load: () => Promise.resolve(cat) }));
}

/**
 * Splits a reference catalog into HTM shards, as LSST's refcat ingestion does.
 *
 * @param catalog - the objects
 * @param depth - HTM level ({@link REFCAT_HTM_DEPTH} by default)
 * @returns HTM index → the objects in that trixel (same schema)
 * @example
 * ```ts
 * for (const [id, shard] of shardReferenceCatalog(refCat)) await shard.writeFits(`refcat/${id}.fits`);
 * ```
 * @see lsst.meas.algorithms.IngestIndexedReferenceTask
 */
export function shardReferenceCatalog(catalog: SimpleCatalog, depth: number = REFCAT_HTM_DEPTH): Map<number, SimpleCatalog> {
  const ids = new HtmPixelization(depth).indexLonLatArrays(catalog.getColumn('coord_ra') as Float64Array, catalog.getColumn('coord_dec') as Float64Array);
  const rows = new Map<number, number[]>();
  ids.forEach((id, i) => {
    let list = rows.get(id);
    if (list === undefined) rows.set(id, (list = []));
    list.push(i);
  });
  const out = new Map<number, SimpleCatalog>();
  for (const [id, list] of rows) out.set(id, copyRows(catalog, list, catalog.schema));
  return out;
}
