// base_ClassificationExtendedness as a catalog calculation (lsst.meas.base.classification).
import type { Schema, SourceCatalog } from '@skystack/afw-table';
import { Config, Field } from '@skystack/pex-config';
import { PipeTasksInvalidArgumentError } from '../errors.js';

/**
 * The config of {@link CatalogCalculationClassificationPlugin}, with meas_base's fields and
 * defaults.
 *
 * @see lsst.meas.base.classification.CatalogCalculationClassificationConfig
 */
export class CatalogCalculationClassificationConfig extends Config {
  /** Critical ratio of model to PSF flux. */
  fluxRatio = Field.float({ doc: 'critical ratio of model to psf flux', default: 0.925 });
  /** Correction factor for the model flux error. */
  modelErrFactor = Field.float({ doc: 'correction factor for modelFlux error', default: 0.0 });
  /** Correction factor for the PSF flux error. */
  psfErrFactor = Field.float({ doc: 'correction factor for psfFlux error', default: 0.0 });
  /** The model flux measurement (LSST: the `modelFlux` slot, CModel); SkyStack uses the Gaussian flux. */
  modelFluxName = Field.str({ doc: 'Prefix of the model flux fields (_instFlux, _instFluxErr, _flag)', default: 'base_GaussianFlux' });
  /** The PSF flux measurement (the `psfFlux` slot). */
  psfFluxName = Field.str({ doc: 'Prefix of the PSF flux fields (_instFlux, _instFluxErr, _flag)', default: 'base_PsfFlux' });
}

/**
 * LSST's `base_ClassificationExtendedness` catalog calculation: `_value` is 1 (extended) when
 * `fluxRatio × modelFlux + modelErrFactor × modelFluxErr` is at least `psfFlux + psfErrFactor ×
 * psfFluxErr` (the PSF flux falls short of the model flux), else 0 (point-like); `_flag` and a
 * NaN value when either flux is flagged or not finite.
 *
 * Difference from LSST: the model flux is `base_GaussianFlux` (SkyStack has no CModel); the
 * Gaussian flux of an adaptive-moment-weighted Gaussian is the total flux for Gaussian
 * profiles, a lower bound for others.
 *
 * @example
 * ```ts
 * const plugin = new CatalogCalculationClassificationPlugin(config, schema);
 * plugin.calculate(catalog);
 * catalog.getColumn('base_ClassificationExtendedness_value');
 * ```
 * @see lsst.meas.base.classification.CatalogCalculationClassificationPlugin
 */
export class CatalogCalculationClassificationPlugin {
  /** The plugin name, the prefix of its fields. */
  static readonly pluginName = 'base_ClassificationExtendedness';
  /** The config. */
  readonly config: CatalogCalculationClassificationConfig;

  /**
   * Adds `base_ClassificationExtendedness_value` and `_flag` to the schema.
   *
   * @param config - the config
   * @param schema - the schema (modified)
   */
  constructor(config: CatalogCalculationClassificationConfig, schema: Schema) {
    this.config = config;
    const name = CatalogCalculationClassificationPlugin.pluginName;
    if (!schema.contains(`${name}_value`)) schema.addField({ name: `${name}_value`, type: 'D', doc: 'Set to 1 for extended sources, 0 for point sources.' });
    if (!schema.contains(`${name}_flag`)) schema.addField({ name: `${name}_flag`, type: 'Flag', doc: 'Set to 1 for any fatal failure.' });
  }

  /**
   * Classifies every record.
   *
   * @param catalog - the catalog (with the flux fields and this plugin's fields)
   * @throws {@link PipeTasksInvalidArgumentError} when the flux fields are missing
   */
  calculate(catalog: SourceCatalog): void {
    const c = this.config;
    const need = [`${c.modelFluxName}_instFlux`, `${c.psfFluxName}_instFlux`];
    const missing = need.filter((f) => !catalog.schema.contains(f));
    if (missing.length > 0) {
      throw new PipeTasksInvalidArgumentError(`base_ClassificationExtendedness needs ${missing.join(', ')}; the catalog lacks them.`, {
        hint: `Run the measurement plugins ${c.modelFluxName} and ${c.psfFluxName} first.`,
      });
    }
    const num = (name: string): ArrayLike<number> | undefined => (catalog.schema.contains(name) ? (catalog.getColumn(name) as unknown as ArrayLike<number>) : undefined);
    const model = num(`${c.modelFluxName}_instFlux`)!;
    const modelErr = num(`${c.modelFluxName}_instFluxErr`);
    const modelFlag = num(`${c.modelFluxName}_flag`);
    const psf = num(`${c.psfFluxName}_instFlux`)!;
    const psfErr = num(`${c.psfFluxName}_instFluxErr`);
    const psfFlag = num(`${c.psfFluxName}_flag`);
    const name = CatalogCalculationClassificationPlugin.pluginName;
    const value = catalog.getColumn(`${name}_value`) as Float64Array;
    const flag = catalog.getColumn(`${name}_flag`) as Uint8Array;
    for (let i = 0; i < catalog.length; i++) {
      const bad = (modelFlag !== undefined && modelFlag[i]) || (psfFlag !== undefined && psfFlag[i]) || !Number.isFinite(model[i]!) || !Number.isFinite(psf[i]!);
      if (bad) {
        value[i] = Number.NaN;
        flag[i] = 1;
        continue;
      }
      const flux1 = c.fluxRatio * model[i]! + c.modelErrFactor * (modelErr?.[i] ?? 0);
      const flux2 = psf[i]! + c.psfErrFactor * (psfErr?.[i] ?? 0);
      value[i] = flux1 < flux2 ? 0.0 : 1.0;
      flag[i] = 0;
    }
  }
}
