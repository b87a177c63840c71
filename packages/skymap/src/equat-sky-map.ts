import { Angle, SpherePoint } from '@skystack/geom';
import type { EquatSkyMapConfig } from './config.js';
import { BaseSkyMap, packStruct, type Sha1Sink } from './sky-map.js';
import { TractInfo } from './tract-info.js';

/**
 * Equatorial sky map (e.g. for SDSS Stripe 82): a band of declination `decRange` divided into
 * `numTracts` equal slices of RA starting at RA 0. Each tract's inner region is its RA/Dec
 * rectangle; its centre is at the middle of the slice and of the band; its WCS (`CEA` by
 * default) has CRVAL at the slice's middle RA and Dec 0, for symmetry about the equator.
 * `findTract` is the nearest tract centre (lsst.skymap's base `findTract`).
 *
 * @example
 * ```ts
 * const skyMap = new EquatSkyMap(makeEquatSkyMapConfig({ numTracts: 4 }));
 * skyMap.findTract(SpherePoint.fromDegrees(100, 0.5)).getId(); // 1
 * ```
 * @see lsst.skymap.EquatSkyMap
 */
export class EquatSkyMap extends BaseSkyMap<EquatSkyMapConfig> {
  /**
   * Makes the sky map (tracts are built on first use).
   *
   * @param config - the configuration (see {@link makeEquatSkyMapConfig})
   */
  constructor(config: EquatSkyMapConfig) {
    super(config, config.numTracts);
  }

  /** @inheritDoc */
  protected get className(): string {
    return 'EquatSkyMap';
  }

  /** @inheritDoc */
  protected generateTract(index: number): TractInfo {
    const [decMin, decMax] = this.config.decRange;
    const width = 360 / this.config.numTracts;
    const begRa = width * index;
    const endRa = begRa + width;
    const midRa = begRa + width / 2;
    return new TractInfo({
      id: index,
      tractBuilder: this.config.tractBuilder,
      ctrCoord: SpherePoint.fromDegrees(midRa, (decMin + decMax) / 2),
      vertexCoordList: [
        SpherePoint.fromDegrees(begRa, decMin),
        SpherePoint.fromDegrees(endRa, decMin),
        SpherePoint.fromDegrees(endRa, decMax),
        SpherePoint.fromDegrees(begRa, decMax),
      ],
      tractOverlap: Angle.fromDegrees(this.config.tractOverlap),
      wcs: this.makeWcs(SpherePoint.fromDegrees(midRa, 0)),
    });
  }

  /** @inheritDoc */
  protected updateSha1(sha1: Sha1Sink): void {
    sha1.update(packStruct('<i2d', [this.config.numTracts, this.config.decRange[0], this.config.decRange[1]]));
  }
}
