// The header cards afw turns into ExposureInfo parts and back: the exposure ID (EXPID), the
// VisitInfo cards, the FILTER card of files before EXPINFO_V 2, the FLUXMAG0 calibration of
// version-0 files, and DETNAME/DETSER.
import type { Header } from '@skystack/fits';
import { FilterLabel } from './components/filter-label.js';
import { makePhotoCalibFromCalibZeroPoint } from './components/photo-calib.js';
import { visitInfoFromMetadata, visitInfoToMetadata } from './components/visit-info.js';
import type { ExposureInfo } from './exposure-info.js';

/** Band names afw's `makeFilterLabelDirect` recognises (besides `N\d+` and `I\d{2,}`). */
const BANDS = new Set(['u', 'g', 'r', 'i', 'z', 'y', 'SH', 'PH', 'VR', 'white']);
/** Old afw filter names with a fixed translation. */
const AFW_NAMES: Readonly<Record<string, () => FilterLabel>> = {
  r2: () => FilterLabel.fromBandPhysical('r', 'HSC-R2'),
  i2: () => FilterLabel.fromBandPhysical('i', 'HSC-I2'),
  SOLID: () => FilterLabel.fromPhysical('solid plate 0.0 0.0'),
};

/**
 * The FilterLabel afw makes from an old-style filter name (the `FILTER` card of files before
 * `EXPINFO_V = 2`) when no filter registry is available: a band when the name looks like one
 * (`u g r i z y`, `N656`, `I945`, ...), else a physical filter; `null` for afw's default
 * `_unknown_`.
 *
 * @param name - the filter name
 * @returns the label, or `null`
 */
export function filterLabelFromOldName(name: string): FilterLabel | null {
  if (name === '' || name === '_unknown_') return null;
  const special = AFW_NAMES[name];
  if (special !== undefined) return special();
  if (BANDS.has(name) || /^N\d+$/.test(name) || /^I\d{2,}$/.test(name)) return FilterLabel.fromBand(name);
  return FilterLabel.fromPhysical(name);
}

/** @internal The two directions, used by the exposure reader and writer. */
export const exposureMetadataHooks = {
  /**
   * Moves the header-derived parts of an exposure from `metadata` (edited in place) into `info`.
   *
   * @param metadata - the primary metadata, edited
   * @param version - `EXPINFO_V`
   * @param info - where to put the parts
   * @param where - the file, for messages
   */
  read(metadata: Header, version: number, info: ExposureInfo, where: string): void {
    if (version < 2) {
      const name = metadata.getString('FILTER');
      if (name !== undefined) info.setFilter(filterLabelFromOldName(name.trimEnd()));
    }
    const expId = metadata.get('EXPID');
    if (typeof expId === 'number' || typeof expId === 'bigint') info.setId(BigInt(expId));
    const { visitInfo, consumedKeys } = visitInfoFromMetadata(metadata, where);
    info.setVisitInfo(visitInfo);
    for (const k of consumedKeys) metadata.delete(k);
    metadata.delete('EXPID');
    if (version === 0) {
      const fluxMag0 = metadata.getNumber('FLUXMAG0');
      if (fluxMag0 !== undefined) {
        info.setPhotoCalib(makePhotoCalibFromCalibZeroPoint(fluxMag0, metadata.getNumber('FLUXMAG0ERR') ?? 0));
        metadata.delete('FLUXMAG0');
        metadata.delete('FLUXMAG0ERR');
      }
    }
  },

  /**
   * Adds the header cards of an exposure's parts to its primary header.
   *
   * @param primary - the primary header, edited
   * @param info - the parts
   */
  write(primary: Header, info: ExposureInfo): void {
    const detector = info.getDetector();
    if (detector !== null) {
      primary.set('DETNAME', detector.getName());
      primary.set('DETSER', detector.getSerial());
    }
    const id = info.getId();
    if (id !== null) primary.set('EXPID', id);
    const visitInfo = info.getVisitInfo();
    if (visitInfo !== null) for (const card of visitInfoToMetadata(visitInfo)) primary.set(card.keyword, card.value, card.comment);
  },
};
