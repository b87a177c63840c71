import { AfwDisplayInvalidArgumentError } from './errors.js';

/** The stretches `Display.scale` accepts. */
export type StretchAlgorithm = 'linear' | 'asinh' | 'log' | 'sqrt';

/** A mapping from pixel values to display intensities in [0, 1] (0 black, 1 white). */
export interface Stretch {
  /** Which stretch this is. */
  readonly algorithm: StretchAlgorithm;
  /** The value mapped to 0. */
  readonly min: number;
  /** For linear, log and sqrt the value mapped to 1; for asinh `min + dataRange` (see {@link asinhStretch}). */
  readonly max: number;
  /**
   * Maps one value.
   *
   * @param value - a pixel value
   * @returns the intensity in [0, 1]; NaN for NaN
   */
  apply(value: number): number;
}

function checkRange(name: string, min: number, max: number): void {
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) {
    throw new AfwDisplayInvalidArgumentError(`${name} stretch: need finite min < max; got min=${String(min)}, max=${String(max)}.`);
  }
}

function clip01(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 1 : x;
}

/**
 * The linear stretch: `y = (v − min) / (max − min)`, clipped to [0, 1].
 *
 * @param min - the value shown black
 * @param max - the value shown white
 * @returns the stretch
 * @throws {@link AfwDisplayInvalidArgumentError} unless `min < max`, both finite
 * @example
 * ```ts
 * linearStretch(0, 100).apply(25); // 0.25
 * ```
 * @see lsst.afw.display.rgb.LinearMapping
 */
export function linearStretch(min: number, max: number): Stretch {
  checkRange('linear', min, max);
  const scale = 1 / (max - min);
  return { algorithm: 'linear', min, max, apply: (v) => clip01((v - min) * scale) };
}

/**
 * The value of `x = (v − minimum) / dataRange` at which {@link asinhStretch} reaches 1 (white):
 * `sinh(10 asinh(Q / 10)) / Q`, about 95 for Q = 8.
 *
 * @param Q - the softening parameter (after afw's clamping, see {@link asinhStretch})
 * @returns the saturation point in units of `dataRange`
 * @example
 * ```ts
 * asinhSaturation(8); // ≈ 94.98
 * ```
 */
export function asinhSaturation(Q: number): number {
  const q = clampQ(Q);
  return Math.sinh(10 * Math.asinh(0.1 * q)) / q;
}

function clampQ(Q: number): number {
  if (!Number.isFinite(Q) && Q !== Infinity) {
    throw new AfwDisplayInvalidArgumentError(`asinh stretch: Q must be a number; got ${String(Q)}.`);
  }
  if (Math.abs(Q) < 2 ** -23) return 0.1;
  return Math.min(Q, 1e10);
}

/**
 * The asinh stretch of Lupton et al. (2004, PASP 116, 133) as afw's `AsinhMapping` defines it:
 * with `x = (v − minimum) / dataRange`,
 * `y = 0.1 · asinh(Q x) / asinh(0.1 Q)` for `x > 0`, 0 otherwise, clipped to 1.
 * The slope is chosen so that `x = 0.1` maps to `y = 0.1`; `y` reaches 1 at
 * `x = `{@link asinhSaturation}`(Q)` (≈ 95 for Q = 8), so `dataRange` sets the size of the
 * near-linear part, not the white point. As in afw, `|Q| < 2⁻²³` is replaced by 0.1 (close to
 * linear) and `Q > 10¹⁰` by 10¹⁰.
 *
 * afw.display's `scale('asinh', 'zscale', Q=8)` (`AsinhZScaleMapping`) is this stretch with
 * `minimum = z1` and `dataRange = z2 − z1` from {@link zscale}; `scale('asinh', min, max)` uses
 * `minimum = min`, `dataRange = max − min`.
 *
 * Relation to astropy: this equals `AsinhStretch(a)` applied after
 * `ManualInterval(minimum, minimum + s · dataRange)` with `s = asinhSaturation(Q)` and
 * `a = 1 / (Q s)`, because astropy's `asinh(x'/a) / asinh(1/a)` with `x' = x / s` is
 * `asinh(Q x) / asinh(Q s)` and `asinh(Q s) = 10 asinh(Q/10)`.
 *
 * @param minimum - the value shown black
 * @param dataRange - the range of the (roughly) linear part, > 0
 * @param Q - the softening parameter (default 8)
 * @returns the stretch (`max` is `minimum + dataRange`)
 * @throws {@link AfwDisplayInvalidArgumentError} when `dataRange` is not positive or a value is not finite
 * @example
 * ```ts
 * const s = asinhStretch(0, 10, 8);
 * s.apply(1); // 0.1 (x = 0.1)
 * ```
 * @see lsst.afw.display.rgb.AsinhMapping
 * @see lsst.afw.display.rgb.AsinhZScaleMapping
 */
