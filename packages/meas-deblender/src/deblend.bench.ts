// SourceDeblendTask on a 1000² field of 400 two-star blends (Gaussian PSF σ 2 px, separations
// 2-3 FWHM, noise 5), and deblendFootprint alone with symmetric templates (no PSF fit).
//   pnpm bench --filter deblend [--smoke]
import { parseArgs } from 'node:util';
import { Exposure, GaussianPsf } from '@skystack/afw-image';
import { Footprint, SourceCatalog, SpanSet } from '@skystack/afw-table';
import { Extent2I } from '@skystack/geom';
import { deblendFootprint } from './deblend-footprint.js';
import { SourceDeblendTask } from './source-deblend-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const { values: args } = parseArgs({ options: { filter: { type: 'string' }, smoke: { type: 'boolean' } }, strict: false });
const SMOKE = args.smoke === true;
const CELLS = SMOKE ? 4 : 20;
const CELL = 50;
const SIGMA = 2;
const FWHM = 2.3548 * SIGMA;
const NOISE = 5;

interface Field {
  exposure: Exposure<Float32Array>;
  /** Per blend: spans and the two peaks (x, y, value). */
  blends: { spans: SpanSet; peaks: [number, number, number][] }[];
}

let field: Field | undefined;

function makeField(): Field {
  const size = CELLS * CELL;
  const exposure = Exposure.make('float32', new Extent2I(size, size));
  const psfSize = 2 * Math.ceil(5 * SIGMA) + 1;
  exposure.setPsf(new GaussianPsf(psfSize, psfSize, SIGMA));
  const img = exposure.image.array.data;
  exposure.variance.array.data.fill(NOISE * NOISE);
  let s = 987;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const model = new Float64Array(size * size);
  const blends: Field['blends'] = [];
  for (let cy = 0; cy < CELLS; cy++) {
    for (let cx = 0; cx < CELLS; cx++) {
      const sep = (2 + u()) * FWHM;
      const angle = 2 * Math.PI * u();
      const x1 = cx * CELL + 25 - (sep / 2) * Math.cos(angle) + u() - 0.5;
      const y1 = cy * CELL + 25 - (sep / 2) * Math.sin(angle) + u() - 0.5;
      const stars = [
        [x1, y1, 5000 + 20000 * u()],
        [x1 + sep * Math.cos(angle), y1 + sep * Math.sin(angle), 3000 + 10000 * u()],
      ] as const;
      const ys: number[] = [];
      const x0s: number[] = [];
      const x1s: number[] = [];
      for (let y = cy * CELL; y < (cy + 1) * CELL; y++) {
        let start = -1;
        for (let x = cx * CELL; x <= (cx + 1) * CELL; x++) {
          let v = 0;
          if (x < (cx + 1) * CELL) for (const [sx, sy, f] of stars) v += (f / (2 * Math.PI * SIGMA * SIGMA)) * Math.exp(-((x - sx) ** 2 + (y - sy) ** 2) / (2 * SIGMA * SIGMA));
          if (x < (cx + 1) * CELL) model[y * size + x] = v;
          const inside = x < (cx + 1) * CELL && v > 2 * NOISE;
          if (inside && start < 0) start = x;
          if (!inside && start >= 0) {
            ys.push(y);
            x0s.push(start);
            x1s.push(x - 1);
            start = -1;
          }
        }
      }
      const peaks = stars.map(([sx, sy]) => [Math.round(sx), Math.round(sy), model[Math.round(sy) * size + Math.round(sx)]!] as [number, number, number]);
      blends.push({ spans: SpanSet.fromArrays(ys, x0s, x1s), peaks });
    }
  }
  for (let i = 0; i < img.length; i++) img[i] = model[i]! + NOISE * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { exposure, blends };
}

function footprints(f: Field): Footprint[] {
  return f.blends.map((b) => {
    const fp = new Footprint(b.spans, { region: f.exposure.getBBox() });
    for (const [x, y, v] of b.peaks) fp.addPeak(x, y, v);
    return fp;
  });
}

export const benchmarks: BenchCase[] = [
  {
    name: `SourceDeblendTask: ${CELLS * CELLS} two-star blends (PSF templates), 1 catalog`,
    itemsPerIteration: CELLS * CELLS,
    itemUnit: 'blends',
    setup: () => {
      field ??= makeField();
    },
    fn: () => {
      const f = field!;
      const schema = SourceCatalog.makeMinimalSchema();
      const task = new SourceDeblendTask({ schema });
      const sources = new SourceCatalog(schema);
      footprints(f).forEach((fp, i) => {
        const r = sources.addNew();
        r.set('id', BigInt(i + 1));
        r.setFootprint(fp);
      });
      task.run({ exposure: f.exposure, sources });
      return sources.length;
    },
  },
  {
    name: `deblendFootprint: ${CELLS * CELLS} two-star blends, symmetric templates (fitPsfs false), ramp, median, monotonic`,
    itemsPerIteration: CELLS * CELLS,
    itemUnit: 'blends',
    setup: () => {
      field ??= makeField();
    },
    fn: () => {
      const f = field!;
      const psf = f.exposure.getPsf()!;
      let n = 0;
      for (const fp of footprints(f)) n += deblendFootprint(fp, f.exposure.maskedImage, psf, FWHM, { fitPsfs: false }).peaks.length;
      return n;
    },
  },
];
