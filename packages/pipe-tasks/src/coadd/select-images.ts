// BestSeeingSelectVisitsTask and BestSeeingQuantileSelectVisitsTask: which visits a patch's
// coadd uses, chosen by PSF size from the visit summaries (lsst.pipe.tasks.selectImages).
import type { ExposureCatalog } from '@skystack/afw-image';
import { Box2D, ConvexPolygon, SpherePoint, type UnitVector3d } from '@skystack/geom';
import { DictField, Field, RangeField } from '@skystack/pex-config';
import { Input, NoWorkFound, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, QuantizedRef, QuantumContext } from '@skystack/pipe-base';
import { DeferredDatasetRef } from '@skystack/pipe-base';
import type { BaseSkyMap } from '@skystack/skymap';
import { PipeTasksInvalidArgumentError } from '../errors.js';

/**
 * The connections of the visit selection tasks, per `(tract, patch, skymap, band, instrument)`:
 * the `skyMap` and every visit's summary (`finalVisitSummary`, deferred) in; the selected visits
 * (`{coaddName}Visits`, a `StructuredDataDict` of visit → true) out.
 *
 * @see lsst.pipe.tasks.selectImages.BestSeeingSelectVisitsConnections
 */
export class BestSeeingSelectVisitsConnections extends defineConnections({
  dimensions: ['tract', 'patch', 'skymap', 'band', 'instrument'],
  defaultTemplates: { coaddName: 'goodSeeing', calexpType: '' },
  connections: {
    /** The sky map. */
    skyMap: new Input({ doc: 'Input definition of geometry/bbox and projection/wcs for coadded exposures', name: 'skyMap', storageClass: 'SkyMap', dimensions: ['skymap'] }),
    /** Every visit's summary (one row per detector). */
    visitSummaries: new Input({
      doc: 'Per-visit consolidated exposure metadata',
      name: 'finalVisitSummary',
      storageClass: 'ExposureCatalog',
      dimensions: ['instrument', 'visit'],
      multiple: true,
      deferLoad: true,
    }),
    /** The selected visits. */
    goodVisits: new Output({
      doc: 'Selected visits to be coadded.',
      name: '{coaddName}Visits',
      storageClass: 'StructuredDataDict',
      dimensions: ['instrument', 'tract', 'patch', 'skymap', 'band'],
    }),
  },
}) {}

// The fields both selection configs have (LSST declares them on each).
const confirmOverlapField = (): boolean => Field.bool({ doc: 'Do remove visits that do not actually overlap the patch?', default: true });
const minMjdField = (): number | null => Field.float({ doc: 'Minimum visit MJD to select', default: null, optional: true });
const maxMjdField = (): number | null => Field.float({ doc: 'Maximum visit MJD to select', default: null, optional: true });
const minValuesField = (): Record<string, number> | null =>
  DictField({
    keytype: 'str',
    itemtype: 'float',
    doc: "Optional thresholds for visit selection. Keys are visit_summary column names(e.g. 'effTimeZeroPointScale'), and values are minimum allowed values.",
    default: null,
    optional: true,
  }) as unknown as Record<string, number> | null;

/** numpy's `round`: halves to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The config of {@link BestSeeingSelectVisitsTask}, with LSST's fields and defaults.
 *
 * @see lsst.pipe.tasks.selectImages.BestSeeingSelectVisitsConfig
 */
export class BestSeeingSelectVisitsConfig extends PipelineTaskConfig.withConnections(BestSeeingSelectVisitsConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof BestSeeingSelectVisitsConnections>>;
  /** The most visits selected (-1: all). */
  nVisitsMax = RangeField({ dtype: 'int', doc: 'Maximum number of visits to select; use -1 to select all.', default: 12, min: -1 });
  /** The widest PSF FWHM selected, arcseconds. */
  maxPsfFwhm = Field.float({ doc: 'Maximum PSF FWHM (in arcseconds) to select', default: 1.5, optional: true });
  /** The narrowest PSF FWHM selected, arcseconds. */
  minPsfFwhm = Field.float({ doc: 'Minimum PSF FWHM (in arcseconds) to select', default: 0, optional: true });
  /** Drop visits none of whose detectors overlap the patch. */
  doConfirmOverlap = confirmOverlapField();
  /** The earliest visit MJD selected. */
  minMJD = minMjdField();
  /** The latest visit MJD selected. */
  maxMJD = maxMjdField();
  /** Per visit-summary column, the smallest value every detector must have. */
  visitSummaryMinValues = minValuesField();
}

