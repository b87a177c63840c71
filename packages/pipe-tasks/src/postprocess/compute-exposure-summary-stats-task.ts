// ComputeExposureSummaryStatsTask: the summary statistics of a processed detector image from its
// PSF, WCS, VisitInfo, PhotoCalib, pixels, background and sources
// (lsst.pipe.tasks.computeExposureSummaryStats, the statistics SkyStack computes).
import type { Exposure, MaskedImage, PhotoCalib, PixelArray, Psf, VisitInfo } from '@skystack/afw-image';
import type { SourceCatalog } from '@skystack/afw-table';
import { Box2D, type Box2I } from '@skystack/geom';
import { makeStatistics } from '@skystack/kernels';
import type { BackgroundList } from '@skystack/meas-algorithms';
import { Config, DictField, Field, ListField } from '@skystack/pex-config';
import { Task, timeMethod, type TaskOptions } from '@skystack/pipe-base';
import type { SkyWcs } from '@skystack/wcs';
import { ExposureSummaryStats } from './exposure-summary-stats.js';

const BANDS = ['u', 'g', 'r', 'i', 'z', 'y'];
const perBand = (v: number): Record<string, number> => Object.fromEntries(BANDS.map((b) => [b, v]));

/**
 * The config of {@link ComputeExposureSummaryStatsTask}: LSST's fields and defaults for the
 * statistics SkyStack computes.
 *
 * @see lsst.pipe.tasks.computeExposureSummaryStats.ComputeExposureSummaryStatsConfig
 */
export class ComputeExposureSummaryStatsConfig extends Config {
  /** Clipping half-width (sigma) of skyNoise and meanVar. */
  sigmaClip = Field.float({ doc: 'Sigma for outlier rejection for sky noise.', default: 3.0 });
  /** Clipping passes of skyNoise and meanVar. */
  clipIter = Field.int({ doc: 'Number of iterations of outlier rejection for sky noise.', default: 2 });
  /** Pixels with these mask planes are left out of skyNoise and meanVar (planes the mask lacks are ignored). */
  badMaskPlanes = ListField({ doc: 'Mask planes that, if set, the associated pixel should not be included sky noise calculation.', dtype: 'str', default: ['NO_DATA', 'SUSPECT'] });
  /** The flag of the sources used for the PSF model (counted as nPsfStar). */
  starSelection = Field.str({ doc: 'Field to select full list of sources used for PSF modeling.', default: 'calib_psf_used' });
  /** Fiducial sky level (ADU/s) of the effective exposure time, per band. */
  fiducialSkyBackground = DictField({
    doc: 'Fiducial sky background level (ADU/s) assumed when calculating effective exposure time. Keyed by band.',
    keytype: 'str',
    itemtype: 'float',
    default: perBand(1.0),
  });
  /** Fiducial PSF sigma (pixels) of the effective exposure time, per band. */
  fiducialPsfSigma = DictField({ doc: 'Fiducial PSF sigma (pixels) assumed when calculating effective exposure time. Keyed by band.', keytype: 'str', itemtype: 'float', default: perBand(1.0) });
  /** Fiducial zero point (mag for 1 ADU/s) of the effective exposure time, per band. */
  fiducialZeroPoint = DictField({ doc: 'Fiducial zero point assumed when calculating effective exposure time. Keyed by band.', keytype: 'str', itemtype: 'float', default: perBand(25.0) });
  /** Upper limit of the transparency factor. */
  maxEffectiveTransparency = Field.float({ doc: 'Maximum value allowed for effective transparency scale factor (often inf or 1.0).', default: Number.POSITIVE_INFINITY });
}

