// The pixel-level operations of lsst.ip.isr.isrFunctions (and the essentials of
// lsst.meas.algorithms.interpolateOverDefects), on afw-image masked images.
import type { Mask, MaskedImage, PixelArray } from '@skystack/afw-image';
import { makeStatistics, poissonVariance } from '@skystack/kernels';
import type { StatisticsProperty } from '@skystack/kernels';
import { IpIsrInvalidArgumentError } from './errors.js';

/** A masked image with a float32 image plane: what the ISR functions work on. */
export type MaskedImageLike = MaskedImage<PixelArray>;

/**
 * The bit mask of mask planes, adding the planes the mask does not have yet (as ip_isr adds
 * `INTRP` or `UNMASKEDNAN` on first use).
 *
 * @param mask - the mask
 * @param names - the plane names
 * @returns the OR of their bits
 * @example
 * ```ts
 * const bits = planeBits(exposure.mask, ['BAD', 'SAT']);
 * ```
 */
export function planeBits(mask: Mask, names: string | readonly string[]): number {
  let bits = 0;
  for (const name of typeof names === 'string' ? [names] : names) bits |= 1 << mask.addMaskPlane(name);
  return bits;
}

function checkSameSize(a: MaskedImageLike, b: MaskedImageLike, what: string): void {
  if (a.getWidth() !== b.getWidth() || a.getHeight() !== b.getHeight()) {
    throw new IpIsrInvalidArgumentError(
      `The ${what} is ${b.getWidth()}x${b.getHeight()} but the image is ${a.getWidth()}x${a.getHeight()}; they must have the same size.`,
      { hint: 'Assemble and trim the exposure first (doAssembleCcd), and use calibrations of the same detector.' },
    );
  }
}

/**
 * ORs the mask of `source` into `target`, plane by plane by name (planes `target` lacks are
 * added), so masks with different plane dictionaries can be combined.
 *
 * @param target - the mask to update (in place)
 * @param source - the mask to OR in, same size
 * @example
 * ```ts
 * orMaskByName(exposure.mask, bias.mask);
 * ```
 */
export function orMaskByName(target: Mask, source: Mask): void {
  const translate: Array<[number, number]> = [];
  for (const [name, bit] of source.planeDict.entries()) translate.push([1 << bit, 1 << target.addMaskPlane(name)]);
  const t = target.array;
  const s = source.array;
  const same = translate.every(([a, b]) => a === b);
  for (let y = 0; y < t.height; y++) {
    const to = y * t.stride;
    const so = y * s.stride;
    for (let x = 0; x < t.width; x++) {
      const v = s.data[so + x]!;
      if (v === 0) continue;
      if (same) {
        t.data[to + x]! |= v;
      } else {
        let out = 0;
        for (const [a, b] of translate) if ((v & a) !== 0) out |= b;
        t.data[to + x]! |= out;
      }
    }
  }
}

/**
 * Subtracts `scale × calib` from a masked image in place: image `I − c·Iₒ`, variance `V + c²·Vₒ`,
 * mask ORed by plane name (afw's `scaledMinus`).
 *
 * @param maskedImage - the image to correct
 * @param calib - the calibration, same size
 * @param scale - the factor `c`
 * @throws {@link IpIsrInvalidArgumentError} when the sizes differ
 */
function scaledMinus(maskedImage: MaskedImageLike, calib: MaskedImageLike, scale: number): void {
  const im = maskedImage.image.array;
  const va = maskedImage.variance.array;
  const ci = calib.image.array;
  const cv = calib.variance.array;
  const c2 = scale * scale;
  for (let y = 0; y < im.height; y++) {
    const io = y * im.stride;
    const vo = y * va.stride;
    const cio = y * ci.stride;
    const cvo = y * cv.stride;
    for (let x = 0; x < im.width; x++) {
      im.data[io + x] = im.data[io + x]! - scale * ci.data[cio + x]!;
      va.data[vo + x] = va.data[vo + x]! + c2 * cv.data[cvo + x]!;
    }
  }
  orMaskByName(maskedImage.mask, calib.mask);
}

