/**
 * Robustness: truncated and bit-flipped versions of real FITS files (images, tables, a
 * tile-compressed file, a gzip file) and of checksummed files of our own (images, and
 * tile-compressed images). Opening them and running every operation (reading images and
 * cutouts, decoding every binary table and all its columns, reading compressed images and
 * cutouts of them) must either succeed or throw a FitsError whose message names the file,
 * never another exception type, and never hang.
 *
 * Readers of other parts of the package join by adding an entry to OPERATIONS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { BinaryTable } from '../src/bintable.js';
import { makeCompressedImageHdu } from '../src/compressed-image-hdu.js';
import { FitsError } from '../src/errors.js';
import { FitsFile, type FitsHduInfo } from '../src/fits-file.js';
import { encodeFits } from '../src/fits-writer.js';
import { Header } from '../src/header.js';
import { AFW, afwAvailable, prng } from './support.js';

const afwPresent = afwAvailable();

/** One thing to do with an opened file; it may throw only FitsErrors. */
interface FuzzOperation {
  readonly name: string;
  run(fits: FitsFile): Promise<unknown>;
}

const isImage = (kind: string): boolean => kind === 'primary' || kind === 'image';

/** A small box inside a 2-d image of the given header, or undefined when it is too small. */
function cutoutOf(header: Header | undefined): Box2I | undefined {
  const w = header?.get('NAXIS1');
  const h = header?.get('NAXIS2');
  if (typeof w !== 'number' || typeof h !== 'number' || w < 3 || h < 3) return undefined;
  return Box2I.fromCorner(new Point2I(1, 1), new Extent2I(Math.min(w - 1, 7), Math.min(h - 1, 5)));
}

/** Decodes a binary-table HDU as a user would, and every column of it. */
async function decodeTable(fits: FitsFile, h: FitsHduInfo): Promise<void> {
  const table = BinaryTable.decode(h.header, await fits.readData(h.index), {
    ...(fits.name === undefined ? {} : { file: fits.name }),
    hdu: h.index,
    dataOffset: h.dataOffset,
    headerOffset: h.headerOffset,
  });
  for (const column of table.columns) {
    table.getColumn(column.index);
    table.nullMask(column.index);
    if (column.type === 'X' && !column.variableLength) table.unpackBits(column.index);
    if (column.variableLength && table.nRows > 0) table.getHeapBytes(column.index, table.nRows - 1);
  }
}

const OPERATIONS: FuzzOperation[] = [
  {
    name: 'read every image',
    run: async (fits) => {
      for (const h of fits.hdus) if (isImage(h.kind)) await fits.readImage(h.index);
    },
  },
  {
    name: 'read a cutout of every 2-d image',
    run: async (fits) => {
      for (const h of fits.hdus) {
        const bbox = isImage(h.kind) ? cutoutOf(h.header) : undefined;
        if (bbox !== undefined) await fits.readImage(h.index, { bbox });
      }
    },
  },
  {
    name: 'decode every binary table and all its columns',
    run: async (fits) => {
      for (const h of fits.hdus) if (h.kind === 'bintable' || h.kind === 'compressed-image') await decodeTable(fits, h);
    },
  },
  {
    name: 'read every compressed image',
    run: async (fits) => {
      for (const h of fits.hdus) if (h.kind === 'compressed-image') await fits.readImage(h.index);
    },
  },
  {
    name: 'read a cutout of every compressed image',
    run: async (fits) => {
      for (const h of fits.hdus) {
        const bbox = h.kind === 'compressed-image' ? cutoutOf(h.imageHeader) : undefined;
        if (bbox !== undefined) await fits.readImage(h.index, { bbox });
      }
    },
  },
  {
    name: 'read the raw data of every HDU',
    run: async (fits) => {
      for (const h of fits.hdus) await fits.readData(h.index);
    },
  },
  { name: 'verify checksums', run: (fits) => fits.verifyChecksums() },
  {
    name: 'find HDUs by name',
    run: async (fits) => {
      for (const name of ['IMAGE', 'MASK', 'COMPRESSED_IMAGE']) {
        try {
          fits.findHdu(name);
        } catch (e) {
          if (!(e instanceof FitsError)) throw e;
        }
      }
    },
  },
];

