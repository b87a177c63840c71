// SkyStack's own detection + deblending + measurement at the benchmark's settings, in this Node
// process: SubtractBackgroundTask, SourceDetectionTask (@skystack/meas-algorithms),
// SourceDeblendTask (@skystack/meas-deblender; SExtractor and SEP deblend too) and
// SingleFrameMeasurementTask with base_SdssCentroid, base_CircularApertureFlux and base_PsfFlux
// (@skystack/meas-base), on the FITS image every tool reads; on the calling thread, or with the
// kernels' pixel loops on a worker-thread backend (@skystack/kernels makeParallelBackend).
import { Exposure, GaussianPsf, Image, Mask, MaskedImage } from '@skystack/afw-image';
import { SourceCatalog } from '@skystack/afw-table';
import { FitsFile } from '@skystack/fits';
import { allocShared, makeParallelBackend, poissonVariance, setDefaultBackend, toShared, type KernelBackend } from '@skystack/kernels';
import { SourceDetectionConfig, SourceDetectionTask, SubtractBackgroundConfig, SubtractBackgroundTask } from '@skystack/meas-algorithms';
import { apertureFieldPrefix, SingleFrameMeasurementConfig, SingleFrameMeasurementTask, type CircularApertureFluxConfig } from '@skystack/meas-base';
import { SourceDeblendTask } from '@skystack/meas-deblender';
import type { Detection } from './score.js';
import type { DetectionBenchSettings, ToolRun } from './tool-run.js';

/** The tool's name in the table. */
const SKYSTACK_TOOL = 'SkyStack (meas-algorithms + meas-deblender + meas-base)';

/** The measurement plugins the benchmark runs. */
const PLUGINS = ['base_SdssCentroid', 'base_CircularApertureFlux', 'base_PsfFlux'];

/**
 * Detects and measures the sources of a float32 image held in memory, as a calexp-like exposure:
 * variance from the pixels (`v/g + (rn/g)²`, as ISR makes it: the kernels' `poissonVariance`), a Gaussian PSF of the
 * benchmark's σ, background subtracted (bins of `meshSize`), detection at `thresholdSigma` with
 * `minPixels = minArea`, deblending (LSST's SourceDeblendTask defaults), then single-frame
 * measurement with the noise replacer (LSST's default). The catalog returned holds the objects
 * as SExtractor's does: the children of deblended parents and the sources that were not split.
 * The exposure's image plane is `pixels` itself (as a calexp read from a file owns its
 * buffer: no copy). With a `backend`, the kernels' operations (convolution, binned background
 * statistics, background images) run on it (it is the default backend during the call) and the
 * exposure's planes are in shared memory (`pixels` itself when it lies there already, else a
 * copy), so that worker threads read them without copies; the catalog is the same as without.
 *
 * @param pixels - the image, row-major (taken over: the background is subtracted from it)
 * @param width - width, pixels
 * @param height - height, pixels
 * @param settings - the shared settings
 * @param backend - the kernel backend (default: the calling thread's kernels)
 * @returns the catalog (SdssCentroid positions, flux in the r-pixel aperture; deblended parents left out)
 * @example
 * ```ts
 * const detections = detectAndMeasure(field.data, field.width, field.height, settings);
 * ```
 */
export function detectAndMeasure(pixels: Float32Array, width: number, height: number, settings: DetectionBenchSettings, backend?: KernelBackend): Detection[] {
  const n = width * height;
  const previous = backend === undefined ? undefined : setDefaultBackend(backend);
  try {
    // (with worker threads, planes in shared memory; pixels already there, as
    // `readImage(…, { shared: true })` gives them, are used as they are)
    const image = new Image(backend === undefined ? pixels : toShared(pixels), width, height);
    const mask = new Mask(backend === undefined ? new Int32Array(n) : allocShared(Int32Array, n), width, height);
    // The mask plane is written (zeros) before anything reads it, as ISR or a FITS reader hands
    // it over: a fresh typed array is unmapped memory, and read first (the background fit does)
    // each page maps the shared zero page and faults again when the detection first writes it
    // (measured on one thread: 10–14 ms + 30–41 ms for a fresh 64 MB plane, against 26–28 ms to
    // write it first). `set` fills on the default backend, so with worker threads they share it.
    mask.set(0);
    const variance = new Image(backend === undefined ? new Float32Array(n) : allocShared(Float32Array, n), width, height);
    return detectAndMeasureOn(new Exposure(new MaskedImage(image, mask, variance)), settings);
  } finally {
    if (backend !== undefined) setDefaultBackend(previous);
  }
}

