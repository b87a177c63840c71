// MergeDetectionsTask: the detections of several bands merged into one catalog of parent
// footprints whose peaks remember the bands they were found in
// (lsst.pipe.tasks.mergeDetections.MergeDetectionsTask, afw's FootprintMergeList).
import { Mask } from '@skystack/afw-image';
import { Footprint, PeakCatalog, SourceCatalog, type PeakRecord, type Schema } from '@skystack/afw-table';
import { SkyObjectsTask, type SkyObjectsConfig } from '@skystack/meas-algorithms';
import { Config, ConfigField, Field, ListField, RangeField } from '@skystack/pex-config';
import { InitInput, InitOutput, Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, PipelineTaskOptions, QuantizedRef, QuantumContext } from '@skystack/pipe-base';
import type { BaseSkyMap } from '@skystack/skymap';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { makeSkyInfo, type SkyInfo } from '../coadd/coadd-utils.js';
import { coaddExposureId } from './coadd-ids.js';

const PATCH = ['tract', 'patch', 'skymap'] as const;

/**
 * The connections of {@link MergeDetectionsTask}, per `(tract, patch, skymap)`: the
 * `deepCoadd_det` of every band and the `skyMap` in, `deepCoadd_mergeDet` out; the schemas
 * `deepCoadd_det_schema` in and `deepCoadd_mergeDet_schema`, `deepCoadd_peak_schema` out.
 *
 * @see lsst.pipe.tasks.mergeDetections.MergeDetectionsConnections
 */
export class MergeDetectionsConnections extends defineConnections({
  dimensions: PATCH,
  defaultTemplates: { inputCoaddName: 'deep', outputCoaddName: 'deep' },
  connections: {
    /** The schema of the detection catalogs. */
    schema: new InitInput({ doc: 'Schema of the input detection catalog', name: '{inputCoaddName}Coadd_det_schema', storageClass: 'SourceCatalog' }),
    /** The schema of the merged catalog. */
    outputSchema: new InitOutput({ doc: 'Schema of the merged detection catalog', name: '{outputCoaddName}Coadd_mergeDet_schema', storageClass: 'SourceCatalog' }),
    /** The schema of the merged peaks. */
    outputPeakSchema: new InitOutput({ doc: 'Output schema of the Footprint peak catalog', name: '{outputCoaddName}Coadd_peak_schema', storageClass: 'PeakCatalog' }),
    /** The detections of each band. */
    catalogs: new Input({
      doc: 'Detection Catalogs to be merged',
      name: '{inputCoaddName}Coadd_det',
      storageClass: 'SourceCatalog',
      dimensions: ['tract', 'patch', 'skymap', 'band'],
      multiple: true,
    }),
    /** The sky map. */
    skyMap: new Input({ doc: 'SkyMap to be used in merging', name: 'skyMap', storageClass: 'SkyMap', dimensions: ['skymap'] }),
    /** The merged detections. */
    outputCatalog: new Output({ doc: 'Merged Detection catalog', name: '{outputCoaddName}Coadd_mergeDet', storageClass: 'SourceCatalog', dimensions: PATCH }),
  },
}) {}

/**
 * How peaks are culled after the merge: a peak is dropped when it was found in fewer than
 * `nBandsSufficient` bands, its rank in its footprint (brightest first, from 0) is at least
 * `rankSufficient`, and its rank is at least `rankConsidered` or at least
 * `rankNormalizedConsidered` × the number of peaks of the footprint.
 *
 * @see lsst.pipe.tasks.multiBandUtils.CullPeaksConfig
 */
export class CullPeaksConfig extends Config {
  /** Always keep peaks detected in this many bands. */
  nBandsSufficient = RangeField({ doc: 'Always keep peaks detected in this many bands', dtype: 'int', default: 2, min: 1 });
  /** Always keep this many peaks in each family. */
  rankSufficient = RangeField({ doc: 'Always keep this many peaks in each family', dtype: 'int', default: 20, min: 1 });
  /** Keep peaks below this rank that also meet the normalized-rank condition. */
  rankConsidered = RangeField({ doc: 'Keep peaks with less than this rank that also match the rankNormalizedConsidered condition.', dtype: 'int', default: 30, min: 1 });
  /** Keep peaks below this normalized rank that also meet the rank condition. */
  rankNormalizedConsidered = RangeField({
    doc: 'Keep peaks with less than this normalized rank that also match the rankConsidered condition.',
    dtype: 'float',
    default: 0.7,
    min: 0.0,
  });
}

