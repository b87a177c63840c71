// Operations on several maps (healsparse.operations).

import { HealSparseDtypeError, HealSparseInvalidArgumentError } from './errors.js';
import { HealSparseMap } from './healsparse-map.js';
import type { SparseArray } from './fits-io.js';

/**
 * The bitwise `and` of maps over the pixels valid in all of them (healsparse's
 * `and_intersection`): the coverage is the intersection of the coverages; a pixel holds the
 * `and` of its values where every map has data there, else the sentinel. For wide masks a pixel
 * whose `and` has no bit set has no data (the sentinel of wide masks is 0). The result has no
 * metadata.
 *
 * @param maps - at least two integer or wide-mask maps with the same nsides, type and (for wide masks) width
 * @returns a new map
 * @throws {@link HealSparseInvalidArgumentError} for fewer than two maps or maps that do not match
 * @throws {@link HealSparseDtypeError} for floating-point maps
 * @example
 * ```ts
 * const both = andIntersection([inputMapA, inputMapB]); // bits set in both, where both have data
 * ```
 * @see healsparse.operations.and_intersection
 */
export function andIntersection(maps: readonly HealSparseMap[]): HealSparseMap {
  if (maps.length < 2) throw new HealSparseInvalidArgumentError(`andIntersection needs at least 2 maps; got ${maps.length}.`);
  const first = maps[0]!;
  for (const m of maps) {
    if (!m.isIntegerMap && !m.isWideMask) {
      throw new HealSparseDtypeError(`andIntersection applies to integer and wide-mask maps; got a ${m.dtype} map.`);
    }
    if (m.nsideCoverage !== first.nsideCoverage || m.nsideSparse !== first.nsideSparse) {
      throw new HealSparseInvalidArgumentError(
        `andIntersection needs maps with the same nsides; got (${first.nsideCoverage}, ${first.nsideSparse}) and (${m.nsideCoverage}, ${m.nsideSparse}).`,
      );
    }
    if (m.dtype !== first.dtype || m.wideMaskWidth !== first.wideMaskWidth) {
      throw new HealSparseInvalidArgumentError(
        `andIntersection needs maps of the same type and wide-mask width; got ${first.dtype}/${first.wideMaskWidth} and ${m.dtype}/${m.wideMaskWidth}.`,
      );
    }
  }
  const masks = maps.map((m) => m.coverageMask());
  const ncov = masks[0]!.length;
  const nfine = first.nfinePerCov;
  const stride = Math.max(1, first.wideMaskWidth);
  const blockLen = nfine * stride;
  const blocks = new Int32Array(ncov);
  let nBlocks = 1;
  for (let cov = 0; cov < ncov; cov++) {
    if (masks.every((m) => m[cov] === 1)) blocks[cov] = nBlocks++;
  }
  const Ctor = first.rawData().constructor as new (n: number) => SparseArray;
  const out = new Ctor(nBlocks * blockLen);
  const sentinel = first.storedSentinel();
  if (out instanceof BigInt64Array) out.fill(sentinel as bigint);
  else out.fill(sentinel as number);
  const datas = maps.map((m) => m.rawData());
  const wide = first.isWideMask;
  for (let cov = 0; cov < ncov; cov++) {
    const block = blocks[cov]!;
    if (block === 0) continue;
    for (let j = 0; j < nfine; j++) {
      const p = cov * nfine + j;
      const at = block * nfine + j;
      if (wide) {
        // Valid in all maps: some bit set in each.
        let allValid = true;
        for (let m = 0; m < maps.length && allValid; m++) {
          const e = maps[m]!.elementIndex(p) * stride;
          let any = false;
          for (let k = 0; k < stride; k++) if ((datas[m] as Uint8Array)[e + k] !== 0) any = true;
          allValid = any;
        }
        if (!allValid) continue;
        for (let k = 0; k < stride; k++) {
          let v = 0xff;
          for (let m = 0; m < maps.length; m++) v &= (datas[m] as Uint8Array)[maps[m]!.elementIndex(p) * stride + k]!;
          (out as Uint8Array)[at * stride + k] = v;
        }
      } else if (out instanceof BigInt64Array) {
        let v = -1n;
        let ok = true;
        for (let m = 0; m < maps.length && ok; m++) {
          const x = (datas[m] as BigInt64Array)[maps[m]!.elementIndex(p)]!;
          if (x === maps[m]!.storedSentinel()) ok = false;
          v &= x;
        }
        if (ok) out[at] = v;
      } else {
        let v = -1;
        let ok = true;
        for (let m = 0; m < maps.length && ok; m++) {
          const x = (datas[m] as Int32Array)[maps[m]!.elementIndex(p)]!;
          if (x === maps[m]!.storedSentinel()) ok = false;
          v &= x;
        }
        if (ok) (out as Int32Array)[at] = v;
      }
    }
  }
  return HealSparseMap.fromParts(first, blocks, out, nBlocks);
}
