// The pattern matcher behind MatchPessimisticBTask, on pixel positions (sources: centroids;
// references: projected through the current WCS). After lsst.meas.astrom.PessimisticPatternMatcherB.
import { fitPolyTransform, fitSimilarity, PolyTransform } from './poly-transform.js';
import { SpatialGrid } from './spatial-grid.js';

/** Parameters of {@link pessimisticPatternMatch} (the names of LSST's `PessimisticPatternMatcherB.match`). */
export interface PatternMatchParameters {
  /** Number of spokes candidates per pattern, plus the centre (`n_check`). */
  readonly numPointsForShapeAttempt: number;
  /** Number of points (centre + spokes) that must match (`n_match`). */
  readonly numPointsForShape: number;
  /** Number of verified patterns that must agree on the transform (`n_agree`). */
  readonly numPatternConsensus: number;
  /** Maximum number of patterns (bright sources used as pattern centres) tried (`max_n_patterns`). */
  readonly numBrightStars: number;
  /** Maximum shift between sources and references (pixels; `max_shift`). */
  readonly maxShiftPix: number;
  /** Maximum rotation (degrees; `max_rotation`). */
  readonly maxRotationDeg: number;
  /** Match tolerance (pixels; `max_dist`): spoke lengths and positions must agree within it. */
  readonly maxDistPix: number;
  /** Minimum number of matches for a pattern to be accepted (`min_matches`). */
  readonly minMatchedPairs: number;
  /** Smallest final match distance cut (pixels). */
  readonly minMatchDistPix: number;
  /** Pattern indexes not to try (`pattern_skip_array`). */
  readonly patternSkip?: readonly number[];
}

/** The result of {@link pessimisticPatternMatch}. */
export interface PatternMatchResult {
  /** Matched source indexes. */
  readonly srcIndex: Int32Array;
  /** Matched reference indexes (same length). */
  readonly refIndex: Int32Array;
  /** Residual distance of each match after the fitted transform (pixels). */
  readonly distancePix: Float64Array;
  /** Index (in brightness order) of the pattern that was accepted; -1 for none. */
  readonly patternIdx: number;
  /** Shift of the fitted transform at the sources' centre (pixels). */
  readonly shiftPix: number;
  /** The fitted source → reference pixel transform. */
  readonly transform: PolyTransform;
}

/** Source and reference positions and fluxes (pixels of the current WCS). */
export interface PatternMatchInput {
  /** Source x (pixels). */
  readonly srcX: Float64Array;
  /** Source y (pixels). */
  readonly srcY: Float64Array;
  /** Source flux (any unit; only the order is used). */
  readonly srcFlux: Float64Array;
  /** Reference x (pixels, through the current WCS). */
  readonly refX: Float64Array;
  /** Reference y. */
  readonly refY: Float64Array;
}

const EMPTY: Omit<PatternMatchResult, 'transform'> = {
  srcIndex: new Int32Array(0),
  refIndex: new Int32Array(0),
  distancePix: new Float64Array(0),
  patternIdx: -1,
  shiftPix: NaN,
};

interface Matched {
  src: Int32Array;
  ref: Int32Array;
  dist: Float64Array;
}

/**
 * One-to-one nearest-neighbour matching of transformed sources to references within `radius`
 * (each reference keeps its closest source).
 */
function nnMatch(input: PatternMatchInput, grid: SpatialGrid, t: PolyTransform, radius: number, subset?: ArrayLike<number>): Matched {
  const n = subset === undefined ? input.srcX.length : subset.length;
  const bestSrc = new Map<number, number>();
  const bestD = new Map<number, number>();
  const p = new Float64Array(2);
  for (let k = 0; k < n; k++) {
    const i = subset === undefined ? k : subset[k]!;
    t.apply(input.srcX[i]!, input.srcY[i]!, p);
    let best = -1;
    let bd = Infinity;
    grid.forEachWithin(p[0]!, p[1]!, radius, (j, d2) => {
      if (d2 < bd) {
        bd = d2;
        best = j;
      }
    });
    if (best < 0) continue;
    const prev = bestD.get(best);
    if (prev === undefined || bd < prev) {
      bestD.set(best, bd);
      bestSrc.set(best, i);
    }
  }
  const m = bestSrc.size;
  const src = new Int32Array(m);
  const ref = new Int32Array(m);
  const dist = new Float64Array(m);
  let k = 0;
  for (const [j, i] of bestSrc) {
    src[k] = i;
    ref[k] = j;
    dist[k++] = Math.sqrt(bestD.get(j)!);
  }
  // Deterministic order: by source index.
  const order = Array.from({ length: m }, (_, q) => q).sort((a, b) => src[a]! - src[b]!);
  return { src: Int32Array.from(order, (q) => src[q]!), ref: Int32Array.from(order, (q) => ref[q]!), dist: Float64Array.from(order, (q) => dist[q]!) };
}

