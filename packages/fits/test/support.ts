/**
 * The one test-support module of @skystack/fits, on top of @skystack/test-support: where the LSST fixture files are, the
 * independent references the interoperability tests compare against (astropy through Debian's
 * /usr/bin/python3, and fitsverify), a seeded PRNG, and helpers to compare pixels with what
 * astropy reads.
 *
 * Missing references: with CI=true a missing fixture directory, astropy or fitsverify is a
 * failure (the error says how to install it); otherwise the tests that need it are skipped.
 * The checks run lazily (once) so that tests that need none of them start no process.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { FIXTURES, fixturePath, runPython as runPythonScript } from '@skystack/test-support';
import { expect } from 'vitest';
import type { HeaderValue } from '../src/card.js';
import type { FitsError } from '../src/errors.js';
import { FitsFile } from '../src/fits-file.js';
import type { Header } from '../src/header.js';
import type { FitsImageData, FitsPixelArray } from '../src/image-data.js';

export { CI, PYTHON, FIXTURES, astropyAvailable, fitsverify, fitsverifyAvailable } from '@skystack/test-support';

/** The afw FITS fixtures (`FIXTURES/afw`). */
export const AFW = join(FIXTURES, 'afw');

/**
 * Whether the afw fixtures are there; under CI a missing directory throws.
 *
 * @returns true when `AFW` exists
 */
export function afwAvailable(): boolean {
  return fixturePath('afw') !== undefined;
}

/**
 * The path of one afw fixture, or undefined (skip) when the fixtures are missing; under CI a
 * missing file throws.
 *
 * @param name - the file name in `AFW`
 * @returns the path, or undefined
 */
export function afwFixture(name: string): string | undefined {
  return fixturePath('afw', name);
}

/** Options of {@link runPython}. */
export interface RunPythonOptions {
  /** Command-line arguments (`sys.argv[1:]`). */
  readonly args?: readonly string[];
  /** Text for stdin. */
  readonly input?: string;
}

/**
 * Runs a Python script with /usr/bin/python3.
 *
 * @param script - the script text
 * @param options - arguments and stdin
 * @returns its stdout
 * @throws Error with the status and stderr when it fails
 */
export function runPython(script: string, options: RunPythonOptions = {}): string {
  return runPythonScript(script, options.args ?? [], options.input);
}

/**
 * Runs a Python script with JSON in on stdin and JSON out on stdout.
 *
 * @param script - the script text
 * @param input - the value written to stdin as JSON
 * @param args - command-line arguments
 * @returns the parsed stdout
 */
export function runPythonJson<T>(script: string, input: unknown = null, args: readonly string[] = []): T {
  return JSON.parse(runPython(script, { input: JSON.stringify(input), args })) as T;
}

/**
 * A seeded 32-bit PRNG (mulberry32), for reproducible test data.
 *
 * @param seed - the seed
 * @returns a function giving the next raw 32-bit value
 */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * A seeded PRNG (mulberry32) giving values in [0, 1).
 *
 * @param seed - the seed
 * @returns the generator
 */
export function prng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

/**
 * Deterministic pseudo-random bytes (the low byte of each mulberry32 value).
 *
 * @param n - how many
 * @param seed - the seed
 * @returns the bytes
 */
export function randomBytes(n: number, seed: number): Uint8Array {
  const next = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() & 0xff;
  return out;
}

/** What astropy says about one HDU (see DESCRIBE_SCRIPT). */
export interface AstropyHdu {
  cls: string;
  bitpix: number;
  naxis: number[];
  extname: string | null;
  exttype: string | null;
  zimage: boolean | null;
  /** astropy's verify_checksum()/verify_datasum(): 1 ok, 0 mismatch; null when the keyword is absent. */
  checksum: number | null;
  datasum: number | null;
  dtype?: string;
  shape?: number[];
  sha256?: string;
  sum?: number;
  nan?: number;
  /** [flat index, value]; integers as decimal strings, NaN as null. */
  samples?: [number, string | number | null][];
}

/**
 * Describes every HDU of the given files with astropy: structure, checksum verification, and
 * for image HDUs the numpy dtype, shape, the SHA-256 of the pixels as little-endian bytes,
 * the float64 sum and a few sampled pixels. With `decompress`, tile-compressed HDUs are read
 * as the images they hold (CompImageHDU) instead of as tables.
 */
