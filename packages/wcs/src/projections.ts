// The celestial projections of FITS WCS Paper II (Calabretta & Greisen 2002): between the
// projection plane (x, y) and native spherical coordinates (phi, theta), all in degrees.
import { WcsFormatError } from './errors.js';

/** The projection codes (`CTYPEi` characters 6–8) this package implements. */
export type ProjectionCode = 'TAN' | 'SIN' | 'ARC' | 'STG' | 'ZEA' | 'ZPN' | 'CAR' | 'CEA' | 'MER' | 'AIT';

/** Every code {@link makeProjection} accepts, in Paper II order. */
export const PROJECTION_CODES: readonly ProjectionCode[] = Object.freeze([
  'TAN',
  'SIN',
  'ARC',
  'STG',
  'ZEA',
  'ZPN',
  'CAR',
  'CEA',
  'MER',
  'AIT',
]);

/**
 * One celestial projection with its parameters (`PV2_m`): the spherical projection of Paper II
 * §5 and its inverse. Both directions write into `out` (`[phi, theta]` or `[x, y]`, degrees)
 * and give NaN for points outside the projection's domain.
 */
export interface Projection {
  /** The projection code. */
  readonly code: ProjectionCode;
  /** Native longitude of the fiducial point, degrees (`PV1_1` default). */
  readonly phi0: number;
  /** Native latitude of the fiducial point, degrees (`PV1_2` default: 90 for zenithal projections, 0 for cylindrical and conventional ones). */
  readonly theta0: number;
  /**
   * Projection plane to native spherical coordinates (Paper II's "deprojection").
   *
   * @param x - plane x, degrees
   * @param y - plane y, degrees
   * @param out - receives `[phi, theta]`, degrees (NaN outside the domain)
   */
  planeToNative(x: number, y: number, out: Float64Array): void;
  /**
   * Native spherical coordinates to the projection plane.
   *
   * @param phi - native longitude, degrees
   * @param theta - native latitude, degrees
   * @param out - receives `[x, y]`, degrees (NaN where the projection has no image)
   */
  nativeToPlane(phi: number, theta: number, out: Float64Array): void;
}

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;
/** Paper II's R0: the radius of the generating sphere, 180/π so that the plane is in degrees. */
const R0 = R2D;
/** Tolerance on domain boundaries (as wcslib's, relative to 1). */
const TOL = 1e-13;

function nan2(out: Float64Array): void {
  out[0] = NaN;
  out[1] = NaN;
}

/** Native longitude of a plane point for the zenithal projections (0 at the origin). */
function zenithalPhi(x: number, y: number, r: number): number {
  return r === 0 ? 0 : Math.atan2(x, -y) * R2D;
}

function zenithalPlane(phi: number, r: number, out: Float64Array): void {
  const p = phi * D2R;
  out[0] = r * Math.sin(p);
  out[1] = -r * Math.cos(p);
}

/** TAN, gnomonic (Paper II §5.1.3): the hemisphere θ > 0. */
function tan(): Projection {
  return {
    code: 'TAN',
    phi0: 0,
    theta0: 90,
    planeToNative(x, y, out) {
      const r = Math.sqrt(x * x + y * y);
      out[0] = zenithalPhi(x, y, r);
      out[1] = Math.atan2(R0, r) * R2D;
    },
    nativeToPlane(phi, theta, out) {
      if (!(theta > 0) || !(theta <= 90)) return nan2(out);
      const t = theta * D2R;
      zenithalPlane(phi, (R0 * Math.cos(t)) / Math.sin(t), out);
    },
  };
}

/**
 * SIN, orthographic/synthesis (Paper II §5.1.5) with the slant parameters ξ = `PV2_1`,
 * η = `PV2_2`: the visible hemisphere only.
 */
