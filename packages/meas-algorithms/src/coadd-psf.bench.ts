// CoaddPsf.computeKernelImage at coadd positions covered by 10 inputs (41x41 Gaussian PSFs,
// pixels 0.2" to 0.25" at various rotations, lanczos3 with afw's 10000-entry cache); and one
// WarpedPsf kernel image.
//   pnpm bench --filter coadd-psf [--smoke]
import { parseArgs } from 'node:util';
import { CoaddInputs, GaussianPsf } from '@skystack/afw-image';
import { Angle, Box2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { CoaddPsf } from './coadd-psf.js';
import { WarpedPsf, makeWcsPairPixelTransform } from './warped-psf.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const NINPUTS = args.smoke === true ? 3 : 10;
const NPOS = 20;

const crval = SpherePoint.fromDegrees(150, 2);
const coaddWcs = makeSkyWcs(new Point2D(2000, 2000), crval, makeCdMatrix(Angle.fromArcseconds(0.2)));
let psf: CoaddPsf | undefined;
let warped: WarpedPsf | undefined;

function setup(): void {
  const inputs = new CoaddInputs();
  for (let i = 0; i < NINPUTS; i++) {
    const r = inputs.ccds.addNew();
    const wcs = makeSkyWcs(new Point2D(2000 + 13 * i, 2000 - 7 * i), crval, makeCdMatrix(Angle.fromArcseconds(0.2 + 0.005 * i), Angle.fromDegrees(9 * i)));
    r.setId(i);
    r.setBBox(new Box2I(new Point2I(0, 0), new Point2I(3999, 3999)));
    r.set('weight', 1 + i);
    r.set('goodpix', 16e6);
    r.setComponent('wcs', wcs);
    r.setComponent('psf', new GaussianPsf(41, 41, 1.6 + 0.1 * i));
    if (i === NINPUTS - 1) warped = new WarpedPsf(new GaussianPsf(41, 41, 2), makeWcsPairPixelTransform(wcs, coaddWcs));
  }
  psf = new CoaddPsf(inputs.ccds, coaddWcs);
}

export const benchmarks: BenchCase[] = [
  {
    name: `coadd-psf: CoaddPsf.computeKernelImage, ${NINPUTS} inputs`,
    itemsPerIteration: NPOS,
    itemUnit: 'kernel images',
    setup,
    fn: () => {
      let s = 0;
      for (let k = 0; k < NPOS; k++) s += psf!.computeKernelImage(new Point2D(1500 + 50 * k, 2500 - 40 * k)).get(0, 0);
      return s;
    },
  },
  {
    name: 'coadd-psf: WarpedPsf.computeKernelImage (41x41 Gaussian, WCS pair)',
    itemsPerIteration: NPOS,
    itemUnit: 'kernel images',
    setup,
    fn: () => {
      let s = 0;
      for (let k = 0; k < NPOS; k++) s += warped!.computeKernelImage(new Point2D(1500 + 50 * k, 2500 - 40 * k)).get(0, 0);
      return s;
    },
  },
];
