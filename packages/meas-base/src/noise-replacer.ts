import type { Exposure } from '@skystack/afw-image';
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
  #spare = NaN;

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
    if (!Number.isNaN(this.#spare)) {
      const v = this.#spare;
      this.#spare = NaN;
      return v;
    }
    const u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Fills `out` with the next `out.length` values of {@link GaussianRandom.gaussian} (the same
   * sequence, spare included), with the generator's state in locals instead of the state array.
   */
  fillGaussian(out: Float64Array): void {
    const st = this.#s;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    const n = out.length;
    let k = 0;
    if (k < n && !Number.isNaN(this.#spare)) {
      out[k++] = this.#spare;
      this.#spare = NaN;
    }
    const twoPi = 2 * Math.PI;
    while (k < n) {
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
      out[k++] = rad * Math.cos(twoPi * v);
      if (k < n) out[k++] = rad * Math.sin(twoPi * v);
      else this.#spare = rad * Math.sin(twoPi * v);
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The pixels of one footprint inside the image: where each clipped span starts in the image and
 * in the mask arrays, its length, and two sets of values.
 */
interface StoredPixels {
  readonly footprint: Footprint;
  readonly starts: Int32Array;
  readonly maskStarts: Int32Array;
  readonly lengths: Int32Array;
  readonly original: Float64Array;
  readonly noise: Float64Array;
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
  readonly #stored = new Map<bigint, StoredPixels>();
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
    // footprints); only pixels that have one of the bits are written.
    const keep = ~(this.#thisBit | this.#otherBit);
    const both = this.#thisBit | this.#otherBit;
    const { data: md, width: mw, height: mh, stride: ms } = mask.array;
    for (let y = 0; y < mh; y++) {
      const end = y * ms + mw;
      for (let i = y * ms; i < end; i++) {
        const v = md[i]!;
        if ((v & both) !== 0) md[i] = v & keep;
      }
    }
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
      const step = Math.max(1, Math.floor(Math.sqrt((image.getWidth() * image.getHeight()) / MAX_STATISTICS_PIXELS)));
      const sw = Math.ceil(image.getWidth() / step);
      const sh = Math.ceil(image.getHeight() / step);
      const pix = image.array.data;
      // float32 pixels are sampled as float32: the same values, and the statistics of a float32
      // array run in the kernels' WebAssembly loops (fast from the first call)
      const sample = pix instanceof Float32Array ? new Float32Array(sw * sh) : new Float64Array(sw * sh);
      for (let j = 0, k = 0; j < sh; j++) for (let i = 0; i < sw; i++) sample[k++] = pix[j * step * image.stride + i * step]!;
      const stats = makeStatistics(sample, { properties: ['MEANCLIP', 'STDEVCLIP'] });
      mean = stats.getValue('MEANCLIP') + config.noiseOffset;
      std = stats.getValue('STDEVCLIP');
    }
    this.noiseGenMean = mean;
    this.noiseGenStd = std;
    options.log?.debug(() => `NoiseReplacer: noise ${source === 'variance' ? 'from the variance plane' : `mean ${mean}, stdev ${std}`}, seed ${seed}`);
    const variance = exposure.variance;
    for (const [sid, [parent, fp]] of footprints) {
      if (parent === 0n || fp.isHeavy()) this.#stored.set(sid, this.#store(fp, parent !== 0n));
    }
    const data = image.array.data;
    const vdata = variance.array.data;
    const vstride = variance.stride;
    const istride = image.stride;
    const offset = config.noiseOffset;
    for (const stored of this.#stored.values()) {
      // the footprint's Gaussian deviates in pixel order (the generator's sequence), then scaled
      const { starts, lengths, noise } = stored;
      rand.fillGaussian(noise);
      if (source === 'variance') {
        let k = 0;
        for (let s = 0; s < starts.length; s++) {
          const start = starts[s]!;
          const len = lengths[s]!;
          // The variance plane may be a view with its own stride: same row and column as the image pixel.
          const vstart = Math.floor(start / istride) * vstride + (start % istride);
          for (let j = 0; j < len; j++, k++) noise[k] = offset + Math.sqrt(Math.max(vdata[vstart + j]!, 0)) * noise[k]!;
        }
      } else {
        for (let k = 0; k < noise.length; k++) noise[k] = mean + std * noise[k]!;
      }
    }
    // Replace the top-level sources by noise, mark them OTHERDET.
    const mdata = mask.array.data;
    for (const [sid, [parent]] of footprints) {
      if (parent !== 0n) continue;
      const stored = this.#stored.get(sid)!;
      this.#write(stored, 'noise', data);
      this.#markMask(stored, mdata, this.#otherBit, 0);
    }
  }

  /** Sets `set` and clears `clear` in the mask pixels of a stored footprint. */
  #markMask(stored: StoredPixels, mdata: Int32Array, set: number, clear: number): void {
    const keep = ~clear;
    const { maskStarts, lengths } = stored;
    for (let s = 0; s < maskStarts.length; s++) {
      const start = maskStarts[s]!;
      const end = start + lengths[s]!;
      for (let i = start; i < end; i++) mdata[i] = (mdata[i]! & keep) | set;
    }
  }

  #store(fp: Footprint, heavyChild: boolean): StoredPixels {
    const image = this.#exposure.image;
    const data = image.array.data;
    const stride = image.stride;
    const mstride = this.#exposure.mask.array.stride;
    const ix0 = image.getX0();
    const iy0 = image.getY0();
    const w = image.getWidth();
    const h = image.getHeight();
    const spans = fp.getSpans();
    const { ys, x0s, x1s } = spans;
    // First pass: the number of clipped spans and pixels, so that the arrays are made once.
    let nSpans = 0;
    let nPix = 0;
    for (let s = 0; s < ys.length; s++) {
      const y = ys[s]!;
      const a = Math.max(x0s[s]!, ix0);
      const b = Math.min(x1s[s]!, ix0 + w - 1);
      if (y >= iy0 && y < iy0 + h && a <= b) {
        nSpans++;
        nPix += b - a + 1;
      }
    }
    const starts = new Int32Array(nSpans);
    const maskStarts = new Int32Array(nSpans);
    const lengths = new Int32Array(nSpans);
    const original = new Float64Array(nPix);
    const heavy = heavyChild ? (fp as HeavyFootprint).getImageArray() : undefined;
    let k = 0;
    let n = 0;
    let p = 0;
    for (let s = 0; s < ys.length; s++) {
      const y = ys[s]!;
      const xa = x0s[s]!;
      const xb = x1s[s]!;
      const a = Math.max(xa, ix0);
      const b = Math.min(xb, ix0 + w - 1);
      if (y >= iy0 && y < iy0 + h && a <= b) {
        const start = (y - iy0) * stride + (a - ix0);
        starts[n] = start;
        maskStarts[n] = (y - iy0) * mstride + (a - ix0);
        lengths[n++] = b - a + 1;
        if (heavy === undefined) for (let x = a; x <= b; x++) original[p++] = data[start + x - a]!;
        else for (let x = a; x <= b; x++) original[p++] = Number(heavy[k + x - xa]!);
      }
      k += xb - xa + 1;
    }
    return { footprint: fp, starts, maskStarts, lengths, original, noise: new Float64Array(nPix) };
  }

  #write(stored: StoredPixels, which: 'original' | 'noise', data: ArrayLike<number> & { [i: number]: number }): void {
    const values = stored[which];
    let k = 0;
    for (let s = 0; s < stored.starts.length; s++) {
      const start = stored.starts[s]!;
      const len = stored.lengths[s]!;
      for (let j = 0; j < len; j++) data[start + j] = values[k++]!;
    }
  }

  /** The id whose stored pixels stand for a source: itself when stored, else the first stored ancestor. */
  #usedId(id: bigint): bigint {
    let used = id;
    for (let guard = 0; !this.#stored.has(used); guard++) {
      const entry = this.#footprints.get(used);
      if (entry === undefined || entry[0] === 0n || guard > 1000) {
        throw new MeasBaseInvalidArgumentError(`NoiseReplacer: source ${id} has no pixels to insert (its parent chain ends at ${used}, which is not a known top-level source).`);
      }
      used = entry[0];
    }
    return used;
  }

  /**
   * Puts one source's pixels back (and marks them THISDET instead of OTHERDET).
   *
   * @param id - the source id
   * @throws {@link MeasBaseInvalidArgumentError} for an unknown id
   * @see lsst.meas.base.NoiseReplacer.insertSource
   */
  insertSource(id: bigint): void {
    const stored = this.#stored.get(this.#usedId(id))!;
    this.#write(stored, 'original', this.#exposure.image.array.data);
    this.#markMask(stored, this.#exposure.mask.array.data, this.#thisBit, this.#otherBit);
  }

  /**
   * Replaces one source's pixels by the same noise again (and marks them OTHERDET).
   *
   * @param id - the source id
   * @throws {@link MeasBaseInvalidArgumentError} for an unknown id
   * @see lsst.meas.base.NoiseReplacer.removeSource
   */
  removeSource(id: bigint): void {
    const stored = this.#stored.get(this.#usedId(id))!;
    this.#write(stored, 'noise', this.#exposure.image.array.data);
    this.#markMask(stored, this.#exposure.mask.array.data, this.#otherBit, this.#thisBit);
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
    const data = this.#exposure.image.array.data;
    for (const [sid, [parent]] of this.#footprints) if (parent === 0n) this.#write(this.#stored.get(sid)!, 'original', data);
    // The constructor cleared both planes; since then their bits were set only inside the stored
    // footprints, so clearing those pixels clears the planes everywhere.
    const mask = this.#exposure.mask;
    const mdata = mask.array.data;
    for (const stored of this.#stored.values()) this.#markMask(stored, mdata, 0, this.#thisBit | this.#otherBit);
    for (const plane of this.#removePlanes) mask.planeDict.removePlane(plane);
  }
}
