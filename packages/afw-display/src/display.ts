import { Exposure, ImageBase, Mask, MaskedImage, type AnyPixelArray, type Image, type ImageOrigin, type PixelArray } from '@skystack/afw-image';
import { textWidth, GLYPH_HEIGHT } from './bitmap-font.js';
import { BLUE, CYAN, GREEN, IGNORE, MAGENTA, ORANGE, RED, YELLOW, parseColor, type Rgb } from './color.js';
import { AfwDisplayInvalidArgumentError, AfwDisplayStateError } from './errors.js';
import { RgbRaster } from './raster.js';
import { makeStretch, type Stretch, type StretchAlgorithm } from './stretch.js';
import { writeFileAtomic } from './write-atomic.js';
import { zscale, type ScaleLimits } from './zscale.js';

/** What {@link Display.mtv} shows: an exposure or masked image (image + mask overlay), an image, or a mask. */
export type DisplayData = Exposure<PixelArray> | MaskedImage<PixelArray> | Image<PixelArray> | Mask;

/**
 * afw.display's default mask plane colours (`Display._defaultMaskPlaneColor`), including the
 * old plane names `SAT` and `INTRP` that afw-image masks use.
 *
 * @see lsst.afw.display.Display.getMaskPlaneColor
 */
export const DEFAULT_MASK_PLANE_COLORS: Readonly<Record<string, string>> = Object.freeze({
  BAD: RED,
  CR: MAGENTA,
  EDGE: YELLOW,
  INTERPOLATED: GREEN,
  SATURATED: GREEN,
  DETECTED: BLUE,
  DETECTED_NEGATIVE: CYAN,
  SUSPECT: YELLOW,
  NO_DATA: ORANGE,
  INTRP: GREEN,
  SAT: GREEN,
});

/** The colours given, in bit order, to mask planes without one (afw's `maskColorGenerator(omitBW=True)`). */
const GENERATED_COLORS = [RED, GREEN, BLUE, CYAN, MAGENTA, YELLOW, ORANGE];

/** The default mask transparency in percent (display_matplotlib's 0.7). */
const DEFAULT_TRANSPARENCY = 70;

/** Options of a {@link Display}. */
export interface DisplayOptions {
  /** Downsample by this integer factor, averaging `bin × bin` blocks (NaNs skipped) and OR-ing mask bits (default 1). */
  readonly bin?: number;
  /** Put PARENT y increasing upwards in the PNG, as ds9 and afw show images (default true); false puts row 0 at the top. */
  readonly flipY?: boolean;
  /** The colour of NaN pixels (default `'black'`). */
  readonly nanColor?: string;
  /** Draw the `mtv` title in a band above the image (default true; the title is also stored in the PNG's `Title` text chunk). */
  readonly showTitle?: boolean;
}

/** Options of {@link Display.mtv}. */
export interface MtvOptions {
  /** A title for the frame. */
  readonly title?: string;
}

/** Options of {@link Display.scale}. */
export interface ScaleOptions {
  /** The asinh softening parameter (default 8). */
  readonly Q?: number;
  /** The log stretch steepness (default 1000). */
  readonly a?: number;
  /** zscale: the number of samples (default 1000). */
  readonly nSamples?: number;
  /** zscale: the contrast (default 0.25). */
  readonly contrast?: number;
}

/** Options of {@link Display.dot}. */
export interface DotOptions {
  /** The symbol size in image pixels (default 2): the half-length of `+`, the radius of `o`. */
  readonly size?: number;
  /** The colour (default `'green'`, as afw). */
  readonly ctype?: string;
  /** The coordinate system of the position (default `'PARENT'`). */
  readonly origin?: ImageOrigin;
}

/** Options of {@link Display.line}. */
export interface LineOptions {
  /** The colour (default `'green'`). */
  readonly ctype?: string;
  /** The coordinate system of the points (default `'PARENT'`). */
  readonly origin?: ImageOrigin;
}