/**
 * Subtracts a bias frame in place (`maskedImage -= bias`: variance adds, masks OR).
 *
 * @param maskedImage - the trimmed image to correct
 * @param biasMaskedImage - the bias, same size
 * @throws {@link IpIsrInvalidArgumentError} when the sizes differ
 * @example
 * ```ts
 * biasCorrection(exposure.maskedImage, bias.maskedImage);
 * ```
 * @see lsst.ip.isr.isrFunctions.biasCorrection
 */
export function biasCorrection(maskedImage: MaskedImageLike, biasMaskedImage: MaskedImageLike): void {
  checkSameSize(maskedImage, biasMaskedImage, 'bias');
  scaledMinus(maskedImage, biasMaskedImage, 1);
}

/**
 * Subtracts a dark frame scaled by the ratio of dark times, in place:
 * `maskedImage -= dark × expScale / darkScale` (or adds it back with `invert`).
 *
 * @param maskedImage - the trimmed image to correct
 * @param darkMaskedImage - the dark, same size
 * @param expScale - dark time of the image, s
 * @param darkScale - dark time of the dark, s
 * @param invert - add the dark instead (undo a correction)
 * @throws {@link IpIsrInvalidArgumentError} when the sizes differ or a scale is not positive
 * @example
 * ```ts
 * darkCorrection(exposure.maskedImage, dark.maskedImage, 30, 1);
 * ```
 * @see lsst.ip.isr.isrFunctions.darkCorrection
 */
export function darkCorrection(
  maskedImage: MaskedImageLike,
  darkMaskedImage: MaskedImageLike,
  expScale: number,
  darkScale: number,
  invert = false,
): void {
  checkSameSize(maskedImage, darkMaskedImage, 'dark');
  if (!(darkScale > 0) || !Number.isFinite(expScale)) {
    throw new IpIsrInvalidArgumentError(`Dark scaling needs a finite exposure dark time and a positive dark dark time; got ${expScale} and ${darkScale}.`);
  }
  const scale = expScale / darkScale;
  scaledMinus(maskedImage, darkMaskedImage, invert ? -scale : scale);
}

/** How a flat is normalised before it divides the image (ip_isr's `flatScalingType`). */
export type FlatScalingType = 'USER' | 'MEAN' | 'MEDIAN';

/**
 * Divides by a flat in place: `maskedImage /= flat / flatScale` where `flatScale` is `userScale`
 * (`'USER'`) or the mean or median of the flat's image plane. The variance follows afw's
 * division (`V/f² + I²·V_f/f⁴`); masks OR by plane name. With `invert` the image is multiplied
 * instead (un-flattened).
 *
 * @param maskedImage - the trimmed image to correct
 * @param flatMaskedImage - the flat, same size
 * @param scalingType - `'USER'`, `'MEAN'` or `'MEDIAN'`
 * @param userScale - the scale for `'USER'`
 * @param invert - multiply instead of divide
 * @returns the scale used
 * @throws {@link IpIsrInvalidArgumentError} when the sizes differ or the scaling type is unknown
 * @example
 * ```ts
 * flatCorrection(exposure.maskedImage, flat.maskedImage, 'USER', 1);
 * ```
 * @see lsst.ip.isr.isrFunctions.flatCorrection
 */
