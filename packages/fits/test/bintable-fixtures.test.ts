/**
 * Binary tables compared with astropy (run through `/usr/bin/python3`, Debian's python3-astropy):
 *
 * 1. every BINTABLE HDU of real files written by afw (`../shared/fixtures/afw`) is decoded, and
 *    every column's description and values must match what astropy reads;
 * 2. tables of every type encoded here are written as a FITS file that astropy must read back
 *    with the values, dtypes, units and TDIM shapes they were given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryTable, packBits, type BinaryTableColumnData, type BinaryTableNumericArray } from '../src/bintable.js';
import type { BinaryTableColumnInput } from '../src/bintable-encode.js';
import { FitsFile } from '../src/fits-file.js';
import { encodeFits } from '../src/fits-writer.js';
import { Header } from '../src/header.js';
import { AFW, afwAvailable, astropyAvailable, runPython } from './support.js';

const afw = AFW;
const present = afwAvailable();

const FILES = [
  'sourceCatalog-hsc-v2.fits',
  'sourceTable-v2.fits',
  'deepCoadd_meas_HSC_v2.fits',
  'ps1-refcat-v1.fits',
  'great3.fits',
  'CompoundFieldConversion.fits',
  'visitInfo-version-4.fits',
  'jointcal_wcs-0030600-088.fits',
  'HSC-0908120-056-small.fits',
  'ticket42210.fits',
];

const haveAstropy = astropyAvailable();

/** A column as the script below prints it. */
interface AstropyColumn {
  name: string;
  format: string;
  unit: string | null;
  dim: string | null;
  null: number | string | null;
  bscale: number | null;
  bzero: number | string | null;
  /** numpy dtype name of the values (of the first row's array for a variable-length column). */
  dtype: string | null;
  vla: boolean;
  values: unknown[];
}

interface AstropyHdu {
  hdu: number;
  nrows: number;
  columns: AstropyColumn[];
}

/**
 * Prints, for every BinTableHDU of each file, each column's attributes and values as JSON:
 * values flattened row-major; ints of 64-bit columns as strings; NaN as null and infinities as
 * 'inf'/'-inf'; complex as (real, imaginary) pairs; X columns as astropy's bools per bit.
 * Variable-length strings are cut from astropy's heap with astropy's descriptors (its
 * per-character arrays lose blanks).
 */
const ASTROPY_SCRIPT = String.raw`
import json, math, re, sys, warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.io import fits

def scalar(v, wide):
    if isinstance(v, (bool, np.bool_)): return bool(v)
    if isinstance(v, (int, np.integer)): return str(int(v)) if wide else int(v)
    if isinstance(v, str): return v
    f = float(v)
    if math.isnan(f): return None
    if math.isinf(f): return 'inf' if f > 0 else '-inf'
    return f

def flat(a):
    a = np.asarray(a)
    if np.iscomplexobj(a):
        a = np.stack([a.real, a.imag], axis=-1)
    wide = a.dtype.kind in 'iu' and a.dtype.itemsize == 8
    return [scalar(v, wide) for v in a.ravel().tolist()]

def num(v):
    if v is None: return None
    if isinstance(v, (int, np.integer)): return str(int(v)) if abs(int(v)) >= 2**53 else int(v)
    return float(v)

out = {}
for path in sys.argv[1:]:
    hdus = []
    with fits.open(path, disable_image_compression=True) as hl:
        for i, hdu in enumerate(hl):
            if not isinstance(hdu, fits.BinTableHDU): continue
            data = hdu.data
            nrows = 0 if data is None else len(data)
            cols = []
            for c in hdu.columns:
                fmt = str(c.format)
                vla = re.match(r'^\d*[PQ]', fmt) is not None
                values, dtype = [], None
                if nrows > 0:
                    col = data[c.name]
                    if vla and re.match(r'^\d*[PQ]A', fmt):
                        heap = data._get_heap_data()
                        desc = data.base[c.name]
                        values = [heap[int(o):int(o) + int(n)].tobytes().decode('utf-8').rstrip('\0') for n, o in desc]
                        dtype = 'str'
                    elif vla:
                        values = [flat(r) for r in col]
                        dtype = np.asarray(col[0]).dtype.name
                    elif col.dtype.kind in 'US':
                        # Element access on astropy's chararray strips trailing blanks.
                        values = [str(v) for v in col.flatten()]
                        dtype = 'str'
                    else:
                        values = flat(col)
                        dtype = col.dtype.name
                cols.append(dict(name=c.name, format=fmt, unit=c.unit, dim=c.dim, null=num(c.null),
                                 bscale=num(c.bscale), bzero=num(c.bzero), dtype=dtype, vla=vla, values=values))
            hdus.append(dict(hdu=i, nrows=nrows, columns=cols))
    out[path] = hdus
json.dump(out, sys.stdout)
`;

