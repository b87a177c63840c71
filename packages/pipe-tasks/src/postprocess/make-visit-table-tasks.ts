// MakeCcdVisitTableTask and MakeVisitTableTask: the per-instrument ccdVisitTable and visitTable
// (one row per detector-visit, one per visit) from the visit summaries (lsst.pipe.tasks.postprocess).
import type { ExposureCatalog, VisitInfo } from '@skystack/afw-image';
import { Field } from '@skystack/pex-config';
import { Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, QuantumContext } from '@skystack/pipe-base';
import { Float32, Float64, Int32, Int64, Utf8, type Data, type DataType, type Field as ArrowField, type Table } from 'apache-arrow';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { columnData, makeField, makeTable } from '../functors/composite-functor.js';
import { concatTables } from './concat-tables.js';
import { EXPOSURE_SUMMARY_FIELDS } from './exposure-summary-stats.js';

const INSTRUMENT = ['instrument'] as const;
const VISIT = ['instrument', 'visit'] as const;
const SECONDS_PER_DAY = 86400;

/** A deferred visit summary (daf-butler's `DeferredDatasetHandle`). */
interface SummaryHandle {
  get(): Promise<unknown>;
}

/** One output column: name, Arrow type, values, units and doc. */
interface Column {
  readonly name: string;
  readonly type: DataType;
  readonly values: Float64Array | Float32Array | Int32Array | BigInt64Array | readonly string[];
  readonly units?: string;
  readonly doc?: string;
}

function tableOf(columns: readonly Column[], length: number): Table {
  const fields: ArrowField[] = [];
  const children: Data[] = [];
  for (const c of columns) {
    fields.push(makeField(c.name, c.type, c.units ?? '', c.doc ?? ''));
    children.push(columnData(c.values as Float64Array));
  }
  return makeTable(fields, children, length);
}

function summaryUnits(name: string): string {
  return EXPOSURE_SUMMARY_FIELDS.find((f) => f.name === name)?.units ?? '';
}

/** The Arrow type and typed array of an afw field type. */
function numericColumn(catalog: ExposureCatalog, name: string, rename = name): Column {
  const field = catalog.schema.find(name);
  const col = catalog.getColumn(field.name);
  const n = catalog.length;
  switch (field.type) {
    case 'F':
      return { name: rename, type: new Float32(), values: Float32Array.from((col as Float32Array).subarray(0, n)), units: field.units, doc: field.doc };
    case 'D':
      return { name: rename, type: new Float64(), values: Float64Array.from((col as Float64Array).subarray(0, n)), units: field.units, doc: field.doc };
    case 'I':
      return { name: rename, type: new Int32(), values: Int32Array.from((col as Int32Array).subarray(0, n)), units: field.units, doc: field.doc };
    case 'L':
      return { name: rename, type: new Int64(), values: BigInt64Array.from((col as BigInt64Array).subarray(0, n)), units: field.units, doc: field.doc };
    default:
      throw new PipeTasksInvalidArgumentError(`Column '${name}' of the visit summary is of type ${field.type}; expected a number.`);
  }
}

function stringColumn(catalog: ExposureCatalog, name: string): Column {
  const values: string[] = [];
  for (const r of catalog) values.push(String(r.get(name)));
  return { name, type: new Utf8(), values };
}

function constant(name: string, value: number, n: number, units = '', doc = ''): Column {
  return { name, type: new Float64(), values: new Float64Array(n).fill(value), units, doc };
}

function firstVisitInfo(summary: ExposureCatalog): VisitInfo {
  const vi = summary.get(0).getVisitInfo();
  if (vi === null) throw new PipeTasksInvalidArgumentError(`The visit summary of visit ${String(summary.get(0).get('visit'))} has no VisitInfo in its first record; ccdVisitTable and visitTable need one.`);
  return vi;
}

function midpointMjd(vi: VisitInfo): number {
  return vi.getDate()?.getMjd('TAI') ?? Number.NaN;
}

