// Column functors: copies, unit conversions of coordinates, single-precision casts, the index
// and the HTM level-20 pixel of each row.
import { HtmPixelization } from '@skystack/geom';
import { FunctorBase, numericColumn, type ColumnSource, type ColumnValues } from '../functors.js';

const RAD_TO_DEG = 180 / Math.PI;

/**
 * A column copied unchanged (any type: numbers, flags, strings); its units and doc are passed on.
 *
 * @example
 * ```ts
 * new Column('slot_Centroid_x').evaluate(table); // the x centroids
 * ```
 * @see lsst.pipe.tasks.functors.Column
 */
export class Column extends FunctorBase {
  /** The LSST class name. */
  readonly functorName: string = 'Column';
  /** The input column. */
  readonly col: string;

  /**
   * Makes the functor.
   *
   * @param col - the input column (a name or an alias)
   */
  constructor(col: string) {
    super();
    this.col = col;
  }

  /** The input column's name. */
  override get name(): string {
    return this.col;
  }

  /** The input column. */
  get columns(): readonly string[] {
    return [this.col];
  }

  protected compute(source: ColumnSource): ColumnValues {
    return source.get(this.col);
  }

  /**
   * The input column's units.
   *
   * @param source - the input columns
   * @returns the units
   */
  override unitsFor(source: ColumnSource): string {
    return source.units(this.col);
  }

  /**
   * The input column's documentation.
   *
   * @param source - the input columns
   * @returns the documentation
   */
  override docFor(source: ColumnSource): string {
    return source.doc(this.col);
  }
}

/**
 * The row identifier: LSST returns the DataFrame index, which for source tables is the `id`
 * column; here the `id` column is read.
 *
 * @example
 * ```ts
 * new Index().evaluate(table); // BigInt64Array of source ids
 * ```
 * @see lsst.pipe.tasks.functors.Index
 */
export class Index extends Column {
  /** The LSST class name. */
  override readonly functorName: string = 'Index';

  /** Makes the functor (it reads `id`). */
  constructor() {
    super('id');
  }
}

/**
 * A coordinate in degrees from a column in radians.
 *
 * @example
 * ```ts
 * new CoordColumn('coord_ra').evaluate({ coord_ra: Float64Array.of(Math.PI) }); // [180]
 * ```
 * @see lsst.pipe.tasks.functors.CoordColumn
 */
export class CoordColumn extends Column {
  /** The LSST class name. */
  override readonly functorName: string = 'CoordColumn';

  protected override compute(source: ColumnSource): ColumnValues {
    const v = numericColumn(source, this.col);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i]! * RAD_TO_DEG;
    return out;
  }

  /** @returns `deg` */
  override unitsFor(): string {
    return 'deg';
  }
}

/**
 * Right ascension in degrees, from `coord_ra`.
 *
 * @see lsst.pipe.tasks.functors.RAColumn
 */
export class RAColumn extends CoordColumn {
  /** The LSST class name. */
  override readonly functorName: string = 'RAColumn';

  /** Makes the functor (it reads `coord_ra`). */
  constructor() {
    super('coord_ra');
  }

  /** @returns `RA` */
  override get name(): string {
    return 'RA';
  }
}

/**
 * Declination in degrees, from `coord_dec`.
 *
 * @see lsst.pipe.tasks.functors.DecColumn
 */
export class DecColumn extends CoordColumn {
  /** The LSST class name. */
  override readonly functorName: string = 'DecColumn';

  /** Makes the functor (it reads `coord_dec`). */
  constructor() {
    super('coord_dec');
  }

  /** @returns `Dec` */
  override get name(): string {
    return 'Dec';
  }
}

/**
 * The uncertainty of right ascension in degrees, from `coord_raErr` (radians).
 *
 * @see lsst.pipe.tasks.functors.RAErrColumn
 */
export class RAErrColumn extends CoordColumn {
  /** The LSST class name. */
  override readonly functorName: string = 'RAErrColumn';

  /** Makes the functor (it reads `coord_raErr`). */
  constructor() {
    super('coord_raErr');
  }

  /** @returns `RAErr` */
  override get name(): string {
    return 'RAErr';
  }
}

/**
 * The uncertainty of declination in degrees, from `coord_decErr` (radians).
 *
 * @see lsst.pipe.tasks.functors.DecErrColumn
 */
export class DecErrColumn extends CoordColumn {
  /** The LSST class name. */
  override readonly functorName: string = 'DecErrColumn';

  /** Makes the functor (it reads `coord_decErr`). */
  constructor() {
    super('coord_decErr');
  }

  /** @returns `DecErr` */
  override get name(): string {
    return 'DecErr';
  }
}

/**
 * The RA/Dec covariance in degrees², from `coord_ra_dec_Cov` (radians²).
 *
 * @see lsst.pipe.tasks.functors.RADecCovColumn
 */
export class RADecCovColumn extends Column {
  /** The LSST class name. */
  override readonly functorName: string = 'RADecCovColumn';

  /** Makes the functor (it reads `coord_ra_dec_Cov`). */
  constructor() {
    super('coord_ra_dec_Cov');
  }

  /** @returns `RADecCov` */
  override get name(): string {
    return 'RADecCov';
  }

  protected override compute(source: ColumnSource): ColumnValues {
    const v = numericColumn(source, this.col);
    const out = new Float64Array(v.length);
    const k = RAD_TO_DEG * RAD_TO_DEG;
    for (let i = 0; i < v.length; i++) out[i] = v[i]! * k;
    return out;
  }

  /** @returns `deg2` */
  override unitsFor(): string {
    return 'deg2';
  }
}

/**
 * A column cast to single precision (Float32).
 *
 * @see lsst.pipe.tasks.functors.SinglePrecisionFloatColumn
 */
export class SinglePrecisionFloatColumn extends Column {
  /** The LSST class name. */
  override readonly functorName: string = 'SinglePrecisionFloatColumn';

  protected override compute(source: ColumnSource): ColumnValues {
    const v = numericColumn(source, this.col);
    return v instanceof Float32Array ? v : Float32Array.from(v);
  }
}

/**
 * The level-20 HTM pixel index of each row's position (Int64; -1 where the position is not finite).
 *
 * @example
 * ```ts
 * new HtmIndex20('coord_ra', 'coord_dec').evaluate(table); // BigInt64Array
 * ```
 * @see lsst.pipe.tasks.functors.HtmIndex20
 */
export class HtmIndex20 extends FunctorBase {
  /** The LSST class name. */
  readonly functorName: string = 'HtmIndex20';
  /** The right-ascension column (radians). */
  readonly ra: string;
  /** The declination column (radians). */
  readonly dec: string;

  /**
   * Makes the functor.
   *
   * @param ra - the right-ascension column, in radians
   * @param dec - the declination column, in radians
   */
  constructor(ra: string, dec: string) {
    super();
    this.ra = ra;
    this.dec = dec;
  }

  /** @returns `Htm20` */
  override get name(): string {
    return 'Htm20';
  }

  /** The two coordinate columns. */
  get columns(): readonly string[] {
    return [this.ra, this.dec];
  }

  protected compute(source: ColumnSource): ColumnValues {
    const ra = Float64Array.from(numericColumn(source, this.ra));
    const dec = Float64Array.from(numericColumn(source, this.dec));
    const index = new HtmPixelization(20).indexLonLatArrays(ra, dec);
    // Rows without a finite position get -1 (LSST would fail on them).
    return BigInt64Array.from(index, (v) => (Number.isFinite(v) ? BigInt(v) : -1n));
  }
}
