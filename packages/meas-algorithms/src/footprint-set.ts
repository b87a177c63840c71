import type { Mask} from '@skystack/afw-image';
import { Image, MaskedImage, type PixelArray } from '@skystack/afw-image';
import { Footprint, PeakCatalog, SpanSet, type SourceCatalog } from '@skystack/afw-table';
import { Box2I } from '@skystack/geom';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';
import type { Threshold } from './threshold.js';

/** Options of {@link FootprintSet.fromImage}. */
export interface FootprintSetOptions {
  /** Footprints with fewer pixels are dropped (afw `npixMin`; default 1). */
  readonly minPixels?: number;
  /** Find the peaks of each footprint (default true). */
  readonly setPeaks?: boolean;
  /**
   * For a masked image: the mask plane to set on the detected pixels (added to the mask when
   * missing, as afw); `''` or absent sets nothing.
   */
  readonly planeName?: string;
}

/** A growable Int32Array. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

function find(parent: Int32Array, i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r]!;
  while (parent[i] !== r) {
    const next = parent[i]!;
    parent[i] = r;
    i = next;
  }
  return r;
}

function unite(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra !== rb) {
    if (ra < rb) parent[rb] = ra;
    else parent[ra] = rb;
  }
}

/**
 * Copies the rows of several peak catalogs into one, sorted as afw's `SortPeaks` (peak value
 * descending, then i_x, then i_y ascending; stable). Catalogs sharing one schema are copied
 * column by column; otherwise row by row, the fields both schemas have.
 */
function mergedPeaks(sources: readonly PeakCatalog[]): PeakCatalog {
  const schema = sources.length > 0 ? sources[0]!.schema : PeakCatalog.makeMinimalSchema();
  let n = 0;
  let shared = true;
  for (const src of sources) {
    n += src.length;
    if (src.schema !== schema) shared = false;
  }
  let all: PeakCatalog;
  if (shared) {
    all = new PeakCatalog(schema, { length: n });
    for (const f of schema.getFields()) {
      const to = all.getColumn(f.name);
      let k = 0;
      for (const src of sources) {
        const from = src.getColumn(f.name);
        if (Array.isArray(from)) for (let i = 0; i < src.length; i++) (to as string[])[k + i] = from[i]!;
        else (to as Float64Array).set(from as Float64Array, k * f.size);
        k += src.length;
      }
    }
  } else {
    all = new PeakCatalog(schema);
    for (const src of sources) {
      const names = src.schema.getFields().map((f) => f.name).filter((name) => schema.contains(name));
      for (let r = 0; r < src.length; r++) {
        const from = src.get(r);
        const to = all.addNew();
        for (const name of names) to.set(name, from.get(name) as never);
      }
    }
  }
  const v = all.getColumn('peakValue') as Float32Array;
  const ix = all.getColumn('i_x') as Int32Array;
  const iy = all.getColumn('i_y') as Int32Array;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (v[a] !== v[b] ? v[b]! - v[a]! : ix[a] !== ix[b] ? ix[a]! - ix[b]! : iy[a]! - iy[b]!));
  if (order.every((o, i) => o === i)) return all;
  const out = new PeakCatalog(schema, { length: n });
  for (const f of schema.getFields()) {
    const from = all.getColumn(f.name);
    const to = out.getColumn(f.name);
    const size = f.size;
    if (Array.isArray(from)) {
      for (let i = 0; i < n; i++) (to as string[])[i] = from[order[i]!]!;
    } else if (size === 1) {
      const t = to as Float64Array;
      const fr = from as Float64Array;
      for (let i = 0; i < n; i++) t[i] = fr[order[i]!]!;
    } else {
      for (let i = 0; i < n; i++) (to as Float64Array).set((from as Float64Array).subarray(order[i]! * size, (order[i]! + 1) * size), i * size);
    }
  }
  return out;
}

/**
 * A set of {@link @skystack/afw-table!Footprint}s found in one region: the connected groups of
 * pixels above (or below) a {@link Threshold}, with their peaks.
 *
 * Pixels connect through their 8 neighbours (diagonals included), as afw's `findFootprints`.
 * Footprints are ordered by their first pixel in raster order (afw orders by internal ID, which
 * agrees except where two partial objects join on a later row).
 *
 * @example
 * ```ts
 * const fpSet = FootprintSet.fromImage(maskedImage, new Threshold(5, 'PIXEL_STDEV'), { minPixels: 5, planeName: 'DETECTED' });
 * const grown = fpSet.grown(3, true);
 * grown.setMask(maskedImage.mask, 'DETECTED');
 * const sources = new SourceCatalog(SourceCatalog.makeMinimalSchema());
 * grown.makeSources(sources);
 * ```
 * @see lsst.afw.detection.FootprintSet
 */
export class FootprintSet implements Iterable<Footprint> {
  #footprints: Footprint[];
  #region: Box2I;

  /**
   * Makes a set from footprints (kept as given, not copied).
   *
   * @param footprints - the footprints (default none)
   * @param region - the region they belong to (default: the empty box)
   */
  constructor(footprints: Footprint[] = [], region: Box2I = new Box2I()) {
    this.#footprints = footprints;
    this.#region = region;
  }

