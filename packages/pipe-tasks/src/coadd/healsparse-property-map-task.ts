// HealSparsePropertyMapTask: per-tract survey property maps from the coadds' input maps and the
// visit summaries (lsst.pipe.tasks.healSparseMapping.HealSparsePropertyMapTask).
import { Psf, type ExposureCatalog, type ExposureRecord, type PhotoCalib } from '@skystack/afw-image';
import { LonLat } from '@skystack/geom';
import { HealpixPixelization } from '@skystack/geom';
import { HealSparseMap, HealSparsePolygon, andIntersection } from '@skystack/healsparse';
import { ConfigField } from '@skystack/pex-config';
import { DeferredDatasetRef, Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod, type BaseConnection } from '@skystack/pipe-base';
import type { ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, PipelineTaskOptions, QuantizedRef, QuantumContext } from '@skystack/pipe-base';
import type { BaseSkyMap, TractInfo } from '@skystack/skymap';
import type { SkyWcs } from '@skystack/wcs';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import {
  PROPERTY_MAP_NAMES,
  PROPERTY_MAP_OPS,
  PropertyMap,
  PropertyMapsConfig,
  approxPsfFromSummaryStats,
  computeApproxPsfSizeAndShape,
  computeCalibScale,
  propertyMapEnabled,
  type ApproxPsfArrays,
} from './healsparse-property-maps.js';

const PATCH = ['tract', 'patch', 'skymap', 'band'] as const;
const TRACT = ['tract', 'skymap', 'band'] as const;
const OP_DOC = { min: 'Minimum-value', max: 'Maximum-value', mean: 'Mean-value', weighted_mean: 'Weighted mean-value', sum: 'Sum-value' } as const;

function makeConnections(): Record<string, BaseConnection> {
  const c: Record<string, BaseConnection> = {
    input_maps: new Input({ doc: 'Healsparse bit-wise coadd input maps', name: '{coaddName}Coadd_inputMap', storageClass: 'HealSparseMap', dimensions: PATCH, multiple: true, deferLoad: true }),
    coadd_exposures: new Input({ doc: 'Coadded exposures associated with input_maps', name: '{coaddName}Coadd', storageClass: 'ExposureF', dimensions: PATCH, multiple: true, deferLoad: true }),
    visit_summaries: new Input({
      doc: 'Visit summary tables with aggregated statistics',
      name: 'finalVisitSummary',
      storageClass: 'ExposureCatalog',
      dimensions: ['instrument', 'visit'],
      multiple: true,
      deferLoad: true,
    }),
    sky_map: new Input({ doc: 'Input definition of geometry/bbox and projection/wcs for coadded exposures', name: 'skyMap', storageClass: 'SkyMap', dimensions: ['skymap'] }),
  };
  for (const name of PROPERTY_MAP_NAMES) {
    for (const op of PROPERTY_MAP_OPS) {
      c[`${name}_map_${op}`] = new Output({ doc: `${OP_DOC[op]} map of ${name}`, name: `{coaddName}Coadd_${name}_map_${op}`, storageClass: 'HealSparseMap', dimensions: TRACT });
    }
  }
  return c;
}

/**
 * The connections of {@link HealSparsePropertyMapTask}, per `(tract, band, skymap)`: the
 * patches' `{coaddName}Coadd_inputMap` and coadds (deferred; only the coadd's `photoCalib` is
 * read), the `finalVisitSummary` of every visit (deferred) and the sky map in; one
 * `{coaddName}Coadd_{property}_map_{op}` HealSparseMap out per configured property and
 * reduction (the others are removed).
 *
 * @see lsst.pipe.tasks.healSparseMapping.HealSparsePropertyMapConnections
 */
export class HealSparsePropertyMapConnections extends defineConnections({
  dimensions: TRACT,
  defaultTemplates: { coaddName: 'deep' },
  connections: makeConnections(),
  configure(self, config) {
    const maps = (config as unknown as HealSparsePropertyMapConfig).property_maps;
    for (const name of PROPERTY_MAP_NAMES) {
      const c = maps[name];
      const on = { min: c.do_min, max: c.do_max, mean: c.do_mean, weighted_mean: c.do_weighted_mean, sum: c.do_sum };
      for (const op of PROPERTY_MAP_OPS) if (!on[op]) self.removeConnection(`${name}_map_${op}`);
    }
  },
}) {}

