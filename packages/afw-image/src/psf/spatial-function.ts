// lsst.afw.math.PolynomialFunction2 and Chebyshev1Function2: the spatial models of kernel coefficients.
import type { ArchiveRows, OutputArchiveHandle, Persistable } from '@skystack/afw-table';
import { Box2D, Point2D } from '@skystack/geom';
import { AfwImageInvalidArgumentError } from '../errors.js';
import { AfwImageArchiveFormatError } from '../components/errors.js';

/**
 * A function of pixel position that gives one coefficient of a spatially varying kernel
 * (afw's `Kernel::SpatialFunction`, a `Function2<double>`).
 *
 * @see lsst.afw.math.Function2
 */
export interface SpatialFunction2 extends Persistable {
  /**
   * The value at a position.
   *
   * @param x - PARENT x (pixels)
   * @param y - PARENT y (pixels)
   * @returns the value
   */
  evaluate(x: number, y: number): number;
  /** The parameters (coefficients), a copy. */
  getParameters(): number[];
  /** The number of parameters. */
  getNParameters(): number;
  /** The polynomial order. */
  getOrder(): number;
}

/** The order of a 2-d polynomial with `n = (order + 1)(order + 2) / 2` coefficients, or -1. */
function orderOfLength(n: number): number {
  const order = Math.round((Math.sqrt(1 + 8 * n) - 3) / 2);
  return order >= 0 && ((order + 1) * (order + 2)) / 2 === n ? order : -1;
}

function checkCoefficients(kind: string, params: readonly number[]): number {
  const order = orderOfLength(params.length);
  if (order < 0) {
    throw new AfwImageInvalidArgumentError(`${kind} needs (order + 1)(order + 2)/2 coefficients (1, 3, 6, 10, ...); got ${params.length}.`);
  }
  if (params.some((p) => !Number.isFinite(p))) throw new AfwImageInvalidArgumentError(`${kind} coefficients must be finite; got [${params.join(', ')}].`);
  return order;
}

/** Writes the `coefficients` column (and, for Chebyshevs, the range) as afw's FunctionLibrary does. */
function coefficientColumn(n: number): { name: string; format: string; doc: string; tccls: string } {
  return { name: 'coefficients', format: `${n}D`, doc: 'polynomial coefficients, ordered (x,y) [0,0; 1,0; 0,1; 2,0; 1,1; 0,2; ...]', tccls: 'Array' };
}

/**
 * A 2-d polynomial with cross terms, `f(x, y) = c0 + c1 x + c2 y + c3 x² + c4 x y + c5 y² + c6 x³
 * + …` (for each total order, from the highest power of x down), in raw pixel coordinates.
 *
 * @example
 * ```ts
 * const f = new PolynomialFunction2([1, 0.01, 0]); // 1 + 0.01 x
 * f.evaluate(100, 5); // 2
 * ```
 * @see lsst.afw.math.PolynomialFunction2
 */
export class PolynomialFunction2 implements SpatialFunction2 {
  /** Persistence name in afw archives (the `double` instantiation). */
  readonly persistenceName = 'PolynomialFunction2D';
  /** Python module afw records for it. */
  readonly pythonModule = 'lsst.afw.math';
  readonly #params: Float64Array;
  readonly #order: number;

  /**
   * Makes a polynomial from its coefficients.
   *
   * @param params - `(order + 1)(order + 2) / 2` coefficients, ordered `1, x, y, x², xy, y², …`
   * @throws {@link AfwImageInvalidArgumentError} when the count is not a triangular number or a coefficient is not finite
   */
  constructor(params: readonly number[]) {
    this.#order = checkCoefficients('PolynomialFunction2', params);
    this.#params = Float64Array.from(params);
  }

  /** {@inheritDoc SpatialFunction2.evaluate} */
  evaluate(x: number, y: number): number {
    const p = this.#params;
    let sum = 0;
    let i = 0;
    for (let k = 0; k <= this.#order; k++) {
      for (let j = 0; j <= k; j++) sum += p[i++]! * Math.pow(x, k - j) * Math.pow(y, j);
    }
    return sum;
  }

