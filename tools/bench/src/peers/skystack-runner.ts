// SkyStack's own detection + deblending + measurement at the benchmark's settings, in this Node
// process: SubtractBackgroundTask, SourceDetectionTask (@skystack/meas-algorithms),
// SourceDeblendTask (@skystack/meas-deblender; SExtractor and SEP deblend too) and
// SingleFrameMeasurementTask with base_SdssCentroid, base_CircularApertureFlux and base_PsfFlux
// (@skystack/meas-base), on the FITS image every tool reads.
import { Exposure, GaussianPsf } from '@skystack/afw-image';
import { SourceCatalog } from '@skystack/afw-table';
import { FitsFile } from '@skystack/fits';
import { Extent2I } from '@skystack/geom';
import { SourceDetectionConfig, SourceDetectionTask, SubtractBackgroundConfig, SubtractBackgroundTask } from '@skystack/meas-algorithms';
import { apertureFieldPrefix, SingleFrameMeasurementConfig, SingleFrameMeasurementTask, type CircularApertureFluxConfig } from '@skystack/meas-base';
import { SourceDeblendTask } from '@skystack/meas-deblender';
import type { Detection } from './score.js';
import type { DetectionBenchSettings, ToolRun } from './tool-run.js';

/** The measurement plugins the benchmark runs. */
const PLUGINS = ['base_SdssCentroid', 'base_CircularApertureFlux', 'base_PsfFlux'];

/**
 * Detects and measures the sources of a float32 image held in memory, as a calexp-like exposure:
 * variance from the pixels (`max(v, 0)/g + rn²/g²`, as ISR makes it), a Gaussian PSF of the
 * benchmark's σ, background subtracted (bins of `meshSize`), detection at `thresholdSigma` with
 * `minPixels = minArea`, deblending (LSST's SourceDeblendTask defaults), then single-frame
 * measurement with the noise replacer (LSST's default). The catalog returned holds the objects
 * as SExtractor's does: the children of deblended parents and the sources that were not split.
 *
 * @param pixels - the image, row-major (not modified)
 * @param width - width, pixels
 * @param height - height, pixels
 * @param settings - the shared settings
 * @returns the catalog (SdssCentroid positions, flux in the r-pixel aperture; deblended parents left out)
 * @example
 * ```ts
 * const detections = detectAndMeasure(field.data, field.width, field.height, settings);
 * ```
 */
export function detectAndMeasure(pixels: Float32Array, width: number, height: number, settings: DetectionBenchSettings): Detection[] {
  const exposure = Exposure.make('float32', new Extent2I(width, height));
  const image = exposure.image.array.data;
  const variance = exposure.variance.array.data;
  image.set(pixels);
  const g = settings.gain;
  const readVar = (settings.readNoise * settings.readNoise) / (g * g);
  for (let i = 0; i < image.length; i++) variance[i] = Math.max(image[i]!, 0) / g + readVar;
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

/**
 * Runs SkyStack's detection + deblending + measurement on a FITS image `runs` times in this process: each run
 * reads the file with `@skystack/fits` and processes it; the total (read + work) and the work
 * alone are timed. Unlike the peers' totals, no process start-up or module loading is included.
 *
 * @param imagePath - the image (primary HDU, float32)
 * @param settings - the shared settings
 * @param runs - how many runs (≥ 1)
 * @returns the run (catalog of the last run; one thread; the process CPU time of each run's work)
 * @throws Error when the image is not float32, or from the tasks
 * @example
 * ```ts
 * const run = await runSkyStack('field.fits', settings, 3);
 * ```
 */
export async function runSkyStack(imagePath: string, settings: DetectionBenchSettings, runs: number): Promise<ToolRun> {
  const totalMs: number[] = [];
  const workMs: number[] = [];
  const workCpuMs: number[] = [];
  let detections: Detection[] = [];
  for (let i = 0; i < Math.max(1, runs); i++) {
    const t0 = performance.now();
    const fits = await FitsFile.open(imagePath);
    let data: Float32Array;
    let width: number;
    let height: number;
    try {
      const img = await fits.readImage(0);
      if (!(img.data instanceof Float32Array)) throw new Error(`${imagePath}: expected a float32 image, got ${img.data.constructor.name}.`);
      ({ data, width, height } = { data: img.data, width: img.width, height: img.height });
    } finally {
      await fits.close();
    }
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    detections = detectAndMeasure(data, width, height, settings);
    const cpu = process.cpuUsage(cpu0);
    const t2 = performance.now();
    totalMs.push(t2 - t0);
    workMs.push(t2 - t1);
    workCpuMs.push((cpu.user + cpu.system) / 1000);
  }
  return { tool: 'SkyStack (meas-algorithms + meas-deblender + meas-base)', detections, totalMs, workMs, threads: 1, workCpuMs };
}
