/**
 * Binary tables decoded from hand-written big-endian bytes (the expected values are worked out
 * from the FITS standard §7.3, not printed by this code), and encoded tables compared with
 * hand-written bytes.
 */
import { InvalidArgumentError } from '@skystack/base';
import { describe, expect, it } from 'vitest';
import { BinaryTable, formatTdim, packBits, parseTdim, unpackBits } from './bintable.js';
import type { HeaderValue } from './card.js';
import { FitsFormatError, FitsKeywordError } from './errors.js';
import { Header } from './header.js';

/** A binary-table header: the mandatory keywords (overridable), then `cards` in order. */
function header(naxis1: number, naxis2: number, cards: Record<string, HeaderValue>, pcount = 0): Header {
  const h = new Header();
  h.set('XTENSION', 'BINTABLE');
  h.set('BITPIX', 8);
  h.set('NAXIS', 2);
  h.set('NAXIS1', naxis1);
  h.set('NAXIS2', naxis2);
  h.set('PCOUNT', pcount);
  h.set('GCOUNT', 1);
  const tfields = Object.keys(cards).filter((k) => /^TFORM\d+$/.test(k)).length;
  h.set('TFIELDS', tfields);
  for (const [k, v] of Object.entries(cards)) h.set(k, v);
  return h;
}