function sin(xi: number, eta: number): Projection {
  const a = xi * xi + eta * eta + 1;
  return {
    code: 'SIN',
    phi0: 0,
    theta0: 90,
    planeToNative(x, y, out) {
      const X = x / R0;
      const Y = y / R0;
      const r2 = X * X + Y * Y;
      // With z = 1 − sin θ: a z² − 2 (Xξ + Yη + 1) z + r² = 0; the smaller root is the visible side.
      const b = X * xi + Y * eta + 1;
      const disc = b * b - a * r2;
      if (!(disc >= -TOL)) return nan2(out);
      const z = r2 === 0 ? 0 : r2 / (b + Math.sqrt(Math.max(0, disc)));
      if (!(z >= 0 && z <= 2)) return nan2(out);
      const px = X - xi * z;
      const py = Y - eta * z;
      out[0] = px === 0 && py === 0 ? 0 : Math.atan2(px, -py) * R2D;
      out[1] = Math.atan2(1 - z, Math.sqrt(Math.max(0, z * (2 - z)))) * R2D;
    },
    nativeToPlane(phi, theta, out) {
      if (!(Math.abs(theta) <= 90)) return nan2(out);
      const p = phi * D2R;
      const t = theta * D2R;
      const sp = Math.sin(p);
      const cp = Math.cos(p);
      // Visible when the point faces the direction of projection (ξ, η, 1).
      const ct = Math.cos(t);
      const st = Math.sin(t);
      if (ct * (xi * sp - eta * cp) + st < -TOL) return nan2(out);
      const z = 1 - st;
      out[0] = R0 * (ct * sp + xi * z);
      out[1] = -R0 * (ct * cp - eta * z);
    },
  };
}

/** ARC, zenithal equidistant (Paper II §5.1.4): the whole sphere. */
function arc(): Projection {
  return {
    code: 'ARC',
    phi0: 0,
    theta0: 90,
    planeToNative(x, y, out) {
      const r = Math.sqrt(x * x + y * y);
      if (!(r <= 180)) return nan2(out);
      out[0] = zenithalPhi(x, y, r);
      out[1] = 90 - r;
    },
    nativeToPlane(phi, theta, out) {
      if (!(Math.abs(theta) <= 90)) return nan2(out);
      zenithalPlane(phi, 90 - theta, out);
    },
  };
}

/** STG, stereographic (Paper II §5.1.4): all but the antipode θ = −90. */
function stg(): Projection {
  return {
    code: 'STG',
    phi0: 0,
    theta0: 90,
    planeToNative(x, y, out) {
      const r = Math.sqrt(x * x + y * y);
      out[0] = zenithalPhi(x, y, r);
      out[1] = 90 - 2 * Math.atan(r / (2 * R0)) * R2D;
    },
    nativeToPlane(phi, theta, out) {
      if (!(theta > -90) || !(theta <= 90)) return nan2(out);
      const t = theta * D2R;
      zenithalPlane(phi, (2 * R0 * Math.cos(t)) / (1 + Math.sin(t)), out);
    },
  };
}

/** ZEA, zenithal equal-area (Paper II §5.1.6): the whole sphere, R ≤ 2R0. */
function zea(): Projection {
  return {
    code: 'ZEA',
    phi0: 0,
    theta0: 90,
    planeToNative(x, y, out) {
      const r = Math.sqrt(x * x + y * y);
      let s = r / (2 * R0);
      if (!(s <= 1 + TOL)) return nan2(out);
      if (s > 1) s = 1;
      out[0] = zenithalPhi(x, y, r);
      out[1] = 90 - 2 * Math.asin(s) * R2D;
    },
    nativeToPlane(phi, theta, out) {
      if (!(Math.abs(theta) <= 90)) return nan2(out);
      zenithalPlane(phi, 2 * R0 * Math.sin(((90 - theta) * D2R) / 2), out);
    },
  };
}

/**
 * ZPN, zenithal polynomial (Paper II §5.1.7): R = R0 Σ P_m (π/2 − θ)^m with P_m = `PV2_m`,
 * m = 0..20. The inverse is the root of the polynomial, found as wcslib does: inside
 * `[0, zdMax]`, where zdMax is the first zero of the derivative (or π when it has none).
 */