function runAstropy(paths: readonly string[]): Record<string, AstropyHdu[]> {
  const json = runPython(ASTROPY_SCRIPT, { args: paths });
  return JSON.parse(json) as Record<string, AstropyHdu[]>;
}

function scalar(v: number | bigint, wide: boolean): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (wide) return String(v);
  if (Number.isNaN(v)) return null;
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v;
}

function numeric(a: BinaryTableNumericArray, dtype: string): unknown[] {
  const out: unknown[] = [];
  const wide = dtype === 'int64' || dtype === 'uint64';
  for (let i = 0; i < a.length; i++) out.push(scalar(a[i]!, wide));
  return out;
}

/** Our values in the JSON form of the script: X bits and L values as booleans. */
function ours(table: BinaryTable, index: number): unknown[] {
  const c = table.column(index);
  if (c.type === 'X' && !c.variableLength) return [...table.unpackBits(index)].map((b) => b === 1);
  const values: BinaryTableColumnData = table.getColumn(index);
  if (c.type === 'A') return [...(values as readonly string[])];
  if (c.variableLength) return (values as readonly BinaryTableNumericArray[]).map((row) => numeric(row, c.dtype));
  if (c.type === 'L') return [...(values as Uint8Array)].map((b) => b === 1);
  return numeric(values as BinaryTableNumericArray, c.dtype);
}

/**
 * numpy dtype names for each of our dtypes. astropy 5.2 reads `B` with `TZERO = -128` as
 * float64 (its table code only knows the unsigned 16/32/64-bit conventions); we read it as
 * int8, like cfitsio (the values are the same).
 */
const NUMPY_DTYPE: Record<string, readonly string[]> = {
  bool: ['bool'],
  bit: ['bool'],
  string: ['str'],
  int8: ['int8', 'float64'],
};

function numpyNames(dtype: string): readonly string[] {
  return NUMPY_DTYPE[dtype] ?? [dtype];
}

function expectSameColumns(table: BinaryTable, expected: AstropyHdu, where: string): void {
  expect(table.nRows, where).toBe(expected.nrows);
  expect(table.columns.map((c) => c.name), where).toEqual(expected.columns.map((c) => c.name));
  expected.columns.forEach((ref, i) => {
    const c = table.column(i);
    const what = `${where} column ${i} '${ref.name}'`;
    expect(c.format.trim(), what).toBe(ref.format);
    expect(c.unit, what).toBe(ref.unit);
    expect(c.dim === null ? null : `(${c.dim.join(',')})`, what).toBe(ref.dim === null ? null : ref.dim.replace(/\s/g, ''));
    expect(c.tnull === null ? null : Number(c.tnull), what).toBe(ref.null === null ? null : Number(ref.null));
    expect(c.tscal, what).toBe(ref.bscale ?? 1);
    expect(c.tzero, what).toBe(ref.bzero === null ? 0 : Number(ref.bzero));
    expect(c.variableLength, what).toBe(ref.vla);
    if (ref.dtype !== null) {
      const dtype = ref.dtype.startsWith('str') ? 'str' : ref.dtype;
      expect(numpyNames(c.dtype), `${what} dtype ${c.dtype} vs numpy ${dtype}`).toContain(dtype);
    }
    expect(ours(table, i), what).toEqual(ref.values);
  });
}