/**
 * Computes the summary statistics of a processed detector image (the `visitSummary` columns and
 * the `ccdVisitTable`'s source) with LSST's names, units and definitions.
 *
 * - `psfSigma`, `psfIxx`, `psfIyy`, `psfIxy`: the PSF model's second moments at the centre of
 *   the bounding box (`psf.computeShape`), `psfSigma` their determinant radius;
 *   `psfArea = (Σ p)² / Σ p²` of the kernel image there (the SRD's effective area; 4πσ² for a
 *   well-sampled Gaussian).
 * - `ra`, `dec`, `pixelScale` at the box centre; `raCorners`/`decCorners` at the corners of the
 *   box's outer pixel edges (`Box2D(bbox).getCorners()`: lower-left, lower-right, upper-right,
 *   upper-left), degrees.
 * - `zenithDistance` of the box centre at the VisitInfo date from its observatory (see
 *   {@link zenithDistanceDeg}).
 * - `expTime` (VisitInfo), `zeroPoint = 2.5 log10(instFluxAtZeroMagnitude)`: the AB magnitude of
 *   one count over the whole exposure (not per second).
 * - `skyBg`: the sum over the background models of the median of each model's finite binned
 *   values (ADU); `skyNoise`: the clipped standard deviation (`STDEVCLIP`) of the image pixels,
 *   `meanVar` the clipped mean of the variance plane, both without `badMaskPlanes` pixels.
 * - `nPsfStar`: the sources with `starSelection` (`calib_psf_used`) set.
 * - `effTime` and its three scale factors (DES's t_eff, against the `fiducial*` configs).
 * - `astromOffsetMean`/`Std` from the `SFM_ASTROM_OFFSET_MEAN`/`_STD` metadata when present.
 *
 * Not computed (left NaN by {@link ExposureSummaryStats} and not written): the PSF-star residual
 * statistics, the PSF robustness metrics, `skyLumpiness` and `magLim`.
 *
 * @example
 * ```ts
 * const stats = new ComputeExposureSummaryStatsTask().run(calexp, src, calexpBackground);
 * stats.psfSigma; stats.zeroPoint; stats.raCorners;
 * ```
 * @see lsst.pipe.tasks.computeExposureSummaryStats.ComputeExposureSummaryStatsTask
 */
export class ComputeExposureSummaryStatsTask extends Task<ComputeExposureSummaryStatsConfig> {
  /** {@link ComputeExposureSummaryStatsConfig}. */
  static override ConfigClass = ComputeExposureSummaryStatsConfig;
  /** `computeExposureSummaryStats`. */
  static override _DefaultName: string | undefined = 'computeExposureSummaryStats';

  /**
   * Makes the task.
   *
   * @param options - config, name, parent task
   */
  constructor(options: TaskOptions<ComputeExposureSummaryStatsConfig> = {}) {
    super(options);
  }

  /**
   * Computes every statistic this task knows from an exposure, its sources and its background.
   *
   * @param exposure - the calexp (its pixels are used for skyNoise and meanVar)
   * @param sources - its `src` catalog (for nPsfStar), or null
   * @param background - its `calexpBackground`, or null
   * @returns the statistics (NaN where an input is missing)
   */
  run(exposure: Exposure<PixelArray>, sources: SourceCatalog | null = null, background: BackgroundList | null = null): ExposureSummaryStats {
    return timeMethod(this, 'run', () => {
      const summary = new ExposureSummaryStats();
      const visitInfo = exposure.getVisitInfo();
      summary.expTime = visitInfo?.getExposureTime() ?? Number.NaN;
      const bbox = exposure.getBBox();
      this.updatePsfStats(summary, exposure.getPsf(), bbox, sources);
      this.updateWcsStats(summary, exposure.getWcs(), bbox, visitInfo);
      this.updatePhotoCalibStats(summary, exposure.getPhotoCalib());
      this.updateBackgroundStats(summary, background);
      this.updateMaskedImageStats(summary, exposure.getMaskedImage());
      const filter = exposure.getFilter();
      this.updateEffectiveTimeStats(summary, filter !== null && filter.hasBandLabel() ? filter.bandLabel : null);
      const md = exposure.getMetadata();
      const mean = md.getNumber('SFM_ASTROM_OFFSET_MEAN');
      const std = md.getNumber('SFM_ASTROM_OFFSET_STD');
      if (mean !== undefined && std !== undefined) {
        summary.astromOffsetMean = mean;
        summary.astromOffsetStd = std;
      }
      return summary;
    });
  }

