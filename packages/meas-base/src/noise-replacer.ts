import type { Exposure, Image } from '@skystack/afw-image';
import type { Footprint, HeavyFootprint } from '@skystack/afw-table';
import type { Logger } from '@skystack/base';
import { makeStatistics } from '@skystack/kernels';
import { ChoiceField, Config, Field } from '@skystack/pex-config';
import { MeasBaseInvalidArgumentError } from './errors.js';

/**
 * Config of {@link NoiseReplacer}.
 *
 * @see lsst.meas.base.NoiseReplacerConfig
 */
export class NoiseReplacerConfig extends Config {
  /** Where the noise's mean and variance come from. */
  noiseSource = ChoiceField({
    doc: 'How to choose the mean and variance of the Gaussian noise we generate?',
    dtype: 'str',
    allowed: {
      measure: 'Measure clipped mean and variance from the whole image',
      meta: 'Mean = 0, variance = the "BGMEAN" metadata entry',
      variance: "Mean = 0, variance = the image's variance",
    },
    default: 'measure',
  });
  /** Added to the noise's mean (counts). */
  noiseOffset = Field.float({ doc: 'Add an offset to the generated noise.', default: 0 });
  /** The seed is `exposureId × noiseSeedMultiplier` (or the multiplier when there is no id); 0 uses seed 1. */
  noiseSeedMultiplier = Field.int({ doc: 'The seed multiplier value to use for random number generation: >= 1: seed from exposureId; 0: seed 1', default: 1 });
}

/** The most pixels the `'measure'` noise source computes its clipped statistics on (a regular subsample of larger images). */
const MAX_STATISTICS_PIXELS = 1 << 20;

/** A seeded Gaussian random number generator (xoshiro128** with Box–Muller). */
class GaussianRandom {
  readonly #s = new Uint32Array(4);
  /** The spare deviate of the last Box–Muller pair (NaN for none), in a typed array: see {@link fillGaussianValues}. */
  readonly #spare = new Float64Array(1).fill(NaN);

  constructor(seed: number) {
    // splitmix32 to fill the state from the seed
    let z = (seed >>> 0) ^ 0x9e3779b9;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (t ^ (t >>> 16)) >>> 0;
    }
  }

  uniform(): number {
    const s = this.#s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return (r + 0.5) / 4294967296;
  }

  gaussian(): number {
    const box = this.#spare;
    if (!Number.isNaN(box[0]!)) {
      const v = box[0]!;
      box[0] = NaN;
      return v;
    }
    const u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    box[0] = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Writes the next `to - from` values of {@link GaussianRandom.gaussian} (the same sequence,
   * spare included), each as `mean + std × value`, to `out[from]` .. `out[to - 1]`. With `mean`
   * 0 and `std` 1 the values are the deviates themselves (the products are exact).
   */
  fillGaussian(out: Float64Array | Float32Array | Int32Array | Uint16Array, from: number, to: number, mean: number, std: number): void {
    fillGaussianValues(this.#s, this.#spare, out, from, to, mean, std);
  }
}

/**
 * {@link GaussianRandom.fillGaussian} on the generator's state (`st`, and the spare in `spare[0]`),
 * with the state in locals during the loop. A function of typed arrays only: a generator lives
 * for one image, and optimised code that read or wrote an instance's fields was deoptimised on
 * every image once the garbage collector had taken the previous image's object layouts.
 */
function fillGaussianValues(st: Uint32Array, spareBox: Float64Array, out: Float64Array | Float32Array | Int32Array | Uint16Array, from: number, to: number, mean: number, std: number): void {
  let s0 = st[0]!;
  let s1 = st[1]!;
  let s2 = st[2]!;
  let s3 = st[3]!;
  let k = from;
  // the spare in a local: the loop's last pass may leave one (read once per call, written once)
  let spare = spareBox[0]!;
  if (k < to && !Number.isNaN(spare)) {
    out[k++] = mean + std * spare;
    spare = NaN;
  }
  const twoPi = 2 * Math.PI;
  while (k < to) {
    // two uniforms, exactly as uniform()
    let r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    let t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    const u = (r + 0.5) / 4294967296;
    r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    const v = (r + 0.5) / 4294967296;
    const rad = Math.sqrt(-2 * Math.log(u));
    out[k++] = mean + std * (rad * Math.cos(twoPi * v));
    if (k < to) out[k++] = mean + std * (rad * Math.sin(twoPi * v));
    else spare = rad * Math.sin(twoPi * v);
  }
  spareBox[0] = spare;
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A typed array of pixel values: the stored pixels have the image's own element type. */
type PixelValues = Float32Array | Float64Array | Int32Array | Uint16Array;

/**
 * A regular subsample of at most ~{@link MAX_STATISTICS_PIXELS} pixels of an image (every
 * `step`-th pixel of every `step`-th row). Float32 pixels are sampled as float32: the same
 * values, and the statistics of a float32 array run in the kernels' WebAssembly loops.
 */
function sampleImage(image: Image): Float32Array | Float64Array {
  const width = image.getWidth() | 0;
  const height = image.getHeight() | 0;
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / MAX_STATISTICS_PIXELS))) | 0;
  const sw = Math.ceil(width / step) | 0;
  const sh = Math.ceil(height / step) | 0;
  const rowStep = (step * image.stride) | 0;
  const pix = image.array.data;
  const sample = pix instanceof Float32Array ? new Float32Array(sw * sh) : new Float64Array(sw * sh);
  for (let j = 0, k = 0; j < sh; j++) for (let i = 0; i < sw; i++) sample[k++] = pix[j * rowStep + i * step]!;
  return sample;
}

