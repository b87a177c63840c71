// The whole simulation: truth catalog, visits, raws, master calibrations, truth files, refcat.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BaseCatalog, catalogToArrow, Schema, writeParquet } from '@skystack/afw-table';
import type { SpherePoint } from '@skystack/geom';
import { makeSimCamDetectors, SIMCAM_BANDS, SIMCAM_DETECTOR_SIZE, SIMCAM_NAME } from './camera.js';
import { makeMasterBias, makeMasterDark, makeMasterFlat, writeCalibrationRaw, writeDefects, writeMaster } from './calibs.js';
import { makeDetectorSignature } from './detector-signature.js';
import { ObsSimInvalidArgumentError, ObsSimIoError } from './errors.js';
import { type ExposureSimulation, simulateExposure } from './exposure-sim.js';
import { makeRefcat, writeShardedRefcat } from './refcat.js';
import { type RawObservation, writeRawFits } from './raw-file.js';
import { makeTruthCatalog, writeTruthCatalog } from './truth-catalog.js';
import { AB_NJY_ZERO_POINT, planVisits, type VisitPlan } from './visits.js';

/** A size preset of {@link simulate}. */
export interface SimulationPreset {
  /** Detector width and height, pixels. */
  readonly detectorSize: number;
  /** Number of visits. */
  readonly visits: number;
  /** Detector ids. */
  readonly detectors: readonly number[];
  /** Dither radius, degrees. */
  readonly ditherDeg: number;
  /** Radius of the truth field, degrees. */
  readonly fieldRadiusDeg: number;
  /** Stars per square degree with 16 < r < 25. */
  readonly starDensity: number;
}

/**
 * The size presets: `full` (4 detectors of 2048², 6 visits, 0.1° dithers: the demo set) and
 * `small` (2 detectors of 512², 2 visits, 18″ dithers: for tests, seconds). The full preset's
 * star density, 32000 per square degree, gives a 2048² detector (0.013 deg²) the 30–50 PSF stars
 * an LSST 4k detector (0.05 deg²) has at high galactic latitude; with the truth catalog's 8000 a
 * detector has 3–11, too few for a PSF model that varies over the detector.
 */
export const SIMULATION_PRESETS: Readonly<Record<'full' | 'small', SimulationPreset>> = Object.freeze({
  full: { detectorSize: SIMCAM_DETECTOR_SIZE, visits: 6, detectors: [0, 1, 2, 3], ditherDeg: 0.1, fieldRadiusDeg: 0.25, starDensity: 32000 },
  small: { detectorSize: 512, visits: 2, detectors: [0, 1], ditherDeg: 0.005, fieldRadiusDeg: 0.06, starDensity: 8000 },
});

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Output directory (created). */
  readonly out: string;
  /** The seed (1 by default). */
  readonly seed?: number;
  /** Size preset (`'full'` by default). */
  readonly size?: 'full' | 'small';
  /** Number of visits (from the preset by default). */
  readonly visits?: number;
  /** Bands, visits split between them in blocks (r, i by default). */
  readonly bands?: readonly string[];
  /** Detector ids (from the preset by default). */
  readonly detectors?: readonly number[];
  /** Field centre (RA 150°, Dec 2.2° by default). */
  readonly center?: SpherePoint;
  /** Refcat magnitude limit in r (22 by default). */
  readonly refcatMagLimit?: number;
  /** Stars per square degree with 16 < r < 25 (from the preset by default). */
  readonly starDensity?: number;
  /** Number of raw calibration exposures of each kind (bias, dark, flat per band) to write (0 by default). */
  readonly calibRaws?: number;
  /** Called with a line of text as each file is written. */
  readonly onProgress?: (message: string) => void;
}

