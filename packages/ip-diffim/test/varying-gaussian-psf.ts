// A test PSF: a circular Gaussian whose sigma varies linearly with position, sampled at pixel
// centres and normalised to sum 1 (independent of the code under test).
import { Image, Psf, Quadrupole, type ImageD } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2D, Point2I } from '@skystack/geom';

/** Sampled, normalised Gaussian of sigma `s` centred at (cx, cy) on a `w × h` grid with origin (x0, y0). */
export function sampledGaussian(w: number, h: number, x0: number, y0: number, cx: number, cy: number, s: number): Float64Array {
  const out = new Float64Array(w * h);
  let sum = 0;
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const dx = x0 + i - cx;
      const dy = y0 + j - cy;
      sum += out[j * w + i] = Math.exp(-(dx * dx + dy * dy) / (2 * s * s));
    }
  }
  for (let k = 0; k < out.length; k++) out[k]! /= sum;
  return out;
}

/** sigma(x, y) = s0 + gx x + gy y, kernel images `size × size`. */
export class VaryingGaussianPsf extends Psf {
  constructor(
    readonly size: number,
    readonly s0: number,
    readonly gx: number,
    readonly gy: number,
  ) {
    super(false);
  }

  sigmaAt(x: number, y: number): number {
    return this.s0 + this.gx * x + this.gy * y;
  }

  clone(): VaryingGaussianPsf {
    return new VaryingGaussianPsf(this.size, this.s0, this.gx, this.gy);
  }

  resized(width: number): VaryingGaussianPsf {
    return new VaryingGaussianPsf(width, this.s0, this.gx, this.gy);
  }

  protected doComputeKernelImage(position: Point2D): ImageD {
    const h = Math.floor(this.size / 2);
    const data = sampledGaussian(this.size, this.size, -h, -h, 0, 0, this.sigmaAt(position.x, position.y));
    return new Image(data, this.size, this.size, { xy0: new Point2I(-h, -h) });
  }

  protected doComputeApertureFlux(radius: number, position: Point2D): number {
    const s = this.sigmaAt(position.x, position.y);
    return 1 - Math.exp((-0.5 * radius * radius) / (s * s));
  }

  protected doComputeShape(position: Point2D): Quadrupole {
    const s2 = this.sigmaAt(position.x, position.y) ** 2;
    return new Quadrupole(s2, s2, 0);
  }

  protected doComputeBBox(): Box2I {
    const h = Math.floor(this.size / 2);
    return Box2I.fromCorner(new Point2I(-h, -h), new Extent2I(this.size, this.size));
  }
}

/** Gaussian random numbers (Box-Muller) from a seeded LCG. */
export function makeNormal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

export { Point2D };
