import { Angle, AngleInterval, LonLatBox, NormalizedAngleInterval, SpherePoint } from '@skystack/geom';
import { makeRingsSkyMapConfig, type RingsSkyMapConfig } from './config.js';
import { SkymapIndexError } from './errors.js';
import { BaseSkyMap, packStruct, type Sha1Sink, type TractPatchList } from './sky-map.js';
import { ExplicitTractInfo, type TractInfo } from './tract-info.js';

const TWO_PI = 2 * Math.PI;

function wrap(rad: number): number {
  const r = rad % TWO_PI;
  return r < 0 ? r + TWO_PI : r;
}

/** RA/Dec limits of a rings tract's inner region (radians). */
export interface RaDecRange {
  /** Lowest RA, wrapped to [0, 2π) (greater than `raMax` when the range crosses RA 0; 0 for a cap). */
  readonly raMin: number;
  /** Highest RA, wrapped to [0, 2π) (2π for a cap). */
  readonly raMax: number;
  /** Lowest declination. */
  readonly decMin: number;
  /** Highest declination. */
  readonly decMax: number;
}

/**
 * Rings sky map: the sphere divided into `numRings` rings of declination plus two polar caps
 * (together one ring's height); each ring divided in RA into a whole number of tracts, sized at
 * the ring's edge nearest the equator. Tract 0 is the south cap, then ring 0 from `raStart` in
 * increasing RA, …, and the north cap is the last tract (version 1 numbering, after DM-14809).
 *
 * @example
 * ```ts
 * const skyMap = new RingsSkyMap(makeRingsSkyMapConfig({ projection: 'TAN', tractOverlap: 1 / 60, pixelScale: 0.168 }));
 * skyMap.findTract(SpherePoint.fromDegrees(150.11917, 2.20583)).getId(); // 9813
 * ```
 * @see lsst.skymap.RingsSkyMap
 */
export class RingsSkyMap extends BaseSkyMap<RingsSkyMapConfig> {
  readonly #ringSize: number;
  readonly #ringNums: Int32Array;
  /** `#ringStart[r]` = id of the first tract of ring r (= 1 + Σ_{q<r} ringNums[q]). */
  readonly #ringStart: Int32Array;
  readonly #raStart: number;
  readonly #firstRingStart: number;

  /**
   * Computes the ring layout (tracts are built on first use).
   *
   * @param config - the configuration (see {@link makeRingsSkyMapConfig}); lsst.skymap's
   *   defaults with 120 rings when omitted
   */
  constructor(config: RingsSkyMapConfig = makeRingsSkyMapConfig()) {
    const ringSize = Math.PI / (config.numRings + 1);
    const ringNums = new Int32Array(config.numRings);
    for (let i = 0; i < config.numRings; i++) {
      const startDec = ringSize * (i + 0.5) - 0.5 * Math.PI;
      const stopDec = startDec + ringSize;
      const dec = Math.min(Math.abs(startDec), Math.abs(stopDec));
      ringNums[i] = Math.trunc((2 * Math.PI * Math.cos(dec)) / ringSize) + 1;
    }
    let total = 0;
    const ringStart = new Int32Array(config.numRings + 1);
    for (let i = 0; i < config.numRings; i++) {
      ringStart[i] = total + 1;
      total += ringNums[i]!;
    }
    ringStart[config.numRings] = total + 1;
    super(config, total + 2);
    this.#ringSize = ringSize;
    this.#ringNums = ringNums;
    this.#ringStart = ringStart;
    this.#raStart = wrap(Angle.fromDegrees(config.raStart).asRadians());
    this.#firstRingStart = ringSize * 0.5 - 0.5 * Math.PI;
  }

  /** @inheritDoc */
  protected get className(): string {
    return 'RingsSkyMap';
  }

