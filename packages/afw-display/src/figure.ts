import { GLYPH_HEIGHT, textWidth } from './bitmap-font.js';
import { parseColor, type Rgb } from './color.js';
import type { PngPosition, RgbImage } from './display.js';
import { AfwDisplayInvalidArgumentError } from './errors.js';
import { formatTick, niceTicks, type NiceTicks } from './nice-ticks.js';
import { RgbRaster } from './raster.js';
import { writeFileAtomic } from './write-atomic.js';

/** Options of a {@link Figure}. */
export interface FigureOptions {
  /** Width in pixels (default 640). */
  readonly width?: number;
  /** Height in pixels (default 480). */
  readonly height?: number;
  /** The title, drawn centred above the axes. */
  readonly title?: string;
  /** The x-axis label. */
  readonly xLabel?: string;
  /** The y-axis label (drawn vertically). */
  readonly yLabel?: string;
  /** Fixed x limits `[min, max]` (default: nice limits around the data). */
  readonly xRange?: readonly [number, number];
  /** Fixed y limits `[min, max]` (default: nice limits around the data). */
  readonly yRange?: readonly [number, number];
  /** Output pixels per font pixel of the 5 × 7 font (default 2). */
  readonly fontScale?: number;
  /** The background colour (default white). */
  readonly background?: string;
  /** The colour of axes and text (default black). */
  readonly foreground?: string;
}

/** Options of {@link Figure.histogram}. */
export interface HistogramOptions {
  /** The number of equal-width bins (default 10). */
  readonly bins?: number;
  /** The range `[lo, hi]` binned (default: the finite data's min and max); values outside are ignored, `hi` falls in the last bin (as numpy). */
  readonly range?: readonly [number, number];
  /** The bar colour (default `'steelblue'`). */
  readonly color?: string;
}

/** The counts a histogram drew. */
export interface HistogramResult {
  /** Counts per bin. */
  readonly counts: Int32Array;
  /** The `bins + 1` bin edges. */
  readonly edges: Float64Array;
}

/** Options of {@link Figure.scatter}. */
export interface ScatterOptions {
  /** The point colour (default black). */
  readonly color?: string;
  /** The point radius in pixels (default 2; 0 draws single pixels). */
  readonly size?: number;
}

/** Options of reference lines and text. */
export interface MarkOptions {
  /** The colour (default red for lines, the foreground for text). */
  readonly color?: string;
}

/** Where the axes are in the figure, in pixels. */
export interface PlotArea {
  /** First column inside the axes. */
  readonly left: number;
  /** First row inside the axes. */
  readonly top: number;
  /** Columns inside the axes. */
  readonly width: number;
  /** Rows inside the axes. */
  readonly height: number;
}

/** The axis limits of a figure. */
export interface FigureLimits {
  /** x `[min, max]`. */
  readonly x: readonly [number, number];
  /** y `[min, max]`. */
  readonly y: readonly [number, number];
}

type Item =
  | { readonly kind: 'bars'; readonly edges: Float64Array; readonly counts: Int32Array; readonly color: Rgb }
  | { readonly kind: 'points'; readonly x: Float64Array; readonly y: Float64Array; readonly color: Rgb; readonly size: number }
  | { readonly kind: 'vline' | 'hline'; readonly value: number; readonly color: Rgb }
  | { readonly kind: 'text'; readonly x: number; readonly y: number; readonly text: string; readonly color: Rgb };

interface Layout {
  readonly area: PlotArea;
  readonly x: NiceTicks;
  readonly y: NiceTicks;
  readonly xLim: readonly [number, number];
  readonly yLim: readonly [number, number];
}

/**
 * numpy.histogram's binning of finite values into equal-width bins, including its edge
 * corrections (a value on an inner edge goes to the bin above; the top edge is in the last bin).
 */