/** One (visit, detector) in the truth files. */
export interface ExposureTruth {
  /** Exposure (= visit) id. */
  readonly exposureId: number;
  /** Detector id. */
  readonly detector: number;
  /** Detector name. */
  readonly detectorName: string;
  /** Band. */
  readonly band: string;
  /** Physical filter. */
  readonly physicalFilter: string;
  /** Start, MJD TAI. */
  readonly mjdTai: number;
  /** Exposure time, s. */
  readonly exposureTime: number;
  /** Boresight RA, degrees. */
  readonly boresightRaDeg: number;
  /** Boresight Dec, degrees. */
  readonly boresightDecDeg: number;
  /** Rotation (ROTPA), degrees. */
  readonly rotPADeg: number;
  /** Airmass. */
  readonly airmass: number;
  /** Seeing FWHM at the field centre, arcsec. */
  readonly seeingFwhmArcsec: number;
  /** Electrons per nJy for unit response. */
  readonly electronsPerNanojansky: number;
  /** Sky at the detector centre, electrons per pixel for unit response. */
  readonly skyElectronsPerPixel: number;
  /** The true PhotoCalib of the ISR-processed image. */
  readonly photoCalib: {
    /** nJy per ADU. */
    readonly calibrationMean: number;
    /** AB magnitude of 1 ADU: 31.4 − 2.5·log10(calibrationMean). */
    readonly zeroPointAdu: number;
  };
  /** The true WCS. */
  readonly wcs: {
    /** The TAN-SIP FITS header, card images. */
    readonly fitsHeader: readonly string[];
    /** Largest |SIP − model| on the detector, mas. */
    readonly sipResidualMas: number;
    /** Largest error of the fitted reverse (AP/BP) polynomials, pixels. */
    readonly sipReverseResidualPixels: number;
  };
  /** The PSF at the detector centre (double Gaussian, pixels). */
  readonly psf: {
    /** Core sigma, pixels. */
    readonly sigmaCore: number;
    /** Wing sigma, pixels. */
    readonly sigmaWing: number;
    /** Wing flux fraction. */
    readonly wingFraction: number;
    /** e1 (pixel axes). */
    readonly e1: number;
    /** e2. */
    readonly e2: number;
    /** FWHM, pixels. */
    readonly fwhmPixels: number;
  };
  /** Sources with their true centre on the detector. */
  readonly nSources: number;
  /** Cosmic rays added. */
  readonly nCosmicRays: number;
  /** The raw file, relative to the output directory. */
  readonly raw: string;
  /** The per-exposure source truth (Parquet), relative to the output directory. */
  readonly sources: string;
}

/** What {@link simulate} wrote (also written as `manifest.json`). */
export interface SimulationManifest {
  /** The instrument. */
  readonly instrument: string;
  /** The seed. */
  readonly seed: number;
  /** The size preset. */
  readonly size: 'full' | 'small';
  /** Detector ids. */
  readonly detectors: readonly number[];
  /** Exposure ids. */
  readonly exposures: readonly number[];
  /** Raw files, relative paths. */
  readonly raws: readonly string[];
  /** Master calibrations and defects, relative paths. */
  readonly calibs: readonly string[];
  /** Raw calibration exposures, relative paths. */
  readonly calibRaws: readonly string[];
  /** Truth files, relative paths. */
  readonly truth: readonly string[];
  /** Refcat directory and shard count. */
  readonly refcat: {
    /** Directory of the shards, relative. */
    readonly directory: string;
    /** Number of shards. */
    readonly shards: number;
    /** Number of reference objects. */
    readonly count: number;
  };
  /** Number of truth sources. */
  readonly truthSources: number;
}

/** The reference dataset name of SimCam's refcat. */
export const SIMCAM_REFCAT_NAME = 'sim_refcat';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * The observation header content of a science visit on a detector.
 *
 * @param visit - the visit
 * @returns the raw observation
 */
export function visitObservation(visit: VisitPlan): RawObservation {
  return {
    obsType: 'science',
    object: 'SIMFIELD',
    dayObs: visit.dayObs,
    seqNum: visit.seqNum,
    mjdTai: visit.mjdTai,
    exposureTime: visit.exposureTime,
    darkTime: visit.darkTime,
    physicalFilter: visit.physicalFilter,
    raDeg: visit.pointing.boresight.getLongitude().asDegrees(),
    decDeg: visit.pointing.boresight.getLatitude().asDegrees(),
    rotPADeg: visit.pointing.rotPA.asDegrees(),
    airmass: visit.airmass,
    altitudeDeg: visit.altitudeDeg,
    azimuthDeg: visit.azimuthDeg,
  };
}

