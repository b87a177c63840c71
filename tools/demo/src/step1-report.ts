// The demo's scoring of single-frame processing against the simulator's truth, shared by
// `pnpm demo` and the end-to-end test: it reads what step1 wrote (postISRCCD, calexp, src,
// sourceTable) and the truth files, matches detections to true sources, and reduces the pairs to
// the figures (astrometric and photometric scatter of bright stars, completeness, sky
// sources).
import { join } from 'node:path';
import type { Exposure } from '@skystack/afw-image';
import { readParquet, type SourceCatalog } from '@skystack/afw-table';
import type { Butler } from '@skystack/daf-butler';
import type { ExposureTruth } from '@skystack/obs-sim';
import {
  astrometricScatter,
  completeness,
  matchNearest,
  photometricScatter,
  photonNoiseScatterMmag,
  psfFluxPhotonFactor,
  psfFluxSnr,
  sampleStats,
  skyOffsetsMas,
  type AstrometricScatter,
  type Completeness,
  type PhotometricScatter,
  type SampleStats,
  type SkyOffsets,
} from './score.js';

/** Match radius between true and measured positions, pixels (0.4″). */
export const MATCH_RADIUS_PX = 2;
/** Bright stars for astrometry and photometry: expected S/N at least this, not saturated. */
export const BRIGHT_SNR = 100;
/** Very bright stars, whose photon noise (≤ 2.2 mmag) leaves the pipeline's own errors visible. */
export const VERY_BRIGHT_SNR = 500;

/** One (exposure, detector) of the report table. */
export interface Step1Row {
  /** Exposure (= visit) id. */
  readonly exposureId: number;
  /** Detector id. */
  readonly detector: number;
  /** Band. */
  readonly band: string;
  /** Whether postISRCCD was written. */
  readonly postISRCCD: boolean;
  /** Median sky of postISRCCD over the true sky in ADU, or 'n/a'. */
  readonly skyRatio: string;
  /** 'yes' or 'n/a'. */
  readonly calexp: string;
  /** Number of sources (without sky sources), or 'n/a'/'error'. */
  readonly sources: string;
  /** Number of sky sources, or 'n/a'/'error'. */
  readonly sky: string;
  /** True sources with S/N ≥ 5. */
  readonly nTrue5: number;
  /** Of those, how many were matched, or 'n/a'/'error'. */
  readonly matched: string;
  /** Whether sourceTable was written. */
  readonly sourceTable: boolean;
}

/** What {@link collectStep1Samples} gathers. */
export interface Step1Samples {
  /** `visit/detector` keys that have each dataset type. */
  readonly have: { readonly postISRCCD: Set<string>; readonly calexp: Set<string>; readonly src: Set<string>; readonly sourceTable: Set<string> };
  /** One row per (exposure, detector) of the truth. */
  readonly rows: Step1Row[];
  /** Exposures that could not be scored, and why. */
  readonly problems: string[];
  /** Expected S/N of every true source with S/N ≥ 5. */
  readonly snrAll: number[];
  /** Whether each of them was detected. */
  readonly detAll: boolean[];
  /** Sky offsets of the bright stars, per exposure. */
  readonly astrom: SkyOffsets[];
  /** Calibrated PSF fluxes of the bright stars, nJy. */
  readonly photMeas: number[];
  /** Calibrated calibration-aperture fluxes of the same stars, nJy. */
  readonly apMeas: number[];
  /** Their expected (ideal) S/N, from the truth. */
  readonly photSnr: number[];
  /** The expected S/N of their PSF fluxes ({@link psfFluxSnr}: the estimator counts the star's photons 4/3 times). */
  readonly photSnrPsf: number[];
  /** Their true fluxes, nJy. */
  readonly photTrue: number[];
  /** Calibrated PSF fluxes of the sky sources, nJy. */
  readonly skyFlux: number[];
  /** Sky-source PSF flux over its error. */
  readonly skyPull: number[];
  /** The first exposure with a calexp and src (for the PNG). */
  readonly firstCalexp: { exp: Exposure; src: SourceCatalog; t: ExposureTruth } | undefined;
}

/**
 * Reads what step1 wrote for each (exposure, detector) of the truth and pairs it with the truth.
 *
 * @param options - the Butler, the simulation directory, the truth and the output collection
 * @returns the samples
 */
