// Local-WCS functors: pixel scales and angles from the CD matrix that the `base_LocalWcs`
// measurement plugin stores for each source (`base_LocalWcs_CDMatrix_{1_1,1_2,2_1,2_2}`,
// radians per pixel).
import { Angle, SpherePoint } from '@skystack/geom';
import { FunctorBase, numericColumn, type ColumnSource, type ColumnValues } from '../functors.js';

const RAD_TO_ARCSEC = (180 / Math.PI) * 3600;

/**
 * The local pixel scale in arcseconds per pixel: `3600 × degrees(sqrt(|cd11 cd22 - cd12 cd21|))`.
 *
 * @example
 * ```ts
 * new ComputePixelScale('base_LocalWcs_CDMatrix_1_1', 'base_LocalWcs_CDMatrix_1_2',
 *   'base_LocalWcs_CDMatrix_2_1', 'base_LocalWcs_CDMatrix_2_2').evaluate(table);
 * ```
 * @see lsst.pipe.tasks.functors.ComputePixelScale
 */
export class ComputePixelScale extends FunctorBase {
  /** The LSST class name. */
  readonly functorName: string = 'ComputePixelScale';
  /** The CD matrix element [1, 1] column. */
  readonly colCD_1_1: string;
  /** The CD matrix element [1, 2] column. */
  readonly colCD_1_2: string;
  /** The CD matrix element [2, 1] column. */
  readonly colCD_2_1: string;
  /** The CD matrix element [2, 2] column. */
  readonly colCD_2_2: string;

  /**
   * Makes the functor.
   *
   * @param colCD_1_1 - CD[1, 1] column (radians per pixel)
   * @param colCD_1_2 - CD[1, 2] column
   * @param colCD_2_1 - CD[2, 1] column
   * @param colCD_2_2 - CD[2, 2] column
   */
  constructor(colCD_1_1: string, colCD_1_2: string, colCD_2_1: string, colCD_2_2: string) {
    super();
    this.colCD_1_1 = colCD_1_1;
    this.colCD_1_2 = colCD_1_2;
    this.colCD_2_1 = colCD_2_1;
    this.colCD_2_2 = colCD_2_2;
  }

  /** @returns `PixelScale` */
  override get name(): string {
    return 'PixelScale';
  }

  /** The four CD matrix columns. */
  get columns(): readonly string[] {
    return [this.colCD_1_1, this.colCD_1_2, this.colCD_2_1, this.colCD_2_2];
  }

  /**
   * The pixel scale of each row.
   *
   * @param source - the input columns
   * @returns arcseconds per pixel
   */
  protected pixelScaleArcseconds(source: ColumnSource): Float64Array {
    const a = numericColumn(source, this.colCD_1_1);
    const b = numericColumn(source, this.colCD_1_2);
    const c = numericColumn(source, this.colCD_2_1);
    const d = numericColumn(source, this.colCD_2_2);
    const out = new Float64Array(a.length);
    for (let i = 0; i < out.length; i++) out[i] = RAD_TO_ARCSEC * Math.sqrt(Math.abs(a[i]! * d[i]! - b[i]! * c[i]!));
    return out;
  }

  protected compute(source: ColumnSource): ColumnValues {
    return this.pixelScaleArcseconds(source);
  }

  /** @returns `arcsec` (per pixel) */
  override unitsFor(): string {
    return 'arcsec';
  }
}

/**
 * A value in pixels converted to arcseconds with the local pixel scale.
 *
 * @see lsst.pipe.tasks.functors.ConvertPixelToArcseconds
 */
export class ConvertPixelToArcseconds extends ComputePixelScale {
  /** The LSST class name. */
  override readonly functorName: string = 'ConvertPixelToArcseconds';
  /** The column in pixels. */
  readonly col: string;

  /**
   * Makes the functor.
   *
   * @param col - the column in pixels
   * @param colCD_1_1 - CD[1, 1] column
   * @param colCD_1_2 - CD[1, 2] column
   * @param colCD_2_1 - CD[2, 1] column
   * @param colCD_2_2 - CD[2, 2] column
   */
  constructor(col: string, colCD_1_1: string, colCD_1_2: string, colCD_2_1: string, colCD_2_2: string) {
    super(colCD_1_1, colCD_1_2, colCD_2_1, colCD_2_2);
    this.col = col;
  }

