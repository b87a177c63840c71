// lsst.meas.algorithms.CoaddPsf: the PSF of a coadd, the weighted sum of its inputs' warped PSFs.
import { EXPOSURE_RECORD_COMPONENTS, ExposureCatalog, ImageD, ImagePsf, Psf, WarpingControl, archivableComponent, type FixedKernel } from '@skystack/afw-image';
import { RawPersistable, type ArchiveRows, type InputArchive, type OutputArchiveHandle, type Persistable } from '@skystack/afw-table';
import { Box2D, Box2I, Point2D } from '@skystack/geom';
import { SkyWcs } from '@skystack/wcs';
import { MeasAlgorithmsFormatError, MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsNoDataError } from './errors.js';
import { WarpedPsf, makeWcsPairPixelTransform } from './warped-psf.js';

/** A valid polygon that can be asked whether it holds a point (pixels of its exposure). */
interface ContainsPoint {
  contains(point: Point2D): boolean;
}

function isContainsPoint(value: unknown): value is ContainsPoint {
  return typeof value === 'object' && value !== null && typeof (value as { contains?: unknown }).contains === 'function';
}

/** One input of a coadd, as the CoaddPsf keeps it. */
interface Component {
  readonly id: bigint;
  readonly bbox: Box2I;
  readonly box: Box2D;
  readonly wcs: SkyWcs;
  readonly psf: Psf;
  readonly weight: number;
  readonly goodPix: number | undefined;
  readonly validPolygon: unknown;
  readonly warped: WarpedPsf;
}

/** Options of a {@link CoaddPsf}, with afw's defaults. */
export interface CoaddPsfOptions {
  /** The field of the ccd catalog that holds each input's weight (default `'weight'`). */
  readonly weightFieldName?: string;
  /** The kernel that warps each input's PSF onto the coadd grid (default `'lanczos3'`). */
  readonly warpingKernelName?: string;
  /** Tabulate the warping kernel at this many offsets; 0 computes exact weights (default 10000). */
  readonly cacheSize?: number;
  /** The default position (coadd pixels); by default the weighted mean of the inputs' PSF positions, as afw computes it. */
  readonly averagePosition?: Point2D;
}

/**
 * The PSF of a coadd: at a coadd position, the weighted mean of the PSFs of the input exposures
 * (the `ccds` of the coadd's `CoaddInputs`) whose bounding box (and valid polygon, when it can be
 * evaluated) contains that position, each warped onto the coadd's pixel grid by a
 * {@link WarpedPsf} and normalised to sum 1 before weighting; the weights are the catalog's
 * `weight` field. The kernel image's box is the union of the components' boxes.
 *
 * The average position is the weighted mean, over the inputs, of each input PSF's average
 * position mapped to the coadd (weights times `goodpix` when the catalog has that field); when no
 * input contains it, the inputs of smallest weight are dropped from the mean until one does.
 *
 * It is archived as meas_algorithms does (persistence name `CoaddPsf`, module
 * `lsst.meas.algorithms`): a first catalog of one row (`coaddwcs` archive ID, `cachesize`,
 * `avgpos_x`/`avgpos_y`, `warpingkernelname`), then the inputs as an exposure table (`id`, the
 * box, `weight` and every component of the input records). Read it back with a registry that
 * {@link registerMeasAlgorithmsReaders} filled. The coadd WCS and the inputs' WCSs must be
 * archivable (`archivableComponent` of `@skystack/afw-image`: FITS TAN / TAN-SIP ones are).
 *
 * @example
 * ```ts
 * const psf = new CoaddPsf(coaddInputs.ccds, coaddWcs);
 * psf.computeKernelImage(new Point2D(2000, 2000)); // sums to 1
 * psf.computeShape(new Point2D(2000, 2000)).getDeterminantRadius();
 * ```
 * @see lsst.meas.algorithms.CoaddPsf
 */
export class CoaddPsf extends ImagePsf implements Persistable {
  /** `CoaddPsf`, the name afw's archive index records. */
  readonly persistenceName = 'CoaddPsf';
  /** `lsst.meas.algorithms`. */
  readonly pythonModule = 'lsst.meas.algorithms';
  readonly #components: readonly Component[];
  /** afw's `_catalog`: the inputs' minimal fields, `weight`, and their components. */
  readonly #catalog: ExposureCatalog;
  readonly #coaddWcs: SkyWcs;
  readonly #control: WarpingControl;
  readonly #warpingKernelName: string;
  readonly #averagePosition: Point2D;

