import type { MaskedImage } from '@skystack/afw-image';
import { Config, Field, ListField } from '@skystack/pex-config';
import { Struct } from '../task/struct.js';
import { Task } from '../task/task.js';
import type { TaskOptions } from '../task/task.js';
import { timeMethod } from '../task/timer.js';

/** What the example statistics tasks return. */
export interface ExampleStats {
  /** The mean of the image plane. */
  readonly mean: number;
  /** Its uncertainty, `sqrt(variance / n)`. */
  readonly meanErr: number;
  /** The standard deviation (sample, `n - 1`). */
  readonly stdDev: number;
  /** Its uncertainty, afw's `0.5 * sqrt(2 (n - 1) var² / n²) / stdDev`. */
  readonly stdDevErr: number;
}

/** afw's `IQ_TO_STDEV`: one sigma in units of the interquartile range for a Gaussian. */
const IQ_TO_STDEV = 0.741301109252802;

interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/** Mean and unbiased variance of the selected pixels, accumulated about `center` as afw does. */
function moments(values: Float64Array, center: number, clip: number): Moments {
  let n = 0;
  let sx = 0;
  let sx2 = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - center;
    if (Math.abs(d) <= clip) {
      n++;
      sx += d;
      sx2 += d * d;
    }
  }
  const m = sx / n;
  let variance = sx2 / n - m * m;
  variance *= (n * n) / (n * n - n);
  return { n, mean: m + center, variance };
}

/** Linear-interpolated quantile of sorted values (afw's `percentile`, numpy's default). */
function quantile(sorted: Float64Array, f: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0]!;
  const idx = f * (n - 1);
  const q1 = Math.floor(idx);
  const q2 = Math.min(q1 + 1, n - 1);
  return (q1 + 1 - idx) * sorted[q1]! + (idx - q1) * sorted[q2]!;
}

function goodPixels(maskedImage: MaskedImage, andMask: number): Float64Array {
  const { data, width, height, stride } = maskedImage.image.array;
  const m = maskedImage.mask.array;
  const out = new Float64Array(width * height);
  let k = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Number(data[y * stride + x]!);
      if (Number.isFinite(v) && (m.data[y * m.stride + x]! & andMask) === 0) out[k++] = v;
    }
  }
  return out.subarray(0, k);
}

function result(n: number, mean: number, variance: number): ExampleStats {
  const stdDev = Math.sqrt(variance);
  const varVar = (2 * (n - 1) * variance * variance) / (n * n);
  return { mean, meanErr: Math.sqrt(variance / n), stdDev, stdDevErr: (0.5 * Math.sqrt(varVar)) / stdDev };
}

/**
 * Computes afw's `MEAN | STDEV | ERRORS` statistics of the image plane of a masked image:
 * all finite pixels, whatever their mask.
 *
 * @param maskedImage - the masked image
 * @returns mean, meanErr, stdDev, stdDevErr (NaN when there are fewer than 2 pixels)
 * @see lsst.afw.math.makeStatistics
 */
export function simpleStats(maskedImage: MaskedImage): ExampleStats {
  const v = goodPixels(maskedImage, 0);
  const m = moments(v, 0, Infinity);
  return result(m.n, m.mean, m.variance);
}

/**
 * Computes afw's `MEANCLIP | STDEVCLIP | ERRORS` statistics of the image plane of a masked
 * image, ignoring non-finite pixels and pixels with any bit of `andMask` set. As afw's
 * `Statistics`: the first pass keeps pixels within `numSigmaClip × 0.7413 × IQR` of the
 * median; each later pass keeps those within `numSigmaClip × stdDev` of the previous pass's
 * clipped mean (inclusive); `numIter` passes in all; each pass starts from all good pixels.
 *
 * @param maskedImage - the masked image
 * @param numSigmaClip - the clipping threshold in sigma
 * @param numIter - the number of clipping passes
 * @param andMask - mask bits of pixels to ignore
 * @returns mean, meanErr, stdDev, stdDevErr
 * @see lsst.afw.math.Statistics (MEANCLIP, STDEVCLIP)
 */
export function sigmaClippedStats(maskedImage: MaskedImage, numSigmaClip: number, numIter: number, andMask: number): ExampleStats {
  const v = goodPixels(maskedImage, andMask);
  const sorted = Float64Array.from(v).sort();
  const median = quantile(sorted, 0.5);
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  let clipped: Moments = { n: 0, mean: NaN, variance: NaN };
  for (let i = 0; i < numIter; i++) {
    const center = i > 0 ? clipped.mean : median;
    const hwidth = i > 0 && v.length > 1 ? numSigmaClip * Math.sqrt(clipped.variance) : numSigmaClip * IQ_TO_STDEV * iqr;
    if (Number.isNaN(center) || Number.isNaN(hwidth)) {
      clipped = { n: 0, mean: NaN, variance: NaN };
      break;
    }
    clipped = moments(v, center, hwidth);
  }
  return result(clipped.n, clipped.mean, clipped.variance);
}

