// Master calibrations (bias, dark, flat, defects) from the detector truth, and raw calibration
// exposures for testing calibration construction.
import { writeFile } from 'node:fs/promises';
import { Exposure, ExposureInfo, VisitInfo, type ExposureF, writeExposureFits } from '@skystack/afw-image';
import { Header } from '@skystack/fits';
import { rawExtent, SIMCAM_NAME, simCamFilterLabel } from './camera.js';
import { ampForColumn, type DetectorSignature, responseImage } from './detector-signature.js';
import { ObsSimIoError } from './errors.js';
import { Random } from '@skystack/base';
import { type ObsType, type RawObservation, writeRawFits } from './raw-file.js';
import { localSiderealTimeDeg, SIMCAM_OBSERVATORY } from './visits.js';

/** The calibration products SimCam makes. */
export type MasterKind = 'bias' | 'dark' | 'flat';

function masterExposure(sig: DetectorSignature, kind: MasterKind, pixels: Float32Array, band?: string): ExposureF {
  const exp = Exposure.make('float32', sig.detector.getBBox()) as ExposureF;
  exp.getMaskedImage().getImage().array.data.set(pixels);
  const md = new Header();
  md.set('INSTRUME', SIMCAM_NAME);
  md.set('OBSTYPE', kind);
  md.set('DETECTOR', sig.detector.getId());
  md.set('DETNAME', sig.detector.getName());
  md.set('CALIB_ID', `detector=${sig.detector.getId()}${band === undefined ? '' : ` physical_filter=SimCam-${band}`}`);
  md.set('BUNIT', kind === 'dark' ? 'adu/s' : kind === 'bias' ? 'adu' : '');
  md.set('SIMTRUTH', true, 'noise-free master made from the simulation truth');
  const info = new ExposureInfo(md);
  info.setDetector(sig.detector);
  if (band !== undefined) info.setFilter(simCamFilterLabel(band));
  // A dark is per second of dark time, as cp_pipe normalises it: ISR scales it by the raw's dark time.
  if (kind === 'dark') info.setVisitInfo(new VisitInfo({ exposureTime: 1, darkTime: 1 }));
  return new Exposure(exp.getMaskedImage(), info) as ExposureF;
}

/**
 * The master bias of a detector in the trimmed, assembled geometry ISR produces: the fixed bias
 * structure above the overscan level, ADU (noise-free: the truth the raws were made with).
 *
 * @param sig - the detector signature
 * @returns the master bias
 * @see lsst.cp.pipe.CalibCombineTask
 */
export function makeMasterBias(sig: DetectorSignature): ExposureF {
  return masterExposure(sig, 'bias', Float32Array.from(sig.biasStructure));
}

/**
 * The master dark: dark current per second, in ADU/s (electrons/s divided by the amplifier gain;
 * SimCam's ISR convention keeps images in ADU and lets the flat absorb gain differences).
 *
 * @param sig - the detector signature
 * @returns the master dark
 */
export function makeMasterDark(sig: DetectorSignature): ExposureF {
  const out = new Float32Array(sig.width * sig.height);
  for (let y = 0; y < sig.height; y++) {
    for (let x = 0; x < sig.width; x++) out[y * sig.width + x] = sig.darkCurrent[y * sig.width + x]! / ampForColumn(sig, x).gain;
  }
  return masterExposure(sig, 'dark', out);
}

/**
 * The master flat of a physical filter: response / gain, normalised to a mean of 1 over the
 * detector (so that dividing an ADU image by it removes the response and the gain differences
 * between amplifiers; the true PhotoCalib of the result is `1 / (electronsPerNanojansky ·
 * mean(R/g))`).
 *
 * @param sig - the detector signature
 * @param band - the band of the physical filter
 * @returns the master flat
 */