/**
 * The config of {@link HealSparsePropertyMapTask}: the properties and their reductions.
 *
 * @see lsst.pipe.tasks.healSparseMapping.HealSparsePropertyMapConfig
 */
export class HealSparsePropertyMapConfig extends PipelineTaskConfig.withConnections(HealSparsePropertyMapConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<string>;
  /** Per property, which maps to make (LSST's defaults; see {@link PropertyMapsConfig}). */
  property_maps = ConfigField({ doc: 'Property map computation objects', dtype: PropertyMapsConfig });
}

/** The inputs of {@link HealSparsePropertyMapTask.run}. */
export type HealSparsePropertyMapInputs = {
  /** The sky map. */
  readonly skyMap: BaseSkyMap;
  /** The tract. */
  readonly tract: number;
  /** The band (for log messages). */
  readonly band: string;
  /** The patches' input maps, by sequential patch index. */
  readonly inputMaps: ReadonlyMap<number, HealSparseMap>;
  /** The patches' coadd PhotoCalibs (for the zeropoint), by sequential patch index. */
  readonly coaddPhotoCalibs: ReadonlyMap<number, PhotoCalib>;
  /** The visit summaries, by visit. */
  readonly visitSummaries: ReadonlyMap<number, ExposureCatalog>;
};

/** A deferred input (daf-butler's `DeferredDatasetHandle`). */
interface Handle {
  get(options?: { component?: string }): Promise<unknown>;
}

/**
 * The coverage nside of a tract's maps (LSST's `_compute_nside_coverage_tract`): the tract's
 * area is estimated as the patch count times the area of patch 0's inner region (Δra·Δdec·cos of
 * the mean dec of its corners); starting at 32 the nside is doubled while a coverage pixel is
 * larger than that, then halved once and clipped to [32, 128].
 *
 * @param tractInfo - the tract
 * @returns the coverage nside
 * @example
 * ```ts
 * computeNsideCoverageTract(skyMap.get(0)); // 32 for a 1.5° tract
 * ```
 * @see lsst.pipe.tasks.healSparseMapping.HealSparsePropertyMapTask._compute_nside_coverage_tract
 */
export function computeNsideCoverageTract(tractInfo: TractInfo): number {
  const n = tractInfo.getNumPatches();
  const { ra, dec } = innerPolygonRaDec(tractInfo, 0);
  const dRa = Math.max(...ra) - Math.min(...ra);
  const dDec = Math.max(...dec) - Math.min(...dec);
  const meanDec = dec.reduce((a, b) => a + b, 0) / dec.length;
  const tractArea = n.x * n.y * dRa * dDec * Math.cos((meanDec * Math.PI) / 180);
  const pixAreaDeg2 = (nside: number): number => ((4 * Math.PI) / (12 * nside * nside)) * (180 / Math.PI) ** 2;
  let nside = 32;
  while (pixAreaDeg2(nside) > tractArea) nside *= 2;
  return Math.min(128, Math.max(32, nside / 2));
}

/** The vertices of a patch's inner sky polygon (in the tract WCS) in degrees. */
function innerPolygonRaDec(tractInfo: TractInfo, patch: number): { ra: number[]; dec: number[] } {
  const vertices = tractInfo.getPatchInfo(patch).getInnerSkyPolygon(tractInfo.getWcs()).getVertices();
  const ra: number[] = [];
  const dec: number[] = [];
  for (const v of vertices) {
    const ll = LonLat.fromVector(v);
    ra.push(ll.getLon().asDegrees());
    dec.push(ll.getLat().asDegrees());
  }
  return { ra, dec };
}

const bitKey = (bit: number, what: 'CCD' | 'VIS' | 'WT'): string => `B${String(bit).padStart(4, '0')}${what}`;