/**
 * The stored footprints' pixels: entry `e` has the clipped spans `spanBegin[e]` ..
 * `spanBegin[e + 1] - 1` (where each starts in the image and in the mask arrays, and its length)
 * and the pixels from `pixBegin[e]` on in `original` and `noise` (arrays of the image's element
 * type); `topLevel[e]` is 1 for a top-level footprint (whose noise stays in the image between
 * sources), 0 for a heavy child.
 */
interface StoredPixels {
  readonly spanBegin: Int32Array;
  readonly pixBegin: Int32Array;
  readonly topLevel: Uint8Array;
  readonly starts: Int32Array;
  readonly maskStarts: Int32Array;
  readonly lengths: Int32Array;
  readonly original: PixelValues;
  readonly noise: PixelValues;
}

/**
 * Builds the span tables of the stored footprints (every top-level one and every heavy child,
 * in the order of `footprints`; `entry` gets each one's id) and copies the heavy children's own
 * pixels to `original` (the top-level ones are saved by {@link saveAndReplace}). `mstride` is
 * the mask's row stride.
 */
function layoutPixels(image: Image, mstride: number, footprints: ReadonlyMap<bigint, readonly [parent: bigint, footprint: Footprint]>, entry: Map<bigint, number>): StoredPixels {
  const stride = image.stride | 0;
  const ix0 = image.getX0() | 0;
  const iy0 = image.getY0() | 0;
  const ix1 = (ix0 + image.getWidth() - 1) | 0;
  const iy1 = (iy0 + image.getHeight() - 1) | 0;
  // First pass: the stored footprints and the number of their clipped spans and pixels, so
  // that every array is made once.
  const stored: Footprint[] = [];
  const topLevel: number[] = [];
  let nSpans = 0;
  let nPix = 0;
  // (no destructuring of the map's entries: it runs through the iterator protocol, slow on a first call)
  for (const sid of footprints.keys()) {
    const item = footprints.get(sid)!;
    const parent = item[0];
    const fp = item[1];
    if (parent !== 0n && !fp.isHeavy()) continue;
    entry.set(sid, stored.length);
    stored.push(fp);
    topLevel.push(parent === 0n ? 1 : 0);
    const { ys, x0s, x1s } = fp.getSpans();
    for (let s = 0; s < ys.length; s++) {
      const y = ys[s]!;
      const a = Math.max(x0s[s]!, ix0);
      const b = Math.min(x1s[s]!, ix1);
      if (y >= iy0 && y <= iy1 && a <= b) {
        nSpans++;
        nPix += b - a + 1;
      }
    }
  }
  const nEntries = stored.length;
  const spanBegin = new Int32Array(nEntries + 1);
  const pixBegin = new Int32Array(nEntries + 1);
  const starts = new Int32Array(nSpans);
  const maskStarts = new Int32Array(nSpans);
  const lengths = new Int32Array(nSpans);
  const PixelArray = image.array.data.constructor as new (length: number) => PixelValues;
  const original = new PixelArray(nPix);
  let n = 0;
  let p = 0;
  for (let e = 0; e < nEntries; e++) {
    const fp = stored[e]!;
    spanBegin[e] = n;
    pixBegin[e] = p;
    const heavy = topLevel[e] === 1 ? undefined : (fp as HeavyFootprint).getImageArray();
    const { ys, x0s, x1s } = fp.getSpans();
    let k = 0;
    for (let s = 0; s < ys.length; s++) {
      const y = ys[s]!;
      const xa = x0s[s]!;
      const xb = x1s[s]!;
      const a = Math.max(xa, ix0);
      const b = Math.min(xb, ix1);
      if (y >= iy0 && y <= iy1 && a <= b) {
        starts[n] = (y - iy0) * stride + (a - ix0);
        maskStarts[n] = (y - iy0) * mstride + (a - ix0);
        lengths[n++] = b - a + 1;
        if (heavy === undefined) p += b - a + 1;
        else for (let i = k + a - xa, end = k + b - xa; i <= end; i++) original[p++] = Number(heavy[i]!);
      }
      k += xb - xa + 1;
    }
  }
  spanBegin[nEntries] = n;
  pixBegin[nEntries] = p;
  return { spanBegin, pixBegin, topLevel: Uint8Array.from(topLevel), starts, maskStarts, lengths, original, noise: new PixelArray(nPix) };
}

