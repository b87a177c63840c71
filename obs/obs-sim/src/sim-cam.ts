// SimCam as a Butler instrument (lsst.obs.base.Instrument): its camera with the simulator's
// radial distortion, its filters, header translation, raw formatter and curated calibrations.
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { Defects } from '@skystack/ip-isr';
import { Camera, FilterDefinitionCollection, FitsRawFormatter, Instrument, SkyStackTranslator, type CuratedCalibration } from '@skystack/obs-base';
import { makeSimCamDetectors, SIMCAM_DETECTOR_SIZE, SIMCAM_FILTERS, SIMCAM_NAME } from './camera.js';
import { makeDetectorSignature } from './detector-signature.js';
import { ObsSimInvalidArgumentError } from './errors.js';
import { solveLeastSquares } from './least-squares.js';
import { SIMCAM_DISTORTION, type SimCamDistortion } from './true-wcs.js';

const ARCSEC = Math.PI / (180 * 3600);

/** The module specifier of {@link SimCam} (the `class_name` of its instrument record). */
export const SIMCAM_CLASS_NAME = '@skystack/obs-sim#SimCam';
/** The module specifier of {@link SimCamSmall}. */
export const SIMCAM_SMALL_CLASS_NAME = '@skystack/obs-sim#SimCamSmall';
/** The seed whose detector signatures (bad columns) SimCam's curated defects describe: the simulator's default. */
export const SIMCAM_DEFAULT_SEED = 1;
/** The detector size of the simulator's `small` preset, pixels (the camera of {@link SimCamSmall}). */
export const SIMCAM_SMALL_DETECTOR_SIZE = 512;
/** Largest focal-plane radius over which {@link simCamRadialCoeffs} is fitted, mm (the full focal plane's corner is at 29.3 mm). */
export const SIMCAM_RADIAL_FIT_RADIUS_MM = 35;

/** SimCam's filters as obs-base definitions: `SimCam-g`, `SimCam-r`, `SimCam-i` → bands g, r, i. */
export const SIMCAM_FILTER_DEFINITIONS: FilterDefinitionCollection = new FilterDefinitionCollection(
  SIMCAM_FILTERS.map((f) => ({ physical_filter: f.physical, band: f.band })),
);

/**
 * The afw radial coefficients (field angle → focal plane, in units of the plate scale; see
 * obs-base's `CameraOptions.radialCoeffs`) that reproduce SimCam's distortion. The simulator
 * defines the forward map focal plane → field angle, θ = s·r·(1 + k1·r² + k2·r⁴); its inverse is
 * not a polynomial, so r(θ) = Σ c_i θ^i / s with odd i = 1…11 (c_1 = 1: the central plate scale) is
 * fitted by least squares on 400 radii up to `maxRadiusMm`. The fit reproduces the inverse to
 * better than 10⁻⁹ mm (10⁻⁷ pixel) over that range.
 *
 * @param distortion - the distortion model (default {@link SIMCAM_DISTORTION})
 * @param maxRadiusMm - the largest focal-plane radius to fit (default {@link SIMCAM_RADIAL_FIT_RADIUS_MM})
 * @returns `[0, 1, 0, c3, 0, c5, ..., 0, c11]`
 * @example
 * ```ts
 * const camera = new Camera({ name: 'SimCam', detectors, plateScaleArcsecPerMm: 20, radialCoeffs: simCamRadialCoeffs() });
 * ```
 * @see lsst.afw.cameraGeom.makeRadialTransform
 */
export function simCamRadialCoeffs(distortion: SimCamDistortion = SIMCAM_DISTORTION, maxRadiusMm: number = SIMCAM_RADIAL_FIT_RADIUS_MM): number[] {
  if (!(maxRadiusMm > 0)) throw new ObsSimInvalidArgumentError(`maxRadiusMm must be positive; got ${maxRadiusMm}.`);
  const { k1, k2 } = distortion;
  const s = distortion.plateScaleArcsecPerMm * ARCSEC;
  const forward = (r: number): number => r * (1 + k1 * r * r + k2 * r ** 4); // undistorted radius u = θ/s, mm
  const uMax = forward(maxRadiusMm);
  const powers = [3, 5, 7, 9, 11];
  const n = 400;
  const a = new Float64Array(n * powers.length);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = (maxRadiusMm * (i + 1)) / n;
    const u = forward(r);
    const t = u / uMax;
    powers.forEach((p, j) => (a[i * powers.length + j] = t ** p));
    b[i] = (r - u) / uMax;
  }
  const e = solveLeastSquares(a, b, n, powers.length);
  // r − u = Σ e_p uMax (u/uMax)^p; u = θ/s; r = Σ c_p θ^p / s  ⇒  c_p = e_p · uMax^(1−p) / s^(p−1).
  const coeffs = new Array<number>(powers[powers.length - 1]! + 1).fill(0);
  coeffs[1] = 1;
  powers.forEach((p, j) => (coeffs[p] = (e[j]! * uMax ** (1 - p)) / s ** (p - 1)));
  return coeffs;
}

