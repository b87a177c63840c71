import type { Exposure } from '@skystack/afw-image';
import type { Footprint, Schema, SourceCatalog } from '@skystack/afw-table';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { Config, ConfigField, Field, type RegistryInstance } from '@skystack/pex-config';
import { FatalAlgorithmError, MeasBaseInvalidArgumentError, MeasurementError } from './errors.js';
import type { MeasurementContext, MeasurementPlugin, MeasurementPluginClass, MeasurementPluginConfig } from './measurement-plugin.js';
import { NoiseReplacer, NoiseReplacerConfig } from './noise-replacer.js';
import type { SourceSlotConfig } from './source-slot-config.js';

/**
 * What the single-frame and forced measurement configs share.
 *
 * @see lsst.meas.base.BaseMeasurementConfig
 */
export abstract class BaseMeasurementConfig extends Config {
  /** The plugins to run (a multi-selection of a plugin registry). */
  abstract plugins: RegistryInstance<MeasurementPluginConfig>;
  /** The slot aliases. */
  abstract slots: SourceSlotConfig;
  /** Replace all other sources by noise while measuring each one. */
  doReplaceWithNoise = Field.bool({ doc: "When measuring, replace other detected footprints with noise?", default: true });
  /** How to make the noise. */
  noiseReplacer = ConfigField({ doc: 'configuration that sets how to replace neighboring sources with noise', dtype: NoiseReplacerConfig });
}

/** Options of the measurement tasks: the Task options plus the schema to add fields to. */
export interface MeasurementTaskOptions<C extends Config> extends TaskOptions<C> {
  /** The schema the task adds its slots and plugin fields to (default: a new minimal SourceCatalog schema). */
  readonly schema?: Schema;
}

/**
 * The engine of the measurement tasks: builds the plugins in execution order, adds their fields,
 * and measures a catalog source by source with the noise replacer and meas_base's error
 * handling (a plugin that throws on one source has its flags set; the others go on).
 *
 * @see lsst.meas.base.BaseMeasurementTask
 */
export abstract class BaseMeasurementTask<C extends BaseMeasurementConfig> extends Task<C> {
  /** The schema (with the slots and every plugin's fields). */
  readonly schema: Schema;
  /** The plugins, in execution order. */
  readonly plugins: readonly MeasurementPlugin[];
  /** Wall time spent in each plugin's `measure` during the last run (ms), by plugin name. */
  readonly lastRunTimings = new Map<string, number>();

  /**
   * Sets up the slots and the plugins.
   *
   * @param options - config, name, log, and the schema
   * @param schema - the schema to add to
   */
  protected constructor(options: TaskOptions<C>, schema: Schema) {
    super(options);
    this.schema = schema;
    this.config.slots.setupSchema(schema);
    const selected = this.config.plugins.names.map((name, order) => {
      const target = this.config.plugins.registry.get(name).target as unknown as MeasurementPluginClass;
      return { name, order, target };
    });
    selected.sort((a, b) => a.target.executionOrder - b.target.executionOrder || a.order - b.order);
    this.plugins = selected.map(({ name, target }) => new target({ config: this.config.plugins.get(name), name, schema }));
  }

  /**
   * Runs every enabled plugin on one source, catching its failures.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @throws {@link FatalAlgorithmError} from a plugin (the run stops)
   * @see lsst.meas.base.BaseMeasurementTask.callMeasure
   */
  callMeasure(index: number, ctx: MeasurementContext): void {
    const active = this.plugins.filter((plugin) => plugin.config.doMeasure);
    const spent = new Float64Array(active.length);
    this.#measureWith(active, spent, index, ctx);
    this.#addTimings(active, spent);
  }