export function flatCorrection(
  maskedImage: MaskedImageLike,
  flatMaskedImage: MaskedImageLike,
  scalingType: FlatScalingType,
  userScale = 1,
  invert = false,
): number {
  checkSameSize(maskedImage, flatMaskedImage, 'flat');
  let flatScale: number;
  if (scalingType === 'MEAN' || scalingType === 'MEDIAN') {
    const f = flatMaskedImage.image.array;
    flatScale = makeStatistics(f.data, {
      properties: [scalingType],
      region: { stride: f.stride, x0: 0, y0: 0, width: f.width, height: f.height },
    }).getValue(scalingType);
  } else if (scalingType === 'USER') {
    flatScale = userScale;
  } else {
    throw new IpIsrInvalidArgumentError(`Unknown flat scaling type '${String(scalingType)}'.`, { hint: "Expected 'USER', 'MEAN' or 'MEDIAN'." });
  }
  const c = 1 / flatScale;
  const im = maskedImage.image.array;
  const va = maskedImage.variance.array;
  const fi = flatMaskedImage.image.array;
  const fv = flatMaskedImage.variance.array;
  for (let y = 0; y < im.height; y++) {
    const io = y * im.stride;
    const vo = y * va.stride;
    const fio = y * fi.stride;
    const fvo = y * fv.stride;
    for (let x = 0; x < im.width; x++) {
      const f = c * fi.data[fio + x]!;
      const vf = c * c * fv.data[fvo + x]!;
      const a = im.data[io + x]!;
      const v = va.data[vo + x]!;
      if (invert) {
        im.data[io + x] = a * f;
        va.data[vo + x] = f * f * v + a * a * vf;
      } else {
        const q = a / f;
        im.data[io + x] = q;
        va.data[vo + x] = (v + q * q * vf) / (f * f);
      }
    }
  }
  orMaskByName(maskedImage.mask, flatMaskedImage.mask);
  return flatScale;
}

/**
 * Sets the variance plane from the image plane, in ADU²: `V = I / gain + (readNoise / gain)²`
 * (gain in electron/ADU, read noise in electrons), as ip_isr's `updateVariance`. The pass is the
 * kernels' `poissonVariance`, on their default backend (split over its threads when it is a
 * parallel one).
 *
 * @param maskedImage - the image (its variance is written)
 * @param gain - electron/ADU
 * @param readNoise - electrons
 * @param replace - replace the variance (default) or add to it
 * @example
 * ```ts
 * updateVariance(ampExposure.maskedImage, 1.5, 4.5);
 * ```
 * @see lsst.ip.isr.isrFunctions.updateVariance
 */
export function updateVariance(maskedImage: MaskedImageLike, gain: number, readNoise: number, replace = true): void {
  const im = maskedImage.image.array;
  const va = maskedImage.variance.array;
  poissonVariance(im.data, va.data, {
    width: im.width,
    height: im.height,
    gain,
    readNoise,
    accumulate: !replace,
    imageStride: im.stride,
    stride: va.stride,
  });
}

/**
 * Dilates the pixels that have any of `maskNameList`'s bits by `radius` with a Manhattan
 * (diamond) stencil, setting `maskValue` on the grown pixels, as ip_isr's `growMasks` (afw's
 * non-isotropic footprint growth).
 *
 * @param mask - the mask (in place)
 * @param radius - the growth, pixels (nothing happens for 0)
 * @param maskNameList - the planes to grow
 * @param maskValue - the plane set on the grown area
 * @returns the number of pixels that gained `maskValue`
 * @example
 * ```ts
 * growMasks(exposure.mask, 1, ['SAT'], 'SAT');
 * ```
 * @see lsst.ip.isr.isrFunctions.growMasks
 */
