import type { MaskedImage, PixelArray } from '@skystack/afw-image';
import { Footprint, HeavyFootprint, PeakCatalog, type PeakRecord } from '@skystack/afw-table';
import type { Point2D } from '@skystack/geom';
import { apportionFlux, type ApportionFluxOptions, type ApportionTemplate } from './apportion-flux.js';
import { MeasDeblenderInvalidArgumentError } from './errors.js';
import { CachingPsf, fitPsf, type DeblendPsf, type PsfFitOptions } from './fit-psf.js';
import { extractFootprintPixels, type FootprintPixels } from './footprint-pixels.js';
import { makeMonotonic } from './make-monotonic.js';
import { medianFilterTemplate } from './median-filter.js';
import { buildSymmetricTemplate, trimTemplate, type TemplateImage } from './symmetric-template.js';

/** What to do with peaks near the image edge: LSST's `edgeHandling`. */
export type EdgeHandling = 'ramp' | 'clip' | 'noclip';

/** Options of {@link deblendFootprint} (LSST's `deblend` arguments, same defaults unless noted). */
export interface DeblendFootprintOptions extends PsfFitOptions, ApportionFluxOptions {
  /** Fit PSF models to find point sources (default true). */
  readonly fitPsfs?: boolean;
  /** Median-filter the templates (default true). */
  readonly medianSmoothTemplate?: boolean;
  /** The median filter's half-size (default 2). */
  readonly medianFilterHalfsize?: number;
  /** Make the templates monotonic (default true). */
  readonly monotonicTemplate?: boolean;
  /** Deblend only the brightest this many peaks (≤ 0: all; default 0). */
  readonly maxNumberOfPeaks?: number;
  /** Edge handling (default `'ramp'`, LSST's task default). */
  readonly edgeHandling?: EdgeHandling;
  /** The image noise (√ median variance), for the ramp's significance test (default: from the footprint's variance). */
  readonly sigma1?: number;
}

/** The outcome for one peak of a parent (LSST's `PerPeak`). */
export interface DeblendedPeak {
  /** The parent's peak. */
  readonly peak: PeakRecord;
  /** The peak's index in the parent's peak catalog. */
  readonly index: number;
  /** No child was made for this peak (one of the failures below). */
  readonly skip: boolean;
  /** The peak's PSF-fit stamp is outside the footprint, or the peak outside the image. */
  readonly outOfBounds: boolean;
  /** The PSF-fit stamp is smaller than `tinyFootprintSize`. */
  readonly tinyFootprint: boolean;
  /** No usable pixel near the peak. */
  readonly noValidPixels: boolean;
  /** The symmetric template was empty. */
  readonly failedSymmetricTemplate: boolean;
  /** The peak was modelled as a point source. */
  readonly deblendedAsPsf: boolean;
  /** The fitted PSF centre (PARENT), when deblended as a PSF. */
  readonly psfFitCenter: Point2D | undefined;
  /** The fitted PSF flux (counts), when deblended as a PSF. */
  readonly psfFitFlux: number;
  /** The template was extended past the footprint edge by the PSF ramp. */
  readonly hasRampedTemplate: boolean;
  /** Pixels whose mirror fell outside the image were copied (`'noclip'`). */
  readonly patched: boolean;
  /** The template (undefined when skipped). */
  readonly template: TemplateImage | undefined;
  /** The child's pixels: its share of the parent's flux, one peak (undefined when skipped). */
  readonly heavy: HeavyFootprint | undefined;
  /** The child received stray flux. */
  readonly hasStrayFlux: boolean;
}

/** The outcome for one parent (LSST's `PerFootprint`). */
export interface DeblendedParent {
  /** The parent footprint. */
  readonly footprint: Footprint;
  /** One entry per deblended peak (the brightest `maxNumberOfPeaks`, in catalog order). */
  readonly peaks: readonly DeblendedPeak[];
}

type MutablePeak = { -readonly [K in keyof DeblendedPeak]: DeblendedPeak[K] };

