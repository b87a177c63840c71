// PSF model evaluation: what measurement (PSF fluxes, one model image per source) and the image
// simulator (one star per source) call per object. A 41 x 41 PcaPsf with three basis images and
// 2nd-order Chebyshev coefficients is a typical PSF-determination output; the sub-pixel image
// goes through the Lanczos-5 shift, the GaussianPsf one through analytic evaluation.
import { Box2D, Point2D } from '@skystack/geom';
import { Image } from '../image.js';
import { GaussianPsf } from './gaussian-psf.js';
import { FixedKernel, LinearCombinationKernel } from './kernel.js';
import { PcaPsf } from './kernel-psf.js';
import { Chebyshev1Function2 } from './spatial-function.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  fn?: () => unknown;
}

const SIZE = 41;

function gaussian(sigma: number): FixedKernel {
  const data = new Float64Array(SIZE * SIZE);
  const c = (SIZE - 1) / 2;
  for (let j = 0; j < SIZE; j++) for (let i = 0; i < SIZE; i++) data[j * SIZE + i] = Math.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma * sigma));
  return new FixedKernel(new Image(data, SIZE, SIZE));
}

const range = new Box2D(new Point2D(0, 0), new Point2D(4000, 4000));
const pca = new PcaPsf(
  new LinearCombinationKernel(
    [gaussian(2), gaussian(3), gaussian(4)],
    [new Chebyshev1Function2([1, 0, 0, 0, 0, 0], range), new Chebyshev1Function2([0.1, 0.02, -0.03, 0.01, 0, 0.004], range), new Chebyshev1Function2([0.05, -0.01, 0.01, 0, 0.002, 0], range)],
  ),
);
const gpsf = new GaussianPsf(SIZE, SIZE, 2.5);
let k = 0;
const next = (): Point2D => new Point2D(((k++ * 37.31) % 3999) + 0.5, ((k * 91.7) % 3999) + 0.5);

/** The cases: one call per iteration. */
export const benchmarks: BenchCase[] = [
  { name: 'psf: PcaPsf 41x41 computeKernelImage (3 basis, Chebyshev order 2)', itemsPerIteration: 1, itemUnit: 'image', fn: () => pca.computeKernelImage(next()) },
  { name: 'psf: PcaPsf 41x41 computeImage (kernel + Lanczos-5 shift)', itemsPerIteration: 1, itemUnit: 'image', fn: () => pca.computeImage(next()) },
  { name: 'psf: PcaPsf 41x41 computeShape (adaptive moments)', itemsPerIteration: 1, itemUnit: 'shape', fn: () => pca.computeShape(next()) },
  { name: 'psf: GaussianPsf 41x41 computeImage (analytic)', itemsPerIteration: 1, itemUnit: 'image', fn: () => gpsf.computeImage(next()) },
];