function bytes(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const ch of p) out.push(ch.charCodeAt(0));
  }
  return Uint8Array.from(out);
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('BinaryTable.decode: one column of each type, interleaved with other columns', () => {
  it('decodes L, B, I and J columns with the right row stride', () => {
    // Row = L(1) B(1) I(2) J(4) = 8 bytes.
    const h = header(8, 3, { TTYPE1: 'ok', TFORM1: '1L', TTYPE2: 'b', TFORM2: '1B', TTYPE3: 'i', TFORM3: '1I', TTYPE4: 'j', TFORM4: '1J' });
    const data = bytes(
      'T', 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
      'F', 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfd,
      0x00, 0x80, 0x80, 0x00, 0x7f, 0xff, 0xff, 0xff,
    );
    const t = BinaryTable.decode(h, data);
    expect(t.nRows).toBe(3);
    expect(t.rowBytes).toBe(8);
    expect(t.columns.map((c) => [c.name, c.dtype, c.offset, c.width])).toEqual([
      ['ok', 'bool', 0, 1],
      ['b', 'uint8', 1, 1],
      ['i', 'int16', 2, 2],
      ['j', 'int32', 4, 4],
    ]);
    const ok = t.getColumn('ok');
    expect(ok).toBeInstanceOf(Uint8Array);
    expect([...(ok as Uint8Array)]).toEqual([1, 0, 0]);
    expect(t.nullMask('ok')).toEqual(Uint8Array.from([0, 0, 1]));
    expect(t.getColumn('b')).toEqual(Uint8Array.from([0, 255, 128]));
    expect(t.getColumn('i')).toEqual(Int16Array.from([1, -2, -32768]));
    expect(t.getColumn('j')).toEqual(Int32Array.from([2, -3, 2147483647]));
  });

  it('decodes K, E, D, C and M columns', () => {
    // Row = K(8) E(4) D(8) C(8) M(16) = 44 bytes.
    const h = header(44, 2, { TTYPE1: 'k', TFORM1: 'K', TTYPE2: 'e', TFORM2: 'E', TTYPE3: 'd', TFORM3: 'D', TTYPE4: 'c', TFORM4: 'C', TTYPE5: 'm', TFORM5: 'M' });
    const data = bytes(
      0x80, 0, 0, 0, 0, 0, 0, 0, /* K -2^63 */ 0x3f, 0xc0, 0, 0, /* E 1.5 */ 0xc0, 0x02, 0, 0, 0, 0, 0, 0, /* D -2.25 */
      0x3f, 0xc0, 0, 0, 0xbf, 0, 0, 0, /* C (1.5, -0.5) */ 0x40, 0x08, 0, 0, 0, 0, 0, 0, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a, /* M (3, 0.1) */
      0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* K 2^63-1 */ 0x7f, 0xc0, 0, 0, /* E NaN */ 0x7f, 0xf0, 0, 0, 0, 0, 0, 0, /* D +inf */
      0x7f, 0xc0, 0, 0, 0x40, 0, 0, 0, /* C (NaN, 2) */ 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, /* M (0, -0) */
    );
    const t = BinaryTable.decode(h, data);
    expect(t.getColumn('k')).toEqual(BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]));
    expect(t.getColumn('e')).toEqual(Float32Array.from([1.5, Number.NaN]));
    expect(t.getColumn('d')).toEqual(Float64Array.from([-2.25, Number.POSITIVE_INFINITY]));
    expect(t.getColumn('c')).toEqual(Float32Array.from([1.5, -0.5, Number.NaN, 2]));
    const m = t.getColumn('m') as Float64Array;
    expect([...m]).toEqual([3, 0.1, 0, -0]);
    expect(Object.is(m[3], -0)).toBe(true);
    expect(t.column('c').dtype).toBe('complex64');
    expect(t.column('m').dtype).toBe('complex128');
    expect(t.nullMask('e')).toEqual(Uint8Array.from([0, 1]));
    expect(t.nullMask('c')).toEqual(Uint8Array.from([0, 1]));
    expect(t.nullMask('k')).toBeNull();
  });

  it('keeps NaN payloads bit for bit', () => {
    const h = header(4, 1, { TFORM1: 'E' });
    const t = BinaryTable.decode(h, bytes(0x7f, 0x80, 0x00, 0x01)); // a signalling NaN
    const e = t.getColumn(0) as Float32Array;
    expect([...new Uint8Array(e.buffer)]).toEqual([0x01, 0x00, 0x80, 0x7f]);
  });

  it('decodes repeat counts as one flat array with the TDIM shape', () => {
    // Row = 3I (6 bytes) + 6J with TDIM (3,2) (24 bytes) + 2E (8) = 38 bytes.
    const h = header(38, 2, { TTYPE1: 'v', TFORM1: '3I', TTYPE2: 'a', TFORM2: '6J', TDIM2: '(3,2)', TTYPE3: 'p', TFORM3: '2E' });
    const row = (base: number): number[] => [
      0, base, 0, base + 1, 0, base + 2,
      ...[0, 1, 2, 3, 4, 5].flatMap((k) => [0, 0, 0, base * 10 + k]),
      0x3f, 0xc0, 0, 0, 0x40, 0, 0, 0,
    ];
    const t = BinaryTable.decode(h, bytes(...row(1), ...row(2)));
    expect(t.getColumn('v')).toEqual(Int16Array.from([1, 2, 3, 2, 3, 4]));
    expect(t.column('v').shape).toEqual([3]);
    expect(t.column('v').repeat).toBe(3);
    expect(t.getColumn('a')).toEqual(Int32Array.from([10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25]));
    expect(t.column('a').dim).toEqual([3, 2]);
    expect(t.column('a').shape).toEqual([2, 3]);
    expect(t.getColumn('p')).toEqual(Float32Array.from([1.5, 2, 1.5, 2]));
  });

  it('decodes long byte and 64-bit repeat fields between other columns', () => {
    // Row = 70B (70 bytes) + 1I (2) + 2K (16) = 88 bytes.
    const row = (r: number): number[] => [
      ...Array.from({ length: 70 }, (_, k) => (r * 70 + k) % 256),
      0x12, 0x34 + r,
      0, 0, 0, 0, 0, 0, 0, r, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff - r,
    ];
    const h = header(88, 2, { TTYPE1: 'raw', TFORM1: '70B', TTYPE2: 'i', TFORM2: 'I', TTYPE3: 'k', TFORM3: '2K' });
    const t = BinaryTable.decode(h, bytes(...row(0), ...row(1)));
    expect(t.getColumn('raw')).toEqual(Uint8Array.from({ length: 140 }, (_, k) => k));
    expect(t.getColumn('i')).toEqual(Int16Array.from([0x1234, 0x1235]));
    expect(t.getColumn('k')).toEqual(BigInt64Array.from([0n, -1n, 1n, -2n]));
  });

  it('decodes A columns, dropping trailing NULs then trailing blanks as astropy does', () => {
    const h = header(6, 4, { TTYPE1: 's', TFORM1: '6A' });
    const data = bytes('abc   ', 'ab', 0, 'cd ', '  x', 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const t = BinaryTable.decode(h, data);
    expect(t.getColumn('s')).toEqual(['abc', 'ab\u0000cd', '  x', '']);
    expect(t.getStringColumn('s')).toBe(t.getColumn('s'));
  });

  it('splits an A column with TDIM into fixed-length strings', () => {
    const h = header(12, 1, { TTYPE1: 'names', TFORM1: '12A', TDIM1: '(4,3)' });
    const t = BinaryTable.decode(h, bytes('a   bb  ccc', 0));
    expect(t.getColumn('names')).toEqual(['a', 'bb', 'ccc']);
    expect(t.column('names').shape).toEqual([3]);
  });

  it('keeps X columns packed and unpacks bits most significant first', () => {
    // 11X takes 2 bytes per row; then a 1J column.
    const h = header(6, 2, { TTYPE1: 'flags', TFORM1: '11X', TTYPE2: 'id', TFORM2: 'J' });
    const t = BinaryTable.decode(h, bytes(0b10000000, 0b11000000, 0, 0, 0, 7, 0b01000000, 0b00100000, 0, 0, 0, 8));
    expect(t.getColumn('flags')).toEqual(Uint8Array.from([0x80, 0xc0, 0x40, 0x20]));
    expect(t.column('flags').repeat).toBe(11);
    expect(t.column('flags').dtype).toBe('bit');
    expect([...t.unpackBits('flags')]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(t.getBit('flags', 0, 0)).toBe(true);
    expect(t.getBit('flags', 0, 9)).toBe(true);
    expect(t.getBit('flags', 0, 10)).toBe(false);
    expect(t.getBit('flags', 1, 1)).toBe(true);
    expect(t.getBit('flags', 1, 10)).toBe(true);
    expect(t.nullMask('flags')).toBeNull();
    expect(thrown(() => t.getBit('flags', 2, 0))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => t.getBit('flags', 0, 11))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => t.getBit('id', 0, 0))).toBeInstanceOf(FitsKeywordError);
  });

  it('handles zero rows and zero-width columns', () => {
    const h = header(4, 0, { TTYPE1: 'a', TFORM1: '1J', TTYPE2: 'none', TFORM2: '0D' });
    const t = BinaryTable.decode(h, new Uint8Array(0));
    expect(t.nRows).toBe(0);
    expect(t.getColumn('a')).toEqual(new Int32Array(0));
    expect(t.getColumn('none')).toEqual(new Float64Array(0));
    expect(t.column('none').width).toBe(0);
  });
});

