// Reading and writing a 4096 x 4096 float32 exposure (afw layout: empty primary, IMAGE, MASK,
// VARIANCE extensions) with @skystack/afw-image, side by side with astropy doing the same in the
// same run. The astropy numbers come from astropy timing itself in one /usr/bin/python3 process
// per case (a timeit-style loop); those cases are left out when /usr/bin/python3 cannot import
// astropy. `pnpm bench --smoke` uses 256 x 256 planes.
// The exposure carries a PhotoCalib, a FilterLabel and a VisitInfo, so the archive HDUs and the
// header cards are written and read as for a real calexp.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Extent2I, SpherePoint } from '@skystack/geom';
import { astropyAvailable, timePython } from '@skystack/test-support';
import { FilterLabel } from './components/filter-label.js';
import { PhotoCalib } from './components/photo-calib.js';
import { VisitInfo } from './components/visit-info.js';
import { Exposure } from './exposure.js';

interface ExternalMeasurement {
  meanMs: number;
  samples: number;
  rmePercent?: number;
}

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
  measure?: () => Promise<ExternalMeasurement>;
}

const SMOKE = process.argv.includes('--smoke');
const SIDE = SMOKE ? 256 : 4096;
const N = SIDE * SIDE;
/** Pixel bytes of the three planes (float32 image, int32 mask, float32 variance). */
const BYTES = 3 * 4 * N;
/** How long astropy times each case, seconds (at least MIN_SAMPLES calls). */
const ASTROPY_BUDGET_S = 3;
const MIN_SAMPLES = 5;
const LABEL = `exposure ${SIDE}²`;

function haveAstropy(): boolean {
  try {
    return astropyAvailable();
  } catch {
    return false; // under CI=true a missing astropy throws; a benchmark just leaves its cases out
  }
}

let dir = '';
let inPath = '';
let outPath = '';
let astropyOutPath = '';
let exposure: Exposure<Float32Array> | undefined;
let ready: Promise<void> | undefined;

/** Makes the exposure (sky-like noise, a few mask bits, components) and writes it once, to a temporary directory. */
function setup(): Promise<void> {
  ready ??= (async () => {
    dir = mkdtempSync(join(tmpdir(), 'skystack-exposure-bench-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    inPath = join(dir, 'in.fits');
    outPath = join(dir, 'out.fits');
    astropyOutPath = join(dir, 'astropy.fits');
    const mi = Exposure.make('float32', new Extent2I(SIDE, SIDE));
    mi.setPhotoCalib(new PhotoCalib(0.25, 0.001));
    mi.setFilter(FilterLabel.fromBandPhysical('r', 'SIM-R'));
    mi.setVisitInfo(new VisitInfo({ exposureTime: 30, darkTime: 30, boresightRaDec: SpherePoint.fromDegrees(150, 2.5) }));
    const image = mi.image.array.data;
    const mask = mi.mask.array.data;
    const variance = mi.variance.array.data;
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < N; i++) {
      const noise = (rand() + rand() + rand() + rand() - 2) * 300; // sky-like noise of a few hundred counts
      image[i] = 1000 + noise;
      variance[i] = 1000 + noise * 0.1;
      mask[i] = noise > 250 ? 1 << (i % 8) : 0;
    }
    exposure = mi;
    await mi.writeFits(inPath);
  })();
  return ready;
}

async function readExposure(): Promise<number> {
  const mi = await Exposure.readFits(inPath);
  return mi.image.array.data.byteLength + mi.mask.array.data.byteLength + mi.variance.array.data.byteLength;
}

async function astropyTimes(setupCode: string, body: string): Promise<ExternalMeasurement> {
  await setup();
  return timePython({ setup: setupCode, body, args: { path: inPath, out: astropyOutPath }, budgetSeconds: ASTROPY_BUDGET_S, minSamples: MIN_SAMPLES });
}

/** astropy's `.data` as it comes: big-endian arrays (touching one pixel so that they are read). */
const READ_RAW_BODY = `with fits.open(args['path'], memmap=False) as hl:
    planes = [hl[name].data for name in ('IMAGE', 'MASK', 'VARIANCE')]
    for d in planes: d.flat[0]`;

/** The same, then the host-order arrays that Exposure.readFits gives. */
const READ_NATIVE_BODY = `with fits.open(args['path'], memmap=False) as hl:
    planes = [hl[name].data for name in ('IMAGE', 'MASK', 'VARIANCE')]
    planes = [d.astype(d.dtype.newbyteorder('=')) for d in planes]`;

/** astropy builds the same HDUs from native-order arrays, once. */
const WRITE_SETUP = `with fits.open(args['path'], memmap=False) as hl:
    hdus = [fits.PrimaryHDU()]
    for name in ('IMAGE', 'MASK', 'VARIANCE'):
        hdu = hl[name]
        data = hdu.data.astype(hdu.data.dtype.newbyteorder('='))
        hdus.append(fits.ImageHDU(data, header=fits.Header([('EXTTYPE', name), ('EXTNAME', name), ('INHERIT', True)])))
hdul = fits.HDUList(hdus)`;

const ours: BenchCase[] = [
  {
    name: `${LABEL} read: Exposure.readFits (f32/i32/f32 + archive, page cache)`,
    itemsPerIteration: BYTES,
    itemUnit: 'bytes',
    setup,
    fn: readExposure,
  },
  {
    name: `${LABEL} write: Exposure.writeFits (CHECKSUM/DATASUM, fsync, rename)`,
    itemsPerIteration: BYTES,
    itemUnit: 'bytes',
    setup,
    fn: () => exposure!.writeFits(outPath),
  },
];

const astropy: BenchCase[] = [
  {
    name: `${LABEL} read: astropy fits.open(memmap=False), 3 HDUs to host-order arrays`,
    itemsPerIteration: BYTES,
    itemUnit: 'bytes',
    setup,
    measure: () => astropyTimes('', READ_NATIVE_BODY),
  },
  {
    name: `${LABEL} read: astropy fits.open(memmap=False), 3 HDUs .data as is (big-endian)`,
    itemsPerIteration: BYTES,
    itemUnit: 'bytes',
    setup,
    measure: () => astropyTimes('', READ_RAW_BODY),
  },
  {
    name: `${LABEL} write: astropy HDUList.writeto(overwrite=True, checksum=True)`,
    itemsPerIteration: BYTES,
    itemUnit: 'bytes',
    setup,
    measure: () => astropyTimes(WRITE_SETUP, "hdul.writeto(args['out'], overwrite=True, checksum=True)"),
  },
  {
    name: `${LABEL} write: astropy HDUList.writeto(overwrite=True), no checksums`,
    itemsPerIteration: BYTES,
    itemUnit: 'bytes',
    setup,
    measure: () => astropyTimes(WRITE_SETUP, "hdul.writeto(args['out'], overwrite=True)"),
  },
];

/**
 * Reading and writing a 4096 x 4096 float32 masked image in afw's layout (bytes = pixel bytes
 * of the three planes), ours and astropy's side by side; the astropy cases only when
 * /usr/bin/python3 has astropy.
 */
export const benchmarks: BenchCase[] = haveAstropy() ? [...ours, ...astropy] : ours;