export function makeMasterFlat(sig: DetectorSignature, band: string): ExposureF {
  const r = responseImage(sig, band);
  const out = new Float32Array(sig.width * sig.height);
  let sum = 0;
  for (let y = 0; y < sig.height; y++) {
    for (let x = 0; x < sig.width; x++) {
      const i = y * sig.width + x;
      const v = r[i]! / ampForColumn(sig, x).gain;
      out[i] = v;
      sum += v;
    }
  }
  const mean = sum / out.length;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / mean;
  return masterExposure(sig, 'flat', out, band);
}

/** One defect box, in assembled detector pixels. */
export interface DefectBox {
  /** First column. */
  readonly x0: number;
  /** First row. */
  readonly y0: number;
  /** Width, pixels. */
  readonly width: number;
  /** Height, pixels. */
  readonly height: number;
  /** What is wrong: `'dead'`, `'low'` or `'hot'`. */
  readonly kind: string;
}

/** The defects of a detector, as SimCam writes them. */
export interface DefectsDocument {
  /** Detector id. */
  readonly detector: number;
  /** Detector name. */
  readonly detectorName: string;
  /** The boxes. */
  readonly defects: readonly DefectBox[];
}

/**
 * The defects of a detector as boxes (the bad columns), in the JSON SimCam writes:
 * `{ detector, detectorName, defects: [{ x0, y0, width, height, kind }] }`.
 *
 * LSST stores defects as an `lsst.ip.isr.Defects` calibration: a table with columns `x0`, `y0`,
 * `x_extent`, `y_extent` (one row per box), in FITS or ECSV with calibration metadata (`OBSTYPE =
 * 'defects'`, `DETECTOR`, ...). The boxes here map to those rows one to one.
 *
 * @param sig - the detector signature
 * @returns the defects document
 * @see lsst.ip.isr.Defects
 */
export function makeDefects(sig: DetectorSignature): DefectsDocument {
  return {
    detector: sig.detector.getId(),
    detectorName: sig.detector.getName(),
    defects: sig.badColumns.map((c) => ({ x0: c.x, y0: c.y0, width: 1, height: c.y1 - c.y0 + 1, kind: c.kind })),
  };
}

/**
 * Writes a master calibration as an afw Exposure FITS file.
 *
 * @param path - the file
 * @param exposure - the master
 * @returns when written
 */
export async function writeMaster(path: string, exposure: ExposureF): Promise<void> {
  await writeExposureFits(path, exposure.getMaskedImage(), exposure.getInfo());
}

/**
 * Writes the defects of a detector as JSON (see {@link makeDefects}).
 *
 * @param path - the file
 * @param sig - the detector signature
 * @returns when written
 * @throws {@link ObsSimIoError} when the file cannot be written
 */
