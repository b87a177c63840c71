// MergeMeasurementsTask: one reference measurement per object, chosen among the bands'
// deepCoadd_meas (lsst.pipe.tasks.mergeMeasurements.MergeMeasurementsTask).
import { SourceCatalog, type Schema } from '@skystack/afw-table';
import { Field, ListField } from '@skystack/pex-config';
import { InitInput, InitOutput, Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, PipelineTaskOptions, QuantizedRef, QuantumContext } from '@skystack/pipe-base';
import { PipeTasksInvalidArgumentError } from '../errors.js';

const PATCH = ['tract', 'patch', 'skymap'] as const;

/**
 * The connections of {@link MergeMeasurementsTask}, per `(tract, patch, skymap)`: the
 * `deepCoadd_meas` of every band in, `deepCoadd_ref` out; the schemas `deepCoadd_meas_schema` in
 * and `deepCoadd_ref_schema` out.
 *
 * @see lsst.pipe.tasks.mergeMeasurements.MergeMeasurementsConnections
 */
export class MergeMeasurementsConnections extends defineConnections({
  dimensions: PATCH,
  defaultTemplates: { inputCoaddName: 'deep', outputCoaddName: 'deep' },
  connections: {
    /** The schema of the measurement catalogs. */
    inputSchema: new InitInput({ doc: 'Schema for the output merged measurement catalog.', name: '{inputCoaddName}Coadd_meas_schema', storageClass: 'SourceCatalog' }),
    /** The schema of `deepCoadd_ref`. */
    outputSchema: new InitOutput({ doc: 'Schema for the output merged measurement catalog.', name: '{outputCoaddName}Coadd_ref_schema', storageClass: 'SourceCatalog' }),
    /** The measurements of each band. */
    catalogs: new Input({
      doc: 'Input catalogs to merge.',
      name: '{inputCoaddName}Coadd_meas',
      multiple: true,
      storageClass: 'SourceCatalog',
      dimensions: ['band', 'skymap', 'tract', 'patch'],
    }),
    /** The reference catalog. */
    mergedCatalog: new Output({ doc: 'Output merged catalog.', name: '{outputCoaddName}Coadd_ref', storageClass: 'SourceCatalog', dimensions: PATCH }),
  },
}) {}

/**
 * The config of {@link MergeMeasurementsTask}, with LSST's fields and defaults; `priorityList`
 * must name the bands (validate() refuses an empty list).
 *
 * @see lsst.pipe.tasks.mergeMeasurements.MergeMeasurementsConfig
 */
export class MergeMeasurementsConfig extends PipelineTaskConfig.withConnections(MergeMeasurementsConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof MergeMeasurementsConnections>>;
  /** Pseudo-bands (sky objects): a source detected only there takes its record from the priority band. */
  pseudoFilterList = ListField({ doc: 'Names of filters which may have no associated detection\n(N.b. should include MergeDetectionsConfig.skyFilterName)', dtype: 'str', default: ['sky'] });
  /** The measurement whose S/N decides (its `_instFlux`, `_instFluxErr`, `_flag`). */
  snName = Field.str({ doc: 'Name of flux measurement for calculating the S/N when choosing the reference band.', default: 'base_PsfFlux' });
  /** Below this S/N in the priority band, the band with the highest S/N is taken. */
  minSN = Field.float({ doc: 'If the S/N from the priority band is below this value (and the S/N is larger than minSNDiff compared to the priority band), use the band with the largest S/N as the reference band.', default: 10 });
  /** The S/N gain needed to leave the priority band. */
  minSNDiff = Field.float({ doc: 'If the difference in S/N between another band and the priority band is larger than this value (and the S/N in the priority band is less than minSN) use the band with the largest S/N as the reference band', default: 3 });
  /** Flags that make a band's S/N count as 0 (those missing from the schema are ignored, with a warning). */
  flags = ListField({
    doc: 'Require that these flags, if available, are not set',
    dtype: 'str',
    default: ['base_PixelFlags_flag_interpolatedCenter', 'base_PsfFlux_flag', 'ext_photometryKron_KronFlux_flag', 'modelfit_CModel_flag'],
  });
  /** The bands in priority order. */
  priorityList = ListField({ doc: 'Priority-ordered list of filter bands for the merge.', dtype: 'str', default: [] });
  /** Coadd name. */
  coaddName = Field.str({ doc: 'Name of coadd', default: 'deep' });

  /**
   * Checks the config.
   *
   * @throws {@link PipeTasksInvalidArgumentError} when `priorityList` is empty
   */
  override validate(): void {
    super.validate();
    if (this.priorityList.length === 0) throw new PipeTasksInvalidArgumentError('No priority list provided: MergeMeasurementsConfig.priorityList must name the bands.');
  }
}