  /**
   * Detects the footprints of an image: connected pixels at or above the threshold (at or below
   * `-threshold` for negative polarity), NaNs never included, each footprint kept when it has
   * `minPixels` pixels and one pixel passing `threshold × includeMultiplier`; then its peaks
   * (see {@link findPeaks}). A `PIXEL_STDEV` threshold needs a masked image (each pixel is
   * compared with `value × √variance`). With `planeName`, the detected pixels get that mask bit.
   *
   * @param image - an image, or a masked image (image plane thresholded, mask set)
   * @param threshold - the threshold (`STDEV`/`VARIANCE` use the image's clipped standard deviation)
   * @param options - minPixels, setPeaks, planeName
   * @returns the set, with the image's bounding box as its region
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for a `PIXEL_STDEV` threshold on a plain image
   *   or a `BITMASK` threshold on an image
   * @see lsst.afw.detection.FootprintSet.__init__
   */
  static fromImage(image: Image<PixelArray> | MaskedImage<PixelArray>, threshold: Threshold, options: FootprintSetOptions = {}): FootprintSet {
    return detectInImage(image, threshold, options, undefined);
  }

  /**
   * Detects the footprints of a mask: connected pixels with any of the threshold's bits set
   * (`BITMASK`) or at or above its value (`VALUE`). No peaks.
   *
   * @param mask - the mask
   * @param threshold - a `BITMASK` or `VALUE` threshold
   * @param minPixels - the smallest footprint kept (default 1)
   * @returns the set
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for another threshold type
   * @see lsst.afw.detection.FootprintSet.__init__
   */
  static fromMask(mask: Mask, threshold: Threshold, minPixels = 1): FootprintSet {
    const type = threshold.getType();
    if (type !== 'BITMASK' && type !== 'VALUE') {
      throw new MeasAlgorithmsInvalidArgumentError(`A Mask takes a BITMASK or VALUE threshold; got ${type}.`);
    }
    const { data, width, height, stride } = mask.array;
    const region = mask.getBBox();
    let view: Int32Array | Float32Array = data;
    if (type === 'BITMASK') {
      const bits = threshold.getValue();
      view = new Float32Array(width * height);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) view[y * width + x] = (data[y * stride + x]! & bits) !== 0 ? 1 : 0;
      return new FootprintSet(findFootprints(view, width, height, width, region, undefined, 0, 0.5, 1, true, minPixels), region);
    }
    return new FootprintSet(findFootprints(view, width, height, stride, region, undefined, 0, threshold.getValue(), threshold.getIncludeMultiplier(), threshold.getPolarity(), minPixels), region);
  }

  /**
   * The footprints (the live array).
   *
   * @returns the footprints
   */
  getFootprints(): Footprint[] {
    return this.#footprints;
  }

  /**
   * Replaces the footprints.
   *
   * @param footprints - the new footprints
   */
  setFootprints(footprints: Footprint[]): void {
    this.#footprints = footprints;
  }

  /** The number of footprints. */
  get length(): number {
    return this.#footprints.length;
  }

  /**
   * Iterates over the footprints.
   *
   * @returns the iterator
   */
  [Symbol.iterator](): Iterator<Footprint> {
    return this.#footprints[Symbol.iterator]();
  }

  /**
   * The region (the bounding box of the image searched).
   *
   * @returns the box
   */
  getRegion(): Box2I {
    return this.#region;
  }

  /**
   * Sets the region of the set and of every footprint.
   *
   * @param region - the new region
   * @see lsst.afw.detection.FootprintSet.setRegion
   */
  setRegion(region: Box2I): void {
    this.#region = region;
    for (const fp of this.#footprints) fp.setRegion(region);
  }

  /**
   * A deep copy (footprints with copied peak catalogs; span sets are immutable and shared).
   *
   * @returns the copy
   */
  clone(): FootprintSet {
    return new FootprintSet(
      this.#footprints.map((fp) => new Footprint(fp.getSpans(), { peaks: fp.getPeaks().copy(), region: fp.getRegion() })),
      this.#region,
    );
  }

  /**
   * A new set with every footprint dilated by `r` (`'circle'` stencil when isotropic, else
   * `'manhattan'`), clipped to the region, and footprints that now touch or overlap merged into
   * one (their peaks combined and sorted as afw's `SortPeaks`), as afw's
   * `FootprintSet(rhs, r, isotropic)`.
   *
   * @param r - the radius (a non-negative integer; 0 gives a copy)
   * @param isotropic - circle (default true) or Manhattan metric
   * @returns the grown set
   * @throws {@link MeasAlgorithmsInvalidArgumentError} for a negative or fractional radius
   * @see lsst.afw.detection.FootprintSet.__init__
   */
  grown(r: number, isotropic = true): FootprintSet {
    checkGrow(r);
    if (r === 0) return this.clone();
    // (radii as int32: an array of one double-valued radius has another map, and `combine`'s optimised code checks it)
    return new FootprintSet(combine([this.#footprints], [r | 0], this.#region, isotropic), this.#region);
  }

  /**
   * Merges another set into this one in place: each set's footprints grown by its radius, then
   * overlapping or touching footprints joined (peaks combined), as afw's `FootprintSet.merge`.
   *
   * @param other - the other set (same region)
   * @param tGrow - grow this set's footprints by this much first (default 0)
   * @param rGrow - grow the other set's footprints by this much first (default 0)
   * @param isotropic - circle (default true) or Manhattan grow
   * @throws {@link MeasAlgorithmsInvalidArgumentError} when the regions differ or a radius is negative
   * @see lsst.afw.detection.FootprintSet.merge
   */
  merge(other: FootprintSet, tGrow = 0, rGrow = 0, isotropic = true): void {
    checkGrow(tGrow);
    checkGrow(rGrow);
    if (!this.#region.equals(other.getRegion())) {
      throw new MeasAlgorithmsInvalidArgumentError(`FootprintSet.merge needs two sets with the same region; got ${this.#region.toString()} and ${other.getRegion().toString()}.`);
    }
    this.#footprints = combine([this.#footprints, other.getFootprints()], [tGrow | 0, rGrow | 0], this.#region, isotropic);
  }

  /**
   * ORs a mask plane into every pixel of every footprint (pixels outside the mask are skipped).
   *
   * @param mask - the mask
   * @param planeName - an existing plane of the mask
   * @throws AfwImageMaskPlaneError when the plane does not exist
   * @see lsst.afw.detection.FootprintSet.setMask
   */
  setMask(mask: Mask, planeName: string): void {
    const bits = mask.getPlaneBitMask(planeName);
    const xy0 = mask.getXY0();
    orSpans(this.#footprints, mask.array, xy0.getX(), xy0.getY(), bits);
  }

  /**
   * An image of footprint IDs (1 for the first footprint, ...; 0 outside), the size of the region.
   *
   * @returns the ID image
   * @see lsst.afw.detection.FootprintSet.insertIntoImage
   */
  insertIntoImage(): Image<Int32Array> {
    const im = Image.make('int32', this.#region);
    const { data } = im.array;
    const xy0 = im.getXY0();
    this.#footprints.forEach((fp, i) => {
      fp.getSpans().forEachSpanIn(im.array, xy0, (start, end) => data.fill(i + 1, start, end));
    });
    return im;
  }

  /**
   * Appends one source record per footprint to a catalog, with the footprint attached and an
   * `id` one more than the largest already there (afw's SourceTable ID factory counts from 1).
   *
   * @param catalog - the catalog to append to
   * @see lsst.afw.detection.FootprintSet.makeSources
   */
  makeSources(catalog: SourceCatalog): void {
    const ids = catalog.getColumn('id') as BigInt64Array;
    let next = 1n;
    for (let i = 0; i < catalog.length; i++) if (ids[i]! >= next) next = ids[i]! + 1n;
    for (const fp of this.#footprints) {
      const record = catalog.addNew();
      record.set('id', next++);
      record.setFootprint(fp);
    }
  }

  /**
   * A short description.
   *
   * @returns `FootprintSet(n footprints)`
   */
  toString(): string {
    return `FootprintSet(${this.#footprints.length} footprints)`;
  }
}

/**
 * ORs `bits` into the mask pixels of every footprint's spans (those inside the array): what
 * `SpanSet.setMask` does per footprint, in one loop nest so that it is optimised (on-stack
 * replacement) within the first call rather than after thousands of short calls.
 */
function orSpans(footprints: readonly Footprint[], array: { readonly data: Int32Array; readonly width: number; readonly height: number; readonly stride: number }, ax0: number, ay0: number, bits: number): void {
  const { data, width, height, stride } = array;
  const xmax = ax0 + width - 1;
  const ymax = ay0 + height - 1;
  for (let f = 0; f < footprints.length; f++) {
    const { ys, x0s, x1s } = footprints[f]!.getSpans();
    for (let i = 0, n = ys.length; i < n; i++) {
      const y = ys[i]!;
      if (y < ay0) continue;
      if (y > ymax) break;
      const a = Math.max(x0s[i]!, ax0);
      const b = Math.min(x1s[i]!, xmax);
      const row = (y - ay0) * stride - ax0;
      for (let k = row + a, end = row + b + 1; k < end; k++) data[k] = data[k]! | bits;
    }
  }
}

function checkGrow(r: number): void {
  if (!Number.isInteger(r) || r < 0) throw new MeasAlgorithmsInvalidArgumentError(`Footprints grow by a non-negative integer number of pixels; got ${String(r)}.`);
}

/**
 * The first column `>= x` of a row whose value (times `sign`) passes `threshold × √variance`
 * (`width` when none), for a non-negative threshold: the hot loop of a PIXEL_STDEV detection,
 * on its own so that it compiles to a tight loop (see findFootprints for the squared test).
 */
function skipBelowStdev(
  data: Float32Array,
  row: number,
  variance: Float32Array,
  vrow: number,
  x: number,
  width: number,
  sign: number,
  threshold: number,
  t2: number,
  below: number,
  above: number,
): number {
  for (; x < width; x++) {
    const u = sign * data[row + x]!;
    // u·|u| is u² for u >= 0 and negative otherwise: one well-predicted test rejects both the
    // negative values and those clearly below the limit (noise pixels come in either sign)
    const su = u * Math.abs(u);
    const tv = t2 * variance[vrow + x]!;
    if (su < tv * below) continue;
    if (su > tv * above && tv >= 0) return x;
    if (u >= threshold * Math.sqrt(variance[vrow + x]!)) return x;
  }
  return width;
}

/**
 * The connected components of the pixels above threshold, as footprints (no peaks yet).
 * Runs of passing pixels are found row by row and joined with the runs of the previous row that
 * touch them, diagonals included (union-find over runs).
 */
function findFootprints(
  data: ArrayLike<number>,
  width: number,
  height: number,
  stride: number,
  region: Box2I,
  variance: Float32Array | undefined,
  varStride: number,
  threshold: number,
  includeMultiplier: number,
  polarity: boolean,
  minPixels: number,
  rows?: RowFilter,
): Footprint[] {
  const sign = polarity ? 1 : -1;
  const include = threshold * includeMultiplier;
  const allGood = includeMultiplier === 1;
  // With a non-negative threshold no negative value can pass, and v >= threshold·√var can be
  // decided on v² against threshold²·var without the square root, except within a relative
  // 1e-9 of equality (far above the rounding of either side), where the exact test decides.
  const nonNegative = threshold >= 0;
  const t2 = threshold * threshold;
  const below = 1 - 1e-9;
  const above = 1 + 1e-9;
  const runY = new IntList();
  const runX0 = new IntList();
  const runX1 = new IntList();
  const good: number[] = [];
  let prevStart = 0;
  let prevEnd = 0;
  let parent = new Int32Array(1024);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const vrow = y * varStride;
    const curStart = runY.length;
    // The intervals of the row to search: the whole row, none (a filtered row without candidates
    // of this polarity), or the filter's candidate segments (no pixel outside them passes).
    let seg = 0;
    let segEnd = 1;
    if (rows !== undefined) {
      if ((rows.flags[y]! & rows.bit) === 0) segEnd = 0;
      else if (rows.segments !== undefined) {
        seg = rows.segments.rowStart[y]!;
        segEnd = rows.segments.rowStart[y + 1]!;
      }
    }
    for (; seg < segEnd; seg++) {
      const useSegs = rows?.segments !== undefined;
      let x = useSegs ? rows!.segments!.x0[seg]! : 0;
      const xe = useSegs ? rows!.segments!.x1[seg]! + 1 : width;
      while (x < xe) {
        // Skip to the next passing pixel.
        if (variance === undefined) {
          while (x < xe && !(sign * (data[row + x] as number) >= threshold)) x++;
        } else if (nonNegative && data instanceof Float32Array) {
          x = skipBelowStdev(data, row, variance, vrow, x, xe, sign, threshold, t2, below, above);
        } else {
          for (; x < xe; x++) {
            const u = sign * (data[row + x] as number);
            if (nonNegative) {
              if (!(u >= 0)) continue;
              const tv = t2 * variance[vrow + x]!;
              if (tv >= 0) {
                const uu = u * u;
                if (uu < tv * below) continue;
                if (uu > tv * above) break;
              }
            }
            if (u >= threshold * Math.sqrt(variance[vrow + x]!)) break;
          }
        }
        if (x >= xe) break;
        let v: number;
        let t: number;
        const x0 = x;
        let isGood = allGood;
        while (x < width) {
          v = sign * (data[row + x] as number);
          const sd = variance === undefined ? 1 : Math.sqrt(variance[vrow + x]!);
          t = threshold * sd;
          if (!(v >= t)) break;
          if (!isGood && v >= include * sd) isGood = true;
          x++;
        }
        const id = runY.length;
        runY.push(y);
        runX0.push(x0);
        runX1.push(x - 1);
        good.push(isGood ? 1 : 0);
        if (id >= parent.length) {
          const next = new Int32Array(parent.length * 2);
          next.set(parent);
          parent = next;
        }
        parent[id] = id;
        // Join with the previous row's runs that touch [x0 - 1, x - 1 + 1].
        while (prevStart < prevEnd && runX1.data[prevStart]! < x0 - 1) prevStart++;
        for (let p = prevStart; p < prevEnd && runX0.data[p]! <= x; p++) unite(parent, p, id);
      }
    }
    prevStart = curStart;
    prevEnd = runY.length;
  }
  return footprintsOfRuns(runY, runX0, runX1, good, parent, region, minPixels);
}

/**
 * The footprints of {@link findFootprints}' runs: grouped by union-find root, components in
 * order of their first run, those with a good run and at least `minPixels` pixels. A function of
 * its own so that the row loop's on-stack-replaced code does not hold this once-per-call part
 * (which it reached without type feedback and deoptimised on, every call).
 */
function footprintsOfRuns(runY: IntList, runX0: IntList, runX1: IntList, good: number[], parent: Int32Array, region: Box2I, minPixels: number): Footprint[] {
  const n = runY.length;
  // (each long loop is a function of its own: V8 on-stack replaces a long loop with code for the
  // rest of its function, and later loops reached there without type feedback were deoptimised)
  const compOf = new Int32Array(n);
  const nComp = labelComponents(parent, n, compOf);
  const counts = new Int32Array(nComp + 1);
  const area = new Float64Array(nComp);
  const compGood = new Uint8Array(nComp);
  sumComponents(compOf, runX0, runX1, good, n, counts, area, compGood);
  for (let c = 0; c < nComp; c++) counts[c + 1]! += counts[c]!;
  const order = new Int32Array(n);
  orderRuns(compOf, counts.slice(0, nComp), n, order);
  return footprintsOfComponents(runY, runX0, runX1, order, counts, area, compGood, region, minPixels);
}

/** Numbers the union-find components of runs `[0, n)` in order of their first run (raster order) into `compOf`; returns how many. */
function labelComponents(parent: Int32Array, n: number, compOf: Int32Array): number {
  const compIndex = new Int32Array(n).fill(-1);
  let nComp = 0;
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    if (compIndex[r] === -1) compIndex[r] = nComp++;
    compOf[i] = compIndex[r]!;
  }
  return nComp;
}

/** Each component's run count (at `counts[c + 1]`), pixel area and whether it has a good run. */
function sumComponents(compOf: Int32Array, runX0: IntList, runX1: IntList, good: number[], n: number, counts: Int32Array, area: Float64Array, compGood: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const c = compOf[i]!;
    counts[c + 1]!++;
    area[c]! += runX1.data[i]! - runX0.data[i]! + 1;
    if (good[i] === 1) compGood[c] = 1;
  }
}