function fitMatched(input: PatternMatchInput, m: Matched, order: 1 | 2): PolyTransform | null {
  const xs = Float64Array.from(m.src, (i) => input.srcX[i]!);
  const ys = Float64Array.from(m.src, (i) => input.srcY[i]!);
  const xt = Float64Array.from(m.ref, (j) => input.refX[j]!);
  const yt = Float64Array.from(m.ref, (j) => input.refY[j]!);
  return order === 1 && m.src.length < 3 ? fitSimilarity(xs, ys, xt, yt) : fitPolyTransform(xs, ys, xt, yt, order);
}

/**
 * Grows a pattern's transform to the whole source list: matches sources within a growing
 * distance of the pattern centre, refitting an affine transform each time, then fits a
 * quadratic transform to all matches.
 */
function refine(input: PatternMatchInput, grid: SpatialGrid, t0: PolyTransform, cx: number, cy: number, startRadius: number, tol: number, extent: number): { t: PolyTransform; m: Matched } | null {
  let t = t0;
  const n = input.srcX.length;
  let radius = startRadius;
  for (let pass = 0; pass < 12; pass++) {
    const all = radius >= extent;
    const subset: number[] = [];
    if (!all) {
      const r2 = radius * radius;
      for (let i = 0; i < n; i++) if ((input.srcX[i]! - cx) ** 2 + (input.srcY[i]! - cy) ** 2 <= r2) subset.push(i);
    }
    const m = nnMatch(input, grid, t, tol, all ? undefined : subset);
    if (m.src.length < 3) return null;
    const next = fitMatched(input, m, 1);
    if (next === null) return null;
    t = next;
    if (all) break;
    radius *= 2;
  }
  let m = nnMatch(input, grid, t, tol);
  for (let pass = 0; pass < 2; pass++) {
    const next = fitMatched(input, m, m.src.length >= 30 ? 2 : 1);
    if (next === null) return null;
    t = next;
    m = nnMatch(input, grid, t, tol);
  }
  return { t, m };
}

