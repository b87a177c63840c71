import type { SourceCatalog } from '@skystack/afw-table';
import { Config, ConfigField, Field, ListField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { selectionResult, type SourceSelector, type SourceSelectorResult } from './object-size-star-selector.js';

/**
 * Flags a source must have set (`good`) and must not have set (`bad`).
 *
 * @see lsst.meas.algorithms.sourceSelector.RequireFlags
 */
export class RequireFlagsConfig extends Config {
  /** Flags that must be set. */
  good = ListField({ dtype: 'str', default: [], doc: 'List of source flag fields that must be set for a source to be used.' });
  /** Flags that must not be set. */
  bad = ListField({ dtype: 'str', default: [], doc: 'List of source flag fields that will cause a source to be rejected when they are set.' });
}

/**
 * Signal-to-noise limits on one flux.
 *
 * @see lsst.meas.algorithms.sourceSelector.SignalToNoiseLimit
 */
export class SignalToNoiseLimitConfig extends Config {
  /** The flux field. */
  fluxField = Field.str({ default: 'base_PsfFlux_instFlux', doc: 'Name of the source flux field to use.' });
  /** Its error field. */
  errField = Field.str({ default: 'base_PsfFlux_instFluxErr', doc: 'Name of the source flux error field to use.' });
  /** Keep S/N ≥ this. */
  minimum = Field.float({ optional: true, doc: 'Select objects with signal/noise >= this value.' });
  /** Keep S/N < this. */
  maximum = Field.float({ optional: true, doc: 'Select objects with signal/noise < this value.' });
}

/**
 * Star/galaxy limits on a classification column.
 *
 * @see lsst.meas.algorithms.sourceSelector.RequireUnresolved
 */
export class RequireUnresolvedConfig extends Config {
  /** The classification column. */
  name = Field.str({ default: 'base_ClassificationExtendedness_value', doc: 'Name of column for star/galaxy separation.' });
  /** Keep values ≥ this. */
  minimum = Field.float({ optional: true, doc: 'Select objects with value >= this.' });
  /** Keep values < this. */
  maximum = Field.float({ optional: true, default: 0.5, doc: 'Select objects with value < this.' });
}

/**
 * Configuration of {@link ScienceSourceSelectorTask}: the limits LSST's selector applies, each
 * switched on by its `do*` field.
 *
 * @see lsst.meas.algorithms.sourceSelector.ScienceSourceSelectorConfig
 */
export class ScienceSourceSelectorConfig extends Config {
  /** Apply the flag limits. */
  doFlags = Field.bool({ default: false, doc: 'Apply flag limitation?' });
  /** Apply the star/galaxy limits. */
  doUnresolved = Field.bool({ default: false, doc: 'Apply unresolved limitation?' });
  /** Apply the signal-to-noise limits. */
  doSignalToNoise = Field.bool({ default: false, doc: 'Apply signal-to-noise limit?' });
  /** Keep isolated sources only: no parent and no children. */
  doIsolated = Field.bool({ default: false, doc: 'Apply isolated limitation?' });
  /** Keep sources with `detect_isPrimary` set only. */
  doRequirePrimary = Field.bool({ default: false, doc: 'Apply source is primary check?' });
  /** The flag limits. */
  flags = ConfigField({ dtype: RequireFlagsConfig, doc: 'Flags to require' });
  /** The star/galaxy limits. */
  unresolved = ConfigField({ dtype: RequireUnresolvedConfig, doc: 'Star/galaxy separation to apply' });
  /** The signal-to-noise limits. */
  signalToNoise = ConfigField({ dtype: SignalToNoiseLimitConfig, doc: 'Signal-to-noise limits to apply' });
}

/**
 * Selects sources by flags, signal-to-noise, star/galaxy classification, isolation and
 * primacy, as LSST's `science` source selector; the limits that are switched on are ANDed.
 * A star/galaxy limit on a column the
 * schema does not have is skipped with a warning (LSST raises): SkyStack's characterization
 * runs no catalog calculation before the aperture corrections.
 *
 * @example
 * ```ts
 * const config = new ScienceSourceSelectorConfig();
 * config.doSignalToNoise = true;
 * config.signalToNoise.minimum = 200;
 * const { indices } = new ScienceSourceSelectorTask({ config }).run(sources);
 * ```
 * @see lsst.meas.algorithms.sourceSelector.ScienceSourceSelectorTask
 */
export class ScienceSourceSelectorTask extends Task<ScienceSourceSelectorConfig> implements SourceSelector {
  /** {@link ScienceSourceSelectorConfig}. */
  static override ConfigClass = ScienceSourceSelectorConfig;
  /** `sourceSelector`. */
  static override _DefaultName: string | undefined = 'sourceSelector';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<ScienceSourceSelectorConfig> = {}) {
    super(options);
  }

  /**
   * Selects the sources.
   *
   * @param catalog - the catalog (with the columns the switched-on limits read)
   * @returns the selection
   * @throws {@link @skystack/afw-table!AfwTableNotFoundError} when a flag or flux column of a switched-on limit is missing
   */
  run(catalog: SourceCatalog): SourceSelectorResult {
    const c = this.config;
    const n = catalog.length;
    const selected = new Uint8Array(n).fill(1);
    const keep = (test: (i: number) => boolean): void => {
      for (let i = 0; i < n; i++) if (selected[i] && !test(i)) selected[i] = 0;
    };
    if (c.doFlags) {
      for (const name of c.flags.good) {
        const f = catalog.getColumn(name) as Uint8Array;
        keep((i) => f[i] !== 0);
      }
      for (const name of c.flags.bad) {
        const f = catalog.getColumn(name) as Uint8Array;
        keep((i) => f[i] === 0);
      }
    }
    if (c.doUnresolved) {
      if (catalog.schema.contains(c.unresolved.name)) {
        const v = catalog.getColumn(c.unresolved.name) as Float64Array;
        const { minimum, maximum } = c.unresolved;
        if (minimum !== null && minimum !== undefined) keep((i) => v[i]! >= minimum);
        if (maximum !== null && maximum !== undefined) keep((i) => v[i]! < maximum);
      } else {
        this.log.warn(`The sources have no '${c.unresolved.name}' field; the unresolved selection on it is skipped.`);
      }
    }
    if (c.doSignalToNoise) {
      const flux = catalog.getColumn(c.signalToNoise.fluxField) as Float64Array;
      const err = catalog.getColumn(c.signalToNoise.errField) as Float64Array;
      const { minimum, maximum } = c.signalToNoise;
      if (minimum !== null && minimum !== undefined) keep((i) => flux[i]! / err[i]! >= minimum);
      if (maximum !== null && maximum !== undefined) keep((i) => flux[i]! / err[i]! < maximum);
    }
    if (c.doIsolated) {
      const parent = catalog.getColumn('parent') as BigInt64Array;
      const nChild = catalog.schema.contains('deblend_nChild') ? (catalog.getColumn('deblend_nChild') as Int32Array) : undefined;
      keep((i) => parent[i] === 0n && (nChild === undefined || nChild[i] === 0));
    }
    if (c.doRequirePrimary) {
      const primary = catalog.getColumn('detect_isPrimary') as Uint8Array;
      keep((i) => primary[i] !== 0);
    }
    return selectionResult(selected);
  }
}
