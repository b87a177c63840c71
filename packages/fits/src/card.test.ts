import { describe, expect, it } from 'vitest';
import { Card, formatFloat, normalizeKeyword } from './card.js';
import { FitsFormatError, FitsKeywordError } from './errors.js';

const pad = (s: string): string => s.padEnd(80);

describe('Card formatting', () => {
  // Expected images: astropy 5.2.1 `str(fits.Card(...))`, where astropy and the standard agree.
  it.each([
    [['FOO', 'abc', 'comment'], "FOO     = 'abc     '           / comment"],
    [['FOO', "it's"], "FOO     = 'it''s   '"],
    [['FOO', true, 'c'], 'FOO     =                    T / c'],
    [['FOO', false], 'FOO     =                    F'],
    [['NAXIS1', 2048, 'length'], 'NAXIS1  =                 2048 / length'],
    [['FOO', -12], 'FOO     =                  -12'],
    [['FOO', 2.5e-5], 'FOO     =              2.5E-05'],
    [['FOO', 0.1], 'FOO     =                  0.1'],
    [['FOO', 1e16], 'FOO     =                1E+16'],
    [['FOO', 123456789.123], 'FOO     =        123456789.123'],
    [['FOO', -0], 'FOO     =                 -0.0'],
    [['ESO DET CHIP', 3, 'chip'], 'HIERARCH ESO DET CHIP = 3 / chip'],
    [['HIERARCH ESO DET NAME', 'CCD-1'], "HIERARCH ESO DET NAME = 'CCD-1   '"],
    [['FOO', 2n ** 63n], 'FOO     =  9223372036854775808'],
    [['DATE-OBS', '2019-06-12T22:48:18.841', 'Date'], "DATE-OBS= '2019-06-12T22:48:18.841' / Date"],
  ] as const)('%s -> %s', (args, image) => {
    const [keyword, value, comment] = args as readonly [string, string | number | bigint | boolean, string?];
    const card = comment === undefined ? new Card(keyword, value) : new Card(keyword, value, comment);
    expect(card.toImages()).toEqual([pad(image)]);
  });

  it('writes integer-valued floats with a decimal point when asked, or when parsed as floats', () => {
    expect(new Card('EXPTIME', 30, undefined, { float: true }).toImages()[0]).toBe(pad('EXPTIME =                 30.0'));
    expect(new Card('EXPTIME', 30).toImages()[0]).toBe(pad('EXPTIME =                   30'));
    const parsed = Card.parse([pad('EXPTIME =                  30.')]);
    expect(parsed.isFloat).toBe(true);
    expect(parsed.withValue(45).toImages()[0]).toBe(pad('EXPTIME =                 45.0'));
  });

  it('writes numbers beyond 2^53 that are not bigints as floats', () => {
    expect(new Card('BIG', 1e300).toImages()[0]).toBe(pad('BIG     =               1E+300'));
    expect(new Card('BIG', 1e300).isFloat).toBe(true);
  });

  it('writes undefined values as a blank value field', () => {
    expect(new Card('FOO', null, 'c').toImages()).toEqual([pad('FOO     =                      / c')]);
    expect(Card.parse(new Card('FOO', null).toImages()).value).toBeNull();
  });

  it('writes commentary cards, splitting text longer than 72 characters', () => {
    expect(new Card('COMMENT', undefined, 'hello').toImages()).toEqual([pad('COMMENT hello')]);
    expect(new Card('HISTORY', 'as value').toImages()).toEqual([pad('HISTORY as value')]);
    expect(new Card('', undefined, '  ---- section ----').toImages()).toEqual([pad('          ---- section ----')]);
    const long = 'x'.repeat(100);
    expect(new Card('COMMENT', undefined, long).toImages()).toEqual([pad(`COMMENT ${'x'.repeat(72)}`), pad(`COMMENT ${'x'.repeat(28)}`)]);
  });

  it('writes long strings with CONTINUE cards and reads them back', () => {
    const value = `${'abcdefghij'.repeat(15)} it's done`;
    const card = new Card('LONGSTR', value);
    const images = card.toImages();
    expect(images).toHaveLength(3);
    expect(images.every((i) => i.length === 80)).toBe(true);
    expect(images[0]!.startsWith("LONGSTR = 'abcdefghij")).toBe(true);
    expect(images[0]!.endsWith("&'")).toBe(true);
    expect(images[1]!.startsWith("CONTINUE  '")).toBe(true);
    expect(images[2]!.trimEnd().endsWith("it''s done'")).toBe(true);
    const back = Card.parse(images);
    expect(back.value).toBe(value);
    expect(back.comment).toBeUndefined();
  });

  it('puts the comment of a long string on trailing CONTINUE cards (astropy layout)', () => {
    const comment = 'word '.repeat(20).trim();
    const card = new Card('LONGSTR', 'v'.repeat(70), comment);
    const images = card.toImages();
    expect(images.slice(-2).map((i) => i.slice(0, 16))).toEqual(["CONTINUE  '&' / ", "CONTINUE  '' / w"]);
    const back = Card.parse(images);
    expect(back.value).toBe('v'.repeat(70));
    expect(back.comment).toBe(comment);
  });

  it('never splits an escaped quote between two CONTINUE cards', () => {
    for (let n = 60; n < 75; n++) {
      const value = `${'a'.repeat(n)}''''b'${'c'.repeat(80)}`;
      const images = new Card('Q', value).toImages();
      for (const image of images.slice(0, -1)) expect(/[^']'(?:'')*&'\s*$/.test(image)).toBe(false);
      expect(Card.parse(images).value).toBe(value);
    }
  });

  it('uses HIERARCH for long or spaced keywords, and CONTINUE for their long strings', () => {
    const card = new Card('ESO INS OPTI NAME', 'n'.repeat(100), 'optics');
    expect(card.isHierarch).toBe(true);
    const images = card.toImages();
    expect(images[0]!.startsWith("HIERARCH ESO INS OPTI NAME = 'nnn")).toBe(true);
    const back = Card.parse(images);
    expect(back.keyword).toBe('ESO INS OPTI NAME');
    expect(back.value).toBe('n'.repeat(100));
    expect(back.comment).toBe('optics');
    expect(new Card('LONGKEYWORD', 1).toImages()[0]).toBe(pad('HIERARCH LONGKEYWORD = 1'));
  });

  it('rejects what FITS cannot hold', () => {
    expect(() => new Card('FOO', 'caf\u00e9')).toThrow(FitsKeywordError);
    expect(() => new Card('FOO', 1, 'tab\there')).toThrow(FitsKeywordError);
    expect(() => new Card('A=B', 1)).toThrow(FitsKeywordError);
    expect(() => new Card('FOO', Number.NaN)).toThrow(/NaN/);
    expect(() => new Card('FOO', Number.POSITIVE_INFINITY)).toThrow(FitsKeywordError);
    expect(() => new Card('COMMENT', 3)).toThrow(FitsKeywordError);
    expect(() => new Card('FOO', 1).toImages()).not.toThrow();
    expect(() => new Card('K'.repeat(75), 1).toImages()).toThrow(FitsKeywordError);
  });

  it('returns the raw images of parsed cards unchanged', () => {
    const image = 'FOO     =     1 / odd spacing, still kept';
    expect(Card.parse([image]).toImages()).toEqual([pad(image)]);
    expect(Card.parse([image]).raw).toEqual([pad(image)]);
    expect(new Card('FOO', 1).raw).toBeUndefined();
  });
});

describe('formatFloat', () => {
  // Expected: Python's repr (shortest round trip), with an upper-case E.
  it.each([
    [1.0, '1.0'],
    [0.1, '0.1'],
    [2.5e-5, '2.5E-05'],
    [1e16, '1E+16'],
    [1e15, '1000000000000000.0'],
    [1e-5, '1E-05'],
    [0.0001, '0.0001'],
    [123456789012345.6, '123456789012345.6'],
    [1.2345678901234567e-300, '1.2345678901234568E-300'],
    [-0, '-0.0'],
    [0, '0.0'],
    [5e-324, '5E-324'],
    [1.7976931348623157e308, '1.7976931348623157E+308'],
    [3e-7, '3E-07'],
    [-1.5e100, '-1.5E+100'],
    [9007199254740993, '9007199254740992.0'],
    [1 / 3, '0.3333333333333333'],
    [6.02214076e23, '6.02214076E+23'],
  ])('%s -> %s', (x, text) => {
    expect(formatFloat(x)).toBe(text);
  });

  it('round-trips random doubles exactly and always reads back as a float', () => {
    const view = new DataView(new ArrayBuffer(8));
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 20000; i++) {
      view.setUint32(0, next());
      view.setUint32(4, next());
      const x = view.getFloat64(0);
      if (!Number.isFinite(x)) continue;
      const text = formatFloat(x);
      expect(Number(text)).toBe(x);
      expect(/[.E]/.test(text)).toBe(true);
      const card = Card.parse(new Card('X', x, undefined, { float: true }).toImages());
      expect(card.value).toBe(x);
      expect(card.isFloat).toBe(true);
    }
  });
});

describe('Card.parse', () => {
  const value = (image: string): unknown => Card.parse([image]).value;

  it('reads exponents without a decimal point and D exponents as floats', () => {
    const card = Card.parse(['INR-STR =                2E-05']);
    expect(card.value).toBe(2e-5);
    expect(card.isFloat).toBe(true);
    expect(value('FOO     =              1.5D+03')).toBe(1500);
    expect(value('FOO     =               -1.5d-3')).toBe(-0.0015);
    expect(value('FOO     =                  .5 ')).toBe(0.5);
    expect(value('FOO     =                 +3. ')).toBe(3);
  });

  it('reads integers, big integers, logicals and undefined values', () => {
    expect(value('NAXIS   =                    2')).toBe(2);
    expect(Card.parse(['NAXIS   =                    2']).isFloat).toBe(false);
    expect(value('FOO     =                   +7')).toBe(7);
    expect(value('FOO     =                  -0')).toBe(0);
    expect(value('FOO     =  9223372036854775807')).toBe(9223372036854775807n);
    expect(value('FOO     = -9007199254740993')).toBe(-9007199254740993n);
    expect(value('FOO     =     9007199254740991')).toBe(9007199254740991);
    expect(value('SIMPLE  =                    T')).toBe(true);
    expect(value('FOO     =                    F / no')).toBe(false);
    expect(value('FOO     =                      / undefined')).toBeNull();
    expect(value('FOO     =')).toBeNull();
  });

  it('reads strings: quotes unescaped, trailing blanks dropped, leading blanks kept', () => {
    expect(value("FOO     = 'it''s a / test'  / comment")).toBe("it's a / test");
    expect(Card.parse(["FOO     = 'it''s a / test'  / comment"]).comment).toBe('comment');
    expect(value("FOO     = '  lead   '")).toBe('  lead');
    expect(value("FOO     = ''")).toBe('');
    expect(value("FOO     = '        '")).toBe('');
    expect(value("FOO     = ''''")).toBe("'");
    expect(Card.parse(["FOO     = 'abc'/tight"]).comment).toBe('tight');
    expect(Card.parse(["FOO     = 'abc'"]).comment).toBeUndefined();
    expect(Card.parse(['FOO     = 1 /']).comment).toBe('');
  });

  it('is lenient like cfitsio and astropy', () => {
    expect(value("FOO     = 'unterminated   ")).toBe('unterminated');
    expect(value('FOO     = (1.0, 2.0) / complex')).toBe('(1.0, 2.0)');
    expect(value('FOO     = bare / word')).toBe('bare');
    const early = Card.parse(['DATE= 5']);
    expect(early.keyword).toBe('DATE');
    expect(early.value).toBe(5);
    const lower = Card.parse(['naxis   =                    2']);
    expect(lower.keyword).toBe('NAXIS');
  });

  it('reads commentary cards', () => {
    const comment = Card.parse(["COMMENT   FITS (Flexible Image Transport System) format is defined in 'Astronomy"]);
    expect(comment.isCommentary).toBe(true);
    expect(comment.keyword).toBe('COMMENT');
    expect(comment.value).toBeUndefined();
    expect(comment.comment).toBe("  FITS (Flexible Image Transport System) format is defined in 'Astronomy");
    const blank = Card.parse(['         ---- Date, night and basic image information ----']);
    expect(blank.keyword).toBe('');
    expect(blank.comment).toBe(' ---- Date, night and basic image information ----');
    const history = Card.parse(['HISTORY = not a value']);
    expect(history.isCommentary).toBe(true);
    expect(history.comment).toBe('= not a value');
    const novalue = Card.parse(['FOO     bar']);
    expect(novalue.isCommentary).toBe(true);
    expect(novalue.comment).toBe('bar');
    const orphan = Card.parse(["CONTINUE  'orphan'"]);
    expect(orphan.isCommentary).toBe(true);
    expect(orphan.keyword).toBe('CONTINUE');
  });

  it('reads HIERARCH cards, keeping the case of the name', () => {
    const card = Card.parse(['HIERARCH ESO DET CHIP1 ID = \'ccd1\'   / chip id']);
    expect(card.isHierarch).toBe(true);
    expect(card.keyword).toBe('ESO DET CHIP1 ID');
    expect(card.value).toBe('ccd1');
    expect(card.comment).toBe('chip id');
    const mixed = Card.parse(['HIERARCH base_CircularApertureFlux_radii = 3.0 / radius']);
    expect(mixed.keyword).toBe('base_CircularApertureFlux_radii');
    expect(mixed.value).toBe(3);
    expect(Card.parse(['HIERARCH A B= 2']).value).toBe(2);
  });

  it('joins a long string and its CONTINUE cards as astropy does', () => {
    const images = [
      "TTYPE9  = 'deblend_nPeaks&'    / Number of initial peaks in the blend. This incl",
      "CONTINUE  '&'                  / udes peaks that may have been culled during deb",
      "CONTINUE  ''                   / lending or failed to deblend",
    ];
    const card = Card.parse(images);
    expect(card.value).toBe('deblend_nPeaks');
    // astropy 5.2.1 gives this comment (parts joined with a blank).
    expect(card.comment).toBe(
      'Number of initial peaks in the blend. This incl udes peaks that may have been culled during deb lending or failed to deblend',
    );
    expect(card.raw).toEqual(images.map(pad));
    expect(card.toImages()).toEqual(images.map(pad));
    const quoted = Card.parse([
      "TDOC76  = 'PSF-corrected shear using Hirata & Seljak (2003) ''regaussianizatio&'",
      "CONTINUE  'n'' method (+ component of ellipticity)'",
    ]);
    expect(quoted.value).toBe("PSF-corrected shear using Hirata & Seljak (2003) 'regaussianization' method (+ component of ellipticity)");
  });

  it('keeps a trailing & of a string that is not continued', () => {
    expect(value("FOO     = 'A&'")).toBe('A&');
  });

  it('rejects images that are not cards', () => {
    expect(() => Card.parse([])).toThrow(FitsFormatError);
    expect(() => Card.parse(['X'.repeat(81)])).toThrow(FitsFormatError);
    expect(() => Card.parse(['FOO     = \u00e9'])).toThrow(FitsFormatError);
    expect(() => Card.parse(["FOO     = 'a&'", 'BAR     = 1'])).toThrow(/not a CONTINUE card/);
    expect(() => Card.parse(['FOO     = 1', "CONTINUE  'a'"])).toThrow(/no string value/);
    expect(() => Card.parse(['COMMENT x', "CONTINUE  'a'"])).toThrow(FitsFormatError);
  });
});

describe('Card.spanAt', () => {
  it('counts the CONTINUE images that continue a string ending in &', () => {
    const images = [
      "A       = 'x&'",
      "CONTINUE  'y&'",
      "CONTINUE  'z'",
      "CONTINUE  'orphan'",
      "B       = 'not continued'",
      "CONTINUE  'orphan too'",
    ].map(pad);
    expect(Card.spanAt(images, 0)).toBe(3);
    expect(Card.spanAt(images, 3)).toBe(1);
    expect(Card.spanAt(images, 4)).toBe(1);
    expect(Card.spanAt(images, 5)).toBe(1);
  });
});

describe('normalizeKeyword', () => {
  it('upper-cases, trims and drops a HIERARCH prefix, keeping inner blanks', () => {
    expect(normalizeKeyword(' naxis1 ')).toBe('NAXIS1');
    expect(normalizeKeyword('hierarch ESO det  chip')).toBe('ESO DET  CHIP');
    expect(normalizeKeyword('ESO DET CHIP')).toBe('ESO DET CHIP');
  });
});
