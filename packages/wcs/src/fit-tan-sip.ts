// Fitting a TAN-SIP WCS to matched pixel/sky pairs, as the astrometric calibration does
// (lsst.meas.astrom.FitTanSipWcsTask): linear least squares in the tangent plane.
import type { SpherePoint} from '@skystack/geom';
import { Angle, Point2D, averageSpherePoint, separationRadiansArray } from '@skystack/geom';
import { WcsInvalidArgumentError } from './errors.js';
import type { SkyWcs} from './sky-wcs.js';
import { makeSkyWcs, makeTanSipWcs } from './sky-wcs.js';

/** One matched pair: a pixel position (LSST 0-based) and the ICRS sky position of the same object. */
export interface WcsMatch {
  /** The measured pixel position. */
  pixel: Point2D;
  /** The reference sky position (ICRS). */
  sky: SpherePoint;
}

/** Options of {@link fitTanSipWcs}. */
export interface FitTanSipWcsOptions {
  /** How many times CRVAL may be re-centred on the fitted tangent point (3 by default; 0 keeps it). */
  iterations?: number;
  /** Order of the fitted reverse polynomials AP/BP (the forward order + 1 by default). */
  inverseOrder?: number;
  /** Grid size (per axis) over the matches' bounding box on which AP/BP are fitted (40 by default). */
  inverseGrid?: number;
}

/** The result of {@link fitTanSipWcs}. */
export interface FitTanSipWcsResult {
  /** The fitted WCS (TAN for order 1, TAN-SIP with A/B and AP/BP otherwise). */
  wcs: SkyWcs;
  /** The RMS on-sky separation between the matches' sky positions and the fitted WCS at their pixels. */
  scatter: Angle;
}

/** Monomial exponents (p, q) with p + q ≤ order, constant first. */
function terms(order: number): [number, number][] {
  const t: [number, number][] = [];
  for (let s = 0; s <= order; s++) for (let p = s; p >= 0; p--) t.push([p, s - p]);
  return t;
}

/**
 * Least squares by Householder QR: minimises |A x − b| for each right-hand side.
 * `a` is column-major n × m (overwritten); each of `rhs` has n values (overwritten).
 */
function leastSquares(a: Float64Array, n: number, m: number, rhs: Float64Array[]): Float64Array[] {
  const diag = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const col = j * n;
    let norm = 0;
    for (let i = j; i < n; i++) norm += a[col + i]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) throw new WcsInvalidArgumentError('The fit is degenerate: the matches do not constrain every polynomial term.');
    const alpha = a[col + j]! > 0 ? -norm : norm;
    a[col + j] = a[col + j]! - alpha;
    diag[j] = alpha;
    let vnorm2 = 0;
    for (let i = j; i < n; i++) vnorm2 += a[col + i]! ** 2;
    const apply = (vec: Float64Array, off: number): void => {
      let dot = 0;
      for (let i = j; i < n; i++) dot += a[col + i]! * vec[off + i]!;
      const f = (2 * dot) / vnorm2;
      for (let i = j; i < n; i++) vec[off + i] = vec[off + i]! - f * a[col + i]!;
    };
    if (vnorm2 > 0) {
      for (let k = j + 1; k < m; k++) apply(a, k * n);
      for (const r of rhs) apply(r, 0);
    }
  }
  const scale = Math.max(...Array.from(diag, Math.abs));
  for (let j = 0; j < m; j++) {
    if (Math.abs(diag[j]!) < 1e-13 * scale) {
      throw new WcsInvalidArgumentError('The fit is degenerate: the matches do not constrain every polynomial term.', {
        hint: 'Use more matches spread over the image, or a lower order.',
      });
    }
  }
  return rhs.map((r) => {
    const x = new Float64Array(m);
    for (let j = m - 1; j >= 0; j--) {
      let s = r[j]!;
      for (let k = j + 1; k < m; k++) s -= a[k * n + j]! * x[k]!;
      x[j] = s / diag[j]!;
    }
    return x;
  });
}

