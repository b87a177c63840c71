import type { FieldType, Schema, SourceCatalog } from '@skystack/afw-table';
import type { MeasurementError } from './errors.js';
import { FlagHandler, type FlagDefinition } from './flag-handler.js';
import type { MeasurementContext, MeasurementPlugin, MeasurementPluginConfig, MeasurementPluginOptions } from './measurement-plugin.js';

/** A numeric column of a catalog, as the plugins write them. */
export type NumericColumn = Float64Array | Float32Array | Int32Array;

/**
 * A convenient base for plugins: it keeps the name and config, makes the {@link FlagHandler},
 * adds numeric fields by suffix and binds their columns at {@link BasePlugin.begin}; `fail`
 * sets the general and specific flags.
 *
 * @example
 * ```ts
 * class MyFlux extends BasePlugin<MeasurementPluginConfig> {
 *   static readonly ConfigClass = MeasurementPluginConfig;
 *   static readonly executionOrder = ExecutionOrder.FLUX_ORDER;
 *   constructor(options: MeasurementPluginOptions) {
 *     super(options, ExecutionOrder.FLUX_ORDER, []);
 *     this.addField('instFlux', 'D', 'my flux', 'count');
 *   }
 *   measure(i: number, ctx: MeasurementContext): void { this.column('instFlux')[i] = 1; }
 * }
 * ```
 */
export abstract class BasePlugin<C extends MeasurementPluginConfig = MeasurementPluginConfig> implements MeasurementPlugin {
  /** The plugin name. */
  readonly name: string;
  /** The plugin config. */
  readonly config: C;
  /** When it runs. */
  readonly executionOrder: number;
  /** Its flags. */
  readonly flags: FlagHandler;
  /** The schema it added its fields to. */
  protected readonly schema: Schema;
  readonly #suffixes: [suffix: string, type: FieldType][] = [];
  #columns = new Map<string, NumericColumn>();

  /**
   * Keeps the options and adds the flags.
   *
   * @param options - config, name, schema
   * @param executionOrder - when it runs
   * @param flags - its specific flags (the general `_flag` is added first)
   */
  protected constructor(options: MeasurementPluginOptions<C>, executionOrder: number, flags: readonly FlagDefinition[]) {
    this.name = options.name;
    this.config = options.config;
    this.schema = options.schema;
    this.executionOrder = executionOrder;
    this.flags = new FlagHandler(options.schema, options.name, flags);
  }

  /**
   * Adds a numeric field `<name>_<suffix>`.
   *
   * @param suffix - the suffix (`'instFlux'`)
   * @param type - the field type (`'D'`, `'F'`, `'I'`)
   * @param doc - documentation
   * @param units - units (`'pixel'`, `'count'`)
   */
  protected addField(suffix: string, type: FieldType, doc: string, units = ''): void {
    this.schema.addField({ name: `${this.name}_${suffix}`, type, doc, units });
    this.#suffixes.push([suffix, type]);
  }

  /**
   * The bound column of a field added with {@link BasePlugin.addField}.
   *
   * @param suffix - the suffix
   * @returns the column
   */
  protected column(suffix: string): NumericColumn {
    return this.#columns.get(suffix)!;
  }

  /**
   * Binds the flag and field columns and sets the floating-point ones to NaN, as new afw records
   * are (subclasses that override it call `super.begin`).
   *
   * @param ctx - the run's context
   */
  begin(ctx: MeasurementContext): void {
    const catalog: SourceCatalog = ctx.catalog;
    this.flags.bind(catalog);
    this.#columns = new Map(this.#suffixes.map(([s]) => [s, catalog.getColumn(`${this.name}_${s}`) as NumericColumn]));
    for (const [s, type] of this.#suffixes) if (type === 'D' || type === 'F') this.#columns.get(s)!.fill(NaN);
  }

  /**
   * Measures one source (see {@link MeasurementPlugin.measure}).
   *
   * @param index - the record's row
   * @param ctx - the run's context
   */
  abstract measure(index: number, ctx: MeasurementContext): void;

  /**
   * Sets the general flag and the error's specific flag.
   *
   * @param index - the record's row
   * @param error - the known failure, if any
   */
  fail(index: number, error?: MeasurementError): void {
    this.flags.handleFailure(index, error);
  }
}
