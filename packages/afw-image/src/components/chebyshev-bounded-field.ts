// lsst.afw.math.ChebyshevBoundedField: a 2-d Chebyshev series over a pixel box, with archive persistence.
import { type ArchiveRows, type OutputArchiveHandle } from '@skystack/afw-table';
import { Box2I, Point2I, type Point2D } from '@skystack/geom';
import { AfwImageInvalidArgumentError } from '../errors.js';
import type { BoundedField } from './bounded-field.js';
import { AfwImageArchiveFormatError } from './errors.js';

/** Mean over [-1, 1] of the Chebyshev polynomial T_n. */
function meanOfT(n: number): number {
  if (n % 2 === 1) return 0;
  return 1 / (1 - n * n);
}

/**
 * A 2-d Chebyshev polynomial series over a box: `f(x, y) = Σ_ij c[j][i] T_i(x') T_j(y')`, where
 * `x'` and `y'` map the box's pixel edges (`minX - 0.5` … `maxX + 0.5`, as afw's `Box2D(bbox)`) to
 * `[-1, 1]`. Coefficients are a `(orderY + 1) × (orderX + 1)` grid, stored row-major (y then x)
 * as afw stores them.
 *
 * @example
 * ```ts
 * import { Box2I, Point2I } from '@skystack/geom';
 * const field = new ChebyshevBoundedField(new Box2I(new Point2I(0, 0), new Point2I(99, 99)), [[2, 0.5], [0.1, 0]]);
 * field.evaluate(49.5, 49.5); // 2 (the centre maps to x' = y' = 0)
 * ```
 *
 * @see lsst.afw.math.ChebyshevBoundedField
 */
export class ChebyshevBoundedField implements BoundedField {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'ChebyshevBoundedField';
  /** Python module afw records for it. */
  readonly pythonModule = 'lsst.afw.math';
  /** The box. */
  readonly bbox: Box2I;
  /** Highest order in x (`coefficients` has `orderX + 1` columns). */
  readonly orderX: number;
  /** Highest order in y (`coefficients` has `orderY + 1` rows). */
  readonly orderY: number;
  readonly #coefficients: Float64Array;
  readonly #scaleX: number;
  readonly #offsetX: number;
  readonly #scaleY: number;
  readonly #offsetY: number;

  /**
   * Makes a field from a grid of coefficients.
   *
   * @param bbox - the box
   * @param coefficients - `coefficients[j][i]` multiplies `T_i(x') T_j(y')`; all rows of one length
   * @throws AfwImageInvalidArgumentError when the grid is empty or ragged
   */
  constructor(bbox: Box2I, coefficients: readonly (readonly number[])[]) {
    const ny = coefficients.length;
    const nx = coefficients[0]?.length ?? 0;
    if (ny === 0 || nx === 0 || coefficients.some((row) => row.length !== nx)) {
      throw new AfwImageInvalidArgumentError(
        `ChebyshevBoundedField needs a non-empty rectangular grid of coefficients; got rows of lengths [${coefficients.map((r) => r.length).join(', ')}].`,
      );
    }
    const flat = new Float64Array(nx * ny);
    coefficients.forEach((row, j) => row.forEach((c, i) => (flat[j * nx + i] = c)));
    this.bbox = bbox;
    this.orderX = nx - 1;
    this.orderY = ny - 1;
    this.#coefficients = flat;
    // afw: Box2D(bbox) is the box of pixel edges; scale 2/width, offset -2*centre/width.
    const w = bbox.getWidth();
    const h = bbox.getHeight();
    this.#scaleX = 2 / w;
    this.#offsetX = -(bbox.getMinX() + bbox.getMaxX()) / w;
    this.#scaleY = 2 / h;
    this.#offsetY = -(bbox.getMinY() + bbox.getMaxY()) / h;
  }

  /**
   * Makes a field from coefficients flattened row-major (y then x), as afw archives them.
   *
   * @param bbox - the box
   * @param flat - `(orderY + 1) * (orderX + 1)` coefficients
   * @param orderX - the highest order in x
   * @returns the field
   * @throws AfwImageInvalidArgumentError when `flat.length` is not a multiple of `orderX + 1`
   */
  static fromFlatCoefficients(bbox: Box2I, flat: ArrayLike<number>, orderX: number): ChebyshevBoundedField {
    const nx = orderX + 1;
    if (!(Number.isInteger(orderX) && orderX >= 0 && flat.length > 0 && flat.length % nx === 0)) {
      throw new AfwImageInvalidArgumentError(`${flat.length} Chebyshev coefficients do not make whole rows of orderX + 1 = ${nx}.`);
    }
    const rows: number[][] = [];
    for (let j = 0; j < flat.length / nx; j++) rows.push(Array.from({ length: nx }, (_, i) => Number(flat[j * nx + i])));
    return new ChebyshevBoundedField(bbox, rows);
  }