export async function writeDefects(path: string, sig: DetectorSignature): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify(makeDefects(sig), null, 2)}\n`);
  } catch (cause) {
    throw new ObsSimIoError(`Could not write the defects file '${path}'.`, { cause });
  }
}

/** A raw calibration exposure to simulate. */
export interface CalibrationRawSpec {
  /** `'bias'`, `'dark'` or `'flat'`. */
  readonly obsType: Exclude<ObsType, 'science'>;
  /** Sequence number (the exposure id follows). */
  readonly seqNum: number;
  /** Observing day. */
  readonly dayObs: number;
  /** Start, MJD TAI. */
  readonly mjdTai: number;
  /** Exposure time, s (0 for a bias; 300 for a dark, 5 for a flat by default). */
  readonly exposureTime?: number;
  /** The band of a flat (r by default); biases and darks keep the filter in place. */
  readonly band?: string;
  /** Flat level, electrons per pixel for unit response (20000 by default). */
  readonly flatElectrons?: number;
}

/** The pixels of a raw calibration exposure. */
export interface CalibrationRaw {
  /** Raw pixels, ADU, in the raw layout. */
  readonly raw: Uint16Array;
  /** Raw width. */
  readonly width: number;
  /** Raw height. */
  readonly height: number;
  /** Exposure time, s. */
  readonly exposureTime: number;
}

/**
 * Simulates the raw pixels of a calibration exposure of a detector (bias: bias and read noise;
 * dark: plus dark current and cosmic rays; flat: plus uniform illumination × response), read out
 * as the science raws are.
 *
 * @param sig - the detector signature
 * @param spec - what to take
 * @param seed - the simulation seed
 * @returns the raw pixels and their extent
 */
export function simulateCalibrationRaw(sig: DetectorSignature, spec: CalibrationRawSpec, seed: number): CalibrationRaw {
  const exposureTime = spec.exposureTime ?? (spec.obsType === 'bias' ? 0 : spec.obsType === 'dark' ? 300 : 5);
  const rng = Random.fromKey(seed, 'calib', spec.dayObs, spec.seqNum, 'detector', sig.detector.getId());
  const { width, height } = sig;
  const response = spec.obsType === 'flat' ? responseImage(sig, spec.band ?? 'r') : undefined;
  const level = spec.flatElectrons ?? 20000;
  const e = new Float64Array(width * height);
  const darkTime = exposureTime + (spec.obsType === 'bias' ? 0 : 1);
  for (let i = 0; i < e.length; i++) {
    const mean = sig.darkCurrent[i]! * darkTime + (response === undefined ? 0 : response[i]! * level);
    e[i] = rng.poisson(mean);
  }
  if (spec.obsType === 'dark') {
    const count = rng.poisson((300 * width * height * darkTime) / (2048 * 2048 * 31));
    for (let c = 0; c < count; c++) {
      const x = Math.floor(rng.uniformRange(0, width));
      const y = Math.floor(rng.uniformRange(0, height));
      e[y * width + x] = e[y * width + x]! + 500 * 10 ** rng.uniformRange(0, 1.6);
    }
  }
  const ext = rawExtent(sig.detector);
  const raw = new Uint16Array(ext.getX() * ext.getY());
  sig.detector.getAmplifiers().forEach((amp, a) => {
    const s = sig.amps[a]!;
    const rnAdu = s.readNoise / s.gain;
    for (let y = 0; y < height; y++) {
      const base = s.biasLevel + rng.normal(0, s.rowNoise);
      for (let rx = amp.rawBBox.getMinX(); rx <= amp.rawBBox.getMaxX(); rx++) {
        let v = base + rng.normal(0, rnAdu);
        if (amp.rawDataBBox.contains(rx, y)) {
          const i = y * width + amp.bbox.getMinX() + (rx - amp.rawDataBBox.getMinX());
          v += sig.biasStructure[i]! + e[i]! / s.gain;
        }
        raw[y * ext.getX() + rx] = Math.min(65535, Math.max(0, Math.round(v)));
      }
    }
  });
  return { raw, width: ext.getX(), height: ext.getY(), exposureTime };
}

/**
 * Simulates and writes a raw calibration exposure of a detector (OBSTYPE bias/dark/flat).
 *
 * @param path - the file
 * @param sig - the detector signature
 * @param spec - what to take
 * @param seed - the simulation seed
 * @returns when written
 */
export async function writeCalibrationRaw(path: string, sig: DetectorSignature, spec: CalibrationRawSpec, seed: number): Promise<void> {
  const { raw, width, height, exposureTime } = simulateCalibrationRaw(sig, spec, seed);
  const obs: RawObservation = {
    obsType: spec.obsType,
    object: '',
    dayObs: spec.dayObs,
    seqNum: spec.seqNum,
    mjdTai: spec.mjdTai,
    exposureTime,
    darkTime: spec.obsType === 'bias' ? 0 : exposureTime + 1,
    physicalFilter: `SimCam-${spec.band ?? 'r'}`,
    // Calibrations are taken at zenith: RA = local sidereal time, Dec = the site latitude.
    raDeg: localSiderealTimeDeg(spec.mjdTai),
    decDeg: SIMCAM_OBSERVATORY.latitudeDeg,
    rotPADeg: 0,
    airmass: 1,
    altitudeDeg: 90,
    azimuthDeg: 0,
    scienceProgram: 'SimCalib',
  };
  await writeRawFits(path, obs, sig.detector, raw, width, height);
}
