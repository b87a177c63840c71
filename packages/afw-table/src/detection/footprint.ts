import { Box2I, Extent2I, Point2D, Point2I } from '@skystack/geom';
import type { ArchiveRows } from '../archive/archive-rows.js';
import type { InputArchive } from '../archive/input-archive.js';
import type { OutputArchiveHandle } from '../archive/output-archive.js';
import type { Persistable } from '../archive/persistable.js';
import { AfwTableFormatError, AfwTableInvalidArgumentError } from '../errors.js';
import { PeakCatalog, type PeakRecord } from './peak.js';
import { SpanSet, type Stencil } from './span-set.js';

/** The archive column of a Footprint's first catalog: the archive ID of its SpanSet. */
const SPAN_SET_ID_SCHEMA = { columns: [{ name: 'id', format: '1J', doc: 'id of the SpanSet catalog' }] } as const;

/**
 * A detection: a set of pixels ({@link SpanSet}), the peaks found in them ({@link PeakCatalog})
 * and the region (the bounding box of the image it was found in; not persisted by afw).
 *
 * @example
 * ```ts
 * const footprint = new Footprint(new SpanSet([new Span(10, 5, 9), new Span(11, 6, 8)]));
 * footprint.addPeak(7, 10, 42.5);
 * footprint.getArea(); // 8
 * footprint.getBBox(); // (minimum=(5, 10), maximum=(9, 11))
 * footprint.getPeaks().get(0).getIx(); // 7
 * ```
 * @see lsst.afw.detection.Footprint
 */
export class Footprint implements Persistable {
  #spans: SpanSet;
  #peaks: PeakCatalog;
  #region: Box2I;

  /**
   * Makes a footprint.
   *
   * @param spans - the pixels (default: none)
   * @param options - the peaks (default: an empty catalog with afw's minimal peak schema) and
   *   the region (default: the empty box)
   */
  constructor(spans: SpanSet = new SpanSet(), options: { readonly peaks?: PeakCatalog; readonly region?: Box2I } = {}) {
    this.#spans = spans;
    this.#peaks = options.peaks ?? new PeakCatalog();
    this.#region = options.region ?? new Box2I();
  }

  /** `'Footprint'` (a {@link HeavyFootprint} says `'HeavyFootprintF'`, ...). */
  get persistenceName(): string {
    return 'Footprint';
  }

  /** `'lsst.afw.detection'`. */
  get pythonModule(): string {
    return 'lsst.afw.detection';
  }

  /**
   * The pixels.
   *
   * @returns the span set
   */
  getSpans(): SpanSet {
    return this.#spans;
  }

  /**
   * Replaces the pixels.
   *
   * @param spans - the new span set
   */
  setSpans(spans: SpanSet): void {
    this.#spans = spans;
  }

  /**
   * The peaks (live: rows added to it belong to the footprint).
   *
   * @returns the peak catalog
   */
  getPeaks(): PeakCatalog {
    return this.#peaks;
  }

  /**
   * Replaces the peak catalog (afw allows this only while the footprint has no peaks).
   *
   * @param peaks - the new catalog
   * @throws AfwTableInvalidArgumentError when the footprint already has peaks
   */
  setPeakCatalog(peaks: PeakCatalog): void {
    if (this.#peaks.length > 0) throw new AfwTableInvalidArgumentError('Cannot change the PeakCatalog of a Footprint that already has peaks.');
    this.#peaks = peaks;
  }

  /**
   * Adds a peak (see {@link PeakCatalog.addPeak}).
   *
   * @param fx - the subpixel column
   * @param fy - the subpixel row
   * @param peakValue - the image value at the peak
   * @returns the new peak
   */
  addPeak(fx: number, fy: number, peakValue: number): PeakRecord {
    return this.#peaks.addPeak(fx, fy, peakValue);
  }

  /**
   * The region: the bounding box of the image the footprint belongs to.
   *
   * @returns the box (empty when unknown; afw does not persist it)
   */
  getRegion(): Box2I {
    return this.#region;
  }

  /**
   * Sets the region.
   *
   * @param region - the image bounding box
   */
  setRegion(region: Box2I): void {
    this.#region = region;
  }

  /**
   * The number of pixels.
   *
   * @returns the area of the span set
   */
  getArea(): number {
    return this.#spans.getArea();
  }

  /**
   * The bounding box of the pixels.
   *
   * @returns the box (empty for an empty footprint)
   */
  getBBox(): Box2I {
    return this.#spans.getBBox();
  }

  /**
   * The unweighted mean position of the pixels.
   *
   * @returns the centroid (NaN for an empty footprint)
   */
  getCentroid(): Point2D {
    const { ys, x0s, x1s } = this.#spans;
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let i = 0; i < ys.length; i++) {
      const w = x1s[i]! - x0s[i]! + 1;
      n += w;
      sy += ys[i]! * w;
      sx += ((x0s[i]! + x1s[i]!) * w) / 2;
    }
    return new Point2D(sx / n, sy / n);
  }