export const DESCRIBE_SCRIPT = String.raw`
import sys, json, hashlib, warnings
import numpy as np
from astropy.io import fits

def sample_value(v):
    if isinstance(v, np.integer):
        return str(int(v))
    f = float(v)
    return None if f != f else f

req = json.load(sys.stdin)
out = {}
for path in req['paths']:
    hdus = []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with fits.open(path, disable_image_compression=not req['decompress'], do_not_scale_image_data=False, memmap=False) as hl:
            for hdu in hl:
                h = hdu.header
                naxis = h.get('NAXIS', 0)
                d = {
                    'cls': type(hdu).__name__,
                    'bitpix': h.get('BITPIX'),
                    'naxis': [h.get('NAXIS%d' % k) for k in range(1, naxis + 1)],
                    'extname': h.get('EXTNAME'),
                    'exttype': h.get('EXTTYPE'),
                    'zimage': hdu._header.get('ZIMAGE'),
                    'checksum': int(hdu.verify_checksum()) if 'CHECKSUM' in h else None,
                    'datasum': int(hdu.verify_datasum()) if 'DATASUM' in h else None,
                }
                if isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU, fits.CompImageHDU)) and hdu.data is not None:
                    a = hdu.data
                    le = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('<'))
                    flat = a.reshape(-1)
                    idx = sorted(set([0, flat.size - 1, flat.size // 2, flat.size // 3, 245489 % flat.size])) if flat.size else []
                    d.update({
                        'dtype': a.dtype.name,
                        'shape': list(a.shape),
                        'sha256': hashlib.sha256(le.tobytes()).hexdigest(),
                        'sum': float(np.nansum(a.astype(np.float64))),
                        'nan': int(np.isnan(a.astype(np.float64)).sum()),
                        'samples': [[j, sample_value(flat[j])] for j in idx],
                    })
                hdus.append(d)
    out[path] = hdus
print(json.dumps(out))
`;

/**
 * Describes files with astropy (one python process for all of them).
 *
 * @param paths - the files
 * @param options - `decompress`: read tile-compressed HDUs as images (default false: as tables)
 * @returns per path, one description per HDU
 */
export function describeWithAstropy(paths: readonly string[], options: { decompress?: boolean } = {}): Record<string, AstropyHdu[]> {
  return runPythonJson<Record<string, AstropyHdu[]>>(DESCRIBE_SCRIPT, { paths, decompress: options.decompress === true });
}

/**
 * SHA-256 of a pixel array's bytes in host (little-endian) order, as the describe script hashes numpy arrays.
 *
 * @param data - the pixels
 * @returns the hex digest
 */
export function sha256OfPixels(data: FitsPixelArray): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/**
 * The float64 sum of the non-NaN pixels, and the NaN count.
 *
 * @param data - the pixels
 * @returns the sum and the count of NaNs
 */
export function sumOfPixels(data: FitsPixelArray): { sum: number; nan: number } {
  let sum = 0;
  let nan = 0;
  const values = data as ArrayLike<number | bigint>;
  for (let i = 0; i < values.length; i++) {
    const x = Number(values[i]);
    if (Number.isNaN(x)) nan++;
    else sum += x;
  }
  return { sum, nan };
}

/**
 * A pixel as the describe script prints it.
 *
 * @param data - the pixels
 * @param index - the flat index
 * @returns integers as decimal strings, floats as numbers, NaN as null
 */
export function sampleOf(data: FitsPixelArray, index: number): string | number | null {
  const v = (data as ArrayLike<number | bigint>)[index]!;
  if (typeof v === 'bigint') return v.toString();
  if (data instanceof Float32Array || data instanceof Float64Array) return Number.isNaN(v) ? null : v;
  return String(v);
}

/**
 * True when two pixel arrays have the same type, length and bytes (NaN payloads included).
 *
 * @param a - one array
 * @param b - the other
 * @returns whether they are identical
 */
export function samePixels(a: FitsPixelArray, b: FitsPixelArray): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  return (
    Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0
  );
}

/** A keyword value as the astropy scripts print it ({@link PY_TAG}): a type tag and a text. */
export type TaggedValue = ['bool', boolean] | ['int', string] | ['float', string] | ['str', string] | ['undef'] | [string, unknown];

/** A card as the astropy scripts print it: keyword, tagged value, comment. */
export type TaggedCard = [string, TaggedValue, string];

/**
 * A Python function `tag(v)` for astropy scripts: a card value in tagged form (ints as
 * decimal text, floats as `repr`, commentary text as a string, undefined as `['undef']`).
 */
export const PY_TAG = String.raw`
from astropy.io import fits as _fits
def tag(v):
    if isinstance(v, bool): return ['bool', v]
    if isinstance(v, int): return ['int', str(v)]
    if isinstance(v, float): return ['float', repr(v)]
    if isinstance(v, str): return ['str', v]
    if isinstance(v, _fits.card.Undefined) or v is None: return ['undef']
    return ['other', repr(v)]
`;

/**
 * Our card value in the tagged form (commentary cards: their text, as astropy gives it).
 *
 * @param value - the card value
 * @param text - the card comment (the text of a commentary card)
 * @param isFloat - whether a number is written as a float
 * @returns the tagged value
 */
export function tagValue(value: HeaderValue | undefined, text: string | undefined, isFloat: boolean): TaggedValue {
  if (value === undefined) return ['str', text ?? ''];
  if (value === null) return ['undef'];
  if (typeof value === 'boolean') return ['bool', value];
  if (typeof value === 'bigint') return ['int', value.toString()];
  if (typeof value === 'number') return isFloat ? ['float', String(value)] : ['int', String(value)];
  return ['str', value];
}

/**
 * Puts astropy's float `repr` in JavaScript's form (the same double), so that they compare as text.
 *
 * @param t - a tagged value from Python
 * @returns the same value, floats rewritten
 */