export function growMasks(mask: Mask, radius: number, maskNameList: string | readonly string[] = ['BAD'], maskValue = 'BAD'): number {
  if (!(radius > 0)) return 0;
  const src = planeBits(mask, maskNameList);
  const dst = planeBits(mask, maskValue);
  const { data, width, height, stride } = mask.array;
  // Seeds: the pixels with a source bit (collected first, so growth does not feed on itself).
  let seeds = new Int32Array(1024);
  let n = 0;
  for (let y = 0; y < height; y++) {
    const o = y * stride;
    for (let x = 0; x < width; x++) {
      if ((data[o + x]! & src) === 0) continue;
      if (n + 2 > seeds.length) {
        const bigger = new Int32Array(seeds.length * 2);
        bigger.set(seeds);
        seeds = bigger;
      }
      seeds[n++] = x;
      seeds[n++] = y;
    }
  }
  let added = 0;
  for (let k = 0; k < n; k += 2) {
    const sx = seeds[k]!;
    const sy = seeds[k + 1]!;
    for (let dy = -radius; dy <= radius; dy++) {
      const y = sy + dy;
      if (y < 0 || y >= height) continue;
      const span = radius - Math.abs(dy);
      const x0 = Math.max(0, sx - span);
      const x1 = Math.min(width - 1, sx + span);
      const o = y * stride;
      for (let x = x0; x <= x1; x++) {
        if ((data[o + x]! & dst) === 0) {
          data[o + x]! |= dst;
          added++;
        }
      }
    }
  }
  return added;
}

/**
 * Masks the pixels at or above a threshold, grown by `growFootprints` (Manhattan), as ip_isr's
 * `makeThresholdMask` (afw's `FootprintSet` with a value threshold, which includes pixels
 * `>= threshold`).
 *
 * @param maskedImage - the image (or a view of it); only its mask changes
 * @param threshold - the level; NaN masks nothing
 * @param growFootprints - the growth, pixels
 * @param maskName - the plane to set
 * @returns the number of pixels at or above the threshold
 * @example
 * ```ts
 * makeThresholdMask(ampView, amp.saturation, 0, 'SAT');
 * ```
 * @see lsst.ip.isr.isrFunctions.makeThresholdMask
 */
export function makeThresholdMask(maskedImage: MaskedImageLike, threshold: number, growFootprints = 1, maskName = 'SAT'): number {
  if (Number.isNaN(threshold)) return 0;
  const bit = planeBits(maskedImage.mask, maskName);
  const im = maskedImage.image.array;
  const m = maskedImage.mask.array;
  let n = 0;
  if (growFootprints > 0) {
    // Mark on a scratch plane so only the new footprints are grown, not earlier bits of the plane.
    const scratchName = '__ISR_THRESHOLD_SCRATCH';
    const scratch = planeBits(maskedImage.mask, scratchName);
    for (let y = 0; y < im.height; y++) {
      for (let x = 0; x < im.width; x++) {
        if (im.data[y * im.stride + x]! >= threshold) {
          m.data[y * m.stride + x]! |= scratch;
          n++;
        }
      }
    }
    growMasks(maskedImage.mask, growFootprints, scratchName, scratchName);
    for (let y = 0; y < m.height; y++) {
      for (let x = 0; x < m.width; x++) {
        const i = y * m.stride + x;
        if ((m.data[i]! & scratch) !== 0) m.data[i] = (m.data[i]! & ~scratch) | bit;
      }
    }
    maskedImage.mask.planeDict.removePlane(scratchName);
    return n;
  }
  for (let y = 0; y < im.height; y++) {
    for (let x = 0; x < im.width; x++) {
      if (im.data[y * im.stride + x]! >= threshold) {
        m.data[y * m.stride + x]! |= bit;
        n++;
      }
    }
  }
  return n;
}

/**
 * Widens saturation trails row by row according to the width of each saturated run, as ip_isr's
 * `widenSaturationTrails`: runs of 1–5 pixels are kept, 6–7 grow by 1 on each side, 8–9 by 3,
 * 10 or more by 4.
 *
 * @param mask - the mask (in place); its `SAT` plane is widened
 * @param saturatedMaskName - the plane (default `SAT`)
 * @example
 * ```ts
 * widenSaturationTrails(exposure.mask);
 * ```
 * @see lsst.ip.isr.isrFunctions.widenSaturationTrails
 */