  /**
   * Whether a pixel is in the footprint.
   *
   * @param x - the column
   * @param y - the row
   * @returns true when the span set holds it
   */
  contains(x: number, y: number): boolean {
    return this.#spans.contains(x, y);
  }

  /**
   * Moves the footprint in place: spans, peaks (integer and subpixel positions) and region.
   *
   * @param dx - the column offset (an integer)
   * @param dy - the row offset (an integer)
   * @throws AfwTableInvalidArgumentError when the offsets are not integers
   */
  shift(dx: number, dy: number): void {
    this.#spans = this.#spans.shiftedBy(dx, dy);
    const p = this.#peaks;
    const add = (name: string, d: number): void => {
      const c = p.getColumn(name) as Float32Array | Int32Array;
      for (let i = 0; i < c.length; i++) c[i] = c[i]! + d;
    };
    add('i_x', dx);
    add('i_y', dy);
    add('f_x', dx);
    add('f_y', dy);
    if (!this.#region.isEmpty()) this.#region = this.#region.shiftedBy(new Extent2I(dx, dy));
  }

  /**
   * Dilates the footprint in place (its spans; the peaks are kept), as afw's `Footprint.dilate`.
   *
   * @param r - the radius (a non-negative integer)
   * @param stencil - `'circle'` (default), `'manhattan'` or `'box'`
   * @throws AfwTableInvalidArgumentError when `r` is not a non-negative integer
   * @example
   * ```ts
   * footprint.dilate(3, 'circle');
   * ```
   * @see lsst.afw.detection.Footprint.dilate
   */
  dilate(r: number, stencil: Stencil = 'circle'): void {
    this.#spans = this.#spans.dilated(r, stencil);
  }

  /**
   * Erodes the footprint in place (its spans; the peaks are kept, even those now outside), as
   * afw's `Footprint.erode`.
   *
   * @param r - the radius (a non-negative integer)
   * @param stencil - `'circle'` (default), `'manhattan'` or `'box'`
   * @throws AfwTableInvalidArgumentError when `r` is not a non-negative integer
   * @see lsst.afw.detection.Footprint.erode
   */
  erode(r: number, stencil: Stencil = 'circle'): void {
    this.#spans = this.#spans.eroded(r, stencil);
  }

  /**
   * A new footprint holding the pixels of both and the peaks of both (this one's first, then the
   * other's; the peak schema is this one's), as afw's `mergeFootprints`. The region is this
   * one's, grown to include the other's.
   *
   * @param other - the other footprint
   * @returns the merged footprint
   * @example
   * ```ts
   * const both = a.merge(b);
   * both.getArea(); // a.getArea() + b.getArea() - overlap
   * ```
   * @see lsst.afw.detection.mergeFootprints
   */
  merge(other: Footprint): Footprint {
    const peaks = this.#peaks.copy();
    appendPeaks(peaks, other.getPeaks());
    let region = this.#region;
    const r2 = other.getRegion();
    if (region.isEmpty()) region = r2;
    else if (!r2.isEmpty()) region = new Box2I(new Point2I(Math.min(region.getMinX(), r2.getMinX()), Math.min(region.getMinY(), r2.getMinY())), new Point2I(Math.max(region.getMaxX(), r2.getMaxX()), Math.max(region.getMaxY(), r2.getMaxY())));
    return new Footprint(this.#spans.union(other.getSpans()), { peaks, region });
  }

  /**
   * Whether the footprint carries pixel values.
   *
   * @returns false (true for a {@link HeavyFootprint})
   */
  isHeavy(): boolean {
    return false;
  }

  /**
   * Writes the footprint as current afw does: the SpanSet as its own archive object, a
   * catalog with its archive ID, then the peaks.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const id = handle.put(this.#spans);
    handle.saveCatalog(SPAN_SET_ID_SCHEMA, [{ id }]);
    const { schema, rows } = this.#peaks.toArchive();
    handle.saveCatalog(schema, rows);
  }

  /**
   * A short description.
   *
   * @returns `Footprint(area a, n peaks)`
   */
  toString(): string {
    return `${this.persistenceName}(area ${this.getArea()}, ${this.#peaks.length} peaks)`;
  }
}

/** Appends copies of peaks (the fields both schemas have: IDs, positions, values). */
function appendPeaks(target: PeakCatalog, source: PeakCatalog): void {
  if (source.length === 0) return;
  const names = source.schema.getFields().map((f) => f.name).filter((name) => target.schema.contains(name));
  for (let r = 0; r < source.length; r++) {
    const from = source.get(r);
    const to = target.addNew();
    for (const name of names) to.set(name, from.get(name) as never);
  }
}

/**
 * Reads the spans of a footprint from its first archive catalog: the archive ID of a SpanSet
 * (current afw), or the spans themselves (`y`, `x0`, `x1`: written before SpanSets existed).
 *
 * @param rows - the first catalog of the footprint
 * @param archive - the archive
 * @param id - the footprint's archive ID, for messages
 * @returns the span set
 * @throws AfwTableFormatError when the catalog has neither layout or the SpanSet is missing
 */
export function readFootprintSpans(rows: ArchiveRows, archive: InputArchive, id: number): SpanSet {
  const what = `'${rows.catalog.name}' ${id} in ${archive.file ?? 'the archive'}`;
  if (rows.has('y') && rows.has('x0') && rows.has('x1')) return SpanSet.fromArchiveRows(rows);
  if (!rows.has('id') || rows.length !== 1) {
    throw new AfwTableFormatError(`The spans catalog of ${what} has neither a SpanSet ID ('id', one row) nor spans ('y', 'x0', 'x1'); it has ${rows.length} rows of ${rows.columnNames.join(', ')}.`);
  }
  const spanSetId = rows.number('id');
  const name = archive.nameOf(spanSetId);
  if (name !== 'SpanSet') {
    throw new AfwTableFormatError(
      `${what} refers to SpanSet ${spanSetId}, but ${name === undefined ? 'the archive has no object with that ID' : `object ${spanSetId} is a '${name}'`}.`,
    );
  }
  const spans = archive.getAs(spanSetId, SpanSet, `the SpanSet of ${what}`);
  if (spans === null) throw new AfwTableFormatError(`${what} has no SpanSet (ID 0).`);
  return spans;
}

/**
 * The archive reader of `Footprint` (current layout and the one before SpanSets).
 *
 * @param catalogs - the object's two catalogs (spans or SpanSet ID, then peaks)
 * @param archive - the archive
 * @param id - the object's archive ID
 * @returns the footprint
 * @throws AfwTableFormatError when the layout is not a footprint's
 */
export function readFootprint(catalogs: readonly ArchiveRows[], archive: InputArchive, id: number): Footprint {
  if (catalogs.length !== 2) {
    throw new AfwTableFormatError(`Footprint ${id} in ${archive.file ?? 'the archive'} has ${catalogs.length} catalogs; a Footprint has 2 (spans, peaks).`);
  }
  const spans = readFootprintSpans(catalogs[0]!, archive, id);
  return new Footprint(spans, { peaks: PeakCatalog.fromArchiveRows(catalogs[1]!) });
}
