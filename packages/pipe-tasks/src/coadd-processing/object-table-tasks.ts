// The object table of a patch and a tract: WriteObjectTableTask (deepCoadd_ref, _meas,
// _forced_src of every band side by side as deepCoadd_obj), TransformObjectCatalogTask (the
// functors of an object functor file, per band: objectTable) and ConsolidateObjectTableTask
// (the patches of a tract: objectTable_tract), as lsst.pipe.tasks.postprocess.
import { ARROW_DOC_KEY, ARROW_UNITS_KEY, type SourceCatalog } from '@skystack/afw-table';
import { ChoiceField, Field, ListField } from '@skystack/pex-config';
import { Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections, timeMethod } from '@skystack/pipe-base';
import type { ConnectionNames, ConnectionsConfig, InputQuantizedConnection, OutputQuantizedConnection, QuantizedRef, QuantumContext } from '@skystack/pipe-base';
import { Bool, Field as ArrowField, Float32, Float64, Int16, Int32, Int64, Table, Utf8, makeData, type Data, type DataType, type Vector } from 'apache-arrow';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import type { ColumnValues } from '../functors.js';
import { columnData, makeField, makeTable, type SkippedFunctor } from '../functors/composite-functor.js';
import { loadFunctorFile, parseFunctorDefinition } from '../functors/functor-file.js';
import { concatTables } from '../postprocess/concat-tables.js';

const PATCH = ['tract', 'patch', 'skymap'] as const;
const TRACT = ['tract', 'skymap'] as const;

/** The datasets of a `deepCoadd_obj` table. */
export const OBJECT_DATASETS = Object.freeze(['meas', 'forced_src', 'ref'] as const);
/** One of {@link OBJECT_DATASETS}. */
export type ObjectDataset = (typeof OBJECT_DATASETS)[number];

/**
 * The name of a `deepCoadd_obj` column: pandas' string form of the `(dataset, band, column)`
 * column multi-index, `('meas', 'g', 'base_PsfFlux_instFlux')`.
 *
 * @param dataset - `meas`, `forced_src` or `ref`
 * @param band - the band
 * @param column - the catalog column
 * @returns the column name
 * @example
 * ```ts
 * objectColumnName('ref', 'r', 'coord_ra'); // "('ref', 'r', 'coord_ra')"
 * ```
 */
export function objectColumnName(dataset: string, band: string, column: string): string {
  return `('${dataset}', '${band}', '${column}')`;
}

/** The parts of a `deepCoadd_obj` column name. */
export interface ObjectColumnParts {
  /** `meas`, `forced_src` or `ref`. */
  readonly dataset: string;
  /** The band. */
  readonly band: string;
  /** The catalog column. */
  readonly column: string;
}

/**
 * Splits a `deepCoadd_obj` column name made by {@link objectColumnName}.
 *
 * @param name - the column name
 * @returns dataset, band and column, or undefined for another name
 * @example
 * ```ts
 * parseObjectColumnName("('meas', 'g', 'id')"); // { dataset: 'meas', band: 'g', column: 'id' }
 * ```
 */
export function parseObjectColumnName(name: string): ObjectColumnParts | undefined {
  const m = /^\('([^']*)', '([^']*)', '(.*)'\)$/.exec(name);
  return m === null ? undefined : { dataset: m[1]!, band: m[2]!, column: m[3]! };
}

/**
 * The connections of {@link WriteObjectTableTask}, per `(tract, patch, skymap)`: the
 * `deepCoadd_meas` and `deepCoadd_forced_src` of every band and `deepCoadd_ref` in,
 * `deepCoadd_obj` out.
 *
 * @see lsst.pipe.tasks.postprocess.WriteObjectTableConnections
 */
export class WriteObjectTableConnections extends defineConnections({
  dimensions: PATCH,
  defaultTemplates: { coaddName: 'deep' },
  connections: {
    /** The measurements of each band. */
    inputCatalogMeas: new Input({
      doc: 'Catalog of source measurements on the deepCoadd.',
      name: '{coaddName}Coadd_meas',
      storageClass: 'SourceCatalog',
      dimensions: ['tract', 'patch', 'band', 'skymap'],
      multiple: true,
    }),
    /** The forced measurements of each band. */
    inputCatalogForcedSrc: new Input({
      doc: 'Catalog of forced measurements (shape and position parameters held fixed) on the deepCoadd.',
      name: '{coaddName}Coadd_forced_src',
      storageClass: 'SourceCatalog',
      dimensions: ['tract', 'patch', 'band', 'skymap'],
      multiple: true,
    }),
    /** The reference catalog. */
    inputCatalogRef: new Input({
      doc: 'Catalog marking the primary detection (which band provides a good shape and position)for each detection in deepCoadd_mergeDet.',
      name: '{coaddName}Coadd_ref',
      storageClass: 'SourceCatalog',
      dimensions: PATCH,
    }),
    /** The object table of the patch, every dataset and band side by side. */
    outputCatalog: new Output({
      doc: 'A vertical concatenation of the deepCoadd_{ref|meas|forced_src} catalogs, stored as a DataFrame with a multi-level column index per-patch.',
      name: '{coaddName}Coadd_obj',
      storageClass: 'DataFrame',
      dimensions: PATCH,
    }),
  },
}) {}