/**
 * Saves the pixels of each top-level footprint in turn and replaces them by its noise (marking
 * them `other`), in one visit of its pixels, while no footprint overlaps one replaced before
 * it (whose pixels would show that one's noise instead of the image's): a pixel already marked
 * `other` shows such an overlap (the constructor cleared the bit everywhere). Then every
 * replaced footprint gets its pixels back and the function returns false, for the caller to
 * save all of them before replacing any.
 *
 * @returns true when every top-level footprint was saved and replaced
 */
function saveAndReplace(px: StoredPixels, data: PixelValues, mdata: Int32Array, other: number): boolean {
  const { topLevel, spanBegin, pixBegin, starts, maskStarts, lengths, original, noise } = px;
  for (let e = 0; e < topLevel.length; e++) {
    if (topLevel[e] !== 1) continue;
    const sBegin = spanBegin[e]!;
    const sEnd = spanBegin[e + 1]!;
    let k = pixBegin[e]!;
    let seen = 0;
    for (let s = sBegin; s < sEnd; s++) {
      const start = starts[s]!;
      const mstart = maskStarts[s]!;
      const len = lengths[s]!;
      for (let j = 0; j < len; j++) {
        original[k++] = data[start + j]!;
        seen |= mdata[mstart + j]!;
      }
    }
    if ((seen & other) !== 0) {
      // undo: the footprints replaced so far do not overlap, so each one's saved pixels are the image's
      for (let f = 0; f < e; f++) if (topLevel[f] === 1) writeEntry(px, f, original, data, mdata, 0, other);
      return false;
    }
    writeEntry(px, e, noise, data, mdata, other, 0);
  }
  return true;
}

