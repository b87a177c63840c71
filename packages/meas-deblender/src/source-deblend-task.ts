import type { Exposure, Mask, PixelArray } from '@skystack/afw-image';
import { Footprint, HeavyFootprint, PeakCatalog, type Schema, type SourceCatalog, type SourceRecord } from '@skystack/afw-table';
import type { Point2D } from '@skystack/geom';
import { makeStatistics } from '@skystack/kernels';
import { ChoiceField, Config, DictField, Field, ListField, RangeField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import type { StrayFluxRule, StrayFluxToPointSources } from './apportion-flux.js';
import { deblendFootprint, type DeblendedParent, type EdgeHandling } from './deblend-footprint.js';
import { MeasDeblenderError, MeasDeblenderInvalidArgumentError } from './errors.js';
import type { DeblendPsf } from './fit-psf.js';

/**
 * Configuration of {@link SourceDeblendTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.deblender.SourceDeblendConfig
 */
export class SourceDeblendConfig extends Config {
  /** What to do when a peak to be deblended is close to the edge of the image. */
  edgeHandling = ChoiceField({
    doc: 'What to do when a peak to be deblended is close to the edge of the image',
    dtype: 'str',
    default: 'ramp',
    allowed: {
      clip: 'Clip the template at the edge AND the mirror of the edge.',
      ramp: 'Ramp down flux at the image edge by the PSF',
      noclip: 'Ignore the edge when building the symmetric template.',
    },
  });
  /** When the deblender should attribute stray flux to point sources. */
  strayFluxToPointSources = ChoiceField({
    doc: 'When the deblender should attribute stray flux to point sources',
    dtype: 'str',
    default: 'necessary',
    allowed: {
      necessary: 'When there is not an extended object in the footprint',
      always: 'Always',
      never: 'Never; stray flux will not be attributed to any deblended child if the deblender thinks all peaks look like point sources',
    },
  });
  /** Assign stray flux (not claimed by any child in the deblender) to deblend children. */
  assignStrayFlux = Field.bool({ doc: 'Assign stray flux (not claimed by any child in the deblender) to deblend children.', default: true });
  /** How to split flux among peaks. */
  strayFluxRule = ChoiceField({
    doc: 'How to split flux among peaks',
    dtype: 'str',
    default: 'trim',
    allowed: {
      'r-to-peak': '~ 1/(1+R^2) to the peak',
      'r-to-footprint': '~ 1/(1+R^2) to the closest pixel in the footprint.  CAUTION: this can be computationally expensive on large footprints!',
      'nearest-footprint': 'Assign 100% to the nearest footprint (using L-1 norm aka Manhattan distance)',
      trim: 'Shrink the parent footprint to pixels that are not assigned to children',
    },
  });
  /** When splitting stray flux, clip fractions below this value to zero. */
  clipStrayFluxFraction = Field.float({ doc: 'When splitting stray flux, clip fractions below this value to zero.', default: 0.001 });
  /** Chi-squared per DOF cut for deciding a source is a PSF during deblending (un-shifted PSF model). */
  psfChisq1 = Field.float({ doc: 'Chi-squared per DOF cut for deciding a source is a PSF during deblending (un-shifted PSF model)', default: 1.5 });
  /** Chi-squared per DOF cut for deciding a source is PSF during deblending (shifted PSF model). */
  psfChisq2 = Field.float({ doc: 'Chi-squared per DOF cut for deciding a source is PSF during deblending (shifted PSF model)', default: 1.5 });
  /** Chi-squared per DOF cut for deciding a source is a PSF during deblending (shifted PSF model #2). */
  psfChisq2b = Field.float({ doc: 'Chi-squared per DOF cut for deciding a source is a PSF during deblending (shifted PSF model #2)', default: 1.5 });
  /** Only deblend the brightest maxNumberOfPeaks peaks in the parent (<= 0: unlimited). */
  maxNumberOfPeaks = Field.int({ doc: 'Only deblend the brightest maxNumberOfPeaks peaks in the parent (<= 0: unlimited)', default: 0 });
  /** Maximum area for footprints before they are ignored as large; non-positive means no threshold applied. */
  maxFootprintArea = Field.int({ doc: 'Maximum area for footprints before they are ignored as large; non-positive means no threshold applied', default: 1000000 });
  /** Maximum linear dimension for footprints before they are ignored as large; non-positive means no threshold applied. */
  maxFootprintSize = Field.int({ doc: 'Maximum linear dimension for footprints before they are ignored as large; non-positive means no threshold applied', default: 0 });
  /** Minimum axis ratio for footprints before they are ignored as large; non-positive means no threshold applied. */
  minFootprintAxisRatio = Field.float({ doc: 'Minimum axis ratio for footprints before they are ignored as large; non-positive means no threshold applied', default: 0.0 });
  /** Mask name for footprints not deblended, or null. */
  notDeblendedMask = Field.str({ doc: 'Mask name for footprints not deblended, or None', default: 'NOT_DEBLENDED', optional: true });
  /** Footprints smaller in width or height than this value will be ignored; minimum of 2 due to PSF gradient calculation. */
  tinyFootprintSize = RangeField({
    doc: 'Footprints smaller in width or height than this value will be ignored; minimum of 2 due to PSF gradient calculation.',
    dtype: 'int',
    default: 2,
    min: 2,
    inclusiveMin: true,
  });
  /** Guarantee that all peaks produce a child source. */
  propagateAllPeaks = Field.bool({ doc: 'Guarantee that all peaks produce a child source.', default: false });
  /** If true, catch exceptions thrown by the deblender, log them, and set a flag on the parent, instead of letting them propagate up. */
  catchFailures = Field.bool({
    doc: 'If True, catch exceptions thrown by the deblender, log them, and set a flag on the parent, instead of letting them propagate up',
    default: false,
  });
  /** Mask planes to ignore when performing statistics. */
  maskPlanes = ListField({ doc: 'Mask planes to ignore when performing statistics', dtype: 'str', default: ['SAT', 'INTRP', 'NO_DATA'] });
  /** Mask planes with the corresponding limit on the fraction of masked pixels; sources violating this limit will not be deblended. */
  maskLimits = DictField({
    doc: 'Mask planes with the corresponding limit on the fraction of masked pixels. Sources violating this limit will not be deblended.',
    keytype: 'str',
    itemtype: 'float',
    default: {},
  });
  /** Apply a smoothing filter to all of the template images. */
  medianSmoothTemplate = Field.bool({ doc: 'Apply a smoothing filter to all of the template images', default: true });
}

/** The inputs of {@link SourceDeblendTask.run}. */
export interface SourceDeblendInputs {
  /** The exposure the sources were detected on (its PSF is used; the mask gets `notDeblendedMask`). */
  readonly exposure: Exposure<PixelArray>;
  /** The sources (made with the task's schema): children are appended in place. */
  readonly sources: SourceCatalog;
}

/** The PSF calls the task needs: images and the second-moment radius (any afw-image `Psf`). */
interface TaskPsf extends DeblendPsf {
  computeShape(position?: Point2D): { getDeterminantRadius(): number };
}

/**
 * Splits blended sources into children, as LSST's SourceDeblendTask (the SDSS-style deblender
 * of meas_deblender's baseline): for every top-level source whose footprint has several peaks
 * (and is not too large nor too masked), {@link deblendFootprint} makes one child per peak with
 * a HeavyFootprint holding its share of the parent's flux; the children are appended to the
 * catalog with `parent` set, the parent keeps its footprint (grown to cover its children) and
 * gets `deblend_nChild`. Adds LSST's `deblend_*` fields to the schema.
 *
 * @example
 * ```ts
 * const schema = SourceCatalog.makeMinimalSchema();
 * const detection = new SourceDetectionTask({ schema });
 * const deblend = new SourceDeblendTask({ schema });
 * const { sources } = detection.run(schema, exposure).getDict();
 * deblend.run({ exposure, sources });
 * sources.get(0).get('deblend_nChild'); // 2 for a blend of two stars
 * ```
 * @see lsst.meas.deblender.SourceDeblendTask
 */
export class SourceDeblendTask extends Task<SourceDeblendConfig> {
  /** {@link SourceDeblendConfig}. */
  static override ConfigClass = SourceDeblendConfig;
  /** `sourceDeblend`. */
  static override _DefaultName: string | undefined = 'sourceDeblend';
  /** The schema (with the `deblend_*` fields added). */
  readonly schema: Schema;

  /**
   * Makes the task and adds its fields to the schema: `deblend_nChild`,
   * `deblend_deblendedAsPsf`, `deblend_psfCenter_x/y`, `deblend_psf_instFlux`,
   * `deblend_tooManyPeaks`, `deblend_parentTooBig`, `deblend_masked`, `deblend_failed` (with
   * catchFailures), `deblend_skipped`, `deblend_rampedTemplate`, `deblend_patchedTemplate`,
   * `deblend_hasStrayFlux`, `deblend_peak_center_x/y`, `deblend_peakId`, `deblend_nPeaks`,
   * `deblend_parentNPeaks`.
   *
   * @param options - Task options and the schema (required; modified in place)
   * @throws {@link MeasDeblenderInvalidArgumentError} when no schema is given
   */
  constructor(options: TaskOptions<SourceDeblendConfig> & { readonly schema?: Schema } = {}) {
    super(options);
    if (options.schema === undefined) throw new MeasDeblenderInvalidArgumentError('SourceDeblendTask needs the source schema ({ schema }): it adds the deblend_* fields to it.');
    const schema = options.schema;
    this.schema = schema;
    const add = (name: string, type: 'I' | 'D' | 'Flag', doc: string, units?: string): void => {
      if (!schema.contains(name)) schema.addField({ name, type, doc, ...(units !== undefined ? { units } : {}) });
    };
    add('deblend_nChild', 'I', 'Number of children this object has (defaults to 0)');
    add('deblend_deblendedAsPsf', 'Flag', 'Deblender thought this source looked like a PSF');
    add('deblend_psfCenter_x', 'D', 'If deblended-as-psf, the PSF centroid', 'pixel');
    add('deblend_psfCenter_y', 'D', 'If deblended-as-psf, the PSF centroid', 'pixel');
    add('deblend_psf_instFlux', 'D', 'If deblended-as-psf, the instrumental PSF flux', 'count');
    add('deblend_tooManyPeaks', 'Flag', 'Source had too many peaks; only the brightest were included');
    add('deblend_parentTooBig', 'Flag', 'Parent footprint covered too many pixels');
    add('deblend_masked', 'Flag', 'Parent footprint was predominantly masked');
    if (this.config.catchFailures) add('deblend_failed', 'Flag', 'Deblending failed on source');
    add('deblend_skipped', 'Flag', 'Deblender skipped this source');
    add('deblend_rampedTemplate', 'Flag', 'This source was near an image edge and the deblender used "ramp" edge-handling.');
    add('deblend_patchedTemplate', 'Flag', 'This source was near an image edge and the deblender used "patched" edge-handling.');
    add('deblend_hasStrayFlux', 'Flag', 'This source was assigned some stray flux');
    add('deblend_peak_center_x', 'I', 'Center used to apply constraints in scarlet', 'pixel');
    add('deblend_peak_center_y', 'I', 'Center used to apply constraints in scarlet', 'pixel');
    add('deblend_peakId', 'I', "ID of the peak in the parent footprint. This is not unique, but the combination of 'parent'and 'peakId' should be for all child sources. Top level blends with no parents have 'peakId=0'");
    add('deblend_nPeaks', 'I', 'Number of initial peaks in the blend. This includes peaks that may have been culled during deblending or failed to deblend');
    add('deblend_parentNPeaks', 'I', 'Same as deblend_n_peaks, but the number of peaks in the parent footprint');
  }

  /**
   * Deblends every blended top-level source of the catalog in place (see the class
   * description). Children get new ids after the catalog's largest, `parent`, a HeavyFootprint
   * with one peak, `deblend_deblendedAsPsf` (with `deblend_psfCenter_x/y` and
   * `deblend_psf_instFlux`), `deblend_hasStrayFlux`, `deblend_peak_center_x/y`, `deblend_peakId`,
   * `deblend_nPeaks` (1) and `deblend_parentNPeaks`.
   *
   * @param inputs - the exposure and the sources
   * @throws {@link MeasDeblenderInvalidArgumentError} when the catalog lacks the task's fields
   *   or the exposure has no PSF
   * @throws {@link MeasDeblenderError} when deblending a parent fails and catchFailures is false
   * @see lsst.meas.deblender.SourceDeblendTask.run
   */
  run(inputs: SourceDeblendInputs): void {
    this.timer('run', () => this.#deblend(inputs.exposure, inputs.sources));
  }

  #deblend(exposure: Exposure<PixelArray>, srcs: SourceCatalog): void {
    if (!srcs.schema.contains('deblend_nChild')) {
      throw new MeasDeblenderInvalidArgumentError("The source catalog has no 'deblend_nChild' field: it was not made with the schema given to SourceDeblendTask.", {
        hint: 'Create the task with the same schema as the detection task before running detection.',
      });
    }
    const psf = exposure.getPsf() as unknown as TaskPsf | null;
    if (psf === null || psf === undefined) throw new MeasDeblenderInvalidArgumentError('SourceDeblendTask needs an exposure with a PSF; this one has none.');
    const config = this.config;
    const mi = exposure.maskedImage;
    const n0 = srcs.length;
    this.log.info(`Deblending ${n0} sources`);
    // sigma1: the square root of the median variance of unmasked pixels
    const maskArr = mi.mask.compactPixels();
    const varArr = mi.variance.compactPixels();
    const andMask = mi.mask.getPlaneBitMask(config.maskPlanes.filter((p) => mi.mask.planeDict.hasPlane(p)));
    const sigma1 = Math.sqrt(makeStatistics(varArr, { properties: ['MEDIAN'], mask: maskArr, andMask }).getValue('MEDIAN'));

    const ids = srcs.getColumn('id') as BigInt64Array;
    let nextId = 1n;
    for (let i = 0; i < n0; i++) if (ids[i]! >= nextId) nextId = ids[i]! + 1n;
    let nParents = 0;
    let nNoPsf = 0;
    for (let i = 0; i < n0; i++) {
      const src = srcs.get(i);
      if (src.getParent() !== 0n) continue;
      const fp = src.getFootprint();
      if (fp === null) continue;
      const pks = fp.getPeaks();
      if (pks.length < 2) continue;
      if (this.isLargeFootprint(fp)) {
        src.set('deblend_parentTooBig', true);
        this.skipParent(src, mi.mask);
        this.log.warn(`Parent ${src.getId()}: skipping large footprint (area: ${fp.getArea()})`);
        nextId = this.#propagatePeaks(srcs, i, nextId);
        continue;
      }
      if (this.isMasked(fp, mi.mask)) {
        src.set('deblend_masked', true);
        this.skipParent(src, mi.mask);
        this.log.warn(`Parent ${src.getId()}: skipping masked footprint (area: ${fp.getArea()})`);
        nextId = this.#propagatePeaks(srcs, i, nextId);
        continue;
      }
      nParents++;
      const center = fp.getCentroid();
      let psfFwhm: number;
      try {
        psfFwhm = psf.computeShape(center).getDeterminantRadius() * 2.35;
      } catch (error) {
        // A coadd's PSF is not defined where no input covers (a footprint across a gap).
        if (config.catchFailures) {
          // One summary warning at the end: on a coadd, every blend across a gap lands here.
          this.log.debug(`Unable to deblend source ${src.getId()}: no PSF at its centroid (${center.x}, ${center.y}): ${(error as Error).message}`);
          nNoPsf++;
          src.set('deblend_failed', true);
          nextId = this.#propagatePeaks(srcs, i, nextId);
          continue;
        }
        throw new MeasDeblenderError(`Deblending source ${src.getId()} failed: no PSF at its centroid (${center.x}, ${center.y}): ${(error as Error).message}`, { cause: error });
      }
      if (!(psfFwhm > 0)) {
        if (config.catchFailures) {
          this.log.warn(`Unable to deblend source ${src.getId()}: because PSF FWHM=${psfFwhm} is invalid.`);
          src.set('deblend_failed', true);
          nextId = this.#propagatePeaks(srcs, i, nextId);
          continue;
        }
        throw new MeasDeblenderError(`PSF at (${center.x}, ${center.y}) has an invalid FWHM value of ${psfFwhm}.`);
      }
      src.set('deblend_tooManyPeaks', config.maxNumberOfPeaks > 0 && pks.length > config.maxNumberOfPeaks);
      let res: DeblendedParent;
      try {
        res = deblendFootprint(fp, mi, psf, psfFwhm, {
          sigma1,
          psfChisqCut1: config.psfChisq1,
          psfChisqCut2: config.psfChisq2,
          psfChisqCut2b: config.psfChisq2b,
          maxNumberOfPeaks: config.maxNumberOfPeaks,
          strayFluxToPointSources: config.strayFluxToPointSources as StrayFluxToPointSources,
          assignStrayFlux: config.assignStrayFlux,
          strayFluxRule: config.strayFluxRule as StrayFluxRule,
          edgeHandling: config.edgeHandling as EdgeHandling,
          tinyFootprintSize: config.tinyFootprintSize,
          clipStrayFluxFraction: config.clipStrayFluxFraction,
          medianSmoothTemplate: config.medianSmoothTemplate,
        });
        if (config.catchFailures) src.set('deblend_failed', false);
      } catch (error) {
        if (config.catchFailures) {
          this.log.warn(`Unable to deblend source ${src.getId()}: ${(error as Error).message}`);
          src.set('deblend_failed', true);
          nextId = this.#propagatePeaks(srcs, i, nextId);
          continue;
        }
        throw new MeasDeblenderError(`Deblending source ${src.getId()} failed: ${(error as Error).message}`, { cause: error });
      }
      let spans = fp.getSpans();
      let nChild = 0;
      for (const peak of res.peaks) {
        let heavy = peak.heavy;
        if (heavy === undefined || peak.skip) {
          src.set('deblend_skipped', true);
          if (!config.propagateAllPeaks) continue;
          // keep the peak: a child with the parent's footprint and zero pixels
          heavy = zeroHeavyFootprint(fp, peak.index);
        }
        src.set('deblend_skipped', false);
        const child = srcs.addNew();
        nChild++;
        child.set('id', nextId++);
        child.set('parent', src.getId());
        child.setFootprint(heavy);
        child.set('deblend_deblendedAsPsf', peak.deblendedAsPsf);
        child.set('deblend_hasStrayFlux', peak.hasStrayFlux);
        if (peak.deblendedAsPsf) {
          const c = peak.psfFitCenter ?? { x: peak.peak.getIx(), y: peak.peak.getIy() };
          child.set('deblend_psfCenter_x', c.x);
          child.set('deblend_psfCenter_y', c.y);
          child.set('deblend_psf_instFlux', Number.isFinite(peak.psfFitFlux) ? peak.psfFitFlux : 0);
        }
        child.set('deblend_rampedTemplate', peak.hasRampedTemplate);
        child.set('deblend_patchedTemplate', peak.patched);
        child.set('deblend_peak_center_x', peak.peak.getIx());
        child.set('deblend_peak_center_y', peak.peak.getIy());
        child.set('deblend_peakId', Number(peak.peak.getId()));
        child.set('deblend_nPeaks', 1);
        child.set('deblend_parentNPeaks', pks.length);
        spans = spans.union(heavy.getSpans());
      }
      // children may reach past the parent: the parent covers them all (the noise replacer needs it)
      fp.setSpans(spans);
      src.set('deblend_nChild', nChild);
    }
    if (nNoPsf > 0) this.log.warn(`Unable to deblend ${nNoPsf} parent(s): the PSF is not defined at their centroid (on a coadd: outside its inputs); they are flagged deblend_failed.`);
    this.log.info(`Deblended: of ${n0} sources, ${nParents} were deblended, creating ${srcs.length - n0} children, total ${srcs.length} sources`);
  }

  /**
   * With `propagateAllPeaks`, gives a parent that was not deblended (skipped or failed) one child
   * per peak, each with the parent's footprint and zero pixels, as the deblender does for a peak
   * it skips: every peak then has a child whatever happened, so per-band deblends of the same
   * merged detections stay row-aligned (MergeMeasurementsTask needs that). LSST gives such
   * parents no child.
   *
   * @returns the next free ID
   */
  #propagatePeaks(srcs: SourceCatalog, index: number, nextId: bigint): bigint {
    if (!this.config.propagateAllPeaks) return nextId;
    const src = srcs.get(index);
    const fp = src.getFootprint()!;
    const pks = fp.getPeaks();
    for (let k = 0; k < pks.length; k++) {
      const peak = pks.get(k);
      const child = srcs.addNew();
      child.set('id', nextId++);
      child.set('parent', src.getId());
      child.setFootprint(zeroHeavyFootprint(fp, k));
      child.set('deblend_peak_center_x', peak.getIx());
      child.set('deblend_peak_center_y', peak.getIy());
      child.set('deblend_peakId', Number(peak.getId()));
      child.set('deblend_nPeaks', 1);
      child.set('deblend_parentNPeaks', pks.length);
    }
    src.set('deblend_nChild', pks.length);
    return nextId;
  }

  /**
   * Whether a footprint is too large to deblend: area over `maxFootprintArea`, width or height
   * over `maxFootprintSize`, or the axis ratio of its pixels' second moments under
   * `minFootprintAxisRatio` (each test off when its limit is not positive).
   *
   * @param footprint - the footprint
   * @returns true when it is large
   * @see lsst.meas.deblender.SourceDeblendTask.isLargeFootprint
   */
  isLargeFootprint(footprint: Footprint): boolean {
    const c = this.config;
    if (c.maxFootprintArea > 0 && footprint.getArea() > c.maxFootprintArea) return true;
    if (c.maxFootprintSize > 0) {
      const bbox = footprint.getBBox();
      if (Math.max(bbox.getWidth(), bbox.getHeight()) > c.maxFootprintSize) return true;
    }
    if (c.minFootprintAxisRatio > 0) {
      const { a, b } = footprintAxes(footprint);
      if (b < c.minFootprintAxisRatio * a) return true;
    }
    return false;
  }

  /**
   * Whether a footprint's fraction of pixels with a `maskLimits` plane exceeds that plane's limit.
   *
   * @param footprint - the footprint
   * @param mask - the exposure's mask
   * @returns true when a limit is exceeded
   * @see lsst.meas.deblender.SourceDeblendTask.isMasked
   */
  isMasked(footprint: Footprint, mask: Mask): boolean {
    const entries = Object.entries(this.config.maskLimits);
    if (entries.length === 0) return false;
    const size = footprint.getArea();
    const { data, stride } = mask.array;
    const xy0 = mask.getXY0();
    const { ys, x0s, x1s } = footprint.getSpans();
    for (const [name, limit] of entries) {
      if (!mask.planeDict.hasPlane(name)) continue;
      const bit = mask.getPlaneBitMask(name);
      let masked = 0;
      for (let s = 0; s < ys.length; s++) {
        const row = (ys[s]! - xy0.getY()) * stride - xy0.getX();
        for (let x = x0s[s]!; x <= x1s[s]!; x++) if ((data[row + x]! & bit) !== 0) masked++;
      }
      if (masked / size > (limit ?? Infinity)) return true;
    }
    return false;
  }

  /**
   * Marks a parent as not deblended: `deblend_skipped`, the `notDeblendedMask` plane over its
   * footprint, `deblend_peak_center` at its box centre, `deblend_nChild` 0, `deblend_nPeaks`
   * its number of peaks.
   *
   * @param source - the parent
   * @param mask - the exposure's mask (gets the plane)
   * @see lsst.meas.deblender.SourceDeblendTask.skipParent
   */
  skipParent(source: SourceRecord, mask: Mask): void {
    const fp = source.getFootprint()!;
    source.set('deblend_skipped', true);
    const plane = this.config.notDeblendedMask;
    if (plane !== null && plane !== '') {
      mask.addMaskPlane(plane);
      fp.getSpans().setMask(mask.array, mask.getXY0(), mask.getPlaneBitMask(plane));
    }
    const bbox = fp.getBBox();
    source.set('deblend_peak_center_x', Math.trunc(bbox.getMinX() + bbox.getWidth() / 2));
    source.set('deblend_peak_center_y', Math.trunc(bbox.getMinY() + bbox.getHeight() / 2));
    source.set('deblend_nChild', 0);
    source.set('deblend_nPeaks', fp.getPeaks().length);
    source.set('deblend_peakId', 0);
    source.set('deblend_parentNPeaks', 0);
  }
}

