// lsst.ip.isr.Defects: a list of bad-pixel boxes of one detector, with LSST's simple table form
// (x0, y0, width, height) read from and written to astropy's ECSV text format.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@skystack/base';
import type { Mask } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { IpIsrDefectsFormatError, IpIsrInvalidArgumentError } from './errors.js';
import { planeBits, type MaskedImageLike } from './isr-functions.js';

/** A metadata value of a defects table (what ECSV `meta` holds here). */
export type DefectsMetadataValue = string | number | boolean;

/** The simple table form of defects: one row per box, LSST's column names. */
export interface DefectsTable {
  /** X of the lower-left corner of each box, pixels. */
  readonly x0: readonly number[];
  /** Y of the lower-left corner of each box, pixels. */
  readonly y0: readonly number[];
  /** Width of each box, pixels. */
  readonly width: readonly number[];
  /** Height of each box, pixels. */
  readonly height: readonly number[];
  /** Table metadata (`OBSTYPE`, `DETECTOR`, `CALIBDATE`, ...). */
  readonly meta?: Readonly<Record<string, DefectsMetadataValue>>;
}

const COLUMNS = ['x0', 'y0', 'width', 'height'] as const;

/**
 * The defects of one detector: boxes of bad pixels in detector (assembled, trimmed) coordinates,
 * plus table metadata. IsrTask masks them `BAD` and interpolates over them.
 *
 * Persistence is LSST's simple table form — columns `x0`, `y0`, `width`, `height` — as astropy
 * ECSV text (the format of the defect tables in LSST's `obs_*_data` repositories and of
 * `Defects.writeText`), with the metadata in the ECSV `meta` block (`OBSTYPE: defects` is always
 * written). LSST's FITS "FITS Region" form is not supported.
 *
 * @example
 * ```ts
 * const defects = new Defects([Box2I.fromCorner(new Point2I(20, 0), new Extent2I(1, 48))], { DETECTOR: 0 });
 * defects.maskPixels(exposure.maskedImage);        // sets BAD
 * const text = defects.toEcsv();
 * Defects.fromEcsv(text).length;                     // 1
 * ```
 * @see lsst.ip.isr.Defects
 */
export class Defects implements Iterable<Box2I> {
  readonly #boxes: Box2I[] = [];
  /** Table metadata (mutable). */
  readonly metadata: Record<string, DefectsMetadataValue>;

  /**
   * Makes a defect list.
   *
   * @param boxes - the boxes (empty boxes are refused)
   * @param metadata - table metadata
   * @throws {@link IpIsrInvalidArgumentError} for an empty box
   */
  constructor(boxes: Iterable<Box2I> = [], metadata: Readonly<Record<string, DefectsMetadataValue>> = {}) {
    for (const b of boxes) this.append(b);
    this.metadata = { ...metadata };
  }

  /**
   * Adds a box.
   *
   * @param box - the box, detector coordinates
   * @throws {@link IpIsrInvalidArgumentError} for an empty box
   */
  append(box: Box2I): void {
    if (box.isEmpty()) throw new IpIsrInvalidArgumentError('A defect box must not be empty.');
    this.#boxes.push(box);
  }

  /** The number of boxes. */
  get length(): number {
    return this.#boxes.length;
  }

