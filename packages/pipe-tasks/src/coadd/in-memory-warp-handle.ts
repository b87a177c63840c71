// A WarpHandle over an exposure held in memory (LSST's InMemoryDatasetHandle for warps).
import { Exposure, MaskedImage } from '@skystack/afw-image';
import type { Box2I } from '@skystack/geom';
import type { WarpHandle } from './assemble-coadd-task.js';

/**
 * A {@link WarpHandle} over an exposure in memory: `get({ parameters: { bbox } })` returns a
 * copy of the part of the exposure within `bbox` (the whole exposure without a bbox). Where
 * `bbox` reaches beyond the exposure, the copy is limited to the overlap; with no overlap at
 * all, it is an exposure on `bbox` of NaN pixels with `NO_DATA` set.
 *
 * @example
 * ```ts
 * const handles = warps.map((w) => new InMemoryWarpHandle(w));
 * const prepared = await new AssembleCoaddTask().prepareInputs(handles, skyInfo.bbox);
 * ```
 * @see lsst.pipe.base.InMemoryDatasetHandle
 */
export class InMemoryWarpHandle implements WarpHandle {
  /** The exposure. */
  readonly exposure: Exposure;
  /** Optional data ID, for logs and lookups (`{ visit: 42 }`). */
  readonly dataId: Readonly<Record<string, unknown>>;

  /**
   * Wraps an exposure (no copy; reads copy).
   *
   * @param exposure - the warp
   * @param dataId - its data ID (optional)
   */
  constructor(exposure: Exposure, dataId: Readonly<Record<string, unknown>> = {}) {
    this.exposure = exposure;
    this.dataId = dataId;
  }

  /**
   * A copy of the warp, or of its part within `parameters.bbox`.
   *
   * @param options - the read parameters
   * @returns the copy
   */
  get(options: { readonly parameters?: { readonly bbox?: Box2I } } = {}): Promise<Exposure> {
    const bbox = options.parameters?.bbox;
    if (bbox === undefined) return Promise.resolve(this.exposure.clone());
    const overlap = this.exposure.getBBox().clippedTo(bbox);
    if (!overlap.isEmpty()) return Promise.resolve(this.exposure.subset(overlap).clone());
    const empty = new Exposure(MaskedImage.make('float32', bbox, this.exposure.mask.planeDict.clone()), this.exposure.getInfo().clone());
    empty.image.array.data.fill(NaN);
    empty.variance.array.data.fill(NaN);
    empty.mask.array.data.fill(empty.mask.getPlaneBitMask('NO_DATA'));
    return Promise.resolve(empty);
  }
}