/**
 * The connections of {@link MakeCcdVisitTableTask}, per instrument: every visit's summary
 * (`finalVisitSummary` by default, as LSST; SkyStack's DRP pipeline reads `visitSummary`) in,
 * `ccdVisitTable` (ArrowAstropy) out.
 *
 * @see lsst.pipe.tasks.postprocess.MakeCcdVisitTableConnections
 */
export class MakeCcdVisitTableConnections extends defineConnections({
  dimensions: INSTRUMENT,
  defaultTemplates: { calexpType: '' },
  connections: {
    /** The visit summaries. */
    visitSummaryRefs: new Input({
      doc: 'Data references for per-visit consolidated exposure metadata',
      name: 'finalVisitSummary',
      storageClass: 'ExposureCatalog',
      dimensions: VISIT,
      multiple: true,
      deferLoad: true,
    }),
    /** The table. */
    outputCatalog: new Output({ doc: 'CCD and Visit metadata table', name: 'ccdVisitTable', storageClass: 'ArrowAstropy', dimensions: INSTRUMENT }),
  },
}) {}

/**
 * The config of {@link MakeCcdVisitTableTask}. LSST packs `ccdVisitId` with the instrument's
 * detector-visit ID generator; SkyStack uses `visit · ccdVisitIdDetectorFactor + detector`, the
 * packing its CalibrateTask uses for exposure IDs.
 *
 * @see lsst.pipe.tasks.postprocess.MakeCcdVisitTableConfig
 */
export class MakeCcdVisitTableConfig extends PipelineTaskConfig.withConnections(MakeCcdVisitTableConnections) {
  /** The dataset type names of the connections (`config.connections.visitSummaryRefs = 'visitSummary'`). */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof MakeCcdVisitTableConnections>>;
  /** The factor of the visit in `ccdVisitId` (SkyStack). */
  ccdVisitIdDetectorFactor = Field.int({
    doc: 'ccdVisitId = visit * ccdVisitIdDetectorFactor + detector (SkyStack; LSST uses the instrument ID packer). Must exceed the largest detector ID.',
    default: 1000,
    check: (v) => v > 0,
  });
}

/** What {@link MakeCcdVisitTableTask.run} and {@link MakeVisitTableTask.run} return. */
export interface VisitTableResult {
  /** The table. */
  readonly outputCatalog: Table;
}

/**
 * Makes the `ccdVisitTable`: one row per detector of every visit summary, with LSST's columns
 * (`detectorId`, `visitId`, `physical_filter`, `band`, the summary statistics `ra`, `dec`,
 * `pixelScale`, `zenithDistance`, `expTime`, `zeroPoint`, `psfSigma`, `skyBg`, `skyNoise`,
 * `astromOffsetMean`, `astromOffsetStd`, `nPsfStar`, `effTime*`, then `ccdVisitId`, `detector`,
 * `seeing` (FWHM in arcsec: psfSigma · pixelScale · √(8 ln 2)), `skyRotation` (degrees),
 * `expMidptMJD` and `obsStartMJD` (TAI MJD), `darkTime`, `xSize`/`ySize` (`bbox_max − bbox_min`,
 * one less than the size in pixels, as LSST), and the corners `llcra` ... `lrcdec`.
 *
 * The corner columns follow LSST's mapping from `raCorners` index to name: `ll` = 0, `ul` = 1,
 * `ur` = 2, `lr` = 3, although the corners are stored lower-left, lower-right, upper-right,
 * upper-left (so LSST's `ul*` is the lower-right corner and `lr*` the upper-left one); kept for
 * compatibility with LSST's tables. Not written: the PSF-star and robustness statistics and
 * `magLim` (not computed by SkyStack), the deprecated `decl`, and the `expMidpt`/`obsStart`
 * timestamps (SkyStack's Parquet writer has no timestamp type yet; the MJD columns hold the same times).
 *
 * @example
 * ```ts
 * const { outputCatalog } = new MakeCcdVisitTableTask().run({ visitSummaries: [summary1, summary2] }).getDict();
 * outputCatalog.getChild('seeing');
 * ```
 * @see lsst.pipe.tasks.postprocess.MakeCcdVisitTableTask
 */