export function widenSaturationTrails(mask: Mask, saturatedMaskName = 'SAT'): void {
  const bit = planeBits(mask, saturatedMaskName);
  const { data, width, height, stride } = mask.array;
  const runs: number[] = [];
  for (let y = 0; y < height; y++) {
    const o = y * stride;
    runs.length = 0;
    let x = 0;
    while (x < width) {
      if ((data[o + x]! & bit) === 0) {
        x++;
        continue;
      }
      const x0 = x;
      while (x < width && (data[o + x]! & bit) !== 0) x++;
      runs.push(x0, x - 1);
    }
    for (let k = 0; k < runs.length; k += 2) {
      const x0 = runs[k]!;
      const x1 = runs[k + 1]!;
      const w = x1 - x0 + 1;
      const grow = w <= 5 ? 0 : w <= 7 ? 1 : w <= 9 ? 3 : 4;
      if (grow === 0) continue;
      const a = Math.max(0, x0 - grow);
      const b = Math.min(width - 1, x1 + grow);
      for (let i = a; i <= b; i++) data[o + i]! |= bit;
    }
  }
}

/**
 * Masks non-finite image pixels (NaN, ±∞) with `maskVal`, whatever their other bits.
 *
 * @param maskedImage - the image
 * @param maskVal - the bits to set
 * @returns the number of non-finite pixels
 * @example
 * ```ts
 * const n = maskNans(mi, planeBits(mi.mask, 'UNMASKEDNAN'));
 * ```
 * @see lsst.ip.isr.maskNans
 */
export function maskNans(maskedImage: MaskedImageLike, maskVal: number): number {
  const im = maskedImage.image.array;
  const m = maskedImage.mask.array;
  let n = 0;
  for (let y = 0; y < im.height; y++) {
    for (let x = 0; x < im.width; x++) {
      if (!Number.isFinite(im.data[y * im.stride + x]!)) {
        m.data[y * m.stride + x]! |= maskVal;
        n++;
      }
    }
  }
  return n;
}

/** The statistics {@link setBadRegions} can use (ip_isr's `badStatistic`). */
export type BadStatistic = 'MEANCLIP' | 'MEDIAN';

function imageStatistic(maskedImage: MaskedImageLike, property: StatisticsProperty, andMask: number): number {
  // Compact planes only (stride === width), see statisticExcluding.
  const im = maskedImage.image.array;
  const m = maskedImage.mask.array;
  return makeStatistics(im.data.subarray(0, im.width * im.height), {
    properties: [property],
    ...(andMask === 0 ? {} : { mask: m.data.subarray(0, m.width * m.height), andMask }),
  }).getValue(property);
}

/** What {@link setBadRegions} returns. */
export interface BadRegionsResult {
  /** The number of pixels set. */
  readonly count: number;
  /** The value they were set to (NaN when none was needed). */
  readonly value: number;
}

/**
 * Sets every `BAD` pixel not yet interpolated (`INTRP` unset) to a statistic of the pixels that
 * are not `BAD`, as ip_isr's `setBadRegions`.
 *
 * @param maskedImage - the image (in place)
 * @param badStatistic - `'MEANCLIP'` or `'MEDIAN'`
 * @returns the number of pixels set and the value
 * @throws {@link IpIsrInvalidArgumentError} for another statistic
 * @example
 * ```ts
 * const { count, value } = setBadRegions(exposure.maskedImage, 'MEANCLIP');
 * ```
 * @see lsst.ip.isr.isrFunctions.setBadRegions
 */