  /**
   * The PSF statistics at the centre of the box: `psfSigma`, `psfIxx`, `psfIyy`, `psfIxy`,
   * `psfArea`, and `nPsfStar` from the sources.
   *
   * @param summary - updated in place (the PSF fields reset to NaN / 0 first)
   * @param psf - the PSF model, or null
   * @param bbox - the image's bounding box
   * @param sources - the sources, or null
   */
  updatePsfStats(summary: ExposureSummaryStats, psf: Psf | null, bbox: Box2I, sources: SourceCatalog | null = null): void {
    summary.psfSigma = summary.psfIxx = summary.psfIyy = summary.psfIxy = summary.psfArea = Number.NaN;
    summary.nPsfStar = 0;
    if (psf === null) return;
    const centre = bbox.getCenter();
    const shape = psf.computeShape(centre);
    summary.psfSigma = shape.getDeterminantRadius();
    summary.psfIxx = shape.getIxx();
    summary.psfIyy = shape.getIyy();
    summary.psfIxy = shape.getIxy();
    const im = psf.computeKernelImage(centre).array;
    let sum = 0;
    let sum2 = 0;
    for (let y = 0; y < im.height; y++) {
      for (let x = 0; x < im.width; x++) {
        const v = im.data[y * im.stride + x]!;
        sum += v;
        sum2 += v * v;
      }
    }
    summary.psfArea = (sum * sum) / sum2;
    if (sources === null) return;
    const name = this.config.starSelection;
    if (!sources.schema.contains(name)) {
      this.log.warn(`The sources have no '${name}' field; nPsfStar is 0.`);
      return;
    }
    const used = sources.getColumn(sources.schema.find(name).name) as Uint8Array;
    let n = 0;
    for (let i = 0; i < sources.length; i++) if (used[i] !== 0) n++;
    summary.nPsfStar = n;
  }

  /**
   * The WCS statistics: `ra`, `dec`, `pixelScale` at the box centre, the corners, and the zenith
   * distance of the centre (when the VisitInfo has a date and an observatory).
   *
   * @param summary - updated in place (the WCS fields reset to NaN first)
   * @param wcs - the WCS, or null
   * @param bbox - the image's bounding box
   * @param visitInfo - the VisitInfo, or null
   */
  updateWcsStats(summary: ExposureSummaryStats, wcs: SkyWcs | null, bbox: Box2I, visitInfo: VisitInfo | null): void {
    summary.raCorners = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
    summary.decCorners = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
    summary.ra = summary.dec = summary.pixelScale = summary.zenithDistance = Number.NaN;
    if (wcs === null) return;
    const corners = Box2D.fromBox2I(bbox).getCorners().map((p) => wcs.pixelToSky(p));
    summary.raCorners = corners.map((c) => c.getRa().asDegrees());
    summary.decCorners = corners.map((c) => c.getDec().asDegrees());
    const centre = bbox.getCenter();
    const sky = wcs.pixelToSky(centre);
    summary.ra = sky.getRa().asDegrees();
    summary.dec = sky.getDec().asDegrees();
    summary.pixelScale = wcs.getPixelScale(centre).asArcseconds();
    const date = visitInfo?.getDate() ?? null;
    if (visitInfo === null || date === null) return;
    const obs = visitInfo.getObservatory();
    const lat = obs.getLatitude().asDegrees();
    const lon = obs.getLongitude().asDegrees();
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
    summary.zenithDistance = zenithDistanceDeg(summary.ra, summary.dec, date.getMjd('UTC'), lon, lat);
  }

  /**
   * `zeroPoint = 2.5 log10(photoCalib.getInstFluxAtZeroMagnitude())`.
   *
   * @param summary - updated in place
   * @param photoCalib - the calibration, or null (NaN)
   */
  updatePhotoCalibStats(summary: ExposureSummaryStats, photoCalib: PhotoCalib | null): void {
    summary.zeroPoint = photoCalib === null ? Number.NaN : 2.5 * Math.log10(photoCalib.getInstFluxAtZeroMagnitude());
  }

  /**
   * `skyBg`: the sum over the background models of the median of each one's finite binned values.
   *
   * @param summary - updated in place
   * @param background - the background list, or null (NaN)
   */
  updateBackgroundStats(summary: ExposureSummaryStats, background: BackgroundList | null): void {
    if (background === null) {
      summary.skyBg = Number.NaN;
      return;
    }
    let total = 0;
    for (const entry of background) total += median(entry.background.getStatsImage().values);
    summary.skyBg = total;
  }

