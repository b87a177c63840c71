import type { Schema } from '@skystack/afw-table';
import { FatalAlgorithmError, MeasurementError } from './errors.js';
import type { FlagHandler } from './flag-handler.js';
import type { MeasurementContext } from './measurement-plugin.js';

/**
 * How a non-centroid plugin gets its position: the centroid slot, with meas_base's fallbacks.
 *
 * - At construction it aliases `<plugin>_flag_badCentroid` to the centroid slot's flag (so the
 *   flag says whether the position it used was trusted).
 * - A finite slot centroid is used as it is, flagged or not.
 * - A NaN slot centroid is replaced by the footprint's first peak and the plugin's general
 *   failure flag is set; with no peak either it is a {@link MeasurementError}.
 *
 * @example
 * ```ts
 * const centroid = new SafeCentroidExtractor(schema, 'base_PsfFlux');
 * centroid.begin(ctx);
 * const [x, y] = centroid.get(i, ctx, flags);
 * ```
 * @see lsst.meas.base.SafeCentroidExtractor
 */
export class SafeCentroidExtractor {
  /** The plugin name. */
  readonly name: string;
  #x: Float64Array | Float32Array | undefined;
  #y: Float64Array | Float32Array | undefined;
  readonly #out: [number, number] = [NaN, NaN];

  /**
   * Adds the `<name>_flag_badCentroid` alias.
   *
   * @param schema - the schema (its centroid slot defined, or not yet)
   * @param name - the plugin name
   */
  constructor(schema: Schema, name: string) {
    this.name = name;
    const aliases = schema.getAliasMap();
    if (aliases.has('slot_Centroid')) aliases.set(`${name}_flag_badCentroid`, aliases.apply('slot_Centroid_flag'));
  }

  /**
   * Binds the slot centroid columns of the run's catalog.
   *
   * @param ctx - the run's context
   * @throws {@link FatalAlgorithmError} when the schema has no centroid slot
   */
  begin(ctx: MeasurementContext): void {
    const schema = ctx.catalog.schema;
    if (!schema.contains('slot_Centroid_x') || !schema.contains('slot_Centroid_y')) {
      throw new FatalAlgorithmError(`${this.name} needs a centroid, but the schema's slot_Centroid is not defined or has no _x/_y fields.`, {
        hint: "Enable a centroid plugin (base_SdssCentroid) and set config.slots.centroid to it.",
      });
    }
    this.#x = ctx.catalog.getColumn('slot_Centroid_x') as Float64Array;
    this.#y = ctx.catalog.getColumn('slot_Centroid_y') as Float64Array;
  }

  /**
   * The position to measure a record at.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @param flags - the plugin's flags (the general flag is set when the peak is used)
   * @returns `[x, y]` (a scratch array, overwritten by the next call)
   * @throws {@link MeasurementError} when the centroid is NaN and there is no footprint peak
   */
  get(index: number, ctx: MeasurementContext, flags: FlagHandler): readonly [x: number, y: number] {
    const x = this.#x![index]!;
    const y = this.#y![index]!;
    if (Number.isFinite(x) && Number.isFinite(y)) {
      this.#out[0] = x;
      this.#out[1] = y;
      return this.#out;
    }
    const peak = ctx.peak(index);
    if (peak === undefined) throw new MeasurementError(`${this.name}: the centroid is NaN and the record has no footprint peak to fall back on.`);
    flags.set(index, 'flag');
    this.#out[0] = peak[0];
    this.#out[1] = peak[1];
    return this.#out;
  }
}
