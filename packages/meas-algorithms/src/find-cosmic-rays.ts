import type { MaskedImage, PixelArray, Psf } from '@skystack/afw-image';
import { Footprint, SpanSet } from '@skystack/afw-table';
import { Config, Field } from '@skystack/pex-config';
import { MeasAlgorithmsTooManyCosmicRaysError } from './errors.js';

/**
 * Configuration of {@link findCosmicRays}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.findCosmicRaysConfig.FindCosmicRaysConfig
 */
export class FindCosmicRaysConfig extends Config {
  /** Maximum number of contaminated pixels. */
  nCrPixelMax = Field.int({ default: 10000, doc: 'maximum number of contaminated pixels' });
  /** CRs must be more than this many sky sigma above the sky. */
  minSigma = Field.float({ default: 6.0, doc: 'CRs must be > this many sky-sig above sky' });
  /** CRs must have more than this many DN (electrons / gain) above the sky at their peak. */
  min_DN = Field.float({ default: 150.0, doc: 'CRs must have > this many DN (== electrons/gain) in initial detection' });
  /** Noise multiplier in condition 3 (sharper than the PSF allows). */
  cond3_fac = Field.float({ default: 2.5, doc: 'used in condition 3 for CR; see CR.cc code' });
  /** Fraction of the PSF's neighbour-to-peak ratio in condition 3. */
  cond3_fac2 = Field.float({ default: 0.6, doc: 'used in condition 3 for CR; see CR.cc code' });
  /** Number of times to look for contaminated pixels next to known CR pixels. */
  niteration = Field.int({ default: 3, doc: 'number of times to look for contaminated pixels near known CR pixels' });
  /** Do not interpolate over the CR pixels (mask only). */
  keepCRs = Field.bool({ default: false, doc: "Don't interpolate over CR pixels" });
}

/** The PSF-based thresholds of condition 3 and the noise multiplier. */
interface Cond3 {
  readonly thresH: number;
  readonly thresV: number;
  readonly thresD: number;
  readonly fac: number;
}

/** Pixel access for the scan: the image (changed in place as CR pixels are replaced) and the variance. */
interface Planes {
  readonly data: { [i: number]: number };
  readonly stride: number;
  readonly vdata: ArrayLike<number>;
  readonly vstride: number;
}

/**
 * Whether pixel (i, j) (not on the image border) is a cosmic-ray pixel by SDSS's conditions 2 and
 * 3, and the estimate of its true value (sky added back) when it is.
 *
 * Condition 2: the pixel exceeds the mean of at least one pair of opposite neighbours by
 * `minSigma` standard deviations. Condition 3: for some direction, `thres × (peak − fac σ_peak) >
 * mean + fac σ_mean`, where `thres` is `cond3_fac2` times the PSF's neighbour-to-peak ratio in
 * that direction: the pixel is sharper than any star could be.
 */
function isCrPixel(planes: Planes, i: number, j: number, minSigma: number, bkgd: number, c3: Cond3): number | undefined {
  const { data, stride, vdata, vstride } = planes;
  const p = j * stride + i;
  const v = Number(data[p]);
  if (v < 0) return undefined;
  const var0 = Number(vdata[j * vstride + i]);
  const thr = minSigma * Math.sqrt(var0);
  const we = 0.5 * (Number(data[p - 1]) + Number(data[p + 1]));
  const ns = 0.5 * (Number(data[p - stride]) + Number(data[p + stride]));
  const swne = 0.5 * (Number(data[p - stride - 1]) + Number(data[p + stride + 1]));
  const nwse = 0.5 * (Number(data[p + stride - 1]) + Number(data[p - stride + 1]));
  if (v < ns + thr && v < we + thr && v < swne + thr && v < nwse + thr) return undefined;
  const q = j * vstride + i;
  const dpeak = Math.sqrt(var0);
  const peak = v - bkgd;
  const dWe = 0.5 * Math.sqrt(Number(vdata[q - 1]) + Number(vdata[q + 1]));
  const dNs = 0.5 * Math.sqrt(Number(vdata[q - vstride]) + Number(vdata[q + vstride]));
  const dSwne = 0.5 * Math.sqrt(Number(vdata[q - vstride - 1]) + Number(vdata[q + vstride + 1]));
  const dNwse = 0.5 * Math.sqrt(Number(vdata[q + vstride - 1]) + Number(vdata[q - vstride + 1]));
  const f = c3.fac;
  if (c3.thresV * (peak - f * dpeak) > ns - bkgd + f * dNs) return ns;
  if (c3.thresH * (peak - f * dpeak) > we - bkgd + f * dWe) return we;
  if (c3.thresD * (peak - f * dpeak) > swne - bkgd + f * dSwne) return swne;
  if (c3.thresD * (peak - f * dpeak) > nwse - bkgd + f * dNwse) return nwse;
  return undefined;
}

