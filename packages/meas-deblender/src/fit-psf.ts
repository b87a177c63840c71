import type { Image } from '@skystack/afw-image';
import { Box2I, Point2D, Point2I } from '@skystack/geom';
import type { FootprintPixels } from './footprint-pixels.js';
import { trimTemplate, type TemplateImage } from './symmetric-template.js';

/** What the deblender needs of a PSF: its image at a position (any afw-image `Psf` has this). */
export interface DeblendPsf {
  /**
   * The PSF image centred on a position (PARENT coordinates, xy0 set), sum 1.
   *
   * @param position - where
   * @returns the image
   */
  computeImage(position: Point2D): Image<Float64Array>;
}

/** The chi-squared cuts and the tiny-footprint size of {@link fitPsf} (LSST's deblend arguments). */
export interface PsfFitOptions {
  /** χ²/dof cut of the un-shifted PSF model (default 1.5). */
  readonly psfChisqCut1?: number;
  /** χ²/dof cut of the model with decentring terms (default 1.5). */
  readonly psfChisqCut2?: number;
  /** χ²/dof cut of the shifted PSF model re-fitted without decentring terms (default 1.5). */
  readonly psfChisqCut2b?: number;
  /** Peaks whose fit stamp is narrower or shorter than this are skipped (default 2). */
  readonly tinyFootprintSize?: number;
}

/** What {@link fitPsf} finds for one peak. */
export interface PsfFitResult {
  /** The stamp around the peak is empty (the peak is outside the footprint's box). */
  readonly outOfBounds: boolean;
  /** The stamp is smaller than `tinyFootprintSize`. */
  readonly tinyFootprint: boolean;
  /** No footprint pixel with a positive variance near the peak. */
  readonly noValidPixels: boolean;
  /** The degrees of freedom were not positive. */
  readonly badDof: boolean;
  /** The fit accepted the PSF model (χ²/dof below a cut and a positive flux). */
  readonly deblendedAsPsf: boolean;
  /** Whether the model with the moved centre was kept. */
  readonly withDecenter: boolean;
  /** The PSF centre of the kept model (PARENT; NaN when not fitted). */
  readonly center: Point2D;
  /** The PSF flux of the kept model (counts; NaN when not fitted). */
  readonly flux: number;
  /** χ² of the kept model (ramp-weighted). */
  readonly chisq: number;
  /** Its degrees of freedom (sum of ramp weights minus parameters). */
  readonly dof: number;
  /** The PSF model template (flux × PSF, clipped to the footprint) when deblended as a PSF. */
  readonly template: TemplateImage | undefined;
}

/** A PSF image as plain numbers. */
interface PsfStamp {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
  readonly data: Float64Array;
}

/**
 * PSF images by position, as meas_deblender's `CachingPsf` (the fit asks for each neighbour's PSF
 * once per peak).
 */
export class CachingPsf {
  readonly #psf: DeblendPsf;
  readonly #cache = new Map<string, PsfStamp>();

  /**
   * Wraps a PSF.
   *
   * @param psf - the PSF
   */
  constructor(psf: DeblendPsf) {
    this.#psf = psf;
  }

  /**
   * The PSF image at a position (cached by exact position).
   *
   * @param cx - column (PARENT)
   * @param cy - row (PARENT)
   * @returns the stamp: origin, size and values (row-major)
   * @internal
   */
  stamp(cx: number, cy: number): PsfStamp {
    const key = `${cx},${cy}`;
    let s = this.#cache.get(key);
    if (s === undefined) {
      const im = this.#psf.computeImage(new Point2D(cx, cy));
      const { data, width, height, stride } = im.array;
      const out = new Float64Array(width * height);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = data[y * stride + x]!;
      const xy0 = im.getXY0();
      s = { x0: xy0.getX(), y0: xy0.getY(), w: width, h: height, data: out };
      this.#cache.set(key, s);
    }
    return s;
  }
}

const NOT_FITTED = { deblendedAsPsf: false, withDecenter: false, center: new Point2D(NaN, NaN), flux: NaN, chisq: NaN, dof: NaN, template: undefined } as const;

