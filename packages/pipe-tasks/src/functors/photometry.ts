// Photometry functors: instrumental fluxes to nanojansky and AB magnitudes, with the local
// photometric calibration (`base_LocalPhotoCalib`) or with a fixed zero point.
import { REFERENCE_FLUX_NJY } from '@skystack/afw-image';
import { FunctorBase, numericColumn, type ColumnSource, type ColumnValues } from '../functors.js';

const MAG_ERR_SCALE = 2.5 / Math.LN10;

/**
 * `col` with `_instFlux` appended unless it already ends so.
 *
 * @param col - a flux column or plugin name (`modelfit_CModel`)
 * @returns the instFlux column name
 * @see lsst.pipe.tasks.functors.fluxName
 */
export function fluxName(col: string): string {
  return col.endsWith('_instFlux') ? col : `${col}_instFlux`;
}

/**
 * `col` with `_instFluxErr` appended unless it already ends so.
 *
 * @param col - a flux error column or plugin name
 * @returns the instFluxErr column name
 * @see lsst.pipe.tasks.functors.fluxErrName
 */
export function fluxErrName(col: string): string {
  return col.endsWith('_instFluxErr') ? col : `${col}_instFluxErr`;
}

/**
 * The base of the functors that calibrate an instrumental flux with the local photometric
 * calibration of each source (nJy per count, the `base_LocalPhotoCalib` column that the
 * measurement plugin of that name writes).
 *
 * LSST (since v29) ignores the calibration error: the error of a calibrated flux is
 * `instFluxErr × localCalib`. When a fourth column (the calibration error,
 * `base_LocalPhotoCalibErr`) is named, as functor files written for earlier versions do, the
 * error is the earlier formula `hypot(instFluxErr × localCalib, instFlux × localCalibErr)`.
 *
 * @see lsst.pipe.tasks.functors.LocalPhotometry
 */
export abstract class LocalPhotometry extends FunctorBase {
  /** The instrumental flux column (counts). */
  readonly instFluxCol: string;
  /** Its error column. */
  readonly instFluxErrCol: string;
  /** The local calibration column (nJy per count). */
  readonly photoCalibCol: string;
  /** The local calibration error column, when given (the pre-v29 error formula). */
  readonly photoCalibErrCol: string | undefined;

  /**
   * Makes the functor.
   *
   * @param instFluxCol - the instrumental flux column
   * @param instFluxErrCol - its error column
   * @param photoCalibCol - the local calibration column (`base_LocalPhotoCalib`)
   * @param photoCalibErrCol - the local calibration error column (`base_LocalPhotoCalibErr`), optional
   */
  constructor(instFluxCol: string, instFluxErrCol: string, photoCalibCol: string, photoCalibErrCol?: string) {
    super();
    this.instFluxCol = instFluxCol;
    this.instFluxErrCol = instFluxErrCol;
    this.photoCalibCol = photoCalibCol;
    this.photoCalibErrCol = photoCalibErrCol ?? undefined;
  }

  /** The columns an error needs: flux, flux error, calibration (and its error, when given). */
  protected errorColumns(): string[] {
    const cols = [this.instFluxCol, this.instFluxErrCol, this.photoCalibCol];
    if (this.photoCalibErrCol !== undefined) cols.push(this.photoCalibErrCol);
    return cols;
  }

  /**
   * The calibrated flux error of each row (see the class description for the formula).
   *
   * @param source - the input columns
   * @returns nJy
   */
  protected fluxErrors(source: ColumnSource): Float64Array {
    const err = numericColumn(source, this.instFluxErrCol);
    const calib = numericColumn(source, this.photoCalibCol);
    const out = new Float64Array(err.length);
    if (this.photoCalibErrCol === undefined) {
      for (let i = 0; i < out.length; i++) out[i] = err[i]! * calib[i]!;
      return out;
    }
    const flux = numericColumn(source, this.instFluxCol);
    const calibErr = numericColumn(source, this.photoCalibErrCol);
    for (let i = 0; i < out.length; i++) out[i] = Math.hypot(err[i]! * calib[i]!, flux[i]! * calibErr[i]!);
    return out;
  }

  /**
   * The calibrated flux of each row: `instFlux × localCalib`.
   *
   * @param source - the input columns
   * @returns nJy
   */
  protected fluxes(source: ColumnSource): Float64Array {
    const flux = numericColumn(source, this.instFluxCol);
    const calib = numericColumn(source, this.photoCalibCol);
    const out = new Float64Array(flux.length);
    for (let i = 0; i < out.length; i++) out[i] = flux[i]! * calib[i]!;
    return out;
  }
}