  /**
   * Makes the coadd PSF.
   *
   * @param ccds - one record per input exposure, with `bbox`, a `SkyWcs`, a `Psf` and the weight field
   * @param coaddWcs - the WCS of the coadd
   * @param options - the weight field, warping kernel and average position
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when a record lacks a WCS or PSF, the weight field is missing, or the kernel name is unknown
   * @throws {@link MeasAlgorithmsNoDataError} when no average position can be found (no inputs)
   */
  constructor(ccds: ExposureCatalog, coaddWcs: SkyWcs, options: CoaddPsfOptions = {}) {
    super(false);
    if (!(coaddWcs instanceof SkyWcs)) throw new MeasAlgorithmsInvalidArgumentError(`A CoaddPsf needs the coadd's SkyWcs; got ${String(coaddWcs)}.`);
    const weightFieldName = options.weightFieldName ?? 'weight';
    const kernelName = options.warpingKernelName ?? 'lanczos3';
    const schema = ccds.schema;
    if (schema.tryFind(weightFieldName) === undefined) {
      throw new MeasAlgorithmsInvalidArgumentError(`The ccd catalog of a CoaddPsf has no weight field '${weightFieldName}'.`, {
        hint: "CoaddInputs.makeCcdSchema() has a 'weight' field; pass weightFieldName for another.",
      });
    }
    try {
      this.#control = new WarpingControl(kernelName, '', options.cacheSize ?? 10000);
    } catch (e) {
      throw new MeasAlgorithmsInvalidArgumentError(`Bad warping kernel for a CoaddPsf: ${(e as Error).message}`, { cause: e });
    }
    const hasGoodPix = schema.tryFind('goodpix') !== undefined;
    const components: Component[] = [];
    for (let i = 0; i < ccds.length; i++) {
      const record = ccds.get(i);
      const wcs = record.getWcs();
      const psf = record.getPsf();
      if (!(wcs instanceof SkyWcs)) throw new MeasAlgorithmsInvalidArgumentError(`Input ${i} (id ${record.getId()}) of a CoaddPsf has no SkyWcs; got ${String(wcs)}.`);
      if (!(psf instanceof Psf)) throw new MeasAlgorithmsInvalidArgumentError(`Input ${i} (id ${record.getId()}) of a CoaddPsf has no Psf; got ${String(psf)}.`);
      const bbox = record.getBBox();
      components.push({
        id: record.getId(),
        bbox,
        box: Box2D.fromBox2I(bbox),
        wcs,
        psf,
        weight: record.getNumber(weightFieldName),
        goodPix: hasGoodPix ? record.getNumber('goodpix') : undefined,
        validPolygon: record.getValidPolygon(),
        warped: new WarpedPsf(psf, makeWcsPairPixelTransform(wcs, coaddWcs), this.#control),
      });
    }
    this.#components = components;
    this.#catalog = internalCatalog(ccds, weightFieldName);
    this.#coaddWcs = coaddWcs;
    this.#warpingKernelName = kernelName;
    this.#averagePosition = options.averagePosition ?? this.#computeAveragePosition();
  }

  #containing(position: Point2D): Component[] {
    const sky = this.#coaddWcs.pixelToSky(position);
    const out: Component[] = [];
    for (const c of this.#components) {
      const p = c.wcs.skyToPixel(sky);
      if (!c.box.contains(p)) continue;
      if (isContainsPoint(c.validPolygon) && !c.validPolygon.contains(p)) continue;
      out.push(c);
    }
    return out;
  }