describe('BinaryTable.decode: TSCAL, TZERO and TNULL as astropy applies them', () => {
  it('reads the unsigned conventions into unsigned typed arrays', () => {
    // Row = B(1) I(2) J(4) K(8) = 15 bytes.
    const h = header(15, 2, {
      TTYPE1: 'b', TFORM1: 'B', TZERO1: -128,
      TTYPE2: 'u16', TFORM2: 'I', TZERO2: 32768,
      TTYPE3: 'u32', TFORM3: 'J', TZERO3: 2147483648,
      TTYPE4: 'u64', TFORM4: 'K', TZERO4: 9223372036854775808n,
    });
    const data = bytes(
      0x00, 0x80, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0,
      0xff, 0x7f, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    );
    const t = BinaryTable.decode(h, data);
    expect(t.column('b').dtype).toBe('int8');
    expect(t.getColumn('b')).toEqual(Int8Array.from([-128, 127]));
    // Stored 0x8000… is the most negative integer: + TZERO gives 0.
    expect(t.getColumn('u16')).toEqual(Uint16Array.from([0, 65535]));
    expect(t.getColumn('u32')).toEqual(Uint32Array.from([0, 4294967295]));
    expect(t.getColumn('u64')).toEqual(BigUint64Array.from([0n, 2n ** 64n - 1n]));
    expect(t.columns.map((c) => c.dtype)).toEqual(['int8', 'uint16', 'uint32', 'uint64']);
    expect(t.column('u64').tzero).toBe(2 ** 63);
  });

  it('takes the unsigned K convention also when TZERO reads as a float', () => {
    const h = header(8, 1, { TFORM1: 'K', TZERO1: 9.223372036854775808e18 });
    const t = BinaryTable.decode(h, bytes(0x80, 0, 0, 0, 0, 0, 0, 5));
    expect(t.getColumn(0)).toEqual(BigUint64Array.from([5n]));
  });

  it('gives float64 for any other scaling', () => {
    // Row = I(2) J(4) E(4) K(8) = 18 bytes.
    const h = header(18, 2, {
      TTYPE1: 'i', TFORM1: 'I', TSCAL1: 0.5, TZERO1: 10,
      TTYPE2: 'j', TFORM2: 'J', TZERO2: 1,
      TTYPE3: 'e', TFORM3: 'E', TSCAL3: 2, TZERO3: 0.5,
      TTYPE4: 'k', TFORM4: 'K', TSCAL4: 3,
    });
    const data = bytes(
      0x00, 0x04, 0, 0, 0, 5, 0x3f, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
      0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x40, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    );
    const t = BinaryTable.decode(h, data);
    expect(t.columns.map((c) => c.dtype)).toEqual(['float64', 'float64', 'float64', 'float64']);
    expect(t.getColumn('i')).toEqual(Float64Array.from([12, 9]));
    expect(t.getColumn('j')).toEqual(Float64Array.from([6, 0]));
    expect(t.getColumn('e')).toEqual(Float64Array.from([3.5, 4.5]));
    expect(t.getColumn('k')).toEqual(Float64Array.from([21, -3]));
  });

  it('does not scale L, X and A columns', () => {
    const h = header(2, 1, { TFORM1: 'L', TSCAL1: 2, TZERO1: 1, TFORM2: 'A', TZERO2: 3 });
    const t = BinaryTable.decode(h, bytes('T', 'x'));
    expect(t.getColumn(0)).toEqual(Uint8Array.from([1]));
    expect(t.getColumn(1)).toEqual(['x']);
  });

  it('keeps nulls as stored and reports them through nullValue and nullMask', () => {
    // Row = J(4) with TNULL -99, I(2) unsigned with TNULL 32767, I scaled with TNULL 0, K with TNULL = -2^63.
    const h = header(16, 3, {
      TTYPE1: 'j', TFORM1: 'J', TNULL1: -99,
      TTYPE2: 'u', TFORM2: 'I', TZERO2: 32768, TNULL2: 32767,
      TTYPE3: 's', TFORM3: 'I', TSCAL3: 0.25, TZERO3: 1, TNULL3: 0,
      TTYPE4: 'k', TFORM4: 'K', TNULL4: -9223372036854775808n,
    });
    const data = bytes(
      0xff, 0xff, 0xff, 0x9d, 0x7f, 0xff, 0x00, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0,
      0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 1,
      0xff, 0xff, 0xff, 0x9d, 0x7f, 0xfe, 0x00, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0,
    );
    const t = BinaryTable.decode(h, data);
    expect(t.getColumn('j')).toEqual(Int32Array.from([-99, 5, -99]));
    expect(t.column('j').tnull).toBe(-99);
    expect(t.column('j').nullValue).toBe(-99);
    expect(t.nullMask('j')).toEqual(Uint8Array.from([1, 0, 1]));
    expect(t.getColumn('u')).toEqual(Uint16Array.from([65535, 32769, 65534]));
    expect(t.column('u').nullValue).toBe(65535);
    expect(t.nullMask('u')).toEqual(Uint8Array.from([1, 0, 0]));
    expect(t.getColumn('s')).toEqual(Float64Array.from([1, 2, 1]));
    expect(t.column('s').nullValue).toBe(1);
    expect(t.nullMask('s')).toEqual(Uint8Array.from([1, 0, 1]));
    expect(t.column('k').tnull).toBe(-(2n ** 63n));
    expect(t.column('k').nullValue).toBe(-(2n ** 63n));
    expect(t.nullMask('k')).toEqual(Uint8Array.from([1, 0, 1]));
  });
});