/**
 * Deblends one footprint, as meas_deblender's baseline `deblend` (the SDSS deblender): each peak
 * that a PSF model fits well gets the PSF model as its template; each other peak gets a
 * symmetric template (the smaller of each pixel and its mirror through the peak), extended past
 * the footprint edge by a PSF ramp when flux there is significant (`'ramp'`), median-filtered
 * and made monotonic. The parent's flux is then split among the templates
 * ({@link apportionFlux}) and each child's share becomes a HeavyFootprint with that peak.
 *
 * @param footprint - the parent footprint (inside the image, at least one peak)
 * @param maskedImage - the image (read only)
 * @param psf - the PSF
 * @param psfFwhm - the PSF FWHM in pixels
 * @param options - see {@link DeblendFootprintOptions}
 * @returns the per-peak outcomes, with the children's HeavyFootprints
 * @throws {@link MeasDeblenderInvalidArgumentError} when the footprint is not inside the image
 *   or the FWHM is not positive
 * @example
 * ```ts
 * const res = deblendFootprint(source.getFootprint()!, exposure.maskedImage, exposure.getPsf()!, 4.7);
 * for (const p of res.peaks) if (!p.skip) console.log(p.index, p.heavy!.getImageArray().reduce((a, b) => a + b, 0));
 * ```
 * @see lsst.meas.deblender.baseline.deblend
 */
export function deblendFootprint(footprint: Footprint, maskedImage: MaskedImage<PixelArray>, psf: DeblendPsf, psfFwhm: number, options: DeblendFootprintOptions = {}): DeblendedParent {
  if (!(psfFwhm > 0)) throw new MeasDeblenderInvalidArgumentError(`deblendFootprint needs a positive PSF FWHM; got ${psfFwhm}.`);
  const parent = extractFootprintPixels(footprint, maskedImage);
  const edge = options.edgeHandling ?? 'ramp';
  const allPeaks = footprint.getPeaks();
  // the brightest maxNumberOfPeaks peaks, kept in catalog order
  let chosen = Array.from({ length: allPeaks.length }, (_, i) => i);
  const maxPeaks = options.maxNumberOfPeaks ?? 0;
  if (maxPeaks > 0 && chosen.length > maxPeaks) {
    const values = allPeaks.getColumn('peakValue') as Float32Array;
    chosen = [...chosen].sort((a, b) => values[b]! - values[a]! || a - b).slice(0, maxPeaks).sort((a, b) => a - b);
  }
  const fxs = allPeaks.getColumn('f_x') as Float32Array;
  const fys = allPeaks.getColumn('f_y') as Float32Array;
  const ixs = allPeaks.getColumn('i_x') as Int32Array;
  const iys = allPeaks.getColumn('i_y') as Int32Array;
  const peaksXY = new Float64Array(2 * chosen.length);
  chosen.forEach((k, j) => {
    peaksXY[2 * j] = fxs[k]!;
    peaksXY[2 * j + 1] = fys[k]!;
  });
  const sigma1 = options.sigma1 ?? medianSigma(parent);
  const cache = new CachingPsf(psf);
  const results: MutablePeak[] = chosen.map((k) => ({
    peak: allPeaks.get(k),
    index: k,
    skip: false,
    outOfBounds: false,
    tinyFootprint: false,
    noValidPixels: false,
    failedSymmetricTemplate: false,
    deblendedAsPsf: false,
    psfFitCenter: undefined,
    psfFitFlux: NaN,
    hasRampedTemplate: false,
    patched: false,
    template: undefined,
    heavy: undefined,
    hasStrayFlux: false,
  }));

  if (options.fitPsfs ?? true) {
    for (let j = 0; j < results.length; j++) {
      const r = results[j]!;
      const fit = fitPsf(parent, j, peaksXY, cache, psfFwhm, options);
      r.outOfBounds = fit.outOfBounds;
      r.tinyFootprint = fit.tinyFootprint;
      r.noValidPixels = fit.noValidPixels;
      r.skip = fit.outOfBounds || fit.tinyFootprint || fit.noValidPixels;
      if (fit.deblendedAsPsf && !r.skip) {
        r.deblendedAsPsf = true;
        r.psfFitCenter = fit.center;
        r.psfFitFlux = fit.flux;
        r.template = fit.template;
      }
    }
  }

  for (let j = 0; j < results.length; j++) {
    const r = results[j]!;
    if (r.skip || r.deblendedAsPsf) continue;
    const k = r.index;
    const cx = ixs[k]!;
    const cy = iys[k]!;
    if (!parent.imageBBox.contains(cx, cy) || !parent.bbox.contains(cx, cy)) {
      r.outOfBounds = true;
      r.skip = true;
      continue;
    }
    const sym = buildSymmetricTemplate(parent, cx, cy, edge === 'noclip');
    let t = sym.template;
    if (t === undefined) {
      r.failedSymmetricTemplate = true;
      r.skip = true;
      continue;
    }
    r.patched = sym.patched;
    if (edge === 'ramp' && hasSignificantFluxAtEdge(t, 3 * sigma1)) {
      const ramped = rampTemplate(t, footprint, parent, cache, psfFwhm, cx, cy, edge);
      if (ramped !== undefined) {
        t = ramped.template;
        r.hasRampedTemplate = true;
        r.patched ||= ramped.patched;
      }
    }
    if (options.medianSmoothTemplate ?? true) medianFilterTemplate(t, options.medianFilterHalfsize ?? 2);
    if ((options.monotonicTemplate ?? true) && t.bbox.contains(cx, cy)) makeMonotonic(t, cx, cy);
    const trimmed = trimTemplate(t);
    if (trimmed === undefined) {
      r.failedSymmetricTemplate = true;
      r.skip = true;
      continue;
    }
    r.template = trimmed;
  }

  const live = results.filter((r) => !r.skip && r.template !== undefined);
  const inputs: ApportionTemplate[] = live.map((r) => ({ template: r.template!, peakX: ixs[r.index]!, peakY: iys[r.index]!, deblendedAsPsf: r.deblendedAsPsf }));
  const portions = inputs.length > 0 ? apportionFlux(parent, maskedImage, inputs, options) : [];
  live.forEach((r, j) => {
    const portion = portions[j]!;
    r.hasStrayFlux = portion.hasStrayFlux;
    if (portion.spans.isEmpty()) {
      r.skip = true;
      return;
    }
    const peaks = new PeakCatalog(allPeaks.schema);
    copyPeak(r.peak, peaks.addNew());
    const fp = new Footprint(portion.spans, { peaks, region: maskedImage.getBBox() });
    r.heavy = new HeavyFootprint(fp, { image: portion.image, ...maskAndVariance(fp, maskedImage) });
  });
  return { footprint, peaks: results };
}