/** Mean and standard deviation of values, sigma-clipped from above at `high` sigma (as scipy's sigmaclip with low=100). */
function clipHigh(values: Float64Array, high: number): number {
  let keep = Array.from(values);
  for (;;) {
    const n = keep.length;
    if (n === 0) return NaN;
    const mean = keep.reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(keep.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const upper = mean + high * std;
    const next = keep.filter((v) => v <= upper);
    if (next.length === n) return upper;
    keep = next;
  }
}

/**
 * Matches sources to reference objects by patterns, as LSST's Pessimistic Pattern Matcher B:
 * for each bright source (in order of brightness) it makes a pattern of that source and its
 * nearest bright neighbours (spokes); every reference within `maxShiftPix` of it is tried as
 * the pattern's centre; a spoke matches when a reference lies at the same length (within
 * `maxDistPix`) and angle (within `maxRotationDeg`); the longest matched spoke sets the
 * rotation and scale that the others must then agree with. A pattern with
 * `numPointsForShape` matched points is verified by growing its transform to all sources
 * (affine, then quadratic) and counting the matches (at least `minMatchedPairs`); the first
 * `numPatternConsensus` verified patterns must agree. The matches are then cut at a
 * 2-sigma-clipped distance (not below `minMatchDistPix`, not above `maxDistPix`).
 *
 * @param input - source and reference positions (pixels) and source fluxes
 * @param params - tolerances (see {@link PatternMatchParameters})
 * @returns the matches (empty with `patternIdx` −1 when no pattern was accepted)
 * @example
 * ```ts
 * const result = pessimisticPatternMatch({ srcX, srcY, srcFlux, refX, refY }, {
 *   numPointsForShapeAttempt: 6, numPointsForShape: 6, numPatternConsensus: 3, numBrightStars: 200,
 *   maxShiftPix: 250, maxRotationDeg: 1, maxDistPix: 2, minMatchedPairs: 30, minMatchDistPix: 1,
 * });
 * result.srcIndex.length; // number of matches
 * ```
 * @see lsst.meas.astrom.PessimisticPatternMatcherB.match
 */
export function pessimisticPatternMatch(input: PatternMatchInput, params: PatternMatchParameters): PatternMatchResult {
  const { srcX, srcY, srcFlux, refX, refY } = input;
  const nSrc = srcX.length;
  const tol = params.maxDistPix;
  const grid = new SpatialGrid(refX, refY, Math.max(4 * tol, 16));
  const fail: PatternMatchResult = { ...EMPTY, transform: PolyTransform.identity() };
  if (nSrc === 0 || refX.length === 0) return fail;
  // Extent of the sources (for the growth of a pattern's transform).
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < nSrc; i++) {
    x0 = Math.min(x0, srcX[i]!);
    x1 = Math.max(x1, srcX[i]!);
    y0 = Math.min(y0, srcY[i]!);
    y1 = Math.max(y1, srcY[i]!);
  }
  const extent = Math.hypot(x1 - x0, y1 - y0);
  const midX = (x0 + x1) / 2;
  const midY = (y0 + y1) / 2;
  // Bright sources, brightest first (NaN fluxes last).
  const order = Array.from({ length: nSrc }, (_, i) => i).sort((a, b) => (srcFlux[b]! || -Infinity) - (srcFlux[a]! || -Infinity));
  const bright = order.slice(0, Math.min(params.numBrightStars, nSrc));
  const nSpokes = params.numPointsForShapeAttempt - 1;
  const need = params.numPointsForShape - 1;
  if (bright.length < params.numPointsForShape) return fail;
  const skip = new Set(params.patternSkip ?? []);
  const maxRot = (params.maxRotationDeg * Math.PI) / 180;
  const sinMaxRot = Math.sin(maxRot);
  const verified: { t: PolyTransform; m: Matched; p: number }[] = [];
  const probe = new Float64Array(2);
  const probe2 = new Float64Array(2);
  const agrees = (a: PolyTransform, b: PolyTransform): boolean => {
    for (const [x, y] of [
      [midX, midY],
      [x0, y0],
      [x1, y1],
    ] as const) {
      a.apply(x, y, probe);
      b.apply(x, y, probe2);
      if (Math.hypot(probe[0]! - probe2[0]!, probe[1]! - probe2[1]!) > 2 * tol) return false;
    }
    return true;
  };
  const spokeRefX = new Float64Array(nSpokes);
  const spokeRefY = new Float64Array(nSpokes);
  const spokeOk = new Uint8Array(nSpokes);
  for (let p = 0; p < bright.length; p++) {
    if (skip.has(p)) continue;
    const c = bright[p]!;
    const cx = srcX[c]!;
    const cy = srcY[c]!;
    // Spokes: the nearest bright neighbours, longest first.
    const neighbours = bright
      .filter((j) => j !== c)
      .map((j) => ({ j, d: Math.hypot(srcX[j]! - cx, srcY[j]! - cy) }))
      .filter((e) => e.d > 2 * tol)
      .sort((a, b) => a.d - b.d)
      .slice(0, nSpokes)
      .sort((a, b) => b.d - a.d);
    if (neighbours.length < need) continue;
    const vx = neighbours.map((e) => srcX[e.j]! - cx);
    const vy = neighbours.map((e) => srcY[e.j]! - cy);
    const vl = neighbours.map((e) => e.d);
    let accepted: { t: PolyTransform; m: Matched } | null = null;
    const centres: number[] = [];
    grid.forEachWithin(cx, cy, params.maxShiftPix, (r0) => centres.push(r0));
    for (const r0 of centres) {
      const rx = refX[r0]!;
      const ry = refY[r0]!;
      // Hypotheses from the longest spokes that have candidates.
      for (let h = 0; h <= neighbours.length - need && accepted === null; h++) {
        const searchR = vl[h]! * sinMaxRot + tol;
        const hyps: number[] = [];
        grid.forEachWithin(rx + vx[h]!, ry + vy[h]!, searchR, (j) => {
          if (j === r0) return;
          const wl = Math.hypot(refX[j]! - rx, refY[j]! - ry);
          if (Math.abs(wl - vl[h]!) <= tol) hyps.push(j);
        });
        for (const j of hyps) {
          const wx = refX[j]! - rx;
          const wy = refY[j]! - ry;
          const angle = Math.atan2(vx[h]! * wy - vy[h]! * wx, vx[h]! * wx + vy[h]! * wy);
          if (Math.abs(angle) > maxRot) continue;
          const k = Math.hypot(wx, wy) / vl[h]!;
          const cosA = k * Math.cos(angle);
          const sinA = k * Math.sin(angle);
          let count = 0;
          spokeOk.fill(0);
          for (let s = 0; s < neighbours.length; s++) {
            const px = rx + cosA * vx[s]! - sinA * vy[s]!;
            const py = ry + sinA * vx[s]! + cosA * vy[s]!;
            const q = s === h ? j : grid.nearest(px, py, tol);
            if (q >= 0 && q !== r0) {
              spokeOk[s] = 1;
              spokeRefX[s] = refX[q]!;
              spokeRefY[s] = refY[q]!;
              count++;
            }
          }
          if (count < need) continue;
          // The pattern's similarity transform, from the centre and the matched spokes.
          const xs = [cx];
          const ys = [cy];
          const xt = [rx];
          const yt = [ry];
          for (let s = 0; s < neighbours.length; s++) {
            if (spokeOk[s] === 0) continue;
            xs.push(cx + vx[s]!);
            ys.push(cy + vy[s]!);
            xt.push(spokeRefX[s]!);
            yt.push(spokeRefY[s]!);
          }
          const t0 = fitSimilarity(xs, ys, xt, yt);
          if (t0 === null) continue;
          const grown = refine(input, grid, t0, cx, cy, 2 * vl[0]!, tol, extent);
          if (grown !== null && grown.m.src.length >= params.minMatchedPairs) {
            accepted = grown;
            break;
          }
        }
      }
      if (accepted !== null) break;
    }
    if (accepted === null) continue;
    verified.push({ ...accepted, p });
    const agreeing = verified.filter((v) => agrees(v.t, accepted.t));
    if (agreeing.length < params.numPatternConsensus) continue;
    // Accept: cut the matches at the clipped distance.
    const best = agreeing.reduce((a, b) => (b.m.src.length > a.m.src.length ? b : a));
    const clip = Math.max(clipHigh(best.m.dist, 2), params.minMatchDistPix);
    const cut = Math.min(Number.isFinite(clip) ? clip : tol, tol);
    const keep: number[] = [];
    for (let q = 0; q < best.m.src.length; q++) if (best.m.dist[q]! < cut) keep.push(q);
    best.t.apply(midX, midY, probe);
    return {
      srcIndex: Int32Array.from(keep, (q) => best.m.src[q]!),
      refIndex: Int32Array.from(keep, (q) => best.m.ref[q]!),
      distancePix: Float64Array.from(keep, (q) => best.m.dist[q]!),
      patternIdx: p,
      shiftPix: Math.hypot(probe[0]! - midX, probe[1]! - midY),
      transform: best.t,
    };
  }
  return fail;
}

/**
 * Direct matching for a WCS that is already good: nearest neighbours within `radius`, one to
 * one, refined by a quadratic (or affine) transform when there are enough matches.
 *
 * @param input - positions
 * @param radius - match radius (pixels)
 * @returns the matches (patternIdx −1)
 */
export function directMatch(input: PatternMatchInput, radius: number): PatternMatchResult {
  const grid = new SpatialGrid(input.refX, input.refY, Math.max(4 * radius, 16));
  const m = nnMatch(input, grid, PolyTransform.identity(), radius);
  return { srcIndex: m.src, refIndex: m.ref, distancePix: m.dist, patternIdx: -1, shiftPix: 0, transform: PolyTransform.identity() };
}
