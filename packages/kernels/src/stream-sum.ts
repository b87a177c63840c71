// Weighted sums of shifted streams, the inner loop of every convolution here:
//   out[o + x] = Σ_p w[p] (s[base + offs[2p] + x] + s[base + offs[2p + 1] + x])   (pairs)
//              + Σ_q w[P + q] s[base + offs[2P + q] + x]                          (singles)
// for x in [0, n). Taps with equal weights (the mirror taps of a symmetric kernel) are folded
// into pairs, halving the multiplications. The loop is generated once per term count, fully
// unrolled, so that every offset and weight lives in a register and each output value is
// accumulated in one double-precision register (V8 neither unrolls nor vectorises loops). No
// imports: worker threads load it with the convolution loops.

/** Any array the streams are read from or written to. */
type Stream = Float32Array | Float64Array;

/**
 * A generated stream sum: `out[o + x] = Σ terms` for `x` in `[0, n)`; the offsets and weights are
 * read once per call.
 */
export type StreamSumFn = (s: Stream, base: number, out: Stream, o: number, n: number, offs: Int32Array, w: Float64Array) => void;

/** The largest number of terms (pairs + singles) that get an unrolled loop. */
const MAX_UNROLLED_TERMS = 64;

const cache = new Map<string, StreamSumFn>();

function generic(nPairs: number, nSingles: number): StreamSumFn {
  return (s, base, out, o, n, offs, w) => {
    for (let x = 0; x < n; x++) {
      let acc = 0;
      for (let q = 0; q < nSingles; q++) acc += w[nPairs + q]! * s[base + offs[2 * nPairs + q]! + x]!;
      for (let p = 0; p < nPairs; p++) acc += w[p]! * (s[base + offs[2 * p]! + x]! + s[base + offs[2 * p + 1]! + x]!);
      out[o + x] = acc;
    }
  };
}

function generate(nPairs: number, nSingles: number): StreamSumFn {
  const lines: string[] = [];
  const terms: string[] = [];
  for (let q = 0; q < nSingles; q++) {
    lines.push(`const c${q} = base + offs[${2 * nPairs + q}], v${q} = w[${nPairs + q}];`);
    terms.push(`v${q} * s[c${q} + x]`);
  }
  for (let p = 0; p < nPairs; p++) {
    lines.push(`const a${p} = base + offs[${2 * p}], b${p} = base + offs[${2 * p + 1}], u${p} = w[${p}];`);
    terms.push(`u${p} * (s[a${p} + x] + s[b${p} + x])`);
  }
  const body = `${lines.join('\n')}\nfor (let x = 0; x < n; x++) out[o + x] = ${terms.length > 0 ? terms.join(' + ') : '0'};`;
  // generated code: the unrolled loop is the point
  return new Function('s', 'base', 'out', 'o', 'n', 'offs', 'w', body) as StreamSumFn;
}

/**
 * The stream-sum loop for a number of folded pairs and single terms. `variant` keeps separate
 * compiled copies for call sites with different array types (each stays monomorphic). Falls back
 * to a plain loop for very long kernels or where code generation is not allowed.
 *
 * @param nPairs - folded pairs
 * @param nSingles - single terms
 * @param variant - a tag naming the call site
 * @returns the loop
 */
export function streamSum(nPairs: number, nSingles: number, variant: string): StreamSumFn {
  const key = `${nPairs},${nSingles},${variant}`;
  let fn = cache.get(key);
  if (fn === undefined) {
    if (nPairs + nSingles > MAX_UNROLLED_TERMS) {
      fn = generic(nPairs, nSingles);
    } else {
      try {
        fn = generate(nPairs, nSingles);
      } catch {
        fn = generic(nPairs, nSingles);
      }
    }
    cache.set(key, fn);
  }
  return fn;
}

/** The terms of a 1-D list of taps: which are folded into pairs and which stay single. */
export interface TapPlan {
  /** Folded pairs. */
  readonly nPairs: number;
  /** Single terms. */
  readonly nSingles: number;
  /** Tap indices: `2 nPairs` pair members, then the singles (index into the tap list). */
  readonly taps: Int32Array;
  /** The weight of each pair, then of each single. */
  readonly weights: Float64Array;
}

/**
 * Plans the terms of a list of weights: zero weights are dropped (they propagate nothing, NaN
 * included, as afw), mirror taps `i, len - 1 - i` with equal weights are folded into a pair, the
 * others stay single (the centre of a symmetric kernel, or every tap of an asymmetric one).
 *
 * @param k - the weights
 * @returns the plan
 */
