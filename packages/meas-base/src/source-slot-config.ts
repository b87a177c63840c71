import type { Schema } from '@skystack/afw-table';
import { Config, Field } from '@skystack/pex-config';

/**
 * Which plugin each slot of a SourceCatalog points to (aliases `slot_Centroid` → the plugin's
 * field prefix); `null` leaves a slot undefined.
 *
 * @example
 * ```ts
 * const config = new SingleFrameMeasurementConfig();
 * config.slots.apFlux = 'base_CircularApertureFlux_9_0';
 * ```
 * @see lsst.meas.base.SourceSlotConfig
 */
export class SourceSlotConfig extends Config {
  /** The centroid slot. */
  centroid = Field.str({ doc: 'the name of the centroiding algorithm used to set source x,y', default: 'base_SdssCentroid', optional: true });
  /** The shape slot. */
  shape = Field.str({ doc: 'the name of the algorithm used to set source moments parameters', default: 'base_SdssShape', optional: true });
  /** The PSF shape slot. */
  psfShape = Field.str({ doc: 'the name of the algorithm used to set PSF moments parameters', default: 'base_SdssShape_psf', optional: true });
  /** The aperture flux slot. */
  apFlux = Field.str({ doc: 'the name of the algorithm used to set the source aperture instFlux slot', default: 'base_CircularApertureFlux_12_0', optional: true });
  /** The model flux slot. */
  modelFlux = Field.str({ doc: 'the name of the algorithm used to set the source model instFlux slot', default: 'base_GaussianFlux', optional: true });
  /** The PSF flux slot. */
  psfFlux = Field.str({ doc: 'the name of the algorithm used to set the source psf instFlux slot', default: 'base_PsfFlux', optional: true });
  /** The Gaussian flux slot. */
  gaussianFlux = Field.str({ doc: 'the name of the algorithm used to set the source Gaussian instFlux slot', default: 'base_GaussianFlux', optional: true });
  /** The calibration flux slot. */
  calibFlux = Field.str({ doc: 'the name of the instFlux measurement algorithm used for calibration', default: 'base_CircularApertureFlux_12_0', optional: true });

  /**
   * Sets the slot aliases of a schema (before the plugins add their fields, as meas_base does, so
   * that plugins can alias their `_flag_badCentroid` to the centroid slot's flag).
   *
   * @param schema - the schema
   * @see lsst.meas.base.SourceSlotConfig.setupSchema
   */
  setupSchema(schema: Schema): void {
    const aliases = schema.getAliasMap();
    const slots: [string, string | null][] = [
      ['slot_Centroid', this.centroid],
      ['slot_Shape', this.shape],
      ['slot_PsfShape', this.psfShape],
      ['slot_ApFlux', this.apFlux],
      ['slot_ModelFlux', this.modelFlux],
      ['slot_PsfFlux', this.psfFlux],
      ['slot_GaussianFlux', this.gaussianFlux],
      ['slot_CalibFlux', this.calibFlux],
    ];
    // As meas_base: a slot set to None leaves the schema's existing alias alone (a second
    // measurement task over the same schema, such as calibrate's post-calibration one, must
    // not remove the slots the first defined).
    for (const [slot, target] of slots) if (target !== null) aliases.set(slot, target);
  }
}
