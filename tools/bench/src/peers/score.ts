// Scoring of a detection catalog against the truth of a simulated image, identical for every
// tool: one-to-one cross-matching, completeness, false detections, centroid and flux errors.
import type { TruthStar } from './star-field.js';

/** One detected source, in pixel coordinates with (0, 0) the centre of the first pixel. */
export interface Detection {
  /** Centroid, x (pixels). */
  readonly x: number;
  /** Centroid, y (pixels). */
  readonly y: number;
  /** Background-subtracted flux in the benchmark's circular aperture, counts (NaN when not measured). */
  readonly apertureFlux: number;
}

/** A position to match: a detection or a truth entry. */
export interface MatchPoint {
  /** x, pixels. */
  readonly x: number;
  /** y, pixels. */
  readonly y: number;
}

/** The result of {@link crossMatch}. */
export interface CrossMatch {
  /** For each detection, the index of its truth star, or −1. */
  readonly truthOfDetection: Int32Array;
  /** For each truth star, the index of its detection, or −1. */
  readonly detectionOfTruth: Int32Array;
  /** The number of matched pairs. */
  readonly nMatched: number;
}

/**
 * Matches detections to truth one to one: every pair closer than `radius` is a candidate, and
 * the candidates are taken closest first, each detection and each truth star at most once (so a
 * truth star goes to its nearest detection unless that detection is nearer to another star).
 *
 * @param detections - the detected positions
 * @param truth - the true positions
 * @param radius - the largest separation of a match, pixels (a pair exactly at `radius` matches)
 * @returns the two index maps and the number of pairs
 * @throws RangeError when the radius is not positive and finite
 * @example
 * ```ts
 * const m = crossMatch([{ x: 10.2, y: 5 }], [{ x: 10, y: 5 }, { x: 11, y: 5 }], 1.5);
 * m.truthOfDetection[0]; // 0
 * ```
 */
export function crossMatch(detections: readonly MatchPoint[], truth: readonly MatchPoint[], radius: number): CrossMatch {
  if (!(radius > 0 && Number.isFinite(radius))) throw new RangeError(`The match radius must be positive and finite, got ${radius}.`);
  // Bin truth into cells of the radius; candidates are in the 3 x 3 cells around a detection.
  const cells = new Map<string, number[]>();
  const key = (cx: number, cy: number): string => `${cx},${cy}`;
  truth.forEach((t, i) => {
    const k = key(Math.floor(t.x / radius), Math.floor(t.y / radius));
    const list = cells.get(k);
    if (list === undefined) cells.set(k, [i]);
    else list.push(i);
  });
  const pairs: { d2: number; det: number; tru: number }[] = [];
  const r2 = radius * radius;
  detections.forEach((d, j) => {
    if (!Number.isFinite(d.x) || !Number.isFinite(d.y)) return;
    const cx = Math.floor(d.x / radius);
    const cy = Math.floor(d.y / radius);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const i of cells.get(key(cx + dx, cy + dy)) ?? []) {
          const t = truth[i]!;
          const d2 = (t.x - d.x) ** 2 + (t.y - d.y) ** 2;
          if (d2 <= r2) pairs.push({ d2, det: j, tru: i });
        }
      }
    }
  });
  pairs.sort((a, b) => a.d2 - b.d2 || a.det - b.det || a.tru - b.tru);
  const truthOfDetection = new Int32Array(detections.length).fill(-1);
  const detectionOfTruth = new Int32Array(truth.length).fill(-1);
  let nMatched = 0;
  for (const p of pairs) {
    if (truthOfDetection[p.det] !== -1 || detectionOfTruth[p.tru] !== -1) continue;
    truthOfDetection[p.det] = p.tru;
    detectionOfTruth[p.tru] = p.det;
    nMatched++;
  }
  return { truthOfDetection, detectionOfTruth, nMatched };
}

/** Options of {@link scoreDetections}. */
export interface ScoreOptions {
  /** Match radius, pixels (default 1.5). */
  readonly matchRadius?: number;
  /** Truth stars with `apertureSnr` above this are "bright" (default 50). */
  readonly brightSnr?: number;
}