  #computeAveragePosition(): Point2D {
    const items = this.#components.map((c) => {
      const p = this.#coaddWcs.skyToPixel(c.wcs.pixelToSky(c.psf.getAveragePosition()));
      const w = c.weight * (c.goodPix ?? 1);
      return { wx: w * p.x, wy: w * p.y, w };
    });
    items.sort((a, b) => a.w - b.w);
    let wx = 0;
    let wy = 0;
    let w = 0;
    for (const item of items) {
      wx += item.wx;
      wy += item.wy;
      w += item.w;
    }
    for (const item of items) {
      const p = new Point2D(wx / w, wy / w);
      if (Number.isFinite(p.x) && Number.isFinite(p.y) && this.#containing(p).length > 0) return p;
      wx -= item.wx;
      wy -= item.wy;
      w -= item.w;
    }
    throw new MeasAlgorithmsNoDataError(`Could not find a valid average position for a CoaddPsf of ${items.length} inputs: no weighted mean of their PSF positions lies inside any of them.`, {
      hint: 'A CoaddPsf needs at least one input with a positive weight.',
    });
  }

  override getAveragePosition(): Point2D {
    return this.#averagePosition;
  }

  /** The WCS of the coadd. */
  getCoaddWcs(): SkyWcs {
    return this.#coaddWcs;
  }

  /** The name of the warping kernel that warps the inputs' PSFs. */
  getWarpingKernelName(): string {
    return this.#warpingKernelName;
  }

  /** The warping control the components are warped with. */
  getWarpingControl(): WarpingControl {
    return this.#control;
  }

  /** The number of inputs (afw's `getComponentCount`). */
  getComponentCount(): number {
    return this.#components.length;
  }

  #component(index: number): Component {
    const c = Number.isInteger(index) ? this.#components[index] : undefined;
    if (c === undefined) {
      throw new MeasAlgorithmsInvalidArgumentError(`CoaddPsf component index out of range: expected an integer in [0, ${this.#components.length}); got ${index}.`);
    }
    return c;
  }

  /**
   * The PSF of one input (its own pixels).
   *
   * @param index - which input, `0 ≤ index < getComponentCount()`
   * @returns the PSF
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for an index out of range
   */
  getPsf(index: number): Psf {
    return this.#component(index).psf;
  }

  /**
   * The WCS of one input.
   *
   * @param index - which input
   * @returns the WCS
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for an index out of range
   */
  getWcs(index: number): SkyWcs {
    return this.#component(index).wcs;
  }

  /**
   * The weight of one input.
   *
   * @param index - which input
   * @returns the weight
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for an index out of range
   */
  getWeight(index: number): number {
    return this.#component(index).weight;
  }

  /**
   * The record ID of one input.
   *
   * @param index - which input
   * @returns the ID
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for an index out of range
   */
  getId(index: number): bigint {
    return this.#component(index).id;
  }

  /**
   * The bounding box of one input (its PARENT pixels).
   *
   * @param index - which input
   * @returns the box
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for an index out of range
   */
  getBBox(index: number): Box2I {
    return this.#component(index).bbox;
  }

  /**
   * The valid polygon of one input, or `null`.
   *
   * @param index - which input
   * @returns the polygon as the catalog held it
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for an index out of range
   */
  getValidPolygon(index: number): unknown {
    return this.#component(index).validPolygon;
  }

  /**
   * The indices of the inputs that contain a coadd position (afw's `subsetContaining`).
   *
   * @param position - a coadd PARENT position
   * @returns the component indices, in catalog order
   */
  getComponentsContaining(position: Point2D): number[] {
    const hits = new Set(this.#containing(position));
    const out: number[] = [];
    this.#components.forEach((c, i) => {
      if (hits.has(c)) out.push(i);
    });
    return out;
  }

  /**
   * A copy (the components are shared: they are immutable).
   *
   * @returns the copy
   */
  clone(): CoaddPsf {
    return this.#rebuild((psf) => psf);
  }

  /**
   * The same coadd PSF over its inputs' PSFs resized.
   *
   * @param width - each input kernel's new width
   * @param height - each input kernel's new height
   * @returns the new PSF
   */
  resized(width: number, height: number): CoaddPsf {
    return this.#rebuild((psf) => psf.resized(width, height));
  }

  #rebuild(map: (psf: Psf) => Psf): CoaddPsf {
    const catalog = internalCatalog(this.#catalog, 'weight');
    const psfs = catalog.componentColumn('psf');
    this.#components.forEach((c, i) => (psfs[i] = map(c.psf)));
    return new CoaddPsf(catalog, this.#coaddWcs, {
      warpingKernelName: this.#warpingKernelName,
      cacheSize: this.#control.getCacheSize(),
      averagePosition: this.#averagePosition,
    });
  }

  /**
   * The inputs as the CoaddPsf keeps and archives them (afw's internal catalog): `id`, the box,
   * `weight` (from the weight field it was made with) and the records' components.
   *
   * @returns a copy
   */
  getInputCatalog(): ExposureCatalog {
    return internalCatalog(this.#catalog, 'weight');
  }

  /**
   * Whether the CoaddPsf can be written into an afw archive: its coadd WCS and every component
   * of every input can (see `archivableComponent` of `@skystack/afw-image`). An Exposure leaves
   * out a PSF that cannot, as afw does.
   *
   * @returns whether it can
   */
  override isPersistable(): boolean {
    return archivableComponent(this.#coaddWcs) !== undefined && this.#catalog.componentsArchivable();
  }

  /**
   * Writes the CoaddPsf as meas_algorithms does: one row of `coaddwcs` (the archive ID of the
   * coadd WCS), `cachesize`, `avgpos_x`, `avgpos_y` and `warpingkernelname`, then the inputs'
   * exposure table (not permissive: every component must be archivable).
   *
   * @param handle - the archive handle
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the coadd WCS cannot be archived
   * @throws AfwImageFitsError (from `@skystack/afw-image`) when an input's component cannot
   * @see lsst.meas.algorithms.CoaddPsf.write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const wcs = archivableComponent(this.#coaddWcs);
    if (wcs === undefined) {
      throw new MeasAlgorithmsInvalidArgumentError(`Cannot archive a CoaddPsf: its coadd WCS (${this.#coaddWcs.toString()}) is not one an afw archive can store.`, {
        hint: 'A FITS TAN or TAN-SIP SkyWcs can be archived; check psf.isPersistable() first.',
      });
    }
    const coaddwcs = handle.put(wcs);
    handle.saveCatalog(
      {
        columns: [
          { name: 'coaddwcs', format: '1J', doc: "archive ID of the coadd's WCS" },
          { name: 'cachesize', format: '1J', doc: 'size of the warping cache' },
          { name: 'avgpos_x', format: '1D', unit: 'pixel', doc: 'PSF accessors default position' },
          { name: 'avgpos_y', format: '1D', unit: 'pixel', doc: 'PSF accessors default position' },
          { name: 'warpingkernelname', format: '32A', doc: 'warping kernel name' },
        ],
      },
      [
        {
          coaddwcs,
          cachesize: this.#control.getCacheSize(),
          avgpos_x: this.#averagePosition.x,
          avgpos_y: this.#averagePosition.y,
          warpingkernelname: this.#warpingKernelName,
        },
      ],
    );
    this.#catalog.writeToArchive(handle, false);
  }

  /**
   * The PSF image centred on a PARENT position (sub-pixel), on the pixel grid (the kernel image
   * recentred with a Lanczos-5 shift, as afw's `Psf.computeImage`).
   *
   * @param position - where (default: the average position)
   * @returns a new `float64` image whose xy0 puts the PSF centre at `position`
   * @throws AfwImageInvalidArgumentError (from `@skystack/afw-image`) when the position is not finite
   * @throws {@link MeasAlgorithmsInvalidArgumentError} or {@link MeasAlgorithmsNoDataError} as {@link CoaddPsf.computeKernelImage}
   */
  override computeImage(position?: Point2D): ImageD {
    return super.computeImage(position);
  }

  /**
   * The kernel image at a position: centred on pixel (0, 0), summing to 1.
   *
   * @param position - where (default: the average position)
   * @returns a new `float64` image
   * @throws AfwImageInvalidArgumentError (from `@skystack/afw-image`) when the position is not finite
   * @throws {@link MeasAlgorithmsNoDataError} when no input covers the position
   */
  override computeKernelImage(position?: Point2D): ImageD {
    return super.computeKernelImage(position);
  }

  /**
   * The fraction of the PSF's flux inside a circle about its centre, measured on the kernel image.
   *
   * @param radius - the aperture radius (pixels)
   * @param position - where (default: the average position)
   * @returns the flux fraction
   * @throws AfwImageInvalidArgumentError (from `@skystack/afw-image`) when the radius is not positive
   */
  override computeApertureFlux(radius: number, position?: Point2D): number {
    return super.computeApertureFlux(radius, position);
  }

  /**
   * The kernel image at a position as a fixed kernel (`FixedKernel` of `@skystack/afw-image`).
   *
   * @param position - where (default: the average position)
   * @returns the kernel
   */
  override getLocalKernel(position?: Point2D): FixedKernel {
    return super.getLocalKernel(position);
  }

  protected doComputeKernelImage(position: Point2D): ImageD {
    const subset = this.#containing(position);
    if (subset.length === 0) {
      throw new MeasAlgorithmsNoDataError(`Cannot compute CoaddPsf at point ${position.toString()}; no input images at that point.`, {
        hint: `The coadd has ${this.#components.length} inputs; is the position inside the coadd's covered area?`,
      });
    }
    const images: ImageD[] = [];
    let bbox = new Box2I();
    let weightSum = 0;
    for (const c of subset) {
      const image = c.warped.computeKernelImage(position);
      images.push(image);
      bbox = bbox.expandedTo(image.getBBox());
      weightSum += c.weight;
    }
    const out = ImageD(bbox);
    const o = out.array;
    const x0 = bbox.getMinX();
    const y0 = bbox.getMinY();
    images.forEach((image, k) => {
      const { data, width, height, stride } = image.array;
      let sum = 0;
      for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) sum += data[j * stride + i]!;
      const scale = subset[k]!.weight / sum / weightSum;
      const dx = image.getX0() - x0;
      const dy = image.getY0() - y0;
      for (let j = 0; j < height; j++) {
        const orow = (j + dy) * o.stride + dx;
        const irow = j * stride;
        for (let i = 0; i < width; i++) o.data[orow + i]! += scale * data[irow + i]!;
      }
    });
    return out;
  }

  protected doComputeBBox(position: Point2D): Box2I {
    return this.doComputeKernelImage(position).getBBox();
  }
}