export async function collectStep1Samples(options: { readonly butler: Butler; readonly simDir: string; readonly truth: readonly ExposureTruth[]; readonly output: string }): Promise<Step1Samples> {
  const { butler, simDir, truth, output } = options;

  const exists = async (type: string): Promise<Set<string>> => {
    try {
      const refs = await butler.registry.queryDatasets(type, { collections: output, findFirst: true }).toArray();
      return new Set(refs.map((r) => `${String(r.dataId.get('visit') ?? r.dataId.get('exposure'))}/${String(r.dataId.get('detector'))}`));
    } catch {
      return new Set();
    }
  };
  const have = {
    postISRCCD: await exists('postISRCCD'),
    calexp: await exists('calexp'),
    src: await exists('src'),
    sourceTable: await exists('sourceTable'),
  };
  const truthCat = await readParquet(join(simDir, 'truth/truth_catalog.parquet'), { columns: ['id', 'ra', 'dec'] });
  const tIds = truthCat.getChild('id')!.toArray() as BigInt64Array;
  const tRa = truthCat.getChild('ra')!.toArray() as Float64Array;
  const tDec = truthCat.getChild('dec')!.toArray() as Float64Array;
  const row = new Map<bigint, number>();
  tIds.forEach((v, i) => row.set(v, i));

  const rows: Step1Row[] = [];
  const problems: string[] = [];
  const snrAll: number[] = [];
  const detAll: boolean[] = [];
  const astrom: SkyOffsets[] = [];
  const photMeas: number[] = [];
  const apMeas: number[] = [];
  const photSnr: number[] = [];
  const photSnrPsf: number[] = [];
  const photTrue: number[] = [];
  const skyFlux: number[] = [];
  const skyPull: number[] = [];
  let firstCalexp: { exp: Exposure; src: SourceCatalog; t: ExposureTruth } | undefined;
  for (const t of truth) {
    const key = `${t.exposureId}/${t.detector}`;
    const srcTruth = await readParquet(join(simDir, t.sources), { columns: ['id', 'x', 'y', 'flux', 'electrons', 'snr', 'saturated', 'is_star'] });
    const electrons = srcTruth.getChild('electrons')!.toArray() as Float64Array;
    const photonFactor = psfFluxPhotonFactor([
      { weight: 1 - t.psf.wingFraction, sigma: t.psf.sigmaCore },
      { weight: t.psf.wingFraction, sigma: t.psf.sigmaWing },
    ]);
    const n = srcTruth.numRows;
    const x = srcTruth.getChild('x')!.toArray() as Float64Array;
    const y = srcTruth.getChild('y')!.toArray() as Float64Array;
    const snr = srcTruth.getChild('snr')!.toArray() as Float64Array;
    const flux = srcTruth.getChild('flux')!.toArray() as Float64Array;
    const ids = srcTruth.getChild('id')!.toArray() as BigInt64Array;
    const sat = srcTruth.getChild('saturated')!;
    const isStar = srcTruth.getChild('is_star')!;
    const nTrue5 = snr.filter((s) => s >= 5).length;
    let cells = { calexp: 'n/a', sources: 'n/a', sky: 'n/a', matched: 'n/a' };
    // ISR: the sky level at the detector centre (median of 256 x 256 pixels) over the true sky in
    // ADU (electrons → nJy → ADU through the true PhotoCalib; SimCam's calibration convention).
    let skyRatio = 'n/a';
    if (have.postISRCCD.has(key)) {
      const exp = (await butler.get('postISRCCD', { instrument: 'SimCam', exposure: t.exposureId, detector: t.detector })) as Exposure;
      const { width, height } = exp.image;
      const v: number[] = [];
      for (let yy = (height >> 1) - 128; yy < (height >> 1) + 128; yy++) for (let xx = (width >> 1) - 128; xx < (width >> 1) + 128; xx++) v.push(exp.image.get(xx, yy, 'LOCAL'));
      skyRatio = (sampleStats(v).median / (t.skyElectronsPerPixel / t.electronsPerNanojansky / t.photoCalib.calibrationMean)).toFixed(4);
    }
    if (have.src.has(key) && have.calexp.has(key)) {
      try {
        const src = (await butler.get('src', { instrument: 'SimCam', visit: t.exposureId, detector: t.detector })) as SourceCatalog;
        const exp = (await butler.get('calexp', { instrument: 'SimCam', visit: t.exposureId, detector: t.detector })) as Exposure;
        firstCalexp ??= { exp, src, t };
        const col = (name: string): ArrayLike<number> => src.getColumn(name) as unknown as ArrayLike<number>;
        const sky = src.schema.contains('sky_source') ? col('sky_source') : new Uint8Array(src.length);
        const sx = Float64Array.from(col('slot_Centroid_x'), (v, i) => (sky[i] ? NaN : v));
        const sy = Float64Array.from(col('slot_Centroid_y'), (v, i) => (sky[i] ? NaN : v));
        const match = matchNearest(x, y, sx, sy, MATCH_RADIUS_PX);
        const ra = col('coord_ra');
        const dec = col('coord_dec');
        const psf = col('slot_PsfFlux_instFlux');
        const psfErr = col('slot_PsfFlux_instFluxErr');
        const ap = col('slot_CalibFlux_instFlux');
        const calib = exp.getPhotoCalib()?.getCalibrationMean() ?? NaN;
        let matched = 0;
        const bra: number[] = [];
        const bdec: number[] = [];
        const tra: number[] = [];
        const tdec: number[] = [];
        for (let i = 0; i < n; i++) {
          const j = match[i]!;
          if (snr[i]! >= 5) {
            snrAll.push(snr[i]!);
            detAll.push(j >= 0);
            if (j >= 0) matched++;
          }
          if (j < 0 || !isStar.get(i) || sat.get(i) || snr[i]! < BRIGHT_SNR) continue;
          const r = row.get(ids[i]!)!;
          bra.push((ra[j]! * 180) / Math.PI);
          bdec.push((dec[j]! * 180) / Math.PI);
          tra.push(tRa[r]!);
          tdec.push(tDec[r]!);
          photMeas.push(psf[j]! * calib);
          apMeas.push(ap[j]! * calib);
          photSnr.push(snr[i]!);
          photSnrPsf.push(psfFluxSnr(electrons[i]!, snr[i]!, photonFactor));
          photTrue.push(flux[i]!);
        }
        astrom.push(skyOffsetsMas(bra, bdec, tra, tdec));
        let nSky = 0;
        for (let k = 0; k < src.length; k++) {
          if (!sky[k]) continue;
          nSky++;
          skyFlux.push(psf[k]! * calib);
          skyPull.push(psf[k]! / psfErr[k]!);
        }
        cells = { calexp: 'yes', sources: String(src.length - nSky), sky: String(nSky), matched: String(matched) };
      } catch (e) {
        cells = { calexp: 'yes', sources: 'error', sky: 'error', matched: 'error' };
        problems.push(`${key}: could not score: ${(e as Error).message}`);
      }
    } else if (have.calexp.has(key)) {
      cells.calexp = 'yes';
    }
    rows.push({ exposureId: t.exposureId, detector: t.detector, band: t.band, postISRCCD: have.postISRCCD.has(key), skyRatio, ...cells, nTrue5, sourceTable: have.sourceTable.has(key) });
  }
  return { have, rows, problems, snrAll, detAll, astrom, photMeas, apMeas, photSnr, photSnrPsf, photTrue, skyFlux, skyPull, firstCalexp };
}