/**
 * Calibrated flux in nJy (Float32): `instFlux × localCalib`.
 *
 * @example
 * ```ts
 * new LocalNanojansky('slot_PsfFlux_instFlux', 'slot_PsfFlux_instFluxErr', 'base_LocalPhotoCalib').evaluate(table);
 * ```
 * @see lsst.pipe.tasks.functors.LocalNanojansky
 */
export class LocalNanojansky extends LocalPhotometry {
  /** The LSST class name. */
  readonly functorName: string = 'LocalNanojansky';

  /** `flux_<instFluxCol>` */
  override get name(): string {
    return `flux_${this.instFluxCol}`;
  }

  /** The flux and calibration columns. */
  get columns(): readonly string[] {
    return [this.instFluxCol, this.photoCalibCol];
  }

  protected compute(source: ColumnSource): ColumnValues {
    return Float32Array.from(this.fluxes(source));
  }

  /** @returns `nJy` */
  override unitsFor(): string {
    return 'nJy';
  }
}

/**
 * Calibrated flux error in nJy (Float32); see {@link LocalPhotometry} for the formula.
 *
 * @see lsst.pipe.tasks.functors.LocalNanojanskyErr
 */
export class LocalNanojanskyErr extends LocalPhotometry {
  /** The LSST class name. */
  readonly functorName: string = 'LocalNanojanskyErr';

  /** `fluxErr_<instFluxCol>` */
  override get name(): string {
    return `fluxErr_${this.instFluxCol}`;
  }

  /** The flux, error and calibration columns (and the calibration error, when given). */
  get columns(): readonly string[] {
    return this.errorColumns();
  }

  protected compute(source: ColumnSource): ColumnValues {
    return Float32Array.from(this.fluxErrors(source));
  }

  /** @returns `nJy` */
  override unitsFor(): string {
    return 'nJy';
  }
}

/**
 * Calibrated AB magnitude (Float64): `-2.5 log10(instFlux × localCalib) + 31.4`. A SkyStack
 * functor: LSST has the method `LocalPhotometry.instFluxToMagnitude` but no functor for it.
 *
 * @see lsst.pipe.tasks.functors.LocalPhotometry.instFluxToMagnitude
 */
export class LocalMagnitude extends LocalPhotometry {
  /** The LSST class name. */
  readonly functorName: string = 'LocalMagnitude';

  /** `mag_<instFluxCol>` */
  override get name(): string {
    return `mag_${this.instFluxCol}`;
  }

  /** The flux and calibration columns. */
  get columns(): readonly string[] {
    return [this.instFluxCol, this.photoCalibCol];
  }

  protected compute(source: ColumnSource): ColumnValues {
    const f = this.fluxes(source);
    for (let i = 0; i < f.length; i++) f[i] = -2.5 * Math.log10(f[i]! / REFERENCE_FLUX_NJY);
    return f;
  }

  /** @returns `ABmag` */
  override unitsFor(): string {
    return 'ABmag';
  }
}

/**
 * Error of the calibrated AB magnitude (Float64): `2.5 / ln 10 × fluxErr / flux` with the
 * calibrated flux error of {@link LocalPhotometry}. A SkyStack functor (LSST's
 * `instFluxErrToMagnitudeErr` divides by `instFlux × instFluxErr`, which is not a flux).
 *
 * @see lsst.pipe.tasks.functors.LocalPhotometry.instFluxErrToMagnitudeErr
 */
export class LocalMagnitudeErr extends LocalPhotometry {
  /** The LSST class name. */
  readonly functorName: string = 'LocalMagnitudeErr';

  /** `magErr_<instFluxCol>` */
  override get name(): string {
    return `magErr_${this.instFluxCol}`;
  }

  /** The flux, error and calibration columns (and the calibration error, when given). */
  get columns(): readonly string[] {
    return this.errorColumns();
  }

  protected compute(source: ColumnSource): ColumnValues {
    const err = this.fluxErrors(source);
    const flux = this.fluxes(source);
    for (let i = 0; i < err.length; i++) err[i] = (MAG_ERR_SCALE * err[i]!) / Math.abs(flux[i]!);
    return err;
  }

  /** @returns `mag` */
  override unitsFor(): string {
    return 'mag';
  }
}

/**
 * The base of the dipole flux functors (positive and negative lobes of a difference-image
 * source, calibrated with the local calibration).
 *
 * @see lsst.pipe.tasks.functors.LocalDipoleMeanFlux
 */
abstract class LocalDipoleBase extends FunctorBase {
  /** The positive lobe's instrumental flux column. */
  readonly instFluxPosCol: string;
  /** The negative lobe's instrumental flux column. */
  readonly instFluxNegCol: string;
  /** The positive lobe's error column. */
  readonly instFluxPosErrCol: string;
  /** The negative lobe's error column. */
  readonly instFluxNegErrCol: string;
  /** The local calibration column. */
  readonly photoCalibCol: string;