/**
 * afw's internal CoaddPsf catalog: the minimal exposure fields, `weight`, and every component
 * but undecoded ones (a `RawPersistable` valid polygon or transmission curve of an input file: the
 * CoaddPsf cannot use them, and they cannot be archived outside their own file).
 */
function internalCatalog(ccds: ExposureCatalog, weightFieldName: string): ExposureCatalog {
  const schema = ExposureCatalog.makeMinimalSchema();
  schema.addField({ name: 'weight', type: 'D', doc: 'Coadd weight' });
  const catalog = new ExposureCatalog(schema);
  for (let i = 0; i < ccds.length; i++) {
    const from = ccds.get(i);
    const to = catalog.addNew();
    to.setId(from.getId());
    to.setBBox(from.getBBox());
    to.set('weight', from.getNumber(weightFieldName));
    for (const name of EXPOSURE_RECORD_COMPONENTS) {
      const value = from.getComponent(name);
      if (!(value instanceof RawPersistable)) to.setComponent(name, value);
    }
  }
  return catalog;
}

/**
 * Reads an archived CoaddPsf (meas_algorithms' two-catalog layout): the coadd WCS, warping
 * kernel, cache size and average position from the first catalog, the inputs from the second.
 *
 * @param catalogs - the object's catalogs
 * @param archive - the archive, for the coadd WCS and the inputs' components
 * @returns the PSF
 * @throws {@link MeasAlgorithmsFormatError} when the layout is not the two-catalog one (the
 *   one-catalog layout of files before 2013 is not read), or the coadd WCS is not a SkyWcs
 * @example
 * ```ts
 * const registry = registerMeasAlgorithmsReaders(makeAfwRegistry());
 * const exposure = await Exposure.readFits('deepCoadd.fits', { registry });
 * exposure.getPsf(); // a CoaddPsf
 * ```
 * @see lsst.meas.algorithms.CoaddPsf
 */
