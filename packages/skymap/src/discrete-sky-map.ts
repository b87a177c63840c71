import { Angle, SpherePoint } from '@skystack/geom';
import type { DiscreteSkyMapConfig } from './config.js';
import { BaseSkyMap, packStruct, type Sha1Sink } from './sky-map.js';
import { ExplicitTractInfo, type TractInfo } from './tract-info.js';

/**
 * Discrete sky map: one square tract at each (ra, dec, radius) of the config; tract id = list
 * index. `findTract` is the nearest tract centre.
 *
 * @example
 * ```ts
 * const skyMap = new DiscreteSkyMap(makeDiscreteSkyMapConfig({
 *   raList: [56.64971166122064], decList: [-36.4462532139528], radiusList: [0.5],
 *   projection: 'TAN', pixelScale: 0.2, tractOverlap: 0,
 * }));
 * skyMap.get(0).getNumPatches();
 * ```
 * @see lsst.skymap.DiscreteSkyMap
 */
export class DiscreteSkyMap extends BaseSkyMap<DiscreteSkyMapConfig> {
  /**
   * Makes the sky map (tracts are built on first use).
   *
   * @param config - the configuration (see {@link makeDiscreteSkyMapConfig})
   */
  constructor(config: DiscreteSkyMapConfig) {
    super(config, config.radiusList.length);
  }

  /** @inheritDoc */
  protected get className(): string {
    return 'DiscreteSkyMap';
  }

  /** @inheritDoc */
  protected generateTract(index: number): TractInfo {
    const center = SpherePoint.fromDegrees(this.config.raList[index]!, this.config.decList[index]!);
    return new ExplicitTractInfo({
      id: index,
      tractBuilder: this.config.tractBuilder,
      ctrCoord: center,
      radius: Angle.fromDegrees(this.config.radiusList[index]!),
      tractOverlap: Angle.fromDegrees(this.config.tractOverlap),
      wcs: this.makeWcs(center),
    });
  }

  /** @inheritDoc */
  protected updateSha1(sha1: Sha1Sink): void {
    for (const list of [this.config.raList, this.config.decList, this.config.radiusList]) {
      sha1.update(packStruct(`<${list.length}d`, list));
    }
  }
}
