// ModelPsfMatchTask.run on a patch-sized warp (2000 x 2000, a 41 x 41 Gaussian PSF whose sigma
// varies linearly across the image) matched to MakePsfMatchedWarp's model (FWHM 7.7 px): the
// kernel fit on 17 x 17 cells and the convolution with the kernel interpolated every 10 pixels;
// and the convolution alone.
//   pnpm bench --filter model-psf-match [--smoke]
import { parseArgs } from 'node:util';
import { Exposure, GaussianPsf, MaskedImage, type LinearCombinationKernel } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { VaryingGaussianPsf, makeNormal } from '../test/varying-gaussian-psf.js';
import { convolveMaskedImageSpatial } from './convolve-spatial.js';
import { SIGMA_PER_FWHM } from './gaussian-psf-factory.js';
import { ModelPsfMatchConfig, ModelPsfMatchTask } from './model-psf-match-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const SIZE = args.smoke === true ? 400 : 2000;

let exposure: Exposure<Float32Array> | undefined;
let kernel: LinearCombinationKernel | undefined;
const model = new GaussianPsf(23, 23, 7.7 * SIGMA_PER_FWHM);

function makeTask(): ModelPsfMatchTask {
  const config = new ModelPsfMatchConfig();
  config.kernel.get('AL').alardSigGauss = [1.0, 2.0, 4.5]; // MakePsfMatchedWarpConfig
  return new ModelPsfMatchTask({ config });
}

function setup(): void {
  if (exposure !== undefined) return;
  const mi = MaskedImage.make('float32', Box2I.fromCorner(new Point2I(0, 0), new Extent2I(SIZE, SIZE)));
  const normal = makeNormal(7);
  const img = mi.image.array.data;
  for (let i = 0; i < img.length; i++) img[i] = 10 * normal();
  mi.variance.array.data.fill(100);
  exposure = new Exposure(mi);
  exposure.setPsf(new VaryingGaussianPsf(41, 1.8, 0.3 / SIZE, 0.2 / SIZE));
  kernel = makeTask().run(exposure, model).psfMatchingKernel;
}

export const benchmarks: BenchCase[] = [
  {
    name: `ModelPsfMatchTask.run ${SIZE}x${SIZE} (fit + convolution)`,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'pixels',
    setup,
    fn: () => makeTask().run(exposure!, model),
  },
  {
    name: `convolveMaskedImageSpatial ${SIZE}x${SIZE}, 21x21 AL kernel, interpolation every 10 px`,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'pixels',
    setup,
    fn: () => convolveMaskedImageSpatial(exposure!.maskedImage, kernel!, { maxInterpolationDistance: 10 }),
  },
];
