// Helpers of coaddition shared with LSST's coaddBase / coadd_utils: sky info of a patch, the
// subregion iterator, mask plane removal and mapping, the coadd edge bits.
import { Exposure, type Image, Mask, MaskedImage, type MaskPlaneDict, type PixelArray } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import type { BaseSkyMap, Index2D, PatchInfo, TractInfo } from '@skystack/skymap';
import type { SkyWcs } from '@skystack/wcs';
import { PipeTasksInvalidArgumentError } from '../errors.js';

/**
 * The geometry of a patch to coadd into: the patch's outer bbox in tract pixels and the tract
 * WCS (LSST's `skyInfo` struct).
 *
 * @see lsst.pipe.tasks.coaddBase.makeSkyInfo
 */
export interface SkyInfo {
  /** The outer bbox of the patch (PARENT pixels of the tract). */
  readonly bbox: Box2I;
  /** The tract WCS (null when not known, e.g. in tests of the stacking alone). */
  readonly wcs: SkyWcs | null;
  /** The sky map, when made by {@link makeSkyInfo}. */
  readonly skyMap?: BaseSkyMap | undefined;
  /** The tract, when made by {@link makeSkyInfo}. */
  readonly tractInfo?: TractInfo | undefined;
  /** The patch, when made by {@link makeSkyInfo}. */
  readonly patchInfo?: PatchInfo | undefined;
}

/**
 * The sky info of a patch of a sky map.
 *
 * @param skyMap - the sky map
 * @param tractId - the tract
 * @param patchId - the patch: sequential index, or `[x, y]` / `Index2D`
 * @returns the patch's outer bbox, the tract WCS, and the sky map, tract and patch
 * @example
 * ```ts
 * const skyInfo = makeSkyInfo(skyMap, 0, 42);
 * skyInfo.bbox.getDimensions();
 * ```
 * @see lsst.pipe.tasks.coaddBase.makeSkyInfo
 */
export function makeSkyInfo(skyMap: BaseSkyMap, tractId: number, patchId: number | Index2D | readonly [number, number]): SkyInfo {
  const tractInfo = skyMap.get(tractId);
  const index = typeof patchId === 'number' ? tractInfo.getPatchIndexPair(patchId) : patchId;
  const patchInfo = tractInfo.getPatchInfo(index as Index2D);
  return { skyMap, tractInfo, patchInfo, wcs: tractInfo.getWcs(), bbox: patchInfo.getOuterBBox() };
}

/**
 * The subregions of a bbox, `subregionSize` (width, height) at most each, row by row from the
 * bbox's minimum; the last ones in each direction are clipped to the bbox.
 *
 * @param bbox - the box to cover
 * @param subregionSize - the most width and height of a subregion (> 0)
 * @returns the subregions (a generator)
 * @throws {@link PipeTasksInvalidArgumentError} for an empty bbox or a non-positive size
 * @example
 * ```ts
 * for (const sub of subBBoxIter(skyInfo.bbox, [2000, 2000])) assemble(sub);
 * ```
 * @see lsst.pipe.tasks.coaddBase.subBBoxIter
 */
export function* subBBoxIter(bbox: Box2I, subregionSize: Extent2I | readonly [number, number]): Generator<Box2I> {
  const [w, h] = subregionSize instanceof Extent2I ? [subregionSize.getX(), subregionSize.getY()] : subregionSize;
  if (bbox.isEmpty()) throw new PipeTasksInvalidArgumentError(`The bbox to split is empty: ${bbox.toString()}.`);
  if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) {
    throw new PipeTasksInvalidArgumentError(`subregionSize must be two positive integers; got ${w}, ${h}.`);
  }
  for (let dy = 0; dy < bbox.getHeight(); dy += h) {
    for (let dx = 0; dx < bbox.getWidth(); dx += w) {
      const sub = Box2I.fromCorner(new Point2I(bbox.getMinX() + dx, bbox.getMinY() + dy), new Extent2I(w, h)).clippedTo(bbox);
      if (sub.isEmpty()) throw new PipeTasksInvalidArgumentError(`Subregion ${dx},${dy} of ${bbox.toString()} is empty.`);
      yield sub;
    }
  }
}

/**
 * Clears mask planes, in place; planes the mask does not have are skipped (reported through
 * `onMissing`).
 *
 * @param mask - the mask (modified)
 * @param maskPlanes - the plane names to clear
 * @param onMissing - called with each name the mask lacks
 * @example
 * ```ts
 * removeMaskPlanes(warp.mask, ['NOT_DEBLENDED']);
 * ```
 * @see lsst.pipe.tasks.coaddBase.removeMaskPlanes
 */
export function removeMaskPlanes(mask: Mask, maskPlanes: Iterable<string>, onMissing?: (name: string) => void): void {
  let bits = 0;
  for (const name of maskPlanes) {
    if (mask.planeDict.hasPlane(name)) bits |= 1 << mask.planeDict.getPlane(name);
    else onMissing?.(name);
  }
  if (bits !== 0) mask.andInPlace(~bits);
}

/**
 * The mask mapping of a coadd (for {@link statisticsStack}'s `maskMap`): pixels rejected for a
 * bit of `andMask` other than `EDGE`, `NO_DATA` and `CLIPPED` set `REJECTED` on the coadd,
 * rejected for `EDGE` set `SENSOR_EDGE`, for `CLIPPED` set `CLIPPED`. The planes `REJECTED`,
 * `CLIPPED` and `SENSOR_EDGE` are added to `planeDict` when missing.
 *
 * @param andMask - the bits that reject an input pixel
 * @param planeDict - the coadd's mask planes (planes may be added)
 * @returns `[fromBits, toBits]` pairs
 * @example
 * ```ts
 * const maskMap = setRejectedMaskMapping(badPixelMask, coadd.mask.planeDict);
 * ```
 * @see lsst.pipe.tasks.coaddBase.setRejectedMaskMapping
 */
