/**
 * PSF models written into an ExposureF's afw archive and read back (write → read round trips),
 * the archive tables checked with astropy against the layouts of the LSST C++ persistence code
 * (afw GaussianPsf, FixedKernel, LinearCombinationKernel, FunctionLibrary; meas_algorithms
 * KernelPsf, SingleGaussianPsf, DoubleGaussianPsf, PcaPsf), and an undecodable PSF (DummyPsf,
 * written by the real afw) seen as a RawPsf.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box2D, Extent2I, Point2D, Point2I } from '@skystack/geom';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  Psf} from '../index.js';
import {
  AfwImageNotFoundError,
  Chebyshev1Function2,
  DoubleGaussianPsf,
  Exposure,
  ExposureFitsReader,
  FixedKernel,
  GaussianPsf,
  Image,
  KernelPsf,
  LinearCombinationKernel,
  PcaPsf,
  PolynomialFunction2,
  Quadrupole,
  RawPsf,
  SingleGaussianPsf,
  type ImageD,
} from '../index.js';
import { astropyPresent, fixture, fixturesPresent, python } from '../../test/support.js';

const dir = mkdtempSync(join(tmpdir(), 'skystack-psf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gaussianImage(size: number, sigma: number, peak = 1): ImageD {
  const data = new Float64Array(size * size);
  const c = (size - 1) / 2;
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) data[j * size + i] = peak * Math.exp(-((i - c) ** 2 + (j - 0.8 * c) ** 2) / (2 * sigma * sigma));
  return new Image(data, size, size);
}

async function roundTrip(name: string, psf: Psf | null): Promise<{ path: string; back: Psf | null }> {
  const exposure = Exposure.make('float32', new Extent2I(8, 6));
  exposure.getInfo().setPsf(psf);
  const path = join(dir, `${name}.fits`);
  await exposure.writeFits(path);
  const back = (await Exposure.readFits(path)).getInfo().getPsf();
  return { path, back };
}

function expectSameImages(a: Psf, b: Psf, positions: Point2D[]): void {
  for (const p of positions) {
    const ia = a.computeKernelImage(p);
    const ib = b.computeKernelImage(p);
    expect(ib.getBBox().equals(ia.getBBox())).toBe(true);
    expect(Array.from(ib.array.data)).toEqual(Array.from(ia.array.data));
  }
}

const range = new Box2D(new Point2D(0, 0), new Point2D(2048, 4096));
const basis = [new FixedKernel(gaussianImage(21, 1.6, 3)), new FixedKernel(gaussianImage(21, 2.9, 0.7)), new FixedKernel(gaussianImage(21, 2.2, -0.2))];
const positions = [new Point2D(0, 0), new Point2D(2048, 4096), new Point2D(1000.5, 37.25)];

describe('PSF write → read through ExposureF FITS', () => {
  it('GaussianPsf', async () => {
    const { back } = await roundTrip('gaussian', new GaussianPsf(21, 19, 2.25));
    expect(back).toBeInstanceOf(GaussianPsf);
    expect((back as GaussianPsf).getSigma()).toBe(2.25);
    expect((back as GaussianPsf).getDimensions().equals(new Extent2I(21, 19))).toBe(true);
  });

  it('SingleGaussianPsf and DoubleGaussianPsf', async () => {
    const single = (await roundTrip('single', new SingleGaussianPsf(15, 17, 1.75))).back as SingleGaussianPsf;
    expect(single).toBeInstanceOf(SingleGaussianPsf);
    expect(single.getSigma()).toBe(1.75);
    expectSameImages(new SingleGaussianPsf(15, 17, 1.75), single, [new Point2D(3, 4)]);
    const dg = (await roundTrip('double', new DoubleGaussianPsf(25, 25, 1.5, 4.5, 0.125))).back as DoubleGaussianPsf;
    expect(dg).toBeInstanceOf(DoubleGaussianPsf);
    expect([dg.getSigma1(), dg.getSigma2(), dg.getB()]).toEqual([1.5, 4.5, 0.125]);
  });

  it('KernelPsf over a FixedKernel (off-centre) keeps the pixels, the centre and the average position', async () => {
    const kernel = new FixedKernel(gaussianImage(15, 2), { ctr: new Point2I(5, 9) });
    const psf = new KernelPsf(kernel, new Point2D(512.5, -3.25));
    const back = (await roundTrip('kernel', psf)).back as KernelPsf;
    expect(back).toBeInstanceOf(KernelPsf);
    expect(back.getKernel()).toBeInstanceOf(FixedKernel);
    expect(back.getKernel().getCtr().equals(kernel.getCtr())).toBe(true);
    expect(back.getAveragePosition().equals(new Point2D(512.5, -3.25))).toBe(true);
    expectSameImages(psf, back, [new Point2D(0, 0)]);
  });

  it('KernelPsf over a LinearCombinationKernel with fixed amplitudes', async () => {
    const psf = new KernelPsf(new LinearCombinationKernel(basis, [1, 0.5, 0.25]));
    const back = (await roundTrip('lck-fixed', psf)).back as KernelPsf;
    expect(back.getKernel()).toBeInstanceOf(LinearCombinationKernel);
    expect((back.getKernel() as LinearCombinationKernel).getKernelParameters()).toEqual([1, 0.5, 0.25]);
    expectSameImages(psf, back, [new Point2D(0, 0)]);
  });

  it('PcaPsf over Chebyshev and over polynomial spatial functions', async () => {
    const cheb = new PcaPsf(
      new LinearCombinationKernel(basis, [
        new Chebyshev1Function2([1, 0, 0], range),
        new Chebyshev1Function2([0.1, -0.05, 0.02, 0.01, 0, -0.01], range),
        new Chebyshev1Function2([0, 0.03, 0.04], range),
      ]),
      new Point2D(1024, 2048),
    );
    const back = (await roundTrip('pca-cheb', cheb)).back as PcaPsf;
    expect(back).toBeInstanceOf(PcaPsf);
    expect(back.isFixed()).toBe(false);
    expect(back.getAveragePosition().equals(new Point2D(1024, 2048))).toBe(true);
    const fns = back.getKernel().getSpatialFunctionList();
    expect(fns.map((f) => f.persistenceName)).toEqual(['Chebyshev1Function2D', 'Chebyshev1Function2D', 'Chebyshev1Function2D']);
    expect((fns[1] as Chebyshev1Function2).getXYRange().equals(range)).toBe(true);
    expectSameImages(cheb, back, positions);

    const poly = new PcaPsf(new LinearCombinationKernel(basis.slice(0, 2), [new PolynomialFunction2([1, 1e-4, -2e-5]), new PolynomialFunction2([0.2, 0, 0, 1e-8, 0, 0])]));
    const back2 = (await roundTrip('pca-poly', poly)).back as PcaPsf;
    expect(back2.getKernel().getSpatialFunctionList()[1]!.getParameters()).toEqual([0.2, 0, 0, 1e-8, 0, 0]);
    expectSameImages(poly, back2, positions);
  });

  it('a PSF that cannot be persisted is left out, as afw does; null removes it', async () => {
    class LocalPsf extends GaussianPsf {
      override isPersistable(): boolean {
        return false;
      }
    }
    expect((await roundTrip('unpersistable', new LocalPsf(5, 5, 1))).back).toBeNull();
    expect((await roundTrip('none', null)).back).toBeNull();
  });

  it('ExposureFitsReader.readPsf reads only the archive', async () => {
    const { path } = await roundTrip('reader', new GaussianPsf(11, 11, 1.5));
    const reader = await ExposureFitsReader.open(path);
    try {
      const psf = await reader.readPsf();
      expect(psf?.computeShape()).toEqual(new Quadrupole(2.25, 2.25, 0));
    } finally {
      await reader.close();
    }
  });
});

describe.skipIf(!astropyPresent)('archive tables, read by astropy', () => {
  interface Table {
    name: string;
    columns: [string, string, string | null][];
    rows: Record<string, unknown>[];
  }
  interface Archive {
    psfId: number;
    index: { id: number; name: string; module: string }[];
    tables: Table[];
  }
  function readArchive(path: string): Archive {
    return python<Archive>(
      `
with fits.open(sys.argv[1]) as hl:
    ar = hl[0].header['AR_HDU'] - 1
    idx = hl[ar].data
    out = {'psfId': int(hl[0].header['ARCHIVE_ID_PSF']),
           'index': [{'id': int(r['id']), 'name': r['name'].strip(), 'module': r['module'].strip()} for r in idx], 'tables': []}
    for h in hl[ar + 1:]:
        cols = [[c.name, c.format, c.unit] for c in h.columns]
        rows = [{c.name: (h.data[c.name][i].tolist()) for c in h.columns} for i in range(len(h.data))]
        out['tables'].append({'name': h.header['AR_NAME'], 'columns': cols, 'rows': rows})
print(json.dumps(out))
`,
      [path],
    );
  }

  it('GaussianPsf: one row of dimensions_x, dimensions_y (int32, pixel) and sigma (float64, pixel), module lsst.afw.detection', async () => {
    const { path } = await roundTrip('astropy-gaussian', new GaussianPsf(21, 23, 2.5));
    const ar = readArchive(path);
    const entry = ar.index.find((e) => e.id === ar.psfId)!;
    expect(entry).toEqual({ id: ar.psfId, name: 'GaussianPsf', module: 'lsst.afw.detection' });
    const table = ar.tables.find((t) => t.name === 'GaussianPsf')!;
    expect(table.columns).toEqual([
      ['dimensions_x', '1J', 'pixel'],
      ['dimensions_y', '1J', 'pixel'],
      ['sigma', '1D', 'pixel'],
    ]);
    expect(table.rows).toEqual([{ dimensions_x: 21, dimensions_y: 23, sigma: 2.5 }]);
  });

  it('PcaPsf: KernelPsf row → LinearCombinationKernel (spatialfunctions, components) → FixedKernel images and Chebyshev rows', async () => {
    const psf = new PcaPsf(
      new LinearCombinationKernel(basis.slice(0, 2), [new Chebyshev1Function2([1, 0, 0], range), new Chebyshev1Function2([0, 0.25, -0.5], range)]),
      new Point2D(100, 200),
    );
    const { path } = await roundTrip('astropy-pca', psf);
    const ar = readArchive(path);
    const byName = (n: string): Table => ar.tables.find((t) => t.name === n)!;
    expect(ar.index.find((e) => e.id === ar.psfId)).toMatchObject({ name: 'PcaPsf', module: 'lsst.meas.algorithms' });
    const pca = byName('PcaPsf');
    expect(pca.columns).toEqual([
      ['kernel', '1J', null],
      ['averagePosition_x', '1D', 'pixel'],
      ['averagePosition_y', '1D', 'pixel'],
    ]);
    expect(pca.rows[0]).toMatchObject({ averagePosition_x: 100, averagePosition_y: 200 });
    const lckId = pca.rows[0]!['kernel'] as number;
    expect(ar.index.find((e) => e.id === lckId)).toMatchObject({ name: 'LinearCombinationKernel', module: 'lsst.afw.math' });
    const lck = byName('LinearCombinationKernel');
    expect(lck.columns.map((c) => c.slice(0, 2))).toEqual([
      ['dimensions_x', '1J'],
      ['dimensions_y', '1J'],
      ['center_x', '1J'],
      ['center_y', '1J'],
      ['spatialfunctions', '2J'],
      ['components', '2J'],
    ]);
    const row = lck.rows[0]!;
    expect([row['dimensions_x'], row['dimensions_y'], row['center_x'], row['center_y']]).toEqual([21, 21, 10, 10]);
    const names = (ids: number[]): string[] => ids.map((id) => ar.index.find((e) => e.id === id)!.name);
    expect(names(row['components'] as number[])).toEqual(['FixedKernel', 'FixedKernel']);
    expect(names(row['spatialfunctions'] as number[])).toEqual(['Chebyshev1Function2D', 'Chebyshev1Function2D']);
    const fixed = byName('FixedKernel');
    expect(fixed.columns.map((c) => c.slice(0, 2))).toEqual([
      ['dimensions_x', '1J'],
      ['dimensions_y', '1J'],
      ['center_x', '1J'],
      ['center_y', '1J'],
      ['image', '441D'],
    ]);
    // row-major pixel values: pixel (i, j) of the first basis image is element j * 21 + i
    const image0 = fixed.rows[0]!['image'] as number[];
    expect(image0[4 * 21 + 13]).toBeCloseTo(basis[0]!.computeImage(false).get(13 - 10, 4 - 10), 15);
    const cheb = byName('Chebyshev1Function2D');
    expect(cheb.columns.map((c) => c[0])).toEqual(['coefficients', 'min_x', 'min_y', 'max_x', 'max_y']);
    expect(cheb.rows[1]).toEqual({ coefficients: [0, 0.25, -0.5], min_x: 0, min_y: 0, max_x: 2048, max_y: 4096 });
  });
});

describe.skipIf(!fixturesPresent)('a PSF type SkyStack cannot decode (written by afw)', () => {
  it('archiveImportTest.fits: getPsf() is a RawPsf naming DummyPsf; evaluating it throws; it is written back unchanged', async () => {
    const exposure = await Exposure.readFits(fixture('archiveImportTest.fits'));
    const psf = exposure.getInfo().getPsf();
    expect(psf).toBeInstanceOf(RawPsf);
    expect((psf as RawPsf).name).toBe('DummyPsf');
    expect(() => psf!.computeKernelImage()).toThrow(AfwImageNotFoundError);
    const path = join(dir, 'dummy.fits');
    await exposure.writeFits(path);
    const back = (await Exposure.readFits(path)).getInfo().getPsf();
    expect((back as RawPsf).raw.name).toBe('DummyPsf');
  });
});