/**
 * The config of {@link BestSeeingQuantileSelectVisitsTask}, with LSST's fields and defaults.
 *
 * @see lsst.pipe.tasks.selectImages.BestSeeingQuantileSelectVisitsConfig
 */
export class BestSeeingQuantileSelectVisitsConfig extends PipelineTaskConfig.withConnections(BestSeeingSelectVisitsConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof BestSeeingSelectVisitsConnections>>;
  /** Lower bound of the seeing quantile range selected. */
  qMin = RangeField({
    doc: 'Lower bound of quantile range to select. Sorts visits by seeing from narrow to wide, and select those in the interquantile range (qMin, qMax). Set qMin to 0 for Best Seeing. This config should be changed from zero only for exploratory diffIm testing.',
    dtype: 'float',
    default: 0,
    min: 0,
    max: 1,
  });
  /** Upper bound of the seeing quantile range selected. */
  qMax = RangeField({
    doc: 'Upper bound of quantile range to select. Sorts visits by seeing from narrow to wide, and select those in the interquantile range (qMin, qMax). Set qMax to 1 for Worst Seeing.',
    dtype: 'float',
    default: 0.33,
    min: 0,
    max: 1,
  });
  /** The fewest visits selected when the quantiles give fewer (all when there are fewer). */
  nVisitsMin = Field.int({
    doc: 'The minimum number of visits to select, if qMin and qMax alone would have selected fewer. In regimes with many visits, at least this number of visits will be selected, superceding quantile when necessary. For example, if 10 visits cover this patch, qMin=0, qMax=0.33, and nVisitsMin=5, the best 5 visits will be selected, even though 5 > 0.33*10. In regimes with few visits, all available visits will be selected. For example, if 2 visits cover this patch and nVisitsMin=12, both visits will be selected regardless of qMin and qMax.',
    default: 6,
  });
  /** Drop visits none of whose detectors overlap the patch. */
  doConfirmOverlap = confirmOverlapField();
  /** The earliest visit MJD selected. */
  minMJD = minMjdField();
  /** The latest visit MJD selected. */
  maxMJD = maxMjdField();
  /** Per visit-summary column, the smallest value every detector must have. */
  visitSummaryMinValues = minValuesField();
}

/** One visit's summary as the selection tasks read it: the visit and a deferred read. */
export interface VisitSummaryHandle {
  /** The visit ID. */
  readonly visit: number;
  /** Reads the summary (an ExposureCatalog, one row per detector). */
  get(): Promise<unknown>;
}

/** The inputs of the selection tasks' `run`. */
export interface SelectVisitsInputs extends Readonly<Record<string, unknown>> {
  /** Every visit's summary. */
  readonly visitSummaries: readonly VisitSummaryHandle[];
  /** The sky map. */
  readonly skyMap: BaseSkyMap;
  /** The patch. */
  readonly dataId: {
    /** The tract. */
    readonly tract: number;
    /** The patch (sequential index). */
    readonly patch: number;
  };
}

/** What the selection tasks' `run` returns. */
export interface SelectVisitsResult {
  /**
   * The selected visits, each → true (a StructuredDataDict), in order of PSF size as LSST's
   * dict — except that a JavaScript object puts integer keys below 2³² first, in numeric order
   * (real visit IDs are larger and keep the order; the selection is used as a set anyway).
   */
  readonly goodVisits: Record<string, boolean>;
}

/**
 * The sky polygon of a patch's outer bbox (LSST's `makePatchPolygon`).
 *
 * @param skyMap - the sky map
 * @param dataId - the tract and patch
 * @returns the convex hull of the bbox corners on the sky
 */
