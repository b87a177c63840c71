// The true astrometry of SimCam: pixels → focal plane → field angle (radial distortion) → sky
// (gnomonic about the boresight), and its exact TAN-SIP representation.
import type { Detector } from '@skystack/afw-image';
import type { Angle} from '@skystack/geom';
import { Point2D, SpherePoint } from '@skystack/geom';
import { makeTanSipWcs, type SkyWcs } from '@skystack/wcs';
import { focalPlaneToPixel, pixelToFocalPlane, SIMCAM_PLATE_SCALE_ARCSEC_PER_MM } from './camera.js';
import { solveLeastSquares } from './least-squares.js';

const ARCSEC = Math.PI / (180 * 3600);

/**
 * SimCam's optical distortion: a radial polynomial in the focal plane, field angle
 * θ = s·r·(1 + k1·r² + k2·r⁴) for a focal-plane radius r (mm) and the central plate scale s.
 */
export interface SimCamDistortion {
  /** Central plate scale, arcsec per mm. */
  readonly plateScaleArcsecPerMm: number;
  /** Cubic radial coefficient, mm⁻². */
  readonly k1: number;
  /** Quintic radial coefficient, mm⁻⁴. */
  readonly k2: number;
}

/**
 * The default distortion: about 1.9″ (9.5 pixels) of pincushion at the corner of the full
 * focal plane (r ≈ 29 mm).
 */
export const SIMCAM_DISTORTION: SimCamDistortion = Object.freeze({ plateScaleArcsecPerMm: SIMCAM_PLATE_SCALE_ARCSEC_PER_MM, k1: 3.7e-6, k2: -2.0e-10 });

/** Where the telescope points during a visit. */
export interface Pointing {
  /** The boresight (ICRS). */
  readonly boresight: SpherePoint;
  /** The position angle of the focal plane's +Y axis, east of north (FITS `ROTPA`). */
  readonly rotPA: Angle;
}

/**
 * The true pixel ↔ sky mapping of one detector in one visit, computed from the physical model
 * (detector orientation, radial distortion, gnomonic projection about the boresight), with its
 * exact TAN-SIP representation as a `SkyWcs` (of `@skystack/wcs`).
 *
 * The SIP form is exact by construction: CRVAL is the boresight, CRPIX the pixel position of the
 * optical axis in this detector's pixel grid (outside the detector), the CD matrix the linear
 * part, and A/B are `u·(a1·ρ² + a2·ρ⁴)`, `v·(a1·ρ² + a2·ρ⁴)` with `ρ² = u² + v²`, `a1 = k1·p²`,
 * `a2 = k2·p⁴` (p the pixel size, mm), a polynomial of order 5. The reverse AP/BP polynomials
 * (order 5) are fitted by least squares over the detector; their residual is
 * {@link TrueWcs.sipReverseResidualPixels}. {@link TrueWcs.sipResidualMas} is the largest
 * difference between the SkyWcs and the model over a grid on the detector.
 *
 * @example
 * ```ts
 * const wcs = new TrueWcs(detector, { boresight: SpherePoint.fromDegrees(150, 2.2), rotPA: Angle.fromDegrees(10) });
 * const [x, y] = wcs.skyToPixel(ra, dec);
 * wcs.sipWcs.pixelToSky(x, y); // agrees with (ra, dec) to micro-arcseconds
 * ```
 * @see lsst.obs.base.createInitialSkyWcs (the stack's boresight + camera-geometry WCS)
 */
export class TrueWcs {
  /** The detector. */
  readonly detector: Detector;
  /** The pointing. */
  readonly pointing: Pointing;
  /** The distortion model. */
  readonly distortion: SimCamDistortion;
  /** The TAN-SIP WCS, PARENT pixels (xy0 = 0). */
  readonly sipWcs: SkyWcs;
  /** Largest |SIP WCS − model| over a 21×21 grid on the detector, milliarcseconds. */
  readonly sipResidualMas: number;
  /** Largest |AP/BP inverse − exact inverse| over the grid, pixels. */
  readonly sipReverseResidualPixels: number;
  readonly #ra0: number;
  readonly #sinDec0: number;
  readonly #cosDec0: number;
  readonly #cosPa: number;
  readonly #sinPa: number;
  readonly #scaleRadPerMm: number;

  /**
   * Makes the true WCS.
   *
   * @param detector - the detector
   * @param pointing - boresight and rotation
   * @param distortion - the distortion model ({@link SIMCAM_DISTORTION} by default)
   */
  constructor(detector: Detector, pointing: Pointing, distortion: SimCamDistortion = SIMCAM_DISTORTION) {
    this.detector = detector;
    this.pointing = pointing;
    this.distortion = distortion;
    this.#ra0 = pointing.boresight.getLongitude().asRadians();
    const dec0 = pointing.boresight.getLatitude().asRadians();
    this.#sinDec0 = Math.sin(dec0);
    this.#cosDec0 = Math.cos(dec0);
    this.#cosPa = Math.cos(pointing.rotPA.asRadians());
    this.#sinPa = Math.sin(pointing.rotPA.asRadians());
    this.#scaleRadPerMm = distortion.plateScaleArcsecPerMm * ARCSEC;
    const built = this.#buildSip();
    this.sipWcs = built.wcs;
    this.sipResidualMas = built.residualMas;
    this.sipReverseResidualPixels = built.reverseResidual;
  }