  /** `<col>_asArcseconds` */
  override get name(): string {
    return `${this.col}_asArcseconds`;
  }

  /** The pixel column and the four CD matrix columns. */
  override get columns(): readonly string[] {
    return [this.col, ...super.columns];
  }

  protected override compute(source: ColumnSource): ColumnValues {
    const v = numericColumn(source, this.col);
    const s = this.pixelScaleArcseconds(source);
    for (let i = 0; i < s.length; i++) s[i] = v[i]! * s[i]!;
    return s;
  }
}

/**
 * A value in pixels² converted to arcseconds² with the local pixel scale.
 *
 * @see lsst.pipe.tasks.functors.ConvertPixelSqToArcsecondsSq
 */
export class ConvertPixelSqToArcsecondsSq extends ConvertPixelToArcseconds {
  /** The LSST class name. */
  override readonly functorName: string = 'ConvertPixelSqToArcsecondsSq';

  /** `<col>_asArcsecondsSq` */
  override get name(): string {
    return `${this.col}_asArcsecondsSq`;
  }

  protected override compute(source: ColumnSource): ColumnValues {
    const v = numericColumn(source, this.col);
    const s = this.pixelScaleArcseconds(source);
    for (let i = 0; i < s.length; i++) s[i] = v[i]! * s[i]! * s[i]!;
    return s;
  }

  /** @returns `arcsec2` */
  override unitsFor(): string {
    return 'arcsec2';
  }
}

/**
 * A position angle (degrees east of north) from an angle in detector coordinates (radians,
 * +y of +x) and the local CD matrix: the bearing of the sky offset of a unit step along the
 * angle.
 *
 * @see lsst.pipe.tasks.functors.ConvertDetectorAngleToPositionAngle
 */
export class ConvertDetectorAngleToPositionAngle extends ComputePixelScale {
  /** The LSST class name. */
  override readonly functorName: string = 'ConvertDetectorAngleToPositionAngle';
  /** The detector-angle column (radians). */
  readonly thetaCol: string;

  /**
   * Makes the functor.
   *
   * @param thetaCol - the detector angle column, radians
   * @param colCD_1_1 - CD[1, 1] column
   * @param colCD_1_2 - CD[1, 2] column
   * @param colCD_2_1 - CD[2, 1] column
   * @param colCD_2_2 - CD[2, 2] column
   */
  constructor(thetaCol: string, colCD_1_1: string, colCD_1_2: string, colCD_2_1: string, colCD_2_2: string) {
    super(colCD_1_1, colCD_1_2, colCD_2_1, colCD_2_2);
    this.thetaCol = thetaCol;
  }

  /** @returns `PositionAngle` */
  override get name(): string {
    return 'PositionAngle';
  }

  /** The angle column and the four CD matrix columns. */
  override get columns(): readonly string[] {
    return [this.thetaCol, ...super.columns];
  }

  protected override compute(source: ColumnSource): ColumnValues {
    const theta = numericColumn(source, this.thetaCol);
    const a = numericColumn(source, this.colCD_1_1);
    const b = numericColumn(source, this.colCD_1_2);
    const c = numericColumn(source, this.colCD_2_1);
    const d = numericColumn(source, this.colCD_2_2);
    const out = new Float64Array(theta.length);
    const origin = SpherePoint.fromRadians(0, 0);
    const east = Angle.fromRadians(Math.PI / 2);
    for (let i = 0; i < out.length; i++) {
      const dx = Math.cos(theta[i]!);
      const dy = Math.sin(theta[i]!);
      const p = SpherePoint.fromRadians(dx * a[i]! + dy * b[i]!, dx * c[i]! + dy * d[i]!);
      out[i] = east.subtract(origin.bearingTo(p)).wrapCtr().asDegrees();
    }
    return out;
  }

  /** @returns `deg` */
  override unitsFor(): string {
    return 'deg';
  }
}