/** {@link detectAndMeasure} on an exposure holding the image (mask zero). */
function detectAndMeasureOn(exposure: Exposure<Float32Array>, settings: DetectionBenchSettings): Detection[] {
  const { width, height } = exposure.image.array;
  // as ISR makes it (ip-isr's updateVariance is this pass), on the kernels' default backend
  poissonVariance(exposure.image.array.data, exposure.variance.array.data, { width, height, gain: settings.gain, readNoise: settings.readNoise });
  const psfSize = 2 * Math.ceil(5 * settings.psfSigma) + 1;
  exposure.setPsf(new GaussianPsf(psfSize, psfSize, settings.psfSigma));

  const bgConfig = new SubtractBackgroundConfig();
  bgConfig.binSize = settings.meshSize;
  const { background } = new SubtractBackgroundTask({ config: bgConfig }).run(exposure);

  const schema = SourceCatalog.makeMinimalSchema();
  const detConfig = new SourceDetectionConfig();
  detConfig.thresholdValue = settings.thresholdSigma;
  detConfig.minPixels = settings.minArea;
  const detection = new SourceDetectionTask({ schema, config: detConfig });
  const deblend = new SourceDeblendTask({ schema });

  const measConfig = new SingleFrameMeasurementConfig();
  measConfig.plugins.names = [...PLUGINS];
  (measConfig.plugins.get('base_CircularApertureFlux') as CircularApertureFluxConfig).radii = [settings.apertureRadius];
  const apPrefix = apertureFieldPrefix('base_CircularApertureFlux', settings.apertureRadius);
  measConfig.slots.shape = null;
  measConfig.slots.psfShape = null;
  measConfig.slots.modelFlux = null;
  measConfig.slots.gaussianFlux = null;
  measConfig.slots.apFlux = apPrefix;
  measConfig.slots.calibFlux = apPrefix;
  const measurement = new SingleFrameMeasurementTask({ schema, config: measConfig });

  const { sources } = detection.run(schema, exposure, { background });
  deblend.run({ exposure, sources });
  measurement.run(sources, exposure, 1);

  const xs = sources.getColumn('base_SdssCentroid_x') as Float64Array;
  const ys = sources.getColumn('base_SdssCentroid_y') as Float64Array;
  const fluxes = sources.getColumn(`${apPrefix}_instFlux`) as Float64Array;
  const nChild = sources.getColumn('deblend_nChild') as Int32Array;
  const out: Detection[] = [];
  for (let i = 0; i < sources.length; i++) if (nChild[i] === 0) out.push({ x: xs[i]!, y: ys[i]!, apertureFlux: fluxes[i]! });
  return out;
}

/** One run of a {@link SkyStackSession}: its times. */
export interface SkyStackRunTimes {
  /** Read + work, milliseconds. */
  readonly totalMs: number;
  /** The work alone (background, detection, deblending, measurement), milliseconds. */
  readonly workMs: number;
  /** The process's CPU time during the work, milliseconds. */
  readonly workCpuMs: number;
}

/**
 * SkyStack's detection + deblending + measurement of one FITS image, run again and again in this
 * process (as a pipeline process runs image after image): each {@link SkyStackSession.run} reads
 * the file with `@skystack/fits` and processes it, timing the total (read + work) and the work
 * alone. {@link SkyStackSession.finish} gives every run's times and the last run's catalog.
 */
export interface SkyStackSession {
  /** One run (reads the file, detects, deblends, measures). */
  run(): Promise<SkyStackRunTimes>;
  /** The runs so far (catalog of the last) as a {@link ToolRun}; closes the session's worker threads. */
  finish(): Promise<ToolRun>;
}

/**
 * Opens a {@link SkyStackSession}. With `threads` > 1 the kernels run on a parallel backend of
 * that many threads: the calling thread and `threads - 1` worker threads, started here (like the
 * modules, their start-up is not timed) and closed by `finish`.
 *
 * @param imagePath - the image (primary HDU, float32)
 * @param settings - the shared settings
 * @param threads - threads of the kernels' backend (default 1: every step on the calling thread)
 * @returns the session
 * @example
 * ```ts
 * const session = openSkyStack('field.fits', settings, 2);
 * await session.run();
 * const run = await session.finish();
 * ```
 */
export function openSkyStack(imagePath: string, settings: DetectionBenchSettings, threads = 1): SkyStackSession {
  const backend = threads > 1 ? makeParallelBackend({ workers: threads - 1, useCallingThread: true }) : undefined;
  // the thread pool starts before the runs, as the modules are loaded before them
  backend?.start();
  const totalMs: number[] = [];
  const workMs: number[] = [];
  const workCpuMs: number[] = [];
  let detections: Detection[] = [];
  let finished = false;
  return {
    async run(): Promise<SkyStackRunTimes> {
      if (finished) throw new Error('This SkyStack session is finished; open a new one.');
      const t0 = performance.now();
      const { data, width, height } = await readFloat32(imagePath, backend !== undefined);
      const t1 = performance.now();
      const cpu0 = process.cpuUsage();
      detections = detectAndMeasure(data, width, height, settings, backend);
      const cpu = process.cpuUsage(cpu0);
      const t2 = performance.now();
      const times = { totalMs: t2 - t0, workMs: t2 - t1, workCpuMs: (cpu.user + cpu.system) / 1000 };
      totalMs.push(times.totalMs);
      workMs.push(times.workMs);
      workCpuMs.push(times.workCpuMs);
      return times;
    },
    async finish(): Promise<ToolRun> {
      finished = true;
      await backend?.close();
      const tool = backend === undefined ? SKYSTACK_TOOL : `${SKYSTACK_TOOL}, kernels on ${backend.threads} threads`;
      return { tool, detections, totalMs, workMs, threads: backend?.threads ?? 1, workCpuMs };
    },
  };
}

/** Reads the primary HDU as float32 (with worker threads, straight into shared memory, which they read without a copy). */
async function readFloat32(imagePath: string, shared: boolean): Promise<{ data: Float32Array; width: number; height: number }> {
  const fits = await FitsFile.open(imagePath);
  try {
    const img = await fits.readImage(0, { shared });
    if (!(img.data instanceof Float32Array)) throw new Error(`${imagePath}: expected a float32 image, got ${img.data.constructor.name}.`);
    return { data: img.data, width: img.width, height: img.height };
  } finally {
    await fits.close();
  }
}
