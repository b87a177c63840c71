// ExposureSummaryStats: per-detector summary statistics (PSF size, sky position, zero point, sky
// level and noise, effective exposure time) and the visitSummary columns that hold them
// (lsst.afw.image.ExposureSummaryStats, the subset SkyStack computes).
import type { BaseRecord, FieldInput, Schema } from '@skystack/afw-table';

/**
 * The summary-statistic columns SkyStack writes (LSST's names, types, docs and units, in LSST's
 * order), a subset of afw's `ExposureSummaryStats.update_schema`: the PSF-star residuals
 * (`psfStarDelta*`), the PSF robustness metrics (`psfTraceRadiusDelta`, `psfApFluxDelta`,
 * `psfApCorrSigmaScaledDelta`, `maxDistToNearestPsf`), `skyLumpiness` and `magLim` are not
 * computed and so not written.
 */
export const EXPOSURE_SUMMARY_FIELDS: readonly FieldInput[] = Object.freeze([
  { name: 'psfSigma', type: 'F', doc: 'PSF model second-moments determinant radius (center of chip) (pixel)', units: 'pixel' },
  { name: 'psfArea', type: 'F', doc: 'PSF model effective area (center of chip) (pixel**2)', units: 'pixel**2' },
  { name: 'psfIxx', type: 'F', doc: 'PSF model Ixx (center of chip) (pixel**2)', units: 'pixel**2' },
  { name: 'psfIyy', type: 'F', doc: 'PSF model Iyy (center of chip) (pixel**2)', units: 'pixel**2' },
  { name: 'psfIxy', type: 'F', doc: 'PSF model Ixy (center of chip) (pixel**2)', units: 'pixel**2' },
  { name: 'raCorners', type: 'ArrayD', size: 4, doc: 'Right Ascension of bounding box corners (degrees)', units: 'degree' },
  { name: 'decCorners', type: 'ArrayD', size: 4, doc: 'Declination of bounding box corners (degrees)', units: 'degree' },
  { name: 'ra', type: 'D', doc: 'Right Ascension of bounding box center (degrees)', units: 'degree' },
  { name: 'dec', type: 'D', doc: 'Declination of bounding box center (degrees)', units: 'degree' },
  { name: 'pixelScale', type: 'F', doc: 'Measured detector pixel scale (arcsec/pixel)', units: 'arcsec/pixel' },
  { name: 'zenithDistance', type: 'F', doc: 'Zenith distance of bounding box center (degrees)', units: 'degree' },
  { name: 'expTime', type: 'F', doc: 'Exposure time of the exposure (seconds)', units: 'second' },
  { name: 'zeroPoint', type: 'F', doc: 'Mean zeropoint in detector (mag)', units: 'mag' },
  { name: 'skyBg', type: 'F', doc: 'Average sky background (ADU)', units: 'adu' },
  { name: 'skyNoise', type: 'F', doc: 'Average sky noise (ADU)', units: 'adu' },
  { name: 'meanVar', type: 'F', doc: 'Mean variance of the weight plane (ADU**2)', units: 'adu**2' },
  { name: 'astromOffsetMean', type: 'F', doc: 'Mean offset of astrometric calibration matches (arcsec)', units: 'arcsec' },
  { name: 'astromOffsetStd', type: 'F', doc: 'Standard deviation of offsets of astrometric calibration matches (arcsec)', units: 'arcsec' },
  { name: 'nPsfStar', type: 'I', doc: 'Number of stars used for PSF model' },
  { name: 'effTime', type: 'F', doc: 'Effective exposure time calculated from psfSigma, skyBg, and zeroPoint (seconds).', units: 'second' },
  { name: 'effTimePsfSigmaScale', type: 'F', doc: 'PSF scaling of the effective exposure time.' },
  { name: 'effTimeSkyBgScale', type: 'F', doc: 'Sky background scaling of the effective exposure time.' },
  { name: 'effTimeZeroPointScale', type: 'F', doc: 'Zeropoint scaling of the effective exposure time.' },
] satisfies FieldInput[]);

/**
 * Summary statistics of one processed detector image, with afw's names and units; a value not
 * computed is NaN (`nPsfStar`: 0), as in afw. {@link ExposureSummaryStats.updateRecord} writes
 * them into a record whose schema went through {@link ExposureSummaryStats.updateSchema} (the
 * `visitSummary` catalog).
 *
 * @example
 * ```ts
 * const schema = ExposureCatalog.makeMinimalSchema();
 * ExposureSummaryStats.updateSchema(schema);
 * const stats = new ExposureSummaryStats();
 * stats.psfSigma = 1.7;
 * stats.updateRecord(catalog.addNew());
 * ```
 * @see lsst.afw.image.ExposureSummaryStats
 */