/** The runs in component order (each component's from `fill[c]` on, in raster order) into `order`. */
function orderRuns(compOf: Int32Array, fill: Int32Array, n: number, order: Int32Array): void {
  for (let i = 0; i < n; i++) order[fill[compOf[i]!]!++] = i;
}

/**
 * The footprints of {@link footprintsOfRuns}' components (runs `order[counts[c] ..
 * counts[c + 1])` of component `c`) with a good run and at least `minPixels` pixels. A function
 * of its own (see footprintsOfRuns).
 */
function footprintsOfComponents(
  runY: IntList,
  runX0: IntList,
  runX1: IntList,
  order: Int32Array,
  counts: Int32Array,
  area: Float64Array,
  compGood: Uint8Array,
  region: Box2I,
  minPixels: number,
): Footprint[] {
  const out: Footprint[] = [];
  const ox = region.getMinX();
  const oy = region.getMinY();
  // One peak schema for the set (as afw's footprints of one set share a peak table).
  const peakSchema = PeakCatalog.makeMinimalSchema();
  for (let c = 0, nComp = area.length; c < nComp; c++) {
    if (compGood[c] !== 1 || area[c]! < minPixels) continue;
    const s = counts[c]!;
    const e = counts[c + 1]!;
    const ys = new Int32Array(e - s);
    const x0s = new Int32Array(e - s);
    const x1s = new Int32Array(e - s);
    for (let k = s; k < e; k++) {
      const i = order[k]!;
      ys[k - s] = runY.data[i]! + oy;
      x0s[k - s] = runX0.data[i]! + ox;
      x1s[k - s] = runX1.data[i]! + ox;
    }
    out.push(new Footprint(SpanSet.fromArrays(ys, x0s, x1s, { normalize: false }), { region, peaks: new PeakCatalog(peakSchema) }));
  }
  return out;
}

