import { Angle, type SpherePoint } from '@skystack/geom';
import type { DodecaSkyMapConfig } from './config.js';
import { Dodecahedron, coordFromVec } from './dodecahedron.js';
import { BaseSkyMap, packStruct, type Sha1Sink } from './sky-map.js';
import { TractInfo } from './tract-info.js';

/**
 * Dodecahedron sky map: 12 overlapping tracts, one per face of a dodecahedron (a vertex on each
 * pole, or with `withTractsOnPoles` a face centred on each pole). Tracts are numbered by
 * decreasing latitude band, then increasing RA; a tract's centre is its face centre (the WCS's
 * CRVAL) and its inner region is the face's pentagon. `findTract` is the face whose centre is
 * nearest.
 *
 * @example
 * ```ts
 * const skyMap = new DodecaSkyMap(makeDodecaSkyMapConfig());
 * skyMap.length;                                          // 12
 * skyMap.findTract(SpherePoint.fromDegrees(0, -90)).getId(); // 9, 10 or 11
 * ```
 * @see lsst.skymap.DodecaSkyMap
 */
export class DodecaSkyMap extends BaseSkyMap<DodecaSkyMapConfig> {
  readonly #dodecahedron: Dodecahedron;

  /**
   * Makes the sky map (tracts are built on first use).
   *
   * @param config - the configuration (see {@link makeDodecaSkyMapConfig})
   */
  constructor(config: DodecaSkyMapConfig) {
    super(config, 12);
    this.#dodecahedron = new Dodecahedron(config.withTractsOnPoles);
  }

  /** @returns whether a tract is centred on each pole */
  getWithTractsOnPoles(): boolean {
    return this.#dodecahedron.getWithFacesOnPoles();
  }

  /** @returns the dodecahedron whose faces are the tracts */
  getDodecahedron(): Dodecahedron {
    return this.#dodecahedron;
  }

  /**
   * The tract whose face contains the coordinate (nearest face centre).
   *
   * @param coord - ICRS coordinate
   * @returns the tract
   */
  override findTract(coord: SpherePoint): TractInfo {
    return this.get(this.#dodecahedron.getFaceInd(coord.getVector()));
  }

  /** @inheritDoc */
  protected get className(): string {
    return 'DodecaSkyMap';
  }

  /** @inheritDoc */
  protected generateTract(index: number): TractInfo {
    const ctr = coordFromVec(this.#dodecahedron.getFaceCtr(index), Angle.fromDegrees(0));
    const ra = ctr.getLongitude();
    return new TractInfo({
      id: index,
      tractBuilder: this.config.tractBuilder,
      ctrCoord: ctr,
      vertexCoordList: this.#dodecahedron.getVertices(index).map((v) => coordFromVec(v, ra)),
      tractOverlap: Angle.fromDegrees(this.config.tractOverlap),
      wcs: this.makeWcs(ctr),
    });
  }

  /** @inheritDoc */
  protected updateSha1(sha1: Sha1Sink): void {
    sha1.update(packStruct('<?', [this.config.withTractsOnPoles]));
  }
}
