// lsst.afw.geom.SkyWcs: pixel (LSST 0-based, PARENT) <-> ICRS sky, through SIP distortion, a
// linear (CD) matrix, one of the FITS-WCS projections and the spherical rotation of Paper II.
import {
  AffineTransform,
  Angle,
  Extent2D,
  LinearTransform,
  Point2D,
  Point2I,
  SpherePoint,
  degrees,
  type AngleUnit,
  type Matrix2x2,
} from '@skystack/geom';
import { Header } from '@skystack/fits';
import { WcsDomainError, WcsFormatError, WcsInvalidArgumentError } from './errors.js';
import { makeProjection, type Projection, type ProjectionCode } from './projections.js';

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;
const TWO_PI = 2 * Math.PI;

/** A SIP coefficient matrix: `m[p][q]` multiplies `u^p v^q` (rows may be ragged; missing terms are 0). */
export type SipMatrix = readonly (readonly number[])[];

/** The celestial reference frames a header may use; sky coordinates are always returned in ICRS. */
export type SkyWcsFrame = 'ICRS' | 'FK5';

/** Ra/dec arrays in radians, as {@link SkyWcs.pixelToSkyArray} fills them. */
export interface SkyArrays {
  /** Right ascension, radians, in `[0, 2π)` (NaN outside the domain). */
  ra: Float64Array;
  /** Declination, radians (NaN outside the domain). */
  dec: Float64Array;
}

/** Pixel arrays (LSST 0-based), as {@link SkyWcs.skyToPixelArray} fills them. */
export interface PixelArrays {
  /** x, pixels (NaN outside the domain). */
  x: Float64Array;
  /** y, pixels (NaN outside the domain). */
  y: Float64Array;
}

/** The SIP matrices of a distorted WCS, `m[p][q]` the coefficient of `u^p v^q`. */
export interface SipMatrices {
  /** Forward distortion of x (`A_p_q`). */
  a: number[][];
  /** Forward distortion of y (`B_p_q`). */
  b: number[][];
  /** Reverse distortion of x (`AP_p_q`), when the WCS has one. */
  ap?: number[][];
  /** Reverse distortion of y (`BP_p_q`), when the WCS has one. */
  bp?: number[][];
}

/** What a {@link SkyWcs} is made of: the FITS-WCS description with 0-based pixels. */
export interface SkyWcsParameters {
  /** The pixel origin, LSST 0-based PARENT pixels (FITS `CRPIX` − 1 + XY0). */
  crpix: Point2D;
  /** The sky origin (`CRVAL`) in `frame` (ICRS by default). */
  crval: SpherePoint;
  /** The CD matrix in degrees per pixel, rows (longitude, latitude), columns (x, y). */
  cdMatrix: Matrix2x2;
  /** The projection code (`'TAN'` by default). */
  projection?: ProjectionCode | string;
  /** Projection parameters `PV2_m` by `m` (see {@link makeProjection}). */
  pv?: ReadonlyMap<number, number>;
  /** SIP forward distortion for x (`A_p_q`). */
  sipA?: SipMatrix;
  /** SIP forward distortion for y (`B_p_q`). */
  sipB?: SipMatrix;
  /** SIP reverse distortion for x (`AP_p_q`), used as the starting point of the inverse. */
  sipAp?: SipMatrix;
  /** SIP reverse distortion for y (`BP_p_q`). */
  sipBp?: SipMatrix;
  /** `LONPOLE`, degrees (Paper II default when omitted). */
  lonpole?: number;
  /** `LATPOLE`, degrees (90 when omitted). */
  latpole?: number;
  /** The frame of `crval`: `'ICRS'` (default) or `'FK5'` (equinox J2000). */
  frame?: SkyWcsFrame;
  /**
   * An exact transform that is not FITS-WCS (an AST FrameSet read from an afw archive): when
   * given, pixel ↔ sky use it, and the FITS-WCS parameters above are its TAN approximation
   * (used by {@link SkyWcs.getFitsMetadata} and for the pixel and sky origins).
   */
  exact?: PixelSkyTransform;
}

/**
 * A pixel ↔ sky transform given by other means than FITS-WCS parameters, such as the AST
 * FrameSet of a modern afw `SkyWcs` (see `skyWcsFromAstFrameSet`).
 */
export interface PixelSkyTransform {
  /** What it is, for {@link SkyWcs.toString} (`'AST FrameSet (PIXELS → FOCAL → IWC → SKY)'`). */
  readonly description: string;
  /**
   * Pixel → ICRS sky, batched.
   *
   * @param xs - pixel x (LSST 0-based)
   * @param ys - pixel y
   * @param out - filled with ra in `[0, 2π)` and dec, radians; NaN where there is no image
   */
  pixelToSky(xs: Float64Array, ys: Float64Array, out: SkyArrays): void;
  /**
   * ICRS sky → pixel, batched.
   *
   * @param ra - right ascension, radians
   * @param dec - declination, radians
   * @param out - filled with pixel x and y; NaN where there is no image
   */
  skyToPixel(ra: Float64Array, dec: Float64Array, out: PixelArrays): void;
}

/** One SIP polynomial, `(order + 1)²` coefficients, `c[p * (order + 1) + q]`. */
interface Poly {
  order: number;
  c: Float64Array;
}

function toPoly(m: SipMatrix | undefined, name: string): Poly | undefined {
  if (m === undefined) return undefined;
  let order = m.length - 1;
  for (const row of m) order = Math.max(order, row.length - 1);
  if (order < 0) return undefined;
  const n = order + 1;
  const c = new Float64Array(n * n);
  m.forEach((row, p) =>
    row.forEach((v, q) => {
      if (!Number.isFinite(v)) throw new WcsInvalidArgumentError(`SIP coefficient ${name}[${p}][${q}] is not finite: ${v}.`);
      c[p * n + q] = v;
    }),
  );
  return { order, c };
}

function polyToMatrix(p: Poly): number[][] {
  const n = p.order + 1;
  const m: number[][] = [];
  for (let i = 0; i < n; i++) m.push(Array.from(p.c.subarray(i * n, i * n + n)));
  return m;
}

/** Σ c_pq u^p v^q (Horner in both variables). */
function polyEval(p: Poly, u: number, v: number): number {
  const n = p.order + 1;
  const c = p.c;
  let acc = 0;
  for (let i = n - 1; i >= 0; i--) {
    let row = 0;
    const base = i * n;
    for (let j = n - 1 - i; j >= 0; j--) row = row * v + c[base + j]!;
    acc = acc * u + row;
  }
  return acc;
}

/** The value and both partial derivatives into `out` = `[f, ∂f/∂u, ∂f/∂v]`. */
function polyEvalDeriv(p: Poly, u: number, v: number, out: Float64Array): void {
  const n = p.order + 1;
  const c = p.c;
  let f = 0;
  let fu = 0;
  let fv = 0;
  for (let i = n - 1; i >= 0; i--) {
    let row = 0;
    let rowV = 0;
    const base = i * n;
    for (let j = n - 1 - i; j >= 0; j--) {
      rowV = rowV * v + row;
      row = row * v + c[base + j]!;
    }
    fu = fu * u + f;
    f = f * u + row;
    fv = fv * u + rowV;
  }
  out[0] = f;
  out[1] = fu;
  out[2] = fv;
}

type Mat3 = Float64Array;

function mul3(a: Mat3, b: Mat3): Mat3 {
  const r = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) r[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  return r;
}