/** A position in a PNG: column, and row from the top, with pixel centres at integers. */
export interface PngPosition {
  /** Column. */
  readonly x: number;
  /** Row from the top. */
  readonly y: number;
}

/** An 8-bit RGB picture: `width × height` pixels, RGB interleaved, row 0 at the top. */
export interface RgbImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** RGB bytes, row-major from the top-left. */
  readonly data: Uint8Array;
}

type Glyph =
  | { readonly kind: 'path'; readonly xs: Float64Array; readonly ys: Float64Array; readonly closed: boolean; readonly color: Rgb }
  | { readonly kind: 'point'; readonly x: number; readonly y: number; readonly color: Rgb }
  | { readonly kind: 'text'; readonly x: number; readonly y: number; readonly text: string; readonly color: Rgb };

type LimitsSpec = 'zscale' | 'minmax' | ScaleLimits;

const ALGORITHMS: readonly StretchAlgorithm[] = ['linear', 'asinh', 'log', 'sqrt'];
const TITLE_BAND = GLYPH_HEIGHT + 4;

function pixelSource(image: ImageBase<AnyPixelArray>, bin: number): { data: ArrayLike<number>; stride: number; width: number; height: number } {
  const { data, width, height, stride } = image.array;
  if (bin === 1) return { data, stride, width, height };
  const bw = Math.ceil(width / bin);
  const bh = Math.ceil(height / bin);
  const out = new Float32Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    const yEnd = Math.min(height, (by + 1) * bin);
    for (let bx = 0; bx < bw; bx++) {
      const xEnd = Math.min(width, (bx + 1) * bin);
      let sum = 0;
      let n = 0;
      for (let y = by * bin; y < yEnd; y++) {
        const row = y * stride;
        for (let x = bx * bin; x < xEnd; x++) {
          const v = data[row + x]!;
          if (v === v) {
            sum += v;
            n++;
          }
        }
      }
      out[by * bw + bx] = n > 0 ? sum / n : NaN;
    }
  }
  return { data: out, stride: bw, width: bw, height: bh };
}

function maskSource(mask: Mask, bin: number): { data: Int32Array; stride: number } {
  const { data, width, height, stride } = mask.array;
  if (bin === 1) return { data, stride };
  const bw = Math.ceil(width / bin);
  const bh = Math.ceil(height / bin);
  const out = new Int32Array(bw * bh);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const orow = Math.floor(y / bin) * bw;
    for (let x = 0; x < width; x++) out[orow + Math.floor(x / bin)]! |= data[row + x]!;
  }
  return { data: out, stride: bw };
}

/** Semi-axes and position angle (radians from +x towards +y) of the ellipse with moments (Mxx, Mxy, Myy). */
function momentsToAxes(mxx: number, mxy: number, myy: number): { a: number; b: number; theta: number } {
  const half = 0.5 * (mxx + myy);
  const r = Math.hypot(0.5 * (mxx - myy), mxy);
  return { a: Math.sqrt(half + r), b: Math.sqrt(Math.max(0, half - r)), theta: 0.5 * Math.atan2(2 * mxy, mxx - myy) };
}

/**
 * An image display that renders to PNG: afw.display's `Display` for a world without ds9. Load
 * pixels with {@link Display.mtv}, choose a stretch with {@link Display.scale}, overlay markers
 * with {@link Display.dot} and {@link Display.line}, and write the frame with
 * {@link Display.writePng} (or get the bytes with {@link Display.toPng}).
 *
 * Positions are PARENT pixel coordinates (pixel centres at integers, `xy0` included) unless
 * `origin: 'LOCAL'` is given. By default the PNG is flipped so that y increases upwards, as ds9
 * and afw's matplotlib backend show images (`origin='lower'`); `flipY: false` puts LOCAL row 0
 * at the top of the PNG instead. Mask planes are drawn over the image in their colours; where
 * several planes are set the lowest-numbered shown plane wins (display_matplotlib's fast mask
 * display), blended as `alpha · colour + (1 − alpha) · grey` with `alpha = 1 − transparency/100`.
 *
 * @example
 * ```ts
 * const display = new Display({ bin: 2 });
 * display.scale('asinh', 'zscale', { Q: 8 });
 * display.setMaskTransparency(60);
 * display.mtv(calexp, { title: 'calexp 903334/22' });
 * for (const s of sources) display.dot('o', s.x, s.y, { size: 10, ctype: 'orange' });
 * await display.writePng('calexp.png');
 * ```
 * @see lsst.afw.display.Display
 */
