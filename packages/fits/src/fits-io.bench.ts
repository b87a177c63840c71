// File I/O of afw-like images, side by side with astropy: reading and writing a 4096 x 4096
// IMAGE/MASK/VARIANCE MEF, and reading RICE_1-compressed images. The astropy numbers come from
// astropy timing itself in one /usr/bin/python3 process per case (a timeit-style loop); those
// cases are left out when /usr/bin/python3 cannot import astropy.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { astropyAvailable, timePython } from '@skystack/test-support';
import { makeCompressedImageHdu } from './compressed-image-hdu.js';
import { FitsFile } from './fits-file.js';
import { writeFits, type FitsHduInput } from './fits-writer.js';
import { Header } from './header.js';

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

const SIDE = 4096;
const N = SIDE * SIDE;
/** Pixel bytes of the three planes (float32, int32, float32). */
const MEF_BYTES = 3 * 4 * N;
/** How long astropy times each case, seconds (at least MIN_SAMPLES calls). */
const ASTROPY_BUDGET_S = 3;
const MIN_SAMPLES = 5;

function haveAstropyNow(): boolean {
  try {
    return astropyAvailable();
  } catch {
    return false; // under CI=true a missing astropy throws; a benchmark just leaves its cases out
  }
}
const haveAstropy = haveAstropyNow();

let dir = '';
let mefPath = '';
let outPath = '';
let rice16Path = '';
let rice32Path = '';
let planes: FitsHduInput[] = [];
let ready: Promise<void> | undefined;

function exttype(value: string): Header {
  const h = new Header();
  h.set('EXTTYPE', value, 'afw extension type');
  h.set('EXTNAME', value);
  return h;
}