/** Fits Σ c_pq u^p v^q (p + q ≤ order) to each right-hand side; u, v scaled by `s` for conditioning. */
function fitPoly(us: Float64Array, vs: Float64Array, rhs: Float64Array[], order: number): number[][][] {
  const n = us.length;
  const t = terms(order);
  const m = t.length;
  if (n < m) {
    throw new WcsInvalidArgumentError(`Fitting order ${order} needs at least ${m} matches; got ${n}.`);
  }
  let s = 0;
  for (let i = 0; i < n; i++) s = Math.max(s, Math.abs(us[i]!), Math.abs(vs[i]!));
  if (s === 0) s = 1;
  const a = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const u = us[i]! / s;
    const v = vs[i]! / s;
    t.forEach(([p, q], k) => (a[k * n + i] = u ** p * v ** q));
  }
  const sol = leastSquares(
    a,
    n,
    m,
    rhs.map((r) => Float64Array.from(r)),
  );
  return sol.map((x) => {
    const c: number[][] = Array.from({ length: order + 1 }, () => new Array<number>(order + 1).fill(0));
    t.forEach(([p, q], k) => (c[p]![q] = x[k]! / s ** (p + q)));
    return c;
  });
}

/**
 * Fits a TAN-SIP WCS to matched pixel/sky pairs by linear least squares.
 *
 * The sky positions are projected (gnomonic) about CRVAL to intermediate world coordinates
 * (ξ, η); a polynomial of `order` in `(u, v) = pixel − CRPIX` is fitted to each; its linear
 * part is the CD matrix and its higher terms, through CD⁻¹, the SIP `A`/`B` matrices. The
 * constant term, if any, moves CRVAL there and the fit is repeated (`iterations`). The
 * reverse polynomials `AP`/`BP` are fitted on a grid over the matches' bounding box (the WCS's
 * sky → pixel is exact either way; they only speed it up). CRPIX stays at the initial WCS's
 * pixel origin, or the mean pixel position.
 *
 * @param matches - the matched pairs (at least as many as the terms of one polynomial, `(order+1)(order+2)/2`)
 * @param order - polynomial order (1 for a plain TAN WCS; SIP order otherwise)
 * @param initialWcs - a starting WCS: its pixel and sky origins are used
 * @param options - iterations and the inverse fit
 * @returns the WCS and the RMS on-sky scatter of the matches about it
 * @throws {@link WcsInvalidArgumentError} for an order below 1, too few matches or a degenerate fit
 * @example
 * ```ts
 * const { wcs, scatter } = fitTanSipWcs(matches, 3);
 * scatter.asArcseconds();
 * ```
 * @see lsst.meas.astrom.FitTanSipWcsTask
 */
