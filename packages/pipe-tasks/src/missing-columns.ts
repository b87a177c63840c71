// Which measurement plugin (or task) makes a column of a `src` catalog, for error messages
// about missing columns.

/** Column-name prefixes of LSST's measurement plugins and the tasks that add source columns. */
const PRODUCERS: readonly (readonly [prefix: string, producer: string])[] = [
  ['base_LocalPhotoCalib', "the measurement plugin 'base_LocalPhotoCalib' (the PhotoCalib evaluated at each centroid)"],
  ['base_LocalWcs', "the measurement plugin 'base_LocalWcs' (the local CD matrix of the WCS at each centroid)"],
  ['base_LocalBackground', "the measurement plugin 'base_LocalBackground'"],
  ['base_CircularApertureFlux', "the measurement plugin 'base_CircularApertureFlux'"],
  ['base_PsfFlux', "the measurement plugin 'base_PsfFlux'"],
  ['base_GaussianFlux', "the measurement plugin 'base_GaussianFlux'"],
  ['base_SdssCentroid', "the measurement plugin 'base_SdssCentroid'"],
  ['base_SdssShape', "the measurement plugin 'base_SdssShape'"],
  ['base_PixelFlags', "the measurement plugin 'base_PixelFlags'"],
  ['base_ClassificationExtendedness', "the measurement plugin 'base_ClassificationExtendedness'"],
  ['base_ClassificationSizeExtendedness', "the measurement plugin 'base_ClassificationSizeExtendedness'"],
  ['base_Blendedness', "the measurement plugin 'base_Blendedness'"],
  ['base_FootprintArea', "the measurement plugin 'base_FootprintArea'"],
  ['base_Jacobian', "the measurement plugin 'base_Jacobian'"],
  ['base_Variance', "the measurement plugin 'base_Variance'"],
  ['base_InvalidPsf', "the measurement plugin 'base_InvalidPsf'"],
  ['base_NormalizedCompensatedTophatFlux', "the normalized calibration flux task (normalizedCalibrationFlux)"],
  ['base_CompensatedTophatFlux', "the measurement plugin 'base_CompensatedTophatFlux'"],
  ['ext_shapeHSM_HsmPsfMomentsDebiased', "the measurement plugin 'ext_shapeHSM_HsmPsfMomentsDebiased' (meas_extensions_shapeHSM)"],
  ['ext_shapeHSM_HsmPsfMoments', "the measurement plugin 'ext_shapeHSM_HsmPsfMoments' (meas_extensions_shapeHSM)"],
  ['ext_shapeHSM_HsmShapeRegauss', "the measurement plugin 'ext_shapeHSM_HsmShapeRegauss' (meas_extensions_shapeHSM)"],
  ['ext_shapeHSM_HsmSourceMoments', "the measurement plugin 'ext_shapeHSM_HsmSourceMoments' (meas_extensions_shapeHSM)"],
  ['coord_raErr', 'the astrometric fit (updateSourceCoords with coordinate errors, in calibrateImage)'],
  ['coord_decErr', 'the astrometric fit (updateSourceCoords with coordinate errors, in calibrateImage)'],
  ['coord_ra_dec_Cov', 'the astrometric fit (updateSourceCoords with coordinate errors, in calibrateImage)'],
  ['calib_astrometry', 'the astrometry task (calibrateImage)'],
  ['calib_photometry', 'the photometric calibration (PhotoCalTask, in calibrateImage)'],
  ['calib_psf', 'the PSF determination (calibrateImage)'],
  ['deblend_', 'the deblender (SourceDeblendTask)'],
  ['detect_isPrimary', 'the primary-flag step (SetPrimaryFlagsTask)'],
  ['sky_source', 'the sky-source step (SkyObjectsTask)'],
  ['slot_', 'a slot alias of the src catalog (the plugin the slot points to)'],
];

/**
 * What makes a column of a `src` catalog: the measurement plugin or the task, when known.
 *
 * @param column - a column name (`base_LocalPhotoCalib`, `base_CircularApertureFlux_3_0_instFlux`, ...)
 * @returns a phrase naming the producer, or `undefined` when unknown
 * @example
 * ```ts
 * columnProducer('base_LocalPhotoCalibErr'); // "the measurement plugin 'base_LocalPhotoCalib' (...)"
 * ```
 */
export function columnProducer(column: string): string | undefined {
  let best: readonly [string, string] | undefined;
  for (const entry of PRODUCERS) {
    if (column.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}

/**
 * The message of a {@link MissingColumnsError}: each missing column, the outputs that need
 * it, and what makes it.
 *
 * @param names - the missing columns
 * @param neededBy - output column names by missing input column
 * @returns the message
 */
export function describeMissingColumns(names: readonly string[], neededBy?: ReadonlyMap<string, readonly string[]>): string {
  const lines = names.map((name) => {
    const producer = columnProducer(name);
    const users = neededBy?.get(name);
    const usedBy = users === undefined || users.length === 0 ? '' : ` needed for ${users.slice(0, 6).join(', ')}${users.length > 6 ? `, and ${users.length - 6} more` : ''};`;
    return `'${name}' (${usedBy.length > 0 ? usedBy.slice(1) + ' ' : ''}made by ${producer ?? 'an unknown plugin or task'})`;
  });
  const plural = names.length === 1 ? 'column' : 'columns';
  return `The table lacks ${names.length} ${plural} that the functors read: ${lines.join('; ')}.`;
}