/**
 * Finds the peaks of a footprint in an image, as afw's `findPeaksInFootprint`: every footprint
 * pixel at least one pixel inside the image whose 8 neighbours are all ≤ it (≥ for negative
 * polarity), added at its integer position with its value, sorted by value (descending, for
 * both polarities, as afw), then column, then row. A footprint without such a pixel gets its
 * extreme pixel as its only peak.
 *
 * @param footprint - the footprint (peaks are appended to its catalog)
 * @param image - the image searched (PARENT coordinates)
 * @param polarity - true for maxima, false for minima
 * @example
 * ```ts
 * findPeaks(footprint, smoothed.image, true);
 * footprint.getPeaks().get(0).getPeakValue(); // the brightest peak
 * ```
 * @see lsst.afw.detection.FootprintSet (findPeaks)
 */
export function findPeaks(footprint: Footprint, image: Image<PixelArray>, polarity: boolean): void {
  findPeaksOf([footprint], image, polarity);
}

/**
 * {@link findPeaks} for each footprint in turn, in one loop nest (so that the pixel loop is
 * optimised within the first call rather than after hundreds of per-footprint calls).
 */
function findPeaksOf(footprints: readonly Footprint[], image: Image<PixelArray>, polarity: boolean): void {
  const { data, width, height, stride } = image.array;
  const xy0 = image.getXY0();
  const ix0 = xy0.getX();
  const iy0 = xy0.getY();
  const sign = polarity ? 1 : -1;
  const xmax = ix0 + width - 1;
  const ymax = iy0 + height - 1;
  let found = peakScratch;
  for (let f = 0; f < footprints.length; f++) {
    const footprint = footprints[f]!;
    const { ys, x0s, x1s } = footprint.getSpans();
    let n = 0;
    let hasNaN = false;
    let bestV = -Infinity;
    let bestX = 0;
    let bestY = 0;
    for (let i = 0, ns = ys.length; i < ns; i++) {
      const y = ys[i]!;
      if (y < iy0) continue;
      if (y > ymax) break;
      const a = Math.max(x0s[i]!, ix0);
      const b = Math.min(x1s[i]!, xmax);
      if (a > b) continue;
      const ly = y - iy0;
      const interiorRow = ly >= 1 && ly <= height - 2;
      const row = ly * stride - ix0;
      for (let x = a; x <= b; x++) {
        const k = row + x;
        const val = data[k] as number;
        const sv = sign * val;
        if (sv > bestV) {
          bestV = sv;
          bestX = x;
          bestY = y;
        }
        const lx = x - ix0;
        if (!interiorRow || lx < 1 || lx > width - 2) continue;
        const up = k - stride;
        const dn = k + stride;
        if (
          sign * (data[up - 1] as number) > sv ||
          sign * (data[up] as number) > sv ||
          sign * (data[up + 1] as number) > sv ||
          sign * (data[k - 1] as number) > sv ||
          sign * (data[k + 1] as number) > sv ||
          sign * (data[dn - 1] as number) > sv ||
          sign * (data[dn] as number) > sv ||
          sign * (data[dn + 1] as number) > sv
        ) {
          continue;
        }
        if (3 * n + 3 > found.length) found = peakScratch = growFloat64(found);
        found[3 * n] = val;
        found[3 * n + 1] = x;
        found[3 * n + 2] = y;
        if (val !== val) hasNaN = true;
        n++;
      }
    }
    if (n === 0) {
      if (bestV > -Infinity) footprint.getPeaks().addPeak(bestX, bestY, sign * bestV);
      continue;
    }
    addSortedPeaks(footprint, found, n, hasNaN);
  }
}