describe('BinaryTable.decode: variable-length arrays', () => {
  it('reads P descriptors into per-row typed arrays from the heap', () => {
    // Row = 1PJ (8 bytes) + 1PA (8 bytes); 3 rows; heap right after the 48-byte main table.
    const main = bytes(
      0, 0, 0, 2, 0, 0, 0, 0, /* 2 J at heap 0 */ 0, 0, 0, 5, 0, 0, 0, 8, /* 'hello' at 8 */
      0, 0, 0, 0, 0, 0, 0, 0, /* empty */ 0, 0, 0, 3, 0, 0, 0, 13, /* 'x  ' at 13 */
      0, 0, 0, 1, 0, 0, 0, 16, /* 1 J at 16 */ 0, 0, 0, 0, 0, 0, 0, 0,
    );
    const heap = bytes(0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 'hello', 'x  ', 0x7f, 0xff, 0xff, 0xff);
    const h = header(16, 3, { TTYPE1: 'arr', TFORM1: '1PJ(2)', TTYPE2: 'txt', TFORM2: '1PA(5)' }, heap.length);
    const t = BinaryTable.decode(h, bytes(...main, ...heap));
    expect(t.column('arr').variableLength).toBe(true);
    expect(t.column('arr').tform.maxLength).toBe(2);
    expect(t.heapOffset).toBe(48);
    expect(t.heapSize).toBe(20);
    expect(t.getVariableLengthColumn('arr')).toEqual([Int32Array.from([1, -2]), new Int32Array(0), Int32Array.from([2147483647])]);
    // Variable-length strings keep their blanks (their length is exact); NULs are dropped.
    expect(t.getColumn('txt')).toEqual(['hello', 'x  ', '']);
  });

  it('reads Q descriptors and honours THEAP (a gap between the table and the heap)', () => {
    const main = bytes(0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1);
    const heap = bytes(0xee, 1, 2, 255);
    // Main table 16 bytes, 4-byte gap, heap at 20: PCOUNT = 4 + 4.
    const h = header(16, 1, { TTYPE1: 'q', TFORM1: '1QB(3)', THEAP: 20 }, 8);
    const t = BinaryTable.decode(h, bytes(...main, 9, 9, 9, 9, ...heap));
    expect(t.heapOffset).toBe(20);
    expect(t.heapSize).toBe(4);
    expect(t.getColumn('q')).toEqual([Uint8Array.from([1, 2, 255])]);
  });

  it('applies the scaling and the unsigned conventions inside the heap too', () => {
    const main = bytes(0, 0, 0, 2, 0, 0, 0, 0);
    const heap = bytes(0x00, 0x00, 0xff, 0xff);
    const h = header(8, 1, { TFORM1: 'PI', TZERO1: 32768 }, 4);
    const t = BinaryTable.decode(h, bytes(...main, ...heap));
    expect(t.getColumn(0)).toEqual([Uint16Array.from([32768, 32767])]);
  });

  it('reads PL and PX rows as one 0/1 byte per element', () => {
    const main = bytes(0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 3);
    const heap = bytes('T', 'F', 'T', 0b10100000, 0b01000000);
    const h = header(16, 1, { TFORM1: '1PL', TFORM2: '1PX' }, heap.length);
    const t = BinaryTable.decode(h, bytes(...main, ...heap));
    expect(t.getColumn(0)).toEqual([Uint8Array.from([1, 0, 1])]);
    expect(t.getColumn(1)).toEqual([Uint8Array.from([1, 0, 1, 0, 0, 0, 0, 0, 0, 1])]);
  });

  it('rejects a descriptor that points past the heap, with the file offset of the descriptor', () => {
    const main = bytes(0, 0, 0, 1, 0, 0, 0, 0, /* ok */ 0, 0, 0, 2, 0, 0, 0, 3 /* 2 J at 3: needs 11 bytes */);
    const heap = bytes(0, 0, 0, 1, 0, 0, 0, 2);
    const h = header(8, 2, { TTYPE1: 'v', TFORM1: '1PJ' }, heap.length);
    const e = thrown(() => BinaryTable.decode(h, bytes(...main, ...heap), { file: 'x.fits', hdu: 2, dataOffset: 5760 }));
    expect(e).toBeInstanceOf(FitsFormatError);
    expect((e as FitsFormatError).offset).toBe(5768);
    expect((e as FitsFormatError).hdu).toBe(2);
    expect(e.message).toMatch(/^x\.fits, HDU 2, byte 5768: Row 1 of column 1 \('v', TFORM = '1PJ'\) points outside the heap: 2 elements \(8 bytes\) at heap offset 3, but the heap has 8 bytes/);
  });

  it('rejects a Q descriptor beyond 2^53 and a P count that overflows', () => {
    const q = header(16, 1, { TFORM1: '1QB' }, 0);
    expect(() => BinaryTable.decode(q, bytes(0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0))).toThrow(/heap offset beyond 2\^53/);
    const p = header(8, 1, { TFORM1: '1PD' }, 8);
    expect(() => BinaryTable.decode(p, bytes(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8))).toThrow(/4294967295 elements/);
  });
});