/** Copies every field of a peak record into another of the same schema. */
function copyPeak(from: PeakRecord, to: PeakRecord): void {
  for (const f of from.schema.getFields()) to.set(f.name, from.get(f.name) as never);
}

/** The mask and variance of a footprint's pixels, in span order. */
function maskAndVariance(fp: Footprint, mi: MaskedImage<PixelArray>): { mask: Int32Array; variance: Float32Array } {
  const n = fp.getArea();
  const mask = new Int32Array(n);
  const variance = new Float32Array(n);
  const m = mi.mask.array;
  const v = mi.variance.array;
  const xy0 = mi.getXY0();
  const { ys, x0s, x1s } = fp.getSpans();
  let p = 0;
  for (let s = 0; s < ys.length; s++) {
    const y = ys[s]! - xy0.getY();
    for (let x = x0s[s]! - xy0.getX(); x <= x1s[s]! - xy0.getX(); x++) {
      mask[p] = m.data[y * m.stride + x]!;
      variance[p++] = v.data[y * v.stride + x]!;
    }
  }
  return { mask, variance };
}

/** √(median variance) of the footprint's pixels with a positive variance. */
function medianSigma(parent: FootprintPixels): number {
  const values: number[] = [];
  for (let i = 0; i < parent.variance.length; i++) if (parent.inFootprint[i] === 1 && parent.variance[i]! > 0) values.push(parent.variance[i]!);
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return Math.sqrt(sorted[sorted.length >> 1]!);
}

/** Whether a pixel of the template's edge (a positive pixel next to a non-positive one or the box edge) exceeds a threshold. */
function hasSignificantFluxAtEdge(t: TemplateImage, threshold: number): boolean {
  const W = t.bbox.getWidth();
  const H = t.bbox.getHeight();
  const d = t.data;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = d[y * W + x]!;
      if (!(v > threshold)) continue;
      if (x === 0 || y === 0 || x === W - 1 || y === H - 1) return true;
      if (!(d[y * W + x - 1]! > 0) || !(d[y * W + x + 1]! > 0) || !(d[(y - 1) * W + x]! > 0) || !(d[(y + 1) * W + x]! > 0)) return true;
    }
  }
  return false;
}

/**
 * LSST's `_handle_flux_at_edge`: extends the template past the footprint by PSF-shaped ramps
 * from its edge pixels, grows the footprint by `S` (≈ 1.5 FWHM, odd), builds the symmetric
 * template again on the padded image, and clips it to the image.
 */
