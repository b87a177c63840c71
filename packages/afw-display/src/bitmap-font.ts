// A 5 × 7 bitmap font for printable ASCII (32..126), drawn for this package. Each glyph is seven
// rows, top first, as two hex digits each; bit 4 is the leftmost of the five columns.
const GLYPHS: readonly string[] = [
  '00000000000000', // ' '
  '04040404040004', // !
  '0a0a0000000000', // "
  '0a0a1f0a1f0a0a', // #
  '040f140e051e04', // $
  '18190204081303', // %
  '0814140815120d', // &
  '04040000000000', // '
  '02040808080402', // (
  '08040202020408', // )
  '0004150e150400', // *
  '0004041f040400', // +
  '00000000060408', // ,
  '0000001f000000', // -
  '00000000000606', // .
  '01010204081010', // /
  '0e11131519110e', // 0
  '040c040404040e', // 1
  '0e11010204081f', // 2
  '1f02040201110e', // 3
  '02060a121f0202', // 4
  '1f101e0101110e', // 5
  '0608101e11110e', // 6
  '1f010204080808', // 7
  '0e11110e11110e', // 8
  '0e11110f01020c', // 9
  '00060600060600', // :
  '00060600060408', // ;
  '02040810080402', // <
  '00001f001f0000', // =
  '08040201020408', // >
  '0e110102040004', // ?
  '0e11171517100e', // @
  '0e11111f111111', // A
  '1e11111e11111e', // B
  '0e11101010110e', // C
  '1c12111111121c', // D
  '1f10101e10101f', // E
  '1f10101e101010', // F
  '0e11101711110f', // G
  '1111111f111111', // H
  '0e04040404040e', // I
  '0702020202120c', // J
  '11121418141211', // K
  '1010101010101f', // L
  '111b1515111111', // M
  '11111915131111', // N
  '0e11111111110e', // O
  '1e11111e101010', // P
  '0e11111115120d', // Q
  '1e11111e141211', // R
  '0f10100e01011e', // S
  '1f040404040404', // T
  '1111111111110e', // U
  '11111111110a04', // V
  '1111111515150a', // W
  '11110a040a1111', // X
  '1111110a040404', // Y
  '1f01020408101f', // Z
  '0e08080808080e', // [
  '10100804020101', // backslash
  '0e02020202020e', // ]
  '040a1100000000', // ^
  '0000000000001f', // _
  '08040200000000', // `
  '00000e010f110f', // a
  '1010161911111e', // b
  '00000e1010110e', // c
  '01010d1311110f', // d
  '00000e111f100e', // e
  '0609081c080808', // f
  '000f11110f010e', // g
  '10101619111111', // h
  '04000c0404040e', // i
  '0200060202120c', // j
  '10101214181412', // k
  '0c04040404040e', // l
  '00001a15151111', // m
  '00001619111111', // n
  '00000e1111110e', // o
  '00001e111e1010', // p
  '00000d130f0101', // q
  '00001619101010', // r
  '00000e100e011e', // s
  '08081c08080906', // t
  '0000111111130d', // u
  '00001111110a04', // v
  '0000111115150a', // w
  '0000110a040a11', // x
  '000011110f010e', // y
  '00001f0204081f', // z
  '02040408040402', // {
  '04040404040404', // |
  '08040402040408', // }
  '00000815020000', // ~
];

/** Glyph width in font pixels (without the one-column gap). */
export const GLYPH_WIDTH = 5;
/** Glyph height in font pixels. */
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character in font pixels. */
export const GLYPH_ADVANCE = 6;

const ROWS: Uint8Array = (() => {
  const rows = new Uint8Array(GLYPHS.length * GLYPH_HEIGHT);
  GLYPHS.forEach((hex, g) => {
    for (let r = 0; r < GLYPH_HEIGHT; r++) rows[g * GLYPH_HEIGHT + r] = parseInt(hex.slice(2 * r, 2 * r + 2), 16);
  });
  return rows;
})();

/**
 * Whether font pixel (col, row) of a character is set; characters outside 32..126 draw as '?'.
 *
 * @param code - the character code
 * @param col - 0..4, left to right
 * @param row - 0..6, top to bottom
 * @returns true when the pixel is ink
 */
export function glyphPixel(code: number, col: number, row: number): boolean {
  const g = code >= 32 && code <= 126 ? code - 32 : 63 - 32;
  return ((ROWS[g * GLYPH_HEIGHT + row]! >> (GLYPH_WIDTH - 1 - col)) & 1) === 1;
}

/**
 * The width in output pixels of a string drawn at a scale.
 *
 * @param text - the string
 * @param scale - output pixels per font pixel
 * @returns the width (no trailing gap)
 */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * GLYPH_ADVANCE - 1) * scale;
}