/**
 * Writes the per-exposure source truth as Parquet: `id`, `x`, `y` (true pixel position), `type`,
 * `is_star`, `flux` (nJy in the visit's band), `electrons`, `instFlux` (ADU in the ISR-processed
 * image), `snr` (expected optimal S/N), `saturated`.
 *
 * @param path - the file
 * @param sim - the exposure
 * @returns when written
 */
export async function writeExposureSourceTruth(path: string, sim: ExposureSimulation): Promise<void> {
  const schema = new Schema([
    { name: 'id', type: 'L', doc: 'truth id' },
    { name: 'x', type: 'D', doc: 'true pixel x (PARENT, 0 = centre of first pixel)', units: 'pixel' },
    { name: 'y', type: 'D', doc: 'true pixel y', units: 'pixel' },
    { name: 'type', type: 'String', size: 8, doc: "'star', 'exp' or 'dev'" },
    { name: 'is_star', type: 'Flag', doc: 'point source' },
    { name: 'flux', type: 'D', doc: 'true flux in the band of the exposure', units: 'nJy' },
    { name: 'electrons', type: 'D', doc: 'expected electrons collected', units: 'electron' },
    { name: 'instFlux', type: 'D', doc: 'expected flux in the ISR-processed image', units: 'adu' },
    { name: 'snr', type: 'D', doc: 'expected matched-filter signal-to-noise ratio' },
    { name: 'saturated', type: 'Flag', doc: 'peak above the full well' },
  ]);
  const s = sim.sources;
  const cat = new BaseCatalog(schema, { length: s.length });
  cat.setColumn('id', s.map((r) => BigInt(r.id)));
  cat.setColumn('x', s.map((r) => r.x));
  cat.setColumn('y', s.map((r) => r.y));
  cat.setColumn('type', s.map((r) => r.type));
  cat.setColumn('is_star', s.map((r) => r.type === 'star'));
  cat.setColumn('flux', s.map((r) => r.fluxNjy));
  cat.setColumn('electrons', s.map((r) => r.electrons));
  cat.setColumn('instFlux', s.map((r) => r.instFlux));
  cat.setColumn('snr', s.map((r) => r.snr));
  cat.setColumn('saturated', s.map((r) => r.saturated));
  await writeParquet(path, catalogToArrow(cat));
}

/**
 * Runs a simulation and writes everything under `out`:
 *
 * - `raw/SimCam_raw_<expId>_det<NN>.fits`: the raws (the contract's layout);
 * - `calib/{bias,dark}/SimCam_<kind>_det<NN>.fits`, `calib/flat/SimCam_flat_<filter>_det<NN>.fits`:
 *   noise-free master calibrations (afw Exposure FITS, trimmed and assembled, ADU);
 *   `calib/defects/SimCam_defects_det<NN>.json`;
 * - `calib-raw/...`: raw bias/dark/flat exposures when `calibRaws > 0`;
 * - `truth/truth_catalog.parquet`, `truth/sources/SimCam_truth_<expId>_det<NN>.parquet`,
 *   `truth/exposures.json` (WCS, PhotoCalib, PSF per exposure and detector),
 *   `truth/detectors.json` (amplifier bias levels, gains, read noise, bad columns, QE);
 * - `refcats/sim_refcat/<htm7>.fits` (+ `config.py`, `master_schema.fits`),
 *   `refcats/filename_to_htm.ecsv`;
 * - `manifest.json`.
 *
 * @param options - see {@link SimulateOptions}
 * @returns the manifest
 * @throws {@link ObsSimInvalidArgumentError} for bad options
 * @throws {@link ObsSimIoError} when a file cannot be written
 * @example
 * ```ts
 * const manifest = await simulate({ out: 'sim', size: 'small', seed: 7 });
 * manifest.raws.length; // 4
 * ```
 */