export function readCoaddPsf(catalogs: readonly ArchiveRows[], archive: InputArchive): CoaddPsf {
  const where = archive.file ?? 'the archive';
  if (catalogs.length !== 2) {
    throw new MeasAlgorithmsFormatError(`An archived CoaddPsf in ${where} has ${catalogs.length} catalog(s); SkyStack reads the two-catalog layout meas_algorithms has written since 2013.`);
  }
  const first = catalogs[0]!;
  if (first.length !== 1) throw new MeasAlgorithmsFormatError(`The first catalog of an archived CoaddPsf in ${where} has ${first.length} rows; expected 1.`);
  const coaddWcs = archive.get(first.number('coaddwcs'));
  if (!(coaddWcs instanceof SkyWcs)) {
    throw new MeasAlgorithmsFormatError(`The coadd WCS of an archived CoaddPsf in ${where} is ${String(coaddWcs)}, not a SkyWcs.`, {
      hint: 'Read with a registry that has the WCS readers (makeAfwRegistry() from @skystack/afw-image).',
    });
  }
  const ccds = ExposureCatalog.readFromArchive(archive, catalogs[1]!);
  return new CoaddPsf(ccds, coaddWcs, {
    warpingKernelName: first.string('warpingkernelname'),
    cacheSize: first.number('cachesize'),
    averagePosition: new Point2D(first.number('avgpos_x'), first.number('avgpos_y')),
  });
}