  /**
   * Makes the functor (a sixth argument, the calibration error column, is accepted and
   * ignored, as in LSST).
   *
   * @param instFluxPosCol - positive lobe flux
   * @param instFluxNegCol - negative lobe flux
   * @param instFluxPosErrCol - positive lobe error
   * @param instFluxNegErrCol - negative lobe error
   * @param photoCalibCol - local calibration
   */
  constructor(instFluxPosCol: string, instFluxNegCol: string, instFluxPosErrCol: string, instFluxNegErrCol: string, photoCalibCol: string) {
    super();
    this.instFluxPosCol = instFluxPosCol;
    this.instFluxNegCol = instFluxNegCol;
    this.instFluxPosErrCol = instFluxPosErrCol;
    this.instFluxNegErrCol = instFluxNegErrCol;
    this.photoCalibCol = photoCalibCol;
  }

  /** @returns `nJy` */
  override unitsFor(): string {
    return 'nJy';
  }
}

/**
 * Mean of the absolute calibrated fluxes of a dipole's lobes: `(|pos| + |neg|) / 2 × calib`.
 *
 * @see lsst.pipe.tasks.functors.LocalDipoleMeanFlux
 */
export class LocalDipoleMeanFlux extends LocalDipoleBase {
  /** The LSST class name. */
  readonly functorName: string = 'LocalDipoleMeanFlux';

  /** The two fluxes and the calibration. */
  get columns(): readonly string[] {
    return [this.instFluxPosCol, this.instFluxNegCol, this.photoCalibCol];
  }

  protected compute(source: ColumnSource): ColumnValues {
    const pos = numericColumn(source, this.instFluxPosCol);
    const neg = numericColumn(source, this.instFluxNegCol);
    const c = numericColumn(source, this.photoCalibCol);
    return Float64Array.from(pos, (p, i) => 0.5 * (Math.abs(neg[i]! * c[i]!) + Math.abs(p * c[i]!)));
  }
}

/**
 * Error of {@link LocalDipoleMeanFlux}: `hypot(negErr, posErr) / 2 × calib`.
 *
 * @see lsst.pipe.tasks.functors.LocalDipoleMeanFluxErr
 */
export class LocalDipoleMeanFluxErr extends LocalDipoleBase {
  /** The LSST class name. */
  readonly functorName: string = 'LocalDipoleMeanFluxErr';

  /** The two fluxes, their errors and the calibration. */
  get columns(): readonly string[] {
    return [this.instFluxPosCol, this.instFluxNegCol, this.instFluxPosErrCol, this.instFluxNegErrCol, this.photoCalibCol];
  }

  protected compute(source: ColumnSource): ColumnValues {
    const pe = numericColumn(source, this.instFluxPosErrCol);
    const ne = numericColumn(source, this.instFluxNegErrCol);
    const c = numericColumn(source, this.photoCalibCol);
    return Float64Array.from(pe, (p, i) => 0.5 * Math.hypot(ne[i]!, p) * c[i]!);
  }
}

/**
 * Difference of the absolute calibrated fluxes of a dipole's lobes: `|pos × calib| - |neg × calib|`.
 *
 * @see lsst.pipe.tasks.functors.LocalDipoleDiffFlux
 */
export class LocalDipoleDiffFlux extends LocalDipoleBase {
  /** The LSST class name. */
  readonly functorName: string = 'LocalDipoleDiffFlux';

  /** The two fluxes and the calibration. */
  get columns(): readonly string[] {
    return [this.instFluxPosCol, this.instFluxNegCol, this.photoCalibCol];
  }

  protected compute(source: ColumnSource): ColumnValues {
    const pos = numericColumn(source, this.instFluxPosCol);
    const neg = numericColumn(source, this.instFluxNegCol);
    const c = numericColumn(source, this.photoCalibCol);
    return Float64Array.from(pos, (p, i) => Math.abs(p * c[i]!) - Math.abs(neg[i]! * c[i]!));
  }
}

/**
 * Error of {@link LocalDipoleDiffFlux}: `hypot(posErr, negErr) × calib`.
 *
 * @see lsst.pipe.tasks.functors.LocalDipoleDiffFluxErr
 */
export class LocalDipoleDiffFluxErr extends LocalDipoleBase {
  /** The LSST class name. */
  readonly functorName: string = 'LocalDipoleDiffFluxErr';

  /** The two fluxes, their errors and the calibration. */
  get columns(): readonly string[] {
    return [this.instFluxPosCol, this.instFluxNegCol, this.instFluxPosErrCol, this.instFluxNegErrCol, this.photoCalibCol];
  }

  protected compute(source: ColumnSource): ColumnValues {
    const pe = numericColumn(source, this.instFluxPosErrCol);
    const ne = numericColumn(source, this.instFluxNegErrCol);
    const c = numericColumn(source, this.photoCalibCol);
    return Float64Array.from(pe, (p, i) => Math.hypot(p, ne[i]!) * c[i]!);
  }
}

