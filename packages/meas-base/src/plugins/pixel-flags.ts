import { ListField } from '@skystack/pex-config';
import { BasePlugin } from '../base-plugin.js';
import { MeasurementError } from '../errors.js';
import { ExecutionOrder, MeasurementPluginConfig, type MeasurementContext, type MeasurementPluginOptions } from '../measurement-plugin.js';

/**
 * Config of {@link PixelFlagsPlugin}.
 *
 * @see lsst.meas.base.PixelFlagsControl
 */
export class PixelFlagsConfig extends MeasurementPluginConfig {
  /** More mask planes that set `_flag_<plane>Center` / `_flag_<plane>CenterAll` from the 3×3 centre. */
  masksFpCenter = ListField({ doc: 'List of mask planes to be searched for which occur in the center of a footprint.', dtype: 'str', default: [] });
  /** More mask planes that set `_flag_<plane>` from anywhere in the footprint. */
  masksFpAnywhere = ListField({ doc: 'List of mask planes to be searched for which occur anywhere within a footprint.', dtype: 'str', default: [] });
}

/** The mask plane behind each "anywhere in the footprint" flag. */
const ANY: readonly (readonly [plane: string, flag: string, doc: string])[] = [
  ['EDGE', 'flag_edge', 'Source is outside usable exposure region (masked EDGE or NO_DATA, or centroid off image)'],
  ['NO_DATA', 'flag_nodata', 'NO_DATA pixel in the Source footprint'],
  ['INTRP', 'flag_interpolated', 'Interpolated pixel in the Source footprint'],
  ['SAT', 'flag_saturated', 'Saturated pixel in the Source footprint'],
  ['CR', 'flag_cr', 'Cosmic ray in the Source footprint'],
  ['BAD', 'flag_bad', 'Bad pixel in the Source footprint'],
  ['SUSPECT', 'flag_suspect', "Source's footprint includes suspect pixels"],
];
/** The mask planes of the 3×3-centre flags. */
const CENTER: readonly (readonly [plane: string, stem: string])[] = [
  ['INTRP', 'interpolated'],
  ['SAT', 'saturated'],
  ['CR', 'cr'],
  ['BAD', 'bad'],
  ['SUSPECT', 'suspect'],
];

/**
 * `base_PixelFlags`: flags from the mask planes. Anywhere in the footprint (clipped to the
 * image): `_flag_edge` (EDGE or NO_DATA), `_flag_nodata` (NO_DATA), `_flag_interpolated` (INTRP), `_flag_saturated` (SAT),
 * `_flag_cr` (CR), `_flag_bad` (BAD), `_flag_suspect` (SUSPECT). In the 3×3 pixels around the
 * slot centroid (or the first peak when there is no centroid slot, which sets the general flag):
 * `_flag_<x>Center` when any of them has the plane, `_flag_<x>CenterAll` when all have it.
 * `_flag_offimage` (and `_flag_edge`) when the centre is off the image. Planes a mask does not
 * have never set their flag.
 *
 * @example
 * ```ts
 * record.get('base_PixelFlags_flag_saturatedCenter');
 * ```
 * @see lsst.meas.base.PixelFlagsAlgorithm
 */
export class PixelFlagsPlugin extends BasePlugin<PixelFlagsConfig> {
  /** The config class. */
  static readonly ConfigClass = PixelFlagsConfig;
  /** Runs with the fluxes. */
  static readonly executionOrder = ExecutionOrder.FLUX_ORDER;
  /** `[bits, flag]` for the anywhere flags, resolved per run. */
  #any: [number, string][] = [];
  #center: [number, string, string][] = [];
  #noData = 0;
  #x: Float64Array | undefined;
  #y: Float64Array | undefined;
  readonly #extraAny: [string, string][];
  readonly #extraCenter: [string, string][];

  /**
   * Adds the flags.
   *
   * @param options - config, name, schema
   */
  constructor(options: MeasurementPluginOptions<PixelFlagsConfig>) {
    const { config } = options;
    const extraCenter = config.masksFpCenter.map((p): [string, string] => [p, p.toLowerCase()]);
    const extraAny = config.masksFpAnywhere.map((p): [string, string] => [p, `flag_${p.toLowerCase()}`]);
    super(options, ExecutionOrder.FLUX_ORDER, [
      { name: 'flag_offimage', doc: 'Source center is off image' },
      ...ANY.map(([, name, doc]) => ({ name, doc })),
      ...[...CENTER, ...extraCenter].map(([plane, stem]) => ({ name: `flag_${stem}Center`, doc: `${plane} pixel in the 3x3 region around the centroid` })),
      ...[...CENTER, ...extraCenter].map(([plane, stem]) => ({ name: `flag_${stem}CenterAll`, doc: `All pixels in the 3x3 region around the centroid are ${plane}` })),
      ...extraAny.map(([plane, name]) => ({ name, doc: `Source footprint includes ${plane} pixels` })),
    ]);
    this.#extraAny = extraAny;
    this.#extraCenter = extraCenter;
  }