/** Saves the pixels of every top-level footprint from the image. */
function saveTopLevel(px: StoredPixels, data: PixelValues): void {
  const { topLevel, spanBegin, pixBegin, starts, lengths, original } = px;
  for (let e = 0; e < topLevel.length; e++) {
    if (topLevel[e] !== 1) continue;
    let k = pixBegin[e]!;
    for (let s = spanBegin[e]!, sEnd = spanBegin[e + 1]!; s < sEnd; s++) {
      for (let i = starts[s]!, iEnd = i + lengths[s]!; i < iEnd; i++) original[k++] = data[i]!;
    }
  }
}

/**
 * Writes the values of entry `e` of `px` (from `values`, its original or noise pixels) to the
 * image, and sets `set` and clears `clear` in its mask pixels.
 */
function writeEntry(px: StoredPixels, e: number, values: PixelValues, data: PixelValues, mdata: Int32Array, set: number, clear: number): void {
  const keep = ~clear;
  const { starts, maskStarts, lengths, spanBegin } = px;
  let k = px.pixBegin[e]!;
  for (let s = spanBegin[e]!, sEnd = spanBegin[e + 1]!; s < sEnd; s++) {
    const start = starts[s]!;
    const mstart = maskStarts[s]!;
    const len = lengths[s]!;
    for (let j = 0; j < len; j++) {
      data[start + j] = values[k++]!;
      mdata[mstart + j] = (mdata[mstart + j]! & keep) | set;
    }
  }
}

/**
 * The `'variance'` noise: `offset + √max(variance, 0) × deviate` for each stored pixel, from
 * the variance pixel at the same row and column (the variance plane may be a view with its own
 * stride; `istride` is the image's).
 */
function scaleByVariance(px: StoredPixels, deviates: Float64Array, variance: Image<Float32Array>, istride: number, offset: number): void {
  const { noise, starts, lengths } = px;
  const vdata = variance.array.data;
  const vstride = variance.stride | 0;
  for (let s = 0, k = 0; s < starts.length; s++) {
    const start = starts[s]!;
    const len = lengths[s]!;
    const vstart = Math.floor(start / istride) * vstride + (start % istride);
    for (let j = 0; j < len; j++, k++) noise[k] = offset + Math.sqrt(Math.max(vdata[vstart + j]!, 0)) * deviates[k]!;
  }
}

/** Clears the `clear` bits in the mask pixels of every heavy child of `px`. */
function clearChildBits(px: StoredPixels, mdata: Int32Array, clear: number): void {
  const { topLevel, maskStarts, lengths, spanBegin } = px;
  const keep = ~clear;
  for (let e = 0; e < topLevel.length; e++) {
    if (topLevel[e] === 1) continue;
    for (let s = spanBegin[e]!, sEnd = spanBegin[e + 1]!; s < sEnd; s++) {
      for (let i = maskStarts[s]!, iEnd = i + lengths[s]!; i < iEnd; i++) mdata[i] = mdata[i]! & keep;
    }
  }
}

/** Options of {@link NoiseReplacer}. */
export interface NoiseReplacerOptions {
  /** The exposure id: the random seed is `exposureId × noiseSeedMultiplier`. */
  readonly exposureId?: number | bigint | undefined;
  /** A logger for debug messages. */
  readonly log?: Logger | undefined;
}

/**
 * Replaces every source by noise while the others are measured, as meas_base's
 * `NoiseReplacer`: at construction the pixels of every top-level footprint (parent 0) are saved
 * and replaced by Gaussian noise and marked `OTHERDET`; {@link NoiseReplacer.insertSource} puts
 * one source's pixels back (its own HeavyFootprint for a deblended child, else its top-level
 * parent's pixels) and marks them `THISDET`; {@link NoiseReplacer.removeSource} puts the same
 * noise back; {@link NoiseReplacer.end} restores every saved pixel bit for bit and removes the
 * mask planes it added.
 *
 * The noise is Gaussian with the clipped mean and standard deviation of the whole image
 * (`noiseSource: 'measure'`; computed on a regular subsample of at most 2²⁰ pixels), of mean 0 and variance `BGMEAN` (`'meta'`), or of mean 0 and each
 * pixel's own variance (`'variance'`), plus `noiseOffset`. The generator is xoshiro128** seeded
 * with `exposureId × noiseSeedMultiplier` (afw uses MT19937: the noise is not the same values).
 *
 * @example
 * ```ts
 * const footprints = new Map(catalog.map((r) => [r.getId(), [r.getParent(), r.getFootprint()!] as const]));
 * const replacer = new NoiseReplacer(new NoiseReplacerConfig(), exposure, footprints, { exposureId: 42 });
 * replacer.insertSource(id); measure(); replacer.removeSource(id);
 * replacer.end();
 * ```
 * @see lsst.meas.base.NoiseReplacer
 */