function histogramCounts(values: ArrayLike<number>, bins: number, range?: readonly [number, number]): HistogramResult {
  let lo: number;
  let hi: number;
  if (range) {
    [lo, hi] = range;
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === Infinity) [lo, hi] = [0, 1];
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) {
    throw new AfwDisplayInvalidArgumentError(`histogram: the range must be finite with lo ≤ hi; got [${String(lo)}, ${String(hi)}].`);
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i < bins; i++) edges[i] = lo + i * step;
  edges[bins] = hi;
  const counts = new Int32Array(bins);
  const norm = bins / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= lo && v <= hi)) continue;
    let k = Math.trunc((v - lo) * norm);
    if (k === bins) k--;
    if (v < edges[k]!) k--;
    else if (k !== bins - 1 && v >= edges[k + 1]!) k++;
    counts[k]!++;
  }
  return { counts, edges };
}

/**
 * A small plot rendered to PNG with no native dependencies: axes with nice ticks and labels,
 * a title, histograms, scatter points, reference lines and text annotations, all drawn with an
 * embedded 5 × 7 bitmap font. Meant for pipeline reports (the sky-source flux histogram, a
 * colour–colour diagram), not as a matplotlib replacement.
 *
 * @example
 * ```ts
 * const fig = new Figure({ title: 'Sky sources', xLabel: 'flux [nJy]', yLabel: 'N' });
 * fig.histogram(fluxes, { bins: 40 });
 * fig.axvline(0, { color: 'red' });
 * await fig.writePng('sky-sources.png');
 * ```
 * @see matplotlib.pyplot (the names `histogram`, `scatter`, `axvline`, `axhline`, `text` follow it loosely)
 */
export class Figure {
  readonly #width: number;
  readonly #height: number;
  readonly #scale: number;
  readonly #background: Rgb;
  readonly #foreground: Rgb;
  #title: string;
  #xLabel: string;
  #yLabel: string;
  #xRange: readonly [number, number] | undefined;
  #yRange: readonly [number, number] | undefined;
  readonly #items: Item[] = [];

