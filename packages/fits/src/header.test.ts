import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Card } from './card.js';
import { FitsFormatError, FitsKeywordError } from './errors.js';
import { FITS_BLOCK_SIZE, Header, dataByteLength, paddedByteLength } from './header.js';
import { astropyAvailable, normaliseTag, PY_TAG, runPython, taggedCards, type TaggedCard } from '../test/support.js';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b: Uint8Array): string => String.fromCharCode(...b);

/** A header as bytes: the images padded to 80, END, blanks to a multiple of 2880. */
function headerBytes(images: string[]): Uint8Array {
  const body = [...images, 'END'].map((i) => i.padEnd(80)).join('');
  return ascii(body.padEnd(paddedByteLength(body.length)));
}

const SAMPLE = [
  'SIMPLE  =                    T / conforms to FITS',
  'BITPIX  =                  -32',
  'NAXIS   =                    2',
  'NAXIS1  =                  100',
  'NAXIS2  =                  200',
  "OBJECT  = 'M31     '           / target",
  'EXPTIME =                 30.0 / [s]',
  'HIERARCH ESO DET CHIP = 3 / chip',
  'ADC-STR =                22.01',
  'ADC-STR =',
  'BIG     =  9223372036854775807',
  'FLAG    =                    F',
  'COMMENT first comment',
  'HISTORY first history',
  'COMMENT second comment',
];