function zpn(pv: ReadonlyMap<number, number>): Projection {
  const p: number[] = [];
  for (let m = 0; m <= 20; m++) p.push(pv.get(m) ?? 0);
  let k = 20;
  while (k >= 0 && p[k] === 0) k--;
  if (k < 0) throw new WcsFormatError('ZPN needs at least one non-zero PV2_m coefficient; all are zero.');
  const poly = (zd: number): number => {
    let r = 0;
    for (let m = k; m >= 0; m--) r = r * zd + p[m]!;
    return r;
  };
  const deriv = (zd: number): number => {
    let d = 0;
    for (let m = k; m > 0; m--) d = d * zd + m * p[m]!;
    return d;
  };
  let zdMax = Math.PI;
  if (k >= 2) {
    if (!(p[1]! > 0)) {
      throw new WcsFormatError(`ZPN needs PV2_1 > 0 (the derivative at the pole); got ${p[1]}.`);
    }
    let zd1 = 0;
    let d1 = p[1]!;
    let zd2 = 0;
    let d2 = 0;
    let found = false;
    for (let j = 0; j < 180; j++) {
      zd2 = j * D2R;
      d2 = deriv(zd2);
      if (d2 <= 0) {
        found = true;
        break;
      }
      zd1 = zd2;
      d1 = d2;
    }
    if (found) {
      // Regula falsi for the zero of the derivative.
      let zd = zd1;
      for (let j = 0; j < 100; j++) {
        zd = zd1 - (d1 * (zd2 - zd1)) / (d2 - d1);
        const d = deriv(zd);
        if (Math.abs(d) < 1e-13) break;
        if (d < 0) {
          zd2 = zd;
          d2 = d;
        } else {
          zd1 = zd;
          d1 = d;
        }
      }
      zdMax = zd;
    }
  }
  const rMin = poly(0);
  const rMax = poly(zdMax);
  return {
    code: 'ZPN',
    phi0: 0,
    theta0: 90,
    planeToNative(x, y, out) {
      const rr = Math.sqrt(x * x + y * y);
      const r = rr / R0;
      let zd: number;
      if (k <= 1) {
        zd = k === 0 ? NaN : (r - p[0]!) / p[1]!;
        if (!(zd >= -TOL && zd <= Math.PI + TOL)) return nan2(out);
        zd = Math.min(Math.max(zd, 0), Math.PI);
      } else {
        if (!(r >= rMin - TOL) || !(r <= rMax + TOL)) return nan2(out);
        if (r <= rMin) zd = 0;
        else if (r >= rMax) zd = zdMax;
        else {
          // Newton from a linear guess, safeguarded by the bracket [lo, hi].
          let lo = 0;
          let hi = zdMax;
          zd = Math.min(Math.max((r - p[0]!) / p[1]!, lo), hi);
          for (let it = 0; it < 100; it++) {
            const f = poly(zd) - r;
            if (f === 0) break;
            if (f > 0) hi = zd;
            else lo = zd;
            const d = deriv(zd);
            let next = zd - f / d;
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            if (Math.abs(next - zd) < 1e-15 || hi - lo < 1e-15) {
              zd = next;
              break;
            }
            zd = next;
          }
        }
      }
      out[0] = zenithalPhi(x, y, rr);
      out[1] = 90 - zd * R2D;
    },
    nativeToPlane(phi, theta, out) {
      if (!(Math.abs(theta) <= 90)) return nan2(out);
      const zd = (90 - theta) * D2R;
      if (zd > zdMax + TOL) return nan2(out);
      const r = R0 * poly(zd);
      if (r < 0) return nan2(out);
      zenithalPlane(phi, r, out);
    },
  };
}

/** CAR, plate carrée (Paper II §5.2.3). */
function car(): Projection {
  return {
    code: 'CAR',
    phi0: 0,
    theta0: 0,
    planeToNative(x, y, out) {
      if (!(Math.abs(y) <= 90) || !Number.isFinite(x)) return nan2(out);
      out[0] = x;
      out[1] = y;
    },
    nativeToPlane(phi, theta, out) {
      if (!(Math.abs(theta) <= 90) || !Number.isFinite(phi)) return nan2(out);
      out[0] = phi;
      out[1] = theta;
    },
  };
}

/** CEA, cylindrical equal area (Paper II §5.2.2) with λ = `PV2_1` (default 1, 0 < λ ≤ 1). */
function cea(lambda: number): Projection {
  if (!(lambda > 0 && lambda <= 1)) {
    throw new WcsFormatError(`CEA needs 0 < PV2_1 <= 1 (lambda); got ${lambda}.`);
  }
  return {
    code: 'CEA',
    phi0: 0,
    theta0: 0,
    planeToNative(x, y, out) {
      let s = (lambda * y) / R0;
      if (!(Math.abs(s) <= 1 + TOL) || !Number.isFinite(x)) return nan2(out);
      if (s > 1) s = 1;
      else if (s < -1) s = -1;
      out[0] = x;
      out[1] = Math.asin(s) * R2D;
    },
    nativeToPlane(phi, theta, out) {
      if (!(Math.abs(theta) <= 90) || !Number.isFinite(phi)) return nan2(out);
      out[0] = phi;
      out[1] = (R0 * Math.sin(theta * D2R)) / lambda;
    },
  };
}