  /**
   * Focal plane (mm) → tangent-plane coordinates (ξ east, η north; radians) about the boresight.
   *
   * @param xMm - focal-plane x
   * @param yMm - focal-plane y
   * @returns `[xi, eta]`
   */
  focalPlaneToTangent(xMm: number, yMm: number): [number, number] {
    const r2 = xMm * xMm + yMm * yMm;
    const f = this.#scaleRadPerMm * (1 + this.distortion.k1 * r2 + this.distortion.k2 * r2 * r2);
    const tx = xMm * f;
    const ty = yMm * f;
    return [-this.#cosPa * tx + this.#sinPa * ty, this.#sinPa * tx + this.#cosPa * ty];
  }

  /**
   * Tangent plane (radians) → focal plane (mm), inverting the radial polynomial by Newton's method.
   *
   * @param xi - ξ, radians
   * @param eta - η, radians
   * @returns `[xMm, yMm]`
   */
  tangentToFocalPlane(xi: number, eta: number): [number, number] {
    const tx = -this.#cosPa * xi + this.#sinPa * eta;
    const ty = this.#sinPa * xi + this.#cosPa * eta;
    const theta = Math.hypot(tx, ty) / this.#scaleRadPerMm;
    if (theta === 0) return [0, 0];
    const { k1, k2 } = this.distortion;
    let r = theta;
    for (let i = 0; i < 20; i++) {
      const r2 = r * r;
      const g = r * (1 + k1 * r2 + k2 * r2 * r2) - theta;
      const dg = 1 + 3 * k1 * r2 + 5 * k2 * r2 * r2;
      const step = g / dg;
      r -= step;
      if (Math.abs(step) < 1e-15 * (1 + r)) break;
    }
    const f = r / (theta * this.#scaleRadPerMm);
    return [tx * f, ty * f];
  }

  /**
   * Pixel → sky through the physical model.
   *
   * @param x - pixel x
   * @param y - pixel y
   * @returns `[raRad, decRad]`, ra in [0, 2π)
   */
  pixelToSky(x: number, y: number): [number, number] {
    const [fx, fy] = pixelToFocalPlane(this.detector, x, y);
    const [xi, eta] = this.focalPlaneToTangent(fx, fy);
    return this.tangentToSky(xi, eta);
  }

  /**
   * Sky → pixel through the physical model (exact inverse of {@link TrueWcs.pixelToSky}).
   *
   * @param raRad - right ascension, radians
   * @param decRad - declination, radians
   * @returns `[x, y]` pixels (NaN behind the tangent plane)
   */
  skyToPixel(raRad: number, decRad: number): [number, number] {
    const [xi, eta] = this.skyToTangent(raRad, decRad);
    const [fx, fy] = this.tangentToFocalPlane(xi, eta);
    return focalPlaneToPixel(this.detector, fx, fy);
  }

  /**
   * Gnomonic projection about the boresight.
   *
   * @param raRad - right ascension, radians
   * @param decRad - declination, radians
   * @returns `[xi, eta]` radians (NaN for the far hemisphere)
   */
  skyToTangent(raRad: number, decRad: number): [number, number] {
    const da = raRad - this.#ra0;
    const cd = Math.cos(decRad);
    const sd = Math.sin(decRad);
    const cosc = this.#sinDec0 * sd + this.#cosDec0 * cd * Math.cos(da);
    if (cosc <= 0) return [Number.NaN, Number.NaN];
    return [(cd * Math.sin(da)) / cosc, (this.#cosDec0 * sd - this.#sinDec0 * cd * Math.cos(da)) / cosc];
  }

  /**
   * Inverse gnomonic projection about the boresight.
   *
   * @param xi - ξ, radians
   * @param eta - η, radians
   * @returns `[raRad, decRad]`
   */
  tangentToSky(xi: number, eta: number): [number, number] {
    const denom = this.#cosDec0 - eta * this.#sinDec0;
    let ra = this.#ra0 + Math.atan2(xi, denom);
    ra %= 2 * Math.PI;
    if (ra < 0) ra += 2 * Math.PI;
    return [ra, Math.atan2(this.#sinDec0 + eta * this.#cosDec0, Math.hypot(xi, denom))];
  }

  /**
   * The local Jacobian d(ξ, η)/d(x, y) in arcsec per pixel at a pixel (numerical, central differences).
   *
   * @param x - pixel x
   * @param y - pixel y
   * @returns `[[dξ/dx, dξ/dy], [dη/dx, dη/dy]]`
   */
  jacobianArcsec(x: number, y: number): [[number, number], [number, number]] {
    const h = 0.5;
    const t = (px: number, py: number): [number, number] => {
      const [fx, fy] = pixelToFocalPlane(this.detector, px, py);
      return this.focalPlaneToTangent(fx, fy);
    };
    const xp = t(x + h, y);
    const xm = t(x - h, y);
    const yp = t(x, y + h);
    const ym = t(x, y - h);
    const k = 1 / (2 * h * ARCSEC);
    return [
      [(xp[0] - xm[0]) * k, (yp[0] - ym[0]) * k],
      [(xp[1] - xm[1]) * k, (yp[1] - ym[1]) * k],
    ];
  }

  #buildSip(): { wcs: SkyWcs; residualMas: number; reverseResidual: number } {
    const det = this.detector;
    const [cx, cy] = focalPlaneToPixel(det, 0, 0);
    const ps = det.getPixelSize().x;
    const yaw = det.getOrientation().yaw.asRadians();
    const cy_ = Math.cos(yaw);
    const sy = Math.sin(yaw);
    // (ξ, η) = P · s · p · R(yaw) · (u, v), P the focal-plane → sky rotation/flip.
    const p = [
      [-this.#cosPa, this.#sinPa],
      [this.#sinPa, this.#cosPa],
    ];
    const r = [
      [cy_, -sy],
      [sy, cy_],
    ];
    const k = (this.#scaleRadPerMm * ps * 180) / Math.PI;
    const cd: [[number, number], [number, number]] = [
      [k * (p[0]![0]! * r[0]![0]! + p[0]![1]! * r[1]![0]!), k * (p[0]![0]! * r[0]![1]! + p[0]![1]! * r[1]![1]!)],
      [k * (p[1]![0]! * r[0]![0]! + p[1]![1]! * r[1]![0]!), k * (p[1]![0]! * r[0]![1]! + p[1]![1]! * r[1]![1]!)],
    ];
    const a1 = this.distortion.k1 * ps * ps;
    const a2 = this.distortion.k2 * ps ** 4;
    const zeros = (): number[][] => Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
    const sipA = zeros();
    const sipB = zeros();
    sipA[3]![0] = a1;
    sipA[1]![2] = a1;
    sipA[5]![0] = a2;
    sipA[3]![2] = 2 * a2;
    sipA[1]![4] = a2;
    sipB[0]![3] = a1;
    sipB[2]![1] = a1;
    sipB[0]![5] = a2;
    sipB[2]![3] = 2 * a2;
    sipB[4]![1] = a2;
    // Reverse polynomials: fit U + AP(U, V) = u over the detector, U = u + A(u, v).
    const bbox = det.getBBox();
    const n = 21;
    const order = 5;
    const terms: [number, number][] = [];
    for (let pq = 2; pq <= order; pq++) for (let q = 0; q <= pq; q++) terms.push([pq - q, q]);
    terms.unshift([1, 0], [0, 1], [0, 0]);
    const rows = n * n;
    const scale = 1 / 1000;
    const design = new Float64Array(rows * terms.length);
    const bu = new Float64Array(rows);
    const bv = new Float64Array(rows);
    const grid: [number, number, number, number][] = [];
    let row = 0;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const x = bbox.getMinX() - 0.5 + ((bbox.getWidth() + 0) * i) / (n - 1);
        const y = bbox.getMinY() - 0.5 + ((bbox.getHeight() + 0) * j) / (n - 1);
        const u = x - cx;
        const v = y - cy;
        const rho2 = u * u + v * v;
        const f = a1 * rho2 + a2 * rho2 * rho2;
        const U = u + u * f;
        const V = v + v * f;
        grid.push([x, y, U, V]);
        terms.forEach(([tp, tq], t) => {
          design[row * terms.length + t] = (U * scale) ** tp * (V * scale) ** tq;
        });
        bu[row] = u - U;
        bv[row] = v - V;
        row++;
      }
    }
    const solU = solveLeastSquares(Float64Array.from(design), bu, rows, terms.length);
    const solV = solveLeastSquares(design, bv, rows, terms.length);
    const sipAp = zeros();
    const sipBp = zeros();
    terms.forEach(([tp, tq], t) => {
      sipAp[tp]![tq] = solU[t]! * scale ** (tp + tq);
      sipBp[tp]![tq] = solV[t]! * scale ** (tp + tq);
    });
    const wcs = makeTanSipWcs(new Point2D(cx, cy), this.pointing.boresight, cd, sipA, sipB, sipAp, sipBp);
    let residualMas = 0;
    let reverseResidual = 0;
    const evalPoly = (m: number[][], u: number, v: number): number => {
      let s = 0;
      for (let pp = 0; pp <= order; pp++) for (let q = 0; q <= order - pp; q++) s += m[pp]![q]! * u ** pp * v ** q;
      return s;
    };
    for (const [x, y, U, V] of grid) {
      const [ra, dec] = this.pixelToSky(x, y);
      const sp = wcs.pixelToSky(x, y);
      const sep = sp.separation(SpherePoint.fromRadians(ra, dec)).asArcseconds() * 1000;
      residualMas = Math.max(residualMas, sep);
      const u = U + evalPoly(sipAp, U, V);
      const v = V + evalPoly(sipBp, U, V);
      reverseResidual = Math.max(reverseResidual, Math.hypot(u + cx - x, v + cy - y));
    }
    return { wcs, residualMas, reverseResidual };
  }
}