/**
 * The config of {@link MergeDetectionsTask}, with LSST's fields and defaults. `priorityList`
 * must name the bands (validate() refuses an empty list, as LSST).
 *
 * @see lsst.pipe.tasks.mergeDetections.MergeDetectionsConfig
 */
export class MergeDetectionsConfig extends PipelineTaskConfig.withConnections(MergeDetectionsConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof MergeDetectionsConnections>>;
  /** Smallest distance (arcsec) from the closest peak at which a new peak is added. */
  minNewPeak = Field.float({ doc: 'Minimum distance from closest peak to create a new one (in arcsec).', default: 1 });
  /** Distance (arcsec) below which a peak is the same as an existing one (flagged in its band). */
  maxSamePeak = Field.float({
    doc: 'When adding new catalogs to the merge, all peaks less than this distance  (in arcsec) to an existing peak will be flagged as detected in that catalog.',
    default: 0.3,
  });
  /** Peak culling. */
  cullPeaks = ConfigField({ doc: 'Configuration for how to cull peaks.', dtype: CullPeaksConfig });
  /** The pseudo-band of sky objects (`merge_peak_sky`, `merge_footprint_sky`). */
  skyFilterName = Field.str({
    doc: "Name of `filter' used to label sky objects (e.g. flag merge_peak_sky is set)\n(N.b. should be in MergeMeasurementsConfig.pseudoFilterList)",
    default: 'sky',
  });
  /** Sky objects. */
  skyObjects = SkyObjectsTask.makeField('Generate sky objects') as unknown as SkyObjectsConfig;
  /** The bands in priority order. */
  priorityList = ListField({ doc: 'Priority-ordered list of filter bands for the merge.', dtype: 'str', default: [] });
  /** Coadd name. */
  coaddName = Field.str({ doc: 'Name of coadd', default: 'deep' });

  /** LSST's setDefaults: sky objects avoid only DETECTED (the merge mask has nothing else). */
  override setDefaults(): void {
    super.setDefaults();
    this.skyObjects.avoidMask = ['DETECTED'];
  }

  /**
   * Checks the config.
   *
   * @throws {@link PipeTasksInvalidArgumentError} when `priorityList` is empty
   */
  override validate(): void {
    super.validate();
    if (this.priorityList.length === 0) {
      throw new PipeTasksInvalidArgumentError('No priority list provided: MergeDetectionsConfig.priorityList must name the bands, highest priority first.', {
        hint: "e.g. config.priorityList = ['i', 'r', 'z', 'y', 'g', 'u']",
      });
    }
  }
}

/** The inputs of {@link MergeDetectionsTask.run}. */
export interface MergeDetectionsInputs extends Readonly<Record<string, unknown>> {
  /** The detection catalog of each band. */
  readonly catalogs: ReadonlyMap<string, SourceCatalog> | Readonly<Record<string, SourceCatalog>>;
  /** The patch (outer bbox and tract WCS). */
  readonly skyInfo: SkyInfo;
  /** Seeds the sky objects and numbers the merged sources (default 0). */
  readonly skySeed?: number | undefined;
}

/** What {@link MergeDetectionsTask.run} returns. */
export interface MergeDetectionsResult {
  /** The merged catalog: one parent per merged footprint, peaks with `merge_peak_<band>`. */
  readonly outputCatalog: SourceCatalog;
}

/** A footprint being merged, with its band flags. */
interface Merge {
  footprint: Footprint;
  bands: Set<string>;
}

/**
 * Merges the detections of several bands of one patch. Bands are taken in `priorityList` order;
 * a footprint that overlaps none merged so far starts a new merged footprint, one that overlaps
 * some is merged with them (their footprints and peaks joined). A peak of a later band is added
 * when it lies farther than `minNewPeak` from every peak so far (with `merge_peak_<band>`), or
 * marks the nearest peak as seen in its band when closer than `maxSamePeak`. Each source has
 * `merge_footprint_<band>` for the bands whose footprints it holds. Sky objects are then placed
 * where nothing was detected (`merge_footprint_sky`, `merge_peak_sky`), peaks are sorted
 * brightest first, and peaks are culled ({@link CullPeaksConfig}).
 *
 * @example
 * ```ts
 * const config = new MergeDetectionsConfig();
 * config.priorityList = ['i', 'r', 'g'];
 * const task = new MergeDetectionsTask({ config, schema: detectTask.schema });
 * const { outputCatalog } = task.run({ catalogs: { g: detG, r: detR, i: detI }, skyInfo, skySeed: 1 }).getDict();
 * ```
 * @see lsst.pipe.tasks.mergeDetections.MergeDetectionsTask
 * @see lsst.afw.detection.FootprintMergeList
 */