export class NoiseReplacer {
  /** The mean of the generated noise (NaN for `'variance'`, where it is `noiseOffset`). */
  readonly noiseGenMean: number;
  /** The standard deviation of the generated noise (NaN for `'variance'`, per pixel there). */
  readonly noiseGenStd: number;
  readonly #exposure: Exposure;
  readonly #footprints: ReadonlyMap<bigint, readonly [parent: bigint, footprint: Footprint]>;
  /** Which entry of {@link NoiseReplacer.#px} holds a stored source's pixels, by id. */
  readonly #entry = new Map<bigint, number>();
  /** The span tables and pixel values of the stored footprints. */
  readonly #px: StoredPixels;
  readonly #removePlanes: string[] = [];
  readonly #thisBit: number;
  readonly #otherBit: number;
  #ended = false;

  /**
   * Saves the sources' pixels and replaces them by noise.
   *
   * @param config - the noise config
   * @param exposure - the exposure (changed in place until {@link NoiseReplacer.end})
   * @param footprints - `id → [parent id, footprint]` for every source
   * @param options - the exposure id (seed) and a logger
   * @throws {@link MeasBaseInvalidArgumentError} when a child's parent chain does not end at a top-level source
   */
  constructor(config: NoiseReplacerConfig, exposure: Exposure, footprints: ReadonlyMap<bigint, readonly [parent: bigint, footprint: Footprint]>, options: NoiseReplacerOptions = {}) {
    this.#exposure = exposure;
    this.#footprints = footprints;
    const mask = exposure.mask;
    const dict = mask.planeDict;
    const bits: number[] = [];
    for (const plane of ['THISDET', 'OTHERDET']) {
      if (!dict.hasPlane(plane)) {
        mask.addMaskPlane(plane);
        this.#removePlanes.push(plane);
      }
      bits.push(dict.getPlaneBitMask(plane));
    }
    [this.#thisBit, this.#otherBit] = bits as [number, number];
    // Clear both planes in one pass (afterwards their bits are set only inside the stored
    // footprints); only pixels that have one of the bits are written (the kernels' maskBits, on
    // their default backend).
    mask.andInPlace(~(this.#thisBit | this.#otherBit));
    const multiplier = config.noiseSeedMultiplier;
    const id = options.exposureId === undefined ? 0 : Number(options.exposureId);
    const seed = multiplier === 0 ? 1 : id !== 0 ? id * multiplier : multiplier;
    const rand = new GaussianRandom(seed);
    const image = exposure.image;
    let mean = NaN;
    let std = NaN;
    const source = config.noiseSource;
    if (source === 'meta' && exposure.getMetadata().getNumber('BGMEAN') !== undefined) {
      mean = config.noiseOffset;
      std = Math.sqrt(exposure.getMetadata().getNumber('BGMEAN')!);
    } else if (source !== 'variance') {
      // Clipped statistics of the whole image, on a regular subsample of at most ~1M pixels.
      const sample = sampleImage(image);
      const stats = makeStatistics(sample, { properties: ['MEANCLIP', 'STDEVCLIP'] });
      mean = stats.getValue('MEANCLIP') + config.noiseOffset;
      std = stats.getValue('STDEVCLIP');
    }
    this.noiseGenMean = mean;
    this.noiseGenStd = std;
    options.log?.debug(() => `NoiseReplacer: noise ${source === 'variance' ? 'from the variance plane' : `mean ${mean}, stdev ${std}`}, seed ${seed}`);
    const px = layoutPixels(image, mask.array.stride | 0, footprints, this.#entry);
    this.#px = px;
    const nPix = px.original.length;
    // The Gaussian deviates of every stored footprint in pixel order, footprint after footprint
    // (the generator's sequence), scaled.
    if (source === 'variance') {
      const deviates = new Float64Array(nPix);
      rand.fillGaussian(deviates, 0, nPix, 0, 1);
      scaleByVariance(px, deviates, exposure.variance, image.stride | 0, config.noiseOffset);
    } else {
      rand.fillGaussian(px.noise, 0, nPix, mean, std);
    }
    // Save the top-level sources' pixels, replace them by noise, mark them OTHERDET.
    if (!saveAndReplace(px, image.array.data, mask.array.data, this.#otherBit)) {
      // Some top-level footprints overlap: save every one from the untouched image first.
      saveTopLevel(px, image.array.data);
      this.#putTopLevel(px.noise, this.#otherBit, 0);
    }
  }

  /**
   * Writes the original or noise values of every top-level footprint, in order, to the image,
   * and sets `set` and clears `clear` in their mask pixels.
   */
  #putTopLevel(values: PixelValues, set: number, clear: number): void {
    const data = this.#exposure.image.array.data;
    const mdata = this.#exposure.mask.array.data;
    const top = this.#px.topLevel;
    for (let e = 0; e < top.length; e++) if (top[e] === 1) writeEntry(this.#px, e, values, data, mdata, set, clear);
  }

  /** The entry whose stored pixels stand for a source: its own when stored, else the first stored ancestor's. */
  #entryOf(id: bigint): number {
    let used = id;
    for (let guard = 0; ; guard++) {
      const e = this.#entry.get(used);
      if (e !== undefined) return e;
      const entry = this.#footprints.get(used);
      if (entry === undefined || entry[0] === 0n || guard > 1000) {
        throw new MeasBaseInvalidArgumentError(`NoiseReplacer: source ${id} has no pixels to insert (its parent chain ends at ${used}, which is not a known top-level source).`);
      }
      used = entry[0];
    }
  }

  /**
   * Puts one source's pixels back (and marks them THISDET instead of OTHERDET).
   *
   * @param id - the source id
   * @throws {@link MeasBaseInvalidArgumentError} for an unknown id
   * @see lsst.meas.base.NoiseReplacer.insertSource
   */
  insertSource(id: bigint): void {
    writeEntry(this.#px, this.#entryOf(id), this.#px.original, this.#exposure.image.array.data, this.#exposure.mask.array.data, this.#thisBit, this.#otherBit);
  }

  /**
   * Replaces one source's pixels by the same noise again (and marks them OTHERDET).
   *
   * @param id - the source id
   * @throws {@link MeasBaseInvalidArgumentError} for an unknown id
   * @see lsst.meas.base.NoiseReplacer.removeSource
   */
  removeSource(id: bigint): void {
    writeEntry(this.#px, this.#entryOf(id), this.#px.noise, this.#exposure.image.array.data, this.#exposure.mask.array.data, this.#otherBit, this.#thisBit);
  }

  /**
   * Restores the original pixels of every top-level source and removes the mask planes the
   * replacer added (planes that existed before are cleared). Calling it twice does nothing.
   *
   * @see lsst.meas.base.NoiseReplacer.end
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const mask = this.#exposure.mask;
    const both = this.#thisBit | this.#otherBit;
    // The constructor cleared both planes; since then their bits were set only inside the stored
    // footprints, so clearing those pixels clears the planes everywhere. The top-level
    // footprints get their original pixels back (in order, as they were replaced).
    this.#putTopLevel(this.#px.original, 0, both);
    clearChildBits(this.#px, mask.array.data, both);
    for (const plane of this.#removePlanes) mask.planeDict.removePlane(plane);
  }
}
