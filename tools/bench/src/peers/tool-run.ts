// What every detection + measurement runner takes and gives back, so that the tools are run at
// the same settings and scored the same way.
import type { Detection } from './score.js';
import { gaussianKernel, type StarField } from './star-field.js';

/** The settings every tool runs with (one set for all, from the simulated field). */
export interface DetectionBenchSettings {
  /** Detection threshold, in units of the background noise of the (matched-)filtered image. */
  readonly thresholdSigma: number;
  /** Fewest connected pixels above threshold for a detection. */
  readonly minArea: number;
  /** Background mesh (bin) size, pixels. */
  readonly meshSize: number;
  /** Radius of the circular aperture, pixels (SExtractor's PHOT_APERTURES is the diameter). */
  readonly apertureRadius: number;
  /** Gaussian σ of the PSF, pixels: the matched filter and SkyStack's PSF. */
  readonly psfSigma: number;
  /** The matched-filter kernel (normalised Gaussian of `psfSigma`), rows of equal length. */
  readonly kernel: readonly (readonly number[])[];
  /** Gain, electrons per count (for the tools' error estimates). */
  readonly gain: number;
  /** Read noise, electrons (for SkyStack's variance plane). */
  readonly readNoise: number;
  /**
   * The noise of an empty sky pixel from the image's noise model, counts: √(sky/g + rn²/g²), what
   * SkyStack's variance plane holds on the sky (the peers' `matched` thresholds are in its units).
   */
  readonly skyNoise: number;
}

/** What a runner measured: the catalog of its last run and the timings of every run. */
export interface ToolRun {
  /** The tool, e.g. `SExtractor 2.25`. */
  readonly tool: string;
  /** The catalog (positions with (0, 0) the centre of the first pixel). */
  readonly detections: readonly Detection[];
  /**
   * Wall time of each run from reading the FITS file to having the catalog, milliseconds; for
   * SExtractor and SEP the whole child process (start-up, imports, reading, work, writing).
   */
  readonly totalMs: readonly number[];
  /** Wall time of the in-memory work only (background, detection, measurement) of each run, ms; empty when the tool does not separate it. */
  readonly workMs: readonly number[];
  /**
   * Threads that do the work: SExtractor runs with NTHREADS 1, SEP's C library is
   * single-threaded, SkyStack runs every step on the calling JavaScript thread.
   */
  readonly threads: number;
  /**
   * CPU time of the process during the in-memory work of each run, ms (all its threads: for
   * SkyStack that includes V8's garbage-collector helper threads); empty when not measured.
   */
  readonly workCpuMs?: readonly number[];
}

/** A tool that could not be run, and why. */
export interface ToolUnavailable {
  /** The tool. */
  readonly tool: string;
  /** Why it was skipped, with the install hint. */
  readonly unavailable: string;
}

/**
 * The settings of the comparison for a simulated field: 5σ, 5 pixels, 128-pixel meshes, a
 * 6-pixel aperture radius and a Gaussian matched filter of the field's PSF.
 *
 * @param field - the simulated field (PSF σ, gain, read noise)
 * @returns the settings
 * @example
 * ```ts
 * const settings = settingsForField(simulateStarField({ width: 1024, height: 1024, nStars: 190, seed: 1 }));
 * ```
 */
export function settingsForField(field: Pick<StarField, 'psfSigma' | 'gain' | 'readNoise' | 'skyNoise'>): DetectionBenchSettings {
  return {
    thresholdSigma: 5,
    minArea: 5,
    meshSize: 128,
    apertureRadius: 6,
    psfSigma: field.psfSigma,
    kernel: gaussianKernel(field.psfSigma).rows,
    gain: field.gain,
    readNoise: field.readNoise,
    skyNoise: field.skyNoise,
  };
}

/**
 * How the peers' threshold is set. `nominal` passes `thresholdSigma` as SExtractor's
 * DETECT_THRESH / SEP's `thresh`, in units of the tool's own estimate of the unfiltered
 * background rms, applied to the filtered image: with a normalised Gaussian kernel of σ ≈ 1.5 px
 * that is ≈ 5 × 5.1 = 26σ of the filtered image's noise. `matched` is the significance SkyStack's
 * (LSST's) threshold has: `thresholdSigma` times the filtered image's noise, that is
 * `thresholdSigma · √Σk²` times the noise model's sky noise (`skyNoise`, the noise SkyStack's
 * variance plane holds), as an absolute threshold. Not the tools' own rms: theirs comes from
 * 3σ-clipped histograms and runs ~1.3 % low here (SEP's `globalrms` 31.61 against 32.02), which
 * would put them at 4.94σ.
 */
export type PeerThreshold = 'nominal' | 'matched';

/** A peer's detection threshold: `sigmas` times `noise`. */
export interface PeerThresholdSetting {
  /** The threshold in units of `noise` (for `nominal`, SExtractor's DETECT_THRESH and SEP's `thresh`). */
  readonly sigmas: number;
  /** The noise it is in units of, counts; undefined for the tool's own estimate of the background rms. */
  readonly noise?: number;
}

/**
 * The threshold to give SExtractor and SEP.
 *
 * @param settings - the shared settings
 * @param mode - `nominal` (as given, in the tool's own rms) or `matched` (× √Σk², in units of `skyNoise`)
 * @returns the threshold
 * @example
 * ```ts
 * peerThreshold(settings, 'matched'); // ≈ { sigmas: 0.98, noise: 32.0 } for 5σ, a σ = 1.49 px kernel and sky 1000
 * ```
 */
export function peerThreshold(settings: DetectionBenchSettings, mode: PeerThreshold): PeerThresholdSetting {
  if (mode === 'nominal') return { sigmas: settings.thresholdSigma };
  let sum2 = 0;
  for (const row of settings.kernel) for (const v of row) sum2 += v * v;
  return { sigmas: settings.thresholdSigma * Math.sqrt(sum2), noise: settings.skyNoise };
}