export class MergeDetectionsTask extends PipelineTask<MergeDetectionsConfig> {
  /** {@link MergeDetectionsConfig}. */
  static override ConfigClass = MergeDetectionsConfig;
  /** `mergeCoaddDetections`. */
  static override _DefaultName: string | undefined = 'mergeCoaddDetections';
  /** The schema of `deepCoadd_mergeDet`: the input schema plus `merge_footprint_<band>`. */
  readonly schema: Schema;
  /** The schema of the merged peaks: afw's peak schema plus `merge_peak_<band>`. */
  readonly peakSchema: Schema;
  /** The sky objects subtask. */
  readonly skyObjects: SkyObjectsTask;
  /** The merged schema as an empty catalog (init-output). */
  readonly outputSchema: SourceCatalog;
  /** The peak schema as an empty catalog (init-output). */
  readonly outputPeakSchema: PeakCatalog;
  readonly #bands: readonly string[];

  /**
   * Makes the task: the output schema and the peak schema.
   *
   * @param options - config, and the schema of the detection catalogs (`schema` or
   *   `initInputs.schema`, a catalog; default a minimal SourceCatalog schema)
   */
  constructor(options: PipelineTaskOptions<MergeDetectionsConfig> & { readonly schema?: Schema } = {}) {
    super(options);
    const fromInit = options.initInputs?.['schema'] as { schema?: Schema } | undefined;
    const schema = (options.schema ?? fromInit?.schema ?? SourceCatalog.makeMinimalSchema()).clone();
    this.#bands = [...this.config.priorityList, this.config.skyFilterName];
    const peakSchema = PeakCatalog.makeMinimalSchema();
    for (const band of this.#bands) {
      if (!schema.contains(`merge_footprint_${band}`)) schema.addField({ name: `merge_footprint_${band}`, type: 'Flag', doc: `Detection footprint overlapped with a detection from filter ${band}` });
      peakSchema.addField({ name: `merge_peak_${band}`, type: 'Flag', doc: `Peak detected in filter ${band}` });
    }
    this.schema = schema;
    this.peakSchema = peakSchema;
    this.skyObjects = this.makeSubtask<SkyObjectsTask>('skyObjects');
    this.outputSchema = new SourceCatalog(schema);
    this.outputPeakSchema = new PeakCatalog(peakSchema);
  }

  /**
   * Merges the catalogs (see the class description).
   *
   * @param inputs - the catalogs by band, the patch, the seed
   * @returns the merged catalog
   * @throws {@link PipeTasksInvalidArgumentError} when no catalog is of a band of `priorityList`, or
   *   `skyInfo` has no WCS
   * @see lsst.pipe.tasks.mergeDetections.MergeDetectionsTask.run
   */
  override run(inputs: MergeDetectionsInputs): Struct<MergeDetectionsResult> {
    return timeMethod(this, 'run', () => {
      const catalogs = inputs.catalogs instanceof Map ? inputs.catalogs : new Map(Object.entries(inputs.catalogs));
      const { skyInfo } = inputs;
      if (skyInfo.wcs === null) throw new PipeTasksInvalidArgumentError('MergeDetectionsTask needs skyInfo.wcs (the tract WCS) to turn minNewPeak and maxSamePeak into pixels.');
      const scale = skyInfo.wcs.getPixelScale().asArcseconds();
      const minNewPeakPix = this.config.minNewPeak / scale;
      const maxSamePeakPix = this.config.maxSamePeak / scale;
      const bands = this.config.priorityList.filter((b) => catalogs.has(b));
      if (bands.length === 0) {
        throw new PipeTasksInvalidArgumentError(`None of the bands of the catalogs (${[...catalogs.keys()].join(', ')}) is in priorityList (${this.config.priorityList.join(', ')}).`);
      }
      const merges: Merge[] = [];
      for (const band of bands) this.#addCatalog(merges, catalogs.get(band)!, band, minNewPeakPix, maxSamePeakPix);
      const out = new SourceCatalog(this.schema);
      for (const m of merges) this.#addRecord(out, m);
      const sky = this.getSkySourceFootprints(out, skyInfo, inputs.skySeed ?? 0);
      for (const fp of sky) this.#addRecord(out, { footprint: fp, bands: new Set([this.config.skyFilterName]) });
      const ids = out.getColumn('id') as BigInt64Array;
      const base = BigInt(inputs.skySeed ?? 0) << 20n;
      for (let i = 0; i < out.length; i++) {
        ids[i] = base + BigInt(i + 1);
        out.setFootprint(i, sortPeaks(out.getFootprint(i)!));
      }
      this.log.info(`Merged to ${out.length} sources`);
      this.cullPeaks(out);
      return new Struct<MergeDetectionsResult>({ outputCatalog: out });
    });
  }