/** A checksummed file of our own with several image types and a table-like raw HDU. */
function ownFile(): Uint8Array {
  const h = new Header();
  h.set('EXTNAME', 'IMAGE');
  return encodeFits([
    {},
    { header: h, data: { data: Float32Array.from({ length: 600 }, (_, i) => i / 3), width: 30, height: 20 } },
    { data: { data: Uint16Array.from({ length: 600 }, (_, i) => i * 100), width: 20, height: 30 } },
    { data: { data: BigInt64Array.from({ length: 12 }, (_, i) => BigInt(i) << 40n), width: 4, height: 3 } },
  ]);
}

/** A checksummed file of our own with tile-compressed images: RICE_1, PLIO_1 and GZIP_2. */
function ownCompressedFile(): Uint8Array {
  const w = 37;
  const h = 23;
  const n = w * h;
  const image = Int16Array.from({ length: n }, (_, i) => ((i * 7919) % 2000) - 1000);
  const unsigned = Uint16Array.from({ length: n }, (_, i) => 30000 + ((i * 31) % 5000));
  const mask = Int32Array.from({ length: n }, (_, i) => (i % 9 === 0 ? 1 << (i % 20) : 0));
  const variance = Float32Array.from({ length: n }, (_, i) => 1 + i / 9);
  return encodeFits([
    {},
    makeCompressedImageHdu(image, w, h, { compression: 'RICE_1', tile: [16, 8], extname: 'IMAGE' }),
    makeCompressedImageHdu(unsigned, w, h, { compression: 'RICE_1', extname: 'UNSIGNED' }),
    makeCompressedImageHdu(mask, w, h, { compression: 'PLIO_1', tile: [w, 4], extname: 'MASK' }),
    makeCompressedImageHdu(variance, w, h, { compression: 'GZIP_2', tile: [10, 10], extname: 'VARIANCE' }),
  ]);
}

interface FuzzCase {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** HDU boundaries of a (decompressed) file, for truncations at interesting places. */
async function boundaries(bytes: Uint8Array): Promise<number[]> {
  const fits = await FitsFile.fromBytes(bytes);
  const out: number[] = [];
  for (const h of fits.hdus) {
    out.push(h.headerOffset + 40, h.headerOffset + 80, h.headerOffset + 1500, h.dataOffset - 1, h.dataOffset, h.dataOffset + 1);
    if (h.dataByteLength > 0) out.push(h.dataOffset + Math.floor(h.dataByteLength / 2), h.dataOffset + h.dataByteLength - 1);
  }
  return out.filter((o) => o > 0 && o < bytes.length);
}

/** Offsets of the value fields of the structural cards, where flips make impossible sizes. */
function structuralValueOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const text = new TextDecoder('latin1').decode(bytes);
  for (const m of text.matchAll(/(?:Z?NAXIS\d?|Z?BITPIX|PCOUNT|GCOUNT|BZERO|BSCALE|ZTILE\d|ZVAL\d|TFORM\d+|TDIM\d+|TFIELDS|TZERO\d+|THEAP|END) {0,5}[= ]/g)) {
    if (m.index % 80 === 0) for (let k = 10; k < 30; k++) out.push(m.index + k);
  }
  return out;
}

