// Integer ids of coadd data IDs: seeds of random numbers and the high bits of source ids
// (LSST's SkyMapIdGenerator / ExposureIdInfo over tract, patch and band).
import { PipeTasksInvalidArgumentError } from '../errors.js';

/** The bands numbered by {@link coaddExposureId} (others get the last index). */
const BANDS = ['u', 'g', 'r', 'i', 'z', 'y'] as const;

/**
 * A unique integer for a coadd data ID: `(tract × 10000 + patch) × 8 + band index` (band index
 * from `u g r i z y`, 7 for any other band), or `tract × 10000 + patch` when the data ID has no
 * band (merged catalogs). Used to seed sky objects and noise replacement and as the high bits of
 * source ids, as LSST's packed coadd ids.
 *
 * @param dataId - a data ID with `tract`, `patch` and optionally `band`
 * @returns the id (a non-negative safe integer)
 * @throws {@link PipeTasksInvalidArgumentError} when tract or patch are missing or not integers
 * @example
 * ```ts
 * coaddExposureId(new Map<string, unknown>([['tract', 9813], ['patch', 42], ['band', 'r']])); // (98130042) * 8 + 2
 * ```
 * @see lsst.meas.base.SkyMapIdGeneratorConfig
 */
export function coaddExposureId(dataId: { get(key: string): unknown }): number {
  const tract = Number(dataId.get('tract'));
  const patch = Number(dataId.get('patch'));
  if (!Number.isInteger(tract) || !Number.isInteger(patch) || tract < 0 || patch < 0 || patch >= 10000) {
    throw new PipeTasksInvalidArgumentError(`A coadd data ID needs integer tract and patch (patch < 10000); got tract=${String(dataId.get('tract'))}, patch=${String(dataId.get('patch'))}.`);
  }
  const band = dataId.get('band');
  const base = tract * 10000 + patch;
  if (band === undefined || band === null) return base;
  const i = BANDS.indexOf(String(band) as (typeof BANDS)[number]);
  return base * 8 + (i < 0 ? 7 : i);
}