  /**
   * `skyNoise` (STDEVCLIP of the image) and `meanVar` (MEANCLIP of the variance), without the
   * `badMaskPlanes` pixels, NaN-safe, `sigmaClip` sigma and `clipIter` passes.
   *
   * @param summary - updated in place
   * @param maskedImage - the pixels, or null (NaN)
   */
  updateMaskedImageStats(summary: ExposureSummaryStats, maskedImage: MaskedImage<PixelArray> | null): void {
    if (maskedImage === null) {
      summary.skyNoise = summary.meanVar = Number.NaN;
      return;
    }
    const mask = maskedImage.mask;
    const planes = mask.getMaskPlaneDict();
    const andMask = mask.getPlaneBitMask(this.config.badMaskPlanes.filter((p) => p in planes));
    const opts = { mask: contiguous(mask.array) as Int32Array, andMask, numSigmaClip: this.config.sigmaClip, numIter: this.config.clipIter, nanSafe: true };
    summary.skyNoise = makeStatistics(contiguous(maskedImage.image.array), { ...opts, properties: ['STDEVCLIP'] }).getValue('STDEVCLIP');
    summary.meanVar = makeStatistics(contiguous(maskedImage.variance.array), { ...opts, properties: ['MEANCLIP'] }).getValue('MEANCLIP');
  }

  /**
   * The effective exposure time `effTime = f_eff · c_eff · b_eff · expTime` (Neilsen et al. 2016)
   * and its factors: `f_eff = (psfSigma / fiducialPsfSigma)⁻²`,
   * `c_eff = min(10^(−0.8 (fiducialZeroPoint − (zeroPoint − 2.5 log10 expTime))), maxEffectiveTransparency)`,
   * `b_eff = fiducialSkyBackground / (skyBg / expTime)`. NaN without a band, or for a band
   * without fiducial values.
   *
   * @param summary - updated in place; needs psfSigma, zeroPoint, skyBg and expTime
   * @param band - the band of the exposure, or null
   */
  updateEffectiveTimeStats(summary: ExposureSummaryStats, band: string | null): void {
    summary.effTime = summary.effTimePsfSigmaScale = summary.effTimeSkyBgScale = summary.effTimeZeroPointScale = Number.NaN;
    if (band === null) {
      this.log.warn('No band associated with exposure; effTime not calculated.');
      return;
    }
    const t = summary.expTime;
    const psfSigma0 = this.config.fiducialPsfSigma[band];
    const zp0 = this.config.fiducialZeroPoint[band];
    const sky0 = this.config.fiducialSkyBackground[band];
    const fEff = psfSigma0 == null ? Number.NaN : (summary.psfSigma / psfSigma0) ** -2;
    const cEff = zp0 == null ? Number.NaN : Math.min(10 ** ((-2.0 * (zp0 - (summary.zeroPoint - 2.5 * Math.log10(t)))) / 2.5), this.config.maxEffectiveTransparency);
    const bEff = sky0 == null ? Number.NaN : sky0 / (summary.skyBg / t);
    summary.effTime = fEff * cEff * bEff * t;
    summary.effTimePsfSigmaScale = fEff;
    summary.effTimeSkyBgScale = bEff;
    summary.effTimeZeroPointScale = cEff;
  }
}

/** The values of an image array without row padding (the array itself when it has none). */
function contiguous<T extends Float32Array | Float64Array | Int32Array | Uint16Array>(a: { readonly data: T; readonly width: number; readonly height: number; readonly stride: number }): T {
  if (a.stride === a.width && a.data.length === a.width * a.height) return a.data;
  const out = new (a.data.constructor as new (n: number) => T)(a.width * a.height);
  for (let y = 0; y < a.height; y++) out.set(a.data.subarray(y * a.stride, y * a.stride + a.width), y * a.width);
  return out;
}

/** The median of the finite values (NaN when there are none), as numpy's (mean of the middle two). */
function median(values: ArrayLike<number>): number {
  const finite = Float64Array.from(Array.prototype.filter.call(values, (v: number) => Number.isFinite(v)) as number[]).sort();
  const n = finite.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? finite[(n - 1) / 2]! : 0.5 * (finite[n / 2 - 1]! + finite[n / 2]!);
}

const DEG = Math.PI / 180;
const ARCSEC = DEG / 3600;