/** LSST's hard-coded zero point of coadds (`Photometry.COADD_ZP`), magnitudes. */
export const COADD_ZP = 27;

/**
 * Flux in nJy (Float32) of an instrumental flux with LSST's fixed coadd zero point
 * ({@link COADD_ZP}): `3631 Jy × instFlux / 10^(0.4 × 27)`.
 *
 * @see lsst.pipe.tasks.functors.NanoJansky
 */
export class NanoJansky extends FunctorBase {
  /** The LSST class name. */
  readonly functorName: string = 'NanoJansky';
  /** The flux column. */
  readonly col: string;
  /** The flux error column, when given. */
  readonly colFluxErr: string | undefined;
  /** The instrumental flux of magnitude 0. */
  readonly fluxMag0: number = Math.pow(10, 0.4 * COADD_ZP);

  /**
   * Makes the functor.
   *
   * @param colFlux - the instrumental flux column
   * @param colFluxErr - its error column (used by {@link NanoJanskyErr})
   */
  constructor(colFlux: string, colFluxErr?: string) {
    super();
    this.col = colFlux;
    this.colFluxErr = colFluxErr;
  }

  /** `mag_<col>`, as LSST. */
  override get name(): string {
    return `mag_${this.col}`;
  }

  /** The flux column. */
  get columns(): readonly string[] {
    return [this.col];
  }

  protected compute(source: ColumnSource): ColumnValues {
    const f = numericColumn(source, this.col);
    const k = REFERENCE_FLUX_NJY / this.fluxMag0;
    return Float32Array.from(f, (v) => v * k);
  }

  /** @returns `nJy` */
  override unitsFor(): string {
    return 'nJy';
  }
}

/**
 * Error in nJy (Float32) of {@link NanoJansky}: `3631 Jy × instFluxErr / 10^(0.4 × 27)` (the
 * fixed zero point has no error).
 *
 * @see lsst.pipe.tasks.functors.NanoJanskyErr
 */
export class NanoJanskyErr extends NanoJansky {
  /** The LSST class name. */
  override readonly functorName: string = 'NanoJanskyErr';

  /** The flux and error columns. */
  override get columns(): readonly string[] {
    return [this.col, this.colFluxErr ?? fluxErrName(this.col.replace(/_instFlux$/, ''))];
  }

  protected override compute(source: ColumnSource): ColumnValues {
    const e = numericColumn(source, this.columns[1]!);
    const k = REFERENCE_FLUX_NJY / this.fluxMag0;
    return Float32Array.from(e, (v) => Math.abs(v) * k);
  }
}

/**
 * Magnitude with LSST's hard-coded HSC zero point (`fluxMag0 = 63095734448.0194`):
 * `-2.5 log10(instFlux / fluxMag0)` (Float64).
 *
 * @see lsst.pipe.tasks.functors.Mag
 */
export class Mag extends FunctorBase {
  /** The LSST class name. */
  readonly functorName: string = 'Mag';
  /** The instFlux column (`_instFlux` appended when missing). */
  readonly col: string;
  /** The instrumental flux of magnitude 0. */
  readonly fluxMag0 = 63095734448.0194;

  /**
   * Makes the functor.
   *
   * @param col - a flux column or plugin name (`base_PsfFlux`)
   */
  constructor(col: string) {
    super();
    this.col = fluxName(col);
  }

  /** `mag_<col>` */
  override get name(): string {
    return `mag_${this.col}`;
  }

  /** The flux column. */
  get columns(): readonly string[] {
    return [this.col];
  }

  protected compute(source: ColumnSource): ColumnValues {
    const f = numericColumn(source, this.col);
    return Float64Array.from(f, (v) => -2.5 * Math.log10(v / this.fluxMag0));
  }

  /** @returns `mag` */
  override unitsFor(): string {
    return 'mag';
  }
}

/**
 * Error of {@link Mag}: `2.5 / ln 10 × instFluxErr / instFlux` (Float64).
 *
 * @see lsst.pipe.tasks.functors.MagErr
 */
export class MagErr extends Mag {
  /** The LSST class name. */
  override readonly functorName: string = 'MagErr';

  /** `mag_<col>_err` */
  override get name(): string {
    return `${super.name}_err`;
  }

  /** The flux column and `<col>Err`. */
  override get columns(): readonly string[] {
    return [this.col, `${this.col}Err`];
  }

  protected override compute(source: ColumnSource): ColumnValues {
    const f = numericColumn(source, this.col);
    const e = numericColumn(source, `${this.col}Err`);
    return Float64Array.from(f, (v, i) => MAG_ERR_SCALE * Math.abs(e[i]! / v));
  }
}