/** Value of a PSF stamp at a pixel (0 outside). */
function psfAt(s: PsfStamp, x: number, y: number): number {
  const u = x - s.x0;
  const v = y - s.y0;
  return u >= 0 && u < s.w && v >= 0 && v < s.h ? s.data[v * s.w + u]! : 0;
}

/**
 * Weighted linear least squares through the normal equations (columns scaled to unit norm,
 * Gaussian elimination with partial pivoting; a degenerate column gets coefficient 0). Each long
 * loop is a function of its own: as one function, V8's on-stack-replaced code for the first loop
 * reached the later ones without type feedback and was deoptimised about a dozen times in a
 * process's first deblend.
 *
 * @returns the coefficients and χ², or undefined when the data are not finite
 */
function solve(A: Float64Array, b: Float64Array, n: number, nCols: number, stride: number): { x: Float64Array; chisq: number } | undefined {
  const M = new Float64Array(nCols * nCols);
  const r = new Float64Array(nCols);
  normalEquations(A, b, n, nCols, stride, M, r);
  const scale = new Float64Array(nCols);
  if (!columnScales(M, nCols, scale)) return undefined;
  scaleSystem(M, r, nCols, scale);
  const x = new Float64Array(nCols);
  const active = new Uint8Array(nCols).fill(1);
  const order = new Int32Array(nCols);
  for (let i = 0; i < nCols; i++) order[i] = i;
  eliminate(M, r, nCols, order, active);
  backSubstitute(M, r, nCols, order, active, x);
  for (let p = 0; p < nCols; p++) x[p] = x[p]! * scale[p]!;
  const chisq = residualChisq(A, b, n, nCols, stride, x);
  if (!Number.isFinite(chisq)) return undefined;
  return { x, chisq };
}

/** The upper triangle of `AᵀA` into `M` and `Aᵀb` into `r` (first `nCols` columns of A). */
function normalEquations(A: Float64Array, b: Float64Array, n: number, nCols: number, stride: number, M: Float64Array, r: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const row = i * stride;
    for (let p = 0; p < nCols; p++) {
      const ap = A[row + p]!;
      if (ap === 0) continue;
      r[p] = r[p]! + ap * b[i]!;
      for (let q = p; q < nCols; q++) M[p * nCols + q] = M[p * nCols + q]! + ap * A[row + q]!;
    }
  }
}

/** `1/√M_pp` per column (0 for a non-positive diagonal); false when a diagonal is not finite. */
function columnScales(M: Float64Array, nCols: number, scale: Float64Array): boolean {
  for (let p = 0; p < nCols; p++) {
    const d = M[p * nCols + p]!;
    if (!Number.isFinite(d)) return false;
    scale[p] = d > 0 ? 1 / Math.sqrt(d) : 0;
  }
  return true;
}

/** Scales the system by the column scales and fills M's lower triangle. */
function scaleSystem(M: Float64Array, r: Float64Array, nCols: number, scale: Float64Array): void {
  for (let p = 0; p < nCols; p++) {
    for (let q = p; q < nCols; q++) {
      const v = M[p * nCols + q]! * scale[p]! * scale[q]!;
      M[p * nCols + q] = v;
      M[q * nCols + p] = v;
    }
    r[p] = r[p]! * scale[p]!;
  }
}

/** Gaussian elimination with partial pivoting (rows permuted through `order`); a pivot under 1e-10 marks its column inactive. */
function eliminate(M: Float64Array, r: Float64Array, nCols: number, order: Int32Array, active: Uint8Array): void {
  for (let k = 0; k < nCols; k++) {
    let best = k;
    for (let i = k + 1; i < nCols; i++) if (Math.abs(M[order[i]! * nCols + k]!) > Math.abs(M[order[best]! * nCols + k]!)) best = i;
    const swap = order[k]!;
    order[k] = order[best]!;
    order[best] = swap;
    const pk = order[k]!;
    const piv = M[pk * nCols + k]!;
    if (Math.abs(piv) < 1e-10) {
      active[k] = 0;
      continue;
    }
    for (let i = k + 1; i < nCols; i++) {
      const pi = order[i]!;
      const f = M[pi * nCols + k]! / piv;
      if (f === 0) continue;
      for (let j = k; j < nCols; j++) M[pi * nCols + j] = M[pi * nCols + j]! - f * M[pk * nCols + j]!;
      r[pi] = r[pi]! - f * r[pk]!;
    }
  }
}