describe('BinaryTable heap ranges: raw bytes, and tables decoded without their heap', () => {
  // Row = 1PB (8 bytes) + 1QI (16 bytes); 2 rows; a 4-byte gap (THEAP = 52) before the heap.
  const main = bytes(
    0, 0, 0, 3, 0, 0, 0, 0, /* 3 B at 0 */ 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, /* 2 I at 3 */
    0, 0, 0, 0, 0, 0, 0, 0, /* empty */ 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, /* 1 I at 7 */
  );
  const heap = bytes(9, 8, 7, 0x12, 0x34, 0xff, 0xfe, 0x80, 0x00);
  const h = header(24, 2, { TTYPE1: 'b', TFORM1: '1PB(3)', TTYPE2: 'i', TFORM2: '1QI(2)', TTYPE3: 'n', TFORM3: '0J', THEAP: 52 }, 4 + heap.length);
  const data = bytes(...main, 0, 0, 0, 0, ...heap);

  it('gives the data-unit offset and length of each row, and its raw big-endian bytes', () => {
    const t = BinaryTable.decode(h, data);
    expect(t.heapRange('b', 0)).toEqual({ count: 3, offset: 52, byteLength: 3 });
    expect(t.heapRange('i', 0)).toEqual({ count: 2, offset: 55, byteLength: 4 });
    expect(t.heapRange('b', 1)).toEqual({ count: 0, offset: 52, byteLength: 0 });
    expect(t.heapRange('i', 1)).toEqual({ count: 1, offset: 59, byteLength: 2 });
    expect(t.getHeapBytes('b', 0)).toEqual(Uint8Array.of(9, 8, 7));
    expect(t.getHeapBytes('i', 0)).toEqual(Uint8Array.of(0x12, 0x34, 0xff, 0xfe));
    expect(t.getHeapBytes('i', 1)).toEqual(Uint8Array.of(0x80, 0x00));
    expect(t.getHeapBytes('b', 1).length).toBe(0);
    expect(() => t.heapRange('n', 0)).toThrow(FitsKeywordError);
    expect(() => t.heapRange('b', 2)).toThrow(InvalidArgumentError);
  });

  it('decodes the main table alone, still checking descriptors against PCOUNT', () => {
    const t = BinaryTable.decode(h, main, { mainTableOnly: true, file: 'm.fits', hdu: 3, dataOffset: 2880 });
    expect(t.nRows).toBe(2);
    expect(t.heapRange('i', 1)).toEqual({ count: 1, offset: 59, byteLength: 2 });
    expect(t.getHeapBytes('b', 1).length).toBe(0);
    const e = thrown(() => t.getHeapBytes('b', 0));
    expect(e).toBeInstanceOf(FitsFormatError);
    expect(e.message).toMatch(/^m\.fits, HDU 3: Column 'b' .* lives in the heap, but the table was decoded from its main table only/);
    expect(() => t.getColumn('i')).toThrow(/main table only/);
    // a descriptor past the declared heap is still caught
    const bad = main.slice();
    bad[31] = 200;
    expect(() => BinaryTable.decode(h, bad, { mainTableOnly: true })).toThrow(/points outside the heap/);
    // and the main table must be complete
    expect(() => BinaryTable.decode(h, main.subarray(0, 40), { mainTableOnly: true })).toThrow(/main table is truncated/);
  });

  it('gives keyword errors the header offset when it is known', () => {
    const broken = h.clone();
    broken.set('TFORM2', '1QZ');
    const e = thrown(() => BinaryTable.decode(broken, data, { file: 'k.fits', hdu: 1, dataOffset: 5760, headerOffset: 2880 }));
    expect((e as FitsFormatError).offset).toBe(2880);
    expect(e.message).toMatch(/^k\.fits, HDU 1, byte 2880: /);
  });
});

