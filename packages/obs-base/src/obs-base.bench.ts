// obs-base I/O: component and cut-out reads of a 2048x2048 ExposureF through the FITS formatter,
// and raw ingest through the Butler.
//   pnpm bench --filter obs-base [--smoke]
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exposure, FilterLabel } from '@skystack/afw-image';
import { Butler, StorageClassFactory } from '@skystack/daf-butler';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { TestCam, testImporter, writeRaw } from '../test/test-cam.js';
import { FitsExposureFormatter } from './formatters/fits-exposure-formatter.js';
import { RawIngestTask } from './ingest.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const SMOKE = process.argv.includes('--smoke');
const N = SMOKE ? 256 : 2048;
const RAWS = SMOKE ? 4 : 40;
const dir = mkdtempSync(join(tmpdir(), 'obsbench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'calexp.fits');
const formatter = new FitsExposureFormatter();
const storageClass = StorageClassFactory.default().getStorageClass('ExposureF');
const cut = Box2I.fromCorner(new Point2I(N / 2, N / 2), new Extent2I(N / 8, N / 8));

async function writeExposure(): Promise<void> {
  const exp = Exposure.make('float32', new Extent2I(N, N));
  (exp.image.array.data as Float32Array).fill(1);
  exp.setWcs(makeSkyWcs(new Point2D(N / 2, N / 2), SpherePoint.fromDegrees(150, 2), makeCdMatrix(Angle.fromArcseconds(0.2))));
  exp.setFilter(FilterLabel.fromBandPhysical('r', 'Cam-r'));
  await exp.writeFits(path);
}

let rawDir = '';
async function writeRaws(): Promise<void> {
  rawDir = join(dir, 'raws');
  await mkdir(rawDir, { recursive: true });
  for (let i = 0; i < RAWS; i++) {
    await writeRaw(join(rawDir, `raw_${i}.fits`), { expId: 2025030200000 + Math.floor(i / 2) + 1, detector: i % 2, raDeg: 10, decDeg: -20, rotDeg: 0 });
  }
}

let run = 0;
async function ingestOnce(): Promise<void> {
  const repo = join(dir, `repo${run++}`);
  await Butler.makeRepo(repo);
  const butler = await Butler.from(repo, { writeable: true, importModule: testImporter });
  await new TestCam().register(butler.registry);
  const { refs } = await new RawIngestTask({ butler, instruments: [new TestCam()] }).run([rawDir]);
  if (refs.length !== RAWS) throw new Error(`ingested ${refs.length} of ${RAWS}`);
  await butler.close();
  await rm(repo, { recursive: true, force: true });
}

/** The cases. */
export const benchmarks: BenchCase[] = [
  { name: `FitsExposureFormatter read ${N}x${N} ExposureF`, setup: writeExposure, fn: () => formatter.read(path, { storageClass }), itemsPerIteration: N * N, itemUnit: 'pixels' },
  { name: `FitsExposureFormatter read calexp.wcs (${N}x${N})`, setup: writeExposure, fn: () => formatter.read(path, { storageClass, component: 'wcs' }) },
  { name: `FitsExposureFormatter read bbox ${N / 8}x${N / 8} of ${N}x${N}`, setup: writeExposure, fn: () => formatter.read(path, { storageClass, parameters: { bbox: cut } }) },
  { name: `RawIngestTask: ${RAWS} raws into a new repository`, setup: writeRaws, fn: ingestOnce, itemsPerIteration: RAWS, itemUnit: 'files' },
];