export function normaliseTag(t: TaggedValue): TaggedValue {
  return t[0] === 'float' ? ['float', String(Number(t[1]))] : t;
}

/**
 * Our header in the tagged form (astropy's comment of a commentary card is '').
 *
 * @param header - the header
 * @returns one tagged card per card
 */
export function taggedCards(header: Header): TaggedCard[] {
  return header.cards().map((c) => [c.keyword, tagValue(c.value, c.comment, c.isFloat), c.isCommentary ? '' : (c.comment ?? '')]);
}

/**
 * A box from its corner and size.
 *
 * @param x - first column
 * @param y - first row
 * @param w - width
 * @param h - height
 * @returns the box
 */
export function box(x: number, y: number, w: number, h: number): Box2I {
  return Box2I.fromCorner(new Point2I(x, y), new Extent2I(w, h));
}

/**
 * The pixels of `b` cut out of a whole 2-d image, in the same array type.
 *
 * @param image - the whole image
 * @param b - the box, inside it
 * @returns the pixels of the box, row after row
 */
export function slice(image: FitsImageData, b: Box2I): FitsPixelArray {
  const ctor = image.data.constructor as new (n: number) => FitsPixelArray;
  const out = new ctor(b.getWidth() * b.getHeight());
  for (let y = 0; y < b.getHeight(); y++) {
    const from = (y + b.getMinY()) * image.width + b.getMinX();
    (out as Float64Array).set((image.data as Float64Array).subarray(from, from + b.getWidth()), y * b.getWidth());
  }
  return out;
}

/**
 * Checks that bbox reads of a 2-d image (corners, a middle box, full rows, full columns, the
 * whole image, an empty box) equal slices of its full read, and that a box reaching outside is
 * a `FITS_OUT_OF_BOUNDS` error.
 *
 * @param fits - the open file
 * @param hdu - the image HDU
 * @param full - its full read
 */
export async function expectBboxReadsAreSlices(fits: FitsFile, hdu: number | string, full: FitsImageData): Promise<void> {
  const { width: w, height: h } = full;
  const boxes = [
    box(0, 0, 1, 1),
    box(w - 1, h - 1, 1, 1),
    box(Math.floor(w / 3), Math.floor(h / 4), Math.max(1, Math.floor(w / 3)), Math.max(1, Math.floor(h / 5))),
    box(0, Math.floor(h / 2), w, 3),
    box(Math.floor(w / 2), 0, 2, h),
    box(0, 0, w, h),
  ];
  for (const b of boxes) {
    const cut = await fits.readImage(hdu, { bbox: b });
    expect({ box: b.toString(), naxis: cut.naxis, w: cut.width, h: cut.height }).toEqual({
      box: b.toString(),
      naxis: [b.getWidth(), b.getHeight()],
      w: b.getWidth(),
      h: b.getHeight(),
    });
    expect(samePixels(cut.data, slice(full, b)), `${String(hdu)} ${b.toString()}`).toBe(true);
    expect([cut.bitpix, cut.bzero, cut.bscale]).toEqual([full.bitpix, full.bzero, full.bscale]);
  }
  const empty = await fits.readImage(hdu, { bbox: new Box2I() });
  expect(empty.data.length).toBe(0);
  expect(empty.data.constructor).toBe(full.data.constructor);
  const outside = await fits.readImage(hdu, { bbox: box(w - 2, 0, 3, 1) }).catch((e: unknown) => e);
  expect((outside as FitsError).code).toBe('FITS_OUT_OF_BOUNDS');
}

/** Prints astropy's `CompImageHDU.header` of every compressed HDU: `{path: [[index, cards], ...]}`. */
const IMAGE_HEADER_SCRIPT = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
from astropy.io import fits
${PY_TAG}
out = {}
for path in json.load(sys.stdin):
    with fits.open(path) as hl:
        out[path] = [[i, [[c.keyword, tag(c.value), c.comment] for c in hdu.header.cards]]
                     for i, hdu in enumerate(hl) if isinstance(hdu, fits.CompImageHDU)]
print(json.dumps(out))
`;

/**
 * Checks that the image header FitsFile gives for every compressed HDU of the files
 * (`FitsHduInfo.imageHeader`) is astropy's `CompImageHDU.header`, card for card.
 *
 * @param paths - the files
 */
export async function expectImageHeadersLikeAstropy(paths: readonly string[]): Promise<void> {
  const expected = runPythonJson<Record<string, [number, TaggedCard[]][]>>(IMAGE_HEADER_SCRIPT, paths);
  for (const path of paths) {
    const fits = await FitsFile.open(path);
    const rows = expected[path]!;
    expect(rows.length).toBeGreaterThan(0);
    for (const [index, cards] of rows) {
      const info = fits.hdus[index]!;
      expect(info.kind).toBe('compressed-image');
      const want = cards.map(([k, t, c]): TaggedCard => [k, normaliseTag(t), c]);
      expect({ path, index, cards: taggedCards(info.imageHeader!) }).toEqual({ path, index, cards: want });
    }
    await fits.close();
  }
}
