// A small, fast, seedable PRNG (xoshiro128**) with uniform, Gaussian and Poisson deviates.
import { InvalidArgumentError } from './errors.js';

const TWO_POW_32 = 4294967296;
const LOG_FACTORIAL_TABLE_SIZE = 256;
const LOG_FACTORIAL = (() => {
  const t = new Float64Array(LOG_FACTORIAL_TABLE_SIZE);
  for (let k = 1; k < LOG_FACTORIAL_TABLE_SIZE; k++) t[k] = t[k - 1]! + Math.log(k);
  return t;
})();

/** ln(k!) for a non-negative integer k: a table below 256, Stirling's series above. */
function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE_SIZE) return LOG_FACTORIAL[k]!;
  const x = k + 1;
  const ix2 = 1 / (x * x);
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + (1 / (12 * x)) * (1 - ix2 * (1 / 30 - ix2 * (1 / 105)));
}

/** One step of splitmix32, used to spread a seed over the generator state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, continuing from `h`. */
function fnv1a(text: string, h: number): number {
  let x = h;
  for (let i = 0; i < text.length; i++) {
    x ^= text.charCodeAt(i);
    x = Math.imul(x, 0x01000193);
  }
  return x >>> 0;
}

/**
 * A deterministic pseudo-random generator: xoshiro128** (Blackman & Vigna) seeded through
 * splitmix32, with uniform deviates of 53 bits, Gaussian deviates (Box–Muller) and Poisson
 * deviates (multiplication for small means, Hörmann's PTRS transformed rejection for large
 * ones, exact in both cases). The same seed always gives the same sequence, on any platform.
 *
 * Independent streams for the parts of a simulation come from {@link Random.fromKey}, so that
 * what one detector or visit draws never depends on the order the others were made in.
 *
 * @example
 * ```ts
 * const rng = Random.fromKey(42, 'visit', 3, 'detector', 1);
 * const skyElectrons = rng.poisson(760);
 * const readNoise = rng.normal(0, 5);
 * ```
 * @see lsst.afw.math.Random (the stack's GSL-based generator; a different algorithm)
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare = Number.NaN;

  /**
   * Makes a generator from a 32-bit integer seed.
   *
   * @param seed - any finite number; only its low 32 bits (after truncation) are used
   * @throws {@link InvalidArgumentError} when the seed is not finite
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new InvalidArgumentError(`The seed must be a finite number; got ${seed}.`);
    const st = { s: Math.trunc(seed) | 0 };
    this.#a = splitmix32(st);
    this.#b = splitmix32(st);
    this.#c = splitmix32(st);
    this.#d = splitmix32(st);
    if ((this.#a | this.#b | this.#c | this.#d) === 0) this.#a = 1;
  }

  /**
   * A generator for one named part of a simulation: the seed and the key parts are hashed, so
   * `fromKey(s, 'visit', 1)` and `fromKey(s, 'visit', 2)` are independent streams.
   *
   * @param seed - the simulation seed
   * @param parts - labels and numbers naming the stream
   * @returns a new generator
   */
  static fromKey(seed: number, ...parts: readonly (string | number)[]): Random {
    let h = fnv1a(String(Math.trunc(seed)), 0x811c9dc5);
    for (const p of parts) h = fnv1a(`/${String(p)}`, h);
    return new Random(h | 0);
  }

  /**
   * The next 32 random bits.
   *
   * @returns an unsigned 32-bit integer
   */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /**
   * A uniform deviate in [0, 1) with 53 random bits.
   *
   * @returns the deviate
   */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A uniform deviate in [lo, hi).
   *
   * @param lo - lower bound
   * @param hi - upper bound
   * @returns the deviate
   */
  uniformRange(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /**
   * A uniform integer in [0, n).
   *
   * @param n - the number of values, a positive integer below 2^32
   * @returns the integer
   */
  integer(n: number): number {
    return Math.floor((this.nextUint32() / TWO_POW_32) * n);
  }

  /**
   * A Gaussian deviate (Box–Muller; the second value of each pair is kept for the next call).
   *
   * @param mean - the mean (0 by default)
   * @param sigma - the standard deviation (1 by default)
   * @returns the deviate
   */
  normal(mean = 0, sigma = 1): number {
    if (!Number.isNaN(this.#spare)) {
      const z = this.#spare;
      this.#spare = Number.NaN;
      return mean + sigma * z;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return mean + sigma * r * Math.cos(2 * Math.PI * v);
  }

  /**
   * A Poisson deviate: Knuth's multiplication method below a mean of 12, Hörmann's PTRS
   * (transformed rejection with squeeze, 1993) above; both exact.
   *
   * @param mean - the mean, ≥ 0 (0 gives 0)
   * @returns a non-negative integer
   * @throws {@link InvalidArgumentError} when the mean is negative or not finite
   */
  poisson(mean: number): number {
    if (!(mean >= 0) || !Number.isFinite(mean)) throw new InvalidArgumentError(`A Poisson mean must be finite and ≥ 0; got ${mean}.`);
    if (mean === 0) return 0;
    if (mean < 12) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    const smu = Math.sqrt(mean);
    const b = 0.931 + 2.53 * smu;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    const logMean = Math.log(mean);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) return k;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
