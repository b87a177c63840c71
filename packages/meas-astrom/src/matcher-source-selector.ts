// MatcherSourceSelectorTask: the sources good enough to match to a reference catalog.
import type { SourceCatalog } from '@skystack/afw-table';
import { Config, Field, ListField } from '@skystack/pex-config';
import { Struct, Task, type TaskOptions } from '@skystack/pipe-base';
import { copySourceRows } from './catalog-utils.js';

/**
 * Configuration of {@link MatcherSourceSelectorTask}.
 *
 * @see lsst.meas.algorithms.MatcherSourceSelectorConfig
 */
export class MatcherSourceSelectorConfig extends Config {
  /** Flux slot used for the S/N cut: `slot_<type>Flux_instFlux` ('Ap', as AstrometryTask sets). */
  sourceFluxType = Field.str({ doc: 'Type of source flux; typically one of Ap or Psf', default: 'Ap' });
  /** Minimum allowed signal-to-noise ratio of the flux. */
  minSnr = Field.float({ doc: 'Minimum allowed signal-to-noise ratio for sources used for matching (in the flux specified by sourceFluxType); <= 0 for no limit', default: 40.0 });
  /** Exclude objects with these pixel flags (each only if the catalog has it). */
  excludePixelFlags = Field.bool({ doc: 'Exclude objects that have saturated, interpolated, or edge pixels using PixelFlags.', default: true });
  /** The pixel flags excluded when `excludePixelFlags` is set. */
  badFlags = ListField({
    doc: 'Flags that mark a source as unusable for matching (ignored when absent from the schema)',
    dtype: 'str',
    default: ['base_PixelFlags_flag_edge', 'base_PixelFlags_flag_interpolatedCenter', 'base_PixelFlags_flag_saturatedCenter'],
  });
}

/** What {@link MatcherSourceSelectorTask.run} returns. */
export interface SourceSelection {
  /** The selected sources (a copy). */
  readonly sourceCat: SourceCatalog;
  /** 1 for each selected row of the input. */
  readonly selected: Uint8Array;
  /** The input rows of the selected sources, in order. */
  readonly rows: Int32Array;
}

/**
 * Selects sources usable for astrometric matching: a finite `slot_Centroid` without its flag,
 * a positive finite flux with S/N above `minSnr`, no deblending children (`deblend_nChild`),
 * and none of `badFlags`.
 *
 * @example
 * ```ts
 * const { sourceCat: good } = new MatcherSourceSelectorTask().run(sourceCat);
 * ```
 * @see lsst.meas.algorithms.MatcherSourceSelectorTask
 */
export class MatcherSourceSelectorTask extends Task<MatcherSourceSelectorConfig> {
  /** {@link MatcherSourceSelectorConfig}. */
  static override ConfigClass = MatcherSourceSelectorConfig;
  /** `sourceSelector`. */
  static override _DefaultName: string | undefined = 'sourceSelector';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<MatcherSourceSelectorConfig> = {}) {
    super(options);
  }

  /** The flux field the S/N cut reads (`slot_<sourceFluxType>Flux_instFlux`). */
  get fluxField(): string {
    return `slot_${this.config.sourceFluxType}Flux_instFlux`;
  }

  /**
   * Selects the sources.
   *
   * @param sourceCat - the sources (needs `slot_Centroid_x/y` and the flux slot)
   * @returns the selection
   * @throws AfwTableNotFoundError when the centroid or flux slot is missing
   * @see lsst.meas.algorithms.BaseSourceSelectorTask.run
   */
  run(sourceCat: SourceCatalog): Struct<SourceSelection> {
    const s = sourceCat.schema;
    const n = sourceCat.length;
    const x = sourceCat.getColumn('slot_Centroid_x') as Float64Array;
    const y = sourceCat.getColumn('slot_Centroid_y') as Float64Array;
    const flux = sourceCat.getColumn(this.fluxField) as Float64Array;
    const fluxErrName = `${this.fluxField}Err`;
    const fluxErr = s.contains(fluxErrName) ? (sourceCat.getColumn(fluxErrName) as Float64Array) : undefined;
    const flagNames = ['slot_Centroid_flag', ...(this.config.excludePixelFlags ? this.config.badFlags : [])].filter((f) => s.contains(f));
    const flags = flagNames.map((f) => sourceCat.getColumn(f) as Uint8Array);
    const nChild = s.contains('deblend_nChild') ? (sourceCat.getColumn('deblend_nChild') as Int32Array) : undefined;
    const minSnr = this.config.minSnr;
    const selected = new Uint8Array(n);
    const rows: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) continue;
      const f = flux[i]!;
      if (!(f > 0) || !Number.isFinite(f)) continue;
      if (minSnr > 0 && fluxErr !== undefined && !(f / fluxErr[i]! > minSnr)) continue;
      if (flags.some((col) => col[i] !== 0)) continue;
      if (nChild !== undefined && nChild[i]! > 0) continue;
      selected[i] = 1;
      rows.push(i);
    }
    this.log.info(`Purged ${n - rows.length} sources, leaving ${rows.length} good sources`);
    return new Struct({ sourceCat: copySourceRows(sourceCat, rows), selected, rows: Int32Array.from(rows) });
  }
}
