// MeasurePsfTask (object-size star selection + PCA PSF, LSST defaults) on a 4096² float32 image
// with 2000 stars whose Gaussian sigma varies linearly across the field (1.8 → 2.1 px) and 500
// galaxies; the catalog (centroid, second moments, flux) is made from the truth so that only the
// task is timed. Also RepairTask (cosmic rays) on the same image.
//   pnpm bench --filter measure-psf [--smoke]
import { parseArgs } from 'node:util';
import { Exposure, SingleGaussianPsf } from '@skystack/afw-image';
import { SourceCatalog, type Schema } from '@skystack/afw-table';
import { Extent2I } from '@skystack/geom';
import { seededUniform } from './least-squares.js';
import { MeasurePsfTask } from './measure-psf-task.js';
import { RepairTask } from './repair-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const SMOKE = args.smoke === true;
const SIZE = SMOKE ? 1024 : 4096;
const NSTARS = SMOKE ? 125 : 2000;
const NGAL = Math.floor(NSTARS / 4);
const NOISE = 10;

interface Obj {
  x: number;
  y: number;
  flux: number;
  sigma: number;
}

let scene: { exposure: Exposure<Float32Array>; objects: Obj[] } | undefined;

function makeScene(): { exposure: Exposure<Float32Array>; objects: Obj[] } {
  const u = seededUniform(2024);
  const exposure = Exposure.make('float32', new Extent2I(SIZE, SIZE));
  const { data } = exposure.image.array;
  for (let i = 0; i < data.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(Math.max(u(), 1e-300)));
    const a = 2 * Math.PI * u();
    data[i] = NOISE * r * Math.cos(a);
    data[i + 1] = NOISE * r * Math.sin(a);
  }
  const objects: Obj[] = [];
  for (let k = 0; k < NSTARS + NGAL; k++) {
    const x = 30 + u() * (SIZE - 60);
    const y = 30 + u() * (SIZE - 60);
    const psfSigma = 1.8 + (0.2 * x) / SIZE + (0.1 * y) / SIZE;
    const sigma = k < NSTARS ? psfSigma : Math.hypot(psfSigma, 3 + 2 * u());
    const flux = 3e4 * Math.pow(10, u());
    objects.push({ x, y, flux, sigma });
    const half = Math.ceil(6 * sigma);
    const norm = flux / (2 * Math.PI * sigma * sigma);
    for (let j = Math.max(0, Math.round(y) - half); j <= Math.min(SIZE - 1, Math.round(y) + half); j++) {
      for (let i = Math.max(0, Math.round(x) - half); i <= Math.min(SIZE - 1, Math.round(x) + half); i++) {
        data[j * SIZE + i]! += norm * Math.exp(-((i - x) ** 2 + (j - y) ** 2) / (2 * sigma * sigma));
      }
    }
  }
  exposure.variance.array.data.fill(NOISE * NOISE);
  exposure.setPsf(new SingleGaussianPsf(21, 21, 2));
  return { exposure, objects };
}

function makeSchema(): Schema {
  const schema = SourceCatalog.makeMinimalSchema();
  for (const f of ['base_SdssCentroid_x', 'base_SdssCentroid_y', 'base_SdssShape_xx', 'base_SdssShape_yy', 'base_SdssShape_xy', 'base_GaussianFlux_instFlux']) schema.addField({ name: f, type: 'D' });
  const aliases = schema.getAliasMap();
  aliases.set('slot_Centroid', 'base_SdssCentroid');
  aliases.set('slot_Shape', 'base_SdssShape');
  aliases.set('slot_PsfFlux', 'base_GaussianFlux');
  return schema;
}

function catalogFor(schema: Schema, objects: readonly Obj[]): SourceCatalog {
  const catalog = new SourceCatalog(schema);
  objects.forEach((o, k) => {
    const r = catalog.addNew();
    r.set('id', BigInt(k + 1));
    r.set('base_SdssCentroid_x', o.x);
    r.set('base_SdssCentroid_y', o.y);
    r.set('base_SdssShape_xx', o.sigma * o.sigma);
    r.set('base_SdssShape_yy', o.sigma * o.sigma);
    r.set('base_SdssShape_xy', 0);
    r.set('base_GaussianFlux_instFlux', o.flux);
  });
  return catalog;
}

export const benchmarks: BenchCase[] = [
  {
    name: `MeasurePsfTask ${SIZE}², ${NSTARS} stars + ${NGAL} galaxies (objectSize + pca, LSST defaults)`,
    itemsPerIteration: NSTARS,
    itemUnit: 'star',
    setup: () => {
      scene ??= makeScene();
    },
    fn: () => {
      const schema = makeSchema();
      const task = new MeasurePsfTask({ schema });
      const catalog = catalogFor(schema, scene!.objects);
      return task.run(scene!.exposure, catalog);
    },
  },
  {
    name: `RepairTask (cosmic rays) ${SIZE}², ${NSTARS + NGAL} objects, no CRs to repair`,
    itemsPerIteration: SIZE * SIZE,
    itemUnit: 'px',
    setup: () => {
      scene ??= makeScene();
    },
    fn: () => new RepairTask().run(scene!.exposure),
  },
];