describe.skipIf(!present || !haveAstropy)('binary tables of afw files, compared with astropy', () => {
  let reference: Record<string, AstropyHdu[]> = {};

  beforeAll(() => {
    reference = runAstropy(FILES.map((f) => resolve(afw, f)));
  }, 60_000);

  it.each(FILES)('%s: every BINTABLE HDU decodes to astropy’s columns and values', async (name) => {
    const path = resolve(afw, name);
    const expected = reference[path] ?? [];
    expect(expected.length, 'astropy found binary tables').toBeGreaterThan(0);
    const file = await FitsFile.open(path);
    try {
      const tables = file.hdus.filter((h) => h.kind === 'bintable' || h.kind === 'compressed-image');
      expect(tables.map((h) => h.index)).toEqual(expected.map((h) => h.hdu));
      for (const ref of expected) {
        const info = file.hdus[ref.hdu]!;
        const data = await file.readData(ref.hdu);
        const table = BinaryTable.decode(info.header, data, { file: path, hdu: ref.hdu, dataOffset: info.dataOffset });
        expectSameColumns(table, ref, `${name} HDU ${ref.hdu}`);
      }
    } finally {
      await file.close();
    }
  });

  it('reads afw flag bits with getBit as astropy unpacks them', async () => {
    const path = resolve(afw, 'deepCoadd_meas_HSC_v2.fits');
    const ref = reference[path]!.find((h) => h.hdu === 1)!;
    const flags = ref.columns.findIndex((c) => c.format.endsWith('X'));
    const nBits = Number(/^(\d+)X$/.exec(ref.columns[flags]!.format)![1]);
    const file = await FitsFile.open(path);
    try {
      const table = BinaryTable.decode(file.hdus[1]!.header, await file.readData(1));
      let set = 0;
      for (let r = 0; r < table.nRows; r++) {
        for (let b = 0; b < nBits; b++) {
          const bit = table.getBit(flags, r, b);
          expect(bit).toBe(ref.columns[flags]!.values[r * nBits + b]);
          if (bit) set++;
        }
      }
      expect(set, 'some flags are set').toBeGreaterThan(0);
    } finally {
      await file.close();
    }
  });

  it('reads the AST FrameSet text of the 1QB column of jointcal_wcs-0030600-088.fits', async () => {
    const file = await FitsFile.open(resolve(afw, 'jointcal_wcs-0030600-088.fits'));
    try {
      const table = BinaryTable.decode(file.hdus[2]!.header, await file.readData(2));
      const [bytes] = table.getVariableLengthColumn(0);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(bytes!.length).toBe(16374);
      const text = new TextDecoder().decode(bytes);
      expect(text.startsWith('1 SkyWcs 0')).toBe(true);
      expect(text).toContain(' Begin FrameSet');
      expect(text.trimEnd().endsWith('End FrameSet')).toBe(true);
    } finally {
      await file.close();
    }
  });
});

/** Every type, with units, TDIM, scaling, nulls and variable-length arrays (astropy reads them all). */
const ROUND_TRIP: (BinaryTableColumnInput & { readonly format: string })[] = [
  { name: 'l', format: '2L', data: Uint8Array.from([1, 0, 0, 1, 1, 1]) },
  { name: 'x', format: '10X', data: packBits([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 10) },
  { name: 'b', format: 'B', data: Uint8Array.from([0, 255, 7]), unit: 'count' },
  { name: 'sb', format: 'B', data: Int8Array.from([-128, 127, 0]) },
  { name: 'i', format: 'I', data: Int16Array.from([-32768, 32767, 1]) },
  { name: 'u16', format: 'I', data: Uint16Array.from([0, 65535, 32768]) },
  { name: 'j', format: 'J', data: Int32Array.from([-2147483648, 2147483647, -1]), tnull: -1 },
  { name: 'u32', format: 'J', data: Uint32Array.from([0, 4294967295, 2147483648]) },
  { name: 'k', format: 'K', data: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 12345678901234567n]) },
  { name: 'u64', format: 'K', data: BigUint64Array.from([0n, 2n ** 64n - 1n, 2n ** 63n + 1n]) },
  { name: 'e', format: '6E', data: Float32Array.from({ length: 18 }, (_, i) => (i === 4 ? Number.NaN : i / 3)), dim: [3, 2], unit: 'arcsec' },
  { name: 'd', format: 'D', data: Float64Array.from([Math.PI, -1e300, Number.NEGATIVE_INFINITY]), unit: 'nJy' },
  { name: 'c', format: 'C', data: Float32Array.from([1, 2, 3, -4, 0.5, 0]) },
  { name: 'm', format: '2M', data: Float64Array.from({ length: 12 }, (_, i) => i * 0.1) },
  { name: 's', format: '8A', data: ['hello', '', 'eight ch'] },
  { name: 'sd', format: '6A', data: ['ab', 'c', 'de', '', 'f', 'g', 'h', 'ij', 'k'], dim: [2, 3] },
  { name: 'scaled', format: 'I', data: Float64Array.from([10, 12.5, -5]), tscal: 0.5, tzero: 10 },
  { name: 'pj', format: 'PJ', data: [Int32Array.from([1, 2, 3]), new Int32Array(0), Int32Array.from([-7])] },
  { name: 'qd', format: 'QD', data: [Float64Array.from([0.5]), Float64Array.from([1, 2]), Float64Array.from([Number.NaN])] },
  { name: 'pa', format: 'PA', data: ['variable', '', 'with blanks  '] },
  { name: 'pb', format: 'PB', data: [Uint8Array.from([255, 0]), Uint8Array.from([1]), new Uint8Array(0)] },
  { name: 'qk', format: 'QK', data: [BigInt64Array.from([1n, -1n]), BigInt64Array.from([2n ** 62n]), new BigInt64Array(0)] },
  { name: 'pe', format: 'PE', data: [Float32Array.from([1.25]), new Float32Array(0), Float32Array.from([-2, 3])] },
];