export async function simulate(options: SimulateOptions): Promise<SimulationManifest> {
  const size = options.size ?? 'full';
  const preset = SIMULATION_PRESETS[size];
  if (preset === undefined) throw new ObsSimInvalidArgumentError(`Unknown size preset '${String(size)}'; expected 'full' or 'small'.`);
  const seed = options.seed ?? 1;
  const progress = options.onProgress ?? ((): void => undefined);
  const out = options.out;
  const detectors = makeSimCamDetectors({ size: preset.detectorSize, ids: options.detectors ?? preset.detectors });
  const bands = options.bands ?? ['r', 'i'];
  const visits = planVisits({ seed, visits: options.visits ?? preset.visits, bands, ditherDeg: preset.ditherDeg, ...(options.center !== undefined && { center: options.center }) });
  const truth = makeTruthCatalog({ seed, radiusDeg: preset.fieldRadiusDeg, starDensity: options.starDensity ?? preset.starDensity, ...(options.center !== undefined && { center: options.center }) });
  const dirs = ['raw', 'calib/bias', 'calib/dark', 'calib/flat', 'calib/defects', 'truth/sources', 'refcats'];
  if ((options.calibRaws ?? 0) > 0) dirs.push('calib-raw');
  try {
    for (const d of dirs) await mkdir(join(out, d), { recursive: true });
  } catch (cause) {
    throw new ObsSimIoError(`Could not create the output directories under '${out}'.`, { cause });
  }
  const raws: string[] = [];
  const calibs: string[] = [];
  const calibRaws: string[] = [];
  const truthFiles: string[] = [];
  const exposures: ExposureTruth[] = [];
  const detectorTruth: unknown[] = [];
  for (const detector of detectors) {
    const id = detector.getId();
    const sig = makeDetectorSignature(detector, seed);
    detectorTruth.push({
      detector: id,
      detectorName: detector.getName(),
      qe: sig.qe,
      amplifiers: sig.amps.map((a) => ({ name: a.name, gain: a.gain, readNoise: a.readNoise, readNoiseAdu: a.readNoise / a.gain, biasLevel: a.biasLevel, rowNoise: a.rowNoise, x0: a.x0, x1: a.x1 })),
      badColumns: sig.badColumns,
      darkCurrentBase: 0.003,
      pixelResponseRms: 0.006,
    });
    const masters: [string, () => Promise<void>][] = [
      [`calib/bias/SimCam_bias_det${pad2(id)}.fits`, (): Promise<void> => writeMaster(join(out, `calib/bias/SimCam_bias_det${pad2(id)}.fits`), makeMasterBias(sig))],
      [`calib/dark/SimCam_dark_det${pad2(id)}.fits`, (): Promise<void> => writeMaster(join(out, `calib/dark/SimCam_dark_det${pad2(id)}.fits`), makeMasterDark(sig))],
      ...SIMCAM_BANDS.map((b): [string, () => Promise<void>] => [`calib/flat/SimCam_flat_SimCam-${b}_det${pad2(id)}.fits`, (): Promise<void> => writeMaster(join(out, `calib/flat/SimCam_flat_SimCam-${b}_det${pad2(id)}.fits`), makeMasterFlat(sig, b))]),
      [`calib/defects/SimCam_defects_det${pad2(id)}.json`, (): Promise<void> => writeDefects(join(out, `calib/defects/SimCam_defects_det${pad2(id)}.json`), sig)],
    ];
    for (const [rel, write] of masters) {
      await write();
      calibs.push(rel);
      progress(`wrote ${rel}`);
    }
    const nCalib = options.calibRaws ?? 0;
    if (nCalib > 0) {
      const dayObs = visits[0]!.dayObs - 1;
      let seq = 1;
      const specs = [
        ...Array.from({ length: nCalib }, () => ({ obsType: 'bias' as const })),
        ...Array.from({ length: nCalib }, () => ({ obsType: 'dark' as const })),
        ...bands.flatMap((band) => Array.from({ length: nCalib }, () => ({ obsType: 'flat' as const, band }))),
      ];
      for (const s of specs) {
        const seqNum = seq++;
        const expId = dayObs * 100000 + seqNum;
        const rel = `calib-raw/SimCam_${s.obsType}_${expId}_det${pad2(id)}.fits`;
        await writeCalibrationRaw(join(out, rel), sig, { ...s, dayObs, seqNum, mjdTai: visits[0]!.mjdTai - 1 + seqNum / 1440 }, seed);
        calibRaws.push(rel);
        progress(`wrote ${rel}`);
      }
    }
    for (const visit of visits) {
      const sim = simulateExposure(sig, visit, truth, seed);
      const rawRel = `raw/SimCam_raw_${visit.exposureId}_det${pad2(id)}.fits`;
      await writeRawFits(join(out, rawRel), visitObservation(visit), detector, sim.raw, sim.rawWidth, sim.rawHeight);
      raws.push(rawRel);
      const srcRel = `truth/sources/SimCam_truth_${visit.exposureId}_det${pad2(id)}.parquet`;
      await writeExposureSourceTruth(join(out, srcRel), sim);
      truthFiles.push(srcRel);
      exposures.push(exposureTruth(sim, rawRel, srcRel));
      progress(`wrote ${rawRel} (${sim.sources.length} sources, ${sim.cosmicRays.length} cosmic rays)`);
    }
  }
  exposures.sort((a, b) => a.exposureId - b.exposureId || a.detector - b.detector);
  raws.sort();
  await writeTruthCatalog(join(out, 'truth/truth_catalog.parquet'), truth);
  truthFiles.unshift('truth/truth_catalog.parquet');
  const writeJson = async (rel: string, value: unknown): Promise<void> => {
    try {
      await writeFile(join(out, rel), `${JSON.stringify(value, null, 2)}\n`);
    } catch (cause) {
      throw new ObsSimIoError(`Could not write '${join(out, rel)}'.`, { cause });
    }
  };
  await writeJson('truth/exposures.json', exposures);
  await writeJson('truth/detectors.json', detectorTruth);
  truthFiles.push('truth/exposures.json', 'truth/detectors.json');
  progress('wrote truth/truth_catalog.parquet, truth/exposures.json, truth/detectors.json');
  const refcat = await writeShardedRefcat(join(out, 'refcats'), SIMCAM_REFCAT_NAME, makeRefcat(truth, { seed, ...(options.refcatMagLimit !== undefined && { magLimit: options.refcatMagLimit }) }));
  progress(`wrote refcats/${SIMCAM_REFCAT_NAME}: ${refcat.count} stars in ${refcat.shards.length} HTM7 shards`);
  const manifest: SimulationManifest = {
    instrument: SIMCAM_NAME,
    seed,
    size,
    detectors: detectors.map((d) => d.getId()),
    exposures: visits.map((v) => v.exposureId),
    raws,
    calibs,
    calibRaws,
    truth: truthFiles,
    refcat: { directory: `refcats/${SIMCAM_REFCAT_NAME}`, shards: refcat.shards.length, count: refcat.count },
    truthSources: truth.id.length,
  };
  await writeJson('manifest.json', manifest);
  return manifest;
}

