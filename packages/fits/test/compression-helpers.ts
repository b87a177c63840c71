// Test support for the compression tests: a deliberately small, independent FITS reader and
// writer for ZIMAGE binary tables (so these tests do not depend on the package's own header
// and binary-table code), astropy through /usr/bin/python3, and fixture lookup.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CompressedImageTiles, TiledImageSource } from '../src/compression/tiled-image.js';

export const PYTHON = '/usr/bin/python3';
const CI = process.env['CI'] === 'true';

/** True when /usr/bin/python3 can import astropy; under CI=true a missing astropy throws. */
export function astropyAvailable(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import astropy.io.fits, numpy'], { encoding: 'utf8' });
  const ok = r.status === 0;
  if (!ok && CI) {
    throw new Error(
      `astropy is not importable by ${PYTHON} (${r.stderr?.trim() ?? r.error?.message}). Run \`bash scripts/install-test-deps.sh\`.`,
    );
  }
  return ok;
}

/** Runs a Python script with /usr/bin/python3 and returns its stdout. */
export function runPython(script: string, args: string[] = []): string {
  return execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** The fixture directory, or undefined (skip) when missing; under CI=true a missing directory throws. */
export function fixturesDir(): string | undefined {
  const dir = process.env['SKYSTACK_FIXTURES'] ?? resolve(import.meta.dirname, '../../../../shared/fixtures');
  if (existsSync(dir)) return dir;
  if (CI) throw new Error(`Fixture directory ${dir} is missing (set SKYSTACK_FIXTURES).`);
  return undefined;
}

export type CardValue = string | number | boolean | null;

export interface RawHdu {
  readonly header: Map<string, CardValue>;
  readonly dataStart: number;
  readonly dataLength: number;
}

function parseValue(text: string): CardValue {
  const t = text.trim();
  if (t.startsWith("'")) {
    let out = '';
    for (let i = 1; i < t.length; i++) {
      if (t[i] === "'") {
        if (t[i + 1] === "'") {
          out += "'";
          i++;
          continue;
        }
        break;
      }
      out += t[i];
    }
    return out.trimEnd();
  }
  const v = t.split('/')[0]!.trim();
  if (v === 'T') return true;
  if (v === 'F') return false;
  if (v === '') return null;
  return Number(v.replace(/[dD]/, 'e'));
}

/** Splits a FITS file into HDUs with their keyword maps (first value of each keyword wins). */
export function parseFits(bytes: Uint8Array): RawHdu[] {
  const hdus: RawHdu[] = [];
  let pos = 0;
  const dec = new TextDecoder('latin1');
  while (pos + 2880 <= bytes.length) {
    const header = new Map<string, CardValue>();
    let end = false;
    while (!end) {
      for (let c = 0; c < 36; c++) {
        const card = dec.decode(bytes.subarray(pos + c * 80, pos + c * 80 + 80));
        const key = card.slice(0, 8).trim();
        if (key === 'END') {
          end = true;
          break;
        }
        if (card.slice(8, 10) === '= ' && !header.has(key)) header.set(key, parseValue(card.slice(10)));
      }
      pos += 2880;
    }
    const naxis = Number(header.get('NAXIS') ?? 0);
    let size = naxis > 0 ? 1 : 0;
    for (let k = 1; k <= naxis; k++) size *= Number(header.get(`NAXIS${k}`));
    size = (Math.abs(Number(header.get('BITPIX'))) / 8) * Number(header.get('GCOUNT') ?? 1) * (size + Number(header.get('PCOUNT') ?? 0));
    hdus.push({ header, dataStart: pos, dataLength: size });
    pos += Math.ceil(size / 2880) * 2880;
  }
  return hdus;
}

const ELEMENT_BYTES: Record<string, number> = { L: 1, X: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 };

interface Column {
  name: string;
  offset: number;
  code: string;
  varType?: string;
  varLong?: boolean;
}

export interface ZimageSource extends TiledImageSource {
  readonly rows: number;
  getColumnValue(name: string, tile: number): number | undefined;
  getColumnBytes(name: string, tile: number): Uint8Array | undefined;
}

/** A TiledImageSource over a ZIMAGE binary-table HDU, read with this file's own parser. */
export function zimageSource(bytes: Uint8Array, hdu: RawHdu): ZimageSource {
  const h = hdu.header;
  const rowBytes = Number(h.get('NAXIS1'));
  const rows = Number(h.get('NAXIS2'));
  const nFields = Number(h.get('TFIELDS'));
  const heap = hdu.dataStart + Number(h.get('THEAP') ?? rowBytes * rows);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cols = new Map<string, Column>();
  let offset = 0;
  for (let i = 1; i <= nFields; i++) {
    const form = String(h.get(`TFORM${i}`)).trim();
    const m = /^(\d*)([A-Z])([A-Z])?/.exec(form);
    if (!m) throw new Error(`bad TFORM ${form}`);
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    const code = m[2]!;
    const name = String(h.get(`TTYPE${i}`) ?? '');
    if (code === 'P' || code === 'Q') {
      cols.set(name, { name, offset, code, varType: m[3]!, varLong: code === 'Q' });
      offset += repeat * (code === 'P' ? 8 : 16);
    } else {
      cols.set(name, { name, offset, code });
      offset += code === 'X' ? Math.ceil(repeat / 8) : repeat * ELEMENT_BYTES[code]!;
    }
  }
  const varBytes = (c: Column, row: number): Uint8Array => {
    const at = hdu.dataStart + row * rowBytes + c.offset;
    const count = c.varLong ? Number(view.getBigInt64(at)) : view.getInt32(at);
    const off = c.varLong ? Number(view.getBigInt64(at + 8)) : view.getInt32(at + 4);
    const start = heap + off;
    return bytes.subarray(start, start + count * ELEMENT_BYTES[c.varType!]!);
  };
  return {
    rows,
    nTiles: rows,
    header: { get: (k: string) => (h.has(k) ? h.get(k) : undefined) },
    getTileBytes: (row: number) => varBytes(cols.get('COMPRESSED_DATA')!, row),
    getColumnValue: (name: string, row: number) => {
      const c = cols.get(name);
      if (c === undefined) return undefined;
      const at = hdu.dataStart + row * rowBytes + c.offset;
      switch (c.code) {
        case 'D':
          return view.getFloat64(at);
        case 'E':
          return view.getFloat32(at);
        case 'J':
          return view.getInt32(at);
        case 'I':
          return view.getInt16(at);
        case 'K':
          return Number(view.getBigInt64(at));
        default:
          throw new Error(`column ${name} has type ${c.code}`);
      }
    },
    getColumnBytes: (name: string, row: number) => {
      const c = cols.get(name);
      return c === undefined || c.varType === undefined ? undefined : varBytes(c, row);
    },
  };
}

function card(key: string, value: CardValue, comment = ''): string {
  let v: string;
  if (typeof value === 'string') v = `'${value.replace(/'/g, "''").padEnd(8)}'`.padEnd(20);
  else if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
  else v = String(value).padStart(20);
  const text = value === null ? key.padEnd(80) : `${key.padEnd(8)}= ${v}${comment ? ` / ${comment}` : ''}`;
  if (text.length > 80) throw new Error(`card too long: ${text}`);
  return text.padEnd(80);
}

function headerBlock(cards: string[]): Uint8Array {
  const text = [...cards, 'END'.padEnd(80)].join('');
  const out = new Uint8Array(Math.ceil(text.length / 2880) * 2880).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Writes a FITS file: an empty primary HDU and a ZIMAGE binary table holding `tiles`. */
export function buildCompressedFits(result: CompressedImageTiles): Uint8Array {
  const rows = result.tiles.length;
  const elementBytes = result.tform === '1PI' ? 2 : 1;
  const heapSize = result.tiles.reduce((a, t) => a + t.length, 0);
  const table = new Uint8Array(rows * 8 + heapSize);
  const view = new DataView(table.buffer);
  let heapOff = 0;
  result.tiles.forEach((t, i) => {
    view.setInt32(i * 8, t.length / elementBytes);
    view.setInt32(i * 8 + 4, heapOff);
    table.set(t, rows * 8 + heapOff);
    heapOff += t.length;
  });
  const cards = [
    card('XTENSION', 'BINTABLE', 'binary table extension'),
    card('BITPIX', 8),
    card('NAXIS', 2),
    card('NAXIS1', 8),
    card('NAXIS2', rows),
    card('PCOUNT', heapSize),
    card('GCOUNT', 1),
    card('TFIELDS', 1),
    card('TTYPE1', 'COMPRESSED_DATA'),
    card('TFORM1', `${result.tform}(${result.maxElements})`),
    ...result.cards.map((c) => card(c.keyword, c.value)),
  ];
  const primary = headerBlock([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), card('EXTEND', true)]);
  const ext = headerBlock(cards);
  const dataPadded = new Uint8Array(Math.ceil(table.length / 2880) * 2880);
  dataPadded.set(table);
  const out = new Uint8Array(primary.length + ext.length + dataPadded.length);
  out.set(primary, 0);
  out.set(ext, primary.length);
  out.set(dataPadded, primary.length + ext.length);
  return out;
}

/** A seeded 32-bit PRNG (mulberry32) for reproducible test images. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A TiledImageSource over tiles and cards held in memory (what compressImageTiles returns). */
export function memorySource(
  result: CompressedImageTiles,
  extra: Record<string, CardValue> = {},
  columns: Record<string, number[]> = {},
): TiledImageSource {
  const keys = new Map<string, CardValue>(result.cards.map((c) => [c.keyword, c.value]));
  for (const [k, v] of Object.entries(extra)) keys.set(k, v);
  return {
    nTiles: result.tiles.length,
    header: { get: (k: string) => keys.get(k) },
    getTileBytes: (i: number) => result.tiles[i]!,
    getColumnValue: (name: string, i: number) => columns[name]?.[i],
    getColumnBytes: () => undefined,
  };
}