let radialCoeffsCache: readonly number[] | undefined;

/**
 * The camera of SimCam as obs-base describes cameras: {@link makeSimCamDetectors} (all four
 * detectors) with the plate scale and the radial distortion of the simulator
 * ({@link simCamRadialCoeffs}).
 *
 * @param detectorSize - detector width and height, pixels (2048; 512 for the `small` preset)
 * @returns the camera
 * @example
 * ```ts
 * const camera = makeSimCamCamera();
 * camera.get('S11').id; // 3
 * ```
 * @see lsst.afw.cameraGeom.Camera
 */
export function makeSimCamCamera(detectorSize: number = SIMCAM_DETECTOR_SIZE): Camera {
  radialCoeffsCache ??= Object.freeze(simCamRadialCoeffs());
  return new Camera({
    name: SIMCAM_NAME,
    detectors: makeSimCamDetectors({ size: detectorSize }),
    plateScaleArcsecPerMm: SIMCAM_DISTORTION.plateScaleArcsecPerMm,
    radialCoeffs: radialCoeffsCache,
  });
}

/** Options of the {@link SimCam} constructor. */
export interface SimCamOptions {
  /** Detector size, pixels (default 2048). */
  readonly detectorSize?: number;
  /** The simulation seed whose bad columns the curated defects describe (default {@link SIMCAM_DEFAULT_SEED}). */
  readonly seed?: number;
}

/**
 * SimCam, the simulated mosaic camera of `@skystack/obs-sim`, as a Butler instrument: the
 * camera of {@link makeSimCamCamera}, the filters `SimCam-g/r/i` (bands g, r, i), the default
 * `SkyStackTranslator` of obs-base (SimCam's raws follow SkyStack's raw-file contract),
 * {@link SimCamRawFormatter}, and two curated calibrations: `defects` (the simulator's three bad
 * columns per detector as ip-isr `Defects`, one dataset per detector) and `camera`, both certified
 * into `SimCam/calib` with an unbounded validity range. Collections follow LSST: raws in
 * `SimCam/raw/all`, calibrations in `SimCam/calib`, the umbrella chain `SimCam/defaults`.
 *
 * The registry's `class_name` is `@skystack/obs-sim#SimCam` (the LSST-style name
 * `lsst.obs.sim.SimCam` maps to it by obs-base's convention). The detectors of the simulator's
 * `small` preset are 512 pixels on a side: register {@link SimCamSmall} for those.
 *
 * @example
 * ```ts
 * const butler = await Butler.from(repo, { writeable: true });
 * const simcam = new SimCam();
 * await simcam.register(butler.registry);
 * await simcam.writeCuratedCalibrations(butler);   // SimCam/calib/curated → SimCam/calib
 * ```
 * @see lsst.obs.base.Instrument
 */
export class SimCam extends Instrument {
  /** `SimCam`. */
  readonly name: string = SIMCAM_NAME;
  /** `@skystack/obs-sim#SimCam`. */
  readonly className: string = SIMCAM_CLASS_NAME;
  /** `SimCam-g`, `SimCam-r`, `SimCam-i`. */
  readonly filterDefinitions: FilterDefinitionCollection = SIMCAM_FILTER_DEFINITIONS;
  /** The raw-file contract's translator for `INSTRUME = SimCam`. */
  readonly translator: SkyStackTranslator = new SkyStackTranslator({ instrument: SIMCAM_NAME });
  /** Detector width and height, pixels. */
  readonly detectorSize: number;
  /** The seed of the simulated detector signatures the curated defects describe. */
  readonly seed: number;
  #camera: Camera | undefined;

  /**
   * Makes the instrument (constructible with no arguments, as `Instrument.fromName` needs).
   *
   * @param options - detector size and seed
   */
  constructor(options: SimCamOptions = {}) {
    super();
    this.detectorSize = options.detectorSize ?? SIMCAM_DETECTOR_SIZE;
    this.seed = options.seed ?? SIMCAM_DEFAULT_SEED;
  }

  /**
   * The camera (made once).
   *
   * @returns {@link makeSimCamCamera} of this detector size
   */
  getCamera(): Camera {
    this.#camera ??= makeSimCamCamera(this.detectorSize);
    return this.#camera;
  }

  /**
   * The raw formatter.
   *
   * @returns a {@link SimCamRawFormatter}
   */
  getRawFormatter(): FitsRawFormatter {
    return new SimCamRawFormatter();
  }

