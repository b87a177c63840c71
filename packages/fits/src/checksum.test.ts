import { describe, expect, it } from 'vitest';
import { astropyAvailable, randomBytes, runPython } from '../test/support.js';
import {
  addChecksums,
  assertHduChecksum,
  computeDatasum,
  DatasumAccumulator,
  decodeChecksum,
  encodeChecksum,
  verifyHduChecksum,
} from './checksum.js';
import { FitsChecksumError } from './errors.js';

const astropyOk = astropyAvailable();

/** The straightforward algorithm of the checksum paper, byte by byte. */
function referenceSum(buf: Uint8Array): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < buf.length; i += 4) {
    hi += ((buf[i] ?? 0) << 8) + (buf[i + 1] ?? 0);
    lo += ((buf[i + 2] ?? 0) << 8) + (buf[i + 3] ?? 0);
    let hc = hi >>> 16;
    let lc = lo >>> 16;
    while (hc || lc) {
      hi = (hi & 0xffff) + lc;
      lo = (lo & 0xffff) + hc;
      hc = hi >>> 16;
      lc = lo >>> 16;
    }
  }
  return (hi * 65536 + lo) >>> 0;
}

describe('computeDatasum', () => {
  it('is 0 for zeros and sums big-endian words', () => {
    expect(computeDatasum(new Uint8Array(2880))).toBe(0);
    expect(computeDatasum(Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 2))).toBe(3);
    expect(computeDatasum(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1))).toBe(1); // end-around carry
    expect(computeDatasum(Uint8Array.of(0x12, 0x34, 0x56))).toBe(0x12345600);
  });

  it('agrees with the byte-by-byte reference for lengths, alignments and incremental sums', () => {
    const buf = randomBytes(70_001, 7);
    for (const [start, end] of [
      [0, 70_001],
      [1, 4097],
      [3, 70_000],
      [2, 2],
      [0, 1027],
    ] as const) {
      expect(computeDatasum(buf.subarray(start, end))).toBe(referenceSum(buf.subarray(start, end)));
    }
    const whole = computeDatasum(buf);
    const part = computeDatasum(buf.subarray(40_000), computeDatasum(buf.subarray(0, 40_000)));
    expect(part).toBe(whole);
    expect(addChecksums(0xffffffff, 5)).toBe(5);
    expect(addChecksums(0x80000000, 0x80000000)).toBe(1);
  });

  it.skipIf(!astropyOk)('agrees with astropy for random buffers and encodes CHECKSUM strings like astropy', () => {
    const sizes = [4, 2880, 11_520, 100_004];
    const bufs = sizes.map((n, i) => randomBytes(n, 100 + i));
    const script = `
import sys, json, numpy as np
from astropy.io import fits
h = fits.PrimaryHDU()
out = []
for hexdata in json.load(sys.stdin):
    b = np.frombuffer(bytes.fromhex(hexdata), dtype='ubyte')
    s = int(h._compute_checksum(b))
    out.append([s, h._char_encode(s), h._char_encode(~np.uint32(s))])
print(json.dumps(out))
`;
    const input = JSON.stringify(bufs.map((b) => Buffer.from(b).toString('hex')));
    const expected = JSON.parse(runPython(script, { input })) as [number, string, string][];
    bufs.forEach((b, i) => {
      const [sum, plain, complemented] = expected[i]!;
      expect(computeDatasum(b)).toBe(sum);
      expect(encodeChecksum(sum, false)).toBe(plain);
      expect(encodeChecksum(sum, true)).toBe(complemented);
      expect(decodeChecksum(plain)).toBe(sum);
    });
  });
});

describe('encodeChecksum', () => {
  it('uses only letters and digits and round-trips through decodeChecksum', () => {
    for (const v of [0, 1, 0xffffffff, 0x7fffffff, 0xdeadbeef, 0x3a3b3c3d]) {
      const s = encodeChecksum(v, false);
      expect(s).toMatch(/^[0-9A-Za-z]{16}$/);
      expect(decodeChecksum(s)).toBe(v >>> 0 === 0xffffffff ? 0xffffffff : v >>> 0);
    }
    expect(encodeChecksum(0, false)).toBe('0000000000000000');
  });
});

/** A one-block header with the given cards (each padded to 80 characters) and END. */
function headerBlock(cards: string[]): Uint8Array {
  const text = [...cards, 'END'].map((c) => c.padEnd(80, ' ')).join('').padEnd(2880, ' ');
  return new TextEncoder().encode(text);
}

function setCard(block: Uint8Array, keyword: string, value: string): void {
  const text = new TextDecoder().decode(block);
  const at = text.indexOf(`${keyword.padEnd(8, ' ')}= `);
  block.set(new TextEncoder().encode(`${keyword.padEnd(8, ' ')}= '${value}'`.padEnd(80, ' ')), at);
}

describe('verifyHduChecksum', () => {
  it('accepts an HDU checksummed by the convention and reports tampering', () => {
    const data = randomBytes(2880, 3);
    const datasum = computeDatasum(data);
    const header = headerBlock([
      'SIMPLE  =                    T',
      'BITPIX  =                    8',
      'NAXIS   =                    1',
      'NAXIS1  =                 2880',
      `CHECKSUM= '0000000000000000'`,
      `DATASUM = '${datasum}'`,
    ]);
    setCard(header, 'CHECKSUM', encodeChecksum(addChecksums(computeDatasum(header), datasum)));
    const ok = verifyHduChecksum(header, data);
    expect(ok).toMatchObject({ checksum: 'ok', datasum: 'ok', computedDatasum: datasum, hduSum: 0xffffffff });
    expect(assertHduChecksum(header, data).checksum).toBe('ok');

    const bad = data.slice();
    bad[100] = bad[100]! ^ 4;
    expect(verifyHduChecksum(header, bad)).toMatchObject({ checksum: 'mismatch', datasum: 'mismatch' });
    expect(() => assertHduChecksum(header, bad, { file: 'f.fits', hdu: 1 })).toThrow(FitsChecksumError);
    expect(() => assertHduChecksum(header, bad, { file: 'f.fits', hdu: 1 })).toThrow(/^f\.fits, HDU 1: DATASUM mismatch/);

    const noKeys = headerBlock(['SIMPLE  =                    T']);
    expect(verifyHduChecksum(noKeys, data)).toMatchObject({ checksum: 'missing', datasum: 'missing' });
  });
});

describe('DatasumAccumulator', () => {
  it('gives the same sum whatever the chunking', () => {
    const buf = randomBytes(10_007, 11);
    const expected = referenceSum(buf);
    for (const sizes of [[1], [3], [4], [5, 7, 1], [4096], [10_007]]) {
      const acc = new DatasumAccumulator();
      let pos = 0;
      let k = 0;
      while (pos < buf.length) {
        const n = sizes[k++ % sizes.length]!;
        acc.update(buf.subarray(pos, pos + n));
        pos += n;
      }
      expect(acc.length).toBe(buf.length);
      expect(acc.digest()).toBe(expected);
    }
  });
});