/** The inputs of {@link MergeMeasurementsTask.run}. */
export interface MergeMeasurementsInputs extends Readonly<Record<string, unknown>> {
  /** The measurement catalog of each band (all rows aligned: the same sources in the same order). */
  readonly catalogs: ReadonlyMap<string, SourceCatalog> | Readonly<Record<string, SourceCatalog>>;
}

/** What {@link MergeMeasurementsTask.run} returns. */
export interface MergeMeasurementsResult {
  /** The reference catalog (`deepCoadd_ref`), `merge_measurement_<band>` naming each record's band. */
  readonly mergedCatalog: SourceCatalog;
}

/**
 * Chooses, for each source, the band whose measurement becomes the reference (`deepCoadd_ref`):
 * the first band of `priorityList` in which the source was detected (`merge_footprint_<band>`
 * for a parent, `merge_peak_<band>` for a deblended child), unless its S/N there (`snName`) is
 * below `minSN` and another band's is more than `minSNDiff` higher, in which case the band of
 * highest S/N. A source found only in a pseudo-band (sky objects) takes the priority band's
 * record. The chosen record is copied and `merge_measurement_<band>` set.
 *
 * @example
 * ```ts
 * const config = new MergeMeasurementsConfig();
 * config.priorityList = ['i', 'r', 'g'];
 * const task = new MergeMeasurementsTask({ config, schema: measureTask.schema });
 * const { mergedCatalog } = task.run({ catalogs: { g: measG, r: measR, i: measI } }).getDict();
 * ```
 * @see lsst.pipe.tasks.mergeMeasurements.MergeMeasurementsTask
 */
export class MergeMeasurementsTask extends PipelineTask<MergeMeasurementsConfig> {
  /** {@link MergeMeasurementsConfig}. */
  static override ConfigClass = MergeMeasurementsConfig;
  /** `mergeCoaddMeasurements`. */
  static override _DefaultName: string | undefined = 'mergeCoaddMeasurements';
  /** The schema of `deepCoadd_ref`: the input schema plus `merge_measurement_<band>`. */
  readonly schema: Schema;
  /** The output schema as an empty catalog (init-output). */
  readonly outputSchema: SourceCatalog;
  readonly #badFlags: readonly string[];