  /** Adds one band's parents to the merge list. */
  #addCatalog(merges: Merge[], cat: SourceCatalog, band: string, minNewPeakPix: number, maxSamePeakPix: number): void {
    const parents = cat.getColumn('parent') as BigInt64Array;
    for (let i = 0; i < cat.length; i++) {
      if (parents[i] !== 0n) continue;
      const fp = cat.getFootprint(i);
      if (fp === null) continue;
      const bbox = fp.getBBox();
      const hits: number[] = [];
      for (let j = 0; j < merges.length; j++) {
        const other = merges[j]!.footprint;
        if (other.getBBox().overlaps(bbox) && other.getSpans().overlaps(fp.getSpans())) hits.push(j);
      }
      if (hits.length === 0) {
        const peaks = new PeakCatalog(this.peakSchema);
        for (const p of fp.getPeaks()) copyPeak(peaks, p, band);
        merges.push({ footprint: new Footprint(fp.getSpans(), { peaks, region: fp.getRegion() }), bands: new Set([band]) });
        continue;
      }
      const first = merges[hits[0]!]!;
      // Join the other merged footprints this one bridges into the first.
      for (let h = hits.length - 1; h >= 1; h--) {
        const other = merges[hits[h]!]!;
        first.footprint = joinFootprints(first.footprint, other.footprint);
        for (const b of other.bands) first.bands.add(b);
        merges.splice(hits[h]!, 1);
      }
      const peaks = first.footprint.getPeaks();
      const nOld = peaks.length;
      const fx = peaks.getColumn('f_x') as Float32Array;
      const fy = peaks.getColumn('f_y') as Float32Array;
      const toFlag: number[] = [];
      const toAdd: PeakRecord[] = [];
      for (const p of fp.getPeaks()) {
        let best = -1;
        let bestD = Infinity;
        for (let k = 0; k < nOld; k++) {
          const d = Math.hypot(fx[k]! - p.getFx(), fy[k]! - p.getFy());
          if (d < bestD) {
            bestD = d;
            best = k;
          }
        }
        if (best < 0 || bestD > minNewPeakPix) toAdd.push(p);
        else if (bestD < maxSamePeakPix) toFlag.push(best);
      }
      for (const k of toFlag) peaks.get(k).set(`merge_peak_${band}`, true);
      for (const p of toAdd) copyPeak(peaks, p, band);
      first.footprint = new Footprint(first.footprint.getSpans().union(fp.getSpans()), { peaks, region: first.footprint.getRegion() });
      first.bands.add(band);
    }
  }

  #addRecord(out: SourceCatalog, m: Merge): void {
    const r = out.addNew();
    r.setFootprint(m.footprint);
    for (const b of m.bands) r.set(`merge_footprint_${b}`, true);
  }

  /**
   * Removes garbage peaks (mostly on the outskirts of large blends), see {@link CullPeaksConfig}.
   *
   * @param catalog - the merged catalog (footprints modified)
   * @see lsst.pipe.tasks.mergeDetections.MergeDetectionsTask.cullPeaks
   */
  cullPeaks(catalog: SourceCatalog): void {
    const c = this.config.cullPeaks;
    const flags = this.#bands.map((b) => `merge_peak_${b}`);
    let total = 0;
    let culled = 0;
    for (let i = 0; i < catalog.length; i++) {
      const fp = catalog.getFootprint(i);
      if (fp === null) continue;
      const old = fp.getPeaks();
      const n = old.length;
      total += n;
      const kept = new PeakCatalog(old.schema);
      for (let rank = 0; rank < n; rank++) {
        const p = old.get(rank);
        let nBands = 0;
        for (const f of flags) if (p.get(f) === true) nBands++;
        if (rank < c.rankSufficient || nBands >= c.nBandsSufficient || (rank < c.rankConsidered && rank < c.rankNormalizedConsidered * n)) copyPeak(kept, p);
        else culled++;
      }
      if (kept.length !== n) catalog.setFootprint(i, new Footprint(fp.getSpans(), { peaks: kept, region: fp.getRegion() }));
    }
    this.log.info(`Culled ${culled} of ${total} peaks`);
  }

  /**
   * Footprints of sky objects placed where no merged footprint lies, each with one peak flagged
   * `merge_peak_<skyFilterName>`.
   *
   * @param mergedList - the merged catalog
   * @param skyInfo - the patch (its outer bbox is the area)
   * @param seed - the random seed
   * @returns the footprints
   * @see lsst.pipe.tasks.mergeDetections.MergeDetectionsTask.getSkySourceFootprints
   */
  getSkySourceFootprints(mergedList: SourceCatalog, skyInfo: SkyInfo, seed: number): Footprint[] {
    const mask = Mask.make(skyInfo.bbox);
    mask.addMaskPlane('DETECTED');
    const bit = mask.getPlaneBitMask('DETECTED');
    for (let i = 0; i < mergedList.length; i++) mergedList.getFootprint(i)?.getSpans().setMask(mask.array, mask.getXY0(), bit);
    const footprints = this.skyObjects.run(mask, seed);
    return footprints.map((old) => {
      const peaks = new PeakCatalog(this.peakSchema);
      const p = old.getPeaks().get(0);
      copyPeak(peaks, p, this.config.skyFilterName);
      return new Footprint(old.getSpans(), { peaks });
    });
  }

  /**
   * Reads the detection catalogs and the sky map, runs, writes `deepCoadd_mergeDet`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { catalogs: SourceCatalog[]; skyMap: BaseSkyMap };
    const refs = inputRefs['catalogs'] as readonly QuantizedRef[];
    const catalogs = new Map<string, SourceCatalog>();
    refs.forEach((ref, i) => catalogs.set(String((ref as { dataId: { get(k: string): unknown } }).dataId.get('band')), inputs.catalogs[i]!));
    const dataId = butlerQC.quantum.dataId;
    const skyInfo = makeSkyInfo(inputs.skyMap, Number(dataId.get('tract')), Number(dataId.get('patch')));
    const res = this.run({ catalogs, skyInfo, skySeed: coaddExposureId(dataId) });
    await butlerQC.put(res, outputRefs);
  }
}

/** Appends a copy of a peak (fields by name) to a peak catalog, optionally flagging a band. */
function copyPeak(peaks: PeakCatalog, p: PeakRecord, band?: string): void {
  const q = peaks.addNew();
  for (const f of peaks.schema.getFields()) {
    if (p.schema.contains(f.name)) q.set(f.name, p.get(f.name));
  }
  if (band !== undefined) q.set(`merge_peak_${band}`, true);
}

/** Two merged footprints as one: spans joined, peaks of the second appended. */
function joinFootprints(a: Footprint, b: Footprint): Footprint {
  const peaks = a.getPeaks();
  for (const p of b.getPeaks()) copyPeak(peaks, p);
  return new Footprint(a.getSpans().union(b.getSpans()), { peaks, region: a.getRegion() });
}

/** A footprint with its peaks sorted by `peakValue`, brightest first (afw's `Footprint.sortPeaks`). */
function sortPeaks(fp: Footprint): Footprint {
  const old = fp.getPeaks();
  const values = old.getColumn('peakValue') as Float32Array;
  const order = Array.from({ length: old.length }, (_, i) => i).sort((i, j) => values[j]! - values[i]!);
  const sorted = new PeakCatalog(old.schema);
  for (const i of order) copyPeak(sorted, old.get(i));
  return new Footprint(fp.getSpans(), { peaks: sorted, region: fp.getRegion() });
}