/**
 * The first column `x` in `[i, end)` of row `j` whose pixel is not rejected by the first test of
 * {@link isCrPixel} (negative, or below every pair of neighbours plus `minSigma √variance`), with
 * the same arithmetic; `end` when there is none.
 */
function nextCandidate(data: Float32Array, stride: number, vdata: Float32Array, vstride: number, j: number, i: number, end: number, minSigma: number): number {
  const row = j * stride;
  const vrow = j * vstride;
  for (; i < end; i++) {
    const p = row + i;
    const v = data[p]!;
    if (v < 0) continue;
    const thr = minSigma * Math.sqrt(vdata[vrow + i]!);
    const we = 0.5 * (data[p - 1]! + data[p + 1]!);
    const ns = 0.5 * (data[p - stride]! + data[p + stride]!);
    const swne = 0.5 * (data[p - stride - 1]! + data[p + stride + 1]!);
    const nwse = 0.5 * (data[p + stride - 1]! + data[p - stride + 1]!);
    if (v < ns + thr && v < we + thr && v < swne + thr && v < nwse + thr) continue;
    return i;
  }
  return end;
}

/**
 * Replaces flagged pixels by interpolation from unflagged ones: along each of the four directions
 * through the pixel, the linear interpolation between the nearest unflagged pixels on either side
 * (within `reach` pixels); the value is the median of the directional estimates. Pixels with no
 * estimate take the mean of the unflagged pixels in the surrounding 5 × 5 box, or `fallback`.
 *
 * @param image - the pixels, row-major with `stride` (changed in place)
 * @param width - the row length
 * @param height - the number of rows
 * @param stride - the distance between rows in `image`
 * @param isFlagged - whether the pixel at compact index `y × width + x` is flagged
 * @param pixels - the compact indices (`y × width + x`) of the flagged pixels to replace
 * @param reach - how far to look for unflagged pixels
 * @param fallback - the value when nothing is near
 * @example
 * ```ts
 * interpolateFlaggedPixels(data, w, h, w, (p) => bad.has(p), [...bad], 4, 0);
 * ```
 */
export function interpolateFlaggedPixels(
  image: { [i: number]: number },
  width: number,
  height: number,
  stride: number,
  isFlagged: (p: number) => boolean,
  pixels: ArrayLike<number>,
  reach: number,
  fallback: number,
): void {
  const dirs = [
    [1, 0],
    [0, 1],
    [1, 1],
    [1, -1],
  ] as const;
  const values = new Float64Array(pixels.length);
  const est: number[] = [];
  const side = (x: number, y: number, dx: number, dy: number): [number, number] | undefined => {
    for (let d = 1; d <= reach; d++) {
      const xx = x + d * dx;
      const yy = y + d * dy;
      if (xx < 0 || yy < 0 || xx >= width || yy >= height) return undefined;
      if (!isFlagged(yy * width + xx)) return [Number(image[yy * stride + xx]), d];
    }
    return undefined;
  };
  for (let k = 0; k < pixels.length; k++) {
    const p = pixels[k]!;
    const x = p % width;
    const y = (p - x) / width;
    est.length = 0;
    for (const [dx, dy] of dirs) {
      const a = side(x, y, -dx, -dy);
      if (a === undefined) continue;
      const b = side(x, y, dx, dy);
      if (b === undefined) continue;
      est.push((a[0] * b[1] + b[0] * a[1]) / (a[1] + b[1]));
    }
    if (est.length > 0) {
      est.sort((u, v) => u - v);
      const m = est.length;
      values[k] = m % 2 === 1 ? est[(m - 1) / 2]! : 0.5 * (est[m / 2 - 1]! + est[m / 2]!);
      continue;
    }
    let s = 0;
    let n = 0;
    for (let yy = Math.max(0, y - 2); yy <= Math.min(height - 1, y + 2); yy++) {
      for (let xx = Math.max(0, x - 2); xx <= Math.min(width - 1, x + 2); xx++) {
        if (!isFlagged(yy * width + xx)) {
          s += Number(image[yy * stride + xx]);
          n++;
        }
      }
    }
    values[k] = n > 0 ? s / n : fallback;
  }
  for (let k = 0; k < pixels.length; k++) {
    const p = pixels[k]!;
    const x = p % width;
    image[((p - x) / width) * stride + x] = values[k]!;
  }
}