/** MER, Mercator (Paper II §5.2.5): all but the poles. */
function mer(): Projection {
  return {
    code: 'MER',
    phi0: 0,
    theta0: 0,
    planeToNative(x, y, out) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) return nan2(out);
      out[0] = x;
      out[1] = 2 * Math.atan(Math.exp(y / R0)) * R2D - 90;
    },
    nativeToPlane(phi, theta, out) {
      if (!(Math.abs(theta) < 90) || !Number.isFinite(phi)) return nan2(out);
      out[0] = phi;
      out[1] = R0 * Math.log(Math.tan(((90 + theta) * D2R) / 2));
    },
  };
}

/** AIT, Hammer–Aitoff (Paper II §5.3.4): the whole sphere inside an ellipse. */
function ait(): Projection {
  return {
    code: 'AIT',
    phi0: 0,
    theta0: 0,
    planeToNative(x, y, out) {
      const u = x / (4 * R0);
      const v = y / (2 * R0);
      let z2 = 1 - u * u - v * v;
      if (!(z2 >= 0.5 - TOL)) return nan2(out);
      if (z2 < 0.5) z2 = 0.5;
      const z = Math.sqrt(z2);
      out[0] = 2 * Math.atan2((z * x) / (2 * R0), 2 * z2 - 1) * R2D;
      let s = (y * z) / R0;
      if (s > 1) s = 1;
      else if (s < -1) s = -1;
      out[1] = Math.asin(s) * R2D;
    },
    nativeToPlane(phi, theta, out) {
      if (!(Math.abs(theta) <= 90) || !Number.isFinite(phi)) return nan2(out);
      // φ is taken in [−180, 180] so that the ellipse is centred on φ = 0.
      let ph = phi % 360;
      if (ph > 180) ph -= 360;
      else if (ph < -180) ph += 360;
      const t = theta * D2R;
      const ct = Math.cos(t);
      const h = (ph * D2R) / 2;
      const gamma = R0 * Math.sqrt(2 / (1 + ct * Math.cos(h)));
      out[0] = 2 * gamma * ct * Math.sin(h);
      out[1] = gamma * Math.sin(t);
    },
  };
}

/**
 * Makes a projection.
 *
 * Parameters: SIN reads ξ = `PV2_1` and η = `PV2_2` (default 0); ZPN reads `PV2_0`..`PV2_20`;
 * CEA reads λ = `PV2_1` (default 1). The others take none.
 *
 * @param code - the projection code (`CTYPEi` characters 6–8, e.g. `'TAN'`)
 * @param pv - the projection parameters `PV2_m` by `m`
 * @returns the projection
 * @throws {@link WcsFormatError} when the code is not supported or its parameters are invalid
 * @example
 * ```ts
 * const zea = makeProjection('ZEA');
 * const out = new Float64Array(2);
 * zea.nativeToPlane(45, 60, out); // plane (x, y) in degrees
 * ```
 */
export function makeProjection(code: string, pv: ReadonlyMap<number, number> = new Map()): Projection {
  switch (code) {
    case 'TAN':
      return tan();
    case 'SIN':
      return sin(pv.get(1) ?? 0, pv.get(2) ?? 0);
    case 'ARC':
      return arc();
    case 'STG':
      return stg();
    case 'ZEA':
      return zea();
    case 'ZPN':
      return zpn(pv);
    case 'CAR':
      return car();
    case 'CEA':
      return cea(pv.get(1) ?? 1);
    case 'MER':
      return mer();
    case 'AIT':
      return ait();
    default:
      throw new WcsFormatError(`The projection '${code}' is not supported; supported: ${PROJECTION_CODES.join(', ')}.`, {
        hint: 'TPV, ZPX and the other distortion conventions are not implemented.',
      });
  }
}