export function makePatchPolygon(skyMap: BaseSkyMap, dataId: { readonly tract: number; readonly patch: number }): ConvexPolygon {
  const tract = skyMap.get(dataId.tract);
  const wcs = tract.getWcs();
  const corners = Box2D.fromBox2I(tract.getPatchInfo(dataId.patch).getOuterBBox()).getCorners();
  return ConvexPolygon.convexHull(corners.map((c) => wcs.pixelToSky(c).getVector()));
}

/**
 * Whether any detector of a visit summary (its `raCorners`/`decCorners`) overlaps the polygon
 * (LSST's `doesIntersectPolygon`).
 *
 * @param visitSummary - the visit summary, one row per detector
 * @param polygon - the patch polygon
 * @returns true when a detector with finite corners overlaps it
 */
export function doesIntersectPolygon(visitSummary: ExposureCatalog, polygon: ConvexPolygon): boolean {
  for (let i = 0; i < visitSummary.length; i++) {
    const row = visitSummary.get(i);
    const ra = row.get('raCorners') as ArrayLike<number>;
    const dec = row.get('decCorners') as ArrayLike<number>;
    let finite = true;
    const vectors: UnitVector3d[] = [];
    for (let k = 0; k < ra.length; k++) {
      if (!Number.isFinite(ra[k]!) || !Number.isFinite(dec[k]!)) finite = false;
      else vectors.push(SpherePoint.fromDegrees(ra[k]!, dec[k]!).getVector());
    }
    if (finite && vectors.length >= 3 && ConvexPolygon.convexHull(vectors).intersects(polygon)) return true;
  }
  return false;
}

/** Whether every detector of a visit meets the minimum values (LSST's `_meetsVisitSummaryMinValues`), logging why not. */
function meetsMinValues(visit: number, visitSummary: ExposureCatalog, minValues: Readonly<Record<string, number>>, log: { info(m: string): void }): boolean {
  for (const [column, min] of Object.entries(minValues)) {
    if (!visitSummary.schema.contains(column)) {
      throw new PipeTasksInvalidArgumentError(`visitSummaryMinValues names column '${column}', which the visit summaries do not have.`, { hint: 'Use a column of the visitSummary schema (e.g. effTime, zeroPoint).' });
    }
    for (let i = 0; i < visitSummary.length; i++) {
      const value = visitSummary.get(i).getNumber(column);
      if (!(value >= min)) {
        log.info(`Rejecting visit ${visit}: ${column} (${value}) is below the minimum (${min}).`);
        return false;
      }
    }
  }
  return true;
}

function visitMjd(visitSummary: ExposureCatalog): number {
  const date = visitSummary.length > 0 ? visitSummary.get(0).getVisitInfo()?.getDate() : null;
  return date === null || date === undefined ? Number.NaN : date.getMjd();
}

function asCatalog(read: unknown, visit: number): ExposureCatalog {
  const c = read as ExposureCatalog | null;
  if (c === null || typeof c !== 'object' || typeof (c as { get?: unknown }).get !== 'function' || typeof (c as { length?: unknown }).length !== 'number') {
    throw new PipeTasksInvalidArgumentError(`The visit summary of visit ${visit} is not an ExposureCatalog.`);
  }
  return c;
}

/** The inputs of a selection quantum: the sky map, each visit summary's handle with its visit, the patch. */
async function selectInputs(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection): Promise<SelectVisitsInputs> {
  const inputs = (await butlerQC.get(inputRefs)) as Record<string, unknown>;
  const refs = (inputRefs['visitSummaries'] ?? []) as readonly QuantizedRef[];
  const handles = (inputs['visitSummaries'] ?? []) as readonly { get(): Promise<unknown> }[];
  const visitSummaries = handles.map((h, i) => {
    const r = refs[i]!;
    return { visit: Number((r instanceof DeferredDatasetRef ? r.datasetRef : r).dataId.get('visit')), get: () => h.get() };
  });
  const dataId = butlerQC.quantum.dataId;
  return { skyMap: inputs['skyMap'] as BaseSkyMap, visitSummaries, dataId: { tract: Number(dataId.get('tract')), patch: Number(dataId.get('patch')) } };
}