  /** The coefficients as a `(orderY + 1) × (orderX + 1)` grid (a copy). */
  getCoefficients(): number[][] {
    const nx = this.orderX + 1;
    return Array.from({ length: this.orderY + 1 }, (_, j) => Array.from(this.#coefficients.subarray(j * nx, (j + 1) * nx)));
  }

  /** The coefficients flattened row-major (y then x), as afw archives them (a copy). */
  getFlatCoefficients(): Float64Array {
    return this.#coefficients.slice();
  }

  /** The box (afw's `getBBox()`). */
  getBBox(): Box2I {
    return this.bbox;
  }

  /**
   * The value at a position (Clenshaw recurrence in x for each row, then in y, as afw).
   *
   * @param x - PARENT x
   * @param y - PARENT y
   * @returns the value
   */
  evaluate(x: number, y: number): number {
    const sx = this.#scaleX * x + this.#offsetX;
    const sy = this.#scaleY * y + this.#offsetY;
    const nx = this.orderX + 1;
    const c = this.#coefficients;
    // Clenshaw in y over the row sums, each row evaluated in x by Clenshaw.
    let bKp2 = 0;
    let bKp1 = 0;
    for (let k = this.orderY; k > 0; k--) {
      const bK = clenshaw(c, k * nx, nx, sx) + 2 * sy * bKp1 - bKp2;
      bKp2 = bKp1;
      bKp1 = bK;
    }
    return clenshaw(c, 0, nx, sx) + sy * bKp1 - bKp2;
  }

  /**
   * The value at a point.
   *
   * @param point - PARENT position
   * @returns the value
   */
  evaluatePoint(point: Point2D): number {
    return this.evaluate(point.x, point.y);
  }

  /**
   * The values at many positions.
   *
   * @param x - PARENT x of each position
   * @param y - PARENT y of each position (same length as `x`)
   * @param out - where to write (a new array when omitted)
   * @returns `out`
   * @throws AfwImageInvalidArgumentError when the lengths differ
   */
  evaluateArray(x: ArrayLike<number>, y: ArrayLike<number>, out: Float64Array = new Float64Array(x.length)): Float64Array {
    if (y.length !== x.length || out.length < x.length) {
      throw new AfwImageInvalidArgumentError(`evaluateArray needs x, y (and out) of one length; got ${x.length}, ${y.length} and ${out.length}.`);
    }
    for (let i = 0; i < x.length; i++) out[i] = this.evaluate(x[i]!, y[i]!);
    return out;
  }

  /**
   * The mean of the field over its box: the integral of the series over `[-1, 1]²` divided by 4
   * (odd orders integrate to 0, even order n to `2 / (1 - n²)`).
   *
   * @returns the mean
   */
  mean(): number {
    const nx = this.orderX + 1;
    let sum = 0;
    for (let j = 0; j <= this.orderY; j++) {
      const my = meanOfT(j);
      if (my === 0) continue;
      for (let i = 0; i < nx; i++) sum += this.#coefficients[j * nx + i]! * meanOfT(i) * my;
    }
    return sum;
  }

  /**
   * The field multiplied by a constant.
   *
   * @param scale - the factor
   * @returns a new field with every coefficient scaled
   */
  multipliedBy(scale: number): ChebyshevBoundedField {
    return new ChebyshevBoundedField(
      this.bbox,
      this.getCoefficients().map((row) => row.map((c) => c * scale)),
    );
  }

  /**
   * Whether another field is a ChebyshevBoundedField with the same box and coefficients.
   *
   * @param other - the other field
   * @returns whether they are equal
   */
  equals(other: unknown): boolean {
    if (!(other instanceof ChebyshevBoundedField)) return false;
    if (!other.bbox.equals(this.bbox) || other.orderX !== this.orderX || other.orderY !== this.orderY) return false;
    const a = this.#coefficients;
    const b = other.#coefficients;
    return a.every((v, i) => v === b[i] || (Number.isNaN(v) && Number.isNaN(b[i]!)));
  }

  /** A short description: `ChebyshevBoundedField(2 x 3 coefficients, bbox=...)`. */
  toString(): string {
    return `ChebyshevBoundedField(${this.orderY + 1} x ${this.orderX + 1} coefficients, bbox=${this.bbox.toString()})`;
  }

  /**
   * Writes the field as current afw does: one row with `order_x`, the box corners as
   * `bbox_min_x` … `bbox_max_y` and the coefficients as a fixed-size array.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const n = this.#coefficients.length;
    handle.saveCatalog(
      {
        columns: [
          { name: 'order_x', format: '1J', doc: 'maximum Chebyshev function order in x' },
          { name: 'bbox_min_x', format: '1J', unit: 'pixel', doc: 'bounding box (minimum)' },
          { name: 'bbox_min_y', format: '1J', unit: 'pixel', doc: 'bounding box (minimum)' },
          { name: 'bbox_max_x', format: '1J', unit: 'pixel', doc: 'bounding box (maximum)' },
          { name: 'bbox_max_y', format: '1J', unit: 'pixel', doc: 'bounding box (maximum)' },
          { name: 'coefficients', format: `${n}D`, doc: 'Chebyshev function coefficients, ordered by y then x', tccls: 'Array' },
        ],
      },
      [
        {
          order_x: this.orderX,
          bbox_min_x: this.bbox.getMinX(),
          bbox_min_y: this.bbox.getMinY(),
          bbox_max_x: this.bbox.getMaxX(),
          bbox_max_y: this.bbox.getMaxY(),
          coefficients: this.#coefficients,
        },
      ],
    );
  }
}

/** 1-d Clenshaw sum of `n` coefficients starting at `c[offset]`, at `x`. */
function clenshaw(c: Float64Array, offset: number, n: number, x: number): number {
  let bKp2 = 0;
  let bKp1 = 0;
  for (let k = n - 1; k > 0; k--) {
    const bK = c[offset + k]! + 2 * x * bKp1 - bKp2;
    bKp2 = bKp1;
    bKp1 = bK;
  }
  return c[offset]! + x * bKp1 - bKp2;
}

/**
 * Makes an integer box from inclusive corners, empty (not swapped) when a maximum is below its
 * minimum, as afw's `Box2I(min, max)` does for the empty boxes it writes (`(0, 0)` … `(-1, -1)`).
 *
 * @internal
 */
export function boxFromCorners(minX: number, minY: number, maxX: number, maxY: number): Box2I {
  return new Box2I(new Point2I(minX, minY), new Point2I(maxX, maxY), false);
}

/**
 * Reads a ChebyshevBoundedField row (either afw's current layout, `bbox_min_x` … `bbox_max_y`,
 * or the older one with `bbox_min`/`bbox_max` point columns).
 *
 * @internal
 */
export function readChebyshevBoundedField(catalogs: readonly ArchiveRows[]): ChebyshevBoundedField {
  const rows = catalogs[0];
  if (catalogs.length !== 1 || rows === undefined || rows.length !== 1) {
    throw new AfwImageArchiveFormatError(`A ChebyshevBoundedField is one row of one catalog; got ${catalogs.length} catalog(s)${rows === undefined ? '' : ` with ${rows.length} row(s)`}.`);
  }
  const bbox = rows.has('bbox_min_x')
    ? boxFromCorners(rows.number('bbox_min_x'), rows.number('bbox_min_y'), rows.number('bbox_max_x'), rows.number('bbox_max_y'))
    : boxFromCorners(
        Number(rows.element('bbox_min', 0, 0)),
        Number(rows.element('bbox_min', 0, 1)),
        Number(rows.element('bbox_max', 0, 0)),
        Number(rows.element('bbox_max', 0, 1)),
      );
  const orderX = rows.number('order_x');
  const flat = rows.array('coefficients');
  if (!(flat.length > 0 && flat.length % (orderX + 1) === 0)) {
    throw new AfwImageArchiveFormatError(
      `ChebyshevBoundedField in ${rows.catalog.location}: ${flat.length} coefficients do not make whole rows of order_x + 1 = ${orderX + 1}.`,
    );
  }
  return ChebyshevBoundedField.fromFlatCoefficients(bbox, Array.from(flat, Number), orderX);
}