/** Back substitution of the eliminated system into `x` (inactive columns stay 0). */
function backSubstitute(M: Float64Array, r: Float64Array, nCols: number, order: Int32Array, active: Uint8Array, x: Float64Array): void {
  for (let k = nCols - 1; k >= 0; k--) {
    if (active[k] === 0) continue;
    const pk = order[k]!;
    let s = r[pk]!;
    for (let j = k + 1; j < nCols; j++) s -= M[pk * nCols + j]! * x[j]!;
    x[k] = s / M[pk * nCols + k]!;
  }
}

/** `Σ (b − A x)²` over the rows. */
function residualChisq(A: Float64Array, b: Float64Array, n: number, nCols: number, stride: number, x: Float64Array): number {
  let chisq = 0;
  for (let i = 0; i < n; i++) {
    let m = 0;
    const row = i * stride;
    for (let p = 0; p < nCols; p++) m += A[row + p]! * x[p]!;
    const d = b[i]! - m;
    chisq += d * d;
  }
  return chisq;
}

/**
 * Decides whether a peak looks like a point source, as meas_deblender's `_fitPsf`: in a disc of
 * radius `R1 = ⌈1.5 FWHM⌉` around the peak (weights 1 out to `R0 = ⌈FWHM⌉`, then ramping down to
 * 0 at R1, times 1/variance), fit by linear least squares the PSF flux, a sky plane (constant and
 * x, y slopes) and the fluxes of PSFs at the neighbouring peaks within `R1 + PSF half-size`;
 * fit again with the PSF's x/y derivatives (a decentring), iterated to convergence (LSST takes
 * one step), and when the converged decentred fit passes `psfChisqCut2` and moves the centre by
 * less than a pixel, re-fit with the PSF moved there (`psfChisqCut2b`). The peak is a PSF when a χ²/dof is
 * under its cut and the flux is positive; its template is then the PSF model clipped to the
 * footprint.
 *
 * @param parent - the parent's pixels
 * @param peakIndex - which peak
 * @param peaksXY - every peak's (x, y) sub-pixel position, interleaved
 * @param psf - the PSF (through its cache)
 * @param psfFwhm - the PSF FWHM in pixels
 * @param options - the χ² cuts and tinyFootprintSize
 * @returns the fit's outcome
 * @example
 * ```ts
 * const fit = fitPsf(pixels, 0, Float64Array.of(40, 52, 47, 52), new CachingPsf(psf), 4.7);
 * if (fit.deblendedAsPsf) console.log(fit.flux, fit.center.x);
 * ```
 * @see lsst.meas.deblender.baseline._fitPsf
 */