/** The semi-axes of the unweighted second moments of a footprint's pixels. */
function footprintAxes(footprint: Footprint): { a: number; b: number } {
  const { ys, x0s, x1s } = footprint.getSpans();
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let s = 0; s < ys.length; s++) {
    const y = ys[s]!;
    for (let x = x0s[s]!; x <= x1s[s]!; x++) {
      n++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
    }
  }
  const mx = sx / n;
  const my = sy / n;
  const ixx = sxx / n - mx * mx;
  const iyy = syy / n - my * my;
  const ixy = sxy / n - mx * my;
  const t = Math.sqrt(((ixx - iyy) / 2) ** 2 + ixy * ixy);
  const l1 = (ixx + iyy) / 2 + t;
  const l2 = Math.max((ixx + iyy) / 2 - t, 0);
  return { a: Math.sqrt(l1), b: Math.sqrt(l2) };
}

/** A HeavyFootprint over the parent's pixels with zero values and one of its peaks (propagateAllPeaks). */
function zeroHeavyFootprint(fp: Footprint, peakIndex: number): HeavyFootprint {
  const parentPeaks = fp.getPeaks();
  const peaks = new PeakCatalog(parentPeaks.schema);
  const from = parentPeaks.get(peakIndex);
  const to = peaks.addNew();
  for (const f of parentPeaks.schema.getFields()) to.set(f.name, from.get(f.name) as never);
  const area = fp.getArea();
  const child = new Footprint(fp.getSpans(), { peaks, region: fp.getRegion() });
  return new HeavyFootprint(child, { image: new Float32Array(area), mask: new Int32Array(area), variance: new Float32Array(area) });
}