export class Display {
  readonly #bin: number;
  readonly #flipY: boolean;
  readonly #nanColor: Rgb;
  readonly #showTitle: boolean;
  #image: Image<PixelArray> | null = null;
  #mask: Mask | null = null;
  #x0 = 0;
  #y0 = 0;
  #width = 0;
  #height = 0;
  #title = '';
  #algorithm: StretchAlgorithm = 'linear';
  #limits: LimitsSpec = 'minmax';
  #scaleOptions: ScaleOptions = {};
  readonly #transparency = new Map<string | null, number>([[null, DEFAULT_TRANSPARENCY]]);
  readonly #colors = new Map<string, string>();
  #glyphs: Glyph[] = [];

  /**
   * Makes a display.
   *
   * @param options - binning, orientation, NaN colour, title band
   * @throws {@link AfwDisplayInvalidArgumentError} when `bin` is not a positive integer or `nanColor` is unknown
   */
  constructor(options: DisplayOptions = {}) {
    const bin = options.bin ?? 1;
    if (!Number.isSafeInteger(bin) || bin < 1) {
      throw new AfwDisplayInvalidArgumentError(`Display: bin must be a positive integer; got ${String(bin)}.`);
    }
    this.#bin = bin;
    this.#flipY = options.flipY ?? true;
    this.#nanColor = parseColor(options.nanColor ?? 'black');
    this.#showTitle = options.showTitle ?? true;
  }

  /**
   * Sets the stretch from pixel values to grey levels; it applies to the current image and to
   * later {@link Display.mtv} calls. Limits are `'zscale'` ({@link zscale}), `'minmax'` (the
   * finite extremes), or explicit `min, max`. Limits are computed on the pixels shown, i.e. after
   * binning. For `'asinh'`, the limits give afw's `minimum` and `dataRange = max − min`
   * (see {@link asinhStretch}), so `scale('asinh', 'zscale', { Q: 8 })` is afw's
   * `AsinhZScaleMapping`.
   *
   * @param algorithm - `'linear'`, `'asinh'`, `'log'` or `'sqrt'`
   * @param min - `'zscale'`, `'minmax'`, or the lower limit (then give `max`)
   * @param maxOrOptions - the upper limit, or the options when `min` is `'zscale'` / `'minmax'`
   * @param options - `Q` (asinh), `a` (log), `nSamples` and `contrast` (zscale)
   * @returns this display
   * @throws {@link AfwDisplayInvalidArgumentError} for an unknown algorithm, a number `min` without `max`, or `max` with zscale/minmax
   * @example
   * ```ts
   * display.scale('linear', 'zscale');
   * display.scale('asinh', -10, 200, { Q: 10 });
   * ```
   * @see lsst.afw.display.Display.scale
   */
  scale(algorithm: StretchAlgorithm, min: 'zscale' | 'minmax' | number, maxOrOptions?: number | ScaleOptions, options: ScaleOptions = {}): this {
    if (!ALGORITHMS.includes(algorithm)) {
      throw new AfwDisplayInvalidArgumentError(`Unsupported stretch algorithm '${String(algorithm)}'; expected ${ALGORITHMS.join(', ')}.`);
    }
    if (min === 'zscale' || min === 'minmax') {
      if (typeof maxOrOptions === 'number') {
        throw new AfwDisplayInvalidArgumentError(`You may not specify "${min}" and max (got max=${maxOrOptions}).`);
      }
      this.#limits = min;
      this.#scaleOptions = maxOrOptions ?? {};
    } else if (typeof min === 'number') {
      if (typeof maxOrOptions !== 'number') {
        throw new AfwDisplayInvalidArgumentError(`Please specify max: scale('${algorithm}', ${min}) needs an upper limit.`);
      }
      if (!(maxOrOptions > min) || !Number.isFinite(min) || !Number.isFinite(maxOrOptions)) {
        throw new AfwDisplayInvalidArgumentError(`scale: need finite min < max; got min=${min}, max=${maxOrOptions}.`);
      }
      this.#limits = { min, max: maxOrOptions };
      this.#scaleOptions = options;
    } else {
      throw new AfwDisplayInvalidArgumentError(`scale: min must be 'zscale', 'minmax' or a number; got ${String(min)}.`);
    }
    this.#algorithm = algorithm;
    return this;
  }