export function asinhStretch(minimum: number, dataRange: number, Q = 8): Stretch {
  checkRange('asinh', minimum, minimum + dataRange);
  const q = clampQ(Q);
  const soften = q / dataRange;
  const slope = 0.1 / Math.asinh(0.1 * q);
  return {
    algorithm: 'asinh',
    min: minimum,
    max: minimum + dataRange,
    apply: (v) => {
      const d = v - minimum;
      if (d !== d) return NaN;
      return d <= 0 ? 0 : Math.min(1, Math.asinh(d * soften) * slope);
    },
  };
}

/**
 * The log stretch as astropy's `LogStretch(a)`: with `x = (v − min) / (max − min)` clipped to
 * [0, 1], `y = log(a x + 1) / log(a + 1)`. afw.display has no log stretch of its own.
 *
 * @param min - the value shown black
 * @param max - the value shown white
 * @param a - the steepness (default 1000, as astropy)
 * @returns the stretch
 * @throws {@link AfwDisplayInvalidArgumentError} unless `min < max` and `a > 0`
 * @example
 * ```ts
 * logStretch(0, 1).apply(1); // 1
 * ```
 * @see astropy.visualization.LogStretch
 */
export function logStretch(min: number, max: number, a = 1000): Stretch {
  checkRange('log', min, max);
  if (!(a > 0) || !Number.isFinite(a)) throw new AfwDisplayInvalidArgumentError(`log stretch: a must be a finite number > 0; got ${String(a)}.`);
  const scale = 1 / (max - min);
  const norm = 1 / Math.log(a + 1);
  return { algorithm: 'log', min, max, apply: (v) => Math.log(a * clip01((v - min) * scale) + 1) * norm };
}

/**
 * The square-root stretch as astropy's `SqrtStretch`: `y = √x` with
 * `x = (v − min) / (max − min)` clipped to [0, 1].
 *
 * @param min - the value shown black
 * @param max - the value shown white
 * @returns the stretch
 * @throws {@link AfwDisplayInvalidArgumentError} unless `min < max`
 * @example
 * ```ts
 * sqrtStretch(0, 100).apply(25); // 0.5
 * ```
 * @see astropy.visualization.SqrtStretch
 */
export function sqrtStretch(min: number, max: number): Stretch {
  checkRange('sqrt', min, max);
  const scale = 1 / (max - min);
  return { algorithm: 'sqrt', min, max, apply: (v) => Math.sqrt(clip01((v - min) * scale)) };
}

/** Options of {@link makeStretch}. */
export interface StretchOptions {
  /** The asinh softening parameter (default 8). */
  readonly Q?: number;
  /** The log stretch steepness (default 1000). */
  readonly a?: number;
}

/**
 * Makes a stretch by name from display limits, as `Display.scale` does: for `'asinh'` the limits
 * give `minimum = min` and `dataRange = max − min` (afw's convention).
 *
 * @param algorithm - `'linear'`, `'asinh'`, `'log'` or `'sqrt'`
 * @param min - the lower limit
 * @param max - the upper limit
 * @param options - `Q` for asinh, `a` for log
 * @returns the stretch
 * @throws {@link AfwDisplayInvalidArgumentError} for an unknown algorithm or bad limits
 * @example
 * ```ts
 * const s = makeStretch('asinh', z.min, z.max, { Q: 8 });
 * ```
 */
export function makeStretch(algorithm: StretchAlgorithm, min: number, max: number, options: StretchOptions = {}): Stretch {
  switch (algorithm) {
    case 'linear':
      return linearStretch(min, max);
    case 'asinh':
      return asinhStretch(min, max - min, options.Q ?? 8);
    case 'log':
      return logStretch(min, max, options.a ?? 1000);
    case 'sqrt':
      return sqrtStretch(min, max);
    default:
      throw new AfwDisplayInvalidArgumentError(`Unsupported stretch algorithm '${String(algorithm)}'; expected linear, asinh, log or sqrt.`);
  }
}
