import { describe, expect, it } from 'vitest';
import { FitsFormatError } from './errors.js';
import { formatTform, parseTform, tformElementBytes, tformWidth } from './tform.js';

// Widths from FITS standard 4.0 Table 18 (bytes per element; X is ⌈r/8⌉ bytes).
describe('parseTform, fixed-width columns', () => {
  it.each([
    ['1L', 'L', 1, 1],
    ['3L', 'L', 3, 3],
    ['1X', 'X', 1, 1],
    ['8X', 'X', 8, 1],
    ['9X', 'X', 9, 2],
    ['114X', 'X', 114, 15],
    ['237X', 'X', 237, 30],
    ['1B', 'B', 1, 1],
    ['5B', 'B', 5, 5],
    ['1I', 'I', 1, 2],
    ['4I', 'I', 4, 8],
    ['1J', 'J', 1, 4],
    ['2J', 'J', 2, 8],
    ['1K', 'K', 1, 8],
    ['K', 'K', 1, 8],
    ['64A', 'A', 64, 64],
    ['A', 'A', 1, 1],
    ['1E', 'E', 1, 4],
    ['10E', 'E', 10, 40],
    ['1D', 'D', 1, 8],
    ['25D', 'D', 25, 200],
    ['1C', 'C', 1, 8],
    ['3C', 'C', 3, 24],
    ['1M', 'M', 1, 16],
    ['2M', 'M', 2, 32],
    ['0J', 'J', 0, 0],
    ['0X', 'X', 0, 0],
  ] as const)('%s is %s × %d, %d bytes per row', (text, type, repeat, width) => {
    const spec = parseTform(text);
    expect(spec).toEqual({ repeat, type, descriptor: null, maxLength: null, additional: '', width });
  });

  it('keeps additional characters after the type code (the rAw substring convention)', () => {
    expect(parseTform('12A4')).toMatchObject({ repeat: 12, type: 'A', additional: '4', width: 12 });
    expect(parseTform('1E15.7')).toMatchObject({ repeat: 1, type: 'E', additional: '15.7', width: 4 });
  });

  it('ignores surrounding spaces and accepts lower case, as astropy does', () => {
    expect(parseTform('  2d  ')).toMatchObject({ repeat: 2, type: 'D', width: 16 });
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(parseTform('1J'))).toBe(true);
  });
});

describe('parseTform, variable-length arrays', () => {
  it.each([
    ['1PB(123)', 'P', 'B', 1, 123, 8],
    ['PB(123)', 'P', 'B', 1, 123, 8],
    ['1PJ', 'P', 'J', 1, null, 8],
    ['1PJ()', 'P', 'J', 1, null, 8],
    ['QD', 'Q', 'D', 1, null, 16],
    ['1QB(16374)', 'Q', 'B', 1, 16374, 16],
    ['1QA(13)', 'Q', 'A', 1, 13, 16],
    ['0PE', 'P', 'E', 0, null, 0],
    ['1pj(5)', 'P', 'J', 1, 5, 8],
    ['1PX(10)', 'P', 'X', 1, 10, 8],
    ['1QM', 'Q', 'M', 1, null, 16],
  ] as const)('%s: %s descriptor of %s', (text, descriptor, type, repeat, maxLength, width) => {
    expect(parseTform(text)).toEqual({ repeat, type, descriptor, maxLength, additional: '', width });
  });
});

describe('parseTform errors', () => {
  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['1Z', /'Z' is not a type code/],
    ['Z', /'Z' is not a type code/],
    ['1.5E', /does not start with a repeat count/],
    ['-1J', /does not start with a repeat count/],
    ['2PJ', /0 or 1 descriptor per row, not 2/],
    ['1P', /P descriptor needs an element type/],
    ['1PZ(3)', /P descriptor needs an element type/],
    ['1QJ(x)', /Q descriptor needs an element type/],
    ['99999999999999999999J', /repeat count .* is too large/],
  ])('rejects %j', (text, message) => {
    let error: unknown;
    try {
      parseTform(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FitsFormatError);
    expect((error as FitsFormatError).code).toBe('FITS_FORMAT');
    expect((error as Error).message).toMatch(message);
  });

  it('names the keyword, file and HDU', () => {
    expect(() => parseTform('7W', { column: 3, file: 'cat.fits', hdu: 1 })).toThrow(
      /^cat\.fits, HDU 1: TFORM3 = '7W' is not a valid binary-table format: 'W' is not a type code\./,
    );
  });
});

describe('formatTform', () => {
  it.each([
    ['1J', '1J'],
    ['J', '1J'],
    ['114X', '114X'],
    ['64A', '64A'],
    ['12A4', '12A4'],
    ['PB(123)', '1PB(123)'],
    ['QD', '1QD'],
    ['0PE', '0PE'],
  ])('%s is written %s', (text, expected) => {
    expect(formatTform(parseTform(text))).toBe(expected);
  });
});

describe('tformElementBytes and tformWidth', () => {
  it('give the standard sizes', () => {
    expect(['L', 'X', 'B', 'I', 'J', 'K', 'A', 'E', 'D', 'C', 'M'].map((t) => tformElementBytes(t as never))).toEqual([
      1, 1, 1, 2, 4, 8, 1, 4, 8, 8, 16,
    ]);
    expect(tformWidth('X', 17)).toBe(3);
    expect(tformWidth('M', 3)).toBe(48);
  });
});