  /**
   * Shows an exposure, masked image, image or mask, replacing what was shown and erasing the
   * overlays (as afw's matplotlib backend does). An exposure or masked image shows its image
   * plane with the mask planes overlaid; a mask alone is drawn over black.
   *
   * @param data - what to show
   * @param options - the title
   * @throws {@link AfwDisplayInvalidArgumentError} for an unsupported type
   * @example
   * ```ts
   * display.mtv(exposure, { title: 'calexp' });
   * ```
   * @see lsst.afw.display.Display.mtv
   */
  mtv(data: DisplayData, options: MtvOptions = {}): void {
    let image: Image<PixelArray> | null = null;
    let mask: Mask | null = null;
    if (data instanceof Exposure) {
      image = data.image;
      mask = data.mask;
    } else if (data instanceof MaskedImage) {
      image = data.image;
      mask = data.mask;
    } else if (data instanceof Mask) {
      mask = data;
    } else if (data instanceof ImageBase) {
      image = data as Image<PixelArray>;
    } else {
      throw new AfwDisplayInvalidArgumentError(`mtv: unsupported type ${Object.prototype.toString.call(data)}; expected an Exposure, MaskedImage, Image or Mask.`);
    }
    const base: ImageBase<AnyPixelArray> = image ?? mask!;
    this.#image = image;
    this.#mask = mask;
    this.#x0 = base.getX0();
    this.#y0 = base.getY0();
    this.#width = base.width;
    this.#height = base.height;
    this.#title = options.title ?? '';
    this.#glyphs = [];
  }

  /**
   * Removes the overlays (dots, lines, text); the image stays.
   *
   * @see lsst.afw.display.Display.erase
   */
  erase(): void {
    this.#glyphs = [];
  }

  /**
   * Sets the mask transparency in percent (0 opaque … 100 invisible), for all planes or one.
   * Values outside 0..100 are clipped, as afw does.
   *
   * @param transparency - percent, or a record `{ plane: percent }`
   * @param name - the plane (default: all planes without their own setting)
   * @throws {@link AfwDisplayInvalidArgumentError} for a non-finite value
   * @example
   * ```ts
   * display.setMaskTransparency(50);
   * display.setMaskTransparency({ DETECTED: 80 });
   * ```
   * @see lsst.afw.display.Display.setMaskTransparency
   */
  setMaskTransparency(transparency: number | Readonly<Record<string, number>>, name?: string): void {
    if (typeof transparency === 'object') {
      for (const [k, v] of Object.entries(transparency)) this.setMaskTransparency(v, k);
      return;
    }
    if (!Number.isFinite(transparency)) {
      throw new AfwDisplayInvalidArgumentError(`Mask transparency must be a number in [0, 100]; got ${String(transparency)}.`);
    }
    this.#transparency.set(name ?? null, Math.min(100, Math.max(0, transparency)));
  }

  /**
   * The mask transparency of a plane, or the general one.
   *
   * @param name - the plane (default: the general setting)
   * @returns percent
   * @see lsst.afw.display.Display.getMaskTransparency
   */
  getMaskTransparency(name?: string): number {
    return this.#transparency.get(name ?? null) ?? this.#transparency.get(null)!;
  }