export function setBadRegions(maskedImage: MaskedImageLike, badStatistic: BadStatistic = 'MEDIAN'): BadRegionsResult {
  if (badStatistic !== 'MEANCLIP' && badStatistic !== 'MEDIAN') {
    throw new IpIsrInvalidArgumentError(`Impossible method '${String(badStatistic)}' of bad region correction.`, { hint: "Expected 'MEANCLIP' or 'MEDIAN'." });
  }
  const bad = planeBits(maskedImage.mask, 'BAD');
  const intrp = planeBits(maskedImage.mask, 'INTRP');
  const im = maskedImage.image.array;
  const m = maskedImage.mask.array;
  let count = 0;
  for (let y = 0; y < m.height && count === 0; y++) {
    for (let x = 0; x < m.width; x++) {
      const v = m.data[y * m.stride + x]!;
      if ((v & bad) !== 0 && (v & intrp) === 0) {
        count = 1;
        break;
      }
    }
  }
  if (count === 0) return { count: 0, value: NaN };
  const value = statisticExcluding(maskedImage, badStatistic, bad);
  count = 0;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      const v = m.data[y * m.stride + x]!;
      if ((v & bad) !== 0 && (v & intrp) === 0) {
        im.data[y * im.stride + x] = value;
        count++;
      }
    }
  }
  return { count, value };
}

/** A statistic of the image pixels without any of `andMask`'s bits (handles views with strides). */
function statisticExcluding(maskedImage: MaskedImageLike, property: StatisticsProperty, andMask: number): number {
  const im = maskedImage.image.array;
  const m = maskedImage.mask.array;
  if (im.stride === im.width && m.stride === m.width) return imageStatistic(maskedImage, property, andMask);
  // A view: copy the good pixels into a compact buffer.
  const buf = new Float32Array(im.width * im.height);
  let n = 0;
  for (let y = 0; y < im.height; y++) {
    for (let x = 0; x < im.width; x++) {
      if ((m.data[y * m.stride + x]! & andMask) === 0) buf[n++] = im.data[y * im.stride + x]!;
    }
  }
  if (n === 0) return NaN;
  return makeStatistics(buf.subarray(0, n), { properties: [property] }).getValue(property);
}

/**
 * Marks the pixels within `numEdgePixels` of the edges of the image (or of each box in `boxes`,
 * given in the image's PARENT coordinates) with `maskPlane`, as IsrTask's `maskEdges`.
 *
 * @param maskedImage - the image
 * @param numEdgePixels - the border width, pixels
 * @param maskPlane - the plane (default `SUSPECT`)
 * @param boxes - boxes whose borders to mask (default: the whole image)
 * @example
 * ```ts
 * maskEdges(exposure.maskedImage, 2, 'SUSPECT');
 * ```
 * @see lsst.ip.isr.IsrTask.maskEdges
 */
export function maskEdges(
  maskedImage: MaskedImageLike,
  numEdgePixels: number,
  maskPlane = 'SUSPECT',
  boxes?: readonly { minX: number; minY: number; maxX: number; maxY: number }[],
): void {
  if (!(numEdgePixels > 0)) return;
  const bit = planeBits(maskedImage.mask, maskPlane);
  const bbox = maskedImage.getBBox();
  const m = maskedImage.mask.array;
  const list = boxes ?? [{ minX: bbox.minX, minY: bbox.minY, maxX: bbox.maxX, maxY: bbox.maxY }];
  for (const b of list) {
    for (let y = b.minY; y <= b.maxY; y++) {
      for (let x = b.minX; x <= b.maxX; x++) {
        const edge = x - b.minX < numEdgePixels || b.maxX - x < numEdgePixels || y - b.minY < numEdgePixels || b.maxY - y < numEdgePixels;
        if (edge) m.data[(y - bbox.minY) * m.stride + (x - bbox.minX)]! |= bit;
      }
    }
  }
}

/** Options of {@link interpolateOverDefects}. */
export interface InterpolateOptions {
  /**
   * The value given to pixels that cannot be interpolated (a run touching the image edge, or
   * longer than `maxInterpolationDistance`); default: the clipped mean (`MEANCLIP`) of the image,
   * computed only when needed.
   */
  readonly fallbackValue?: number;
  /** Longest run (pixels) interpolated from its neighbours; longer runs get the fallback. 0 (default): no limit. */
  readonly maxInterpolationDistance?: number;
}