  /**
   * Makes the task and the output schema.
   *
   * @param options - config, and the measurement schema (`schema` or `initInputs.inputSchema`)
   * @throws {@link PipeTasksInvalidArgumentError} without a schema, or when it lacks the S/N fields
   */
  constructor(options: PipelineTaskOptions<MergeMeasurementsConfig> & { readonly schema?: Schema } = {}) {
    super(options);
    const fromInit = options.initInputs?.['inputSchema'] as { schema?: Schema } | undefined;
    const input = options.schema ?? fromInit?.schema;
    if (input === undefined) throw new PipeTasksInvalidArgumentError('MergeMeasurementsTask needs the deepCoadd_meas schema ({ schema } or initInputs.inputSchema).');
    const sn = this.config.snName;
    for (const f of [`${sn}_instFlux`, `${sn}_instFluxErr`]) {
      if (!input.contains(f)) throw new PipeTasksInvalidArgumentError(`The measurement schema lacks '${f}' (config.snName = '${sn}').`);
    }
    const schema = input.clone();
    for (const band of this.config.priorityList) {
      if (!schema.contains(`merge_measurement_${band}`)) schema.addField({ name: `merge_measurement_${band}`, type: 'Flag', doc: `Flag field set if the measurements here are from the ${band} filter` });
    }
    this.schema = schema;
    this.outputSchema = new SourceCatalog(schema);
    this.#badFlags = this.config.flags.filter((f) => {
      if (input.contains(f)) return true;
      this.log.warn(`Can't find flag ${f} in schema`);
      return false;
    });
  }

  /**
   * Merges the measurements (see the class description).
   *
   * @param inputs - the catalogs by band
   * @returns the reference catalog
   * @throws {@link PipeTasksInvalidArgumentError} when no catalog is of a priority band, the
   *   catalogs differ in length, or a source has no band to take its record from
   * @see lsst.pipe.tasks.mergeMeasurements.MergeMeasurementsTask.run
   */
  override run(inputs: MergeMeasurementsInputs): Struct<MergeMeasurementsResult> {
    return timeMethod(this, 'run', () => {
      const catalogs = inputs.catalogs instanceof Map ? inputs.catalogs : new Map(Object.entries(inputs.catalogs));
      const bands = this.config.priorityList.filter((b) => catalogs.has(b));
      if (bands.length === 0) throw new PipeTasksInvalidArgumentError(`None of the bands ${[...catalogs.keys()].join(', ')} is in priorityList (${this.config.priorityList.join(', ')}).`);
      const cats = bands.map((b) => catalogs.get(b)!);
      const n = cats[0]!.length;
      if (cats.some((c) => c.length !== n)) {
        throw new PipeTasksInvalidArgumentError(`The measurement catalogs differ in length (${bands.map((b, i) => `${b}: ${cats[i]!.length}`).join(', ')}); they must hold the same sources in the same order.`);
      }
      const col = (c: SourceCatalog, name: string): ArrayLike<number> | undefined => (c.schema.contains(name) ? (c.getColumn(name) as unknown as ArrayLike<number>) : undefined);
      const sn = this.config.snName;
      const per = cats.map((c, k) => ({
        parent: c.getColumn('parent') as BigInt64Array,
        footprint: col(c, `merge_footprint_${bands[k]}`),
        peak: col(c, `merge_peak_${bands[k]}`),
        flux: col(c, `${sn}_instFlux`)!,
        err: col(c, `${sn}_instFluxErr`)!,
        fluxFlag: col(c, `${sn}_flag`),
        bad: this.#badFlags.map((f) => col(c, f)!),
        pseudo: this.config.pseudoFilterList.map((p) => col(c, `merge_peak_${p}`)).filter((x) => x !== undefined),
      }));
      const out = new SourceCatalog(this.schema, { length: n });
      const chosen = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let maxSN = 0;
        let maxK = -1;
        let priorityK = -1;
        let prioritySN = 0;
        let pseudo = false;
        for (let k = 0; k < cats.length; k++) {
          const p = per[k]!;
          const isParent = p.parent[i] === 0n && Boolean(p.footprint?.[i]);
          const isChild = p.parent[i] !== 0n && Boolean(p.peak?.[i]);
          if (!isParent && !isChild) {
            if (p.pseudo.some((f) => Boolean(f[i]))) {
              pseudo = true;
              priorityK = k;
              break;
            }
          }
          const bad = p.bad.some((f) => Boolean(f[i])) || Boolean(p.fluxFlag?.[i]) || p.err[i] === 0;
          let s = bad ? 0 : p.flux[i]! / p.err[i]!;
          if (!(s >= 0)) s = 0;
          if ((isParent || isChild) && priorityK < 0) {
            priorityK = k;
            prioritySN = s;
          }
          if (s > maxSN) {
            maxSN = s;
            maxK = k;
          }
        }
        let best = priorityK;
        if (!pseudo && prioritySN < this.config.minSN && maxSN - prioritySN > this.config.minSNDiff && maxK >= 0) best = maxK;
        if (best < 0) {
          throw new PipeTasksInvalidArgumentError(`Error in inputs to MergeCoaddMeasurements: no valid reference for source ${String(cats[0]!.getColumn('id')[i])}.`, {
            hint: 'Each source must be flagged merge_footprint_<band> / merge_peak_<band> for a band of priorityList (or a pseudo-band).',
          });
        }
        chosen[i] = best;
      }
      // Copy the chosen rows column by column.
      for (const f of cats[0]!.schema.getFields()) {
        if (!this.schema.contains(f.name)) continue;
        const dst = out.getColumn(f.name) as unknown as { [k: number]: unknown };
        const srcs = cats.map((c) => c.getColumn(f.name) as unknown as { [k: number]: unknown; length: number });
        const size = srcs[0]!.length / Math.max(1, n);
        for (let i = 0; i < n; i++) for (let e = 0; e < size; e++) dst[i * size + e] = srcs[chosen[i]!]![i * size + e];
      }
      for (let i = 0; i < n; i++) {
        out.setFootprint(i, cats[chosen[i]!]!.getFootprint(i));
        out.get(i).set(`merge_measurement_${bands[chosen[i]!]}`, true);
      }
      this.log.info(`Merged measurements of ${n} sources from bands ${bands.join(', ')}`);
      return new Struct<MergeMeasurementsResult>({ mergedCatalog: out });
    });
  }

  /**
   * Reads the measurement catalogs, runs, writes `deepCoadd_ref`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { catalogs: SourceCatalog[] };
    const refs = inputRefs['catalogs'] as readonly QuantizedRef[];
    const catalogs = new Map<string, SourceCatalog>();
    refs.forEach((ref, i) => catalogs.set(String((ref as { dataId: { get(k: string): unknown } }).dataId.get('band')), inputs.catalogs[i]!));
    await butlerQC.put(this.run({ catalogs }), outputRefs);
  }
}
