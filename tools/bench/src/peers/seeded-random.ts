// A small, seeded random number generator for the simulated benchmark images: the same seed gives
// the same image on every machine and Node version, so every peer tool sees identical pixels.

/**
 * A deterministic pseudo-random generator (xoshiro128** seeded through splitmix32) with uniform,
 * normal and Poisson deviates. Not cryptographic; meant for reproducible simulated images.
 *
 * @example
 * ```ts
 * const rng = new SeededRandom(42);
 * const u = rng.uniform();      // [0, 1)
 * const g = rng.normal();       // mean 0, sigma 1
 * const k = rng.poisson(1000);  // a count
 * ```
 */
export class SeededRandom {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spare = Number.NaN;

  /**
   * @param seed - any integer (its low 32 bits are used)
   */
  constructor(seed: number) {
    let z = seed >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /**
   * The next 32 random bits.
   *
   * @returns an unsigned 32-bit integer
   */
  nextUint32(): number {
    const s1 = this.#s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = (this.#s3 << 11) | (this.#s3 >>> 21);
    return result;
  }

  /**
   * A uniform deviate.
   *
   * @returns a number in [0, 1) with 32 random bits
   */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * A standard normal deviate (Marsaglia's polar method; the second value of each pair is kept).
   *
   * @returns a draw from N(0, 1)
   */
  normal(): number {
    if (!Number.isNaN(this.#spare)) {
      const v = this.#spare;
      this.#spare = Number.NaN;
      return v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spare = v * f;
    return u * f;
  }

  /**
   * A Poisson deviate: inversion by sequential search below a mean of 10, Hörmann's transformed
   * rejection (PTRS, exact) above.
   *
   * @param mean - the mean (λ ≥ 0)
   * @returns a non-negative integer count
   * @see W. Hörmann, "The transformed rejection method for generating Poisson random variables", 1993
   */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 10) {
      let k = 0;
      let p = Math.exp(-mean);
      let cdf = p;
      const u = this.uniform();
      while (u > cdf && k < 1000) {
        k++;
        p *= mean / k;
        cdf += p;
      }
      return k;
    }
    const slam = Math.sqrt(mean);
    const logLam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logLam - logFactorial(k)) return k;
    }
  }
}

const LOG_FACTORIALS = (() => {
  const t = new Float64Array(32);
  for (let k = 2; k < t.length; k++) t[k] = t[k - 1]! + Math.log(k);
  return t;
})();

/** ln k!, exact below 32 and Stirling's series above (error < 1e-12 there). */
function logFactorial(k: number): number {
  if (k < LOG_FACTORIALS.length) return LOG_FACTORIALS[k]!;
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
