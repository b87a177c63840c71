import { encode } from 'fast-png';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel, textWidth } from './bitmap-font.js';
import type { Rgb } from './color.js';

/** An 8-bit RGB raster (row 0 at the top), the drawing surface behind displays and figures. */
export class RgbRaster {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Pixels, RGB interleaved, row-major from the top-left corner. */
  readonly data: Uint8Array;
  /** Pixels outside this rectangle (`[x0, y0, x1, y1)`) are not drawn; null draws everywhere. */
  clip: readonly [number, number, number, number] | null = null;

  /**
   * Makes a raster filled with one colour.
   *
   * @param width - width in pixels
   * @param height - height in pixels
   * @param fill - the background
   */
  constructor(width: number, height: number, fill: Rgb = { r: 0, g: 0, b: 0 }) {
    this.width = width;
    this.height = height;
    this.data = new Uint8Array(width * height * 3);
    if (fill.r !== 0 || fill.g !== 0 || fill.b !== 0) this.fillRect(0, 0, width, height, fill);
  }

  /**
   * Sets one pixel (ignored outside the raster).
   *
   * @param x - column
   * @param y - row from the top
   * @param c - the colour
   */
  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const k = this.clip;
    if (k !== null && (x < k[0] || y < k[1] || x >= k[2] || y >= k[3])) return;
    const i = (y * this.width + x) * 3;
    this.data[i] = c.r;
    this.data[i + 1] = c.g;
    this.data[i + 2] = c.b;
  }

  /**
   * Fills a rectangle (clipped to the raster).
   *
   * @param x - left column
   * @param y - top row
   * @param w - width
   * @param h - height
   * @param c - the colour
   */
  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const k = this.clip ?? [0, 0, this.width, this.height];
    const x0 = Math.max(0, k[0], Math.round(x));
    const y0 = Math.max(0, k[1], Math.round(y));
    const x1 = Math.min(this.width, k[2], Math.round(x + w));
    const y1 = Math.min(this.height, k[3], Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 3;
        this.data[i] = c.r;
        this.data[i + 1] = c.g;
        this.data[i + 2] = c.b;
      }
    }
  }

  /**
   * Draws a one-pixel line between two points given in pixel-centre coordinates.
   *
   * @param x0 - start column
   * @param y0 - start row
   * @param x1 - end column
   * @param y1 - end row
   * @param c - the colour
   */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    const n = Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)));
    if (n > 1e6) return;
    if (n === 0) {
      this.set(Math.round(x0), Math.round(y0), c);
      return;
    }
    const dx = (x1 - x0) / n;
    const dy = (y1 - y0) / n;
    for (let i = 0; i <= n; i++) this.set(Math.round(x0 + i * dx), Math.round(y0 + i * dy), c);
  }

  /**
   * Draws a polyline.
   *
   * @param xs - columns
   * @param ys - rows
   * @param c - the colour
   * @param closed - join the last point to the first
   */
  polyline(xs: ArrayLike<number>, ys: ArrayLike<number>, c: Rgb, closed = false): void {
    for (let i = 1; i < xs.length; i++) this.line(xs[i - 1]!, ys[i - 1]!, xs[i]!, ys[i]!, c);
    if (closed && xs.length > 1) this.line(xs[xs.length - 1]!, ys[ys.length - 1]!, xs[0]!, ys[0]!, c);
  }

  /**
   * Draws text with the embedded 5 × 7 font.
   *
   * @param text - printable ASCII (other characters draw as '?')
   * @param x - left column of the first character (before rotation: see `vertical`)
   * @param y - top row
   * @param c - the colour
   * @param scale - output pixels per font pixel (integer ≥ 1)
   * @param vertical - draw rotated 90° counter-clockwise (reading bottom to top) with (x, y) the top-left of the rotated block
   */
  text(text: string, x: number, y: number, c: Rgb, scale = 1, vertical = false): void {
    const x0 = Math.round(x);
    const y0 = Math.round(y);
    const total = textWidth(text, scale);
    for (let k = 0; k < text.length; k++) {
      const code = text.charCodeAt(k);
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (!glyphPixel(code, col, row)) continue;
          const u = k * GLYPH_ADVANCE * scale + col * scale; // along the text
          const v = row * scale; // down the glyph
          for (let sy = 0; sy < scale; sy++) {
            for (let sx = 0; sx < scale; sx++) {
              if (vertical) this.set(x0 + v + sy, y0 + total - 1 - (u + sx), c);
              else this.set(x0 + u + sx, y0 + v + sy, c);
            }
          }
        }
      }
    }
  }

  /**
   * Encodes the raster as an 8-bit RGB PNG.
   *
   * @param text - tEXt chunks (e.g. `{ Title: '...' }`)
   * @returns the PNG file's bytes
   */
  toPng(text?: Record<string, string>): Uint8Array {
    return encode({ width: this.width, height: this.height, data: this.data, channels: 3, depth: 8, ...(text ? { text } : {}) });
  }
}