  /**
   * Binds the columns and resolves the mask bits.
   *
   * @param ctx - the run's context
   */
  override begin(ctx: MeasurementContext): void {
    super.begin(ctx);
    const dict = ctx.exposure.mask.planeDict;
    const bits = (plane: string): number => (dict.hasPlane(plane) ? dict.getPlaneBitMask(plane) : 0);
    this.#any = [...ANY.map(([plane, flag]): [number, string] => [bits(plane), flag]), ...this.#extraAny.map(([plane, flag]): [number, string] => [bits(plane), flag])];
    this.#center = [...CENTER, ...this.#extraCenter].map(([plane, stem]): [number, string, string] => [bits(plane), `flag_${stem}Center`, `flag_${stem}CenterAll`]);
    this.#noData = bits('NO_DATA');
    const schema = ctx.catalog.schema;
    const has = schema.contains('slot_Centroid_x') && schema.contains('slot_Centroid_y');
    this.#x = has ? (ctx.catalog.getColumn('slot_Centroid_x') as Float64Array) : undefined;
    this.#y = has ? (ctx.catalog.getColumn('slot_Centroid_y') as Float64Array) : undefined;
  }

  /**
   * Sets the flags of one source.
   *
   * @param index - the record's row
   * @param ctx - the run's context
   * @throws {@link MeasurementError} when there is no footprint, or the centre is not finite
   */
  measure(index: number, ctx: MeasurementContext): void {
    let cx: number;
    let cy: number;
    if (this.#x !== undefined) {
      cx = this.#x[index]!;
      cy = this.#y![index]!;
    } else {
      this.flags.set(index, 'flag');
      const peak = ctx.peak(index);
      if (peak === undefined) throw new MeasurementError(`${this.name}: no centroid slot and no footprint peak for record ${index}.`);
      [cx, cy] = peak;
    }
    const inside = cx >= ctx.x0 - 0.5 && cx <= ctx.x0 + ctx.width - 0.5 && cy >= ctx.y0 - 0.5 && cy <= ctx.y0 + ctx.height - 0.5;
    if (!inside) {
      this.flags.set(index, 'flag_offimage');
      this.flags.set(index, 'flag_edge');
    }
    const fp = ctx.footprint(index);
    if (fp === null) throw new MeasurementError(`${this.name}: record ${index} has no footprint.`);
    const mask = ctx.mask;
    let anyBits = 0;
    fp.getSpans().forEachSpanIn({ width: ctx.width, height: ctx.height, stride: ctx.maskStride }, ctx.exposure.mask.getXY0(), (start, end) => {
      for (let k = start; k < end; k++) anyBits |= mask[k]!;
    });
    if ((anyBits & this.#noData) !== 0) this.flags.set(index, 'flag_edge');
    for (const [bits, flag] of this.#any) if ((anyBits & bits) !== 0) this.flags.set(index, flag);
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) {
      throw new MeasurementError(`${this.name}: the centroid of record ${index} is not finite; only the footprint flags were set.`);
    }
    const ix = Math.floor(cx + 0.5);
    const iy = Math.floor(cy + 0.5);
    let cAny = 0;
    let cAll = -1;
    let n = 0;
    for (let y = iy - 1; y <= iy + 1; y++) {
      for (let x = ix - 1; x <= ix + 1; x++) {
        if (!ctx.containsPixel(x, y)) continue;
        const v = mask[(y - ctx.y0) * ctx.maskStride + (x - ctx.x0)]!;
        cAny |= v;
        cAll &= v;
        n++;
      }
    }
    if (n === 0) cAll = 0;
    for (const [bits, flagAny, flagAll] of this.#center) {
      if ((cAny & bits) !== 0) this.flags.set(index, flagAny);
      if (bits !== 0 && (cAll & bits) === bits) this.flags.set(index, flagAll);
    }
  }
}