export class MakeCcdVisitTableTask extends PipelineTask<MakeCcdVisitTableConfig> {
  /** {@link MakeCcdVisitTableConfig}. */
  static override ConfigClass = MakeCcdVisitTableConfig;
  /** `makeCcdVisitTable`. */
  static override _DefaultName: string | undefined = 'makeCcdVisitTable';

  /**
   * Makes the table (empty summaries are skipped).
   *
   * @param inputs - the summaries
   * @param inputs.visitSummaries - the visit summaries (ConsolidateVisitSummaryTask's schema)
   * @returns a Struct with `outputCatalog`
   * @throws {@link PipeTasksInvalidArgumentError} when no summary has a record, or a summary lacks a VisitInfo or a column
   */
  override run(inputs: { readonly visitSummaries: readonly ExposureCatalog[] }): Struct<VisitTableResult> {
    return timeMethod(this, 'run', () => {
      const tables = inputs.visitSummaries.filter((s) => s.length > 0).map((s) => this.#ccdEntries(s));
      if (tables.length === 0) throw new PipeTasksInvalidArgumentError('No visit summary has a record; a ccdVisitTable needs at least one.');
      const outputCatalog = concatTables(tables, 'ccdVisit table');
      this.log.info(`Made a ccdVisitTable of ${outputCatalog.numRows} rows from ${tables.length} visits`);
      return new Struct<VisitTableResult>({ outputCatalog });
    });
  }

  #ccdEntries(summary: ExposureCatalog): Table {
    const n = summary.length;
    const vi = firstVisitInfo(summary);
    const cols: Column[] = [
      numericColumn(summary, 'id', 'detectorId'),
      numericColumn(summary, 'visit', 'visitId'),
      stringColumn(summary, 'physical_filter'),
      stringColumn(summary, 'band'),
    ];
    for (const name of ['ra', 'dec', 'pixelScale', 'zenithDistance', 'expTime', 'zeroPoint', 'psfSigma', 'skyBg', 'skyNoise', 'astromOffsetMean', 'astromOffsetStd', 'nPsfStar', 'effTime', 'effTimePsfSigmaScale', 'effTimeSkyBgScale', 'effTimeZeroPointScale']) {
      cols.push(numericColumn(summary, name));
    }
    const ids = summary.getColumn('id') as BigInt64Array;
    const visits = summary.getColumn('visit') as BigInt64Array;
    const factor = BigInt(this.config.ccdVisitIdDetectorFactor);
    cols.push({ name: 'ccdVisitId', type: new Int64(), values: BigInt64Array.from({ length: n }, (_, i) => visits[i]! * factor + ids[i]!) });
    cols.push(numericColumn(summary, 'id', 'detector'));
    const psfSigma = summary.getColumn('psfSigma') as Float32Array;
    const scale = summary.getColumn('pixelScale') as Float32Array;
    const fwhm = Math.sqrt(8 * Math.LN2);
    cols.push({ name: 'seeing', type: new Float64(), values: Float64Array.from({ length: n }, (_, i) => psfSigma[i]! * scale[i]! * fwhm), units: 'arcsec' });
    cols.push(constant('skyRotation', vi.getBoresightRotAngle().asDegrees(), n, 'degree'));
    const mid = midpointMjd(vi);
    const expTime = vi.getExposureTime();
    cols.push(constant('expMidptMJD', mid, n, 'd'));
    cols.push(constant('obsStartMJD', mid - (0.5 * expTime) / SECONDS_PER_DAY, n, 'd'));
    cols.push(constant('darkTime', vi.getDarkTime(), n, 's'));
    const size = (axis: 'x' | 'y'): Int32Array => {
      const max = summary.getColumn(`bbox_max_${axis}`) as Int32Array;
      const min = summary.getColumn(`bbox_min_${axis}`) as Int32Array;
      return Int32Array.from({ length: n }, (_, i) => max[i]! - min[i]!);
    };
    cols.push({ name: 'xSize', type: new Int32(), values: size('x') }, { name: 'ySize', type: new Int32(), values: size('y') });
    const ra = summary.getColumn('raCorners') as Float64Array;
    const dec = summary.getColumn('decCorners') as Float64Array;
    const corner = (values: Float64Array, k: number): Float64Array => Float64Array.from({ length: n }, (_, i) => values[i * 4 + k]!);
    (['ll', 'ul', 'ur', 'lr'] as const).forEach((name, k) => {
      cols.push({ name: `${name}cra`, type: new Float64(), values: corner(ra, k), units: summaryUnits('raCorners') });
      cols.push({ name: `${name}cdec`, type: new Float64(), values: corner(dec, k), units: summaryUnits('decCorners') });
    });
    return tableOf(cols, n);
  }