/**
 * The config of {@link WriteObjectTableTask}.
 *
 * @see lsst.pipe.tasks.postprocess.WriteObjectTableConfig
 */
export class WriteObjectTableConfig extends PipelineTaskConfig.withConnections(WriteObjectTableConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof WriteObjectTableConnections>>;
}

/** The inputs of {@link WriteObjectTableTask.run}. */
export interface WriteObjectTableInputs extends Readonly<Record<string, unknown>> {
  /** Each band's `deepCoadd_meas`. */
  readonly measCatalogs: ReadonlyMap<string, SourceCatalog> | Readonly<Record<string, SourceCatalog>>;
  /** Each band's `deepCoadd_forced_src`. */
  readonly forcedCatalogs: ReadonlyMap<string, SourceCatalog> | Readonly<Record<string, SourceCatalog>>;
  /** The `deepCoadd_ref`. */
  readonly refCatalog: SourceCatalog;
}

/** What {@link WriteObjectTableTask.run} returns. */
export interface WriteObjectTableResult {
  /** The `deepCoadd_obj` table (columns named by {@link objectColumnName}). */
  readonly outputCatalog: Table;
}

/**
 * Puts the catalogs of a patch side by side as one table, `deepCoadd_obj`: for each band (in
 * alphabetical order) the `meas`, `forced_src` and `ref` catalogs (the reference repeated per
 * band, as LSST), every column named `('dataset', 'band', 'column')` as pandas writes LSST's
 * multi-level column index; the reference catalog's metadata (slot aliases) is the table's. All catalogs must hold the same sources in the same order.
 *
 * @example
 * ```ts
 * const { outputCatalog } = new WriteObjectTableTask().run({ measCatalogs: { g: measG, r: measR }, forcedCatalogs: { g: fG, r: fR }, refCatalog: ref }).getDict();
 * outputCatalog.getChild("('forced_src', 'g', 'base_PsfFlux_instFlux')");
 * ```
 * @see lsst.pipe.tasks.postprocess.WriteObjectTableTask
 */
export class WriteObjectTableTask extends PipelineTask<WriteObjectTableConfig> {
  /** {@link WriteObjectTableConfig}. */
  static override ConfigClass = WriteObjectTableConfig;
  /** `writeObjectTable`. */
  static override _DefaultName: string | undefined = 'writeObjectTable';

  /**
   * Builds the table (see the class description).
   *
   * @param inputs - the catalogs
   * @returns the `deepCoadd_obj` table
   * @throws {@link PipeTasksInvalidArgumentError} when the bands of meas and forced_src differ or
   *   the catalogs differ in length
   * @see lsst.pipe.tasks.postprocess.WriteObjectTableTask.run
   */
  override run(inputs: WriteObjectTableInputs): Struct<WriteObjectTableResult> {
    return timeMethod(this, 'run', () => {
      const meas = toMap(inputs.measCatalogs);
      const forced = toMap(inputs.forcedCatalogs);
      const bands = [...meas.keys()].sort();
      const fb = [...forced.keys()].sort();
      if (bands.join(',') !== fb.join(',') || bands.length === 0) {
        throw new PipeTasksInvalidArgumentError(`The bands of deepCoadd_meas (${bands.join(', ') || 'none'}) and deepCoadd_forced_src (${fb.join(', ') || 'none'}) must be the same, and not none.`);
      }
      const n = inputs.refCatalog.length;
      const refTable = inputs.refCatalog.toArrow();
      const fields: ArrowField[] = [];
      const children: Data[] = [];
      for (const band of bands) {
        const sets: [ObjectDataset, SourceCatalog][] = [
          ['meas', meas.get(band)!],
          ['forced_src', forced.get(band)!],
          ['ref', inputs.refCatalog],
        ];
        for (const [dataset, cat] of sets) {
          if (cat.length !== n) throw new PipeTasksInvalidArgumentError(`deepCoadd_${dataset} of band ${band} has ${cat.length} rows; deepCoadd_ref has ${n}. They must hold the same sources.`);
          const table = cat === inputs.refCatalog ? refTable : cat.toArrow();
          table.schema.fields.forEach((f, i) => {
            fields.push(new ArrowField(objectColumnName(dataset, band, f.name), f.type, f.nullable, f.metadata));
            children.push(singleChunk(table.getChildAt(i)!));
          });
        }
      }
      this.log.info(`Made deepCoadd_obj of ${n} rows and ${fields.length} columns for bands ${bands.join(', ')}`);
      // the reference catalog's metadata (its slot aliases) goes with the table
      return new Struct<WriteObjectTableResult>({ outputCatalog: withMetadata(makeTable(fields, children, n), refTable.schema.metadata) });
    });
  }