  /**
   * Makes an empty figure.
   *
   * @param options - size, labels, limits, font scale and colours
   * @throws {@link AfwDisplayInvalidArgumentError} for a size or font scale that is not a positive integer, bad limits, or an unknown colour
   */
  constructor(options: FigureOptions = {}) {
    this.#width = options.width ?? 640;
    this.#height = options.height ?? 480;
    this.#scale = options.fontScale ?? 2;
    for (const [name, v, least] of [
      ['width', this.#width, 64],
      ['height', this.#height, 64],
      ['fontScale', this.#scale, 1],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < least) throw new AfwDisplayInvalidArgumentError(`Figure: ${name} must be an integer ≥ ${least}; got ${String(v)}.`);
    }
    this.#background = parseColor(options.background ?? 'white');
    this.#foreground = parseColor(options.foreground ?? 'black');
    this.#title = options.title ?? '';
    this.#xLabel = options.xLabel ?? '';
    this.#yLabel = options.yLabel ?? '';
    this.setXRange(options.xRange);
    this.setYRange(options.yRange);
  }

  /**
   * Sets the title.
   *
   * @param title - the title ('' for none)
   * @returns this figure
   */
  setTitle(title: string): this {
    this.#title = title;
    return this;
  }

  /**
   * Sets the x-axis label.
   *
   * @param label - the label ('' for none)
   * @returns this figure
   */
  setXLabel(label: string): this {
    this.#xLabel = label;
    return this;
  }

  /**
   * Sets the y-axis label.
   *
   * @param label - the label ('' for none)
   * @returns this figure
   */
  setYLabel(label: string): this {
    this.#yLabel = label;
    return this;
  }

  /**
   * Fixes the x limits (undefined: automatic).
   *
   * @param range - `[min, max]`, min < max
   * @returns this figure
   * @throws {@link AfwDisplayInvalidArgumentError} unless min < max, both finite
   */
  setXRange(range: readonly [number, number] | undefined): this {
    this.#xRange = checkRange('x', range);
    return this;
  }

  /**
   * Fixes the y limits (undefined: automatic).
   *
   * @param range - `[min, max]`, min < max
   * @returns this figure
   * @throws {@link AfwDisplayInvalidArgumentError} unless min < max, both finite
   */
  setYRange(range: readonly [number, number] | undefined): this {
    this.#yRange = checkRange('y', range);
    return this;
  }

  /**
   * Bins values (as `numpy.histogram`) and draws the counts as bars.
   *
   * @param values - the values (non-finite ones are skipped)
   * @param options - `bins`, `range`, `color`
   * @returns the counts and edges
   * @throws {@link AfwDisplayInvalidArgumentError} for a bad bin count or range, or an unknown colour
   * @example
   * ```ts
   * const { counts } = fig.histogram(fluxes, { bins: 50, range: [-200, 200] });
   * ```
   */
  histogram(values: ArrayLike<number>, options: HistogramOptions = {}): HistogramResult {
    const bins = options.bins ?? 10;
    if (!Number.isSafeInteger(bins) || bins < 1) throw new AfwDisplayInvalidArgumentError(`histogram: bins must be a positive integer; got ${String(bins)}.`);
    const color = parseColor(options.color ?? 'steelblue');
    const result = histogramCounts(values, bins, options.range);
    this.#items.push({ kind: 'bars', ...result, color });
    return result;
  }

  /**
   * Draws points.
   *
   * @param x - abscissae
   * @param y - ordinates (same length); pairs with a non-finite value are skipped
   * @param options - `color`, `size` (radius in pixels)
   * @throws {@link AfwDisplayInvalidArgumentError} when the lengths differ, or for an unknown colour
   * @example
   * ```ts
   * fig.scatter(gMinusR, rMinusI, { color: 'navy', size: 1 });
   * ```
   */
  scatter(x: ArrayLike<number>, y: ArrayLike<number>, options: ScatterOptions = {}): void {
    if (x.length !== y.length) throw new AfwDisplayInvalidArgumentError(`scatter: x and y must have the same length; got ${x.length} and ${y.length}.`);
    const size = options.size ?? 2;
    if (!(size >= 0) || !Number.isFinite(size)) throw new AfwDisplayInvalidArgumentError(`scatter: size must be ≥ 0; got ${String(size)}.`);
    this.#items.push({ kind: 'points', x: Float64Array.from(x), y: Float64Array.from(y), color: parseColor(options.color ?? 'black'), size });
  }

  /**
   * Draws a vertical reference line.
   *
   * @param x - where
   * @param options - `color` (default red)
   * @example
   * ```ts
   * fig.axvline(0);
   * ```
   */
  axvline(x: number, options: MarkOptions = {}): void {
    this.#items.push({ kind: 'vline', value: x, color: parseColor(options.color ?? 'red') });
  }

  /**
   * Draws a horizontal reference line.
   *
   * @param y - where
   * @param options - `color` (default red)
   * @example
   * ```ts
   * fig.axhline(0.5, { color: 'gray' });
   * ```
   */
  axhline(y: number, options: MarkOptions = {}): void {
    this.#items.push({ kind: 'hline', value: y, color: parseColor(options.color ?? 'red') });
  }

  /**
   * Writes text inside the axes, its left end at (x, y) in data coordinates (vertically centred).
   *
   * @param x - data x
   * @param y - data y
   * @param text - printable ASCII
   * @param options - `color` (default: the foreground)
   * @example
   * ```ts
   * fig.text(-150, 30, `median ${median.toFixed(1)}`);
   * ```
   */
  text(x: number, y: number, text: string, options: MarkOptions = {}): void {
    this.#items.push({ kind: 'text', x, y, text, color: options.color ? parseColor(options.color) : this.#foreground });
  }

  /**
   * Where the axes lie in the figure (depends on the data and labels drawn so far).
   *
   * @returns the plot area
   */
  get plotArea(): PlotArea {
    return this.#layout().area;
  }

  /**
   * The axis limits as drawn (automatic ones widened to nice ticks).
   *
   * @returns `{ x: [min, max], y: [min, max] }`
   */
  get limits(): FigureLimits {
    const l = this.#layout();
    return { x: l.xLim, y: l.yLim };
  }

  /**
   * Converts data coordinates to figure pixels (column, row from the top; pixel centres at integers).
   *
   * @param x - data x
   * @param y - data y
   * @returns the pixel position
   * @example
   * ```ts
   * const p = fig.dataToPixel(0, 0);
   * ```
   */
  dataToPixel(x: number, y: number): PngPosition {
    const l = this.#layout();
    return toPixel(l, x, y);
  }

  /**
   * Renders the figure.
   *
   * @returns the RGB picture
   */
  toRgb(): RgbImage {
    return this.#render();
  }

  /**
   * Encodes the figure as an 8-bit RGB PNG.
   *
   * @returns the PNG bytes
   */
  toPng(): Uint8Array {
    const text: Record<string, string> = { Software: '@skystack/afw-display' };
    if (this.#title) text['Title'] = this.#title;
    return this.#render().toPng(text);
  }

  /**
   * Writes the figure as a PNG file, atomically (a temporary file renamed into place).
   *
   * @param path - the file
   * @throws {@link AfwDisplayWriteError} when the file cannot be written
   */
  async writePng(path: string): Promise<void> {
    await writeFileAtomic(path, this.toPng());
  }

  #dataExtent(axis: 'x' | 'y'): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    const add = (v: number): void => {
      if (!Number.isFinite(v)) return;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    };
    for (const it of this.#items) {
      if (it.kind === 'bars') {
        if (axis === 'x') {
          add(it.edges[0]!);
          add(it.edges[it.edges.length - 1]!);
        } else {
          add(0);
          for (const c of it.counts) add(c);
        }
      } else if (it.kind === 'points') {
        const a = axis === 'x' ? it.x : it.y;
        const b = axis === 'x' ? it.y : it.x;
        for (let i = 0; i < a.length; i++) if (Number.isFinite(b[i]!)) add(a[i]!);
      } else if (it.kind === 'vline') {
        if (axis === 'x') add(it.value);
      } else if (it.kind === 'hline') {
        if (axis === 'y') add(it.value);
      } else if (it.kind === 'text') {
        add(axis === 'x' ? it.x : it.y);
      }
    }
    return lo === Infinity ? [0, 1] : [lo, hi];
  }

  #layout(): Layout {
    const s = this.#scale;
    const axisTicks = (fixed: readonly [number, number] | undefined, axis: 'x' | 'y'): { t: NiceTicks; lim: readonly [number, number] } => {
      if (fixed) {
        const t = niceTicks(fixed[0], fixed[1]);
        const eps = 1e-9 * t.step;
        return { t: { ...t, ticks: t.ticks.filter((v) => v >= fixed[0] - eps && v <= fixed[1] + eps) }, lim: fixed };
      }
      const [lo, hi] = this.#dataExtent(axis);
      const t = niceTicks(lo, hi);
      return { t, lim: [t.min, t.max] };
    };
    const x = axisTicks(this.#xRange, 'x');
    const y = axisTicks(this.#yRange, 'y');
    const charH = GLYPH_HEIGHT * s;
    const yTickWidth = Math.max(0, ...y.t.ticks.map((v) => textWidth(formatTick(v, y.t.decimals), s)));
    const left = 8 + (this.#yLabel ? charH + 8 : 0) + yTickWidth + 8;
    const top = (this.#title ? charH + 12 : 0) + 10;
    const bottom = 8 + charH + 6 + (this.#xLabel ? charH + 8 : 0) + 4;
    const right = Math.max(15, Math.ceil(textWidth(formatTick(x.t.ticks[x.t.ticks.length - 1] ?? 0, x.t.decimals), s) / 2) + 4);
    const area = { left, top, width: Math.max(8, this.#width - left - right), height: Math.max(8, this.#height - top - bottom) };
    return { area, x: x.t, y: y.t, xLim: x.lim, yLim: y.lim };
  }

  #render(): RgbRaster {
    const l = this.#layout();
    const { area } = l;
    const s = this.#scale;
    const fg = this.#foreground;
    const r = new RgbRaster(this.#width, this.#height, this.#background);
    const charH = GLYPH_HEIGHT * s;
    const x1 = area.left + area.width - 1;
    const y1 = area.top + area.height - 1;

    // Data, clipped to the axes.
    r.clip = [area.left, area.top, area.left + area.width, area.top + area.height];
    for (const it of this.#items) {
      if (it.kind === 'bars') {
        const base = toPixel(l, 0, Math.max(l.yLim[0], Math.min(l.yLim[1], 0))).y;
        for (let i = 0; i < it.counts.length; i++) {
          if (it.counts[i] === 0) continue;
          const xa = Math.round(toPixel(l, it.edges[i]!, 0).x);
          const xb = Math.round(toPixel(l, it.edges[i + 1]!, 0).x);
          const top = Math.round(toPixel(l, 0, it.counts[i]!).y);
          const gap = xb - xa > 3 ? 1 : 0;
          r.fillRect(xa + gap, top, Math.max(1, xb - xa - gap), Math.round(base) - top + 1, it.color);
        }
      } else if (it.kind === 'points') {
        const rad = it.size;
        for (let i = 0; i < it.x.length; i++) {
          if (!Number.isFinite(it.x[i]!) || !Number.isFinite(it.y[i]!)) continue;
          const p = toPixel(l, it.x[i]!, it.y[i]!);
          const cx = Math.round(p.x);
          const cy = Math.round(p.y);
          const ri = Math.ceil(rad);
          for (let dy = -ri; dy <= ri; dy++) {
            for (let dx = -ri; dx <= ri; dx++) if (dx * dx + dy * dy <= rad * rad + 0.25) r.set(cx + dx, cy + dy, it.color);
          }
        }
      } else if (it.kind === 'vline') {
        const px = toPixel(l, it.value, 0).x;
        r.line(px, area.top, px, y1, it.color);
      } else if (it.kind === 'hline') {
        const py = toPixel(l, 0, it.value).y;
        r.line(area.left, py, x1, py, it.color);
      }
    }
    r.clip = null;
    for (const it of this.#items) {
      if (it.kind !== 'text') continue;
      const p = toPixel(l, it.x, it.y);
      r.text(it.text, p.x, p.y - (charH - 1) / 2, it.color, s);
    }

    // Frame, ticks and tick labels.
    r.line(area.left - 1, area.top - 1, x1 + 1, area.top - 1, fg);
    r.line(area.left - 1, y1 + 1, x1 + 1, y1 + 1, fg);
    r.line(area.left - 1, area.top - 1, area.left - 1, y1 + 1, fg);
    r.line(x1 + 1, area.top - 1, x1 + 1, y1 + 1, fg);
    const tickLen = 2 + 2 * s;
    for (const v of l.x.ticks) {
      const px = Math.round(toPixel(l, v, 0).x);
      r.line(px, y1 + 1, px, y1 + 1 + tickLen, fg);
      const label = formatTick(v, l.x.decimals);
      r.text(label, px - Math.floor(textWidth(label, s) / 2), y1 + 2 + tickLen + 2, fg, s);
    }
    for (const v of l.y.ticks) {
      const py = Math.round(toPixel(l, 0, v).y);
      r.line(area.left - 1 - tickLen, py, area.left - 1, py, fg);
      const label = formatTick(v, l.y.decimals);
      r.text(label, area.left - 1 - tickLen - 3 - textWidth(label, s), py - Math.floor((charH - 1) / 2), fg, s);
    }

    // Title and axis labels.
    if (this.#title) r.text(this.#title, Math.round((this.#width - textWidth(this.#title, s)) / 2), 8, fg, s);
    if (this.#xLabel) {
      r.text(this.#xLabel, Math.round(area.left + (area.width - textWidth(this.#xLabel, s)) / 2), this.#height - 4 - charH, fg, s);
    }
    if (this.#yLabel) {
      r.text(this.#yLabel, 8, Math.round(area.top + (area.height - textWidth(this.#yLabel, s)) / 2), fg, s, true);
    }
    return r;
  }
}

function checkRange(axis: string, range: readonly [number, number] | undefined): readonly [number, number] | undefined {
  if (range === undefined) return undefined;
  const [a, b] = range;
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(b > a)) {
    throw new AfwDisplayInvalidArgumentError(`Figure: the ${axis} range must be finite with min < max; got [${String(a)}, ${String(b)}].`);
  }
  return [a, b];
}

function toPixel(l: Layout, x: number, y: number): PngPosition {
  const { area } = l;
  return {
    x: area.left + ((x - l.xLim[0]) / (l.xLim[1] - l.xLim[0])) * (area.width - 1),
    y: area.top + area.height - 1 - ((y - l.yLim[0]) / (l.yLim[1] - l.yLim[0])) * (area.height - 1),
  };
}