function transpose3(a: Mat3): Mat3 {
  return Float64Array.of(a[0]!, a[3]!, a[6]!, a[1]!, a[4]!, a[7]!, a[2]!, a[5]!, a[8]!);
}

/** Active rotation by `a` radians about z. */
function rotZ(a: number): Mat3 {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return Float64Array.of(c, -s, 0, s, c, 0, 0, 0, 1);
}

/** Active rotation by `a` radians about y. */
function rotY(a: number): Mat3 {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return Float64Array.of(c, 0, s, 0, 1, 0, -s, 0, c);
}

/** Passive rotations (astropy's `rotation_matrix`), degrees. */
function passive(deg: number, axis: 0 | 1 | 2): Mat3 {
  const c = Math.cos(deg * D2R);
  const s = Math.sin(deg * D2R);
  const r = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const a1 = (axis + 1) % 3;
  const a2 = (axis + 2) % 3;
  r[a1 * 4] = c;
  r[a1 * 3 + a2] = s;
  r[a2 * 3 + a1] = -s;
  r[a2 * 4] = c;
  return r;
}

/**
 * FK5 (J2000) to ICRS: the transpose of the ICRS→FK5 frame-bias matrix of USNO Circular 179
 * (η0 = −19.9 mas, ξ0 = 9.1 mas, dα0 = −22.9 mas), as astropy and AST (palFk5hz at J2000) use.
 */
const FK5_TO_ICRS: Mat3 = transpose3(
  mul3(mul3(passive(19.9 / 3.6e6, 0), passive(9.1 / 3.6e6, 1)), passive(-22.9 / 3.6e6, 2)),
);

/**
 * The native→celestial rotation of Paper II §2.4 as wcslib's `celset` computes it: the
 * celestial coordinates (αp, δp) of the native pole from CRVAL at (φ0, θ0), `LONPOLE` and
 * `LATPOLE`, and the matrix `Rz(αp) Ry(90° − δp) Rz(180° − φp)`.
 */
function celestialRotation(proj: Projection, lng0: number, lat0: number, lonpole?: number, latpole?: number): Mat3 {
  const { phi0, theta0 } = proj;
  const phip = lonpole ?? (lat0 < theta0 ? 180 : 0) + phi0;
  let lngp: number;
  let latp: number;
  if (theta0 === 90) {
    lngp = lng0;
    latp = lat0;
  } else {
    const sthe0 = Math.sin(theta0 * D2R);
    const cthe0 = Math.cos(theta0 * D2R);
    const slat0 = Math.sin(lat0 * D2R);
    const clat0 = Math.cos(lat0 * D2R);
    const dphi = (phip - phi0) * D2R;
    const sphip = Math.sin(dphi);
    const cphip = Math.cos(dphi);
    const x = cthe0 * cphip;
    const y = sthe0;
    const z = Math.sqrt(x * x + y * y);
    const lp = latpole ?? 90;
    if (z === 0) {
      if (slat0 !== 0) throw new WcsFormatError(`Invalid celestial parameters: CRVAL latitude ${lat0} is unreachable with LONPOLE ${phip}.`);
      latp = lp;
    } else {
      if (Math.abs(slat0 / z) > 1 + 1e-12) {
        throw new WcsFormatError(`Invalid celestial parameters: CRVAL latitude ${lat0} is unreachable with LONPOLE ${phip}.`);
      }
      const u = Math.atan2(y, x) * R2D;
      const v = Math.acos(Math.max(-1, Math.min(1, slat0 / z))) * R2D;
      const wrap = (a: number): number => (a > 180 ? a - 360 : a < -180 ? a + 360 : a);
      const latp1 = wrap(u + v);
      const latp2 = wrap(u - v);
      const ok1 = Math.abs(latp1) < 90 + 1e-10;
      const ok2 = Math.abs(latp2) < 90 + 1e-10;
      if (ok1 && ok2) latp = Math.abs(latp1 - lp) < Math.abs(latp2 - lp) ? latp1 : latp2;
      else if (ok1) latp = latp1;
      else if (ok2) latp = latp2;
      else throw new WcsFormatError('Invalid celestial parameters: no native pole latitude in [-90, 90].');
      latp = Math.max(-90, Math.min(90, latp));
    }
    const zz = Math.cos(latp * D2R) * clat0;
    if (Math.abs(zz) < 1e-10) {
      if (Math.abs(clat0) < 1e-10) lngp = lng0;
      else if (latp > 0) lngp = lng0 + phip - phi0 - 180;
      else lngp = lng0 - phip + phi0;
    } else {
      const xx = (sthe0 - Math.sin(latp * D2R) * slat0) / zz;
      const yy = (sphip * cthe0) / clat0;
      if (xx === 0 && yy === 0) throw new WcsFormatError('Invalid celestial parameters: the native pole is undefined.');
      lngp = lng0 - Math.atan2(yy, xx) * R2D;
    }
  }
  return mul3(mul3(rotZ(lngp * D2R), rotY((90 - latp) * D2R)), rotZ((180 - phip) * D2R));
}

function checkMatrix(cd: Matrix2x2): [number, number, number, number] {
  const m: [number, number, number, number] = [cd[0][0], cd[0][1], cd[1][0], cd[1][1]];
  if (!m.every(Number.isFinite)) throw new WcsInvalidArgumentError(`The CD matrix must be finite; got ${JSON.stringify(cd)}.`);
  if (m[0] * m[3] - m[1] * m[2] === 0) {
    throw new WcsInvalidArgumentError(`The CD matrix is singular: ${JSON.stringify(cd)}.`, { hint: 'Its determinant must not be zero.' });
  }
  return m;
}

function fmt(v: number, digits = 10): string {
  return Number(v.toFixed(digits)).toString();
}

/** Paper II R0 in degrees. */
const R0 = R2D;

/**
 * A celestial world coordinate system: the mapping between LSST pixel coordinates and ICRS
 * sky coordinates, as `lsst.afw.geom.SkyWcs`.
 *
 * Pixel convention: **LSST 0-based PARENT pixels**, the centre of the first pixel is (0, 0)
 * and `xy0` is included (decision 0014). A FITS header's `CRPIXi` is therefore 1 more than
 * {@link SkyWcs.getPixelOrigin} for an image whose `xy0` is (0, 0). Sky coordinates are
 * always ICRS: a header in FK5 (J2000) is rotated to ICRS by the frame bias, as afw does.
 *
 * The transform, pixel → sky: `(u, v) = pixel − crpix`; SIP `u' = u + A(u, v)`,
 * `v' = v + B(u, v)`; intermediate world coordinates `CD (u', v')` in degrees; the
 * projection's deprojection to native (φ, θ); the spherical rotation to ICRS. Sky → pixel
 * inverts each step; the SIP step by Newton iteration to 1e-10 pixel (starting from the
 * `AP`/`BP` polynomials when present).
 *
 * Outside the projection's domain the array methods give NaN, {@link SkyWcs.skyToPixel}
 * gives a point of NaNs and {@link SkyWcs.pixelToSky} throws {@link WcsDomainError} (a
 * `SpherePoint` cannot be NaN).
 *
 * @example
 * ```ts
 * const wcs = makeSkyWcs(new Point2D(1000, 1000), SpherePoint.fromDegrees(150, 2),
 *   makeCdMatrix(Angle.fromArcseconds(0.2)));
 * const sky = wcs.pixelToSky(10, 20);
 * const pix = wcs.skyToPixel(sky); // ≈ (10, 20)
 * ```
 * @see lsst.afw.geom.SkyWcs
 */