function rampTemplate(
  t1: TemplateImage,
  footprint: Footprint,
  parent: FootprintPixels,
  cache: CachingPsf,
  psfFwhm: number,
  cx: number,
  cy: number,
  edge: EdgeHandling,
): { template: TemplateImage; patched: boolean } | undefined {
  const S = Math.floor(Math.trunc(psfFwhm * 1.5 + 0.5) / 2) * 2 + 1;
  const tbb = t1.bbox.dilatedBy(S);
  const W = tbb.getWidth();
  const H = tbb.getHeight();
  const x0 = tbb.getMinX();
  const y0 = tbb.getMinY();
  // the footprint-clipped image over the padded box
  const padim = new Float32Array(W * H);
  const pb = parent.bbox;
  const PW = pb.getWidth();
  for (let y = Math.max(y0, pb.getMinY()); y <= Math.min(tbb.getMaxY(), pb.getMaxY()); y++) {
    for (let x = Math.max(x0, pb.getMinX()); x <= Math.min(tbb.getMaxX(), pb.getMaxX()); x++) {
      const i = (y - pb.getMinY()) * PW + (x - pb.getMinX());
      if (parent.inFootprint[i] === 1) padim[(y - y0) * W + (x - x0)] = parent.image[i]!;
    }
  }
  // the PSF at the parent's centre, peak-normalised, offsets within [-S, S]
  const xc = Math.trunc((pb.getMinX() + pb.getMaxX()) / 2);
  const yc = Math.trunc((pb.getMinY() + pb.getMaxY()) / 2);
  const ps = cache.stamp(xc, yc);
  let pmax = 0;
  for (let i = 0; i < ps.data.length; i++) pmax = Math.max(pmax, ps.data[i]!);
  if (!(pmax > 0)) return undefined;
  const ramped = new Float32Array(W * H);
  const TW = t1.bbox.getWidth();
  const TH = t1.bbox.getHeight();
  const ox = t1.bbox.getMinX() - x0;
  const oy = t1.bbox.getMinY() - y0;
  const dxa = Math.max(ps.x0 - xc, -S);
  const dxb = Math.min(ps.x0 + ps.w - 1 - xc, S);
  const dya = Math.max(ps.y0 - yc, -S);
  const dyb = Math.min(ps.y0 + ps.h - 1 - yc, S);
  const d = t1.data;
  for (let y = 0; y < TH; y++) {
    for (let x = 0; x < TW; x++) {
      const v = d[y * TW + x]!;
      if (!(v > 0)) continue;
      const isEdge = x === 0 || y === 0 || x === TW - 1 || y === TH - 1 || !(d[y * TW + x - 1]! > 0) || !(d[y * TW + x + 1]! > 0) || !(d[(y - 1) * TW + x]! > 0) || !(d[(y + 1) * TW + x]! > 0);
      if (!isEdge) continue;
      for (let dy = dya; dy <= dyb; dy++) {
        const row = (y + oy + dy) * W + x + ox;
        const prow = (yc + dy - ps.y0) * ps.w + (xc - ps.x0);
        for (let dx = dxa; dx <= dxb; dx++) {
          const r = (v * ps.data[prow + dx]!) / pmax;
          if (r > ramped[row + dx]!) ramped[row + dx] = r;
        }
      }
    }
  }
  for (let i = 0; i < padim.length; i++) if (padim[i] === 0) padim[i] = ramped[i]!;
  // the footprint clipped to the padded box, grown by S
  const grown = footprint.getSpans().clippedTo(tbb).dilated(S, 'circle').clippedTo(tbb);
  const inFootprint = new Uint8Array(W * H);
  const { ys, x0s, x1s } = grown;
  for (let s = 0; s < ys.length; s++) for (let x = x0s[s]!; x <= x1s[s]!; x++) inFootprint[(ys[s]! - y0) * W + x - x0] = 1;
  const padded: FootprintPixels = { bbox: tbb, image: padim, variance: new Float32Array(0), inFootprint, imageBBox: tbb };
  const sym = buildSymmetricTemplate(padded, cx, cy, edge === 'noclip');
  if (sym.template === undefined) return undefined;
  // clip to the image
  const t2 = sym.template;
  const ib = parent.imageBBox;
  if (!ib.contains(t2.bbox)) {
    const w2 = t2.bbox.getWidth();
    for (let y = t2.bbox.getMinY(); y <= t2.bbox.getMaxY(); y++) {
      for (let x = t2.bbox.getMinX(); x <= t2.bbox.getMaxX(); x++) {
        if (!ib.contains(x, y)) t2.data[(y - t2.bbox.getMinY()) * w2 + (x - t2.bbox.getMinX())] = 0;
      }
    }
  }
  const clipped = trimTemplate(t2);
  return clipped === undefined ? undefined : { template: clipped, patched: sym.patched };
}