/**
 * Appends the `n` peaks `(value, x, y)` of `found` to a footprint, sorted by value (descending),
 * then column, then row: an insertion sort of a few peaks (distinct pixels, so a strict order:
 * the order any sort gives), else (or with a NaN value) the comparison sort of afw's order.
 */
function addSortedPeaks(footprint: Footprint, found: Float64Array, n: number, hasNaN: boolean): void {
  if (sortScratch.order.length < n) sortScratch = makeSortScratch(2 * n);
  const { order, fx, fy, fv } = sortScratch;
  for (let i = 0; i < n; i++) order[i] = i;
  if (hasNaN || n > 32) {
    const sorted = Array.from(order.subarray(0, n)).sort((p, q) => {
      const vp = found[3 * p]!;
      const vq = found[3 * q]!;
      return vp !== vq ? vq - vp : found[3 * p + 1] !== found[3 * q + 1] ? found[3 * p + 1]! - found[3 * q + 1]! : found[3 * p + 2]! - found[3 * q + 2]!;
    });
    for (let i = 0; i < n; i++) order[i] = sorted[i]!;
  } else {
    for (let i = 1; i < n; i++) {
      const c = order[i]!;
      const vc = found[3 * c]!;
      const xc = found[3 * c + 1]!;
      const yc = found[3 * c + 2]!;
      let p = i;
      for (; p > 0; p--) {
        const o = order[p - 1]!;
        const vo = found[3 * o]!;
        // o stays before c when it sorts first: larger value, or equal value and smaller (x, y)
        if (vo > vc || (vo === vc && (found[3 * o + 1]! < xc || (found[3 * o + 1] === xc && found[3 * o + 2]! < yc)))) break;
        order[p] = o;
      }
      order[p] = c;
    }
  }
  for (let i = 0; i < n; i++) {
    const o = order[i]!;
    fv[i] = found[3 * o]!;
    fx[i] = found[3 * o + 1]!;
    fy[i] = found[3 * o + 2]!;
  }
  footprint.getPeaks().addPeaks(fx, fy, fv, n);
}