  /**
   * Reads the catalogs, runs, writes `deepCoadd_obj`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { inputCatalogMeas: SourceCatalog[]; inputCatalogForcedSrc: SourceCatalog[]; inputCatalogRef: SourceCatalog };
    const byBand = (name: string, cats: SourceCatalog[]): Map<string, SourceCatalog> => {
      const refs = inputRefs[name] as readonly QuantizedRef[];
      return new Map(refs.map((ref, i) => [String((ref as { dataId: { get(k: string): unknown } }).dataId.get('band')), cats[i]!]));
    };
    const res = this.run({
      measCatalogs: byBand('inputCatalogMeas', inputs.inputCatalogMeas),
      forcedCatalogs: byBand('inputCatalogForcedSrc', inputs.inputCatalogForcedSrc),
      refCatalog: inputs.inputCatalogRef,
    });
    await butlerQC.put(res, outputRefs);
  }
}

/**
 * SkyStack's object functor definition, in the layout of LSST's functor YAML (`schemas/Object.yaml`):
 * `dataset` says which catalog of `deepCoadd_obj` a functor reads (default `ref`); `ref`
 * columns are written once (`coord_ra`, `refExtendedness`, ...), the others once per band as
 * `{band}_{name}` (`g_psfFlux`). `units` (a SkyStack key) overrides the units of an output
 * column: coadd instrumental fluxes are nJy (coadds have `PhotoCalib(1)` and `BUNIT = nJy`).
 * `refFlags` are `ref` columns, `flags` per-band `meas` columns, `forcedFlags` per-band
 * `forced_src` columns.
 */
export const DEFAULT_OBJECT_FUNCTORS: Readonly<Record<string, unknown>> = Object.freeze({
  funcs: {
    objectId: { functor: 'Column', args: 'id', dataset: 'ref' },
    parentObjectId: { functor: 'Column', args: 'parent', dataset: 'ref' },
    coord_ra: { functor: 'RAColumn', dataset: 'ref' },
    coord_dec: { functor: 'DecColumn', dataset: 'ref' },
    x: { functor: 'Column', args: 'slot_Centroid_x', dataset: 'ref' },
    y: { functor: 'Column', args: 'slot_Centroid_y', dataset: 'ref' },
    refExtendedness: { functor: 'Column', args: 'base_ClassificationExtendedness_value', dataset: 'ref' },
    psfFlux: { functor: 'Column', args: 'base_PsfFlux_instFlux', dataset: 'forced_src', units: 'nJy' },
    psfFluxErr: { functor: 'Column', args: 'base_PsfFlux_instFluxErr', dataset: 'forced_src', units: 'nJy' },
    psfFlux_flag: { functor: 'Column', args: 'base_PsfFlux_flag', dataset: 'forced_src' },
    gaussianFlux: { functor: 'Column', args: 'base_GaussianFlux_instFlux', dataset: 'meas', units: 'nJy' },
    gaussianFluxErr: { functor: 'Column', args: 'base_GaussianFlux_instFluxErr', dataset: 'meas', units: 'nJy' },
    extendedness: { functor: 'Column', args: 'base_ClassificationExtendedness_value', dataset: 'meas' },
    ixx: { functor: 'Column', args: 'slot_Shape_xx', dataset: 'meas' },
    iyy: { functor: 'Column', args: 'slot_Shape_yy', dataset: 'meas' },
    ixy: { functor: 'Column', args: 'slot_Shape_xy', dataset: 'meas' },
  },
  refFlags: ['detect_isPrimary', 'detect_isPatchInner', 'detect_isTractInner', 'detect_isDeblendedSource', 'merge_peak_sky', 'deblend_nChild'],
  flags: ['base_PixelFlags_flag_edge', 'base_PixelFlags_flag_saturatedCenter', 'base_PixelFlags_flag_interpolatedCenter'],
  optional: ['ixx', 'iyy', 'ixy'],
});

/**
 * The connections of {@link TransformObjectCatalogTask}, per `(tract, patch, skymap)`:
 * `deepCoadd_obj` in (read lazily), `objectTable` out.
 *
 * @see lsst.pipe.tasks.postprocess.TransformObjectCatalogConnections
 */
export class TransformObjectCatalogConnections extends defineConnections({
  dimensions: PATCH,
  defaultTemplates: { coaddName: 'deep' },
  connections: {
    /** The `deepCoadd_obj` table. */
    inputCatalog: new Input({
      doc: 'The vertical concatenation of the {coaddName}_{meas|forced_src|ref} catalogs, stored as a DataFrame with a multi-level column index per-patch.',
      name: '{coaddName}Coadd_obj',
      storageClass: 'DataFrame',
      dimensions: PATCH,
      deferLoad: true,
    }),
    /** The object table of the patch. */
    outputCatalog: new Output({ doc: 'Per-Patch Object Table of columns transformed from the deepCoadd_obj table per the standard data model.', name: 'objectTable', storageClass: 'ArrowAstropy', dimensions: PATCH }),
  },
}) {}

/**
 * The config of {@link TransformObjectCatalogTask}: LSST's `TransformObjectCatalogConfig` fields
 * and defaults; `functorFile` null means {@link DEFAULT_OBJECT_FUNCTORS}. `multilevelOutput` true
 * is not supported (validate() refuses it).
 *
 * @see lsst.pipe.tasks.postprocess.TransformObjectCatalogConfig
 */
export class TransformObjectCatalogConfig extends PipelineTaskConfig.withConnections(TransformObjectCatalogConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof TransformObjectCatalogConnections>>;
  /** The functor YAML file (null: {@link DEFAULT_OBJECT_FUNCTORS}). */
  functorFile = Field.str({
    doc: 'Path to YAML file specifying Science Data Model functors to use when copying columns and computing calibrated values.',
    default: null,
    optional: true,
  });
  /** The column put first. */
  primaryKey = Field.str({ doc: 'Name of column to be set as the DataFrame index. If None, the indexis either lost or moved to the first column.', default: 'objectId', optional: true });
  /** Data ID keys added as constant columns. */
  columnsFromDataId = ListField({ doc: 'Columns to extract from the dataId', dtype: 'str', default: ['tract', 'patch'], optional: true });
  /** The bands of the output (null: those of the input); missing bands are filled. */
  outputBands = ListField({ doc: 'These bands and only these bands will appear in the output, NaN-filled if the input does not include them. If None, then use all bands found in the input.', dtype: 'str', default: null, optional: true });
  /** camelCase per-band names (`gPsfFlux`) instead of `g_psfFlux`. */
  camelCase = Field.bool({ doc: 'Write per-band columns names with camelCase, else underscore For example: gPsFlux instead of g_PsFlux.', default: false });
  /** A multi-level (band, column) output (not supported). */
  multilevelOutput = Field.bool({ doc: 'Whether results dataframe should have a multilevel column index (True) or be flat and name-munged (False).', default: false });
  /** Flags set true where a band is missing (others false). */
  goodFlags = ListField({ doc: 'List of \'good\' flags that should be set False when populating empty tables. All other flags are considered to be \'bad\' flags and will be set to True.', dtype: 'str', default: [] });
  /** Fill value of floating-point columns of missing bands. */
  floatFill = Field.float({ doc: 'Fill value for float fields when populating empty tables.', default: Number.NaN });
  /** Fill value of integer columns of missing bands. */
  integerFill = Field.int({ doc: 'Fill value for integer fields when populating empty tables.', default: -1 });
  /** What to do when functors' input columns are missing (SkyStack, as TransformSourceTableConfig). */
  onMissingColumns = ChoiceField({
    doc: "What to do when the input lacks columns that functors read: 'raise' (as LSST) or 'skip'. Outputs listed under 'optional' are always skipped.",
    dtype: 'str',
    default: 'raise',
    allowed: { raise: 'fail, naming the missing columns', skip: 'leave the affected output columns out' },
  });

  /**
   * Checks the config.
   *
   * @throws {@link PipeTasksInvalidArgumentError} for `multilevelOutput`
   */
  override validate(): void {
    super.validate();
    if (this.multilevelOutput) throw new PipeTasksInvalidArgumentError('multilevelOutput is not supported by SkyStack; the object table is flat ({band}_{column}).');
  }
}

/** The inputs of {@link TransformObjectCatalogTask.run}. */
export interface TransformObjectCatalogInputs extends Readonly<Record<string, unknown>> {
  /** The `deepCoadd_obj` table. */
  readonly inputCatalog: Table;
  /** The data ID, for `columnsFromDataId`. */
  readonly dataId?: Readonly<Record<string, unknown>>;
  /** A functor definition in LSST's YAML layout (default: the config's file or {@link DEFAULT_OBJECT_FUNCTORS}). */
  readonly definition?: unknown;
}

/** What {@link TransformObjectCatalogTask.run} returns. */
export interface TransformObjectCatalogResult {
  /** The object table. */
  readonly outputCatalog: Table;
  /** Functors left out for missing inputs (per band, with the band-prefixed column name). */
  readonly skipped: readonly SkippedFunctor[];
}

interface DatasetGroup {
  readonly definition: Record<string, unknown>;
  readonly perBand: boolean;
}

/**
 * Transforms `deepCoadd_obj` into the DPDD-style `objectTable` of a patch: each functor of the
 * object functor definition evaluated on its dataset (`ref`: once; `meas`, `forced_src`: per
 * band, named `{band}_{column}`), the primary key (`objectId`) first, the data ID columns
 * (`tract`, `patch`) last; bands of `outputBands` missing from the input are filled
 * (`floatFill`, `integerFill`, flags true unless in `goodFlags`).
 *
 * @example
 * ```ts
 * const { outputCatalog } = (await new TransformObjectCatalogTask().run({ inputCatalog: obj, dataId: { tract: 0, patch: 4 } })).getDict();
 * outputCatalog.getChild('g_psfFlux'); // nJy
 * ```
 * @see lsst.pipe.tasks.postprocess.TransformObjectCatalogTask
 */
export class TransformObjectCatalogTask extends PipelineTask<TransformObjectCatalogConfig> {
  /** {@link TransformObjectCatalogConfig}. */
  static override ConfigClass = TransformObjectCatalogConfig;
  /** `transformObjectCatalog`. */
  static override _DefaultName: string | undefined = 'transformObjectCatalog';