/** How well a catalog recovers the truth (see {@link scoreDetections}). */
export interface DetectionScore {
  /** Truth stars. */
  readonly nTruth: number;
  /** Bright truth stars (aperture S/N above the bright limit). */
  readonly nBright: number;
  /** Detections in the catalog. */
  readonly nDetections: number;
  /** Truth stars matched to a detection. */
  readonly nMatched: number;
  /** Bright truth stars matched to a detection. */
  readonly nMatchedBright: number;
  /** nMatched / nTruth (NaN without truth). */
  readonly completeness: number;
  /** nMatchedBright / nBright (NaN without bright stars). */
  readonly brightCompleteness: number;
  /** Detections matched to no truth star. */
  readonly falseDetections: number;
  /** √(mean(Δx² + Δy²)) over matched bright stars, pixels (NaN when none). */
  readonly centroidRmsBright: number;
  /** Matched bright stars with a finite aperture flux (the flux statistics use these). */
  readonly nFluxBright: number;
  /** median |flux / trueApertureFlux − 1| over matched bright stars (NaN when none). */
  readonly fluxMedianAbsError: number;
  /** 1.4826 × MAD of (flux / trueApertureFlux − 1) over matched bright stars (NaN when none). */
  readonly fluxRobustScatter: number;
}

/**
 * The median of finite values (NaN for none).
 *
 * @param values - the values (not modified)
 * @returns the median
 */
export function median(values: ArrayLike<number>): number {
  const v = Float64Array.from(values).filter(Number.isFinite).sort();
  const n = v.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? v[(n - 1) / 2]! : 0.5 * (v[n / 2 - 1]! + v[n / 2]!);
}

/**
 * The robust scatter: 1.4826 × the median absolute deviation from the median (σ for a normal
 * distribution); NaN for no finite values.
 *
 * @param values - the values
 * @returns the scatter
 */
export function robustScatter(values: ArrayLike<number>): number {
  const m = median(values);
  const dev = Float64Array.from(values).filter(Number.isFinite).map((v) => Math.abs(v - m));
  return 1.4826 * median(dev);
}

/**
 * Scores a catalog against the truth: cross-match one to one within `matchRadius`
 * ({@link crossMatch}); completeness overall and for bright stars (aperture S/N > `brightSnr`);
 * false detections (unmatched detections); the centroid rms and the aperture-flux error
 * (median |flux/true − 1| and the robust scatter of flux/true − 1, against the noise-free flux in
 * the same aperture) of matched bright stars. Every tool is scored by this one function.
 *
 * @param detections - the catalog
 * @param truth - the simulated stars
 * @param options - match radius and bright limit
 * @returns the score
 * @example
 * ```ts
 * const s = scoreDetections(detections, field.truth);
 * console.log(s.completeness, s.brightCompleteness, s.falseDetections);
 * ```
 */
export function scoreDetections(detections: readonly Detection[], truth: readonly TruthStar[], options: ScoreOptions = {}): DetectionScore {
  const radius = options.matchRadius ?? 1.5;
  const brightSnr = options.brightSnr ?? 50;
  const m = crossMatch(detections, truth, radius);
  let nBright = 0;
  let nMatchedBright = 0;
  let sum2 = 0;
  const ratios: number[] = [];
  truth.forEach((t, i) => {
    if (!(t.apertureSnr > brightSnr)) return;
    nBright++;
    const j = m.detectionOfTruth[i]!;
    if (j < 0) return;
    nMatchedBright++;
    const d = detections[j]!;
    sum2 += (d.x - t.x) ** 2 + (d.y - t.y) ** 2;
    const r = d.apertureFlux / t.apertureFlux - 1;
    if (Number.isFinite(r)) ratios.push(r);
  });
  return {
    nTruth: truth.length,
    nBright,
    nDetections: detections.length,
    nMatched: m.nMatched,
    nMatchedBright,
    completeness: truth.length === 0 ? Number.NaN : m.nMatched / truth.length,
    brightCompleteness: nBright === 0 ? Number.NaN : nMatchedBright / nBright,
    falseDetections: detections.length - m.nMatched,
    centroidRmsBright: nMatchedBright === 0 ? Number.NaN : Math.sqrt(sum2 / nMatchedBright),
    nFluxBright: ratios.length,
    fluxMedianAbsError: median(ratios.map(Math.abs)),
    fluxRobustScatter: robustScatter(ratios),
  };
}
