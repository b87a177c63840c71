import { AfwDisplayInvalidArgumentError } from './errors.js';

/** afw's symbolic colour name for white. @see lsst.afw.display.WHITE */
export const WHITE = 'white';
/** afw's symbolic colour name for black. @see lsst.afw.display.BLACK */
export const BLACK = 'black';
/** afw's symbolic colour name for red. @see lsst.afw.display.RED */
export const RED = 'red';
/** afw's symbolic colour name for green (X11 green, `#00ff00`). @see lsst.afw.display.GREEN */
export const GREEN = 'green';
/** afw's symbolic colour name for blue. @see lsst.afw.display.BLUE */
export const BLUE = 'blue';
/** afw's symbolic colour name for cyan. @see lsst.afw.display.CYAN */
export const CYAN = 'cyan';
/** afw's symbolic colour name for magenta. @see lsst.afw.display.MAGENTA */
export const MAGENTA = 'magenta';
/** afw's symbolic colour name for yellow. @see lsst.afw.display.YELLOW */
export const YELLOW = 'yellow';
/** afw's symbolic colour name for orange. @see lsst.afw.display.ORANGE */
export const ORANGE = 'orange';
/** The "colour" that hides a mask plane. @see lsst.afw.display.IGNORE */
export const IGNORE = 'ignore';

/** An 8-bit RGB colour. */
export interface Rgb {
  /** Red, 0..255. */
  readonly r: number;
  /** Green, 0..255. */
  readonly g: number;
  /** Blue, 0..255. */
  readonly b: number;
}

/** The X11 colours known by name (afw's names first; X11 values, so `green` is `#00ff00` as in ds9). */
const NAMED: Readonly<Record<string, readonly [number, number, number]>> = {
  white: [255, 255, 255],
  black: [0, 0, 0],
  red: [255, 0, 0],
  green: [0, 255, 0],
  blue: [0, 0, 255],
  cyan: [0, 255, 255],
  magenta: [255, 0, 255],
  yellow: [255, 255, 0],
  orange: [255, 165, 0],
  gray: [190, 190, 190],
  grey: [190, 190, 190],
  darkgray: [169, 169, 169],
  darkgrey: [169, 169, 169],
  lightgray: [211, 211, 211],
  lightgrey: [211, 211, 211],
  orchid: [218, 112, 214],
  pink: [255, 192, 203],
  purple: [160, 32, 240],
  brown: [165, 42, 42],
  navy: [0, 0, 128],
  gold: [255, 215, 0],
  steelblue: [70, 130, 180],
  darkgreen: [0, 100, 0],
  firebrick: [178, 34, 34],
};

/** The colour names {@link parseColor} knows (besides `#rrggbb` and `#rgb`). */
export const COLOR_NAMES: readonly string[] = Object.freeze(Object.keys(NAMED));

/**
 * Turns a colour name (X11: `'red'`, `'orchid'`, case-insensitive) or a hex string (`'#ff8800'`,
 * `'#f80'`) into RGB.
 *
 * @param color - the colour
 * @returns the RGB triple
 * @throws {@link AfwDisplayInvalidArgumentError} for an unknown name or malformed hex string
 * @example
 * ```ts
 * parseColor('orange'); // { r: 255, g: 165, b: 0 }
 * parseColor('#0080ff'); // { r: 0, g: 128, b: 255 }
 * ```
 */
export function parseColor(color: string): Rgb {
  const c = color.trim().toLowerCase();
  const named = NAMED[c];
  if (named !== undefined) return { r: named[0], g: named[1], b: named[2] };
  const m6 = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(c);
  if (m6) return { r: parseInt(m6[1]!, 16), g: parseInt(m6[2]!, 16), b: parseInt(m6[3]!, 16) };
  const m3 = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(c);
  if (m3) return { r: 17 * parseInt(m3[1]!, 16), g: 17 * parseInt(m3[2]!, 16), b: 17 * parseInt(m3[3]!, 16) };
  throw new AfwDisplayInvalidArgumentError(`Unknown colour '${color}'; expected an X11 name or '#rrggbb'.`, {
    hint: `Known names: ${COLOR_NAMES.join(', ')}.`,
  });
}
