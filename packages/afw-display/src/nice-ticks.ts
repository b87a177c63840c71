import { AfwDisplayInvalidArgumentError } from './errors.js';

/** Axis ticks chosen by {@link niceTicks}. */
export interface NiceTicks {
  /** The axis lower limit: a multiple of `step` at or below the data minimum. */
  readonly min: number;
  /** The axis upper limit: a multiple of `step` at or above the data maximum. */
  readonly max: number;
  /** The tick spacing: 1, 2 or 5 times a power of ten. */
  readonly step: number;
  /** The tick values from `min` to `max`. */
  readonly ticks: readonly number[];
  /** Decimals needed to print the ticks exactly (0 for steps ≥ 1). */
  readonly decimals: number;
}

/** A "nice" number near x: 1, 2, 5 or 10 times a power of ten, as mantissa and exponent. */
function niceNumber(x: number, round: boolean): { f: number; e: number } {
  const e = Math.floor(Math.log10(x));
  const frac = x / 10 ** e;
  let f: number;
  if (round) f = frac < 1.5 ? 1 : frac < 3 ? 2 : frac < 7 ? 5 : 10;
  else f = frac <= 1 ? 1 : frac <= 2 ? 2 : frac <= 5 ? 5 : 10;
  return f === 10 ? { f: 1, e: e + 1 } : { f, e };
}

/** k · f · 10^e, computed so that decimal values come out as the nearest double. */
function scaled(k: number, f: number, e: number): number {
  return e >= 0 ? k * f * 10 ** e : (k * f) / 10 ** -e;
}

/**
 * Tick values for an axis by Heckbert's "nice numbers" labelling (Graphics Gems, 1990): the
 * spacing is 1, 2 or 5 × 10ⁿ, chosen so that about `targetCount` ticks span the data, and the
 * axis limits are widened to the nearest ticks outside the data ("loose" labelling).
 *
 * @param min - the data minimum
 * @param max - the data maximum (equal to `min` gives a unit-wide axis around it)
 * @param targetCount - the wanted number of ticks (default 5, at least 2)
 * @returns the limits, spacing and ticks
 * @throws {@link AfwDisplayInvalidArgumentError} for non-finite limits, `max < min` or `targetCount < 2`
 * @example
 * ```ts
 * niceTicks(-3.7, 12.2).ticks; // [-5, 0, 5, 10, 15]
 * ```
 */
export function niceTicks(min: number, max: number, targetCount = 5): NiceTicks {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) {
    throw new AfwDisplayInvalidArgumentError(`niceTicks: need finite min ≤ max; got ${String(min)}, ${String(max)}.`);
  }
  if (!(targetCount >= 2)) throw new AfwDisplayInvalidArgumentError(`niceTicks: targetCount must be ≥ 2; got ${String(targetCount)}.`);
  if (max === min) {
    const half = min === 0 ? 0.5 : Math.abs(min) * 0.05;
    min -= half;
    max += half;
  }
  const range = niceNumber(max - min, false);
  const { f, e } = niceNumber(scaled(1, range.f, range.e) / (targetCount - 1), true);
  const step = scaled(1, f, e);
  const k0 = Math.floor(min / step + 1e-9);
  const k1 = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let k = k0; k <= k1; k++) ticks.push(scaled(k, f, e) + 0);
  return { min: ticks[0]!, max: ticks[ticks.length - 1]!, step, ticks, decimals: Math.max(0, -e) };
}

/**
 * Prints a tick value: fixed point with the given decimals, or exponential notation for very
 * large or small magnitudes (|v| ≥ 10⁶, or steps below 10⁻⁴).
 *
 * @param value - the tick value
 * @param decimals - decimals from {@link niceTicks}
 * @returns the label
 * @example
 * ```ts
 * formatTick(0.25, 2); // '0.25'
 * formatTick(3e7, 0);  // '3e+7'
 * ```
 */
export function formatTick(value: number, decimals: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 1e6 || decimals > 4) {
    const s = value.toExponential();
    return s.includes('e') ? s : value.toExponential(2);
  }
  return value.toFixed(decimals);
}
