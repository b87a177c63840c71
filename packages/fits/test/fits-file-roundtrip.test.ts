/**
 * Files written by writeFits, read back by FitsFile AND by astropy (values, dtypes, CHECKSUM and
 * DATASUM with warnings as errors) and checked by fitsverify; scaled images (BSCALE/BZERO/BLANK)
 * decoded as astropy decodes them; atomic replacement of an existing file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Header } from '../src/header.js';
import { FitsError, FitsFormatError } from '../src/errors.js';
import { FitsFile } from '../src/fits-file.js';
import { encodeFits, makeImageHeader, writeFits, type FitsHduStreamInput } from '../src/fits-writer.js';
import { encodePixels, pixelTypeOf, type FitsPixelArray } from '../src/image-data.js';
import {
  astropyAvailable,
  describeWithAstropy,
  fitsverify,
  fitsverifyAvailable,
  prng,
  runPythonJson,
  samePixels,
  sha256OfPixels,
} from './support.js';

const astropyPresent = astropyAvailable();
const fitsverifyPresent = fitsverifyAvailable();

const dir = mkdtempSync(join(tmpdir(), 'skystack-fits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 13;
const H = 7;
const N = W * H;

/** One array per pixel type, extremes first, then pseudo-random values. */
function arrays(): Record<string, FitsPixelArray> {
  const r = prng(42);
  const fill = <T extends FitsPixelArray>(a: T, extremes: (number | bigint)[], gen: () => number | bigint): T => {
    const target = a as unknown as (number | bigint)[];
    for (let i = 0; i < a.length; i++) target[i] = i < extremes.length ? extremes[i]! : gen();
    return a;
  };
  const int = (lo: number, hi: number) => () => Math.floor(lo + r() * (hi - lo + 1));
  const big = (signed: boolean) => () => {
    const v = (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
    return signed ? BigInt.asIntN(64, v) : v;
  };
  return {
    uint8: fill(new Uint8Array(N), [0, 255, 1], int(0, 255)),
    int8: fill(new Int8Array(N), [-128, 127, 0, -1], int(-128, 127)),
    int16: fill(new Int16Array(N), [-32768, 32767, 0, -1], int(-32768, 32767)),
    uint16: fill(new Uint16Array(N), [0, 65535, 32768, 32767], int(0, 65535)),
    int32: fill(new Int32Array(N), [-2147483648, 2147483647, 0, -1], int(-2147483648, 2147483647)),
    uint32: fill(new Uint32Array(N), [0, 4294967295, 2147483648], int(0, 4294967295)),
    int64: fill(new BigInt64Array(N), [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n], big(true)),
    uint64: fill(new BigUint64Array(N), [0n, 2n ** 64n - 1n, 2n ** 63n], big(false)),
    float32: fill(new Float32Array(N), [Number.NaN, Number.POSITIVE_INFINITY, -0, 3.4e38, 1e-40], () => (r() - 0.5) * 1e6),
    float64: fill(new Float64Array(N), [Number.NaN, Number.NEGATIVE_INFINITY, -0, 1.7e308, 5e-324], () => (r() - 0.5) * 1e12),
  };
}

/** A small binary table as raw bytes: 3 rows of (A: int32 'J', B: float32 'E'). */
function tableHdu(): FitsHduStreamInput {
  const header = Header.fromImages([
    "XTENSION= 'BINTABLE'",
    'BITPIX  =                    8',
    'NAXIS   =                    2',
    'NAXIS1  =                    8',
    'NAXIS2  =                    3',
    'PCOUNT  =                    0',
    'GCOUNT  =                    1',
    'TFIELDS =                    2',
    "TTYPE1  = 'A       '",
    "TFORM1  = 'J       '",
    "TTYPE2  = 'B       '",
    "TFORM2  = 'E       '",
    "EXTNAME = 'TABLE   '",
  ]);
  const data = new Uint8Array(24);
  const dv = new DataView(data.buffer);
  [
    [1, 0.5],
    [-2, 1.25],
    [300000, -8],
  ].forEach(([a, b], i) => {
    dv.setInt32(i * 8, a!);
    dv.setFloat32(i * 8 + 4, b!);
  });
  return { header, data };
}

const VERIFY_SCRIPT = String.raw`
import sys, json, hashlib, warnings
import numpy as np
from astropy.io import fits
warnings.simplefilter('error')
path = json.load(sys.stdin)
out = []
with fits.open(path, checksum=True, memmap=False) as hl:
    for hdu in hl:
        d = {'cls': type(hdu).__name__, 'extname': hdu.header.get('EXTNAME'),
             'checksum': int(hdu.verify_checksum()), 'datasum': int(hdu.verify_datasum())}
        if isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU)) and hdu.data is not None:
            a = hdu.data
            d['dtype'] = a.dtype.name
            d['shape'] = list(a.shape)
            d['sha256'] = hashlib.sha256(np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('<')).tobytes()).hexdigest()
        if isinstance(hdu, fits.BinTableHDU):
            d['columns'] = {c.name: hdu.data[c.name].tolist() for c in hdu.columns}
        out.append(d)
print(json.dumps(out))
`;

interface Verified {
  cls: string;
  extname: string | null;
  checksum: number;
  datasum: number;
  dtype?: string;
  shape?: number[];
  sha256?: string;
  columns?: Record<string, number[]>;
}

describe('writeFits → FitsFile, astropy and fitsverify', () => {
  const data = arrays();
  const path = join(dir, 'all-types.fits');
  const primary = new Header();
  primary.set('ORIGIN', 'SkyStack tests', 'who wrote this');
  primary.addHistory('written by fits-file-roundtrip.test.ts');
  const hdus: FitsHduStreamInput[] = [{ header: primary }];
  for (const [name, array] of Object.entries(data)) {
    const header = new Header();
    header.set('EXTNAME', name.toUpperCase());
    hdus.push({ header, data: { data: array, width: W, height: H } });
  }
  const cube = new Float32Array(4 * 3 * 2).map((_, i) => i * 0.5);
  hdus.push({ header: Header.fromImages(["EXTNAME = 'CUBE'"]), data: { data: cube, width: 4, height: 3, naxis: [4, 3, 2] } });
  hdus.push(tableHdu());

  it('reads back every type with FitsFile, with the same values and array types', async () => {
    await writeFits(path, hdus);
    const fits = await FitsFile.open(path);
    expect(fits.hdus.map((h) => h.extname ?? '')).toEqual(['', ...Object.keys(data).map((k) => k.toUpperCase()), 'CUBE', 'TABLE']);
    for (const [name, array] of Object.entries(data)) {
      const image = await fits.readImage(name);
      expect(pixelTypeOf(image.data)).toBe(name);
      expect(image.naxis).toEqual([W, H]);
      expect(samePixels(image.data, array)).toBe(true);
    }
    const c = await fits.readImage('CUBE');
    expect(c.naxis).toEqual([4, 3, 2]);
    expect(samePixels(c.data, cube)).toBe(true);
    expect(fits.hdus[0]!.header.get('ORIGIN')).toBe('SkyStack tests');
    expect(fits.hdus.at(-1)!.kind).toBe('bintable');
    // our own checksum verification agrees
    const sums = await fits.verifyChecksums();
    expect(sums.every((s) => s.checksum === 'ok' && s.datasum === 'ok')).toBe(true);
    await fits.close();
    // the in-memory encoder writes the same bytes
    const memHdus = hdus.map((h) => ({ ...h, header: h.header?.clone() })) as Parameters<typeof encodeFits>[0];
    expect(Buffer.compare(encodeFits(memHdus), readFileSync(path))).toBe(0);
  });

  it.skipIf(!astropyPresent)('astropy reads the same values and dtypes, and CHECKSUM/DATASUM verify (warnings are errors)', () => {
    const got = runPythonJson<Verified[]>(VERIFY_SCRIPT, path);
    expect(got.length).toBe(hdus.length);
    expect(got.every((h) => h.checksum === 1 && h.datasum === 1)).toBe(true);
    for (const [name, array] of Object.entries(data)) {
      const h = got.find((g) => g.extname === name.toUpperCase())!;
      expect({ name, dtype: h.dtype, shape: h.shape }).toEqual({ name, dtype: name, shape: [H, W] });
      expect(h.sha256).toBe(sha256OfPixels(array));
    }
    const c = got.find((g) => g.extname === 'CUBE')!;
    expect(c.shape).toEqual([2, 3, 4]);
    expect(c.sha256).toBe(sha256OfPixels(cube));
    expect(got.at(-1)!.columns).toEqual({ A: [1, -2, 300000], B: [0.5, 1.25, -8] });
  });

  it.skipIf(!fitsverifyPresent)('fitsverify reports no errors and no warnings', () => {
    const r = fitsverify(path);
    expect(r.output).toMatch(/verification OK/);
    expect(r.status).toBe(0);
  });

  it.skipIf(!fitsverifyPresent)('a file without checksums, and one whose first HDU is a table, verify too', async () => {
    const p1 = join(dir, 'nochecksum.fits');
    await writeFits(p1, [{ data: { data: new Float64Array(6).fill(1.5), width: 3, height: 2 } }], { checksum: false });
    const f1 = await FitsFile.open(p1);
    expect(f1.hdus[0]!.header.has('CHECKSUM')).toBe(false);
    expect((await f1.readImage(0)).data).toEqual(new Float64Array(6).fill(1.5));
    await f1.close();
    expect(fitsverify(p1).status).toBe(0);
    const p2 = join(dir, 'tablefirst.fits');
    await writeFits(p2, [tableHdu()]);
    const f2 = await FitsFile.open(p2);
    expect(f2.hdus.map((h) => h.kind)).toEqual(['primary', 'bintable']);
    await f2.close();
    expect(fitsverify(p2).status).toBe(0);
  });
});

describe.skipIf(!astropyPresent)('scaled images decode as astropy decodes them', () => {
  it('BSCALE/BZERO/BLANK for every BITPIX', async () => {
    const r = prng(7);
    const cases: { bitpix: number; stored: FitsPixelArray; cards: string[] }[] = [
      { bitpix: 8, stored: new Uint8Array(N).map(() => r() * 256), cards: ['BSCALE  =                  0.5', 'BZERO   =                -10.0', 'BLANK   =                  255'] },
      { bitpix: 16, stored: new Int16Array(N).map(() => (r() - 0.5) * 65535), cards: ['BSCALE  =                 0.01', 'BZERO   =               1000.0', 'BLANK   =               -32768'] },
      { bitpix: 16, stored: new Int16Array(N).map(() => (r() - 0.5) * 65535), cards: ['BZERO   =                32768', 'BLANK   =                    0'] },
      { bitpix: 32, stored: new Int32Array(N).map(() => (r() - 0.5) * 4e9), cards: ['BSCALE  =            1.0E-3', 'BZERO   =                  2.5', 'BLANK   =          -2147483648'] },
      { bitpix: 64, stored: new BigInt64Array(N).map(() => BigInt(Math.floor((r() - 0.5) * 2 ** 62))), cards: ['BSCALE  =                  2.0', 'BZERO   =                  1.0'] },
      { bitpix: -32, stored: new Float32Array(N).map(() => r()), cards: ['BSCALE  =                  3.0', 'BZERO   =                  0.1'] },
      { bitpix: -64, stored: new Float64Array(N).map(() => r()), cards: ['BSCALE  =                  3.0', 'BZERO   =                  0.1'] },
      { bitpix: 8, stored: new Uint8Array(N).map(() => r() * 256), cards: ['BZERO   =                 -128'] },
      { bitpix: 32, stored: new Int32Array(N).map(() => (r() - 0.5) * 4e9), cards: ['BZERO   =           2147483648'] },
      { bitpix: 64, stored: new BigInt64Array(N).map(() => BigInt(Math.floor((r() - 0.5) * 2 ** 62))), cards: ['BZERO   =  9223372036854775808'] },
    ];
    // plant BLANK values
    (cases[0]!.stored as Uint8Array)[3] = 255;
    (cases[1]!.stored as Int16Array)[5] = -32768;
    (cases[3]!.stored as Int32Array)[8] = -2147483648;
    const path = join(dir, 'scaled.fits');
    const hdus: FitsHduStreamInput[] = [{}];
    for (const c of cases) {
      const { bytes } = encodePixels(c.stored);
      const header = Header.fromImages([
        "XTENSION= 'IMAGE   '",
        `BITPIX  = ${String(c.bitpix).padStart(20)}`,
        'NAXIS   =                    2',
        `NAXIS1  = ${String(W).padStart(20)}`,
        `NAXIS2  = ${String(H).padStart(20)}`,
        ...c.cards,
      ]);
      hdus.push({ header, data: bytes });
    }
    await writeFits(path, hdus);
    const ref = describeWithAstropy([path])[path]!;
    const fits = await FitsFile.open(path);
    for (let i = 1; i < hdus.length; i++) {
      const image = await fits.readImage(i);
      const e = ref[i]!;
      expect({ i, dtype: pixelTypeOf(image.data) }).toEqual({ i, dtype: e.dtype });
      expect({ i, sha: sha256OfPixels(image.data) }).toEqual({ i, sha: e.sha256 });
    }
    expect(ref.slice(1).map((h) => h.nan)).toEqual([1, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    await fits.close();
  });
});

describe('atomic writes', () => {
  it('a failing data source leaves the existing file intact and no temporary file', async () => {
    const path = join(dir, 'atomic.fits');
    writeFileSync(path, 'original contents');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(2880);
      throw new Error('the source broke');
    }
    const header = Header.fromImages(["XTENSION= 'IMAGE   '", 'BITPIX  =                    8', 'NAXIS   =                    1', 'NAXIS1  =                 5760']);
    const err = await writeFits(path, [{}, { header, data: failing() }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FitsError);
    expect((err as FitsError).code).toBe('FITS_IO');
    expect(((err as FitsError).cause as Error).message).toBe('the source broke');
    expect(readFileSync(path, 'utf8')).toBe('original contents');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);

    // a stream that is too short or too long is a format error, also without a trace
    async function* short(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(100);
    }
    await expect(writeFits(path, [{}, { header, data: short() }])).rejects.toThrow(FitsFormatError);
    async function* long(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(5761);
    }
    await expect(writeFits(path, [{}, { header, data: long() }])).rejects.toThrow(/gave 5761 bytes; the header describes 5760/);
    // raw data of the wrong size is refused before anything is written
    await expect(writeFits(path, [{}, { header, data: new Uint8Array(10) }])).rejects.toThrow(
      /atomic\.fits, HDU 1: The header describes a data unit of 5760 bytes, but 10 bytes were given/,
    );
    expect(readFileSync(path, 'utf8')).toBe('original contents');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);

    // and a successful write replaces it
    await writeFits(path, [{ data: { data: new Int16Array(4), width: 2, height: 2 } }]);
    expect(readFileSync(path).subarray(0, 9).toString()).toBe('SIMPLE  =');
  });

  it('an unwritable directory is a FITS_IO error naming the file', async () => {
    const path = join(dir, 'no-such-dir', 'x.fits');
    const err = await writeFits(path, [{}]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FitsError);
    expect((err as FitsError).code).toBe('FITS_IO');
    expect((err as Error).message).toContain('x.fits');
  });

  it('makeImageHeader gives the mandatory keywords in order', () => {
    const h = makeImageHeader(new Uint16Array(6), 3, 2, { extension: true });
    expect(h.keywords()).toEqual(['XTENSION', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'PCOUNT', 'GCOUNT', 'BZERO', 'BSCALE']);
    expect(h.get('BZERO')).toBe(32768);
    const p = makeImageHeader(new BigUint64Array(2), 2, 1, { extension: false });
    expect(p.keywords()).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'EXTEND', 'BZERO', 'BSCALE']);
    expect(p.get('BZERO')).toBe(9223372036854775808n);
    expect(() => makeImageHeader(new Float32Array(5), 3, 2, { extension: true })).toThrow(FitsFormatError);
  });
});