async function makeCases(): Promise<FuzzCase[]> {
  const sources: { name: string; bytes: Uint8Array; gz: boolean }[] = [
    { name: 'own.fits', bytes: ownFile(), gz: false },
    { name: 'own-compressed.fits', bytes: ownCompressedFile(), gz: false },
  ];
  if (afwPresent) {
    for (const f of ['HSC-0908120-056-small.fits', 'ticketdm26260.fits.fz', 'small_img.fits', 'deepCoadd_meas_HSC_v2.fits', 'ticket2352.fits', 'test_amp.fits.gz', 'jointcal_wcs-0030600-088.fits']) {
      sources.push({ name: f, bytes: new Uint8Array(readFileSync(join(AFW, f))), gz: f.endsWith('.gz') });
    }
  }
  const cases: FuzzCase[] = [];
  const random = prng(20240601);
  const pick = (n: number): number => Math.floor(random() * n);
  const perSource = Math.ceil(600 / sources.length);
  for (const src of sources) {
    const { bytes } = src;
    const all = src.gz ? [1, 2, 10, 100, 500, bytes.length - 8, bytes.length - 1] : await boundaries(bytes);
    // at most half the cases of a source are truncations, spread over its HDUs
    const step = Math.max(1, all.length / Math.floor(perSource / 2));
    const trunc = Array.from({ length: Math.min(all.length, Math.floor(perSource / 2)) }, (_, i) => all[Math.floor(i * step)]!);
    const list: FuzzCase[] = [];
    for (const at of trunc) list.push({ name: `${src.name}[truncated at ${at}]`, bytes: bytes.subarray(0, at) });
    const structural = src.gz ? [] : structuralValueOffsets(bytes);
    while (list.length < perSource) {
      const copy = bytes.slice();
      const k = 1 + pick(3);
      const where: number[] = [];
      for (let j = 0; j < k; j++) {
        // half the flips land in structural header values, the rest anywhere
        const at = structural.length > 0 && random() < 0.5 ? structural[pick(structural.length)]! : pick(copy.length);
        copy[at] = copy[at]! ^ (1 << pick(8));
        where.push(at);
      }
      list.push({ name: `${src.name}[bits flipped at ${where.join(',')}]`, bytes: copy });
    }
    cases.push(...list);
  }
  return cases;
}

const CASE_LIMIT_MS = 2000;

describe('fuzz: truncated and bit-flipped files', () => {
  it('every failure is a FitsError naming the file; nothing hangs', { timeout: 60_000 }, async () => {
    const cases = await makeCases();
    expect(cases.length).toBeGreaterThanOrEqual(afwPresent ? 200 : 25);
    const codes = new Map<string, number>();
    const byOperation = new Map<string, number>();
    let failures = 0;
    for (const c of cases) {
      const started = performance.now();
      const outcome: { e: unknown; op: string | undefined }[] = [];
      const attempt = async (op: string | undefined, f: () => Promise<unknown>): Promise<void> => {
        try {
          await f();
        } catch (e) {
          outcome.push({ e, op });
        }
      };
      let fits: FitsFile | undefined;
      await attempt(undefined, async () => {
        fits = await FitsFile.fromBytes(c.bytes, c.name);
      });
      if (fits !== undefined) {
        const opened = fits;
        for (const op of OPERATIONS) await attempt(op.name, () => op.run(opened));
      }
      const elapsed = performance.now() - started;
      expect({ case: c.name, slow: elapsed > CASE_LIMIT_MS }).toEqual({ case: c.name, slow: false });
      for (const { e, op } of outcome) {
        if (!(e instanceof FitsError)) {
          throw new Error(`${c.name}: threw ${(e as Error)?.constructor?.name ?? typeof e}: ${String((e as Error)?.stack ?? e)}`);
        }
        expect(e.message.startsWith(c.name)).toBe(true);
        // after a successful open, every failure says which HDU and where in the file
        if (op !== undefined) expect({ case: c.name, op, hdu: e.hdu !== undefined, offset: e.offset !== undefined }).toEqual({ case: c.name, op, hdu: true, offset: true });
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        if (op !== undefined) byOperation.set(op, (byOperation.get(op) ?? 0) + 1);
        failures++;
      }
    }
    // the fuzzing does reach the error paths
    expect(failures).toBeGreaterThan(cases.length / 4);
    expect(codes.has('FITS_FORMAT')).toBe(true);
    for (const op of ['decode every binary table and all its columns', 'read every compressed image', 'read a cutout of every compressed image']) {
      expect({ op, failures: (byOperation.get(op) ?? 0) > 5 }).toEqual({ op, failures: true });
    }
    if (afwPresent) expect(codes.has('FITS_CHECKSUM')).toBe(true);
  });
});
