import { createHash } from 'node:crypto';
import { Angle, Point2D, type SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeSkyWcs, type SkyWcs } from '@skystack/wcs';
import type { BaseSkyMapConfig } from './config.js';
import { SkymapIndexError } from './errors.js';
import type { PatchInfo } from './patch-info.js';
import type { TractInfo } from './tract-info.js';

/** A sink of bytes for the SHA1 identity (the `update` of Python's `hashlib.sha1`). */
export interface Sha1Sink {
  /**
   * Adds bytes to the hash.
   *
   * @param data - the bytes
   */
  update(data: Uint8Array): void;
}

/**
 * Packs values as Python's `struct.pack` with a little-endian (`<`) format of `i` (int32), `d`
 * (float64), `?` (bool) and `Ns` (N bytes of an ASCII string, zero-padded or truncated).
 *
 * @param format - the format, starting with `<`, e.g. `<iiidd3sd`
 * @param values - one value per field
 * @returns the packed bytes (no padding, as with `<`)
 * @example
 * ```ts
 * packStruct('<id', [120, 0]); // 12 bytes
 * ```
 */
export function packStruct(format: string, values: readonly (number | string | boolean)[]): Uint8Array {
  const fields: [string, number][] = [];
  const re = /(\d*)([id?s])/g;
  for (const m of format.replace(/^</, '').matchAll(re)) fields.push([m[2]!, m[1] === '' ? 1 : Number(m[1])]);
  let size = 0;
  for (const [t, n] of fields) size += t === 'i' ? 4 * n : t === 'd' ? 8 * n : t === '?' ? n : n;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  let v = 0;
  for (const [t, n] of fields) {
    if (t === 's') {
      const s = String(values[v++]);
      for (let k = 0; k < n; k++) out[o + k] = k < s.length ? s.charCodeAt(k) & 0x7f : 0;
      o += n;
      continue;
    }
    for (let k = 0; k < n; k++) {
      const x = values[v++];
      if (t === 'i') {
        view.setInt32(o, Number(x), true);
        o += 4;
      } else if (t === 'd') {
        view.setFloat64(o, Number(x), true);
        o += 8;
      } else {
        view.setUint8(o, x ? 1 : 0);
        o += 1;
      }
    }
  }
  return out;
}

/**
 * The tract builder's part of the SHA1: `<iiidd3sd` (legacy) or `<iiiiidd3sd` (cells) of the
 * builder fields, `tractOverlap`, `pixelScale`, `projection` and `rotation`.
 *
 * @param config - the sky map config
 * @returns the packed bytes
 * @example
 * ```ts
 * getPackedConfig(makeRingsSkyMapConfig()).length; // 39
 * ```
 * @see lsst.skymap.tractBuilder.LegacyTractBuilder.getPackedConfig
 */
export function getPackedConfig(config: BaseSkyMapConfig): Uint8Array {
  const b = config.tractBuilder;
  const tail = [config.tractOverlap, config.pixelScale, config.projection, config.rotation];
  return b.name === 'legacy'
    ? packStruct('<iiidd3sd', [b.patchInnerDimensions[0], b.patchInnerDimensions[1], b.patchBorder, ...tail])
    : packStruct('<iiiiidd3sd', [
        b.cellInnerDimensions[0],
        b.cellInnerDimensions[1],
        b.cellBorder,
        b.numCellsPerPatchInner,
        b.numCellsInPatchBorder,
        ...tail,
      ]);
}

/** A tract and the patches of it found for a list of coordinates. */
export type TractPatchList = [TractInfo, PatchInfo[]][];

/**
 * A collection of overlapping tracts that map part or all of the sky; tracts are built on first
 * use and cached (lsst.skymap's `BaseSkyMap` with `CachingSkyMap`).
 *
 * @example
 * ```ts
 * const skyMap = makeSkyMap('hsc_rings_v1');
 * skyMap.length;                   // 18938
 * skyMap.get(9813).getCtrCoord();
 * for (const tract of skyMap) { … }
 * ```
 * @see lsst.skymap.BaseSkyMap
 */
export abstract class BaseSkyMap<C extends BaseSkyMapConfig = BaseSkyMapConfig> implements Iterable<TractInfo> {
  /** The run collection of registered sky maps. */
  static readonly SKYMAP_RUN_COLLECTION_NAME = 'skymaps';
  /** The dataset type name of a sky map in the Butler. */
  static readonly SKYMAP_DATASET_TYPE_NAME = 'skyMap';

  /** The (frozen) configuration. */
  readonly config: C;
  readonly #tracts: (TractInfo | undefined)[];
  #sha1: Uint8Array | undefined;

  /**
   * Sets up an empty tract cache (subclasses build tracts in `generateTract`).
   *
   * @param config - the configuration
   * @param numTracts - the number of tracts
   */
  protected constructor(config: C, numTracts: number) {
    this.config = config;
    this.#tracts = new Array<TractInfo | undefined>(numTracts).fill(undefined);
  }