/**
 * Finds cosmic rays in a masked image with SDSS's algorithm (as LSST's `findCosmicRays`), sets
 * the CR mask plane on them and (unless `keep`) replaces their pixels by interpolation.
 *
 * A pixel is a CR candidate when (2) it is `minSigma` standard deviations above the mean of a pair
 * of opposite neighbours, (3) it is sharper than the PSF allows: in some direction
 * `cond3_fac2 × (PSF neighbour / PSF peak) × (peak − cond3_fac σ) > neighbour mean + cond3_fac σ_mean`
 * (values relative to `bkgd`), and (4) it is not BAD, SAT or INTRP. Candidates are replaced by
 * their neighbour estimate as the scan proceeds (so that the next pixel of a track is judged
 * against the cleaned one), grouped into 8-connected CRs, and (1) a CR whose brightest pixel is
 * less than `min_DN` above `bkgd` is dropped. Then, `niteration` times, the pixels around each CR
 * are re-examined with `minSigma / 2` and `cond3_fac = 0`, and added when they pass.
 *
 * @param maskedImage - the image (its mask gets CR; its image is repaired unless `keep`)
 * @param psf - the PSF (its kernel image at the average position gives the condition-3 thresholds)
 * @param bkgd - the unsubtracted background level (0 for a background-subtracted image)
 * @param config - the configuration
 * @param keep - leave the CR pixels' values as they are (default `config.keepCRs`)
 * @returns the CRs' footprints (PARENT coordinates; one peak each, at the brightest pixel)
 * @throws {@link MeasAlgorithmsTooManyCosmicRaysError} when more than `nCrPixelMax` pixels are found
 * @example
 * ```ts
 * const crs = findCosmicRays(exposure.maskedImage, exposure.getPsf()!, 0, new FindCosmicRaysConfig());
 * ```
 * @see lsst.meas.algorithms.findCosmicRays
 */