  /** @returns the height of a ring in declination */
  getRingSize(): Angle {
    return Angle.fromRadians(this.#ringSize);
  }

  /** @returns the number of tracts in each ring, south to north */
  getRingNums(): readonly number[] {
    return [...this.#ringNums];
  }

  /**
   * The ring and the tract number within the ring of a tract index.
   *
   * @param index - tract index
   * @returns `[ring, tractNum]`: ring −1 is the south cap, `numRings` the north cap
   * @throws {@link SkymapIndexError} if out of range
   */
  getRingIndices(index: number): [ring: number, tractNum: number] {
    const n = this.length;
    if (index === 0) return [-1, 0];
    if (index === n - 1) return [this.config.numRings, 0];
    if (!(Number.isInteger(index) && index > 0 && index < n)) {
      throw new SkymapIndexError(`Tract index ${index} is out of range [0, ${n - 1}].`);
    }
    let ring = 0;
    let tractNum = index - 1;
    while (ring < this.config.numRings && tractNum >= this.#ringNums[ring]!) {
      tractNum -= this.#ringNums[ring]!;
      ring++;
    }
    return [ring, tractNum];
  }

  /**
   * The inner region of a tract as RA/Dec limits (radians): the tracts' inner regions tile the sky.
   *
   * @param index - tract index
   * @returns the RA/Dec limits
   */
  getRaDecRange(index: number): RaDecRange {
    const [ring, tractNum] = this.getRingIndices(index);
    const s = this.#ringSize;
    if (ring === -1) return { raMin: 0, raMax: TWO_PI, decMin: -0.5 * Math.PI, decMax: -0.5 * Math.PI + 0.5 * s };
    if (ring === this.config.numRings) return { raMin: 0, raMax: TWO_PI, decMin: 0.5 * Math.PI - 0.5 * s, decMax: 0.5 * Math.PI };
    const w = TWO_PI / this.#ringNums[ring]!;
    return {
      raMin: wrap(this.#raStart + (tractNum - 0.5) * w),
      raMax: wrap(this.#raStart + (tractNum + 0.5) * w),
      decMin: -0.5 * Math.PI + (ring + 0.5) * s,
      decMax: -0.5 * Math.PI + (ring + 1.5) * s,
    };
  }

  /** @inheritDoc */
  protected generateTract(index: number): TractInfo {
    const [ring, tractNum] = this.getRingIndices(index);
    let ra = 0;
    let dec: number;
    if (ring === -1) dec = -0.5 * Math.PI;
    else if (ring === this.config.numRings) dec = 0.5 * Math.PI;
    else {
      dec = this.#ringSize * (ring + 1) - 0.5 * Math.PI;
      ra = wrap((TWO_PI * tractNum) / this.#ringNums[ring]! + this.#raStart);
    }
    const center = SpherePoint.fromRadians(ra, dec);
    const r = this.getRaDecRange(index);
    const lon =
      r.raMax === TWO_PI ? LonLatBox.allLongitudes() : NormalizedAngleInterval.fromRadians(r.raMin, r.raMax);
    return new ExplicitTractInfo({
      id: index,
      tractBuilder: this.config.tractBuilder,
      ctrCoord: center,
      radius: Angle.fromRadians(0.5 * this.#ringSize),
      tractOverlap: Angle.fromDegrees(this.config.tractOverlap),
      wcs: this.makeWcs(center),
      innerSkyRegion: new LonLatBox(lon, AngleInterval.fromRadians(r.decMin, r.decMax)),
    });
  }

  /**
   * The id of the tract whose inner region holds the position: ring from the declination, tract
   * from the RA (rounded to the nearest tract centre), as lsst.skymap's `findTract`.
   *
   * @param raRad - right ascension (radians)
   * @param decRad - declination (radians)
   * @returns the tract id
   */
  findTractId(raRad: number, decRad: number): number {
    const first = this.#firstRingStart;
    if (decRad < first) return 0;
    if (decRad > -first) return this.length - 1;
    const ring = Math.trunc((decRad - first) / this.#ringSize);
    const n = this.#ringNums[ring]!;
    let d = (raRad - this.#raStart) % TWO_PI;
    if (d < 0) d += TWO_PI;
    let t = Math.trunc(d / (TWO_PI / n) + 0.5);
    if (t === n) t = 0;
    return this.#ringStart[ring]! + t;
  }

  /**
   * Vectorised {@link RingsSkyMap.findTractId}.
   *
   * @param ra - right ascensions
   * @param dec - declinations
   * @param degrees - whether the inputs are in degrees (radians by default)
   * @returns the tract ids
   */
  findTractIdArray(ra: ArrayLike<number>, dec: ArrayLike<number>, degrees = false): Int32Array {
    const out = new Int32Array(ra.length);
    const k = degrees ? Math.PI / 180 : 1;
    for (let i = 0; i < ra.length; i++) out[i] = this.findTractId(ra[i]! * k, dec[i]! * k);
    return out;
  }

  /**
   * The tract whose inner region holds the coordinate (its nearest tract by construction).
   *
   * @param coord - ICRS coordinate
   * @returns the tract
   */
  override findTract(coord: SpherePoint): TractInfo {
    return this.get(this.findTractId(coord.getLongitude().asRadians(), coord.getLatitude().asRadians()));
  }

  /**
   * The tracts that contain the coordinate: the nearest tract's ring ±1, tract ±1 in each, and
   * both caps, checked with `TractInfo.contains`.
   *
   * @param coord - ICRS coordinate
   * @returns the tracts
   */
  override findAllTracts(coord: SpherePoint): TractInfo[] {
    const dec = coord.getLatitude().asRadians();
    const ra = coord.getLongitude().asRadians();
    const nr = this.config.numRings;
    const ringNum = dec < this.#firstRingStart ? -1 : dec > -this.#firstRingStart ? nr : Math.trunc((dec - this.#firstRingStart) / this.#ringSize);
    const out: TractInfo[] = [];
    for (const r of [ringNum - 1, ringNum, ringNum + 1]) {
      if (r < 0 || r >= nr) continue;
      const n = this.#ringNums[r]!;
      let d = (ra - this.#raStart) % TWO_PI;
      if (d < 0) d += TWO_PI;
      let tn = Math.trunc(d / (TWO_PI / n) + 0.5);
      if (tn === n) tn = 0;
      for (let t of [tn - 1, tn, tn + 1]) {
        if (t < 0) t += n;
        else if (t > n - 1) t -= n;
        const tract = this.get(this.#ringStart[r]! + t);
        if (tract.contains(coord) && !out.includes(tract)) out.push(tract);
      }
    }
    for (const id of [0, this.length - 1]) {
      const tract = this.get(id);
      if (tract.contains(coord)) out.push(tract);
    }
    return out;
  }

  /**
   * Tracts (those containing any coordinate) and their patches for the region spanned by the
   * coordinates.
   *
   * @param coords - ICRS coordinates
   * @returns (tract, patches) pairs, each tract once
   */
  override findTractPatchList(coords: readonly SpherePoint[]): TractPatchList {
    const out: TractPatchList = [];
    const seen = new Set<number>();
    for (const c of coords) {
      for (const tract of this.findAllTracts(c)) {
        if (seen.has(tract.getId())) continue;
        const patches = tract.findPatchList(coords);
        if (patches.length > 0) {
          seen.add(tract.getId());
          out.push([tract, patches]);
        }
      }
    }
    return out;
  }

  /** @inheritDoc */
  protected updateSha1(sha1: Sha1Sink): void {
    sha1.update(packStruct('<id', [this.config.numRings, this.config.raStart]));
  }
}