/**
 * Example task computing the mean and standard deviation of the image plane of a masked
 * image (no configuration).
 *
 * @example
 * ```ts
 * const task = new ExampleSimpleStatsTask();
 * const { mean, stdDev } = task.run(maskedImage);
 * ```
 * @see lsst.pipe.tasks.exampleStatsTasks.ExampleSimpleStatsTask
 */
export class ExampleSimpleStatsTask extends Task {
  /** No configuration: a plain Config. */
  static override ConfigClass = Config;
  /** `exampleSimpleStats`. */
  static override _DefaultName: string | undefined = 'exampleSimpleStats';

  /**
   * Computes the statistics (timed as `run`).
   *
   * @param maskedImage - the masked image
   * @returns a struct with mean, meanErr, stdDev, stdDevErr
   * @see lsst.pipe.tasks.exampleStatsTasks.ExampleSimpleStatsTask.run
   */
  run(maskedImage: MaskedImage): Struct<ExampleStats> {
    return timeMethod(this, 'run', () => {
      const s = simpleStats(maskedImage);
      this.log.info(`simple mean=${s.mean.toFixed(2)}; meanErr=${s.meanErr.toFixed(2)}; stdDev=${s.stdDev.toFixed(2)}; stdDevErr=${s.stdDevErr.toFixed(2)}`);
      return new Struct(s);
    });
  }
}

/**
 * Configuration of {@link ExampleSigmaClippedStatsTask}.
 *
 * @see lsst.pipe.tasks.exampleStatsTasks.ExampleSigmaClippedStatsConfig
 */
export class ExampleSigmaClippedStatsConfig extends Config {
  /** Mask planes that, if set, exclude a pixel from the statistics (default `['EDGE']`, as LSST). */
  badMaskPlanes = ListField({
    doc: 'Mask planes that, if set, indicate the associated pixel should not be included when the calculating statistics.',
    dtype: 'str',
    default: ['EDGE'],
  });
  /** Number of sigmas at which to clip data. */
  numSigmaClip = Field.float({ doc: 'number of sigmas at which to clip data', default: 3.0 });
  /** Number of iterations of sigma clipping. */
  numIter = Field.int({ doc: 'number of iterations of sigma clipping', default: 2 });
}

/**
 * Example task computing the sigma-clipped mean and standard deviation of a masked image
 * (afw's `MEANCLIP`/`STDEVCLIP`, see {@link sigmaClippedStats}).
 *
 * @example
 * ```ts
 * const config = new ExampleSigmaClippedStatsConfig();
 * config.numSigmaClip = 2.5;
 * const task = new ExampleSigmaClippedStatsTask({ config });
 * const { mean, meanErr } = task.run(maskedImage);
 * ```
 * @see lsst.pipe.tasks.exampleStatsTasks.ExampleSigmaClippedStatsTask
 */
export class ExampleSigmaClippedStatsTask extends Task<ExampleSigmaClippedStatsConfig> {
  /** {@link ExampleSigmaClippedStatsConfig}. */
  static override ConfigClass = ExampleSigmaClippedStatsConfig;
  /** `exampleSigmaClippedStats`. */
  static override _DefaultName: string | undefined = 'exampleSigmaClippedStats';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<ExampleSigmaClippedStatsConfig> = {}) {
    super(options);
  }

  /**
   * Computes the statistics (timed as `run`).
   *
   * @param maskedImage - the masked image (its mask must have the `badMaskPlanes`)
   * @returns a struct with mean, meanErr, stdDev, stdDevErr
   * @throws AfwImageMaskPlaneError when a bad mask plane is not in the mask's dictionary
   * @see lsst.pipe.tasks.exampleStatsTasks.ExampleSigmaClippedStatsTask.run
   */
  run(maskedImage: MaskedImage): Struct<ExampleStats> {
    return timeMethod(this, 'run', () => {
      const bad = maskedImage.mask.getPlaneBitMask(this.config.badMaskPlanes);
      const s = sigmaClippedStats(maskedImage, this.config.numSigmaClip, this.config.numIter, bad);
      this.log.info(`clipped mean=${s.mean.toFixed(2)}; meanErr=${s.meanErr.toFixed(2)}; stdDev=${s.stdDev.toFixed(2)}; stdDevErr=${s.stdDevErr.toFixed(2)}`);
      return new Struct(s);
    });
  }
}