  /**
   * `defects` and `camera`.
   *
   * @returns the names
   */
  override getCuratedCalibrationNames(): Set<string> {
    return new Set(['defects', 'camera']);
  }

  /**
   * The defects of every detector (ip-isr `Defects`: one 1-column box per bad column, from the
   * simulator's detector signature of {@link seed}; metadata INSTRUME, DETECTOR, DET_NAME,
   * DET_SER, CALIB_ID) and the camera, all valid forever.
   *
   * @returns the calibrations
   * @see lsst.obs.base.Instrument.writeCuratedCalibrations
   */
  override async makeCuratedCalibrations(): Promise<readonly CuratedCalibration[]> {
    const out: CuratedCalibration[] = [];
    for (const detector of this.getCamera()) {
      out.push({
        datasetTypeName: 'defects',
        dimensions: ['instrument', 'detector'],
        storageClass: 'Defects',
        dataId: { detector: detector.id },
        object: simCamDefects(detector.id, { detectorSize: this.detectorSize, seed: this.seed }),
      });
    }
    out.push({ datasetTypeName: 'camera', dimensions: ['instrument'], storageClass: 'Camera', dataId: {}, object: this.getCamera() });
    return out;
  }
}

/**
 * SimCam with the 512 × 512 detectors of the simulator's `small` preset (class name
 * `@skystack/obs-sim#SimCamSmall`, instrument name `SimCam`), for test repositories.
 *
 * @example
 * ```ts
 * await new SimCamSmall().register(butler.registry);
 * ```
 */
export class SimCamSmall extends SimCam {
  /** `@skystack/obs-sim#SimCamSmall`. */
  override readonly className: string = SIMCAM_SMALL_CLASS_NAME;

  /** Makes the instrument. */
  constructor() {
    super({ detectorSize: SIMCAM_SMALL_DETECTOR_SIZE });
  }

  /**
   * The raw formatter.
   *
   * @returns a {@link SimCamSmallRawFormatter}
   */
  override getRawFormatter(): FitsRawFormatter {
    return new SimCamSmallRawFormatter();
  }
}

/**
 * The raw formatter of {@link SimCam}: obs-base's `FitsRawFormatter` (the raw-file contract),
 * recorded by the datastore as `@skystack/obs-sim#SimCamRawFormatter`.
 *
 * @example
 * ```ts
 * const raw = await butler.get('raw', { instrument: 'SimCam', exposure, detector: 0 }); // read by this formatter
 * ```
 * @see lsst.obs.base.FitsRawFormatterBase
 */
export class SimCamRawFormatter extends FitsRawFormatter {
  /** Makes the formatter. */
  constructor() {
    super(new SimCam(), '@skystack/obs-sim#SimCamRawFormatter');
  }
}

/**
 * The raw formatter of {@link SimCamSmall} (`@skystack/obs-sim#SimCamSmallRawFormatter`).
 *
 * @example
 * ```ts
 * new SimCamSmall().getRawFormatter().name; // '@skystack/obs-sim#SimCamSmallRawFormatter'
 * ```
 */
export class SimCamSmallRawFormatter extends FitsRawFormatter {
  /** Makes the formatter. */
  constructor() {
    super(new SimCamSmall(), '@skystack/obs-sim#SimCamSmallRawFormatter');
  }
}

/**
 * The defects of one SimCam detector as ip-isr `Defects`: the bad columns of the simulator's
 * detector signature (dead, low, hot), one box of width 1 each, in detector pixels.
 *
 * @param detectorId - the detector, 0–3
 * @param options - detector size (default 2048) and seed (default {@link SIMCAM_DEFAULT_SEED})
 * @returns the defects
 * @throws {@link ObsSimInvalidArgumentError} for an unknown detector
 * @example
 * ```ts
 * simCamDefects(0).length; // 3
 * ```
 * @see lsst.ip.isr.Defects
 */
export function simCamDefects(detectorId: number, options: SimCamOptions = {}): Defects {
  const [detector] = makeSimCamDetectors({ size: options.detectorSize ?? SIMCAM_DETECTOR_SIZE, ids: [detectorId] });
  const sig = makeDetectorSignature(detector!, options.seed ?? SIMCAM_DEFAULT_SEED);
  const boxes = sig.badColumns.map((c) => Box2I.fromCorner(new Point2I(c.x, c.y0), new Extent2I(1, c.y1 - c.y0 + 1)));
  return new Defects(boxes, {
    INSTRUME: SIMCAM_NAME,
    DETECTOR: detector!.id,
    DET_NAME: detector!.name,
    DET_SER: detector!.serial,
    CALIB_ID: `detector=${detector!.id} seed=${options.seed ?? SIMCAM_DEFAULT_SEED}`,
  });
}