  /**
   * Reads the visit summaries, makes the table, writes `ccdVisitTable`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { visitSummaryRefs: SummaryHandle[] };
    const visitSummaries = (await Promise.all(inputs.visitSummaryRefs.map((h) => h.get()))) as ExposureCatalog[];
    await butlerQC.put(this.run({ visitSummaries }), outputRefs);
  }
}

/**
 * The connections of {@link MakeVisitTableTask}, per instrument: every visit's summary
 * (`finalVisitSummary` by default, as LSST) in, `visitTable` (ArrowAstropy) out.
 *
 * @see lsst.pipe.tasks.postprocess.MakeVisitTableConnections
 */
export class MakeVisitTableConnections extends defineConnections({
  dimensions: INSTRUMENT,
  defaultTemplates: { calexpType: '' },
  connections: {
    /** The visit summaries. */
    visitSummaries: new Input({
      doc: 'Per-visit consolidated exposure metadata',
      name: 'finalVisitSummary',
      storageClass: 'ExposureCatalog',
      dimensions: VISIT,
      multiple: true,
      deferLoad: true,
    }),
    /** The table. */
    outputCatalog: new Output({ doc: 'Visit metadata table', name: 'visitTable', storageClass: 'ArrowAstropy', dimensions: INSTRUMENT }),
  },
}) {}

/**
 * The config of {@link MakeVisitTableTask} (connections only, as LSST).
 *
 * @see lsst.pipe.tasks.postprocess.MakeVisitTableConfig
 */
export class MakeVisitTableConfig extends PipelineTaskConfig.withConnections(MakeVisitTableConnections) {
  /** The dataset type names of the connections (`config.connections.visitSummaries = 'visitSummary'`). */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof MakeVisitTableConnections>>;
}

/**
 * Makes the `visitTable`: one row per visit, from the first record of its summary, with LSST's
 * columns `visitId`, `visit`, `physical_filter`, `band`, the boresight `ra`, `dec`,
 * `skyRotation`, `azimuth`, `altitude`, `zenithDistance` (90° − altitude) and `airmass`,
 * `expTime`, `expMidptMJD` and `obsStartMJD` (TAI MJD). Not written: the deprecated `decl` and
 * the `expMidpt`/`obsStart` timestamps (no timestamp type in SkyStack's Parquet writer yet).
 *
 * @example
 * ```ts
 * const { outputCatalog } = new MakeVisitTableTask().run({ visitSummaries: [summary1, summary2] }).getDict();
 * outputCatalog.numRows; // 2
 * ```
 * @see lsst.pipe.tasks.postprocess.MakeVisitTableTask
 */
export class MakeVisitTableTask extends PipelineTask<MakeVisitTableConfig> {
  /** {@link MakeVisitTableConfig}. */
  static override ConfigClass = MakeVisitTableConfig;
  /** `makeVisitTable`. */
  static override _DefaultName: string | undefined = 'makeVisitTable';