  /** {@inheritDoc SpatialFunction2.getParameters} */
  getParameters(): number[] {
    return Array.from(this.#params);
  }

  /** {@inheritDoc SpatialFunction2.getNParameters} */
  getNParameters(): number {
    return this.#params.length;
  }

  /** {@inheritDoc SpatialFunction2.getOrder} */
  getOrder(): number {
    return this.#order;
  }

  /**
   * Writes one row with the `coefficients` array, as afw does.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    handle.saveCatalog({ columns: [coefficientColumn(this.#params.length)] }, [{ coefficients: this.#params }]);
  }
}

/**
 * A 2-d sum of Chebyshev polynomials of the first kind, `f = c0 + c1 T1(x') + c2 T1(y') + c3 T2(x')
 * + c4 T1(x') T1(y') + c5 T2(y') + …`, where `x'`, `y'` map the range box to `[-1, 1]`.
 *
 * @example
 * ```ts
 * import { Box2D, Point2D } from '@skystack/geom';
 * const f = new Chebyshev1Function2([1, 0.5, 0], new Box2D(new Point2D(0, 0), new Point2D(100, 100)));
 * f.evaluate(100, 0); // 1.5 (x' = 1)
 * ```
 * @see lsst.afw.math.Chebyshev1Function2
 */
export class Chebyshev1Function2 implements SpatialFunction2 {
  /** Persistence name in afw archives (the `double` instantiation). */
  readonly persistenceName = 'Chebyshev1Function2D';
  /** Python module afw records for it. */
  readonly pythonModule = 'lsst.afw.math';
  /** The range that maps to `[-1, 1]²` (afw's `getXYRange()`). */
  readonly xyRange: Box2D;
  readonly #params: Float64Array;
  readonly #order: number;
  readonly #tx: Float64Array;
  readonly #ty: Float64Array;

  /**
   * Makes a Chebyshev series.
   *
   * @param params - `(order + 1)(order + 2) / 2` coefficients, ordered as afw's
   * @param xyRange - the range (default `[-1, 1]²`)
   * @throws {@link AfwImageInvalidArgumentError} when the count is not a triangular number or the range is empty
   */
  constructor(params: readonly number[], xyRange: Box2D = new Box2D(new Point2D(-1, -1), new Point2D(1, 1))) {
    this.#order = checkCoefficients('Chebyshev1Function2', params);
    if (!(xyRange.getWidth() > 0 && xyRange.getHeight() > 0)) {
      throw new AfwImageInvalidArgumentError(`Chebyshev1Function2 needs a non-empty range; got ${xyRange.toString()}.`);
    }
    this.#params = Float64Array.from(params);
    this.xyRange = xyRange;
    this.#tx = new Float64Array(this.#order + 1);
    this.#ty = new Float64Array(this.#order + 1);
  }

  /** {@inheritDoc SpatialFunction2.evaluate} */
  evaluate(x: number, y: number): number {
    const r = this.xyRange;
    const xp = (x - (r.getMinX() + r.getMaxX()) / 2) * (2 / r.getWidth());
    const yp = (y - (r.getMinY() + r.getMaxY()) / 2) * (2 / r.getHeight());
    const tx = this.#tx;
    const ty = this.#ty;
    const n = this.#order;
    tx[0] = 1;
    ty[0] = 1;
    if (n > 0) {
      tx[1] = xp;
      ty[1] = yp;
    }
    for (let k = 2; k <= n; k++) {
      tx[k] = 2 * xp * tx[k - 1]! - tx[k - 2]!;
      ty[k] = 2 * yp * ty[k - 1]! - ty[k - 2]!;
    }
    const p = this.#params;
    let sum = 0;
    let i = 0;
    for (let k = 0; k <= n; k++) {
      for (let j = 0; j <= k; j++) sum += p[i++]! * tx[k - j]! * ty[j]!;
    }
    return sum;
  }

  /** {@inheritDoc SpatialFunction2.getParameters} */
  getParameters(): number[] {
    return Array.from(this.#params);
  }

  /** {@inheritDoc SpatialFunction2.getNParameters} */
  getNParameters(): number {
    return this.#params.length;
  }

  /** {@inheritDoc SpatialFunction2.getOrder} */
  getOrder(): number {
    return this.#order;
  }

  /** The range (afw's `getXYRange()`). */
  getXYRange(): Box2D {
    return this.xyRange;
  }

  /**
   * Writes one row with `coefficients`, `min_x`, `min_y`, `max_x`, `max_y`, as afw does.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    const r = this.xyRange;
    const doc = (w: string): string => `${w} point for function's bbox`;
    handle.saveCatalog(
      {
        columns: [
          coefficientColumn(this.#params.length),
          { name: 'min_x', format: '1D', unit: 'pixel', doc: doc('minimum') },
          { name: 'min_y', format: '1D', unit: 'pixel', doc: doc('minimum') },
          { name: 'max_x', format: '1D', unit: 'pixel', doc: doc('maximum') },
          { name: 'max_y', format: '1D', unit: 'pixel', doc: doc('maximum') },
        ],
      },
      [{ coefficients: this.#params, min_x: r.getMinX(), min_y: r.getMinY(), max_x: r.getMaxX(), max_y: r.getMaxY() }],
    );
  }
}

function oneRow(kind: string, catalogs: readonly ArchiveRows[]): ArchiveRows {
  const rows = catalogs[0];
  if (catalogs.length !== 1 || rows === undefined || rows.length !== 1) {
    throw new AfwImageArchiveFormatError(`A ${kind} is one row of one catalog; got ${catalogs.length} catalog(s)${rows === undefined ? '' : ` with ${rows.length} row(s)`}.`);
  }
  return rows;
}

/**
 * Reads a `PolynomialFunction2D` (or `…2F`) archive row.
 *
 * @internal
 */
export function readPolynomialFunction2(catalogs: readonly ArchiveRows[]): PolynomialFunction2 {
  const rows = oneRow('PolynomialFunction2', catalogs);
  return new PolynomialFunction2(Array.from(rows.array('coefficients'), Number));
}

/**
 * Reads a `Chebyshev1Function2D` (or `…2F`) archive row.
 *
 * @internal
 */
export function readChebyshev1Function2(catalogs: readonly ArchiveRows[]): Chebyshev1Function2 {
  const rows = oneRow('Chebyshev1Function2', catalogs);
  const range = new Box2D(new Point2D(rows.number('min_x'), rows.number('min_y')), new Point2D(rows.number('max_x'), rows.number('max_y')));
  return new Chebyshev1Function2(Array.from(rows.array('coefficients'), Number), range);
}