/**
 * The zenith distance (degrees) of an ICRS position seen from an observatory at a UTC time,
 * without refraction (astropy's `AltAz` with no pressure, what LSST uses): the position with
 * annual aberration (low-precision solar longitude), precessed to the equinox of date (IAU 1976
 * ζ, z, θ), nutated (the two largest terms of the IAU 1980 series, to first order), and the hour
 * angle from the Greenwich apparent sidereal time (GMST from the Earth rotation angle as IERS
 * 2003, UT1 = UTC, plus the equation of the equinoxes). Diurnal aberration, light deflection and
 * polar motion are neglected: within a few arcseconds of astropy for dates within a century of
 * J2000.
 *
 * @param raDeg - ICRS right ascension (degrees)
 * @param decDeg - ICRS declination (degrees)
 * @param mjdUtc - the time (UTC MJD)
 * @param lonDeg - observatory longitude (degrees, east positive)
 * @param latDeg - observatory latitude (degrees)
 * @returns the zenith distance (degrees, 0-180)
 * @example
 * ```ts
 * zenithDistanceDeg(150, -30, 59000.2, -70.749, -30.2446); // 83.07 (astropy: 83.073)
 * ```
 * @see lsst.pipe.tasks.computeExposureSummaryStats.ComputeExposureSummaryStatsTask.update_wcs_stats
 */
export function zenithDistanceDeg(raDeg: number, decDeg: number, mjdUtc: number, lonDeg: number, latDeg: number): number {
  const d = mjdUtc - 51544.5; // days since J2000 (UT ~ TT to a minute)
  const t = d / 36525;
  const eps = (23.439291 - 0.0130042 * t) * DEG;
  // Annual aberration: p' = p + v/c, v along the Earth's orbit (solar longitude λ - 90°).
  const g = (357.528 + 0.9856003 * d) * DEG;
  const lambda = (280.46 + 0.9856474 * d) * DEG + (1.915 * Math.sin(g) + 0.02 * Math.sin(2 * g)) * DEG;
  const kappa = 20.49552 * ARCSEC;
  const ra0 = raDeg * DEG;
  const dec0 = decDeg * DEG;
  let px = Math.cos(dec0) * Math.cos(ra0) + kappa * Math.sin(lambda);
  let py = Math.cos(dec0) * Math.sin(ra0) - kappa * Math.cos(lambda) * Math.cos(eps);
  let pz = Math.sin(dec0) - kappa * Math.cos(lambda) * Math.sin(eps);
  const norm = Math.hypot(px, py, pz);
  px /= norm;
  py /= norm;
  pz /= norm;
  const ra = Math.atan2(py, px);
  const dec = Math.asin(pz);
  // Precession to the mean equinox of date.
  const zeta = (2306.2181 * t + 0.30188 * t * t + 0.017998 * t ** 3) * ARCSEC;
  const z = (2306.2181 * t + 1.09468 * t * t + 0.018203 * t ** 3) * ARCSEC;
  const theta = (2004.3109 * t - 0.42665 * t * t - 0.041833 * t ** 3) * ARCSEC;
  const a = Math.cos(dec) * Math.sin(ra + zeta);
  const b = Math.cos(theta) * Math.cos(dec) * Math.cos(ra + zeta) - Math.sin(theta) * Math.sin(dec);
  const c = Math.sin(theta) * Math.cos(dec) * Math.cos(ra + zeta) + Math.cos(theta) * Math.sin(dec);
  const raMean = Math.atan2(a, b) + z;
  const decMean = Math.asin(Math.max(-1, Math.min(1, c)));
  // Nutation: the Ω and 2L terms, applied to first order.
  const omega = (125.04452 - 1934.136261 * t) * DEG;
  const lSun = (280.4665 + 36000.7698 * t) * DEG;
  const dPsi = (-17.2 * Math.sin(omega) - 1.32 * Math.sin(2 * lSun)) * ARCSEC;
  const dEps = (9.2 * Math.cos(omega) + 0.57 * Math.cos(2 * lSun)) * ARCSEC;
  const tanDec = Math.tan(decMean);
  const raTrue = raMean + dPsi * (Math.cos(eps) + Math.sin(eps) * Math.sin(raMean) * tanDec) - dEps * Math.cos(raMean) * tanDec;
  const decTrue = decMean + dPsi * Math.sin(eps) * Math.cos(raMean) + dEps * Math.sin(raMean);
  // Apparent sidereal time and the hour angle.
  const era = 2 * Math.PI * ((0.779057273264 + 0.00273781191135448 * d + d) % 1);
  const gast = era + (0.014506 + 4612.156534 * t + 1.3915817 * t * t) * ARCSEC + dPsi * Math.cos(eps);
  const ha = gast + lonDeg * DEG - raTrue;
  const lat = latDeg * DEG;
  const cosZ = Math.sin(lat) * Math.sin(decTrue) + Math.cos(lat) * Math.cos(decTrue) * Math.cos(ha);
  return Math.acos(Math.max(-1, Math.min(1, cosZ))) / DEG;
}