/** What astropy should show for each column: values in the script's JSON form, and numpy dtype. */
function expectedAstropy(c: BinaryTableColumnInput & { readonly format: string }): { values: unknown[]; dtype: string } {
  const d = c.data as ArrayLike<unknown>;
  const conv = (v: unknown): unknown => (typeof v === 'bigint' || typeof v === 'number' ? scalar(v, false) : v);
  switch (c.name) {
    case 'l':
      return { values: Array.from(d, (v) => v === 1), dtype: 'bool' };
    case 'x':
      return { values: [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1].map((b) => b === 1), dtype: 'bool' };
    case 's':
    case 'sd':
      return { values: Array.from(d), dtype: 'str' };
    case 'pa':
      return { values: Array.from(d), dtype: 'str' };
    default:
      break;
  }
  if (c.format.startsWith('P') || c.format.startsWith('Q')) {
    const rows = c.data as readonly ArrayLike<number | bigint>[];
    const vlaDtypes: Record<string, string> = { PJ: 'int32', QD: 'float64', PB: 'uint8', QK: 'int64', PE: 'float32' };
    const dtype = vlaDtypes[c.format]!;
    return { values: rows.map((r) => Array.from(r, (v) => (dtype === 'int64' ? String(v) : conv(v)))), dtype };
  }
  const dtype =
    c.data instanceof Float64Array ? 'float64'
    : c.data instanceof Float32Array ? 'float32'
    : c.data instanceof BigInt64Array ? 'int64'
    : c.data instanceof BigUint64Array ? 'uint64'
    : c.data instanceof Int32Array ? 'int32'
    : c.data instanceof Uint32Array ? 'uint32'
    : c.data instanceof Int16Array ? 'int16'
    : c.data instanceof Uint16Array ? 'uint16'
    : c.data instanceof Int8Array ? 'int8'
    : 'uint8';
  const complex = c.format.endsWith('C') || c.format.endsWith('M');
  const outDtype = complex ? (c.format.endsWith('C') ? 'complex64' : 'complex128') : dtype;
  const wide = dtype === 'int64' || dtype === 'uint64';
  return { values: Array.from(d, (v) => (wide ? String(v) : conv(v))), dtype: outDtype };
}

describe.skipIf(!haveAstropy)('binary tables encoded here, read back by astropy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skystack-bintable-'));
  const path = join(dir, 'round-trip.fits');
  let hdus: AstropyHdu[] = [];

  beforeAll(() => {
    const { header, data } = BinaryTable.encode(ROUND_TRIP, 3);
    header.set('EXTNAME', 'ROUNDTRIP');
    const primary = new Header();
    primary.set('SIMPLE', true);
    primary.set('BITPIX', 8);
    primary.set('NAXIS', 0);
    primary.set('EXTEND', true);
    writeFileSync(path, encodeFits([{ header: primary }, { header, data }]));
    hdus = runAstropy([path])[path] ?? [];
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('astropy sees one table with every column, in order, with units, TDIM, TNULL and scaling', () => {
    expect(hdus.map((h) => [h.hdu, h.nrows])).toEqual([[1, 3]]);
    const cols = hdus[0]!.columns;
    expect(cols.map((c) => c.name)).toEqual(ROUND_TRIP.map((c) => c.name));
    const by = (n: string): AstropyColumn => cols.find((c) => c.name === n)!;
    expect(by('b').unit).toBe('count');
    expect(by('e').unit).toBe('arcsec');
    expect(by('e').dim).toBe('(3,2)');
    expect(by('sd').dim).toBe('(2,3)');
    expect(by('j').null).toBe(-1);
    expect(by('scaled').bscale).toBe(0.5);
    expect(by('scaled').bzero).toBe(10);
    expect(by('u16').bzero).toBe(32768);
    expect(by('u64').bzero).toBe('9223372036854775808');
    expect(by('pj').format).toBe('1PJ(3)');
    expect(by('qd').format).toBe('1QD(2)');
  });

  it.each(ROUND_TRIP.map((c) => c.name))('column %s: astropy reads the values and dtype given', (name) => {
    const input = ROUND_TRIP.find((c) => c.name === name)!;
    const got = hdus[0]!.columns.find((c) => c.name === name)!;
    const want = expectedAstropy(input);
    expect(got.values).toEqual(want.values);
    expect(got.dtype?.startsWith('str') ? 'str' : got.dtype).toBe(name === 'sb' ? 'float64' : want.dtype);
  });

  it('and decodes back to the same columns here, compared with what astropy read', () => {
    const { header, data } = BinaryTable.encode(ROUND_TRIP, 3);
    expectSameColumns(BinaryTable.decode(header, data), hdus[0]!, 'round trip');
  });
});
