import type { Schema, SourceCatalog } from '@skystack/afw-table';
import { Config, RangeField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { seededUniform } from './least-squares.js';

/**
 * Configuration of {@link ReserveSourcesTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.reserveSourcesTask.ReserveSourcesConfig
 */
export class ReserveSourcesConfig extends Config {
  /** Fraction of candidates to reserve from fitting; none if ≤ 0. */
  fraction = RangeField({ dtype: 'float', default: 0.0, min: 0.0, max: 1.0, doc: 'Fraction of candidates to reserve from fitting; none if <= 0' });
  /** Seed of the random generator (added to the exposure ID). */
  seed = RangeField({ dtype: 'int', default: 1, min: 0, doc: 'This number will be added to the exposure ID to set the random seed for reserving candidates' });
}

/** What {@link ReserveSourcesTask.run} returns. */
export interface ReserveSourcesResult {
  /** Per input candidate: 1 when reserved. */
  readonly reserved: Uint8Array;
  /** Per input candidate: 1 when it may be used (not reserved). */
  readonly use: Uint8Array;
}

/**
 * Reserves a random fraction of candidates from a fit (to validate it later), flagging them
 * `<columnName>_reserved` in the catalog.
 *
 * @example
 * ```ts
 * const reserve = new ReserveSourcesTask({ columnName: 'calib_psf', schema, doc: 'set if source was reserved from PSF determination' });
 * const { use } = reserve.run(catalog, rows, 42);
 * ```
 * @see lsst.meas.algorithms.reserveSourcesTask.ReserveSourcesTask
 */
export class ReserveSourcesTask extends Task<ReserveSourcesConfig> {
  /** {@link ReserveSourcesConfig}. */
  static override ConfigClass = ReserveSourcesConfig;
  /** `reserve`. */
  static override _DefaultName: string | undefined = 'reserve';
  /** The flag field name (`<columnName>_reserved`), when a schema was given. */
  readonly key: string | undefined;

  /**
   * Makes the task; with a schema, adds the Flag field `<columnName>_reserved`.
   *
   * @param options - Task options, the column name prefix, the schema and the field's doc
   */
  constructor(options: TaskOptions<ReserveSourcesConfig> & { readonly columnName?: string; readonly schema?: Schema | undefined; readonly doc?: string } = {}) {
    super(options);
    if (options.schema !== undefined) {
      const name = `${options.columnName ?? 'reserved'}_reserved`;
      if (!options.schema.contains(name)) options.schema.addField({ name, type: 'Flag', doc: options.doc ?? 'set if source was reserved' });
      this.key = name;
    }
  }

  /**
   * Chooses the reserved candidates: a seeded random `fraction` of them (rounded), seed
   * `seed + expId`.
   *
   * @param catalog - the catalog (gets the flag, when the schema was given)
   * @param rows - the rows of the candidates
   * @param expId - the exposure ID (sets the seed)
   * @returns per candidate, reserved and use
   */
  run(catalog: SourceCatalog, rows: ArrayLike<number>, expId = 0): ReserveSourcesResult {
    const n = rows.length;
    const reserved = new Uint8Array(n);
    const nReserve = Math.round(this.config.fraction * n);
    if (nReserve > 0) {
      const rand = seededUniform(this.config.seed + expId);
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (let k = 0; k < nReserve; k++) reserved[order[k]!] = 1;
    }
    if (this.key !== undefined) {
      const flag = catalog.getColumn(this.key) as Uint8Array;
      for (let k = 0; k < n; k++) if (reserved[k] === 1) flag[rows[k]!] = 1;
    }
    this.log.info(`Reserved ${nReserve}/${n} sources`);
    return { reserved, use: Uint8Array.from(reserved, (r) => 1 - r) };
  }
}