  /** The Python class name used in the SHA1 (`RingsSkyMap`, `DiscreteSkyMap`, …). */
  protected abstract get className(): string;

  /**
   * Builds the tract with the given index (called once per tract).
   *
   * @param index - tract index
   * @returns the tract
   */
  protected abstract generateTract(index: number): TractInfo;

  /**
   * Adds subclass-specific configuration to the SHA1.
   *
   * @param sha1 - the hash
   */
  protected abstract updateSha1(sha1: Sha1Sink): void;

  /**
   * The initial WCS of a tract centred on `center` (CRPIX (0, 0)), from `pixelScale`,
   * `projection` and `rotation` (lsst.skymap's `WcsFactory`).
   *
   * @param center - CRVAL
   * @returns the WCS
   */
  protected makeWcs(center: SpherePoint): SkyWcs {
    const cd = makeCdMatrix(Angle.fromArcseconds(this.config.pixelScale), Angle.fromDegrees(this.config.rotation), false);
    return makeSkyWcs(new Point2D(0, 0), center, cd, this.config.projection);
  }

  /** The number of tracts. */
  get length(): number {
    return this.#tracts.length;
  }

  /**
   * The tract with the given id.
   *
   * @param tractId - tract id, 0 ≤ id < length
   * @returns the tract
   * @throws {@link SkymapIndexError} if out of range
   */
  get(tractId: number): TractInfo {
    let t = this.#tracts[tractId];
    if (t === undefined) {
      if (!(Number.isInteger(tractId) && tractId >= 0 && tractId < this.#tracts.length)) {
        throw new SkymapIndexError(`Tract index ${tractId} is out of range [0, ${this.#tracts.length - 1}].`);
      }
      t = this.generateTract(tractId);
      this.#tracts[tractId] = t;
    }
    return t;
  }

  /**
   * Iterates over all tracts in id order.
   *
   * @returns an iterator of tracts
   */
  *[Symbol.iterator](): IterableIterator<TractInfo> {
    for (let i = 0; i < this.#tracts.length; i++) yield this.get(i);
  }

  /**
   * The tract whose centre is nearest the coordinate (ties: lowest id). The base version scans
   * every tract; sky maps override it.
   *
   * @param coord - ICRS coordinate
   * @returns the tract
   */
  findTract(coord: SpherePoint): TractInfo {
    let best = 0;
    let bestSep = Infinity;
    for (let i = 0; i < this.length; i++) {
      const sep = coord.separation(this.get(i).getCtrCoord()).asRadians();
      if (sep < bestSep) {
        best = i;
        bestSep = sep;
      }
    }
    return this.get(best);
  }

  /**
   * The tracts that contain the coordinate (by `TractInfo.contains`).
   *
   * @param coord - ICRS coordinate
   * @returns the tracts
   */
  findAllTracts(coord: SpherePoint): TractInfo[] {
    return [...this].filter((t) => t.contains(coord));
  }

  /**
   * Tracts and patches that contain, or may contain, the region spanned by the coordinates
   * (naive, as lsst.skymap).
   *
   * @param coords - ICRS coordinates
   * @returns (tract, patches) pairs, tracts in id order
   */
  findTractPatchList(coords: readonly SpherePoint[]): TractPatchList {
    const out: TractPatchList = [];
    for (const tract of this) {
      const patches = tract.findPatchList(coords);
      if (patches.length > 0) out.push([tract, patches]);
    }
    return out;
  }

  /**
   * For each coordinate, its nearest tract (`findTract`) and that tract's patches for all the
   * coordinates; each tract once.
   *
   * @param coords - ICRS coordinates
   * @returns (tract, patches) pairs
   */
  findClosestTractPatchList(coords: readonly SpherePoint[]): TractPatchList {
    const out: TractPatchList = [];
    const seen = new Set<number>();
    for (const c of coords) {
      const tract = this.findTract(c);
      if (seen.has(tract.getId())) continue;
      const patches = tract.findPatchList(coords);
      if (patches.length > 0) {
        seen.add(tract.getId());
        out.push([tract, patches]);
      }
    }
    return out;
  }

  /**
   * The SHA1 identity of the sky map, byte for byte lsst.skymap's (the registry's
   * `skymap.hash`): SHA1 of the class name, the tract builder's packed config and the
   * subclass's packed fields.
   *
   * @returns 20 bytes
   */
  getSha1(): Uint8Array {
    if (this.#sha1 === undefined) {
      const h = createHash('sha1');
      h.update(new TextEncoder().encode(this.className));
      h.update(getPackedConfig(this.config));
      this.updateSha1({ update: (d) => void h.update(d) });
      this.#sha1 = new Uint8Array(h.digest());
    }
    return this.#sha1;
  }

  /**
   * @param other - another sky map
   * @returns whether the SHA1 identities are equal
   */
  equals(other: BaseSkyMap): boolean {
    const a = this.getSha1();
    const b = other.getSha1();
    return a.every((x, i) => x === b[i]);
  }
}