export class ExposureSummaryStats {
  /** PSF determinant radius (pixels). */
  psfSigma = Number.NaN;
  /** PSF effective area, (Σ p)² / Σ p² of the kernel image (pixels²). */
  psfArea = Number.NaN;
  /** PSF shape Ixx (pixels²). */
  psfIxx = Number.NaN;
  /** PSF shape Iyy (pixels²). */
  psfIyy = Number.NaN;
  /** PSF shape Ixy (pixels²). */
  psfIxy = Number.NaN;
  /** Right Ascension of the bounding box centre (degrees). */
  ra = Number.NaN;
  /** Declination of the bounding box centre (degrees). */
  dec = Number.NaN;
  /** Pixel scale at the bounding box centre (arcsec/pixel). */
  pixelScale = Number.NaN;
  /** Zenith distance of the bounding box centre (degrees). */
  zenithDistance = Number.NaN;
  /** Exposure time (seconds). */
  expTime = Number.NaN;
  /** Mean zero point: the AB magnitude of one count (instFlux unit) over the exposure (mag). */
  zeroPoint = Number.NaN;
  /** Average sky background (ADU). */
  skyBg = Number.NaN;
  /** Average sky noise (ADU). */
  skyNoise = Number.NaN;
  /** Mean variance of the variance plane (ADU²). */
  meanVar = Number.NaN;
  /** Right Ascension of the bounding box corners (degrees): lower-left, lower-right, upper-right, upper-left. */
  raCorners: number[] = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  /** Declination of the bounding box corners (degrees), same order as {@link ExposureSummaryStats.raCorners}. */
  decCorners: number[] = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  /** Mean offset of astrometric calibration matches (arcsec). */
  astromOffsetMean = Number.NaN;
  /** Standard deviation of the astrometric match offsets (arcsec). */
  astromOffsetStd = Number.NaN;
  /** Number of stars used for the PSF model. */
  nPsfStar = 0;
  /** Effective exposure time (seconds). */
  effTime = Number.NaN;
  /** PSF scaling of the effective exposure time. */
  effTimePsfSigmaScale = Number.NaN;
  /** Sky background scaling of the effective exposure time. */
  effTimeSkyBgScale = Number.NaN;
  /** Zero-point scaling of the effective exposure time. */
  effTimeZeroPointScale = Number.NaN;

  /**
   * Adds the summary-statistic fields ({@link EXPOSURE_SUMMARY_FIELDS}) to a schema.
   *
   * @param schema - the schema to extend (before any catalog is made from it)
   * @throws AfwTableInvalidArgumentError (from `@skystack/afw-table`) when a field already exists
   * @see lsst.afw.image.ExposureSummaryStats.update_schema
   */
  static updateSchema(schema: Schema): void {
    for (const f of EXPOSURE_SUMMARY_FIELDS) schema.addField(f);
  }

  /**
   * Writes the statistics into a record (`nPsfStar` as an integer, the corners as 4-element arrays).
   *
   * @param record - a record whose schema has the fields of {@link ExposureSummaryStats.updateSchema}
   * @throws AfwTableInvalidArgumentError (from `@skystack/afw-table`) when a field is missing
   * @see lsst.afw.image.ExposureSummaryStats.update_record
   */
  updateRecord(record: BaseRecord): void {
    for (const f of EXPOSURE_SUMMARY_FIELDS) {
      if (f.name === 'raCorners' || f.name === 'decCorners') record.set(f.name, Float64Array.from(this[f.name]));
      else record.set(f.name, (this as unknown as Record<string, number>)[f.name]!);
    }
  }

  /**
   * Reads the statistics back from a record.
   *
   * @param record - a record with the fields of {@link ExposureSummaryStats.updateSchema}
   * @returns the statistics
   * @throws AfwTableInvalidArgumentError (from `@skystack/afw-table`) when a field is missing
   * @example
   * ```ts
   * const stats = ExposureSummaryStats.fromRecord(visitSummary.get(0));
   * ```
   * @see lsst.afw.image.ExposureSummaryStats.from_record
   */
  static fromRecord(record: BaseRecord): ExposureSummaryStats {
    const out = new ExposureSummaryStats();
    for (const f of EXPOSURE_SUMMARY_FIELDS) {
      const v = record.get(f.name);
      if (f.name === 'raCorners' || f.name === 'decCorners') out[f.name] = Array.from(v as Float64Array);
      else (out as unknown as Record<string, number>)[f.name] = Number(v);
    }
    return out;
  }
}