export function setRejectedMaskMapping(andMask: number, planeDict: MaskPlaneDict): [number, number][] {
  const bit = (name: string): number => 1 << (planeDict.hasPlane(name) ? planeDict.getPlane(name) : planeDict.addPlane(name));
  const edge = bit('EDGE');
  const noData = bit('NO_DATA');
  const clipped = bit('CLIPPED');
  const toReject = andMask & ~noData & ~edge & ~clipped;
  return [
    [toReject, bit('REJECTED')],
    [edge, bit('SENSOR_EDGE')],
    [clipped, clipped],
  ];
}

/**
 * Sets `NO_DATA` on the coadd pixels whose weight (or variance) is not > 0 or is NaN: the
 * pixels that received no unmasked input.
 *
 * @param coaddMask - the coadd mask (modified)
 * @param weightMap - the weight or variance image, same dimensions
 * @throws {@link PipeTasksInvalidArgumentError} when the dimensions differ
 * @example
 * ```ts
 * setCoaddEdgeBits(coadd.mask, coadd.variance);
 * ```
 * @see lsst.coadd.utils.setCoaddEdgeBits
 */
export function setCoaddEdgeBits(coaddMask: Mask, weightMap: Image<PixelArray>): void {
  if (coaddMask.width !== weightMap.width || coaddMask.height !== weightMap.height) {
    throw new PipeTasksInvalidArgumentError(
      `The mask is ${coaddMask.width}x${coaddMask.height} and the weight map ${weightMap.width}x${weightMap.height}; they must be the same size.`,
    );
  }
  const bit = coaddMask.getPlaneBitMask('NO_DATA');
  const m = coaddMask.array;
  const w = weightMap.array;
  for (let y = 0; y < m.height; y++) {
    const mo = y * m.stride;
    const wo = y * w.stride;
    for (let x = 0; x < m.width; x++) if (!(w.data[wo + x]! > 0)) m.data[mo + x]! |= bit;
  }
}

/**
 * Rewrites the bits of a mask laid out with other plane numbers into `target`'s numbering (by
 * plane name); planes `target` lacks are added to it. When the two agree on every plane of the
 * mask, the mask itself is returned untouched; otherwise its pixels are rewritten in place and
 * a new mask over the same pixels, with `target` as its plane dictionary, is returned.
 *
 * @param mask - the mask (its pixels may be rewritten)
 * @param target - the plane numbering to use (planes may be added)
 * @returns a mask in `target`'s numbering
 * @throws {@link PipeTasksInvalidArgumentError} when `target` has no room for a plane
 * @example
 * ```ts
 * const mask = conformMaskPlanes(warp.mask, coadd.mask.planeDict);
 * ```
 */
export function conformMaskPlanes(mask: Mask, target: MaskPlaneDict): Mask {
  const remap = new Int32Array(32);
  let identical = true;
  for (const [name, bit] of mask.planeDict.entries()) {
    let to: number;
    try {
      to = target.hasPlane(name) ? target.getPlane(name) : target.addPlane(name);
    } catch (cause) {
      throw new PipeTasksInvalidArgumentError(`Cannot add mask plane '${name}' of an input to the coadd's planes.`, { cause });
    }
    remap[bit] = 1 << to;
    if (to !== bit) identical = false;
  }
  if (identical) return mask;
  const a = mask.array;
  for (let y = 0; y < a.height; y++) {
    const o = y * a.stride;
    for (let x = 0; x < a.width; x++) {
      let v = a.data[o + x]!;
      if (v === 0) continue;
      let r = 0;
      while (v !== 0) {
        const b = 31 - Math.clz32(v);
        r |= remap[b]!;
        v &= ~(1 << b);
      }
      a.data[o + x] = r;
    }
  }
  return new Mask(a.data, a.width, a.height, { stride: a.stride, xy0: mask.getXY0(), planeDict: target });
}

/**
 * A copy of a masked image on `bbox`: its pixels where they overlap, NaN with `NO_DATA` (and a
 * NaN variance) elsewhere; how a warp that does not cover a whole subregion is read.
 *
 * @param mi - the masked image
 * @param bbox - the box of the copy (PARENT)
 * @returns a new float32 masked image with `mi`'s mask planes
 */
export function padTo(mi: MaskedImage, bbox: Box2I): MaskedImage {
  const out = MaskedImage.make('float32', bbox, mi.mask.planeDict);
  out.image.array.data.fill(NaN);
  out.variance.array.data.fill(NaN);
  out.mask.array.data.fill(mi.mask.getPlaneBitMask('NO_DATA'));
  const overlap = mi.getBBox().clippedTo(bbox);
  if (!overlap.isEmpty()) out.subset(overlap).assign(mi.subset(overlap));
  return out;
}

/**
 * The masked image of what a warp handle read (an Exposure or a MaskedImage).
 *
 * @param v - what was read
 * @param i - the warp's index (for the message)
 * @returns its masked image
 * @throws {@link PipeTasksInvalidArgumentError} for anything else
 */
export function asMaskedImage(v: unknown, i: number): MaskedImage {
  if (v instanceof Exposure) return v.maskedImage;
  if (v instanceof MaskedImage) return v;
  throw new PipeTasksInvalidArgumentError(`Warp ${i} read as ${describe(v)}; expected an Exposure or a MaskedImage.`);
}

/**
 * A short description of a value's type, for messages (`null`, `number`, a class name).
 *
 * @param v - the value
 * @returns the description
 */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'an object';
}