/**
 * Selects up to `nVisitsMax` of the best-seeing visits for a patch's coadd: per visit, the PSF
 * FWHM is the mean over its detectors (with a WCS) of `psfSigma × pixelScale × √(8 ln 2)`;
 * visits outside `[minPsfFwhm, maxPsfFwhm]` or the MJD range, none of whose detectors overlaps
 * the patch (`doConfirmOverlap`), or below `visitSummaryMinValues` are dropped; the rest are
 * sorted by FWHM and the first `nVisitsMax` kept. `AssembleCoaddTask` with `doSelectVisits`
 * coadds only those.
 *
 * @example
 * ```ts
 * const { goodVisits } = (await new BestSeeingSelectVisitsTask().run({ visitSummaries, skyMap, dataId: { tract: 0, patch: 7 } })).getDict();
 * ```
 * @see lsst.pipe.tasks.selectImages.BestSeeingSelectVisitsTask
 */
export class BestSeeingSelectVisitsTask extends PipelineTask<BestSeeingSelectVisitsConfig> {
  /** {@link BestSeeingSelectVisitsConfig}. */
  static override ConfigClass = BestSeeingSelectVisitsConfig;
  /** `bestSeeingSelectVisits`. */
  static override _DefaultName: string | undefined = 'bestSeeingSelectVisits';

  /**
   * Selects the visits (see the class description).
   *
   * @param inputs - the visit summaries, the sky map, the patch
   * @returns the selected visits
   * @throws NoWorkFound when no visit is selected
   * @see lsst.pipe.tasks.selectImages.BestSeeingSelectVisitsTask.run
   */
  override async run(inputs: SelectVisitsInputs): Promise<Struct<SelectVisitsResult>> {
    return timeMethod(this, 'run', async () => {
      const c = this.config;
      const polygon = c.doConfirmOverlap ? makePatchPolygon(inputs.skyMap, inputs.dataId) : undefined;
      const kept: { fwhm: number; visit: number }[] = [];
      for (const handle of inputs.visitSummaries) {
        const summary = asCatalog(await handle.get(), handle.visit);
        let sum = 0;
        let n = 0;
        for (let i = 0; i < summary.length; i++) {
          const row = summary.get(i);
          if (row.getWcs() === null) continue;
          const v = row.getNumber('psfSigma') * row.getNumber('pixelScale');
          if (Number.isFinite(v)) {
            sum += v;
            n++;
          }
        }
        const fwhm = (sum / n) * Math.sqrt(8 * Math.log(2));
        const mjd = visitMjd(summary);
        if (c.maxPsfFwhm && fwhm > c.maxPsfFwhm) continue;
        if (c.minPsfFwhm && fwhm < c.minPsfFwhm) continue;
        if (c.minMJD && mjd < c.minMJD) continue;
        if (c.maxMJD && mjd > c.maxMJD) continue;
        if (polygon !== undefined && !doesIntersectPolygon(summary, polygon)) continue;
        if (c.visitSummaryMinValues && !meetsMinValues(handle.visit, summary, c.visitSummaryMinValues, this.log)) continue;
        kept.push({ fwhm, visit: handle.visit });
      }
      kept.sort((a, b) => a.fwhm - b.fwhm || a.visit - b.visit);
      const output = c.nVisitsMax < 0 ? kept : kept.slice(0, c.nVisitsMax);
      if (output.length === 0) {
        this.log.info('All images rejected in BestSeeingSelectVisitsTask.');
        throw new NoWorkFound(`No good images found for tract ${inputs.dataId.tract} patch ${inputs.dataId.patch}`);
      }
      this.log.info(`${output.length} images selected with FWHM range of ${output[0]!.fwhm}--${output[output.length - 1]!.fwhm} arcseconds`);
      return new Struct<SelectVisitsResult>({ goodVisits: Object.fromEntries(output.map((o) => [String(o.visit), true])) });
    });
  }