  /** The boxes (a copy of the list). */
  get boxes(): Box2I[] {
    return [...this.#boxes];
  }

  /**
   * Iterates over the boxes.
   *
   * @returns an iterator
   */
  [Symbol.iterator](): Iterator<Box2I> {
    return this.#boxes[Symbol.iterator]();
  }

  /**
   * Sets `maskName` on the pixels of every box, clipped to the image (PARENT coordinates).
   *
   * @param maskedImage - the image (or just its mask)
   * @param maskName - the plane (default `BAD`)
   * @returns the number of box pixels inside the image
   * @see lsst.ip.isr.Defects.maskPixels
   */
  maskPixels(maskedImage: MaskedImageLike | Mask, maskName = 'BAD'): number {
    const mask = 'mask' in maskedImage ? maskedImage.mask : maskedImage;
    const bit = planeBits(mask, maskName);
    const bbox = mask.getBBox();
    const { data, stride } = mask.array;
    let n = 0;
    for (const box of this.#boxes) {
      const c = box.clippedTo(bbox);
      if (c.isEmpty()) continue;
      for (let y = c.minY; y <= c.maxY; y++) {
        const o = (y - bbox.minY) * stride - bbox.minX;
        for (let x = c.minX; x <= c.maxX; x++) data[o + x]! |= bit;
      }
      n += c.getArea();
    }
    return n;
  }

  /**
   * Defects from the pixels of a mask that have any of some planes: each maximal horizontal run
   * of such pixels, with runs of identical extent on consecutive rows merged into one box.
   *
   * @param maskedImage - the image (or its mask)
   * @param maskNames - the planes
   * @returns the defects, PARENT coordinates
   * @see lsst.ip.isr.Defects.fromMask
   */
  static fromMask(maskedImage: MaskedImageLike | Mask, maskNames: string | readonly string[]): Defects {
    const mask = 'mask' in maskedImage ? maskedImage.mask : maskedImage;
    const bits = mask.getPlaneBitMask(maskNames);
    const bbox = mask.getBBox();
    const { data, width, height, stride } = mask.array;
    const out = new Defects();
    let open = new Map<string, { x0: number; x1: number; y0: number; y1: number }>();
    const flush = (boxes: Iterable<{ x0: number; x1: number; y0: number; y1: number }>): void => {
      for (const r of boxes) {
        out.append(Box2I.fromCorner(new Point2I(r.x0 + bbox.minX, r.y0 + bbox.minY), new Extent2I(r.x1 - r.x0 + 1, r.y1 - r.y0 + 1)));
      }
    };
    for (let y = 0; y < height; y++) {
      const next = new Map<string, { x0: number; x1: number; y0: number; y1: number }>();
      let x = 0;
      while (x < width) {
        if ((data[y * stride + x]! & bits) === 0) {
          x++;
          continue;
        }
        const x0 = x;
        while (x < width && (data[y * stride + x]! & bits) !== 0) x++;
        const key = `${x0}:${x - 1}`;
        const prev = open.get(key);
        if (prev !== undefined) {
          prev.y1 = y;
          next.set(key, prev);
          open.delete(key);
        } else {
          next.set(key, { x0, x1: x - 1, y0: y, y1: y });
        }
      }
      flush(open.values());
      open = next;
    }
    flush(open.values());
    return out;
  }

  /**
   * The simple table form (columns `x0`, `y0`, `width`, `height`; `OBSTYPE` set to `defects`).
   *
   * @returns the table
   * @see lsst.ip.isr.Defects.toSimpleTable
   */
  toTable(): DefectsTable {
    return {
      x0: this.#boxes.map((b) => b.minX),
      y0: this.#boxes.map((b) => b.minY),
      width: this.#boxes.map((b) => b.width),
      height: this.#boxes.map((b) => b.height),
      meta: { ...this.metadata, OBSTYPE: 'defects' },
    };
  }

  /**
   * Defects from the simple table form.
   *
   * @param table - the columns (and metadata)
   * @returns the defects
   * @throws {@link IpIsrDefectsFormatError} when the columns differ in length or hold bad values
   * @see lsst.ip.isr.Defects.fromTable
   */
  static fromTable(table: DefectsTable): Defects {
    const n = table.x0.length;
    for (const c of COLUMNS) {
      if (table[c].length !== n) throw new IpIsrDefectsFormatError(`Defects column '${c}' has ${table[c].length} rows; expected ${n} (as x0).`);
    }
    const out = new Defects([], table.meta ?? {});
    for (let i = 0; i < n; i++) {
      const [x0, y0, w, h] = COLUMNS.map((c) => table[c][i]!);
      if (![x0, y0, w, h].every((v) => Number.isInteger(v)) || !(w! > 0) || !(h! > 0)) {
        throw new IpIsrDefectsFormatError(`Defects row ${i} is not a box: x0=${x0}, y0=${y0}, width=${w}, height=${h}; expected integers with positive width and height.`);
      }
      out.append(Box2I.fromCorner(new Point2I(x0!, y0!), new Extent2I(w!, h!)));
    }
    return out;
  }

  /**
   * The defects as astropy ECSV text (version 1.0, space-delimited, int32 columns, metadata in
   * `meta`), readable with `astropy.table.Table.read(path, format='ascii.ecsv')`.
   *
   * @returns the text
   * @see lsst.ip.isr.Defects.writeText
   */
  toEcsv(): string {
    const t = this.toTable();
    const lines = ['# %ECSV 1.0', '# ---', '# datatype:'];
    const units: Record<string, string> = { x0: 'pix', y0: 'pix', width: 'pix', height: 'pix' };
    for (const c of COLUMNS) lines.push(`# - {name: ${c}, unit: ${units[c]}, datatype: int32}`);
    const meta = Object.entries(t.meta ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (meta.length > 0) {
      lines.push('# meta: !!omap');
      for (const [k, v] of meta) lines.push(`# - {${yamlScalar(k)}: ${yamlScalar(v)}}`);
    }
    lines.push('# schema: astropy-2.0');
    lines.push(COLUMNS.join(' '));
    for (let i = 0; i < t.x0.length; i++) lines.push(COLUMNS.map((c) => String(t[c][i])).join(' '));
    return `${lines.join('\n')}\n`;
  }

  /**
   * Reads defects from ECSV text (astropy's format; any column order, extra columns ignored,
   * space or comma delimiter; the `meta` mapping as a flow mapping or an `!!omap` list).
   *
   * @param text - the ECSV text
   * @returns the defects with the table metadata
   * @throws {@link IpIsrDefectsFormatError} for text that is not ECSV or lacks a column
   */
  static fromEcsv(text: string): Defects {
    const lines = text.split(/\r?\n/);
    if (!/^# %ECSV \d/.test(lines[0] ?? '')) {
      throw new IpIsrDefectsFormatError(`Not an ECSV table: the first line is '${(lines[0] ?? '').slice(0, 40)}'; expected '# %ECSV 1.0'.`);
    }
    const header: string[] = [];
    let i = 1;
    for (; i < lines.length && lines[i]!.startsWith('#'); i++) header.push(lines[i]!.replace(/^# ?/, ''));
    let delimiter = ' ';
    const meta: Record<string, DefectsMetadataValue> = {};
    let section = '';
    for (const h of header) {
      if (h === '---') continue;
      const top = /^([A-Za-z_]+):\s*(.*)$/.exec(h);
      if (top !== null) {
        section = top[1]!;
        const rest = top[2]!;
        if (section === 'delimiter') delimiter = String(parseYamlScalar(rest));
        if (section === 'meta' && rest.startsWith('{')) Object.assign(meta, parseFlowMapping(rest));
        continue;
      }
      const item = /^\s*-\s*(\{.*\})\s*$/.exec(h);
      if (item !== null && section === 'meta') Object.assign(meta, parseFlowMapping(item[1]!));
      else if (section === 'meta' && /^\s+[^-\s]/.test(h)) {
        const kv = /^\s+([^:]+):\s*(.*)$/.exec(h);
        if (kv !== null) meta[String(parseYamlScalar(kv[1]!.trim()))] = parseYamlScalar(kv[2]!);
      }
    }
    const body = lines.slice(i).filter((l) => l.trim() !== '');
    if (body.length === 0) throw new IpIsrDefectsFormatError('The ECSV table has no column-name line.');
    const split = (l: string): string[] => (delimiter === ' ' ? l.trim().split(/\s+/) : l.split(delimiter).map((s) => s.trim()));
    const names = split(body[0]!);
    const idx = COLUMNS.map((c) => names.indexOf(c));
    const missing = COLUMNS.filter((_, k) => idx[k]! < 0);
    if (missing.length > 0) {
      throw new IpIsrDefectsFormatError(`The defects table lacks column(s) ${missing.join(', ')}; it has ${names.join(', ')}.`, {
        hint: 'LSST defect tables have the columns x0, y0, width, height.',
      });
    }
    const cols: Record<(typeof COLUMNS)[number], number[]> = { x0: [], y0: [], width: [], height: [] };
    for (let r = 1; r < body.length; r++) {
      const f = split(body[r]!);
      COLUMNS.forEach((c, k) => cols[c].push(Number(f[idx[k]!])));
    }
    return Defects.fromTable({ ...cols, meta });
  }

  /**
   * Writes the ECSV text to a file (atomically: a temporary file renamed).
   *
   * @param path - the file
   * @returns when written
   */
  async writeEcsv(path: string): Promise<void> {
    await writeFileAtomic(path, this.toEcsv());
  }

  /**
   * Reads defects from an ECSV file.
   *
   * @param path - the file
   * @returns the defects
   * @throws {@link IpIsrDefectsFormatError} for a file that is not a defects ECSV table
   */
  static async readEcsv(path: string): Promise<Defects> {
    return Defects.fromEcsv(await readFile(path, 'utf8'));
  }
}

function yamlScalar(v: DefectsMetadataValue): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '.inf' : v < 0 ? '-.inf' : '.nan';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v)) return v;
  return `'${v.replaceAll("'", "''")}'`;
}

function parseYamlScalar(raw: string): DefectsMetadataValue {
  const s = raw.trim();
  if (s.startsWith("'") && s.endsWith("'") && s.length >= 2) return s.slice(1, -1).replaceAll("''", "'");
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) return JSON.parse(s) as string;
  if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
  if (/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$/.test(s)) return Number(s);
  if (s === '.inf') return Infinity;
  if (s === '-.inf') return -Infinity;
  if (s === '.nan') return NaN;
  return s;
}

/** Parses a one-line YAML flow mapping `{a: 1, 'b, c': x}` of scalars. */
function parseFlowMapping(text: string): Record<string, DefectsMetadataValue> {
  const s = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  const parts: string[] = [];
  let cur = '';
  let quote = '';
  for (const ch of s) {
    if (quote !== '') {
      cur += ch;
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      cur += ch;
    } else if (ch === ',') {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur.trim() !== '') parts.push(cur);
  const out: Record<string, DefectsMetadataValue> = {};
  for (const p of parts) {
    let q = '';
    let colon = -1;
    for (let k = 0; k < p.length; k++) {
      const ch = p[k]!;
      if (q !== '') {
        if (ch === q) q = '';
      } else if (ch === "'" || ch === '"') {
        q = ch;
      } else if (ch === ':' && (p[k + 1] === ' ' || k === p.length - 1)) {
        colon = k;
        break;
      }
    }
    if (colon < 0) throw new IpIsrDefectsFormatError(`Cannot read the ECSV metadata entry '${p.trim()}'; expected 'key: value'.`);
    out[String(parseYamlScalar(p.slice(0, colon)))] = parseYamlScalar(p.slice(colon + 1));
  }
  return out;
}