describe('Header.parse', () => {
  it('reads the cards up to END and reports the padded size', () => {
    const bytes = headerBytes(SAMPLE);
    const { header, byteLength } = Header.parse(bytes);
    expect(byteLength).toBe(2880);
    expect(header.length).toBe(SAMPLE.length);
    expect(header.keywords().slice(0, 3)).toEqual(['SIMPLE', 'BITPIX', 'NAXIS']);
    expect([...header].map((c) => c.keyword)).toEqual(header.cards().map((c) => c.keyword));
    expect(header.toBytes()).toEqual(bytes);
  });

  it('reads a header that spans several blocks, at an offset', () => {
    const images = Array.from({ length: 40 }, (_, i) => `KEY${i} = ${i}`.replace(/^(\S+) =/, (_m, k: string) => `${k.padEnd(8)}=`));
    const bytes = headerBytes(images);
    const shifted = new Uint8Array(2880 + bytes.length);
    shifted.set(bytes, 2880);
    const { header, byteLength } = Header.parse(shifted, { offset: 2880 });
    expect(byteLength).toBe(5760);
    expect(header.get('KEY39')).toBe(39);
    expect(Header.findEnd(shifted, 2880)).toBe(5760);
    expect(Header.findEnd(shifted.subarray(0, 2880 + 2880), 2880)).toBeUndefined();
  });

  it('throws FitsFormatError with the location when there is no END', () => {
    const bytes = ascii(SAMPLE.map((i) => i.padEnd(80)).join('').padEnd(2880));
    let error: unknown;
    try {
      Header.parse(bytes, { file: 'x.fits', hdu: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FitsFormatError);
    const fe = error as FitsFormatError;
    expect(fe.code).toBe('FITS_FORMAT');
    expect(fe.file).toBe('x.fits');
    expect(fe.hdu).toBe(2);
    expect(fe.offset).toBe(2880);
    expect(fe.message).toMatch(/^x\.fits, HDU 2, byte 2880: No END card/);
    expect(() => Header.parse(new Uint8Array(0))).toThrow(FitsFormatError);
    expect(() => Header.parse(bytes.subarray(0, 100))).toThrow(/No END card/);
  });

  it('throws FitsFormatError at the offset of a card with a non-ASCII byte', () => {
    const bytes = headerBytes(SAMPLE);
    bytes[5 * 80 + 12] = 0xe9;
    let error: FitsFormatError | undefined;
    try {
      Header.parse(bytes, { file: 'y.fits' });
    } catch (e) {
      error = e as FitsFormatError;
    }
    expect(error).toBeInstanceOf(FitsFormatError);
    expect(error!.offset).toBe(400);
    expect(error!.message).toMatch(/Card 6 .* byte 0xe9 in column 13/);
    const nul = headerBytes(SAMPLE);
    nul[80] = 0;
    expect(() => Header.parse(nul)).toThrow(FitsFormatError);
  });

  it('accepts an END card in a last, incomplete block', () => {
    const bytes = headerBytes(SAMPLE).subarray(0, 81 * 16);
    const { header, byteLength } = Header.parse(bytes);
    expect(byteLength).toBe(2880);
    expect(header.length).toBe(SAMPLE.length);
    expect(header.toBytes()).toHaveLength(2880);
  });

  it('keeps the bytes after END (a newline in the padding) while nothing is added or removed', () => {
    const bytes = headerBytes(SAMPLE);
    bytes[2879] = 0x0a;
    const { header } = Header.parse(bytes);
    expect(header.toBytes()).toEqual(bytes);
    header.set('OBJECT', 'M33');
    expect(header.toBytes()[2879]).toBe(0x0a);
    header.add(new Card('NEW', 1));
    expect(header.toBytes()[2879]).toBe(0x20);
  });
});

describe('Header look-ups', () => {
  const { header } = Header.parse(headerBytes(SAMPLE));

  it('finds keywords case-insensitively, HIERARCH with or without prefix', () => {
    expect(header.get('naxis1')).toBe(100);
    expect(header.get('ESO DET CHIP')).toBe(3);
    expect(header.get('hierarch eso det chip')).toBe(3);
    expect(header.has('Object')).toBe(true);
    expect(header.has('MISSING')).toBe(false);
    expect(header.get('MISSING')).toBeUndefined();
  });

  it('returns the first of duplicated keywords, and all with getAll', () => {
    expect(header.get('ADC-STR')).toBe(22.01);
    expect(header.getAll('adc-str').map((c) => c.value)).toEqual([22.01, null]);
    expect(header.getComments()).toEqual(['first comment', 'second comment']);
    expect(header.getHistory()).toEqual(['first history']);
    expect(header.get('COMMENT')).toBeUndefined();
    expect(header.getCard('COMMENT')!.comment).toBe('first comment');
  });

  it('has typed getters that check the type', () => {
    expect(header.getNumber('EXPTIME')).toBe(30);
    expect(header.getInt('EXPTIME')).toBe(30);
    expect(header.getString('OBJECT')).toBe('M31');
    expect(header.getBoolean('SIMPLE')).toBe(true);
    expect(header.getBoolean('FLAG')).toBe(false);
    expect(header.getBigInt('BIG')).toBe(9223372036854775807n);
    expect(header.getBigInt('NAXIS1')).toBe(100n);
    expect(header.getNumber('MISSING')).toBeUndefined();
    expect(() => header.getNumber('OBJECT')).toThrow(FitsKeywordError);
    expect(() => header.getNumber('OBJECT')).toThrow(/'OBJECT'.*'M31' \(a string\).*expected a number/);
    expect(() => header.getNumber('BIG')).toThrow(/cannot hold exactly/);
    expect(() => header.getInt('ADC-STR')).toThrow(/expected an integer/);
    expect(() => header.getString('NAXIS')).toThrow(FitsKeywordError);
    expect(() => header.getBoolean('NAXIS')).toThrow(FitsKeywordError);
    expect(() => header.getBigInt('OBJECT')).toThrow(FitsKeywordError);
  });

  it('has require* getters that name the missing keyword', () => {
    expect(header.requireInt('NAXIS2')).toBe(200);
    expect(header.requireNumber('EXPTIME')).toBe(30);
    expect(header.requireString('OBJECT')).toBe('M31');
    expect(header.requireBoolean('SIMPLE')).toBe(true);
    expect(() => header.requireInt('NAXIS3')).toThrow(/Missing keyword 'NAXIS3'/);
    expect(() => header.requireString('XTENSION')).toThrow(FitsKeywordError);
    const parsed = Header.parse(headerBytes(['FOO     =']), { file: 'z.fits', hdu: 1 }).header;
    expect(() => parsed.requireNumber('FOO')).toThrow(/^z\.fits, HDU 1: Keyword 'FOO' has an undefined value/);
  });
});

describe('Header edits', () => {
  it('set replaces in place, keeping the comment and float form; other cards keep their bytes', () => {
    const bytes = headerBytes(SAMPLE);
    const { header } = Header.parse(bytes);
    header.set('exptime', 45);
    const out = header.toBytes();
    expect(text(out.subarray(6 * 80, 7 * 80))).toBe('EXPTIME =                 45.0 / [s]'.padEnd(80));
    for (let i = 0; i < out.length; i++) {
      if (i < 6 * 80 || i >= 7 * 80) expect(out[i]).toBe(bytes[i]);
    }
    header.set('OBJECT', 'M33', 'new target');
    expect(header.getCard('OBJECT')!.comment).toBe('new target');
    expect(header.keywords().indexOf('OBJECT')).toBe(5);
    header.set('ESO DET CHIP', 4);
    expect(header.getCard('ESO DET CHIP')!.toImages()[0]).toBe('HIERARCH ESO DET CHIP = 4 / chip'.padEnd(80));
  });

  it('set appends new keywords at the end and leaves unchanged cards alone', () => {
    const { header } = Header.parse(headerBytes(SAMPLE));
    const before = header.getCard('NAXIS1');
    header.set('NAXIS1', 100);
    expect(header.getCard('NAXIS1')).toBe(before);
    header.set('NEWKEY', 'v', 'c');
    expect(header.keywords().at(-1)).toBe('NEWKEY');
    header.set('COMMENT', 'appended');
    expect(header.getComments().at(-1)).toBe('appended');
    header.set('ADC-STR', 1.5);
    expect(header.getAll('ADC-STR').map((c) => c.value)).toEqual([1.5, null]);
  });

  it('adds, inserts and deletes cards', () => {
    const header = new Header([new Card('A', 1), new Card('B', 2)]);
    header.insertBefore('B', new Card('A2', 3));
    header.insertAfter('b', new Card('C', 4));
    header.insertAfter(0, new Card('A1', 5));
    header.add(new Card('A', 6));
    expect(header.keywords()).toEqual(['A', 'A1', 'A2', 'B', 'C', 'A']);
    expect(header.delete('a')).toBe(2);
    expect(header.delete('a')).toBe(0);
    expect(header.keywords()).toEqual(['A1', 'A2', 'B', 'C']);
    expect(header.has('A')).toBe(false);
    expect(() => header.insertBefore('NOPE', new Card('X', 1))).toThrow(FitsKeywordError);
    expect(() => header.insertAfter(9, new Card('X', 1))).toThrow(FitsKeywordError);
  });

  it('splits long comment and history text over several cards', () => {
    const header = new Header();
    header.addComment('c'.repeat(150));
    header.addHistory('h');
    header.addComment('');
    expect(header.getComments()).toEqual(['c'.repeat(72), 'c'.repeat(72), 'c'.repeat(6), '']);
    expect(header.getHistory()).toEqual(['h']);
  });

  it('clone is independent', () => {
    const { header } = Header.parse(headerBytes(SAMPLE));
    const copy = header.clone();
    copy.set('OBJECT', 'other');
    copy.delete('NAXIS');
    expect(header.get('OBJECT')).toBe('M31');
    expect(header.get('NAXIS')).toBe(2);
    expect(copy.get('OBJECT')).toBe('other');
  });

  it('writes a header made in code that parses back to the same values', () => {
    const header = new Header();
    header.set('SIMPLE', true);
    header.set('BITPIX', 8);
    header.set('NAXIS', 0);
    header.set('LONG', 'x'.repeat(200), 'a long string');
    header.set('ESO OBS NAME', 'hier');
    header.addHistory('made in a test');
    const bytes = header.toBytes();
    expect(bytes.length % FITS_BLOCK_SIZE).toBe(0);
    const back = Header.parse(bytes).header;
    expect(back.get('LONG')).toBe('x'.repeat(200));
    expect(back.getCard('LONG')!.comment).toBe('a long string');
    expect(back.get('eso obs name')).toBe('hier');
    expect(back.toBytes()).toEqual(bytes);
    expect(header.toString().split('\n')[0]).toBe('SIMPLE  =                    T'.padEnd(80));
  });

  it('fromString and fromImages read card images', () => {
    const h = Header.fromString(SAMPLE.map((i) => i.padEnd(80)).join('') + 'END'.padEnd(80) + 'IGNORED = 1');
    expect(h.length).toBe(SAMPLE.length);
    expect(h.has('IGNORED')).toBe(false);
    expect(Header.fromImages(["A       = 'x&'", "CONTINUE  'y'"]).get('A')).toBe('xy');
  });
});

describe('dataByteLength', () => {
  const h = (images: string[]): Header => Header.fromImages(images);

  it('computes |BITPIX|/8 × GCOUNT × (PCOUNT + NAXIS1 × … × NAXISn)', () => {
    expect(dataByteLength(h(['SIMPLE  = T', 'BITPIX  = -32', 'NAXIS   = 2', 'NAXIS1  = 100', 'NAXIS2  = 200']))).toBe(80000);
    expect(
      dataByteLength(
        h(["XTENSION= 'BINTABLE'", 'BITPIX  = 8', 'NAXIS   = 2', 'NAXIS1  = 16', 'NAXIS2  = 10', 'PCOUNT  = 100', 'GCOUNT  = 1']),
      ),
    ).toBe(260);
    expect(dataByteLength(h(['SIMPLE  = T', 'BITPIX  = 16', 'NAXIS   = 0']))).toBe(0);
    expect(dataByteLength(h(['SIMPLE  = T', 'BITPIX  = 64', 'NAXIS   = 3', 'NAXIS1  = 2', 'NAXIS2  = 3', 'NAXIS3  = 4']))).toBe(192);
    // Random groups: NAXIS1 = 0 is left out; 2 groups of (3 parameters + 4×5 pixels) × 4 bytes.
    expect(
      dataByteLength(
        h(['SIMPLE  = T', 'BITPIX  = -32', 'NAXIS   = 3', 'NAXIS1  = 0', 'NAXIS2  = 4', 'NAXIS3  = 5', 'GROUPS  = T', 'PCOUNT  = 3', 'GCOUNT  = 2']),
      ),
    ).toBe(184);
    expect(paddedByteLength(80000)).toBe(80640);
    expect(paddedByteLength(0)).toBe(0);
    expect(paddedByteLength(2880)).toBe(2880);
  });

  it('throws FitsFormatError on impossible sizes', () => {
    expect(() => dataByteLength(h(['BITPIX  = 12', 'NAXIS   = 0']))).toThrow(/BITPIX = 12/);
    expect(() => dataByteLength(h(['NAXIS   = 0']))).toThrow(/Missing keyword 'BITPIX'/);
    expect(() => dataByteLength(h(['BITPIX  = 8', 'NAXIS   = 1', 'NAXIS1  = -5']))).toThrow(FitsFormatError);
    expect(() => dataByteLength(h(['BITPIX  = 8', 'NAXIS   = 1', 'NAXIS1  = 2.5']))).toThrow(/non-negative integer/);
    expect(() => dataByteLength(h(['BITPIX  = 8', 'NAXIS   = 2', 'NAXIS1  = 2']))).toThrow(/NAXIS2/);
    expect(() => dataByteLength(h(['BITPIX  = 8', 'NAXIS   = 1000']))).toThrow(/999/);
    expect(() => dataByteLength(h(["BITPIX  = '8'", 'NAXIS   = 0']))).toThrow(FitsFormatError);
    expect(() =>
      dataByteLength(h(['BITPIX  = -64', 'NAXIS   = 3', 'NAXIS1  = 100000000', 'NAXIS2  = 100000000', 'NAXIS3  = 100000000'])),
    ).toThrow(/cannot be/);
  });
});

describe('parsing speed', () => {
  it('parses a 1000-card header with long strings (reported, not timed)', () => {
    const images: string[] = [];
    for (let i = 0; i < 1000; i++) {
      images.push(...new Card(`KEY${i}`, i % 3 === 0 ? i * 0.25 : `value ${i}`, `comment ${i}`).toImages());
    }
    const bytes = headerBytes(images);
    const { header } = Header.parse(bytes);
    expect(header.length).toBe(1000);
    expect(header.get('KEY999')).toBe(249.75);
    expect(header.toBytes()).toEqual(bytes);
  });
});

describe.skipIf(!astropyAvailable())('astropy reads what we write', () => {
  it('verifies the header and reads every value and comment back', () => {
    const header = new Header();
    header.set('SIMPLE', true, 'conforms to FITS');
    header.set('BITPIX', 16);
    header.set('NAXIS', 0);
    header.set('EXTEND', true);
    header.set('STR', "it's a string / with a slash", 'comment');
    header.set('EMPTY', '');
    header.set('LEAD', '  leading');
    header.set('LONGSTR', `${'long string with words '.repeat(12)}'quoted'`, 'a comment that is long enough to need its own CONTINUE card, and then some more words');
    header.set('FLOAT', 2.5e-5);
    header.set('FLOAT2', 1.2345678901234567e-300);
    header.set('WHOLE', 30, 'float form');
    header.add(new Card('WHOLEF', 30, 'float form', { float: true }));
    header.set('BIGINT', 9223372036854775807n);
    header.set('NEG', -12);
    header.set('UNDEF', null, 'no value');
    header.set('LOGIC', false);
    header.set('ESO DET CHIP NAME', 'CCD-3', 'hierarch');
    header.set('ESO DET LONG', 'h'.repeat(120));
    header.addComment('a comment card');
    header.addHistory('a history card');
    header.add(new Card('', undefined, '  ---- blank keyword ----'));
    const dir = mkdtempSync(join(tmpdir(), 'skystack-header-'));
    try {
      const path = join(dir, 'h.fits');
      writeFileSync(path, header.toBytes());
      const script = String.raw`
import json, sys
from astropy.io import fits
${PY_TAG}
with fits.open(sys.argv[1]) as hdul:
    hdul.verify('exception')
    rows = [[c.keyword, tag(c.value), c.comment] for c in hdul[0].header.cards]
print(json.dumps(rows))
`;
      const rows = JSON.parse(runPython(script, { args: [path] })) as TaggedCard[];
      const expected = taggedCards(header);
      const actual = rows.map(([k, t, c]) => [k, normaliseTag(t), c]);
      expect(actual).toEqual(expected);
      expect(rows.find((r) => r[0] === 'WHOLEF')![1]).toEqual(['float', '30.0']);
      expect(rows.find((r) => r[0] === 'WHOLE')![1]).toEqual(['int', '30']);
      expect(rows.find((r) => r[0] === 'FLOAT2')![1]).toEqual(['float', '1.2345678901234568e-300']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
