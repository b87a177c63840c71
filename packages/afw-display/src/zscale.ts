import { ImageBase, type AnyPixelArray } from '@skystack/afw-image';
import { AfwDisplayInvalidArgumentError } from './errors.js';

/** A pair of display limits: the values that map to black and to white. */
export interface ScaleLimits {
  /** The value shown as black. */
  readonly min: number;
  /** The value shown as white. */
  readonly max: number;
}

/** The parameters of {@link zscale}; the defaults are IRAF's and astropy's. */
export interface ZScaleOptions {
  /** The number of pixels sampled from the image (default 1000). */
  readonly nSamples?: number;
  /** The scaling factor applied to the fitted slope, 0 < contrast ≤ 1 (default 0.25); 0 leaves the slope alone. */
  readonly contrast?: number;
  /** If more than this fraction of the samples is rejected the data min/max are returned (default 0.5). */
  readonly maxReject?: number;
  /** If fewer samples than this remain after rejection the data min/max are returned (default 5). */
  readonly minNPixels?: number;
  /** The clipping threshold in standard deviations of the residuals (default 2.5). */
  readonly krej?: number;
  /** The maximum number of fit-and-reject iterations (default 5). */
  readonly maxIterations?: number;
}

/** The pixels zscale can sample: a flat array (row-major), or an image or mask (its rows, LOCAL order). */
export type ZScaleInput = ArrayLike<number> | ImageBase<AnyPixelArray>;

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new AfwDisplayInvalidArgumentError(`zscale: ${name} must be a positive integer; got ${String(value)}.`);
  }
}

/**
 * Collects the samples as astropy does: the finite values in row-major order, every
 * `max(1, trunc(nFinite / nSamples))`-th of them, at most `nSamples`, sorted.
 */
function sampleValues(input: ZScaleInput, nSamples: number): Float64Array {
  let data: ArrayLike<number>;
  let width: number;
  let height: number;
  let stride: number;
  if (input instanceof ImageBase) {
    const view = input.array;
    ({ data, width, height, stride } = view);
  } else {
    data = input;
    width = input.length;
    height = 1;
    stride = width;
  }
  let nFinite = 0;
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let x = 0; x < width; x++) if (Number.isFinite(data[row + x])) nFinite++;
  }
  const step = Math.trunc(Math.max(1, nFinite / nSamples));
  const n = Math.min(nSamples, Math.ceil(nFinite / step));
  const samples = new Float64Array(n);
  let k = 0;
  let taken = 0;
  for (let y = 0; y < height && taken < n; y++) {
    const row = y * stride;
    for (let x = 0; x < width && taken < n; x++) {
      const v = data[row + x]!;
      if (!Number.isFinite(v)) continue;
      if (k % step === 0) samples[taken++] = v;
      k++;
    }
  }
  return samples.sort();
}

/**
 * IRAF's zscale display limits, computed exactly as astropy's `ZScaleInterval.get_limits`: a
 * line is fitted to the sorted sample with iterative `krej`-sigma rejection (rejected points are
 * grown by 1% of the sample on each pass), and the limits are the sample median ∓ the slope
 * divided by `contrast` times the distance from the centre, clipped to the sample's range. If
 * too many points are rejected the sample's min and max are returned.
 *
 * Non-finite pixels (NaN, ±Inf) are skipped before sampling. An image is sampled in LOCAL
 * row-major order (as `image.array` is flattened in numpy), so the result equals astropy's on
 * `image.array`.
 *
 * @param values - the pixels: a flat array (row-major), or an `Image` / `Mask`
 * @param options - the zscale parameters (IRAF's defaults)
 * @returns the limits `{ min, max }`
 * @throws {@link AfwDisplayInvalidArgumentError} when there is no finite pixel, or a parameter is out of range
 * @example
 * ```ts
 * const { min, max } = zscale(exposure.image);
 * display.scale('linear', min, max);
 * ```
 * @see lsst.afw.display.rgb.ZScaleMapping
 * @see astropy.visualization.ZScaleInterval
 */