/**
 * The truth record of one simulated exposure.
 *
 * @param sim - the exposure
 * @param raw - the raw file, relative
 * @param sources - the source truth file, relative
 * @returns the record
 */
export function exposureTruth(sim: ExposureSimulation, raw: string, sources: string): ExposureTruth {
  const v = sim.visit;
  return {
    exposureId: v.exposureId,
    detector: sim.detector.getId(),
    detectorName: sim.detector.getName(),
    band: v.band,
    physicalFilter: v.physicalFilter,
    mjdTai: v.mjdTai,
    exposureTime: v.exposureTime,
    boresightRaDeg: v.pointing.boresight.getLongitude().asDegrees(),
    boresightDecDeg: v.pointing.boresight.getLatitude().asDegrees(),
    rotPADeg: v.pointing.rotPA.asDegrees(),
    airmass: v.airmass,
    seeingFwhmArcsec: v.seeingFwhmArcsec,
    electronsPerNanojansky: v.electronsPerNanojansky,
    skyElectronsPerPixel: sim.skyElectrons,
    photoCalib: { calibrationMean: sim.photoCalibMean, zeroPointAdu: AB_NJY_ZERO_POINT - 2.5 * Math.log10(sim.photoCalibMean) },
    wcs: { fitsHeader: sim.wcs.sipWcs.getFitsMetadata(true).toImages(), sipResidualMas: sim.wcs.sipResidualMas, sipReverseResidualPixels: sim.wcs.sipReverseResidualPixels },
    psf: { ...sim.psfAtCenter },
    nSources: sim.sources.length,
    nCosmicRays: sim.cosmicRays.length,
    raw,
    sources,
  };
}