/** Writes the afw-like MEF and the compressed files once, to a temporary directory. */
function setup(): Promise<void> {
  ready ??= (async () => {
    dir = mkdtempSync(join(tmpdir(), 'skystack-fits-bench-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    mefPath = join(dir, 'mef.fits');
    outPath = join(dir, 'out.fits');
    rice16Path = join(dir, 'rice16.fits');
    rice32Path = join(dir, 'rice32.fits');
    const image = new Float32Array(N);
    const mask = new Int32Array(N);
    const variance = new Float32Array(N);
    const i16 = new Int16Array(N);
    const i32 = new Int32Array(N);
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < N; i++) {
      const noise = (rand() + rand() + rand() + rand() - 2) * 300; // sky-like noise of a few hundred counts
      image[i] = 1000 + noise;
      variance[i] = 1000 + noise * 0.1;
      mask[i] = noise > 250 ? 1 << (i % 8) : 0;
      i16[i] = 1000 + Math.round(noise);
      i32[i] = 100000 + Math.round(noise * 40);
    }
    planes = [
      {},
      { header: exttype('IMAGE'), data: { data: image, width: SIDE, height: SIDE } },
      { header: exttype('MASK'), data: { data: mask, width: SIDE, height: SIDE } },
      { header: exttype('VARIANCE'), data: { data: variance, width: SIDE, height: SIDE } },
    ];
    await writeFits(mefPath, planes);
    // Row tiles, as fpack and astropy write by default.
    await writeFits(rice16Path, [{}, makeCompressedImageHdu(i16, SIDE, SIDE, { compression: 'RICE_1', extname: 'IMAGE' })]);
    await writeFits(rice32Path, [{}, makeCompressedImageHdu(i32, SIDE, SIDE, { compression: 'RICE_1', extname: 'IMAGE' })]);
  })();
  return ready;
}

async function readAll(path: string, names: readonly string[]): Promise<number> {
  const fits = await FitsFile.open(path);
  try {
    let bytes = 0;
    for (const name of names) bytes += (await fits.readImage(name)).data.byteLength;
    return bytes;
  } finally {
    await fits.close();
  }
}

async function astropyTimes(setupCode: string, body: string, extra: Record<string, string>): Promise<ExternalMeasurement> {
  await setup();
  return timePython({ setup: setupCode, body, args: extra, budgetSeconds: ASTROPY_BUDGET_S, minSamples: MIN_SAMPLES });
}

const READ_BODY = `with fits.open(args['path'], memmap=False) as hl:
    for hdu in hl:
        d = hdu.data
        if d is not None: d.flat[0]`;

/** The same, then the host-order copy FitsFile returns (astropy's .data is a big-endian view). */
const READ_NATIVE_BODY = `with fits.open(args['path'], memmap=False) as hl:
    for hdu in hl:
        d = hdu.data
        if d is not None: d.astype(d.dtype.newbyteorder('='))`;

/** astropy builds the same HDUs from native-order arrays, once. */
const WRITE_SETUP = `with fits.open(args['path'], memmap=False) as hl:
    hdus = [fits.PrimaryHDU()]
    for hdu in hl[1:]:
        data = hdu.data.astype(hdu.data.dtype.newbyteorder('='))
        hdus.append(fits.ImageHDU(data, header=fits.Header([('EXTTYPE', hdu.header['EXTTYPE']), ('EXTNAME', hdu.name)])))
hdul = fits.HDUList(hdus)`;

const ours: BenchCase[] = [
  {
    name: 'FitsFile.open + readImage IMAGE/MASK/VARIANCE 4096x4096 (f32/i32/f32, page cache)',
    itemsPerIteration: MEF_BYTES,
    itemUnit: 'bytes',
    setup,
    fn: () => readAll(mefPath, ['IMAGE', 'MASK', 'VARIANCE']),
  },
  {
    name: 'writeFits IMAGE/MASK/VARIANCE 4096x4096 (with CHECKSUM/DATASUM, fsync, rename)',
    itemsPerIteration: MEF_BYTES,
    itemUnit: 'bytes',
    setup,
    fn: () => writeFits(outPath, planes),
  },
  {
    name: 'FitsFile.readImage RICE_1 int16 4096x4096 (row tiles)',
    itemsPerIteration: 2 * N,
    itemUnit: 'bytes',
    setup,
    fn: () => readAll(rice16Path, ['IMAGE']),
  },
  {
    name: 'FitsFile.readImage RICE_1 int32 4096x4096 (row tiles)',
    itemsPerIteration: 4 * N,
    itemUnit: 'bytes',
    setup,
    fn: () => readAll(rice32Path, ['IMAGE']),
  },
];

const astropy: BenchCase[] = [
  {
    name: 'astropy fits.open(memmap=False) + .data of IMAGE/MASK/VARIANCE 4096x4096',
    itemsPerIteration: MEF_BYTES,
    itemUnit: 'bytes',
    setup,
    measure: () => astropyTimes('', READ_BODY, { path: mefPath }),
  },
  {
    name: 'astropy fits.open(memmap=False) + .data in host byte order (as FitsFile gives) IMAGE/MASK/VARIANCE 4096x4096',
    itemsPerIteration: MEF_BYTES,
    itemUnit: 'bytes',
    setup,
    measure: () => astropyTimes('', READ_NATIVE_BODY, { path: mefPath }),
  },
  {
    name: 'astropy HDUList.writeto(overwrite=True) IMAGE/MASK/VARIANCE 4096x4096',
    itemsPerIteration: MEF_BYTES,
    itemUnit: 'bytes',
    setup,
    measure: () => astropyTimes(WRITE_SETUP, "hdul.writeto(args['out'], overwrite=True)", { path: mefPath, out: join(dir, 'astropy.fits') }),
  },
  {
    name: 'astropy HDUList.writeto(overwrite=True, checksum=True) IMAGE/MASK/VARIANCE 4096x4096',
    itemsPerIteration: MEF_BYTES,
    itemUnit: 'bytes',
    setup,
    measure: () =>
      astropyTimes(WRITE_SETUP, "hdul.writeto(args['out'], overwrite=True, checksum=True)", { path: mefPath, out: join(dir, 'astropy.fits') }),
  },
  {
    name: 'astropy fits.open + .data RICE_1 int16 4096x4096 (row tiles)',
    itemsPerIteration: 2 * N,
    itemUnit: 'bytes',
    setup,
    measure: () => astropyTimes('', READ_BODY, { path: rice16Path }),
  },
  {
    name: 'astropy fits.open + .data RICE_1 int32 4096x4096 (row tiles)',
    itemsPerIteration: 4 * N,
    itemUnit: 'bytes',
    setup,
    measure: () => astropyTimes('', READ_BODY, { path: rice32Path }),
  },
];

/**
 * Reading and writing afw-like 4096 x 4096 images (bytes = pixel bytes), ours and astropy's
 * side by side; the astropy cases only when /usr/bin/python3 has astropy.
 */
export const benchmarks: BenchCase[] = haveAstropy ? [...ours, ...astropy] : ours;