export function fitTanSipWcs(
  matches: readonly WcsMatch[],
  order: number,
  initialWcs?: SkyWcs,
  options: FitTanSipWcsOptions = {},
): FitTanSipWcsResult {
  if (!Number.isInteger(order) || order < 1) throw new WcsInvalidArgumentError(`order must be an integer >= 1; got ${order}.`);
  const n = matches.length;
  if (n === 0) throw new WcsInvalidArgumentError('fitTanSipWcs needs matches; got none.');
  let crpix: Point2D;
  if (initialWcs !== undefined) crpix = initialWcs.getPixelOrigin();
  else {
    let sx = 0;
    let sy = 0;
    for (const m of matches) {
      sx += m.pixel.x;
      sy += m.pixel.y;
    }
    crpix = new Point2D(sx / n, sy / n);
  }
  let crval = initialWcs?.getSkyOrigin() ?? averageSpherePoint(matches.map((m) => m.sky));
  const us = new Float64Array(n);
  const vs = new Float64Array(n);
  matches.forEach((m, i) => {
    us[i] = m.pixel.x - crpix.x;
    vs[i] = m.pixel.y - crpix.y;
  });
  const ra = Float64Array.from(matches, (m) => m.sky.getLongitude().asRadians());
  const dec = Float64Array.from(matches, (m) => m.sky.getLatitude().asRadians());
  const iterations = options.iterations ?? 3;
  let cx: number[][] = [];
  let cy: number[][] = [];
  for (let it = 0; ; it++) {
    // Intermediate world coordinates (degrees) about crval: a TAN WCS with an identity CD matrix.
    const tangent = makeSkyWcs(new Point2D(0, 0), crval, [
      [1, 0],
      [0, 1],
    ]);
    const { x: xi, y: eta } = tangent.skyToPixelArray(ra, dec);
    [cx, cy] = fitPoly(us, vs, [xi, eta], order) as [number[][], number[][]];
    const c0x = cx[0]![0]!;
    const c0y = cy[0]![0]!;
    if (it >= iterations || Math.hypot(c0x, c0y) < 1e-13) break;
    crval = tangent.pixelToSky(c0x, c0y);
  }
  const cd: [[number, number], [number, number]] = [
    [cx[1]![0]!, cx[0]![1]!],
    [cy[1]![0]!, cy[0]![1]!],
  ];
  let wcs: SkyWcs;
  if (order === 1) {
    wcs = makeSkyWcs(crpix, crval, cd);
  } else {
    const det = cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0];
    if (det === 0) throw new WcsInvalidArgumentError('The fitted CD matrix is singular.');
    const sipA: number[][] = Array.from({ length: order + 1 }, () => new Array<number>(order + 1).fill(0));
    const sipB: number[][] = Array.from({ length: order + 1 }, () => new Array<number>(order + 1).fill(0));
    for (const [p, q] of terms(order)) {
      if (p + q < 2) continue;
      const x = cx[p]![q]!;
      const y = cy[p]![q]!;
      sipA[p]![q] = (cd[1][1] * x - cd[0][1] * y) / det;
      sipB[p]![q] = (-cd[1][0] * x + cd[0][0] * y) / det;
    }
    // Reverse polynomials on a grid over the matches' bounding box.
    const forward = makeTanSipWcs(crpix, crval, cd, sipA, sipB);
    const g = options.inverseGrid ?? 40;
    const invOrder = options.inverseOrder ?? order + 1;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const m of matches) {
      x0 = Math.min(x0, m.pixel.x);
      x1 = Math.max(x1, m.pixel.x);
      y0 = Math.min(y0, m.pixel.y);
      y1 = Math.max(y1, m.pixel.y);
    }
    const gu = new Float64Array(g * g);
    const gv = new Float64Array(g * g);
    const du = new Float64Array(g * g);
    const dv = new Float64Array(g * g);
    const sip = forward.getSipMatrices()!;
    const evalPoly = (c: number[][], u: number, v: number): number => {
      let s = 0;
      c.forEach((row, p) => row.forEach((k, q) => (s += k === 0 ? 0 : k * u ** p * v ** q)));
      return s;
    };
    for (let i = 0; i < g; i++)
      for (let j = 0; j < g; j++) {
        const k = i * g + j;
        const u = x0 + ((x1 - x0) * i) / (g - 1) - crpix.x;
        const v = y0 + ((y1 - y0) * j) / (g - 1) - crpix.y;
        const U = u + evalPoly(sip.a, u, v);
        const V = v + evalPoly(sip.b, u, v);
        gu[k] = U;
        gv[k] = V;
        du[k] = u - U;
        dv[k] = v - V;
      }
    const [ap, bp] = fitPoly(gu, gv, [du, dv], invOrder) as [number[][], number[][]];
    wcs = makeTanSipWcs(crpix, crval, cd, sipA, sipB, ap, bp);
  }
  const fitted = wcs.pixelToSkyArray(
    Float64Array.from(matches, (m) => m.pixel.x),
    Float64Array.from(matches, (m) => m.pixel.y),
  );
  const sep = new Float64Array(n);
  separationRadiansArray(fitted.ra, fitted.dec, ra, dec, sep);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += sep[i]! ** 2;
  return { wcs, scatter: Angle.fromRadians(Math.sqrt(ss / n)) };
}