/** The figures of {@link scoreStep1}. */
export interface Step1Scores {
  /** Bright-star astrometric scatter. */
  readonly astrometry: AstrometricScatter;
  /** Bright-star PSF-flux photometry against the truth. */
  readonly photometry: PhotometricScatter;
  /** The σ_MAD photon noise alone gives those stars' PSF fluxes, mmag. */
  readonly photonNoiseMmag: number;
  /** What the pipeline adds to the photon noise (quadrature difference), mmag. */
  readonly beyondNoiseMmag: number;
  /** The same for stars with S/N ≥ {@link VERY_BRIGHT_SNR}. */
  readonly veryBright: { readonly photometry: PhotometricScatter; readonly photonNoiseMmag: number; readonly beyondNoiseMmag: number };
  /** The calibration aperture flux of the bright stars against the truth. */
  readonly aperture: PhotometricScatter;
  /** Completeness at S/N ≥ 5, ≥ 10 and in [5, 10). */
  readonly completeness: { readonly snr5: Completeness; readonly snr10: Completeness; readonly snr5to10: Completeness };
  /** Sky-source PSF fluxes, nJy. */
  readonly skyFlux: SampleStats;
  /** Sky-source flux over error. */
  readonly skyPull: SampleStats;
}

/**
 * Reduces the samples to the figures.
 *
 * @param s - the samples
 * @returns the scores
 */
export function scoreStep1(s: Step1Samples): Step1Scores {
  const east = Float64Array.from(s.astrom.flatMap((o) => [...o.eastMas]));
  const north = Float64Array.from(s.astrom.flatMap((o) => [...o.northMas]));
  const beyond = (scatter: number, noise: number): number => Math.sqrt(Math.max(0, scatter * scatter - noise * noise));
  const photometry = photometricScatter(s.photMeas, s.photTrue);
  const photonNoiseMmag = photonNoiseScatterMmag(s.photSnrPsf);
  const vb = s.photSnr.map((v, i) => (v >= VERY_BRIGHT_SNR ? i : -1)).filter((i) => i >= 0);
  const vbPhot = photometricScatter(vb.map((i) => s.photMeas[i]!), vb.map((i) => s.photTrue[i]!));
  const vbNoise = photonNoiseScatterMmag(vb.map((i) => s.photSnrPsf[i]!));
  const [snr5, snr10, snr5to10] = completeness(s.snrAll, s.detAll, [
    [5, Infinity],
    [10, Infinity],
    [5, 10],
  ]);
  return {
    astrometry: astrometricScatter({ eastMas: east, northMas: north }),
    photometry,
    photonNoiseMmag,
    beyondNoiseMmag: beyond(photometry.scatterMmag, photonNoiseMmag),
    veryBright: { photometry: vbPhot, photonNoiseMmag: vbNoise, beyondNoiseMmag: beyond(vbPhot.scatterMmag, vbNoise) },
    aperture: photometricScatter(s.apMeas, s.photTrue),
    completeness: { snr5: snr5!, snr10: snr10!, snr5to10: snr5to10! },
    skyFlux: sampleStats(s.skyFlux),
    skyPull: sampleStats(s.skyPull),
  };
}