export function zscale(values: ZScaleInput, options: ZScaleOptions = {}): ScaleLimits {
  const nSamples = options.nSamples ?? 1000;
  const contrast = options.contrast ?? 0.25;
  const maxReject = options.maxReject ?? 0.5;
  const minNPixels = options.minNPixels ?? 5;
  const krej = options.krej ?? 2.5;
  const maxIterations = options.maxIterations ?? 5;
  checkPositiveInteger('nSamples', nSamples);
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 0) {
    throw new AfwDisplayInvalidArgumentError(`zscale: maxIterations must be a non-negative integer; got ${String(maxIterations)}.`);
  }
  if (!(contrast >= 0)) throw new AfwDisplayInvalidArgumentError(`zscale: contrast must be ≥ 0; got ${String(contrast)}.`);
  if (!(krej > 0)) throw new AfwDisplayInvalidArgumentError(`zscale: krej must be > 0; got ${String(krej)}.`);

  const samples = sampleValues(values, nSamples);
  const npix = samples.length;
  if (npix === 0) {
    throw new AfwDisplayInvalidArgumentError('zscale: the image has no finite pixel; expected at least one.', {
      hint: 'Give explicit limits with scale(algorithm, min, max).',
    });
  }
  let vmin = samples[0]!;
  let vmax = samples[npix - 1]!;

  const minpix = Math.max(minNPixels, Math.trunc(npix * maxReject));
  const ngrow = Math.max(1, Math.trunc(npix * 0.01));
  const before = Math.floor(ngrow / 2);
  const after = ngrow - 1 - before;
  let bad = new Uint8Array(npix);
  let grown = new Uint8Array(npix);
  const prefix = new Int32Array(npix + 1);
  let ngood = npix;
  let lastNgood = npix + 1;
  let slope = NaN;

  for (let iter = 0; iter < maxIterations; iter++) {
    if (ngood >= lastNgood || ngood < minpix) break;
    // Least-squares line through the good points (centred sums for accuracy).
    let sw = 0;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < npix; i++) {
      if (bad[i]) continue;
      sw++;
      sx += i;
      sy += samples[i]!;
    }
    const xm = sx / sw;
    const ym = sy / sw;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < npix; i++) {
      if (bad[i]) continue;
      const dx = i - xm;
      sxx += dx * dx;
      sxy += dx * (samples[i]! - ym);
    }
    slope = sxx > 0 ? sxy / sxx : 0;
    const intercept = ym - slope * xm;
    // Population standard deviation of the good residuals.
    let sr = 0;
    for (let i = 0; i < npix; i++) if (!bad[i]) sr += samples[i]! - (intercept + slope * i);
    const rm = sr / sw;
    let srr = 0;
    for (let i = 0; i < npix; i++) {
      if (bad[i]) continue;
      const d = samples[i]! - (intercept + slope * i) - rm;
      srr += d * d;
    }
    const threshold = krej * Math.sqrt(srr / sw);
    for (let i = 0; i < npix; i++) {
      const r = samples[i]! - (intercept + slope * i);
      if (r < -threshold || r > threshold) bad[i] = 1;
    }
    // Grow the rejected points as numpy.convolve(bad, ones(ngrow), 'same') does:
    // point i is bad when any of bad[i - before .. i + after] is.
    prefix[0] = 0;
    for (let i = 0; i < npix; i++) prefix[i + 1] = prefix[i]! + bad[i]!;
    lastNgood = ngood;
    ngood = 0;
    for (let i = 0; i < npix; i++) {
      const lo = Math.max(0, i - before);
      const hi = Math.min(npix - 1, i + after);
      const any = prefix[hi + 1]! - prefix[lo]! > 0;
      grown[i] = any ? 1 : 0;
      if (!any) ngood++;
    }
    [bad, grown] = [grown, bad];
  }

  if (ngood >= minpix && Number.isFinite(slope)) {
    if (contrast > 0) slope /= contrast;
    const centre = Math.floor((npix - 1) / 2);
    const median = npix % 2 === 1 ? samples[centre]! : 0.5 * (samples[centre]! + samples[centre + 1]!);
    vmin = Math.max(vmin, median - (centre - 1) * slope);
    vmax = Math.min(vmax, median + (npix - centre) * slope);
  }
  return { min: vmin, max: vmax };
}