/**
 * Replaces every pixel that has any of `badBits` by linear interpolation along its row between
 * the nearest good pixels on either side, and sets `INTRP` on it — the essentials of
 * meas_algorithms' `interpolateOverDefects` (with `useFallbackValueAtEdge`): a run that touches
 * the left or right edge, or is longer than `maxInterpolationDistance`, gets the fallback value.
 * The variance plane is left as it is.
 *
 * @param maskedImage - the image (in place)
 * @param badBits - the mask bits to interpolate over
 * @param options - fallback value and maximum run length
 * @returns the number of pixels replaced
 * @example
 * ```ts
 * interpolateOverDefects(mi, mi.mask.getPlaneBitMask(['BAD', 'SAT']));
 * ```
 * @see lsst.meas.algorithms.interpolateOverDefects
 */
export function interpolateOverDefects(maskedImage: MaskedImageLike, badBits: number, options: InterpolateOptions = {}): number {
  if (badBits === 0) return 0;
  const intrp = planeBits(maskedImage.mask, 'INTRP');
  const im = maskedImage.image.array;
  const m = maskedImage.mask.array;
  const maxRun = options.maxInterpolationDistance ?? 0;
  let fallback = options.fallbackValue;
  const getFallback = (): number => {
    fallback ??= statisticExcluding(maskedImage, 'MEANCLIP', 0);
    return fallback;
  };
  let n = 0;
  for (let y = 0; y < im.height; y++) {
    const io = y * im.stride;
    const mo = y * m.stride;
    let x = 0;
    while (x < im.width) {
      if ((m.data[mo + x]! & badBits) === 0) {
        x++;
        continue;
      }
      const x0 = x;
      while (x < im.width && (m.data[mo + x]! & badBits) !== 0) x++;
      const x1 = x - 1;
      const len = x1 - x0 + 1;
      if (x0 > 0 && x1 < im.width - 1 && (maxRun <= 0 || len <= maxRun)) {
        const left = im.data[io + x0 - 1]!;
        const right = im.data[io + x1 + 1]!;
        const step = (right - left) / (len + 1);
        for (let k = x0; k <= x1; k++) im.data[io + k] = left + step * (k - x0 + 1);
      } else {
        const v = getFallback();
        for (let k = x0; k <= x1; k++) im.data[io + k] = v;
      }
      for (let k = x0; k <= x1; k++) m.data[mo + k]! |= intrp;
      n += len;
    }
  }
  return n;
}

/** Options of {@link interpolateFromMask}. */
export interface InterpolateFromMaskOptions extends InterpolateOptions {
  /** The planes to interpolate over (default `['SAT']`). */
  readonly maskNameList?: readonly string[];
  /** Growth of the `SAT` plane before interpolating, when `SAT` is in the list (default 1). */
  readonly growSaturatedFootprints?: number;
}

/**
 * Interpolates over the pixels of some mask planes, growing `SAT` first by
 * `growSaturatedFootprints` when it is one of them, as ip_isr's `interpolateFromMask`.
 *
 * @param maskedImage - the image (in place)
 * @param options - planes, saturation growth, fallback, maximum run length
 * @returns the number of pixels replaced
 * @example
 * ```ts
 * interpolateFromMask(exposure.maskedImage, { maskNameList: ['SAT', 'BAD'], growSaturatedFootprints: 1 });
 * ```
 * @see lsst.ip.isr.isrFunctions.interpolateFromMask
 */
export function interpolateFromMask(maskedImage: MaskedImageLike, options: InterpolateFromMaskOptions = {}): number {
  const names = options.maskNameList ?? ['SAT'];
  const grow = options.growSaturatedFootprints ?? 1;
  if (grow > 0 && names.includes('SAT')) growMasks(maskedImage.mask, grow, ['SAT'], 'SAT');
  return interpolateOverDefects(maskedImage, planeBits(maskedImage.mask, names), options);
}
