import type { ApCorrMap } from '@skystack/afw-image';
import type { Schema, SourceCatalog } from '@skystack/afw-table';
import { Config, Field, ListField } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import { DEFAULT_AP_CORR_NAMES } from './measure-ap-corr-task.js';
import { MeasAlgorithmsNoDataError } from './errors.js';

/**
 * Configuration of {@link ApplyApCorrTask}, with meas_base's fields and defaults (no `proxies`).
 *
 * @see lsst.meas.base.applyApCorr.ApplyApCorrConfig
 */
export class ApplyApCorrConfig extends Config {
  /** Flux algorithms not to correct. */
  ignoreList = ListField({ dtype: 'str', default: [], doc: 'flux measurement algorithms in getApCorrNameSet() to ignore; if a name is listed that does not appear in getApCorrNameSet() then a warning is logged' });
  /** Set the flux's general failure flag when it cannot be corrected? */
  doFlagApCorrFailures = Field.bool({ default: true, doc: 'set the general failure flag for a flux when it cannot be aperture-corrected?' });
}

/**
 * Applies aperture corrections to a catalog (this lives in meas_base in LSST): for each flux
 * algorithm present, `<alg>_instFlux` and `<alg>_instFluxErr` are multiplied by the correction
 * at the source's centroid (the error is scaled, as LSST's default "naive" error), which is
 * recorded in `<alg>_apCorr` (its model error in `<alg>_apCorrErr`); `<alg>_flag_apCorr` is set
 * where the map has no correction or the correction is not positive (and then, with
 * `doFlagApCorrFailures`, the flux's general flag too).
 *
 * @example
 * ```ts
 * const apply = new ApplyApCorrTask({ schema });   // before the catalog is made
 * apply.run(sources, apCorrMap);
 * sources.get(0).get('base_PsfFlux_apCorr');
 * ```
 * @see lsst.meas.base.applyApCorr.ApplyApCorrTask
 */
export class ApplyApCorrTask extends Task<ApplyApCorrConfig> {
  /** {@link ApplyApCorrConfig}. */
  static override ConfigClass = ApplyApCorrConfig;
  /** `applyApCorr`. */
  static override _DefaultName: string | undefined = 'applyApCorr';
  /** The algorithms corrected (those with `_instFlux` in the schema, less the ignore list). */
  readonly names: readonly string[];

  /**
   * Makes the task; adds `<alg>_apCorr`, `<alg>_apCorrErr` and `<alg>_flag_apCorr` to the schema.
   *
   * @param options - Task options, the schema, and the algorithm names (default {@link DEFAULT_AP_CORR_NAMES})
   */
  constructor(options: TaskOptions<ApplyApCorrConfig> & { readonly schema: Schema; readonly names?: readonly string[] }) {
    super(options);
    const all = options.names ?? DEFAULT_AP_CORR_NAMES;
    const missing = this.config.ignoreList.filter((n) => !all.includes(n));
    if (missing.length > 0) this.log.warn(`Fields in ignoreList that are not in fluxCorrectList: ${missing.sort().join(', ')}`);
    const schema = options.schema;
    this.names = [...all]
      .sort()
      .filter((name) => !this.config.ignoreList.includes(name) && schema.contains(`${name}_instFlux`));
    for (const name of this.names) {
      if (!schema.contains(`${name}_apCorr`)) schema.addField({ name: `${name}_apCorr`, type: 'D', doc: `aperture correction applied to ${name}` });
      if (!schema.contains(`${name}_apCorrErr`)) schema.addField({ name: `${name}_apCorrErr`, type: 'D', doc: `standard deviation of aperture correction applied to ${name}` });
      if (!schema.contains(`${name}_flag_apCorr`)) schema.addField({ name: `${name}_flag_apCorr`, type: 'Flag', doc: `set if unable to aperture correct ${name}` });
    }
  }

  /**
   * Corrects the catalog in place.
   *
   * @param catalog - the sources (slot centroid)
   * @param apCorrMap - the corrections (`<alg>_instFlux`, `<alg>_instFluxErr`)
   * @see lsst.meas.base.applyApCorr.ApplyApCorrTask.run
   */
  run(catalog: SourceCatalog, apCorrMap: ApCorrMap): void {
    this.timer('run', () => {
      this.log.info(`Applying aperture corrections to ${this.names.length} instFlux fields`);
      const xs = catalog.getColumn('slot_Centroid_x') as Float64Array;
      const ys = catalog.getColumn('slot_Centroid_y') as Float64Array;
      const n = catalog.length;
      for (const name of this.names) {
        const model = apCorrMap.get(`${name}_instFlux`);
        const errModel = apCorrMap.get(`${name}_instFluxErr`);
        const apFlag = catalog.getColumn(`${name}_flag_apCorr`) as Uint8Array;
        if (model === undefined || errModel === undefined) {
          const missing = [model === undefined ? `${name}_instFlux` : undefined, errModel === undefined ? `${name}_instFluxErr` : undefined].filter((s) => s !== undefined);
          this.log.warn(`Cannot aperture correct ${name} because could not find ${missing.join(' or ')} in apCorrMap`);
          apFlag.fill(1);
          continue;
        }
        const flux = catalog.getColumn(`${name}_instFlux`) as Float64Array;
        const fluxErr = catalog.getColumn(`${name}_instFluxErr`) as Float64Array;
        const flag = catalog.schema.contains(`${name}_flag`) ? (catalog.getColumn(`${name}_flag`) as Uint8Array) : undefined;
        const apCorr = catalog.getColumn(`${name}_apCorr`) as Float64Array;
        const apCorrErr = catalog.getColumn(`${name}_apCorrErr`) as Float64Array;
        for (let i = 0; i < n; i++) {
          apFlag[i] = 1;
          const oldFlag = flag?.[i] ?? 0;
          if (this.config.doFlagApCorrFailures && flag !== undefined) flag[i] = 1;
          const x = xs[i]!;
          const y = ys[i]!;
          if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
          let corr: number;
          let corrErr: number;
          try {
            corr = model.evaluate(x, y);
            corrErr = errModel.evaluate(x, y);
          } catch (error) {
            // A coadd's correction is not defined where no input covers: the source keeps its flags.
            if (error instanceof MeasAlgorithmsNoDataError) continue;
            throw error;
          }
          apCorr[i] = corr;
          apCorrErr[i] = corrErr;
          if (!(corr > 0) || corrErr < 0) continue;
          flux[i]! *= corr;
          fluxErr[i]! *= corr;
          apFlag[i] = 0;
          if (this.config.doFlagApCorrFailures && flag !== undefined) flag[i] = oldFlag;
        }
      }
    });
  }
}