  /**
   * Reads the sky map and the summaries of the quantum, selects, writes the selection.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    await butlerQC.put(await this.run(await selectInputs(butlerQC, inputRefs)), outputRefs);
  }
}

/**
 * Selects a quantile range of the visits by seeing: per visit, the median `psfSigma` of its
 * detectors; the visits that overlap the patch (`doConfirmOverlap`), lie in the MJD range and
 * meet `visitSummaryMinValues` are sorted by it, and those from `round(qMin N)` to
 * `round(qMax N)` kept — at least `nVisitsMin` of them when there are that many.
 *
 * @example
 * ```ts
 * const { goodVisits } = (await new BestSeeingQuantileSelectVisitsTask().run({ visitSummaries, skyMap, dataId })).getDict();
 * ```
 * @see lsst.pipe.tasks.selectImages.BestSeeingQuantileSelectVisitsTask
 */
export class BestSeeingQuantileSelectVisitsTask extends PipelineTask<BestSeeingQuantileSelectVisitsConfig> {
  /** {@link BestSeeingQuantileSelectVisitsConfig}. */
  static override ConfigClass = BestSeeingQuantileSelectVisitsConfig;
  /** `bestSeeingQuantileSelectVisits`. */
  static override _DefaultName: string | undefined = 'bestSeeingQuantileSelectVisits';

  /**
   * Selects the visits (see the class description).
   *
   * @param inputs - the visit summaries, the sky map, the patch
   * @returns the selected visits (possibly none)
   * @see lsst.pipe.tasks.selectImages.BestSeeingQuantileSelectVisitsTask.run
   */
  override async run(inputs: SelectVisitsInputs): Promise<Struct<SelectVisitsResult>> {
    return timeMethod(this, 'run', async () => {
      const c = this.config;
      const polygon = c.doConfirmOverlap ? makePatchPolygon(inputs.skyMap, inputs.dataId) : undefined;
      const kept: { radius: number; visit: number }[] = [];
      for (const handle of inputs.visitSummaries) {
        const summary = asCatalog(await handle.get(), handle.visit);
        const sigmas: number[] = [];
        for (let i = 0; i < summary.length; i++) {
          const s = summary.get(i).getNumber('psfSigma');
          if (!Number.isNaN(s)) sigmas.push(s);
        }
        sigmas.sort((a, b) => a - b);
        const m = sigmas.length;
        const radius = m === 0 ? Number.NaN : m % 2 === 1 ? sigmas[(m - 1) / 2]! : 0.5 * (sigmas[m / 2 - 1]! + sigmas[m / 2]!);
        let ok = polygon === undefined || doesIntersectPolygon(summary, polygon);
        if (c.minMJD || c.maxMJD) {
          const mjd = visitMjd(summary);
          ok = ok && (c.minMJD ? mjd > c.minMJD : true) && (c.maxMJD ? mjd < c.maxMJD : true);
        }
        if (ok && c.visitSummaryMinValues && !meetsMinValues(handle.visit, summary, c.visitSummaryMinValues, this.log)) ok = false;
        if (ok) kept.push({ radius, visit: handle.visit });
      }
      kept.sort((a, b) => a.radius - b.radius || a.visit - b.visit);
      const n = kept.length;
      const lower = Math.min(roundHalfEven(c.qMin * n), Math.max(0, n - c.nVisitsMin));
      const upper = Math.max(roundHalfEven(c.qMax * n), c.nVisitsMin);
      const selected = kept.slice(lower, upper);
      this.log.info(`${selected.length} of ${n} overlapping visits selected (seeing quantiles ${c.qMin}–${c.qMax}, at least ${c.nVisitsMin}).`);
      return new Struct<SelectVisitsResult>({ goodVisits: Object.fromEntries(selected.map((o) => [String(o.visit), true])) });
    });
  }

  /**
   * Reads the sky map and the summaries of the quantum, selects, writes the selection.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    await butlerQC.put(await this.run(await selectInputs(butlerQC, inputRefs)), outputRefs);
  }
}