export function fitPsf(parent: FootprintPixels, peakIndex: number, peaksXY: Float64Array, psf: CachingPsf, psfFwhm: number, options: PsfFitOptions = {}): PsfFitResult {
  const cut1 = options.psfChisqCut1 ?? 1.5;
  const cut2 = options.psfChisqCut2 ?? 1.5;
  const cut2b = options.psfChisqCut2b ?? 1.5;
  const tiny = options.tinyFootprintSize ?? 2;
  const flags = { outOfBounds: false, tinyFootprint: false, noValidPixels: false, badDof: false };
  const { bbox, image, variance, inFootprint } = parent;
  const W = bbox.getWidth();
  const fx0 = bbox.getMinX();
  const fy0 = bbox.getMinY();
  const R0 = Math.ceil(psfFwhm);
  const R1 = Math.ceil(psfFwhm * 1.5);
  let cx = peaksXY[2 * peakIndex]!;
  let cy = peaksXY[2 * peakIndex + 1]!;
  const psf0 = psf.stamp(cx, cy);
  const R2 = R1 + Math.min(psf0.w, psf0.h) / 2;
  const xlo = Math.max(Math.floor(cx - R1), fx0);
  const ylo = Math.max(Math.floor(cy - R1), fy0);
  const xhi = Math.min(Math.ceil(cx + R1), bbox.getMaxX());
  const yhi = Math.min(Math.ceil(cy + R1), bbox.getMaxY());
  if (xlo > xhi || ylo > yhi) return { ...flags, outOfBounds: true, ...NOT_FITTED };
  if (tiny > 0 && (xhi - xlo < tiny || yhi - ylo < tiny)) return { ...flags, tinyFootprint: true, ...NOT_FITTED };

  // neighbouring peaks whose PSF reaches the stamp
  const others: PsfStamp[] = [];
  for (let k = 0; k < peaksXY.length / 2; k++) {
    if (k === peakIndex) continue;
    const ox = peaksXY[2 * k]!;
    const oy = peaksXY[2 * k + 1]!;
    if ((ox - cx) ** 2 + (oy - cy) ** 2 > R2 * R2) continue;
    const s = psf.stamp(ox, oy);
    if (s.x0 > xhi || s.x0 + s.w - 1 < xlo || s.y0 > yhi || s.y0 + s.h - 1 < ylo) continue;
    others.push(s);
  }
  const NT1 = 4 + others.length;
  const NT2 = NT1 + 2;
  const I_DX = NT1;
  const I_DY = NT1 + 1;

  // valid pixels: in the footprint, within R1, positive variance
  const maxN = (xhi - xlo + 1) * (yhi - ylo + 1);
  const px = new Int32Array(maxN);
  const py = new Int32Array(maxN);
  const wts = new Float64Array(maxN);
  let n = 0;
  let sumr = 0;
  for (let y = ylo; y <= yhi; y++) {
    for (let x = xlo; x <= xhi; x++) {
      const i = (y - fy0) * W + (x - fx0);
      const rr = (x - cx) ** 2 + (y - cy) ** 2;
      const v = variance[i]!;
      if (inFootprint[i] === 0 || rr > R1 * R1 || !(v > 0)) continue;
      const rw = rr > R0 * R0 ? 1 - (Math.sqrt(rr) - R0) / (R1 - R0) : 1;
      px[n] = x;
      py[n] = y;
      wts[n] = Math.sqrt(rw / v);
      sumr += rw;
      n++;
    }
  }
  if (n === 0) return { ...flags, noValidPixels: true, ...NOT_FITTED };

  const inside = (s: PsfStamp, x: number, y: number): boolean => x > s.x0 && x < s.x0 + s.w - 1 && y >= s.y0 && y < s.y0 + s.h;
  const insideY = (s: PsfStamp, x: number, y: number): boolean => y > s.y0 && y < s.y0 + s.h - 1 && x >= s.x0 && x < s.x0 + s.w;
  const A = new Float64Array(n * NT2);
  const b = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = px[k]!;
    const y = py[k]!;
    const w = wts[k]!;
    const row = k * NT2;
    A[row] = psfAt(psf0, x, y) * w;
    A[row + 1] = w;
    A[row + 2] = (x - cx) * w;
    A[row + 3] = (y - cy) * w;
    for (let j = 0; j < others.length; j++) A[row + 4 + j] = psfAt(others[j]!, x, y) * w;
    A[row + I_DX] = inside(psf0, x, y) ? ((psfAt(psf0, x + 1, y) - psfAt(psf0, x - 1, y)) / 2) * w : 0;
    A[row + I_DY] = insideY(psf0, x, y) ? ((psfAt(psf0, x, y + 1) - psfAt(psf0, x, y - 1)) / 2) * w : 0;
    b[k] = image[(y - fy0) * W + (x - fx0)]! * w;
  }
  const fit1 = solve(A, b, n, NT1, NT2);
  const fit2 = solve(A, b, n, NT2, NT2);
  if (fit1 === undefined || fit2 === undefined) return { ...flags, ...NOT_FITTED };
  const dof1 = sumr - NT1;
  const dof2 = sumr - NT2;
  if (dof1 <= 0 || dof2 <= 0) return { ...flags, badDof: true, ...NOT_FITTED };
  const q1 = fit1.chisq / dof1;
  let q2 = fit2.chisq / dof2;
  const isPsf1 = q1 < cut1;
  let isPsf2: boolean;
  let x2 = fit2.x;
  let chisq2 = fit2.chisq;
  let dof2b = dof2;
  let dx = 0;
  let dy = 0;
  // The decentring: f0 P(x - δ) ≈ f0 P(x) - f0 δ P'(x), so δ = -(derivative coefficient) / f0.
  // Unlike LSST (one linearised step, and only when that fit already passes psfChisqCut2), the
  // step is iterated (Newton, at most 4 steps) while it stays within a pixel of the peak, and
  // psfChisqCut2 applies to the decentred fit at the converged centre: bright stars whose peak
  // pixel is a few tenths of a pixel off their centre are PSFs too.
  let step = fit2.x;
  let stepChisq = fit2.chisq;
  let ok = fit2.x[0]! > 0;
  for (let iter = 0; ok && iter < 4; iter++) {
    const sx = -step[I_DX]! / step[0]!;
    const sy = -step[I_DY]! / step[0]!;
    dx += sx;
    dy += sy;
    if (!(Math.abs(dx) < 1 && Math.abs(dy) < 1)) {
      ok = false;
      break;
    }
    if (Math.abs(sx) < 0.005 && Math.abs(sy) < 0.005) break;
    const ps = psf.stamp(cx + dx, cy + dy);
    for (let k = 0; k < n; k++) {
      const x = px[k]!;
      const y = py[k]!;
      const w = wts[k]!;
      A[k * NT2] = psfAt(ps, x, y) * w;
      A[k * NT2 + I_DX] = inside(ps, x, y) ? ((psfAt(ps, x + 1, y) - psfAt(ps, x - 1, y)) / 2) * w : 0;
      A[k * NT2 + I_DY] = insideY(ps, x, y) ? ((psfAt(ps, x, y + 1) - psfAt(ps, x, y - 1)) / 2) * w : 0;
    }
    const next = solve(A, b, n, NT2, NT2);
    if (next === undefined || !(next.x[0]! > 0)) {
      ok = false;
      break;
    }
    step = next.x;
    stepChisq = next.chisq;
  }
  isPsf2 = ok && stepChisq / dof2 < cut2;
  if (isPsf2) {
    const psfShifted = psf.stamp(cx + dx, cy + dy);
    for (let k = 0; k < n; k++) A[k * NT2] = psfAt(psfShifted, px[k]!, py[k]!) * wts[k]!;
    const fitb = solve(A, b, n, NT1, NT2);
    if (fitb === undefined) {
      isPsf2 = false;
    } else {
      const dofb = sumr - NT1;
      q2 = fitb.chisq / dofb;
      isPsf2 = q2 < cut2b;
      x2 = fitb.x;
      chisq2 = fitb.chisq;
      dof2b = dofb;
    }
  }
  let withDecenter = false;
  let params = fit1.x;
  let chisq = fit1.chisq;
  let dof = dof1;
  if ((isPsf1 && isPsf2 && q2 < q1) || (isPsf2 && !isPsf1)) {
    params = x2;
    chisq = chisq2;
    dof = dof2b;
    cx += dx;
    cy += dy;
    withDecenter = true;
  }
  const flux = params[0]!;
  const isPsf = (isPsf1 || isPsf2) && flux > 0;
  const center = new Point2D(cx, cy);
  if (!isPsf) return { ...flags, deblendedAsPsf: false, withDecenter, center, flux, chisq, dof, template: undefined };

  // the template: flux × PSF at the fitted centre, clipped to the footprint
  const s = psf.stamp(cx, cy);
  const tx0 = Math.max(s.x0, fx0);
  const ty0 = Math.max(s.y0, fy0);
  const tx1 = Math.min(s.x0 + s.w - 1, bbox.getMaxX());
  const ty1 = Math.min(s.y0 + s.h - 1, bbox.getMaxY());
  let template: TemplateImage | undefined;
  if (tx0 <= tx1 && ty0 <= ty1) {
    const tw = tx1 - tx0 + 1;
    const data = new Float32Array(tw * (ty1 - ty0 + 1));
    for (let y = ty0; y <= ty1; y++) {
      for (let x = tx0; x <= tx1; x++) {
        if (inFootprint[(y - fy0) * W + (x - fx0)] === 0) continue;
        const v = flux * s.data[(y - s.y0) * s.w + (x - s.x0)]!;
        if (v > 0) data[(y - ty0) * tw + (x - tx0)] = v;
      }
    }
    template = trimTemplate({ bbox: new Box2I(new Point2I(tx0, ty0), new Point2I(tx1, ty1)), data });
  }
  return { ...flags, deblendedAsPsf: template !== undefined, withDecenter, center, flux, chisq, dof, template };
}