/** Scratch for {@link addSortedPeaks} (reused between calls). */
let sortScratch = makeSortScratch(64);

function makeSortScratch(n: number): { order: Int32Array; fx: Float64Array; fy: Float64Array; fv: Float64Array } {
  return { order: new Int32Array(n), fx: new Float64Array(n), fy: new Float64Array(n), fv: new Float64Array(n) };
}

/** Scratch for {@link findPeaks}: (value, x, y) of each peak found (reused between calls). */
let peakScratch: Float64Array<ArrayBuffer> = new Float64Array(3 * 64);

/** A copy of an array twice as long. */
function growFloat64(a: Float64Array): Float64Array<ArrayBuffer> {
  const next = new Float64Array(2 * a.length);
  next.set(a);
  return next;
}

/**
 * The indices `0 .. n - 1` ordered by `ys`, then `x0s`, ties in index order (a stable sort): a
 * counting sort over the rows, then an insertion sort of each row's few entries. (Each loop is a
 * function of its own: as loops of one function, their on-stack-replaced code was deoptimised on
 * leaving each loop, four times in every call.)
 */
function orderByRowThenX(ys: Int32Array, x0s: Int32Array, n: number): Int32Array {
  const order = new Int32Array(n);
  if (n === 0) return order;
  const yMin = minOf(ys, n);
  const nRows = maxOf(ys, n) - yMin + 1;
  const start = new Int32Array(nRows + 1);
  countRows(ys, n, yMin, start);
  const fill = start.slice(0, nRows);
  scatterByRow(ys, n, yMin, fill, order);
  sortRowsByX(order, start, nRows, x0s);
  return order;
}