  /**
   * Sets the colour of a mask plane (any colour {@link parseColor} accepts, or `'ignore'` to hide it).
   *
   * @param name - the plane, or a record `{ plane: colour }`
   * @param color - the colour (when `name` is a string)
   * @throws {@link AfwDisplayInvalidArgumentError} for an unknown colour or a missing one
   * @example
   * ```ts
   * display.setMaskPlaneColor('DETECTED', 'orchid');
   * display.setMaskPlaneColor({ EDGE: IGNORE, SAT: 'red' });
   * ```
   * @see lsst.afw.display.Display.setMaskPlaneColor
   */
  setMaskPlaneColor(name: string | Readonly<Record<string, string>>, color?: string): void {
    if (typeof name === 'object') {
      for (const [k, v] of Object.entries(name)) this.setMaskPlaneColor(k, v);
      return;
    }
    if (color === undefined) throw new AfwDisplayInvalidArgumentError(`setMaskPlaneColor('${name}') needs a colour.`);
    if (color.toLowerCase() !== IGNORE) parseColor(color);
    this.#colors.set(name, color);
  }

  /**
   * The colour of a mask plane: the one set with {@link Display.setMaskPlaneColor}, else afw's
   * default ({@link DEFAULT_MASK_PLANE_COLORS}); undefined when neither exists (such planes get
   * colours in bit order when drawn). Without a name, the colours set on this display.
   *
   * @param name - the plane
   * @returns the colour name
   * @see lsst.afw.display.Display.getMaskPlaneColor
   */
  getMaskPlaneColor(name: string): string | undefined;
  /**
   * The colours set on this display with {@link Display.setMaskPlaneColor}.
   *
   * @returns plane → colour
   */
  getMaskPlaneColor(): Record<string, string>;
  getMaskPlaneColor(name?: string): string | undefined | Record<string, string> {
    if (name === undefined) return Object.fromEntries(this.#colors);
    return this.#colors.get(name) ?? DEFAULT_MASK_PLANE_COLORS[name];
  }

  /**
   * Draws a symbol: `'+'`, `'x'`, `'*'` (three crossed lines), `'o'` (a circle of radius
   * `size`), `'.'` (one PNG pixel), `'@:Mxx,Mxy,Myy'` (the ellipse with those second moments,
   * semi-axes the square roots of the eigenvalues; `size` ignored), or any other string, drawn
   * as text centred on the position.
   *
   * @param symbol - the symbol (a number is drawn as text)
   * @param x - column (PARENT unless `origin: 'LOCAL'`)
   * @param y - row
   * @param options - `size` (image pixels, default 2), `ctype` (default green), `origin`
   * @throws {@link AfwDisplayInvalidArgumentError} for an unknown colour or malformed moments
   * @example
   * ```ts
   * display.dot('+', 1023.4, 511.9, { size: 5, ctype: 'red' });
   * display.dot(`@:${ixx},${ixy},${iyy}`, x, y, { ctype: 'cyan' });
   * ```
   * @see lsst.afw.display.Display.dot
   */
  dot(symbol: string | number, x: number, y: number, options: DotOptions = {}): void {
    const symb = typeof symbol === 'number' ? String(Math.trunc(symbol)) : symbol;
    const size = options.size ?? 2;
    const color = parseColor(options.ctype ?? GREEN);
    const [c, r] = this.#toLocal(x, y, options.origin);
    const path = (xs: number[], ys: number[], closed = false): void => {
      this.#glyphs.push({ kind: 'path', xs: Float64Array.from(xs), ys: Float64Array.from(ys), closed, color });
    };
    const ellipse = (a: number, b: number, theta: number): void => {
      const n = Math.min(720, Math.max(24, Math.ceil(2 * Math.PI * Math.max(a, b))));
      const xs: number[] = [];
      const ys: number[] = [];
      const ct = Math.cos(theta);
      const st = Math.sin(theta);
      for (let i = 0; i < n; i++) {
        const phi = (2 * Math.PI * i) / n;
        const u = a * Math.cos(phi);
        const v = b * Math.sin(phi);
        xs.push(c + u * ct - v * st);
        ys.push(r + u * st + v * ct);
      }
      path(xs, ys, true);
    };
    if (symb.startsWith('@:')) {
      const m = /^@:([^,]+),([^,]+),([^,]+)$/.exec(symb);
      const vals = m ? [m[1], m[2], m[3]].map(Number) : [];
      const [mxx, mxy, myy] = vals as [number, number, number];
      if (!m || !vals.every(Number.isFinite) || mxx < 0 || myy < 0 || mxx * myy - mxy * mxy < -1e-12 * (mxx * myy)) {
        throw new AfwDisplayInvalidArgumentError(`dot: '${symb}' is not a valid moments symbol; expected '@:Mxx,Mxy,Myy' with a positive semi-definite matrix.`);
      }
      const { a, b, theta } = momentsToAxes(mxx, mxy, myy);
      ellipse(a, b, theta);
      return;
    }
    switch (symb) {
      case '+':
        path([c, c], [r + size, r - size]);
        path([c - size, c + size], [r, r]);
        return;
      case 'x': {
        const s = size / Math.SQRT2;
        path([c + s, c - s], [r + s, r - s]);
        path([c - s, c + s], [r + s, r - s]);
        return;
      }
      case '*': {
        const s30 = 0.5 * size;
        const s60 = 0.5 * Math.sqrt(3) * size;
        path([c + size, c - size], [r, r]);
        path([c - s30, c + s30], [r + s60, r - s60]);
        path([c + s30, c - s30], [r + s60, r - s60]);
        return;
      }
      case 'o':
        ellipse(size, size, 0);
        return;
      case '.':
        this.#glyphs.push({ kind: 'point', x: c, y: r, color });
        return;
      default:
        this.#glyphs.push({ kind: 'text', x: c, y: r, text: symb, color });
    }
  }

  /**
   * Connects points with straight lines.
   *
   * @param points - `[x, y]` pairs (PARENT unless `origin: 'LOCAL'`)
   * @param options - `ctype` (default green), `origin`
   * @throws {@link AfwDisplayInvalidArgumentError} for an unknown colour
   * @example
   * ```ts
   * display.line([[0, 0], [100, 100], [200, 0]], { ctype: 'red' });
   * ```
   * @see lsst.afw.display.Display.line
   */
  line(points: ReadonlyArray<readonly [number, number]>, options: LineOptions = {}): void {
    const color = parseColor(options.ctype ?? GREEN);
    if (points.length === 0) return;
    const xs = new Float64Array(points.length);
    const ys = new Float64Array(points.length);
    points.forEach(([x, y], i) => {
      [xs[i], ys[i]] = this.#toLocal(x, y, options.origin);
    });
    this.#glyphs.push({ kind: 'path', xs, ys, closed: false, color });
  }

  /**
   * The stretch the current image is drawn with (limits resolved for `'zscale'` / `'minmax'`).
   *
   * @returns the stretch
   * @throws {@link AfwDisplayStateError} when zscale/minmax limits are needed and no image is loaded
   * @example
   * ```ts
   * display.scale('linear', 'zscale');
   * display.mtv(image);
   * const { min, max } = display.getStretch();
   * ```
   */
  getStretch(): Stretch {
    if (!this.#image) {
      if (typeof this.#limits === 'object') return makeStretch(this.#algorithm, this.#limits.min, this.#limits.max, this.#scaleOptions);
      throw new AfwDisplayStateError(`'${this.#limits}' limits need an image; call mtv() with an image first.`);
    }
    return this.#stretchFor(pixelSource(this.#image, this.#bin));
  }

  /**
   * Where a position lands in the PNG: column and row (from the top) of the PNG pixel grid,
   * with pixel centres at integers, after xy0, binning, the flip and the title band.
   *
   * @param x - column (PARENT unless `origin` is `'LOCAL'`)
   * @param y - row
   * @param origin - the coordinate system (default `'PARENT'`)
   * @returns the PNG position `{ x, y }` (round to get the pixel)
   * @example
   * ```ts
   * const p = display.pngPosition(source.x, source.y);
   * ```
   */
  pngPosition(x: number, y: number, origin: ImageOrigin = 'PARENT'): PngPosition {
    const [c, r] = this.#toLocal(x, y, origin);
    return this.#localToPng(c, r);
  }

  /**
   * Renders the frame: the stretched image, the mask overlay, the title band and the overlays.
   *
   * @returns the RGB picture
   * @throws {@link AfwDisplayStateError} when nothing has been shown with {@link Display.mtv}
   * @example
   * ```ts
   * const { width, height, data } = display.toRgb();
   * ```
   */
  toRgb(): RgbImage {
    return this.#render();
  }

  /**
   * Encodes the frame as an 8-bit RGB PNG (with the title, if any, in a `Title` text chunk).
   *
   * @returns the PNG bytes
   * @throws {@link AfwDisplayStateError} when nothing has been shown
   * @example
   * ```ts
   * const bytes = display.toPng();
   * ```
   */
  toPng(): Uint8Array {
    const text: Record<string, string> = { Software: '@skystack/afw-display' };
    if (this.#title) text['Title'] = this.#title;
    return this.#render().toPng(text);
  }

  /**
   * Writes the frame as a PNG file, atomically (a temporary file renamed into place).
   *
   * @param path - the file to write
   * @throws {@link AfwDisplayStateError} when nothing has been shown
   * @throws {@link AfwDisplayWriteError} when the file cannot be written
   * @example
   * ```ts
   * await display.writePng('calexp.png');
   * ```
   */
  async writePng(path: string): Promise<void> {
    await writeFileAtomic(path, this.toPng());
  }

  #toLocal(x: number, y: number, origin: ImageOrigin = 'PARENT'): [number, number] {
    return origin === 'PARENT' ? [x - this.#x0, y - this.#y0] : [x, y];
  }

  #band(): number {
    return this.#title && this.#showTitle ? TITLE_BAND : 0;
  }

  #binnedSize(): [number, number] {
    return [Math.ceil(this.#width / this.#bin), Math.ceil(this.#height / this.#bin)];
  }

  #localToPng(c: number, r: number): PngPosition {
    const [, bh] = this.#binnedSize();
    const bx = (c + 0.5) / this.#bin - 0.5;
    const by = (r + 0.5) / this.#bin - 0.5;
    return { x: bx, y: (this.#flipY ? bh - 1 - by : by) + this.#band() };
  }

  #stretchFor(src: { data: ArrayLike<number>; width: number; height: number; stride: number }): Stretch {
    const opts = this.#scaleOptions;
    let limits: ScaleLimits;
    if (this.#limits === 'zscale') {
      const values = this.#bin === 1 && this.#image ? this.#image : (src.data as ArrayLike<number>);
      try {
        limits = zscale(values, opts);
      } catch (e) {
        if (!(e instanceof AfwDisplayInvalidArgumentError)) throw e;
        limits = { min: 0, max: 1 }; // no finite pixel: everything is drawn in the NaN colour anyway
      }
    } else if (this.#limits === 'minmax') {
      let lo = Infinity;
      let hi = -Infinity;
      for (let y = 0; y < src.height; y++) {
        const row = y * src.stride;
        for (let x = 0; x < src.width; x++) {
          const v = src.data[row + x]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      limits = Number.isFinite(lo) && Number.isFinite(hi) ? { min: lo, max: hi } : { min: 0, max: 1 };
    } else {
      limits = this.#limits;
    }
    const { min } = limits;
    let { max } = limits;
    if (!(max > min)) max = min + Math.max(1, Math.abs(min) * 1e-6);
    return makeStretch(this.#algorithm, min, max, opts);
  }

  #maskPalette(mask: Mask): { visible: number; colors: Rgb[]; alphas: Float64Array } {
    const planes = mask.getMaskPlaneDict();
    const byBit = new Map<number, string>();
    for (const [name, bit] of Object.entries(planes)) byBit.set(bit, name);
    const colors: Rgb[] = [];
    const alphas = new Float64Array(32);
    let visible = 0;
    let generated = 0;
    for (let bit = 0; bit < 32; bit++) {
      const name = byBit.get(bit);
      colors.push({ r: 0, g: 0, b: 0 });
      if (name === undefined) continue;
      let color = this.getMaskPlaneColor(name);
      if (color === undefined) color = GENERATED_COLORS[generated++ % GENERATED_COLORS.length]!;
      if (color.toLowerCase() === IGNORE) continue;
      const alpha = 1 - this.getMaskTransparency(name) / 100;
      if (alpha <= 0) continue;
      colors[bit] = parseColor(color);
      alphas[bit] = alpha;
      visible |= 1 << bit;
    }
    return { visible, colors, alphas };
  }

  #render(): RgbRaster {
    const base = this.#image ?? this.#mask;
    if (!base) throw new AfwDisplayStateError('Nothing to render: call mtv() first.');
    const [bw, bh] = this.#binnedSize();
    const band = this.#band();
    const raster = new RgbRaster(bw, bh + band);
    const out = raster.data;
    const flip = this.#flipY;
    const rowOf = (by: number): number => (flip ? bh - 1 - by : by) + band;

    if (this.#image) {
      const src = pixelSource(this.#image, this.#bin);
      const stretch = this.#stretchFor(src);
      const nan = this.#nanColor;
      for (let by = 0; by < bh; by++) {
        const inRow = by * src.stride;
        let o = rowOf(by) * bw * 3;
        for (let bx = 0; bx < bw; bx++, o += 3) {
          const t = stretch.apply(src.data[inRow + bx]!);
          if (t !== t) {
            out[o] = nan.r;
            out[o + 1] = nan.g;
            out[o + 2] = nan.b;
          } else {
            const g = Math.round(255 * t);
            out[o] = g;
            out[o + 1] = g;
            out[o + 2] = g;
          }
        }
      }
    }

    if (this.#mask) {
      const { visible, colors, alphas } = this.#maskPalette(this.#mask);
      if (visible !== 0) {
        const m = maskSource(this.#mask, this.#bin);
        for (let by = 0; by < bh; by++) {
          const inRow = by * m.stride;
          let o = rowOf(by) * bw * 3;
          for (let bx = 0; bx < bw; bx++, o += 3) {
            const bits = m.data[inRow + bx]! & visible;
            if (bits === 0) continue;
            const bit = 31 - Math.clz32(bits & -bits);
            const c = colors[bit]!;
            const a = alphas[bit]!;
            out[o] = Math.round(a * c.r + (1 - a) * out[o]!);
            out[o + 1] = Math.round(a * c.g + (1 - a) * out[o + 1]!);
            out[o + 2] = Math.round(a * c.b + (1 - a) * out[o + 2]!);
          }
        }
      }
    }

    if (band > 0) raster.text(this.#title, 2, 2, { r: 255, g: 255, b: 255 });

    for (const g of this.#glyphs) {
      if (g.kind === 'path') {
        const xs = new Float64Array(g.xs.length);
        const ys = new Float64Array(g.xs.length);
        for (let i = 0; i < g.xs.length; i++) {
          const p = this.#localToPng(g.xs[i]!, g.ys[i]!);
          xs[i] = p.x;
          ys[i] = p.y;
        }
        raster.polyline(xs, ys, g.color, g.closed);
      } else if (g.kind === 'point') {
        const p = this.#localToPng(g.x, g.y);
        raster.set(Math.round(p.x), Math.round(p.y), g.color);
      } else {
        const p = this.#localToPng(g.x, g.y);
        raster.text(g.text, p.x - textWidth(g.text) / 2, p.y - (GLYPH_HEIGHT - 1) / 2, g.color);
      }
    }
    return raster;
  }
}