export function planTaps(k: Float64Array): TapPlan {
  const len = k.length;
  const pairs: number[] = [];
  const singles: number[] = [];
  for (let i = 0; i < len; i++) {
    if (k[i] === 0) continue;
    const m = len - 1 - i;
    if (m > i && k[m] === k[i]) pairs.push(i, m);
    else if (m < i && k[m] === k[i]) continue; // already paired
    else singles.push(i);
  }
  const nPairs = pairs.length / 2;
  const taps = Int32Array.from([...pairs, ...singles]);
  const weights = new Float64Array(nPairs + singles.length);
  for (let p = 0; p < nPairs; p++) weights[p] = k[pairs[2 * p]!]!;
  for (let q = 0; q < singles.length; q++) weights[nPairs + q] = k[singles[q]!]!;
  return { nPairs, nSingles: singles.length, taps, weights };
}

/**
 * Two stream sums in one sweep (an image and its variance): `out1` from `s1` with `offs1, w1`
 * and `out2` from `s2` with `offs2, w2`, both at `base` and `o`.
 */
export type StreamSum2Fn = (
  s1: Stream,
  s2: Stream,
  base: number,
  out1: Stream,
  out2: Stream,
  o: number,
  n: number,
  offs1: Int32Array,
  w1: Float64Array,
  offs2: Int32Array,
  w2: Float64Array,
) => void;

const cache2 = new Map<string, StreamSum2Fn>();

function termsOf(tag: string, src: string, offs: string, w: string, nPairs: number, nSingles: number, lines: string[]): string {
  const terms: string[] = [];
  for (let q = 0; q < nSingles; q++) {
    lines.push(`const ${tag}c${q} = base + ${offs}[${2 * nPairs + q}], ${tag}v${q} = ${w}[${nPairs + q}];`);
    terms.push(`${tag}v${q} * ${src}[${tag}c${q} + x]`);
  }
  for (let p = 0; p < nPairs; p++) {
    lines.push(`const ${tag}a${p} = base + ${offs}[${2 * p}], ${tag}b${p} = base + ${offs}[${2 * p + 1}], ${tag}u${p} = ${w}[${p}];`);
    terms.push(`${tag}u${p} * (${src}[${tag}a${p} + x] + ${src}[${tag}b${p} + x])`);
  }
  return terms.length > 0 ? terms.join(' + ') : '0';
}

/**
 * The fused loop of two stream sums (see {@link streamSum}); each sum is evaluated exactly as the
 * single loop evaluates it.
 *
 * @param p1 - pairs and singles of the first sum
 * @param p2 - pairs and singles of the second sum
 * @param variant - a tag naming the call site
 * @returns the loop
 */
export function streamSum2(p1: readonly [number, number], p2: readonly [number, number], variant: string): StreamSum2Fn {
  const key = `${p1.join(',')};${p2.join(',')},${variant}`;
  let fn = cache2.get(key);
  if (fn === undefined) {
    const f1 = streamSum(p1[0], p1[1], `${variant}#1`);
    const f2 = streamSum(p2[0], p2[1], `${variant}#2`);
    const separate: StreamSum2Fn = (s1, s2, base, out1, out2, o, n, offs1, w1, offs2, w2) => {
      f1(s1, base, out1, o, n, offs1, w1);
      f2(s2, base, out2, o, n, offs2, w2);
    };
    if (p1[0] + p1[1] + p2[0] + p2[1] > MAX_UNROLLED_TERMS) {
      fn = separate;
    } else {
      try {
        const lines: string[] = [];
        const e1 = termsOf('i', 's1', 'offs1', 'w1', p1[0], p1[1], lines);
        const e2 = termsOf('j', 's2', 'offs2', 'w2', p2[0], p2[1], lines);
        const body = `${lines.join('\n')}\nfor (let x = 0; x < n; x++) {\nout1[o + x] = ${e1};\nout2[o + x] = ${e2};\n}`;
        // generated code: the unrolled loop is the point
        fn = new Function('s1', 's2', 'base', 'out1', 'out2', 'o', 'n', 'offs1', 'w1', 'offs2', 'w2', body) as StreamSum2Fn;
      } catch {
        fn = separate;
      }
    }
    cache2.set(key, fn);
  }
  return fn;
}