/**
 * Makes a tract's survey property maps from its patches' coadd input maps
 * (`deepCoadd_inputMap`, {@link HealSparseInputMapTask}) and the visit summaries: for each
 * patch, the input map is cut to the patch's inner sky polygon (`andIntersection` with the
 * polygon's map); for each input detector (bit `n` of the map: detector `B{n:04}CCD`, visit
 * `B{n:04}VIS`, coadd weight `B{n:04}WT` from the map's metadata), its visit summary record gives,
 * at the centres of the map pixels where its bit is set (positions through the record's WCS):
 * - `exposure_time` — `visitInfo.exposureTime` (default: sum);
 * - `psf_size`, `psf_e1`, `psf_e2` — determinant radius (pixels) and ellipticities of the PSF,
 *   from a 2×2-order Chebyshev fit over the detector of the model sampled on 20×20 points
 *   (default: weighted mean);
 * - `psf_maglim` — the weighted mean PSF effective area `A`, turned into
 *   `zp − 2.5 log10(nσ √(A / Σw))` with the coadd zeropoint `zp = 2.5 log10(instFluxAtZeroMag)`;
 * - `sky_background`, `sky_noise` — `skyBg`, `skyNoise` times the calibration (nJy per count) at
 *   the position (default: weighted mean);
 * - `epoch` — the visit's MJD (TAI) (default: mean, min, max).
 * Minima and maxima skip NaN, means divide by the input count, weighted means by the sum of
 * weights. The output maps are float64 at the input maps' nside with the tract's coverage nside
 * ({@link computeNsideCoverageTract}); only pixels with inputs have data.
 *
 * A visit summary row without a PSF model (SkyStack's ConsolidateVisitSummaryTask stores none)
 * falls back to its `psfIxx`/`psfIyy`/`psfIxy`/`psfArea` summary statistics, constant over the
 * detector.
 *
 * @example
 * ```ts
 * const task = new HealSparsePropertyMapTask();
 * const maps = task.run({ skyMap, tract: 0, band: 'r', inputMaps, coaddPhotoCalibs, visitSummaries }).getDict();
 * maps['exposure_time_map_sum'].getValuesPix(pixels);
 * ```
 * @see lsst.pipe.tasks.healSparseMapping.HealSparsePropertyMapTask
 */
export class HealSparsePropertyMapTask extends PipelineTask<HealSparsePropertyMapConfig> {
  /** {@link HealSparsePropertyMapConfig}. */
  static override ConfigClass = HealSparsePropertyMapConfig;
  /** `healSparsePropertyMapTask`. */
  static override _DefaultName: string | undefined = 'healSparsePropertyMapTask';
  /** The configured property maps (those with at least one reduction on). */
  readonly propertyMaps: PropertyMap[];
  #initialized = false;
  #requiresPsf = false;

  /**
   * Makes the task.
   *
   * @param options - config, name, parent task
   */
  constructor(options: PipelineTaskOptions<HealSparsePropertyMapConfig> = {}) {
    super(options);
    this.propertyMaps = PROPERTY_MAP_NAMES.filter((n) => propertyMapEnabled(this.config.property_maps[n])).map((n) => new PropertyMap(n, this.config.property_maps[n]));
  }

  /**
   * Makes the tract's property maps.
   *
   * @param inputs - sky map, tract, band, per-patch input maps and coadd PhotoCalibs, visit summaries
   * @returns a Struct with one HealSparseMap per configured output, named `{property}_map_{op}`
   * @throws {@link PipeTasksInvalidArgumentError} when a patch has no coadd PhotoCalib, or a
   *   detector of an input map has no visit summary record (or one without WCS or PhotoCalib)
   */
  override run(inputs: HealSparsePropertyMapInputs): Struct<Record<string, HealSparseMap>> {
    return timeMethod(this, 'run', () => {
      const tractInfo = inputs.skyMap.get(inputs.tract);
      this.#initialized = false;
      for (const [patch, inputMap] of inputs.inputMaps) {
        const photoCalib = inputs.coaddPhotoCalibs.get(patch);
        if (photoCalib === undefined) throw new PipeTasksInvalidArgumentError(`Patch ${patch} has an input map but no coadd PhotoCalib.`);
        this.addPatch(tractInfo, patch, inputMap, photoCalib, inputs.visitSummaries, inputs.band);
      }
      return this.#results();
    });
  }

