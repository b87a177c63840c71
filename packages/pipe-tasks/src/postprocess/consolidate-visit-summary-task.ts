// ConsolidateVisitSummaryTask: per visit, one ExposureCatalog record per detector with its box,
// calibrations, filter and summary statistics (`visitSummary`, lsst.pipe.tasks.postprocess).
import { archivableComponent, Exposure, ExposureCatalog, type ExposureRecordComponent, type FilterLabel, type PhotoCalib, type PixelArray, type Psf, type VisitInfo } from '@skystack/afw-image';
import type { Schema, SourceCatalog } from '@skystack/afw-table';
import { Box2I } from '@skystack/geom';
import type { BackgroundList } from '@skystack/meas-algorithms';
import { ConfigurableField, Field } from '@skystack/pex-config';
import { DeferredDatasetRef, Input, InitOutput, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type {
  ConnectionNames,
  ConnectionsConfig,
  InputQuantizedConnection,
  OutputQuantizedConnection,
  PipelineTaskOptions,
  QuantizedRef,
  QuantumContext,
} from '@skystack/pipe-base';
import type { SkyWcs } from '@skystack/wcs';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { ComputeExposureSummaryStatsTask, type ComputeExposureSummaryStatsConfig } from './compute-exposure-summary-stats-task.js';
import { sortByDetector } from './consolidate-source-table-task.js';
import { ExposureSummaryStats } from './exposure-summary-stats.js';

const VISIT = ['instrument', 'visit'] as const;
const VISIT_DETECTOR = ['instrument', 'visit', 'detector'] as const;

/**
 * The connections of {@link ConsolidateVisitSummaryTask}, per `(instrument, visit)`: the
 * `calexp` of every detector (deferred) in, `visitSummary` (ExposureCatalog) out, and its schema
 * as the init-output `visitSummary_schema`. SkyStack adds the `src` and `calexpBackground` of the
 * detectors (deferred; only with `doComputeSummaryStats`): LSST reads the statistics from the
 * calexps' `summaryStats` component, which its CalibrateTask computes from them; SkyStack's does
 * not yet, so this task computes the statistics itself.
 *
 * @see lsst.pipe.tasks.postprocess.ConsolidateVisitSummaryConnections
 */
export class ConsolidateVisitSummaryConnections extends defineConnections({
  dimensions: VISIT,
  defaultTemplates: { calexpType: '' },
  connections: {
    /** The calexps of the detectors. */
    calexp: new Input({
      doc: 'Processed exposures used for metadata',
      name: '{calexpType}calexp',
      storageClass: 'ExposureF',
      dimensions: VISIT_DETECTOR,
      deferLoad: true,
      multiple: true,
    }),
    /** The source catalogs of the detectors (for nPsfStar; SkyStack). */
    sources: new Input({
      doc: 'Source catalogs of the calexps, for the count of PSF stars (SkyStack: LSST reads it from the summaryStats component)',
      name: '{calexpType}src',
      storageClass: 'SourceCatalog',
      dimensions: VISIT_DETECTOR,
      deferLoad: true,
      multiple: true,
    }),
    /** The backgrounds subtracted from the calexps (for skyBg; SkyStack). */
    background: new Input({
      doc: 'Backgrounds subtracted from the calexps, for the sky level (SkyStack: LSST reads it from the summaryStats component)',
      name: '{calexpType}calexpBackground',
      storageClass: 'Background',
      dimensions: VISIT_DETECTOR,
      deferLoad: true,
      multiple: true,
    }),
    /** The visit summary. */
    visitSummary: new Output({
      doc: 'Per-visit consolidated exposure metadata.  These catalogs use detector id for the id and are sorted for fast lookups of a detector.',
      name: 'visitSummary',
      storageClass: 'ExposureCatalog',
      dimensions: VISIT,
    }),
    /** The schema of the visit summary (an empty catalog). */
    visitSummarySchema: new InitOutput({ doc: 'Schema of the visitSummary catalog', name: 'visitSummary_schema', storageClass: 'ExposureCatalog' }),
  },
  configure(self, config) {
    if (!(config as unknown as ConsolidateVisitSummaryConfig).doComputeSummaryStats) {
      self.removeConnection('sources');
      self.removeConnection('background');
    }
  },
}) {}

/**
 * The config of {@link ConsolidateVisitSummaryTask}: LSST's has none but the connections;
 * SkyStack adds the statistics subtask and two switches.
 *
 * @see lsst.pipe.tasks.postprocess.ConsolidateVisitSummaryConfig
 */
export class ConsolidateVisitSummaryConfig extends PipelineTaskConfig.withConnections(ConsolidateVisitSummaryConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof ConsolidateVisitSummaryConnections>>;
  /** Compute nPsfStar and skyBg from `src` and `calexpBackground` (SkyStack). */
  doComputeSummaryStats = Field.bool({
    doc: "Read each detector's src and calexpBackground to compute nPsfStar and skyBg (and the effective exposure time). Without them those statistics are NaN (0 for nPsfStar). (SkyStack)",
    default: true,
  });
  /** Read the calexps' pixels for skyNoise and meanVar (SkyStack). */
  doPixelStats = Field.bool({
    doc: 'Read the pixels of each calexp to compute skyNoise and meanVar; otherwise only the components (bbox, wcs, psf, photoCalib, visitInfo, filter, validPolygon) are read and those two are NaN. (SkyStack)',
    default: true,
  });
  /** The summary statistics subtask (LSST's CalibrateTask has it under this name). */
  computeSummaryStats = ConfigurableField({ doc: 'Subtask to compute the summary statistics of each detector', target: ComputeExposureSummaryStatsTask }) as unknown as ComputeExposureSummaryStatsConfig;
}

/** One detector's inputs to {@link ConsolidateVisitSummaryTask.run}: a calexp, or its components. */
export interface VisitSummaryDetectorInput {
  /** The detector ID (the record ID). */
  readonly detector: number;
  /** The calexp with pixels (skyNoise and meanVar are computed from it), when read whole. */
  readonly exposure?: Exposure<PixelArray>;
  /** The bounding box (without `exposure`). */
  readonly bbox?: Box2I;
  /** The WCS (without `exposure`). */
  readonly wcs?: SkyWcs | null;
  /** The PSF (without `exposure`). */
  readonly psf?: Psf | null;
  /** The photometric calibration (without `exposure`). */
  readonly photoCalib?: PhotoCalib | null;
  /** The VisitInfo (without `exposure`). */
  readonly visitInfo?: VisitInfo | null;
  /** The filter (without `exposure`). */
  readonly filter?: FilterLabel | null;
  /** The valid polygon (without `exposure`). */
  readonly validPolygon?: unknown;
  /** The `src` catalog, for nPsfStar. */
  readonly sources?: SourceCatalog | null;
  /** The `calexpBackground`, for skyBg. */
  readonly background?: BackgroundList | null;
}

/** What {@link ConsolidateVisitSummaryTask.run} returns. */
export interface ConsolidateVisitSummaryResult {
  /** The visit summary, one record per detector, sorted by ID. */
  readonly visitSummary: ExposureCatalog;
}

/** A deferred input (daf-butler's `DeferredDatasetHandle`). */
interface Handle {
  get(options?: { component?: string }): Promise<unknown>;
}

/**
 * Gathers what a visit's detectors know about themselves into one `visitSummary`
 * ExposureCatalog: per detector a record with `id` = detector, the bounding box, the WCS,
 * PhotoCalib, VisitInfo and valid polygon as archived components (LSST does not keep the PSF,
 * aperture corrections, detector or transmission curve here, for their size), `visit`,
 * `physical_filter`, `band`, and the summary statistics of
 * {@link ComputeExposureSummaryStatsTask} ({@link EXPOSURE_SUMMARY_FIELDS}). Records are sorted
 * by detector; the metadata says so (`COMMENT` cards, as LSST). The catalog is what
 * `ccdVisitTable`/`visitTable` and later calibration steps read.
 *
 * @example
 * ```ts
 * const task = new ConsolidateVisitSummaryTask();
 * const { visitSummary } = task.run({ visit: 1228, detectors: [{ detector: 0, exposure: calexp0 }, { detector: 1, exposure: calexp1 }] }).getDict();
 * visitSummary.get(0).get('psfSigma');
 * ```
 * @see lsst.pipe.tasks.postprocess.ConsolidateVisitSummaryTask
 */
export class ConsolidateVisitSummaryTask extends PipelineTask<ConsolidateVisitSummaryConfig> {
  /** {@link ConsolidateVisitSummaryConfig}. */
  static override ConfigClass = ConsolidateVisitSummaryConfig;
  /** `consolidateVisitSummary`. */
  static override _DefaultName: string | undefined = 'consolidateVisitSummary';
  /** The schema of the catalog: the minimal exposure schema, `visit`, `physical_filter`, `band` and the summary statistics. */
  readonly schema: Schema;
  /** The schema as an empty catalog (LSST's `visitSummarySchema` init-output). */
  readonly visitSummarySchema: ExposureCatalog;
  /** The statistics subtask. */
  readonly computeSummaryStats: ComputeExposureSummaryStatsTask;

  /**
   * Makes the task and its schema.
   *
   * @param options - config, name, parent task
   */
  constructor(options: PipelineTaskOptions<ConsolidateVisitSummaryConfig> = {}) {
    super(options);
    this.schema = ExposureCatalog.makeMinimalSchema();
    this.schema.addField({ name: 'visit', type: 'L', doc: 'Visit number' });
    this.schema.addField({ name: 'physical_filter', type: 'String', size: 32, doc: 'Physical filter' });
    this.schema.addField({ name: 'band', type: 'String', size: 32, doc: 'Name of band' });
    ExposureSummaryStats.updateSchema(this.schema);
    this.visitSummarySchema = new ExposureCatalog(this.schema);
    this.computeSummaryStats = this.makeSubtask<ComputeExposureSummaryStatsTask>('computeSummaryStats');
  }

  /**
   * Makes the visit summary.
   *
   * @param inputs - the visit and its detectors
   * @param inputs.visit - the visit ID (the `visit` column)
   * @param inputs.detectors - one entry per detector: the calexp, or its components
   * @returns a Struct with `visitSummary`
   * @throws {@link PipeTasksInvalidArgumentError} for no detectors, a detector listed twice, or
   *   an entry with neither an exposure nor a bbox
   */
  override run(inputs: { readonly visit: number | bigint; readonly detectors: readonly VisitSummaryDetectorInput[] }): Struct<ConsolidateVisitSummaryResult> {
    return timeMethod(this, 'run', () => {
      const { visit, detectors } = inputs;
      if (detectors.length === 0) throw new PipeTasksInvalidArgumentError(`Visit ${String(visit)}: no detectors had sufficient information to make a visit summary row.`);
      const ids = new Set<number>();
      for (const d of detectors) {
        if (ids.has(d.detector)) throw new PipeTasksInvalidArgumentError(`Detector ${d.detector} is given twice for visit ${String(visit)}; expected one entry per detector.`);
        ids.add(d.detector);
      }
      const cat = new ExposureCatalog(this.schema);
      cat.getMetadata().addComment('Catalog id is detector id, sorted.');
      cat.getMetadata().addComment('Only detectors with data have entries.');
      for (const d of [...detectors].sort((a, b) => a.detector - b.detector)) this.#fillRecord(cat, visit, d);
      this.log.info(`Consolidated ${cat.length} detectors of visit ${String(visit)}`);
      return new Struct<ConsolidateVisitSummaryResult>({ visitSummary: cat });
    });
  }

  #fillRecord(cat: ExposureCatalog, visit: number | bigint, d: VisitSummaryDetectorInput): void {
    const e = d.exposure;
    const bbox = e?.getBBox() ?? d.bbox;
    if (!(bbox instanceof Box2I)) throw new PipeTasksInvalidArgumentError(`Detector ${d.detector}: give the calexp or at least its bbox.`);
    const wcs = e === undefined ? (d.wcs ?? null) : e.getWcs();
    const psf = e === undefined ? (d.psf ?? null) : e.getPsf();
    const photoCalib = e === undefined ? (d.photoCalib ?? null) : e.getPhotoCalib();
    const visitInfo = e === undefined ? (d.visitInfo ?? null) : e.getVisitInfo();
    const filter = e === undefined ? (d.filter ?? null) : e.getFilter();
    const validPolygon = e === undefined ? (d.validPolygon ?? null) : (e.getInfo().getComponent('VALID_POLYGON') ?? null);

    const stats = new ExposureSummaryStats();
    const c = this.computeSummaryStats;
    stats.expTime = visitInfo?.getExposureTime() ?? Number.NaN;
    c.updatePsfStats(stats, psf, bbox, d.sources ?? null);
    c.updateWcsStats(stats, wcs, bbox, visitInfo);
    c.updatePhotoCalibStats(stats, photoCalib);
    c.updateBackgroundStats(stats, d.background ?? null);
    c.updateMaskedImageStats(stats, e?.getMaskedImage() ?? null);
    c.updateEffectiveTimeStats(stats, filter !== null && filter.hasBandLabel() ? filter.bandLabel : null);
    if (e !== undefined) {
      const mean = e.getMetadata().getNumber('SFM_ASTROM_OFFSET_MEAN');
      const std = e.getMetadata().getNumber('SFM_ASTROM_OFFSET_STD');
      if (mean !== undefined && std !== undefined) {
        stats.astromOffsetMean = mean;
        stats.astromOffsetStd = std;
      }
    }

    const rec = cat.addNew();
    rec.setId(d.detector);
    rec.setBBox(bbox);
    rec.set('visit', BigInt(visit));
    rec.set('physical_filter', filter !== null && filter.hasPhysicalLabel() ? filter.physicalLabel : '');
    rec.set('band', filter !== null && filter.hasBandLabel() ? filter.bandLabel : '');
    const components: [ExposureRecordComponent, unknown][] = [
      ['visitInfo', visitInfo],
      ['wcs', wcs],
      ['photoCalib', photoCalib],
      ['validPolygon', validPolygon],
    ];
    for (const [name, value] of components) {
      if (value === null) continue;
      if (archivableComponent(value) === undefined) {
        this.log.warn(`Detector ${d.detector}: its ${name} cannot be written into an afw archive by SkyStack; the record has none.`);
        continue;
      }
      rec.setComponent(name, value);
    }
    stats.updateRecord(rec);
  }

  /**
   * Reads, per detector in increasing order, the calexp (whole with `doPixelStats`, else its
   * components), its `src` and `calexpBackground` (with `doComputeSummaryStats`), makes the
   * summary and writes `visitSummary`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   * @throws {@link PipeTasksInvalidArgumentError} when a calexp reads as something else than an Exposure
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const sorted: Record<string, QuantizedRef[]> = {};
    for (const key of ['calexp', 'sources', 'background']) {
      const refs = inputRefs[key] as readonly QuantizedRef[] | undefined;
      if (refs !== undefined) sorted[key] = sortByDetector(refs);
    }
    const inputs = (await butlerQC.get({ ...inputRefs, ...sorted })) as Record<string, Handle[] | undefined>;
    const byDetector = (key: string): Map<number, Handle> => {
      const m = new Map<number, Handle>();
      (inputs[key] ?? []).forEach((h, i) => m.set(detectorOf(sorted[key]![i]!), h));
      return m;
    };
    const sources = byDetector('sources');
    const backgrounds = byDetector('background');
    const detectors: VisitSummaryDetectorInput[] = [];
    for (const [detector, handle] of byDetector('calexp')) {
      const src = this.config.doComputeSummaryStats ? ((await sources.get(detector)?.get()) as SourceCatalog | undefined) : undefined;
      const background = this.config.doComputeSummaryStats ? ((await backgrounds.get(detector)?.get()) as BackgroundList | undefined) : undefined;
      const extra = { sources: src ?? null, background: background ?? null };
      if (this.config.doPixelStats) {
        const exposure = await handle.get();
        if (!(exposure instanceof Exposure)) throw new PipeTasksInvalidArgumentError(`The calexp of detector ${detector} read as ${typeof exposure}; expected an Exposure.`);
        detectors.push({ detector, exposure, ...extra });
      } else {
        const get = (component: string): Promise<unknown> => handle.get({ component });
        detectors.push({
          detector,
          bbox: (await get('bbox')) as Box2I,
          wcs: (await get('wcs')) as SkyWcs | null,
          psf: (await get('psf')) as Psf | null,
          photoCalib: (await get('photoCalib')) as PhotoCalib | null,
          visitInfo: (await get('visitInfo')) as VisitInfo | null,
          filter: (await get('filter')) as FilterLabel | null,
          validPolygon: await get('validPolygon'),
          ...extra,
        });
      }
    }
    const visit = Number(butlerQC.quantum.dataId.get('visit'));
    await butlerQC.put(this.run({ visit, detectors }), outputRefs);
  }
}

function detectorOf(r: QuantizedRef): number {
  return Number((r instanceof DeferredDatasetRef ? r.datasetRef : r).dataId.get('detector'));
}