  /**
   * Transforms the table (see the class description).
   *
   * @param inputs - the `deepCoadd_obj` table, the data ID, optionally the functor definition
   * @returns the object table and the skipped functors
   * @throws {@link MissingColumnsError} when inputs are missing (`onMissingColumns: raise`)
   * @throws {@link PipeTasksInvalidArgumentError} when the table has no `ref` columns, or a
   *   `columnsFromDataId` key is not in the data ID
   * @see lsst.pipe.tasks.postprocess.TransformObjectCatalogTask.run
   */
  override async run(inputs: TransformObjectCatalogInputs): Promise<Struct<TransformObjectCatalogResult>> {
    const definition = inputs.definition ?? (this.config.functorFile === null ? DEFAULT_OBJECT_FUNCTORS : undefined);
    const def = (definition ?? (await readYamlDefinition(this.config.functorFile!))) as Record<string, unknown>;
    return timeMethod(this, 'run', () => this.#run(inputs, def));
  }

  #run(inputs: TransformObjectCatalogInputs, def: Record<string, unknown>): Struct<TransformObjectCatalogResult> {
    const split = splitObjectTable(inputs.inputCatalog);
    const inputBands = [...split.keys()].sort();
    if (inputBands.length === 0) throw new PipeTasksInvalidArgumentError('The deepCoadd_obj table has no columns named (dataset, band, column).');
    const outputBands = this.config.outputBands ?? inputBands;
    const groups = groupByDataset(def);
    const units = unitOverrides(def);
    const n = inputs.inputCatalog.numRows;
    const fields: ArrowField[] = [];
    const children: Data[] = [];
    const skipped: SkippedFunctor[] = [];
    const onMissing = this.config.onMissingColumns === 'skip' ? 'skip' : 'raise';
    const evaluate = (dataset: string, band: string, group: DatasetGroup): Table => {
      const parsed = parseFunctorDefinition(group.definition);
      const source = split.get(band)?.get(dataset);
      if (source === undefined) throw new PipeTasksInvalidArgumentError(`The deepCoadd_obj table has no '${dataset}' columns for band ${band}.`);
      const res = parsed.funcs.evaluateTable(source, { onMissing, optional: parsed.optional });
      for (const s of res.skipped) skipped.push(group.perBand ? { ...s, column: this.#bandName(band, s.column) } : s);
      return res.table;
    };
    const push = (table: Table, rename: (c: string) => string, base: (c: string) => string): void => {
      table.schema.fields.forEach((f, i) => {
        const u = units.get(base(f.name));
        const field = u === undefined ? f : makeField(f.name, f.type, u, f.metadata.get(ARROW_DOC_KEY) ?? '');
        fields.push(new ArrowField(rename(f.name), field.type, field.nullable, field.metadata));
        children.push(singleChunk(table.getChildAt(i)!));
      });
    };
    const ref = groups.get('ref');
    if (ref !== undefined) push(evaluate('ref', inputBands[0]!, ref), (c) => c, (c) => c);
    for (const band of outputBands) {
      for (const [dataset, group] of groups) {
        if (!group.perBand) continue;
        if (split.has(band)) {
          push(evaluate(dataset, band, group), (c) => this.#bandName(band, c), (c) => c);
        } else {
          // a band of outputBands that the input lacks: the first band's columns, filled
          const like = evaluate(dataset, inputBands[0]!, group);
          like.schema.fields.forEach((f) => {
            const u = units.get(f.name);
            fields.push(makeField(this.#bandName(band, f.name), f.type, u ?? f.metadata.get(ARROW_UNITS_KEY) ?? '', f.metadata.get(ARROW_DOC_KEY) ?? ''));
            children.push(fillData(f.type, n, this.config.goodFlags.includes(f.name), this.config.floatFill, this.config.integerFill));
          });
        }
      }
    }
    let table = makeTable(fields, children, n);
    table = finishObjectTable(table, this.config.primaryKey, this.config.columnsFromDataId ?? [], inputs.dataId);
    this.log.info(`Made an object table of ${table.numCols} columns and ${table.numRows} rows for bands ${outputBands.join(', ')}`);
    return new Struct<TransformObjectCatalogResult>({ outputCatalog: table, skipped });
  }

  #bandName(band: string, column: string): string {
    return this.config.camelCase ? `${band}${column[0]!.toUpperCase()}${column.slice(1)}` : `${band}_${column}`;
  }

  /**
   * Reads `deepCoadd_obj`, transforms, writes `objectTable`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { inputCatalog: Table | { get(): Promise<unknown> } };
    const table = inputs.inputCatalog instanceof Table ? inputs.inputCatalog : ((await inputs.inputCatalog.get()) as Table);
    const res = await this.run({ inputCatalog: table, dataId: butlerQC.quantum.dataId.mapping });
    await butlerQC.put(new Struct({ outputCatalog: res.getDict().outputCatalog }), outputRefs);
  }
}

/**
 * The connections of {@link ConsolidateObjectTableTask}, per `(tract, skymap)`: the
 * `objectTable` of every patch in, `objectTable_tract` out.
 *
 * @see lsst.pipe.tasks.postprocess.ConsolidateObjectTableConnections
 */
export class ConsolidateObjectTableConnections extends defineConnections({
  dimensions: TRACT,
  defaultTemplates: { coaddName: 'deep' },
  connections: {
    /** The object tables of the patches. */
    inputCatalogs: new Input({ doc: 'Per-Patch objectTables conforming to the standard data model.', name: 'objectTable', storageClass: 'ArrowAstropy', dimensions: PATCH, multiple: true, deferLoad: true }),
    /** The object table of the tract. */
    outputCatalog: new Output({ doc: 'Pre-tract horizontal concatenation of the input objectTables', name: 'objectTable_tract', storageClass: 'ArrowAstropy', dimensions: TRACT }),
  },
}) {}

/**
 * The config of {@link ConsolidateObjectTableTask}.
 *
 * @see lsst.pipe.tasks.postprocess.ConsolidateObjectTableConfig
 */
export class ConsolidateObjectTableConfig extends PipelineTaskConfig.withConnections(ConsolidateObjectTableConnections) {
  /** The dataset type names of the connections. */
  declare readonly connections: ConnectionsConfig<ConnectionNames<typeof ConsolidateObjectTableConnections>>;
  /** Coadd name. */
  coaddName = Field.str({ doc: 'Name of coadd', default: 'deep' });
}

/** What {@link ConsolidateObjectTableTask.run} returns. */
export interface ConsolidateObjectTableResult {
  /** The object table of the tract (`objectTable_tract`). */
  readonly outputCatalog: Table;
}

/**
 * Concatenates the object tables of a tract's patches (`objectTable_tract`, the Parquet table
 * of the tutorials' colour-colour diagrams).
 *
 * @example
 * ```ts
 * const { outputCatalog } = new ConsolidateObjectTableTask().run({ inputCatalogs: [patch3, patch4] }).getDict();
 * ```
 * @see lsst.pipe.tasks.postprocess.ConsolidateObjectTableTask
 */
export class ConsolidateObjectTableTask extends PipelineTask<ConsolidateObjectTableConfig> {
  /** {@link ConsolidateObjectTableConfig}. */
  static override ConfigClass = ConsolidateObjectTableConfig;
  /** `consolidateObjectTable`. */
  static override _DefaultName: string | undefined = 'consolidateObjectTable';

  /**
   * Concatenates the tables.
   *
   * @param inputs - the patch tables
   * @param inputs.inputCatalogs - the tables (same columns)
   * @returns the tract table
   * @throws {@link PipeTasksInvalidArgumentError} for no tables or tables with different columns
   */
  override run(inputs: { readonly inputCatalogs: readonly Table[] }): Struct<ConsolidateObjectTableResult> {
    return timeMethod(this, 'run', () => {
      const out = concatTables(inputs.inputCatalogs, 'objectTable');
      this.log.info(`Concatenated ${inputs.inputCatalogs.length} object tables: ${out.numRows} rows`);
      return new Struct<ConsolidateObjectTableResult>({ outputCatalog: out });
    });
  }

  /**
   * Reads the patch tables, runs, writes `objectTable_tract`.
   *
   * @param butlerQC - the quantum context
   * @param inputRefs - the input references
   * @param outputRefs - the output references
   */
  override async runQuantum(butlerQC: QuantumContext, inputRefs: InputQuantizedConnection, outputRefs: OutputQuantizedConnection): Promise<void> {
    const inputs = (await butlerQC.get(inputRefs)) as { inputCatalogs: (Table | { get(): Promise<unknown> })[] };
    const tables = await Promise.all(inputs.inputCatalogs.map(async (h) => (h instanceof Table ? h : ((await h.get()) as Table))));
    await butlerQC.put(this.run({ inputCatalogs: tables }), outputRefs);
  }
}

function toMap<T>(m: ReadonlyMap<string, T> | Readonly<Record<string, T>>): ReadonlyMap<string, T> {
  return m instanceof Map ? m : new Map(Object.entries(m as Record<string, T>));
}

/** A vector's data as one chunk. */
function singleChunk(vector: Vector): Data {
  if (vector.data.length === 1) return vector.data[0]!;
  return columnData(vector.toArray() as ColumnValues);
}

/** The columns of a deepCoadd_obj table by band and dataset, with their plain names. */
function splitObjectTable(table: Table): Map<string, Map<string, Table>> {
  const parts = new Map<string, Map<string, { fields: ArrowField[]; children: Data[] }>>();
  table.schema.fields.forEach((f, i) => {
    const p = parseObjectColumnName(f.name);
    if (p === undefined) return;
    let byDataset = parts.get(p.band);
    if (byDataset === undefined) parts.set(p.band, (byDataset = new Map()));
    let part = byDataset.get(p.dataset);
    if (part === undefined) byDataset.set(p.dataset, (part = { fields: [], children: [] }));
    part.fields.push(new ArrowField(p.column, f.type, f.nullable, f.metadata));
    part.children.push(singleChunk(table.getChildAt(i)!));
  });
  const out = new Map<string, Map<string, Table>>();
  for (const [band, byDataset] of parts) {
    const m = new Map<string, Table>();
    for (const [dataset, part] of byDataset) {
      // the table's metadata (the reference catalog's slot aliases) resolves slot_* names
      m.set(dataset, withMetadata(makeTable(part.fields, part.children, table.numRows), table.schema.metadata));
    }
    out.set(band, m);
  }
  return out;
}

/** The table with metadata entries added to its schema's. */
function withMetadata(t: Table, meta: Map<string, string>): Table {
  const schema = t.schema;
  for (const [k, v] of meta) schema.metadata.set(k, v);
  return t;
}

/** The definition split by dataset (funcs by their `dataset`, default `ref`; flag lists by kind). */
function groupByDataset(def: Record<string, unknown>): Map<string, DatasetGroup> {
  const funcs = def['funcs'];
  if (typeof funcs !== 'object' || funcs === null) throw new PipeTasksInvalidArgumentError("The object functor definition has no 'funcs' mapping.");
  const out = new Map<string, { funcs: Record<string, unknown>; flags: string[] }>();
  const get = (d: string): { funcs: Record<string, unknown>; flags: string[] } => {
    let g = out.get(d);
    if (g === undefined) out.set(d, (g = { funcs: {}, flags: [] }));
    return g;
  };
  for (const [name, entry] of Object.entries(funcs as Record<string, unknown>)) {
    const e = { ...(entry as Record<string, unknown>) };
    const dataset = typeof e['dataset'] === 'string' ? e['dataset'] : 'ref';
    delete e['units'];
    get(dataset).funcs[name] = e;
  }
  const flagKinds: [string, string][] = [
    ['refFlags', 'ref'],
    ['flags', 'meas'],
    ['forcedFlags', 'forced_src'],
  ];
  for (const [key, dataset] of flagKinds) {
    const list = def[key];
    if (Array.isArray(list)) get(dataset).flags.push(...(list as string[]));
  }
  const optional = Array.isArray(def['optional']) ? (def['optional'] as string[]) : [];
  const groups = new Map<string, DatasetGroup>();
  for (const [dataset, g] of out) {
    groups.set(dataset, { definition: { funcs: g.funcs, flags: g.flags, optional: optional.filter((o) => o in g.funcs), flag_rename_rules: def['flag_rename_rules'] ?? null }, perBand: dataset !== 'ref' });
  }
  return groups;
}

/** The `units` overrides of the definition's functors. */
function unitOverrides(def: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, entry] of Object.entries((def['funcs'] ?? {}) as Record<string, Record<string, unknown>>)) {
    if (typeof entry['units'] === 'string') out.set(name, entry['units']);
  }
  return out;
}

async function readYamlDefinition(path: string): Promise<unknown> {
  // loadFunctorFile validates the file; the raw document is needed for the dataset keys.
  await loadFunctorFile(path);
  const { readFile } = await import('node:fs/promises');
  const { parse } = await import('yaml');
  const { expandPath } = await import('../functors/functor-file.js');
  return parse(await readFile(expandPath(path), 'utf8')) as unknown;
}

/** A column of fill values (flags: true unless good). */
function fillData(type: DataType, n: number, good: boolean, floatFill: number, integerFill: number): Data {
  if (type instanceof Bool) return columnData(new Array<boolean>(n).fill(!good));
  if (type instanceof Float64) return columnData(new Float64Array(n).fill(floatFill));
  if (type instanceof Float32) return columnData(new Float32Array(n).fill(floatFill));
  if (type instanceof Int64) return columnData(new BigInt64Array(n).fill(BigInt(integerFill)));
  if (type instanceof Int32) return columnData(new Int32Array(n).fill(integerFill));
  if (type instanceof Int16) return columnData(new Int16Array(n).fill(integerFill));
  if (type instanceof Utf8) return columnData(new Array<string>(n).fill(''));
  return columnData(new Float64Array(n).fill(floatFill));
}

/** The primary key first, then the data ID columns appended (Int64, or Utf8 for strings). */
function finishObjectTable(table: Table, primaryKey: string | null, keys: readonly string[], dataId: Readonly<Record<string, unknown>> | undefined): Table {
  const order = table.schema.fields.map((f, i) => [f, i] as const);
  if (primaryKey !== null) order.sort((a, b) => Number(b[0].name === primaryKey) - Number(a[0].name === primaryKey));
  const fields: ArrowField[] = order.map(([f]) => f);
  const children: Data[] = order.map(([, i]) => singleChunk(table.getChildAt(i)!));
  const n = table.numRows;
  for (const key of keys) {
    if (dataId === undefined) break;
    if (!(key in dataId)) throw new PipeTasksInvalidArgumentError(`'${key}' in config.columnsFromDataId is not in the data ID ${JSON.stringify(dataId)}.`);
    if (fields.some((f) => f.name === key)) continue;
    const v = dataId[key];
    if (typeof v === 'number' || typeof v === 'bigint') {
      fields.push(makeField(key, new Int64(), '', `From the data ID: ${key}`));
      children.push(makeData({ type: new Int64(), length: n, data: new BigInt64Array(n).fill(BigInt(v)) }));
    } else {
      fields.push(makeField(key, new Utf8(), '', `From the data ID: ${key}`));
      children.push(columnData(new Array<string>(n).fill(String(v))));
    }
  }
  return makeTable(fields, children, n);
}