export function findCosmicRays(maskedImage: MaskedImage<PixelArray>, psf: Psf, bkgd: number, config: FindCosmicRaysConfig, keep: boolean = config.keepCRs): Footprint[] {
  const image = maskedImage.image;
  const { data, width: w, height: h, stride } = image.array;
  const variance = maskedImage.variance.array;
  const mask = maskedImage.mask;
  const mdata = mask.array.data;
  const mstride = mask.array.stride;
  const x0 = image.getX0();
  const y0 = image.getY0();
  const kernel = psf.computeKernelImage();
  const p0 = kernel.get(0, 0);
  const c3: Cond3 = {
    thresH: (config.cond3_fac2 * kernel.get(1, 0)) / p0,
    thresV: (config.cond3_fac2 * kernel.get(0, 1)) / p0,
    thresD: (config.cond3_fac2 * kernel.get(1, 1)) / p0,
    fac: config.cond3_fac,
  };
  const crBit = mask.getPlaneBitMask('CR');
  const badMask = mask.getPlaneBitMask(['BAD', 'INTRP', 'SAT']);
  // The scan replaces CR pixels in the image as it goes (as afw does); `original` keeps their
  // values so that they can be restored (keep, condition 1, errors).
  const planes: Planes = { data: data as unknown as { [i: number]: number }, stride, vdata: variance.data, vstride: variance.stride };
  const original = new Map<number, number>();
  const isCr = new Set<number>();
  const crPixels: number[] = [];
  const restoreAll = (): void => {
    for (const [p, v] of original) {
      const px = p % w;
      data[((p - px) / w) * stride + px] = v;
    }
  };
  const replace = (p: number, i: number, j: number, value: number): void => {
    if (!original.has(p)) original.set(p, Number(data[j * stride + i]));
    data[j * stride + i] = value;
  };
  // Float32 planes (the usual case): a typed scan applies the first condition (the pixel stands
  // above all four pairs of neighbours by minSigma·σ) with exactly isCrPixel's arithmetic, and
  // only the pixels that pass it are examined further.
  const vdata = variance.data;
  const fast = data instanceof Float32Array && vdata instanceof Float32Array;
  for (let j = 1; j < h - 1; j++) {
    for (let i = 1; i < w - 1; i++) {
      if (fast) {
        i = nextCandidate(data, stride, vdata, variance.stride, j, i, w - 1, config.minSigma);
        if (i >= w - 1) break;
      }
      const estimate = isCrPixel(planes, i, j, config.minSigma, bkgd, c3);
      if (estimate === undefined) continue;
      if ((mdata[j * mstride + i]! & badMask) !== 0) continue;
      const p = j * w + i;
      crPixels.push(p);
      isCr.add(p);
      replace(p, i, j, estimate);
      if (crPixels.length > config.nCrPixelMax) {
        restoreAll();
        throw new MeasAlgorithmsTooManyCosmicRaysError(`Too many CR pixels (max ${config.nCrPixelMax}).`, {
          hint: 'Check the variance plane and the PSF, or raise FindCosmicRaysConfig.nCrPixelMax.',
        });
      }
    }
  }
  // Group into 8-connected CRs and apply condition 1.
  const label = new Map<number, number>();
  let groups: number[][] = [];
  const stack: number[] = [];
  for (const seed of crPixels) {
    if (label.has(seed)) continue;
    const id = groups.length;
    const members: number[] = [];
    label.set(seed, id);
    stack.push(seed);
    while (stack.length > 0) {
      const p = stack.pop()!;
      members.push(p);
      const px = p % w;
      const py = (p - px) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const q = (py + dy) * w + px + dx;
          if (isCr.has(q) && !label.has(q)) {
            label.set(q, id);
            stack.push(q);
          }
        }
      }
    }
    groups.push(members);
  }
  groups = groups.filter((members) => {
    let max = -Infinity;
    for (const p of members) max = Math.max(max, original.get(p)!);
    if (max - bkgd >= config.min_DN) return true;
    for (const p of members) {
      isCr.delete(p);
      const px = p % w;
      data[((p - px) / w) * stride + px] = original.get(p)!;
      original.delete(p);
    }
    return false;
  });
  // Clean the CRs, then look for contaminated pixels around them.
  const flagged = (p: number): boolean => isCr.has(p);
  const interpolateGroups = (): void => {
    interpolateFlaggedPixels(planes.data, w, h, stride, flagged, groups.flat(), 4, bkgd);
  };
  interpolateGroups();
  const extraC3: Cond3 = { ...c3, fac: 0 };
  for (let iter = 0; iter < config.niteration; iter++) {
    let nExtra = 0;
    for (const members of groups) {
      const added: number[] = [];
      for (const p of members) {
        const px = p % w;
        const py = (p - px) / w;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const qx = px + dx;
            const qy = py + dy;
            if (qx < 2 || qy < 1 || qx >= w - 2 || qy >= h - 1) continue;
            const q = qy * w + qx;
            if (isCr.has(q)) continue;
            const estimate = isCrPixel(planes, qx, qy, config.minSigma / 2, bkgd, extraC3);
            if (estimate === undefined || (mdata[qy * mstride + qx]! & badMask) !== 0) continue;
            isCr.add(q);
            replace(q, qx, qy, estimate);
            added.push(q);
          }
        }
      }
      nExtra += added.length;
      members.push(...added);
    }
    if (nExtra === 0) break;
    interpolateGroups();
  }
  // Footprints and the mask; the original values back when keeping the CRs.
  const region = maskedImage.getBBox();
  const footprints = groups.map((members) => {
    members.sort((a, b) => a - b);
    const ys: number[] = [];
    const a: number[] = [];
    const b: number[] = [];
    let peak = members[0]!;
    for (const p of members) {
      if (original.get(p)! > original.get(peak)!) peak = p;
      const px = p % w;
      const py = (p - px) / w;
      const last = ys.length - 1;
      if (last >= 0 && ys[last] === py + y0 && b[last] === px + x0 - 1) b[last] = px + x0;
      else {
        ys.push(py + y0);
        a.push(px + x0);
        b.push(px + x0);
      }
      mdata[py * mstride + px]! |= crBit;
    }
    const fp = new Footprint(SpanSet.fromArrays(ys, a, b), { region });
    const peakX = peak % w;
    fp.addPeak(peakX + x0, (peak - peakX) / w + y0, original.get(peak)!);
    return fp;
  });
  if (keep) restoreAll();
  return footprints;
}
