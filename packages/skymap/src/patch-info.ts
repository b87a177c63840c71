import { Box2D, ConvexPolygon, type Box2I } from '@skystack/geom';
import type { SkyWcs } from '@skystack/wcs';

/** A patch or tract index: `x` (column) and `y` (row), as lsst.skymap's `Index2D`. */
export interface Index2D {
  /** Column index. */
  readonly x: number;
  /** Row index. */
  readonly y: number;
}

/**
 * The sky polygon of a pixel box: the four corners of `Box2D(bbox)` (pixel edges at −0.5 and
 * `dim − 0.5`) mapped through the WCS, as lsst.skymap's `makeSkyPolygonFromBBox`.
 *
 * @param bbox - the integer pixel box
 * @param wcs - the tract WCS
 * @returns the convex hull of the corners on the sky
 * @example
 * ```ts
 * const polygon = makeSkyPolygonFromBBox(tract.getBBox(), tract.getWcs());
 * ```
 * @see lsst.skymap.detail.makeSkyPolygonFromBBox
 */
export function makeSkyPolygonFromBBox(bbox: Box2I, wcs: SkyWcs): ConvexPolygon {
  const corners = Box2D.fromBox2I(bbox).getCorners();
  return ConvexPolygon.convexHull(corners.map((p) => wcs.pixelToSky(p).getVector()));
}

/** Cell layout of a patch made by the cells tract builder (all zero for a legacy patch). */
export interface PatchCellLayout {
  /** Dimensions of the inner region of each cell (x, y pixels). */
  readonly cellInnerDimensions: readonly [number, number];
  /** Cell border (pixels). */
  readonly cellBorder: number;
  /** Number of cells per inner patch (per axis). */
  readonly numCellsPerPatchInner: number;
  /** Number of cells in the patch border (per side). */
  readonly numCellsInPatchBorder: number;
}

/**
 * A patch within a tract: its index, inner and outer pixel boxes in the tract's pixel frame,
 * and the tract WCS.
 *
 * @example
 * ```ts
 * const patch = tract.getPatchInfo([5, 4]);
 * patch.getSequentialIndex(); // 41 for a 9 × 9 tract
 * patch.getOuterSkyPolygon();
 * ```
 * @see lsst.skymap.PatchInfo
 */
export class PatchInfo {
  readonly #index: Index2D;
  readonly #sequentialIndex: number;
  readonly #innerBBox: Box2I;
  readonly #outerBBox: Box2I;
  readonly #wcs: SkyWcs;
  readonly #cells: PatchCellLayout | undefined;

  /**
   * Makes a patch (normally done by {@link TractInfo.getPatchInfo}).
   *
   * @param index - the (x, y) index
   * @param innerBBox - the inner box (tract pixels)
   * @param outerBBox - the outer box (tract pixels), containing the inner box
   * @param sequentialIndex - `nx·y + x`
   * @param tractWcs - the tract WCS
   * @param cells - the cell layout, for patches of the cells builder
   */
  constructor(index: Index2D, innerBBox: Box2I, outerBBox: Box2I, sequentialIndex: number, tractWcs: SkyWcs, cells?: PatchCellLayout) {
    this.#index = Object.freeze({ x: index.x, y: index.y });
    this.#innerBBox = innerBBox;
    this.#outerBBox = outerBBox;
    this.#sequentialIndex = sequentialIndex;
    this.#wcs = tractWcs;
    this.#cells = cells;
  }

  /** @returns the (x, y) patch index */
  getIndex(): Index2D {
    return this.#index;
  }

  /** The (x, y) patch index. */
  get index(): Index2D {
    return this.#index;
  }

  /** @returns the sequential patch index `nx·y + x` (the Butler's `patch` id) */
  getSequentialIndex(): number {
    return this.#sequentialIndex;
  }

  /** The sequential patch index `nx·y + x`. */
  get sequentialIndex(): number {
    return this.#sequentialIndex;
  }

  /** @returns the tract WCS */
  getWcs(): SkyWcs {
    return this.#wcs;
  }

  /** @returns the inner pixel box; the inner boxes of a tract's patches tile it exactly */
  getInnerBBox(): Box2I {
    return this.#innerBBox;
  }

  /** @returns the outer pixel box: the inner box grown by the patch border (clipped to the tract for legacy patches) */
  getOuterBBox(): Box2I {
    return this.#outerBBox;
  }

  /**
   * @param tractWcs - another WCS for the tract; the tract's own by default
   * @returns the inner sky region
   */
  getInnerSkyPolygon(tractWcs: SkyWcs = this.#wcs): ConvexPolygon {
    return makeSkyPolygonFromBBox(this.#innerBBox, tractWcs);
  }

  /**
   * @param tractWcs - another WCS for the tract; the tract's own by default
   * @returns the outer sky region (the Butler's `patch` region)
   */
  getOuterSkyPolygon(tractWcs: SkyWcs = this.#wcs): ConvexPolygon {
    return makeSkyPolygonFromBBox(this.#outerBBox, tractWcs);
  }

  /** @returns the number of cells (x, y): zero for a legacy patch */
  getNumCells(): Index2D {
    const c = this.#cells;
    if (c === undefined || c.numCellsPerPatchInner === 0) return { x: 0, y: 0 };
    const n = c.numCellsPerPatchInner + 2 * c.numCellsInPatchBorder;
    return { x: n, y: n };
  }

  /** @returns `PatchInfo(index=(x, y))` */
  toString(): string {
    return `PatchInfo(index=(${this.#index.x}, ${this.#index.y}))`;
  }
}