export class SkyWcs {
  readonly #params: SkyWcsParameters;
  readonly #crx: number;
  readonly #cry: number;
  readonly #cd: [number, number, number, number];
  readonly #cdInv: [number, number, number, number];
  readonly #proj: Projection;
  readonly #tan: boolean;
  readonly #sipA: Poly | undefined;
  readonly #sipB: Poly | undefined;
  readonly #sipAp: Poly | undefined;
  readonly #sipBp: Poly | undefined;
  /** Native → ICRS rotation, row-major. */
  readonly #rot: Mat3;
  readonly #exact: PixelSkyTransform | undefined;
  readonly #tmp = new Float64Array(3);
  readonly #tmp2 = new Float64Array(3);
  readonly #tmp3 = new Float64Array(3);

  /**
   * Makes a WCS from its FITS-WCS description (most callers use {@link makeSkyWcs} or
   * {@link makeTanSipWcs}).
   *
   * @param params - pixel origin (0-based), sky origin, CD matrix, projection, SIP, poles, frame
   * @throws {@link WcsInvalidArgumentError} for a singular or non-finite CD matrix, SIP
   *   without both A and B, or a non-finite pixel origin
   * @throws {@link WcsFormatError} for an unsupported projection or unreachable celestial parameters
   */
  constructor(params: SkyWcsParameters) {
    this.#params = params;
    this.#exact = params.exact;
    this.#crx = params.crpix.x;
    this.#cry = params.crpix.y;
    if (!Number.isFinite(this.#crx) || !Number.isFinite(this.#cry)) {
      throw new WcsInvalidArgumentError(`The pixel origin must be finite; got ${params.crpix.toString()}.`);
    }
    const cd = checkMatrix(params.cdMatrix);
    this.#cd = cd;
    const det = cd[0] * cd[3] - cd[1] * cd[2];
    this.#cdInv = [cd[3] / det, -cd[1] / det, -cd[2] / det, cd[0] / det];
    this.#proj = makeProjection(params.projection ?? 'TAN', params.pv ?? new Map());
    this.#tan = this.#proj.code === 'TAN';
    this.#sipA = toPoly(params.sipA, 'A');
    this.#sipB = toPoly(params.sipB, 'B');
    if ((this.#sipA === undefined) !== (this.#sipB === undefined)) {
      throw new WcsInvalidArgumentError('SIP needs both the A and the B matrix; only one was given.');
    }
    this.#sipAp = toPoly(params.sipAp, 'AP');
    this.#sipBp = toPoly(params.sipBp, 'BP');
    if ((this.#sipAp === undefined) !== (this.#sipBp === undefined)) {
      throw new WcsInvalidArgumentError('The SIP inverse needs both AP and BP; only one was given.');
    }
    const frame = params.frame ?? 'ICRS';
    if (frame !== 'ICRS' && frame !== 'FK5') {
      throw new WcsFormatError(`Sky frame '${String(frame)}' is not supported; supported: ICRS, FK5 (J2000).`);
    }
    const rot = celestialRotation(
      this.#proj,
      params.crval.getLongitude().asDegrees(),
      params.crval.getLatitude().asDegrees(),
      params.lonpole,
      params.latpole,
    );
    this.#rot = frame === 'FK5' ? mul3(FK5_TO_ICRS, rot) : rot;
  }

  /** The projection code (`'TAN'`, `'ZPN'`, ...). */
  get projection(): ProjectionCode {
    return this.#proj.code;
  }

  /** Whether the WCS has SIP distortion terms. */
  get hasDistortion(): boolean {
    return this.#sipA !== undefined;
  }

  /**
   * Whether the pixel axes are flipped relative to the sky (the CD matrix has a positive
   * determinant; the usual sky image, East left with North up, is not flipped).
   *
   * @see lsst.afw.geom.SkyWcs.isFlipped
   */
  get isFlipped(): boolean {
    const [a, b, c, d] = this.#cd;
    return a * d - b * c > 0;
  }

  /**
   * The pixel origin: the pixel at which the sky origin lies, 0-based (FITS `CRPIX` − 1 + XY0).
   *
   * @returns the pixel origin
   * @see lsst.afw.geom.SkyWcs.getPixelOrigin
   */
  getPixelOrigin(): Point2D {
    return new Point2D(this.#crx, this.#cry);
  }

  /**
   * The sky origin (`CRVAL`), ICRS: the sky position of the projection's fiducial point.
   *
   * @returns the sky origin
   * @see lsst.afw.geom.SkyWcs.getSkyOrigin
   */
  getSkyOrigin(): SpherePoint {
    const n = this.#nativeVector(this.#proj.phi0, this.#proj.theta0);
    const c = this.#rotate(n[0]!, n[1]!, n[2]!);
    return SpherePoint.fromVector(c[0]!, c[1]!, c[2]!);
  }

  /**
   * The local CD matrix: the Jacobian of pixel → intermediate world coordinates (degrees per
   * pixel) at `point`, which includes the SIP distortion there.
   *
   * @param point - where (the pixel origin by default)
   * @returns the matrix as rows `[[∂ξ/∂x, ∂ξ/∂y], [∂η/∂x, ∂η/∂y]]`
   * @see lsst.afw.geom.SkyWcs.getCdMatrix
   */
  getCdMatrix(point?: Point2D): [[number, number], [number, number]] {
    if (this.#exact !== undefined && point !== undefined) {
      const m = this.linearizePixelToSky(point, degrees).getLinear().getMatrix();
      const cosDec = Math.cos(this.pixelToSky(point).getLatitude().asRadians());
      return [
        [m[0][0] * cosDec, m[0][1] * cosDec],
        [m[1][0], m[1][1]],
      ];
    }
    const [a, b, c, d] = this.#cd;
    if (this.#sipA === undefined || point === undefined) return [[a, b], [c, d]];
    const u = point.x - this.#crx;
    const v = point.y - this.#cry;
    const da = this.#tmp;
    const db = this.#tmp2;
    polyEvalDeriv(this.#sipA, u, v, da);
    polyEvalDeriv(this.#sipB!, u, v, db);
    const j00 = 1 + da[1]!;
    const j01 = da[2]!;
    const j10 = db[1]!;
    const j11 = 1 + db[2]!;
    return [
      [a * j00 + b * j10, a * j01 + b * j11],
      [c * j00 + d * j10, c * j01 + d * j11],
    ];
  }

  /**
   * The pixel scale at a point: the square root of the sky area of a 1 × 1 pixel square there.
   *
   * @param point - where (the pixel origin by default)
   * @returns the scale, as an angle per pixel
   * @see lsst.afw.geom.SkyWcs.getPixelScale
   */
  getPixelScale(point: Point2D = this.getPixelOrigin()): Angle {
    const xs = Float64Array.of(point.x, point.x + 1, point.x);
    const ys = Float64Array.of(point.y, point.y, point.y + 1);
    const { ra, dec } = this.pixelToSkyArray(xs, ys);
    const v = (i: number): [number, number, number] => [
      Math.cos(dec[i]!) * Math.cos(ra[i]!),
      Math.cos(dec[i]!) * Math.sin(ra[i]!),
      Math.sin(dec[i]!),
    ];
    const p0 = v(0);
    const p1 = v(1);
    const p2 = v(2);
    const dx = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
    const dy = [p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]];
    const cx = dx[1]! * dy[2]! - dx[2]! * dy[1]!;
    const cy = dx[2]! * dy[0]! - dx[0]! * dy[2]!;
    const cz = dx[0]! * dy[1]! - dx[1]! * dy[0]!;
    const area = Math.sqrt(cx * cx + cy * cy + cz * cz);
    if (!Number.isFinite(area)) throw new WcsDomainError(`No pixel scale at ${point.toString()}: outside the projection's domain.`);
    return Angle.fromRadians(Math.sqrt(area));
  }

  /**
   * Pixel → sky for one point.
   *
   * @param x - pixel x (LSST 0-based), or the pixel as a `Point2D`
   * @param y - pixel y (when `x` is a number)
   * @returns the ICRS sky position
   * @throws {@link WcsDomainError} when the pixel is outside the projection's domain
   * @see lsst.afw.geom.SkyWcs.pixelToSky
   */
  pixelToSky(x: number | Point2D, y?: number): SpherePoint {
    const px = typeof x === 'number' ? x : x.x;
    const py = typeof x === 'number' ? (y ?? NaN) : x.y;
    if (this.#exact !== undefined) {
      const { ra, dec } = this.pixelToSkyArray(Float64Array.of(px), Float64Array.of(py));
      if (!Number.isFinite(ra[0]!) || !Number.isFinite(dec[0]!)) throw new WcsDomainError(`Pixel (${px}, ${py}) has no sky position in ${this.#exact.description}.`);
      return SpherePoint.fromRadians(ra[0]!, dec[0]!);
    }
    const out = this.#tmp;
    this.#pixelToVector(px, py, out);
    if (!Number.isFinite(out[0]!)) {
      throw new WcsDomainError(`Pixel (${px}, ${py}) has no sky position: it is outside the ${this.#proj.code} projection's domain.`);
    }
    return SpherePoint.fromVector(out[0]!, out[1]!, out[2]!);
  }

  /**
   * Sky → pixel for one point.
   *
   * @param coord - the ICRS sky position
   * @returns the pixel (LSST 0-based); NaN coordinates when the position has no image
   * @see lsst.afw.geom.SkyWcs.skyToPixel
   */
  skyToPixel(coord: SpherePoint): Point2D {
    if (this.#exact !== undefined) {
      const { x, y } = this.skyToPixelArray(Float64Array.of(coord.getLongitude().asRadians()), Float64Array.of(coord.getLatitude().asRadians()));
      return new Point2D(x[0]!, y[0]!);
    }
    const out = this.#tmp;
    this.#skyToPixel(coord.getLongitude().asRadians(), coord.getLatitude().asRadians(), out);
    return new Point2D(out[0], out[1]);
  }

  /**
   * Pixel → sky for many points, without allocation per point.
   *
   * @param xs - pixel x (LSST 0-based)
   * @param ys - pixel y, as many as `xs`
   * @param out - arrays to fill (each at least `xs.length` long); new ones when omitted
   * @returns `out`: ra in `[0, 2π)` and dec, radians; NaN outside the domain
   * @throws {@link WcsInvalidArgumentError} when the lengths differ
   * @see lsst.afw.geom.SkyWcs.pixelToSkyArray
   */
  pixelToSkyArray(xs: ArrayLike<number>, ys: ArrayLike<number>, out?: SkyArrays): SkyArrays {
    const n = xs.length;
    if (ys.length !== n) throw new WcsInvalidArgumentError(`xs and ys must have the same length; got ${n} and ${ys.length}.`);
    const res = out ?? { ra: new Float64Array(n), dec: new Float64Array(n) };
    if (res.ra.length < n || res.dec.length < n) {
      throw new WcsInvalidArgumentError(`The output arrays must hold ${n} values; they hold ${res.ra.length} and ${res.dec.length}.`);
    }
    if (this.#exact !== undefined) {
      this.#exact.pixelToSky(asFloat64(xs), asFloat64(ys), res);
      return res;
    }
    const ra = res.ra;
    const dec = res.dec;
    const v = this.#tmp;
    for (let i = 0; i < n; i++) {
      this.#pixelToVector(xs[i]!, ys[i]!, v);
      const x = v[0]!;
      const y = v[1]!;
      let a = Math.atan2(y, x);
      if (a < 0) a += TWO_PI;
      ra[i] = a;
      dec[i] = Math.atan2(v[2]!, Math.sqrt(x * x + y * y));
    }
    return res;
  }

  /**
   * Sky → pixel for many points, without allocation per point.
   *
   * @param ra - right ascension, radians (ICRS)
   * @param dec - declination, radians, as many as `ra`
   * @param out - arrays to fill; new ones when omitted
   * @returns `out`: pixel x and y (LSST 0-based); NaN where a position has no image
   * @throws {@link WcsInvalidArgumentError} when the lengths differ
   * @see lsst.afw.geom.SkyWcs.skyToPixelArray
   */
  skyToPixelArray(ra: ArrayLike<number>, dec: ArrayLike<number>, out?: PixelArrays): PixelArrays {
    const n = ra.length;
    if (dec.length !== n) throw new WcsInvalidArgumentError(`ra and dec must have the same length; got ${n} and ${dec.length}.`);
    const res = out ?? { x: new Float64Array(n), y: new Float64Array(n) };
    if (res.x.length < n || res.y.length < n) {
      throw new WcsInvalidArgumentError(`The output arrays must hold ${n} values; they hold ${res.x.length} and ${res.y.length}.`);
    }
    if (this.#exact !== undefined) {
      this.#exact.skyToPixel(asFloat64(ra), asFloat64(dec), res);
      return res;
    }
    const t = this.#tmp;
    for (let i = 0; i < n; i++) {
      this.#skyToPixel(ra[i]!, dec[i]!, t);
      res.x[i] = t[0]!;
      res.y[i] = t[1]!;
    }
    return res;
  }

  /**
   * The local affine approximation of pixel → sky: sky coordinates (ra, dec in `skyUnit`) as a
   * function of pixel, exact at the given point, with the derivatives of tangent-plane offsets
   * over 1 pixel steps (afw's construction).
   *
   * @param at - the pixel, or the sky position, where the approximation is exact
   * @param skyUnit - the unit of the sky coordinates (degrees by default)
   * @returns the transform pixel → (ra, dec)
   * @throws {@link WcsDomainError} when the point is outside the domain
   * @see lsst.afw.geom.SkyWcs.linearizePixelToSky
   */
  linearizePixelToSky(at: Point2D | SpherePoint, skyUnit: AngleUnit = degrees): AffineTransform {
    const pix = at instanceof SpherePoint ? this.skyToPixel(at) : at;
    const coord = at instanceof SpherePoint ? at : this.pixelToSky(pix);
    if (!Number.isFinite(pix.x)) throw new WcsDomainError(`${coord.toString()} has no pixel: outside the projection's domain.`);
    const [dx1, dy1] = coord.getTangentPlaneOffset(this.pixelToSky(pix.x + 1, pix.y));
    const [dx2, dy2] = coord.getTangentPlaneOffset(this.pixelToSky(pix.x, pix.y + 1));
    const m: Matrix2x2 = [
      [dx1.asAngularUnits(skyUnit), dx2.asAngularUnits(skyUnit)],
      [dy1.asAngularUnits(skyUnit), dy2.asAngularUnits(skyUnit)],
    ];
    const sx = coord.getLongitude().asAngularUnits(skyUnit);
    const sy = coord.getLatitude().asAngularUnits(skyUnit);
    const tx = sx - (m[0][0] * pix.x + m[0][1] * pix.y);
    const ty = sy - (m[1][0] * pix.x + m[1][1] * pix.y);
    return new AffineTransform(new LinearTransform(m), new Extent2D(tx, ty));
  }

  /**
   * The local affine approximation of sky → pixel: the inverse of {@link SkyWcs.linearizePixelToSky}.
   *
   * @param at - the sky position, or the pixel, where the approximation is exact
   * @param skyUnit - the unit of the sky coordinates (degrees by default)
   * @returns the transform (ra, dec) → pixel
   * @throws {@link WcsDomainError} when the point is outside the domain
   * @see lsst.afw.geom.SkyWcs.linearizeSkyToPixel
   */
  linearizeSkyToPixel(at: SpherePoint | Point2D, skyUnit: AngleUnit = degrees): AffineTransform {
    return this.linearizePixelToSky(at, skyUnit).inverted();
  }

  /**
   * The same WCS with the pixel origin moved by `shift`: `copy.pixelToSky(p + shift)` equals
   * `this.pixelToSky(p)` (what afw does to apply an image's `xy0`).
   *
   * @param shift - the shift, pixels
   * @returns the shifted WCS
   * @see lsst.afw.geom.SkyWcs.copyAtShiftedPixelOrigin
   */
  copyAtShiftedPixelOrigin(shift: Extent2D): SkyWcs {
    const exact = this.#exact;
    return new SkyWcs({
      ...this.#params,
      crpix: new Point2D(this.#crx + shift.x, this.#cry + shift.y),
      ...(exact === undefined ? {} : { exact: shiftedTransform(exact, shift.x, shift.y) }),
    });
  }

  /**
   * The WCS as FITS-WCS header cards: `RADESYS = 'ICRS'`, 1-based `CRPIX`, `CRVAL`, the CD
   * matrix, `CTYPE` with the projection (`-SIP` and the `A`/`B`/`AP`/`BP` matrices when
   * distorted), `PV2_m` and `LONPOLE`/`LATPOLE` where needed. A WCS read in FK5 is written in
   * ICRS (CRVAL and the CD matrix rotated), exactly equivalent. Pixels are 0-based PARENT
   * pixels of this WCS + 1: write it for an image whose `xy0` is (0, 0), or shift it first.
   *
   * @param precise - afw's flag: throw when the WCS is not exactly representable; every
   *   {@link SkyWcs} of this package is, so it has no effect
   * @returns a new header holding the cards
   * @see lsst.afw.geom.SkyWcs.getFitsMetadata
   */
  getFitsMetadata(precise = false): Header {
    void precise;
    const h = new Header();
    const proj = this.#proj;
    const sip = this.#sipA !== undefined;
    const rt = transpose3(this.#rot);
    // Celestial pole in native coordinates → φp; native pole in ICRS → (αp, δp).
    const phip = Math.atan2(rt[5]!, rt[2]!) * R2D;
    let [a, b, c, d] = this.#cd;
    let lonpole: number | undefined;
    let latpole: number | undefined;
    let crval: SpherePoint;
    if (proj.theta0 === 90) {
      crval = SpherePoint.fromVector(this.#rot[2]!, this.#rot[5]!, this.#rot[8]!);
      if (Math.abs(crval.getLatitude().asDegrees()) < 90 - 1e-12) {
        // Rotate the plane so that LONPOLE is the default 180.
        const delta = (180 - phip) * D2R;
        const cs = Math.cos(delta);
        const sn = Math.sin(delta);
        [a, b, c, d] = [cs * a - sn * c, cs * b - sn * d, sn * a + cs * c, sn * b + cs * d];
      } else {
        lonpole = phip;
      }
    } else {
      crval = this.getSkyOrigin();
      lonpole = phip;
      latpole = Math.atan2(this.#rot[8]!, Math.hypot(this.#rot[2]!, this.#rot[5]!)) * R2D;
    }
    const suffix = sip ? '-SIP' : '';
    h.set('RADESYS', 'ICRS', 'Reference frame');
    h.set('CTYPE1', `RA---${proj.code}${suffix}`, 'Projection for axis 1');
    h.set('CTYPE2', `DEC--${proj.code}${suffix}`, 'Projection for axis 2');
    h.set('CRPIX1', this.#crx + 1, 'Pixel origin, FITS 1-based');
    h.set('CRPIX2', this.#cry + 1, 'Pixel origin, FITS 1-based');
    h.set('CRVAL1', crval.getLongitude().asDegrees(), 'Sky origin, degrees');
    h.set('CRVAL2', crval.getLatitude().asDegrees(), 'Sky origin, degrees');
    h.set('CUNIT1', 'deg', 'Units for axis 1');
    h.set('CUNIT2', 'deg', 'Units for axis 2');
    h.set('CD1_1', a, 'Linear transform matrix element');
    h.set('CD1_2', b, 'Linear transform matrix element');
    h.set('CD2_1', c, 'Linear transform matrix element');
    h.set('CD2_2', d, 'Linear transform matrix element');
    if (lonpole !== undefined) h.set('LONPOLE', lonpole, 'Native longitude of the celestial pole');
    if (latpole !== undefined) h.set('LATPOLE', latpole, 'Celestial latitude of the native pole');
    for (const [m, v] of [...(this.#params.pv ?? new Map<number, number>())].sort((x, y) => x[0] - y[0])) {
      h.set(`PV2_${m}`, v, 'Projection parameter');
    }
    const writePoly = (name: string, p: Poly | undefined): void => {
      if (p === undefined) return;
      const n = p.order + 1;
      h.set(`${name}_ORDER`, p.order, `SIP polynomial order, ${name}`);
      for (let i = 0; i < n; i++)
        for (let j = 0; i + j < n; j++) {
          const v = p.c[i * n + j]!;
          if (v !== 0) h.set(`${name}_${i}_${j}`, v);
        }
    };
    writePoly('A', this.#sipA);
    writePoly('B', this.#sipB);
    writePoly('AP', this.#sipAp);
    writePoly('BP', this.#sipBp);
    return h;
  }

  /**
   * The SIP matrices, when the WCS has them.
   *
   * @returns `{ a, b, ap?, bp? }` with `m[p][q]` the coefficient of `u^p v^q`, or undefined
   */
  getSipMatrices(): SipMatrices | undefined {
    if (this.#sipA === undefined) return undefined;
    return {
      a: polyToMatrix(this.#sipA),
      b: polyToMatrix(this.#sipB!),
      ...(this.#sipAp && { ap: polyToMatrix(this.#sipAp), bp: polyToMatrix(this.#sipBp!) }),
    };
  }

  /** True when pixel ↔ sky is exactly FITS-WCS (false for a WCS from an AST FrameSet that is not; afw's `isFits`). */
  get isFits(): boolean {
    return this.#exact === undefined;
  }

  /**
   * A description in afw's words: the kind, the sky origin, pixel origin and pixel scale.
   *
   * @returns the description
   */
  toString(): string {
    const sky = this.getSkyOrigin();
    let scale = '?';
    try {
      scale = fmt(this.getPixelScale().asArcseconds(), 6);
    } catch {
      // outside the domain at the origin: leave '?'
    }
    return [
      this.#exact === undefined ? `FITS standard SkyWcs (${this.#proj.code}${this.#sipA ? '-SIP' : ''}):` : `Non-standard SkyWcs (${this.#exact.description}):`,
      `Sky Origin: (${fmt(sky.getLongitude().asDegrees())}, ${fmt(sky.getLatitude().asDegrees())})`,
      `Pixel Origin: (${fmt(this.#crx, 6)}, ${fmt(this.#cry, 6)})`,
      `Pixel Scale: ${scale} arcsec/pixel`,
    ].join('\n');
  }

  #nativeVector(phi: number, theta: number): Float64Array {
    const out = new Float64Array(3);
    const p = phi * D2R;
    const t = theta * D2R;
    out[0] = Math.cos(t) * Math.cos(p);
    out[1] = Math.cos(t) * Math.sin(p);
    out[2] = Math.sin(t);
    return out;
  }

  #rotate(x: number, y: number, z: number): Float64Array {
    const r = this.#rot;
    return Float64Array.of(r[0]! * x + r[1]! * y + r[2]! * z, r[3]! * x + r[4]! * y + r[5]! * z, r[6]! * x + r[7]! * y + r[8]! * z);
  }

  /** Pixel → ICRS unit vector into out[0..2] (NaN outside the domain). */
  #pixelToVector(px: number, py: number, out: Float64Array): void {
    let u = px - this.#crx;
    let v = py - this.#cry;
    if (this.#sipA !== undefined) {
      const du = polyEval(this.#sipA, u, v);
      const dv = polyEval(this.#sipB!, u, v);
      u += du;
      v += dv;
    }
    const cd = this.#cd;
    const X = cd[0] * u + cd[1] * v;
    const Y = cd[2] * u + cd[3] * v;
    let nx: number;
    let ny: number;
    let nz: number;
    if (this.#tan) {
      const rho = Math.sqrt(X * X + Y * Y + R0 * R0);
      nx = -Y / rho;
      ny = X / rho;
      nz = R0 / rho;
    } else {
      const t = this.#tmp2;
      this.#proj.planeToNative(X, Y, t);
      const p = t[0]! * D2R;
      const th = t[1]! * D2R;
      const ct = Math.cos(th);
      nx = ct * Math.cos(p);
      ny = ct * Math.sin(p);
      nz = Math.sin(th);
    }
    const r = this.#rot;
    out[0] = r[0]! * nx + r[1]! * ny + r[2]! * nz;
    out[1] = r[3]! * nx + r[4]! * ny + r[5]! * nz;
    out[2] = r[6]! * nx + r[7]! * ny + r[8]! * nz;
  }

  /** ICRS (radians) → pixel into out[0..1]. */
  #skyToPixel(ra: number, dec: number, out: Float64Array): void {
    const cdec = Math.cos(dec);
    const cx = cdec * Math.cos(ra);
    const cy = cdec * Math.sin(ra);
    const cz = Math.sin(dec);
    const r = this.#rot;
    const nx = r[0]! * cx + r[3]! * cy + r[6]! * cz;
    const ny = r[1]! * cx + r[4]! * cy + r[7]! * cz;
    const nz = r[2]! * cx + r[5]! * cy + r[8]! * cz;
    let X: number;
    let Y: number;
    if (this.#tan) {
      if (!(nz > 0)) {
        out[0] = NaN;
        out[1] = NaN;
        return;
      }
      X = (R0 * ny) / nz;
      Y = (-R0 * nx) / nz;
    } else {
      const t = this.#tmp2;
      const phi = Math.atan2(ny, nx) * R2D;
      const theta = Math.atan2(nz, Math.sqrt(nx * nx + ny * ny)) * R2D;
      this.#proj.nativeToPlane(phi, theta, t);
      X = t[0]!;
      Y = t[1]!;
    }
    const ci = this.#cdInv;
    const U = ci[0] * X + ci[1] * Y;
    const V = ci[2] * X + ci[3] * Y;
    if (this.#sipA === undefined || !Number.isFinite(U) || !Number.isFinite(V)) {
      out[0] = U + this.#crx;
      out[1] = V + this.#cry;
      return;
    }
    this.#invertSip(U, V, out);
    out[0] = out[0]! + this.#crx;
    out[1] = out[1]! + this.#cry;
  }

  /** Solves u + A(u, v) = U, v + B(u, v) = V by Newton's method (start: AP/BP when present). */
  #invertSip(U: number, V: number, out: Float64Array): void {
    let u = U;
    let v = V;
    if (this.#sipAp !== undefined) {
      u = U + polyEval(this.#sipAp, U, V);
      v = V + polyEval(this.#sipBp!, U, V);
    }
    const da = this.#tmp2;
    const db = this.#tmp3;
    let prevStep = Infinity;
    for (let it = 0; it < 100; it++) {
      polyEvalDeriv(this.#sipA!, u, v, da);
      polyEvalDeriv(this.#sipB!, u, v, db);
      const f = u + da[0]! - U;
      const g = v + db[0]! - V;
      const j00 = 1 + da[1]!;
      const j01 = da[2]!;
      const j10 = db[1]!;
      const j11 = 1 + db[2]!;
      const det = j00 * j11 - j01 * j10;
      const du = (j11 * f - j01 * g) / det;
      const dv = (j00 * g - j10 * f) / det;
      u -= du;
      v -= dv;
      const step = Math.max(Math.abs(du), Math.abs(dv));
      // Converged, or stalled at the rounding noise of a high-order polynomial far from CRPIX.
      if (step < 1e-12 || (step < 1e-9 && step >= 0.5 * prevStep)) {
        out[0] = u;
        out[1] = v;
        return;
      }
      prevStep = step;
      if (!Number.isFinite(u) || !Number.isFinite(v)) break;
    }
    out[0] = NaN;
    out[1] = NaN;
  }
}

/**
 * Makes the CD matrix of a pixel grid with a given scale and orientation.
 *
 * @param scale - pixel scale (angle per pixel)
 * @param orientation - position angle of the pixel +y axis, from North through East (0 by default)
 * @param flipX - false (default) for the usual sky image, East left with North up; true flips x
 * @returns the matrix in degrees per pixel, `[[CD1_1, CD1_2], [CD2_1, CD2_2]]`
 * @example
 * ```ts
 * makeCdMatrix(Angle.fromArcseconds(0.2)); // [[-5.56e-5, 0], [0, 5.56e-5]]
 * ```
 * @see lsst.afw.geom.makeCdMatrix
 */
export function makeCdMatrix(scale: Angle, orientation: Angle = Angle.ZERO, flipX = false): [[number, number], [number, number]] {
  const o = orientation.asRadians();
  const s = scale.asDegrees();
  const xm = flipX ? 1 : -1;
  return [
    [Math.cos(o) * s * xm, Math.sin(o) * s],
    [-Math.sin(o) * s * xm, Math.cos(o) * s],
  ];
}

/** Options of {@link makeSkyWcs} reading a header. */
export interface MakeSkyWcsOptions {
  /** Remove the WCS cards that were read from the header (afw's `strip`); false by default. */
  strip?: boolean;
  /**
   * The image's `xy0`: the WCS then takes PARENT pixels, `CRPIX − 1 + xy0`, as afw does for an
   * exposure. `'metadata'` reads it from the header (see {@link getImageXY0FromMetadata});
   * (0, 0) by default.
   */
  xy0?: Point2I | Point2D | 'metadata';
}

const SKY_TYPES = new Set(['RA', 'DEC']);

function parseCtype(ctype: string, i: number): { axis: string; code: string; sip: boolean } {
  const t = ctype.trim().toUpperCase();
  const m = /^([A-Z]{1,4})-*-([A-Z0-9]{3})(-SIP)?$/.exec(t);
  if (!m || t.length < 8) {
    throw new WcsFormatError(`CTYPE${i} = '${ctype}' is not a celestial axis of the form 'RA---TAN' or 'DEC--TAN-SIP'.`);
  }
  return { axis: m[1]!, code: m[2]!, sip: m[3] !== undefined };
}

function readSip(h: Header, name: string, used: Set<string>): SipMatrix | undefined {
  const order = h.getInt(`${name}_ORDER`);
  if (order === undefined) return undefined;
  used.add(`${name}_ORDER`);
  const m: number[][] = [];
  for (let p = 0; p <= order; p++) {
    const row: number[] = [];
    for (let q = 0; q <= order; q++) {
      const key = `${name}_${p}_${q}`;
      const v = p + q <= order ? h.getNumber(key) : undefined;
      if (v !== undefined) used.add(key);
      row.push(v ?? 0);
    }
    m.push(row);
  }
  return m;
}

/**
 * The `xy0` of an image as afw writes it in a header: the alternate WCS `A`
 * (`CTYPE1A = 'LINEAR'`, `CRVAL1A - (CRPIX1A - 1)`), else IRAF's `LTV1/LTV2` (negated), else (0, 0).
 *
 * @param header - the image header
 * @param strip - remove the cards that were used
 * @returns `xy0`
 * @see lsst.afw.image.getImageXY0FromMetadata
 */
export function getImageXY0FromMetadata(header: Header, strip = false): Point2I {
  let x0 = 0;
  let y0 = 0;
  const c1 = header.getString('CTYPE1A')?.trim().toUpperCase();
  const c2 = header.getString('CTYPE2A')?.trim().toUpperCase();
  if (c1 === 'LINEAR' && c2 === 'LINEAR') {
    x0 = Math.round((header.getNumber('CRVAL1A') ?? 0) - ((header.getNumber('CRPIX1A') ?? 1) - 1));
    y0 = Math.round((header.getNumber('CRVAL2A') ?? 0) - ((header.getNumber('CRPIX2A') ?? 1) - 1));
  } else if (header.has('LTV1') || header.has('LTV2')) {
    x0 = -Math.round(header.getNumber('LTV1') ?? 0);
    y0 = -Math.round(header.getNumber('LTV2') ?? 0);
  }
  if (strip) {
    for (const k of ['CTYPE1A', 'CTYPE2A', 'CRPIX1A', 'CRPIX2A', 'CRVAL1A', 'CRVAL2A', 'CUNIT1A', 'CUNIT2A', 'LTV1', 'LTV2']) {
      header.delete(k);
    }
  }
  return new Point2I(x0 + 0, y0 + 0);
}

/** Reads the FITS-WCS description from a header into SkyWcs parameters (0-based CRPIX, no xy0). */
function paramsFromHeader(h: Header, used: Set<string>): SkyWcsParameters {
  const num = (k: string): number | undefined => {
    const v = h.getNumber(k);
    if (v !== undefined) used.add(k);
    return v;
  };
  const c1 = h.getString('CTYPE1');
  const c2 = h.getString('CTYPE2');
  if (c1 === undefined || c2 === undefined) {
    throw new WcsFormatError('The header has no celestial WCS: CTYPE1/CTYPE2 are missing.', {
      hint: 'Only two-axis celestial WCSs in the primary (unnamed) description are read.',
    });
  }
  used.add('CTYPE1');
  used.add('CTYPE2');
  const t1 = parseCtype(c1, 1);
  const t2 = parseCtype(c2, 2);
  if (!SKY_TYPES.has(t1.axis) || !SKY_TYPES.has(t2.axis) || t1.axis === t2.axis) {
    throw new WcsFormatError(`CTYPE1/CTYPE2 = '${c1}'/'${c2}': only equatorial RA/DEC axes are supported.`, {
      hint: 'Galactic and ecliptic axes are not implemented.',
    });
  }
  if (t1.code !== t2.code || t1.sip !== t2.sip) {
    throw new WcsFormatError(`CTYPE1 '${c1}' and CTYPE2 '${c2}' name different projections.`);
  }
  const swapped = t1.axis === 'DEC';
  const lonAx = swapped ? 2 : 1;
  const latAx = swapped ? 1 : 2;
  for (const i of [1, 2]) {
    const unit = h.getString(`CUNIT${i}`);
    if (unit !== undefined) {
      used.add(`CUNIT${i}`);
      if (!['DEG', 'DEGREE', 'DEGREES', ''].includes(unit.trim().toUpperCase())) {
        throw new WcsFormatError(`CUNIT${i} = '${unit}': only degrees are supported.`);
      }
    }
  }
  const crpix1 = num('CRPIX1') ?? 0;
  const crpix2 = num('CRPIX2') ?? 0;
  const crval = [num('CRVAL1') ?? 0, num('CRVAL2') ?? 0];
  // The linear part, rows = world axes 1, 2.
  let m: [number, number, number, number];
  const hasPc = ['PC1_1', 'PC1_2', 'PC2_1', 'PC2_2'].some((k) => h.has(k));
  const hasCd = ['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2'].some((k) => h.has(k));
  const cdelt1 = num('CDELT1') ?? 1;
  const cdelt2 = num('CDELT2') ?? 1;
  if (hasPc || (!hasCd && !h.has('CROTA2') && !h.has('CROTA1'))) {
    m = [
      cdelt1 * (num('PC1_1') ?? 1),
      cdelt1 * (num('PC1_2') ?? 0),
      cdelt2 * (num('PC2_1') ?? 0),
      cdelt2 * (num('PC2_2') ?? 1),
    ];
  } else if (hasCd) {
    m = [num('CD1_1') ?? 0, num('CD1_2') ?? 0, num('CD2_1') ?? 0, num('CD2_2') ?? 0];
  } else {
    const rho = (num(`CROTA${latAx}`) ?? 0) * D2R;
    const c = Math.cos(rho);
    const s = Math.sin(rho);
    m = [cdelt1 * c, -cdelt2 * s, cdelt1 * s, cdelt2 * c];
  }
  if (swapped) m = [m[2], m[3], m[0], m[1]];
  const pv = new Map<number, number>();
  for (let k = 0; k <= 20; k++) {
    const v = num(`PV${latAx}_${k}`);
    if (v !== undefined) pv.set(k, v);
  }
  const phi0 = num(`PV${lonAx}_1`);
  const theta0 = num(`PV${lonAx}_2`);
  if (phi0 !== undefined || theta0 !== undefined) {
    const proj = makeProjection(t1.code, pv);
    if ((phi0 ?? proj.phi0) !== proj.phi0 || (theta0 ?? proj.theta0) !== proj.theta0) {
      throw new WcsFormatError(`PV${lonAx}_1/PV${lonAx}_2 (a non-default fiducial point) are not supported.`);
    }
  }
  const lonpole = num('LONPOLE') ?? num(`PV${lonAx}_3`);
  const latpole = num('LATPOLE') ?? num(`PV${lonAx}_4`);
  // Reference frame.
  let radesys = h.getString('RADESYS');
  if (radesys !== undefined) used.add('RADESYS');
  else {
    radesys = h.getString('RADECSYS');
    if (radesys !== undefined) used.add('RADECSYS');
  }
  const equinox = num('EQUINOX') ?? num('EPOCH');
  let frame: SkyWcsFrame;
  const sys = radesys?.trim().toUpperCase();
  if (sys === 'ICRS') frame = 'ICRS';
  else if (sys === 'FK5' || (sys === undefined && equinox !== undefined && equinox >= 1984)) {
    frame = 'FK5';
    if (equinox !== undefined && equinox !== 2000) {
      throw new WcsFormatError(`FK5 with EQUINOX = ${equinox} is not supported; only J2000.`, { hint: 'Precession is not implemented.' });
    }
  } else if (sys === undefined && equinox === undefined) frame = 'ICRS';
  else {
    throw new WcsFormatError(`RADESYS = '${radesys ?? `(none; EQUINOX ${equinox})`}' is not supported; supported: ICRS, FK5.`);
  }
  const params: SkyWcsParameters = {
    crpix: new Point2D(crpix1 - 1, crpix2 - 1),
    crval: SpherePoint.fromDegrees(crval[lonAx - 1]!, crval[latAx - 1]!),
    cdMatrix: [
      [m[0], m[1]],
      [m[2], m[3]],
    ],
    projection: t1.code,
    pv,
    frame,
    ...(lonpole !== undefined && { lonpole }),
    ...(latpole !== undefined && { latpole }),
  };
  if (t1.sip) {
    const a = readSip(h, 'A', used);
    const b = readSip(h, 'B', used);
    if (a === undefined || b === undefined) throw new WcsFormatError('A -SIP CTYPE needs A_ORDER and B_ORDER.');
    params.sipA = a;
    params.sipB = b;
    const ap = readSip(h, 'AP', used);
    const bp = readSip(h, 'BP', used);
    if (ap !== undefined && bp !== undefined) {
      params.sipAp = ap;
      params.sipBp = bp;
    }
  }
  return params;
}

/**
 * Makes a WCS from its parameters.
 *
 * @param crpix - the pixel origin, LSST 0-based
 * @param crval - the sky origin, ICRS
 * @param cdMatrix - the CD matrix, degrees per pixel (see {@link makeCdMatrix})
 * @param projection - the projection code (`'TAN'` by default)
 * @returns the WCS
 * @throws {@link WcsInvalidArgumentError} for a singular CD matrix
 * @throws {@link WcsFormatError} for an unsupported projection
 * @example
 * ```ts
 * const wcs = makeSkyWcs(new Point2D(99, 99), SpherePoint.fromDegrees(30, 40), makeCdMatrix(Angle.fromArcseconds(0.2)));
 * ```
 * @see lsst.afw.geom.makeSkyWcs
 */
export function makeSkyWcs(crpix: Point2D, crval: SpherePoint, cdMatrix: Matrix2x2, projection?: string): SkyWcs;
/**
 * Makes a WCS from a FITS header: `CTYPEi` (RA/DEC in either order), `CRPIXi` (FITS
 * 1-based; the pixel origin is `CRPIX − 1`, plus `xy0` if given), `CRVALi`, the `CD` matrix
 * or `PC` + `CDELT` or `CROTA2`, `PVi_m`, `LONPOLE`/`LATPOLE`, `RADESYS` (ICRS, or FK5 J2000
 * rotated to ICRS) and SIP `A`/`B`/`AP`/`BP`.
 *
 * @param header - the header (changed only with `strip`)
 * @param options - `strip` the cards read; `xy0` (a point, or `'metadata'` to read afw's `A` WCS)
 * @returns the WCS
 * @throws {@link WcsFormatError} when the header has no supported celestial WCS
 * @throws {@link WcsInvalidArgumentError} for a singular linear matrix
 * @example
 * ```ts
 * // An afw exposure header, as afw reads it (PARENT pixels):
 * const wcs = makeSkyWcs(header, { xy0: 'metadata' });
 * ```
 * @see lsst.afw.geom.makeSkyWcs
 */
export function makeSkyWcs(header: Header, options?: MakeSkyWcsOptions): SkyWcs;
export function makeSkyWcs(
  crpixOrHeader: Point2D | Header,
  crvalOrOptions?: SpherePoint | MakeSkyWcsOptions,
  cdMatrix?: Matrix2x2,
  projection = 'TAN',
): SkyWcs {
  if (crpixOrHeader instanceof Header) {
    const header = crpixOrHeader;
    const options = (crvalOrOptions ?? {}) as MakeSkyWcsOptions;
    const used = new Set<string>();
    const params = paramsFromHeader(header, used);
    const xy0 = options.xy0 === 'metadata' ? getImageXY0FromMetadata(header, options.strip ?? false) : options.xy0;
    if (xy0 !== undefined) params.crpix = new Point2D(params.crpix.x + xy0.x, params.crpix.y + xy0.y);
    const wcs = new SkyWcs(params);
    if (options.strip) for (const k of used) header.delete(k);
    return wcs;
  }
  if (!(crvalOrOptions instanceof SpherePoint) || cdMatrix === undefined) {
    throw new WcsInvalidArgumentError('makeSkyWcs(crpix, crval, cdMatrix) needs a SpherePoint crval and a CD matrix.');
  }
  return new SkyWcs({ crpix: crpixOrHeader, crval: crvalOrOptions, cdMatrix, projection });
}

/**
 * Makes a TAN-SIP WCS.
 *
 * @param crpix - the pixel origin, LSST 0-based
 * @param crval - the sky origin, ICRS
 * @param cdMatrix - the CD matrix, degrees per pixel
 * @param sipA - forward distortion of x: `sipA[p][q]` multiplies `u^p v^q`
 * @param sipB - forward distortion of y
 * @param sipAp - reverse distortion of x (optional; the inverse is exact either way)
 * @param sipBp - reverse distortion of y (with `sipAp`)
 * @returns the WCS
 * @throws {@link WcsInvalidArgumentError} for a singular CD matrix or only one of AP/BP
 * @see lsst.afw.geom.makeTanSipWcs
 */
export function makeTanSipWcs(
  crpix: Point2D,
  crval: SpherePoint,
  cdMatrix: Matrix2x2,
  sipA: SipMatrix,
  sipB: SipMatrix,
  sipAp?: SipMatrix,
  sipBp?: SipMatrix,
): SkyWcs {
  return new SkyWcs({
    crpix,
    crval,
    cdMatrix,
    sipA,
    sipB,
    ...(sipAp !== undefined && { sipAp }),
    ...(sipBp !== undefined && { sipBp }),
  });
}

/** The values as a Float64Array: the array itself when it is one, else a copy. */
function asFloat64(values: ArrayLike<number>): Float64Array {
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

/** `transform` with pixel coordinates moved by (dx, dy): the new pixel p + d is the old pixel p. */
function shiftedTransform(transform: PixelSkyTransform, dx: number, dy: number): PixelSkyTransform {
  return {
    description: transform.description,
    pixelToSky(xs, ys, out) {
      const sx = xs.map((x) => x - dx);
      const sy = ys.map((y) => y - dy);
      transform.pixelToSky(sx, sy, out);
    },
    skyToPixel(ra, dec, out) {
      transform.skyToPixel(ra, dec, out);
      for (let i = 0; i < ra.length; i++) {
        out.x[i] = out.x[i]! + dx;
        out.y[i] = out.y[i]! + dy;
      }
    },
  };
}