describe('BinaryTable.decode: bad headers and data', () => {
  it('checks NAXIS1 against the sum of the column widths', () => {
    const e = thrown(() => BinaryTable.decode(header(10, 1, { TFORM1: '1J', TFORM2: '1D' }), new Uint8Array(10)));
    expect(e).toBeInstanceOf(FitsFormatError);
    expect(e.message).toMatch(/NAXIS1 = 10, but the 2 columns' TFORMs add up to 12 bytes per row/);
  });

  it('rejects truncated data', () => {
    const e = thrown(() => BinaryTable.decode(header(4, 3, { TFORM1: '1J' }), new Uint8Array(11), { file: 'f.fits' }));
    expect(e).toBeInstanceOf(FitsFormatError);
    expect(e.message).toMatch(/truncated: .* 12 bytes expected, 11 given/);
  });

  it('accepts trailing block padding', () => {
    const t = BinaryTable.decode(header(4, 1, { TFORM1: '1J' }), new Uint8Array(2880));
    expect(t.getColumn(0)).toEqual(new Int32Array(1));
  });

  it('rejects headers that are not binary tables', () => {
    const h = header(4, 1, { TFORM1: '1J' });
    h.set('XTENSION', 'TABLE');
    expect(thrown(() => BinaryTable.decode(h, new Uint8Array(4)))).toBeInstanceOf(FitsFormatError);
    const old = header(4, 1, { TFORM1: '1J' });
    old.set('XTENSION', 'A3DTABLE');
    expect(BinaryTable.decode(old, bytes(0, 0, 1, 0)).getColumn(0)).toEqual(Int32Array.from([256]));
    const g = header(4, 1, { TFORM1: '1J' });
    g.set('GCOUNT', 2);
    expect(thrown(() => BinaryTable.decode(g, new Uint8Array(8)))).toBeInstanceOf(FitsKeywordError);
    const b = header(4, 1, { TFORM1: '1J' });
    b.set('BITPIX', 16);
    expect(() => BinaryTable.decode(b, new Uint8Array(8))).toThrow(/BITPIX = 16/);
  });

  it('reports a missing or invalid TFORM with its keyword and HDU', () => {
    const h = header(4, 1, { TFORM1: '1J' });
    h.set('TFIELDS', 2);
    expect(thrown(() => BinaryTable.decode(h, new Uint8Array(4)))).toBeInstanceOf(FitsKeywordError);
    const bad = header(4, 1, { TFORM1: '1Y' });
    expect(() => BinaryTable.decode(bad, new Uint8Array(4), { hdu: 3 })).toThrow(/^HDU 3: TFORM1 = '1Y' is not a valid binary-table format/);
  });

  it('rejects a malformed TDIM and one larger than the repeat count', () => {
    expect(() => BinaryTable.decode(header(8, 1, { TFORM1: '2J', TDIM1: '2,1' }), new Uint8Array(8))).toThrow(FitsFormatError);
    expect(() => BinaryTable.decode(header(8, 1, { TFORM1: '2J', TDIM1: '(3,1)' }), new Uint8Array(8))).toThrow(/describes 3 elements, more than the 2/);
  });

  it('rejects a THEAP inside the main table and a non-integer TNULL', () => {
    expect(() => BinaryTable.decode(header(8, 1, { TFORM1: '1PJ', THEAP: 4 }, 8), new Uint8Array(16))).toThrow(/THEAP = 4/);
    expect(() => BinaryTable.decode(header(4, 1, { TFORM1: '1J', TNULL1: 1.5 }), new Uint8Array(4))).toThrow(/TNULL1 = 1.5/);
  });
});

describe('BinaryTable column metadata and look-up', () => {
  const h = header(12, 1, {
    TTYPE1: 'flux', TFORM1: '1D', TUNIT1: 'nJy', TDISP1: 'F10.3', TDOC1: 'the flux', TCCLS1: 'Scalar',
    TTYPE2: 'Flux', TFORM2: '1J',
  });
  const t = BinaryTable.decode(h, new Uint8Array(12));

  it('keeps TUNIT, TDISP and afw TDOC/TCCLS', () => {
    const c = t.column('flux');
    expect(c).toMatchObject({ index: 0, name: 'flux', format: '1D', unit: 'nJy', disp: 'F10.3', tscal: 1, tzero: 0, tnull: null, dim: null });
    expect(c.extra).toEqual({ TDOC: 'the flux', TCCLS: 'Scalar' });
    expect(t.column(1).unit).toBeNull();
  });

  it('finds columns by exact name first, then ignoring case, then by index', () => {
    expect(t.column('Flux').index).toBe(1);
    expect(t.column('FLUX').index).toBe(0);
    expect(t.column(1).name).toBe('Flux');
    expect(t.hasColumn('fLuX')).toBe(true);
    expect(t.hasColumn('mag')).toBe(false);
  });

  it('names the columns when one is not found', () => {
    const e = thrown(() => t.getColumn('mag'));
    expect(e).toBeInstanceOf(FitsKeywordError);
    expect(e.message).toBe("No column 'mag'. The table has 2 columns: flux, Flux.");
    expect(() => t.column(2)).toThrow(/No column 2/);
  });

  it('caches decoded columns and checks the kind asked for', () => {
    expect(t.getColumn('flux')).toBe(t.getColumn(0));
    expect(() => t.getStringColumn('flux')).toThrow(FitsKeywordError);
    expect(() => t.getVariableLengthColumn('flux')).toThrow(FitsKeywordError);
    expect(t.getNumericColumn('flux')).toBeInstanceOf(Float64Array);
  });
});

describe('packBits, unpackBits, parseTdim, formatTdim', () => {
  it('pack and unpack bits most significant first, each row on its own bytes', () => {
    const bits = [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const packed = packBits(bits, 10);
    expect([...packed]).toEqual([0x80, 0x80, 0x7f, 0xc0]);
    expect([...unpackBits(packed, 10)]).toEqual(bits);
    expect(() => packBits([1, 0, 1], 2)).toThrow(InvalidArgumentError);
    expect(packBits([true, false, true], 3)).toEqual(Uint8Array.from([0xa0]));
  });

  it('parse and format TDIM', () => {
    expect(parseTdim('(3,2)')).toEqual([3, 2]);
    expect(parseTdim(' ( 10 , 1 ,4 ) ')).toEqual([10, 1, 4]);
    expect(() => parseTdim('(3,)')).toThrow(FitsFormatError);
    expect(formatTdim([3, 2])).toBe('(3,2)');
  });
});

describe('BinaryTable.encode', () => {
  it('writes the mandatory keywords and the column keywords in order', () => {
    const { header: h, data } = BinaryTable.encode(
      [
        { name: 'id', format: 'K', data: [1n, 2n], doc: 'unique id', extra: { TCCLS: 'Scalar' } },
        { name: 'flux', format: '2E', data: [1, 2, 3, 4], unit: 'nJy', dim: [2, 1], disp: 'E12.4' },
        { name: 'n', format: 'J', data: [-1, 5], tnull: -1 },
        { name: 'v', format: 'PI', data: [[1, 2, 3], []] },
      ],
      2,
    );
    expect(h.keywords()).toEqual([
      'XTENSION', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'PCOUNT', 'GCOUNT', 'TFIELDS',
      'TTYPE1', 'TFORM1', 'TDOC1', 'TCCLS1',
      'TTYPE2', 'TFORM2', 'TUNIT2', 'TDIM2', 'TDISP2',
      'TTYPE3', 'TFORM3', 'TNULL3',
      'TTYPE4', 'TFORM4',
    ]);
    expect(h.get('XTENSION')).toBe('BINTABLE');
    expect(h.get('NAXIS1')).toBe(8 + 8 + 4 + 8);
    expect(h.get('NAXIS2')).toBe(2);
    expect(h.get('PCOUNT')).toBe(6);
    expect(h.get('TFORM4')).toBe('1PI(3)');
    expect(h.get('TDIM2')).toBe('(2,1)');
    expect(data.length).toBe(2 * 28 + 6);
  });

  it('writes big-endian bytes (checked by hand)', () => {
    const { data } = BinaryTable.encode(
      [
        { name: 'l', format: 'L', data: [true, false] },
        { name: 'i', format: 'I', data: Int16Array.from([1, -2]) },
        { name: 'u', format: 'I', data: Uint16Array.from([0, 65535]) },
        { name: 'e', format: 'E', data: [1.5, -0.5] },
        { name: 's', format: '3A', data: ['ab', ''] },
        { name: 'x', format: '3X', data: packBits([1, 0, 1, 0, 1, 1], 3) },
        { name: 'p', format: 'PB', data: [Uint8Array.from([7, 8]), []] },
      ],
      2,
    );
    expect([...data]).toEqual([
      0x54, 0x00, 0x01, 0x80, 0x00, 0x3f, 0xc0, 0, 0, 0x61, 0x62, 0, 0xa0, 0, 0, 0, 2, 0, 0, 0, 0,
      0x46, 0xff, 0xfe, 0x7f, 0xff, 0xbf, 0, 0, 0, 0, 0, 0, 0x60, 0, 0, 0, 0, 0, 0, 0, 2,
      7, 8,
    ]);
  });

  it('sets the unsigned TZERO from the typed array, as astropy does', () => {
    const { header: h } = BinaryTable.encode(
      [
        { name: 'a', format: 'I', data: new Uint16Array(1) },
        { name: 'b', format: 'J', data: new Uint32Array(1) },
        { name: 'c', format: 'K', data: new BigUint64Array(1) },
        { name: 'd', format: 'B', data: new Int8Array(1) },
        { name: 'e', format: 'J', data: new Int32Array(1) },
      ],
      1,
    );
    expect([h.get('TZERO1'), h.get('TZERO2'), h.get('TZERO3'), h.get('TZERO4'), h.get('TZERO5')]).toEqual([
      32768,
      2147483648,
      9223372036854775808n,
      -128,
      undefined,
    ]);
  });

  it('round-trips every type through decode', () => {
    const cols = [
      { name: 'l', format: '2L', data: Uint8Array.from([1, 0, 0, 1]) },
      { name: 'x', format: '10X', data: packBits([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0], 10) },
      { name: 'b', format: 'B', data: Uint8Array.from([0, 255]) },
      { name: 'sb', format: 'B', data: Int8Array.from([-128, 127]) },
      { name: 'i', format: 'I', data: Int16Array.from([-32768, 32767]) },
      { name: 'u16', format: 'I', data: Uint16Array.from([0, 65535]) },
      { name: 'j', format: 'J', data: Int32Array.from([-2147483648, 2147483647]) },
      { name: 'u32', format: 'J', data: Uint32Array.from([0, 4294967295]) },
      { name: 'k', format: 'K', data: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]) },
      { name: 'u64', format: 'K', data: BigUint64Array.from([0n, 2n ** 64n - 1n]) },
      { name: 'e', format: '3E', data: Float32Array.from([1.5, Number.NaN, -0, 1e-45, Infinity, 3]), dim: [3, 1] },
      { name: 'd', format: 'D', data: Float64Array.from([Math.PI, -1e300]) },
      { name: 'c', format: 'C', data: Float32Array.from([1, 2, 3, 4]) },
      { name: 'm', format: 'M', data: Float64Array.from([0.1, 0.2, 0.3, 0.4]) },
      { name: 's', format: '5A', data: ['hello', 'x'] },
      { name: 'sd', format: '6A', data: ['ab', 'c', 'de', '', 'f', 'g'], dim: [2, 3] },
      { name: 'scaled', format: 'I', data: Float64Array.from([10, 12.5]), tscal: 0.5, tzero: 10 },
      { name: 'pj', format: 'PJ', data: [Int32Array.from([1, 2, 3]), Int32Array.from([])] },
      { name: 'qd', format: 'QD', data: [Float64Array.from([0.5]), Float64Array.from([1, 2])] },
      { name: 'pa', format: 'PA', data: ['variable', ''] },
      { name: 'qk', format: 'QK', data: [BigInt64Array.from([1n, -1n]), BigInt64Array.from([2n])] },
      { name: 'pu', format: 'PI', data: [Uint16Array.from([65535]), Uint16Array.from([1, 2])] },
      { name: 'px', format: 'PX', data: [Uint8Array.from([1, 0, 1]), Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1])] },
    ];
    const { header: h, data } = BinaryTable.encode(cols, 2);
    const t = BinaryTable.decode(h, data);
    for (const c of cols) expect(t.getColumn(c.name), c.name).toEqual(c.data);
    expect(t.column('pu').dtype).toBe('uint16');
    expect(t.column('e').shape).toEqual([1, 3]);
    expect(t.column('pj').tform.maxLength).toBe(3);
  });

  it('rejects data that do not match the format', () => {
    const one = (format: string, d: unknown, extra: object = {}): Error =>
      thrown(() => BinaryTable.encode([{ name: 'c', format, data: d as never, ...extra }], 2));
    expect(one('2J', [1, 2, 3]).message).toMatch(/Column 'c': 4 values expected \(2 per row for '2J'\), 3 given/);
    expect(one('I', [1, 40000]).message).toMatch(/value 1 \(40000\) does not fit the I format/);
    expect(one('J', [1, 1.5]).message).toMatch(/value 1 \(1.5\) does not fit/);
    expect(one('B', [1, -1]).message).toMatch(/does not fit the B format/);
    expect(one('K', [1n, 2n ** 63n]).message).toMatch(/does not fit a signed 64-bit integer/);
    expect(one('2A', ['abc', 'd']).message).toMatch(/string 0 \('abc'\) has 3 bytes, more than the 2/);
    expect(one('9X', [1, 2]).message).toMatch(/4 values expected/);
    expect(one('D', ['a', 'b']).message).toMatch(/value 0 is string, not a number/);
    expect(one('PJ', [[1]]).message).toMatch(/one array per row: 2 expected, 1 given/);
    expect(one('PJ(1)', [[1, 2], []]).message).toMatch(/more than the maximum 1/);
    expect(one('L', [true, false], { tscal: 2 }).message).toMatch(/TSCAL\/TZERO are not allowed on a L column/);
    expect(one('E', [1, 2], { tnull: 0 }).message).toMatch(/TNULL is only allowed on integer/);
    expect(one('Z', [1, 2])).toBeInstanceOf(FitsFormatError);
  });
});