  /**
   * Makes the table (empty summaries are skipped).
   *
   * @param inputs - the summaries
   * @param inputs.visitSummaries - the visit summaries
   * @returns a Struct with `outputCatalog`
   * @throws {@link PipeTasksInvalidArgumentError} when no summary has a record, or a summary's first record has no VisitInfo
   */
  override run(inputs: { readonly visitSummaries: readonly ExposureCatalog[] }): Struct<VisitTableResult> {
    return timeMethod(this, 'run', () => {
      const summaries = inputs.visitSummaries.filter((s) => s.length > 0);
      const n = summaries.length;
      if (n === 0) throw new PipeTasksInvalidArgumentError('No visit summary has a record; a visitTable needs at least one.');
      const f64 = (fn: (vi: VisitInfo) => number): Float64Array => Float64Array.from(summaries, (s) => fn(firstVisitInfo(s)));
      const visit = BigInt64Array.from(summaries, (s) => s.get(0).get('visit') as bigint);
      const str = (name: string): string[] => summaries.map((s) => String(s.get(0).get(name)));
      const radec = (vi: VisitInfo, k: 0 | 1): number => {
        const p = vi.getBoresightRaDec();
        return p === null ? Number.NaN : (k === 0 ? p.getRa() : p.getDec()).asDegrees();
      };
      const azalt = (vi: VisitInfo, k: 0 | 1): number => {
        const p = vi.getBoresightAzAlt();
        return p === null ? Number.NaN : (k === 0 ? p.getLongitude() : p.getLatitude()).asDegrees();
      };
      const cols: Column[] = [
        { name: 'visitId', type: new Int64(), values: visit },
        { name: 'visit', type: new Int64(), values: BigInt64Array.from(visit) },
        { name: 'physical_filter', type: new Utf8(), values: str('physical_filter') },
        { name: 'band', type: new Utf8(), values: str('band') },
        { name: 'ra', type: new Float64(), values: f64((vi) => radec(vi, 0)), units: 'degree' },
        { name: 'dec', type: new Float64(), values: f64((vi) => radec(vi, 1)), units: 'degree' },
        { name: 'skyRotation', type: new Float64(), values: f64((vi) => vi.getBoresightRotAngle().asDegrees()), units: 'degree' },
        { name: 'azimuth', type: new Float64(), values: f64((vi) => azalt(vi, 0)), units: 'degree' },
        { name: 'altitude', type: new Float64(), values: f64((vi) => azalt(vi, 1)), units: 'degree' },
        { name: 'zenithDistance', type: new Float64(), values: f64((vi) => 90 - azalt(vi, 1)), units: 'degree' },
        { name: 'airmass', type: new Float64(), values: f64((vi) => vi.getBoresightAirmass()) },
        { name: 'expTime', type: new Float64(), values: f64((vi) => vi.getExposureTime()), units: 's' },
        { name: 'expMidptMJD', type: new Float64(), values: f64(midpointMjd), units: 'd' },
        { name: 'obsStartMJD', type: new Float64(), values: f64((vi) => midpointMjd(vi) - (0.5 * vi.getExposureTime()) / SECONDS_PER_DAY), units: 'd' },
      ];
      const outputCatalog = tableOf(cols, n);
      this.log.info(`Made a visitTable of ${n} visits`);
      return new Struct<VisitTableResult>({ outputCatalog });
    });
  }

  /**
   * Reads the visit summaries, makes the table, writes `visitTable`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { visitSummaries: SummaryHandle[] };
    const visitSummaries = (await Promise.all(inputs.visitSummaries.map((h) => h.get()))) as ExposureCatalog[];
    await butlerQC.put(this.run({ visitSummaries }), outputRefs);
  }
}