  #results(): Struct<Record<string, HealSparseMap>> {
    const out: Record<string, HealSparseMap> = {};
    if (this.#initialized) for (const m of this.propertyMaps) for (const [op, map] of m.maps) out[`${m.name}_map_${op}`] = map;
    return new Struct(out);
  }

  /**
   * Adds one patch to the tract maps (starting them at the first patch: see {@link run}).
   *
   * @param tractInfo - the tract
   * @param patch - the sequential patch index
   * @param inputMap - the patch's coadd input map
   * @param coaddPhotoCalib - the patch coadd's PhotoCalib
   * @param visitSummaries - the visit summaries, by visit
   * @param band - the band (for log messages)
   * @throws {@link PipeTasksInvalidArgumentError} as {@link run}
   */
  addPatch(tractInfo: TractInfo, patch: number, inputMap: HealSparseMap, coaddPhotoCalib: PhotoCalib, visitSummaries: ReadonlyMap<number, ExposureCatalog>, band = ''): void {
    const nside = inputMap.nsideSparse;
    this.log.info(`Making maps for band ${band}, tract ${tractInfo.getId()}, patch ${patch}.`);
    if (!this.#initialized) {
      const nsideCoverage = computeNsideCoverageTract(tractInfo);
      for (const m of this.propertyMaps) m.initializeTractMaps(nsideCoverage, nside);
      this.#requiresPsf = this.propertyMaps.some((m) => m.requiresPsf);
      this.#initialized = true;
    }
    if (inputMap.nValidPixels === 0) {
      this.log.warn(`No valid pixels for band ${band}, tract ${tractInfo.getId()}, patch ${patch}; skipping.`);
      return;
    }
    const zeropoint = 2.5 * Math.log10(coaddPhotoCalib.getInstFluxAtZeroMagnitude());
    // The patch's inner region only.
    const { ra: pRa, dec: pDec } = innerPolygonRaDec(tractInfo, patch);
    const nbits = inputMap.wideMaskMaxBits;
    const allBits = Array.from({ length: nbits }, (_, b) => b);
    const polyMap = HealSparseMap.makeEmpty({ nsideCoverage: inputMap.nsideCoverage, nsideSparse: nside, dtype: 'wide-mask', wideMaskMaxBits: nbits });
    polyMap.setBitsPix(new HealSparsePolygon(pRa, pDec).getPixels(nside), allBits);
    const cropped = andIntersection([inputMap, polyMap]);
    const pixels = cropped.validPixels();
    const n = pixels.length;
    if (n === 0) return;
    const pix = new HealpixPixelization(HealpixPixelization.nsideToLevel(nside));
    const raRad = new Float64Array(n);
    const decRad = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const [r, d] = pix.centerRaDecDeg(pixels[i]!);
      raRad[i] = (r * Math.PI) / 180;
      decRad[i] = (d * Math.PI) / 180;
    }
    for (const m of this.propertyMaps) {
      m.initializeValues(n);
      m.zeropoint = zeropoint;
    }
    const totalWeights = new Float64Array(n);
    const totalInputs = new Int32Array(n);
    const meta = inputMap.metadata;
    for (let bit = 0; bit < nbits; bit++) {
      if (meta[bitKey(bit, 'CCD')] === undefined) continue;
      const inBit = cropped.checkBitsPix(pixels, [bit]);
      let count = 0;
      for (let i = 0; i < n; i++) count += inBit[i]!;
      if (count === 0) continue;
      const indices = new Int32Array(count);
      for (let i = 0, k = 0; i < n; i++) if (inBit[i]) indices[k++] = i;
      const visit = Number(meta[bitKey(bit, 'VIS')]);
      const detector = Number(meta[bitKey(bit, 'CCD')]);
      const weight = Number(meta[bitKey(bit, 'WT')]);
      const row = findRow(visitSummaries, visit, detector);
      const wcs = row.getWcs() as SkyWcs | null;
      if (wcs === null || typeof wcs?.skyToPixelArray !== 'function') throw new PipeTasksInvalidArgumentError(`Visit ${visit} / detector ${detector}: the visit summary record has no WCS.`);
      const photoCalib = row.getPhotoCalib();
      if (photoCalib === null) throw new PipeTasksInvalidArgumentError(`Visit ${visit} / detector ${detector}: the visit summary record has no PhotoCalib.`);
      const sel = (a: Float64Array): Float64Array => Float64Array.from(indices, (i) => a[i]!);
      const { x, y } = wcs.skyToPixelArray(sel(raRad), sel(decRad));
      const bbox = row.getBBox();
      const scalings = computeCalibScale(photoCalib, bbox, x, y);
      let psf: ApproxPsfArrays | undefined;
      if (this.#requiresPsf) {
        const model = row.getPsf();
        psf = model instanceof Psf ? computeApproxPsfSizeAndShape(model, bbox, x, y) : approxPsfFromSummaryStats(row, count);
      }
      for (const i of indices) {
        totalWeights[i] = totalWeights[i]! + weight;
        totalInputs[i] = totalInputs[i]! + 1;
      }
      for (const m of this.propertyMaps) m.accumulate(indices, weight, { row, scalings, psf });
    }
    for (const m of this.propertyMaps) {
      m.finalize(totalWeights, totalInputs);
      m.setMapValues(pixels);
    }
  }

  /**
   * Reads the inputs one patch at a time (the input map and the coadd's `photoCalib`
   * component), all visit summaries, and writes the configured maps.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as Record<string, unknown>;
    const skyMap = inputs['sky_map'] as BaseSkyMap;
    const dataId = butlerQC.quantum.dataId;
    const tract = Number(dataId.get('tract'));
    const band = String(dataId.get('band'));
    const byKey = (name: string, key: string): Map<number, Handle> => {
      const refs = (inputRefs[name] ?? []) as readonly QuantizedRef[];
      const handles = (inputs[name] ?? []) as readonly Handle[];
      const m = new Map<number, Handle>();
      refs.forEach((r, i) => m.set(Number((r instanceof DeferredDatasetRef ? r.datasetRef : r).dataId.get(key)), handles[i]!));
      return m;
    };
    const coadds = byKey('coadd_exposures', 'patch');
    const visitSummaries = new Map<number, ExposureCatalog>();
    for (const [visit, h] of byKey('visit_summaries', 'visit')) visitSummaries.set(visit, (await h.get()) as ExposureCatalog);
    const tractInfo = skyMap.get(tract);
    this.#initialized = false;
    for (const [patch, h] of byKey('input_maps', 'patch')) {
      const coadd = coadds.get(patch);
      if (coadd === undefined) throw new PipeTasksInvalidArgumentError(`Patch ${patch} has an input map but no coadd.`);
      const photoCalib = (await coadd.get({ component: 'photoCalib' })) as PhotoCalib;
      this.addPatch(tractInfo, patch, (await h.get()) as HealSparseMap, photoCalib, visitSummaries, band);
    }
    await butlerQC.put(this.#results(), outputRefs);
  }
}

function findRow(visitSummaries: ReadonlyMap<number, ExposureCatalog>, visit: number, detector: number): ExposureRecord {
  const cat = visitSummaries.get(visit);
  if (cat === undefined) throw new PipeTasksInvalidArgumentError(`Visit ${visit} not found in visit_summaries.`, { hint: 'The input map and the visit summaries disagree: give the finalVisitSummary of every visit in the coadds.' });
  for (let i = 0; i < cat.length; i++) {
    const r = cat.get(i);
    if (Number(r.getId()) === detector) return r;
  }
  throw new PipeTasksInvalidArgumentError(`Visit ${visit} / detector_id ${detector} not found in visit_summaries.`);
}