  /** Runs the given plugins on one source, catching their failures; adds each one's time (ms) to `spent`. */
  #measureWith(active: readonly MeasurementPlugin[], spent: Float64Array, index: number, ctx: MeasurementContext): void {
    for (let k = 0; k < active.length; k++) {
      const plugin = active[k]!;
      const t0 = performance.now();
      try {
        plugin.measure(index, ctx);
      } catch (error) {
        if (error instanceof FatalAlgorithmError) throw error;
        if (error instanceof MeasurementError) {
          plugin.fail(index, error);
        } else {
          this.log.debug(() => `${plugin.name} failed on record ${index}: ${String(error)}`);
          plugin.fail(index);
        }
      }
      spent[k]! += performance.now() - t0;
    }
  }

  /** Adds the plugins' times to {@link BaseMeasurementTask.lastRunTimings}. */
  #addTimings(active: readonly MeasurementPlugin[], spent: Float64Array): void {
    for (let k = 0; k < active.length; k++) this.lastRunTimings.set(active[k]!.name, (this.lastRunTimings.get(active[k]!.name) ?? 0) + spent[k]!);
  }

  /**
   * Measures every record: parents first, each with the other sources replaced by noise, then
   * their children, as meas_base does.
   *
   * @param catalog - the catalog
   * @param exposure - the exposure
   * @param ctx - the run's context
   * @param exposureId - the noise seed's exposure id
   */
  protected measureAll(catalog: SourceCatalog, exposure: Exposure, ctx: MeasurementContext, exposureId?: number | bigint): void {
    if (catalog.schema !== this.schema) {
      throw new MeasBaseInvalidArgumentError(`${this.getFullName()}: the catalog's schema is not the task's schema.`, {
        hint: 'Make the catalog with new SourceCatalog(task.schema) after constructing the task.',
      });
    }
    this.lastRunTimings.clear();
    for (const plugin of this.plugins) if (plugin.config.doMeasure) plugin.begin(ctx);
    const n = catalog.length;
    const ids = catalog.getColumn('id') as BigInt64Array;
    const parents = catalog.getColumn('parent') as BigInt64Array;
    let replacer: NoiseReplacer | undefined;
    if (this.config.doReplaceWithNoise) {
      const footprints = new Map<bigint, readonly [bigint, Footprint]>();
      for (let i = 0; i < n; i++) {
        const fp = ctx.footprint(i);
        if (fp === null) {
          throw new MeasBaseInvalidArgumentError(`${this.getFullName()}: record ${i} (id ${ids[i]}) has no footprint; the noise replacer needs one per record.`, {
            hint: 'Attach footprints (detection does) or set config.doReplaceWithNoise = false.',
          });
        }
        if (footprints.has(ids[i]!)) {
          throw new MeasBaseInvalidArgumentError(`${this.getFullName()}: id ${ids[i]} appears twice; the noise replacer needs unique record ids.`, { hint: 'Give each record its own id.' });
        }
        footprints.set(ids[i]!, [parents[i]!, fp]);
      }
      replacer = new NoiseReplacer(this.config.noiseReplacer, exposure, footprints, { exposureId, log: this.log });
    }
    try {
      const children = new Map<bigint, number[]>();
      const roots: number[] = [];
      const known = new Set<bigint>();
      for (let i = 0; i < n; i++) known.add(ids[i]!);
      for (let i = 0; i < n; i++) {
        const p = parents[i]!;
        if (p === 0n || !known.has(p)) roots.push(i);
        else (children.get(p) ?? children.set(p, []).get(p)!).push(i);
      }
      // the enabled plugins and their times, looked up once per run (not per source and plugin)
      const active = this.plugins.filter((plugin) => plugin.config.doMeasure);
      const spent = new Float64Array(active.length);
      const measureOne = (i: number): void => {
        replacer?.insertSource(ids[i]!);
        try {
          this.#measureWith(active, spent, i, ctx);
        } finally {
          replacer?.removeSource(ids[i]!);
        }
      };
      try {
        for (const i of spatialOrder(roots, ctx)) {
          measureOne(i);
          for (const c of children.get(ids[i]!) ?? []) measureOne(c);
        }
      } finally {
        this.#addTimings(active, spent);
      }
    } finally {
      replacer?.end();
    }
  }
}

/** Rows per band of {@link spatialOrder}. */
const ORDER_BAND = 128;

/**
 * The records of `roots` in the order {@link BaseMeasurementTask} measures them: band by band of
 * {@link ORDER_BAND} rows (by the centre of each footprint's box), along x within a band, the
 * direction alternating from band to band. In catalog order consecutive sources lie anywhere
 * along the width of the image, and a large aperture (70 pixels by default) reads ~15 000 pixels
 * from ~140 rows: a neighbour measured next finds most of them in the cache. No result depends
 * on the order (each source is measured with the others replaced by the same noise); records
 * without a footprint keep their place at the front.
 */
function spatialOrder(roots: readonly number[], ctx: MeasurementContext): number[] {
  const keys = new Float64Array(2 * roots.length);
  roots.forEach((i, k) => {
    const fp = ctx.footprint(i);
    if (fp === null) {
      keys[2 * k] = -Infinity;
      keys[2 * k + 1] = k;
      return;
    }
    const box = fp.getBBox();
    const cx = 0.5 * (box.getMinX() + box.getMaxX());
    const band = Math.floor((0.5 * (box.getMinY() + box.getMaxY())) / ORDER_BAND);
    keys[2 * k] = band;
    keys[2 * k + 1] = band % 2 === 0 ? cx : -cx;
  });
  const order = roots.map((_, k) => k);
  order.sort((a, b) => keys[2 * a]! - keys[2 * b]! || keys[2 * a + 1]! - keys[2 * b + 1]! || a - b);
  return order.map((k) => roots[k]!);
}