/** The smallest of `a[0, n)` (n ≥ 1). */
function minOf(a: Int32Array, n: number): number {
  let m = a[0]!;
  for (let i = 1; i < n; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

/** The largest of `a[0, n)` (n ≥ 1). */
function maxOf(a: Int32Array, n: number): number {
  let m = a[0]!;
  for (let i = 1; i < n; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/** `start[r]`: how many of `ys[0, n)` lie in rows before `yMin + r` (`start` zeroed, length rows + 1). */
function countRows(ys: Int32Array, n: number, yMin: number, start: Int32Array): void {
  for (let i = 0; i < n; i++) start[ys[i]! - yMin + 1]!++;
  for (let r = 1; r < start.length; r++) start[r]! += start[r - 1]!;
}

/** Each index `i` into `order` at its row's next slot (`fill`, from the row starts), in index order. */
function scatterByRow(ys: Int32Array, n: number, yMin: number, fill: Int32Array, order: Int32Array): void {
  for (let i = 0; i < n; i++) order[fill[ys[i]! - yMin]!++] = i;
}

/** Sorts each row's entries of `order` by `x0s` (insertion sort: stable, rows hold few). */
function sortRowsByX(order: Int32Array, start: Int32Array, nRows: number, x0s: Int32Array): void {
  for (let r = 0; r < nRows; r++) {
    const s = start[r]!;
    for (let k = s + 1, e = start[r + 1]!; k < e; k++) {
      const v = order[k]!;
      const x = x0s[v]!;
      let p = k;
      while (p > s && x0s[order[p - 1]!]! > x) {
        order[p] = order[p - 1]!;
        p--;
      }
      order[p] = v;
    }
  }
}

/**
 * Joins (union-find) the spans, visited in raster order, that overlap or touch in a row and those
 * of adjacent rows that touch, diagonals included. (Its own function, as the other steps of
 * {@link combine}, so that each loop is optimised on its own.)
 */
function joinTouching(ys: Int32Array, x0s: Int32Array, x1s: Int32Array, order: Int32Array, total: number, parent: Int32Array): void {
  let prevStart = 0;
  let prevEnd = 0;
  let i = 0;
  while (i < total) {
    const y = ys[order[i]!]!;
    let j = i;
    while (j < total && ys[order[j]!] === y) j++;
    // same row
    let runEnd = 0;
    let runIdx = -1;
    for (let q = i; q < j; q++) {
      const s = order[q]!;
      if (runIdx >= 0 && x0s[s]! <= runEnd + 1) unite(parent, runIdx, s);
      if (runIdx < 0 || x1s[s]! > runEnd) {
        runEnd = x1s[s]!;
        runIdx = s;
      }
    }
    // previous row (only if it is y - 1)
    if (prevEnd > prevStart && ys[order[prevStart]!] === y - 1) {
      let p0 = prevStart;
      for (let q = i; q < j; q++) {
        const s = order[q]!;
        while (p0 < prevEnd && x1s[order[p0]!]! < x0s[s]! - 1) p0++;
        for (let p = p0; p < prevEnd && x0s[order[p]!]! <= x1s[s]! + 1; p++) {
          if (x1s[order[p]!]! >= x0s[s]! - 1) unite(parent, order[p]!, s);
        }
      }
    }
    prevStart = i;
    prevEnd = j;
    i = j;
  }
}

/**
 * The components of a union-find over spans, numbered in raster order of their first span, each
 * with its spans (`members[compStart[c] .. compStart[c + 1] - 1]`) in raster order.
 */
function components(parent: Int32Array, order: Int32Array, total: number): { nComp: number; compStart: Int32Array; members: Int32Array } {
  // Components in raster order of their first span; each component's spans in raster order
  // (a counting sort by component keeps the order).
  const compIndex = new Int32Array(total).fill(-1);
  const compOfPos = new Int32Array(total);
  let nComp = 0;
  for (let q = 0; q < total; q++) {
    const r = find(parent, order[q]!);
    if (compIndex[r] === -1) compIndex[r] = nComp++;
    compOfPos[q] = compIndex[r]!;
  }
  const compStart = new Int32Array(nComp + 1);
  for (let q = 0; q < total; q++) compStart[compOfPos[q]! + 1]!++;
  for (let c = 0; c < nComp; c++) compStart[c + 1]! += compStart[c]!;
  const members = new Int32Array(total);
  const fill = compStart.slice(0, nComp);
  for (let q = 0; q < total; q++) members[fill[compOfPos[q]!]!++] = order[q]!;
  return { nComp, compStart, members };
}


/**
 * Grows the footprints of one or more sets and joins those that overlap or touch (8-connected),
 * combining their peaks. Output ordered by first pixel in raster order.
 */
function combine(sets: readonly (readonly Footprint[])[], grows: readonly number[], region: Box2I, isotropic: boolean): Footprint[] {
  const stencil = isotropic ? 'circle' : 'manhattan';
  // (indexed loops into arrays made at their size: this runs once or twice per image, and the
  // iterators, pushes and object literals it used were deoptimised on from the second image on)
  let count = 0;
  for (let i = 0; i < sets.length; i++) count += sets[i]!.length;
  const owners = new Array<Footprint>(count);
  const spans = new Array<SpanSet>(count);
  const structures = new Array<SpanSet>(count);
  let k = 0;
  for (let i = 0; i < sets.length; i++) {
    const footprints = sets[i]!;
    // (dilated(grow, stencil) is the Minkowski sum with this shape; radius 0 is one pixel, the identity)
    const structure = SpanSet.fromShape(grows[i]!, stencil);
    for (let j = 0; j < footprints.length; j++, k++) {
      const fp = footprints[j]!;
      owners[k] = fp;
      spans[k] = fp.getSpans();
      structures[k] = structure;
    }
  }
  const dilated = SpanSet.dilateMany(spans, structures, region);
  const ys = dilated.ys;
  const x0s = dilated.x0s;
  const x1s = dilated.x1s;
  const ownerStart = dilated.starts;
  const total = ownerStart[owners.length]!;
  const owner = new Int32Array(total);
  for (let o = 0; o < owners.length; o++) owner.fill(o, ownerStart[o]!, ownerStart[o + 1]!);
  const order = orderByRowThenX(ys, x0s, total);
  const parent = new Int32Array(total);
  for (let i = 0; i < total; i++) parent[i] = i;
  // Spans of the same owner are connected by construction only when they touch; join owners'
  // spans explicitly so that a footprint with separated pieces stays one (as afw's ID image).
  for (let o = 0; o < owners.length; o++) {
    const first = ownerStart[o]!;
    for (let q = first + 1, e = ownerStart[o + 1]!; q < e; q++) parent[q] = first;
  }
  joinTouching(ys, x0s, x1s, order, total, parent);
  const { nComp, compStart, members } = components(parent, order, total);
  const ownerSeen = new Int32Array(owners.length).fill(-1);
  const compOwners: number[] = [];
  const out: Footprint[] = [];
  for (let c = 0; c < nComp; c++) {
    const s0 = compStart[c]!;
    const s1 = compStart[c + 1]!;
    compOwners.length = 0;
    for (let q = s0; q < s1; q++) {
      const o = owner[members[q]!]!;
      if (ownerSeen[o] !== c) {
        ownerSeen[o] = c;
        compOwners.push(o);
      }
    }
    let spans: SpanSet;
    let peaks: PeakCatalog;
    if (compOwners.length === 1) {
      // One footprint's spans alone (all of them: they were joined above): its grown span set
      // is already sorted and normalized, in the raster order used here.
      const o = compOwners[0]!;
      const s0 = ownerStart[o]!;
      const s1 = ownerStart[o + 1]!;
      spans = SpanSet.fromArrays(ys.slice(s0, s1), x0s.slice(s0, s1), x1s.slice(s0, s1), { normalize: false });
      peaks = owners[o]!.getPeaks().copy();
    } else {
      const n = s1 - s0;
      const cy = new Int32Array(n);
      const c0 = new Int32Array(n);
      const c1 = new Int32Array(n);
      for (let q = 0; q < n; q++) {
        const m = members[s0 + q]!;
        cy[q] = ys[m]!;
        c0[q] = x0s[m]!;
        c1[q] = x1s[m]!;
      }
      spans = SpanSet.fromArrays(cy, c0, c1);
      compOwners.sort((p, q) => p - q);
      peaks = mergedPeaks(compOwners.map((o) => owners[o]!.getPeaks()));
    }
    out.push(new Footprint(spans, { peaks, region }));
  }
  return out;
}

/**
 * Where a detection searches: rows `y` with `(flags[y] & bit) === 0` hold no passing pixel, and
 * with `segments`, no pixel outside them passes (each segment followed by a failing pixel or the
 * row's end).
 */
export interface RowFilter {
  /** Per row of the image searched. */
  readonly flags: Uint8Array;
  /** The bit of this polarity. */
  readonly bit: number;
  /**
   * Candidate segments by row (compressed rows): row `y` has segments
   * `rowStart[y] .. rowStart[y + 1] - 1`, each columns `x0[s] .. x1[s]`, in increasing x.
   */
  readonly segments?: {
    /** First segment of each row (length rows + 1). */
    readonly rowStart: Int32Array;
    /** First column of each segment. */
    readonly x0: Int32Array;
    /** Last column of each segment. */
    readonly x1: Int32Array;
  };
}

/**
 * {@link FootprintSet.fromImage}, skipping the rows a filter rules out (the caller guarantees no
 * pixel there passes the threshold), as SourceDetectionTask uses it.
 *
 * @param image - an image, or a masked image
 * @param threshold - the threshold
 * @param options - minPixels, setPeaks, planeName
 * @param rows - the rows to search (all when undefined)
 * @returns the set
 * @throws {@link MeasAlgorithmsInvalidArgumentError} as {@link FootprintSet.fromImage}
 */
export function detectInImage(image: Image<PixelArray> | MaskedImage<PixelArray>, threshold: Threshold, options: FootprintSetOptions, rows: RowFilter | undefined): FootprintSet {
  const masked = image instanceof MaskedImage ? image : undefined;
  const plane = masked !== undefined ? masked.image : (image as Image<PixelArray>);
  const type = threshold.getType();
  if (type === 'BITMASK') throw new MeasAlgorithmsInvalidArgumentError('A BITMASK threshold applies to a Mask; use FootprintSet.fromMask.');
  if (type === 'PIXEL_STDEV' && masked === undefined) {
    throw new MeasAlgorithmsInvalidArgumentError('A PIXEL_STDEV threshold needs a MaskedImage (it compares each pixel with its own variance); got an Image.');
  }
  const value = threshold.getValueFor(masked ?? plane);
  const region = plane.getBBox();
  const { data, width, height, stride } = plane.array;
  const variance = type === 'PIXEL_STDEV' ? masked!.variance.array : undefined;
  const footprints = findFootprints(
    data,
    width,
    height,
    stride,
    region,
    variance?.data,
    variance?.stride ?? 0,
    value,
    threshold.getIncludeMultiplier(),
    threshold.getPolarity(),
    options.minPixels ?? 1,
    rows,
  );
  const set = new FootprintSet(footprints, region);
  if (options.setPeaks ?? true) {
    findPeaksOf(footprints, plane, threshold.getPolarity());
  }
  if (masked !== undefined && options.planeName !== undefined && options.planeName !== '') {
    const mask = masked.mask;
    if (!mask.planeDict.hasPlane(options.planeName)) mask.addMaskPlane(options.planeName);
    set.setMask(mask, options.planeName);
  }
  return set;
}
