import { Angle, Box2D, Box2I, ConvexPolygon, Extent2D, Extent2I, Point2I, type Point2D, type LonLatBox, type SpherePoint } from '@skystack/geom';
import type { SkyWcs } from '@skystack/wcs';
import type { TractBuilderConfig } from './config.js';
import { SkymapIndexError, SkymapInvalidArgumentError, SkymapLookupError } from './errors.js';
import { PatchInfo, makeSkyPolygonFromBBox, type Index2D, type PatchCellLayout } from './patch-info.js';

/** A patch index accepted by {@link TractInfo.getPatchInfo}: sequential, `[x, y]` or `{ x, y }`. */
export type PatchIndex = number | readonly [number, number] | Index2D;

/** Parameters of a {@link TractInfo}. */
export interface TractInfoParameters {
  /** Tract id. */
  readonly id: number;
  /** The tract builder configuration (patch layout). */
  readonly tractBuilder: TractBuilderConfig;
  /** ICRS centre of the tract's inner region; also the CRVAL of the WCS. */
  readonly ctrCoord: SpherePoint;
  /** Vertices of the inner region (ignored when `minimumBoundingBox` is given). */
  readonly vertexCoordList: readonly SpherePoint[];
  /** Minimum overlap between adjacent tracts. */
  readonly tractOverlap: Angle;
  /** The initial WCS (CRPIX (0, 0) at the centre); it is shifted so the tract box starts at (0, 0). */
  readonly wcs: SkyWcs;
  /** The minimum box in the frame of `wcs`, when not computed from the vertices. */
  readonly minimumBoundingBox?: Box2D;
  /** The exact inner region, when the sky map defines one (rings: an RA/Dec box). */
  readonly innerSkyRegion?: LonLatBox | ConvexPolygon;
}

interface BuilderLayout {
  readonly inner: readonly [number, number];
  readonly border: number;
  readonly clip: boolean;
  readonly cells: PatchCellLayout | undefined;
}

function layoutOf(b: TractBuilderConfig): BuilderLayout {
  if (b.name === 'legacy') return { inner: b.patchInnerDimensions, border: b.patchBorder, clip: true, cells: undefined };
  const n = b.numCellsPerPatchInner;
  return {
    inner: [b.cellInnerDimensions[0] * n, b.cellInnerDimensions[1] * n],
    border: b.numCellsInPatchBorder * b.cellInnerDimensions[0] + b.cellBorder,
    clip: false,
    cells: b,
  };
}

/** The box of the sky positions (through `wcs`) of `coord` offset by `overlap / 2` at 24 bearings. */
function boxFromVertices(vertices: readonly SpherePoint[], overlap: Angle, wcs: SkyWcs): Box2D {
  let box = new Box2D();
  const half = Angle.fromRadians(overlap.asRadians() / 2);
  for (const v of vertices) {
    if (overlap.asRadians() === 0) {
      box = box.expandedTo(wcs.skyToPixel(v));
    } else {
      for (let i = 0; i < 24; i++) box = box.expandedTo(wcs.skyToPixel(v.offset(Angle.fromDegrees(15 * i), half)));
    }
  }
  return box;
}

/**
 * A tract of a sky map: a WCS with a pixel box starting at (0, 0), subdivided into patches
 * whose inner boxes tile it. Patch (0, 0) is at the minimum pixel corner (with the default
 * orientation, the south-east corner: +x points West, +y North).
 *
 * @example
 * ```ts
 * const skyMap = makeSkyMap('hsc_rings_v1');
 * const tract = skyMap.findTract(SpherePoint.fromDegrees(150.11917, 2.20583));
 * tract.getId();                                                           // 9813
 * tract.findPatch(SpherePoint.fromDegrees(150.11917, 2.20583)).getIndex(); // { x: 5, y: 4 }
 * ```
 * @see lsst.skymap.TractInfo
 */
export class TractInfo {
  readonly #id: number;
  readonly #ctrCoord: SpherePoint;
  readonly #tractOverlap: Angle;
  readonly #layout: BuilderLayout;
  readonly #numPatches: Index2D;
  readonly #bbox: Box2I;
  readonly #wcs: SkyWcs;
  readonly #innerSkyRegion: LonLatBox | ConvexPolygon | undefined;
  /** The vertex list; set by subclasses that compute it from the final WCS. */
  protected vertexCoordList: readonly SpherePoint[];

  /**
   * Builds the tract: minimum box, whole number of patches (the box grown about its centre),
   * and the WCS shifted so the box starts at pixel (0, 0).
   *
   * @param params - the tract's parameters
   */
  constructor(params: TractInfoParameters) {
    this.#id = params.id;
    this.#ctrCoord = params.ctrCoord;
    this.#tractOverlap = params.tractOverlap;
    this.#layout = layoutOf(params.tractBuilder);
    this.#innerSkyRegion = params.innerSkyRegion;
    this.vertexCoordList = Object.freeze([...params.vertexCoordList]);
    const minBox = params.minimumBoundingBox ?? boxFromVertices(params.vertexCoordList, params.tractOverlap, params.wcs);
    if (minBox.isEmpty()) throw new SkymapInvalidArgumentError(`Tract ${params.id} has an empty minimum bounding box.`);
    const box = Box2I.fromBox2D(minBox, 'EXPAND');
    const min = [box.minX, box.minY];
    const dim = [box.width, box.height];
    const num = [0, 0];
    for (let i = 0; i < 2; i++) {
      const inner = this.#layout.inner[i]!;
      num[i] = Math.ceil(dim[i]! / inner);
      const delta = inner * num[i]! - dim[i]!;
      if (delta > 0) {
        dim[i] = inner * num[i]!;
        min[i] = min[i]! - Math.floor(delta / 2);
      }
    }
    this.#numPatches = Object.freeze({ x: num[0]!, y: num[1]! });
    this.#bbox = Box2I.fromCorner(new Point2I(0, 0), new Extent2I(dim[0]!, dim[1]!));
    this.#wcs = params.wcs.copyAtShiftedPixelOrigin(new Extent2D(-min[0]!, -min[1]!));
  }

  /** @returns the tract id */
  getId(): number {
    return this.#id;
  }

  /** The tract id. */
  get tractId(): number {
    return this.#id;
  }

  /** @returns the ICRS centre of the tract's inner region (the WCS's CRVAL) */
  getCtrCoord(): SpherePoint {
    return this.#ctrCoord;
  }

  /** @returns the tract WCS (LSST 0-based pixels; the box starts at (0, 0)) */
  getWcs(): SkyWcs {
    return this.#wcs;
  }

  /** @returns the tract's pixel box, from (0, 0), a whole number of patches */
  getBBox(): Box2I {
    return this.#bbox;
  }

  /** @returns the number of patches in x and y */
  getNumPatches(): Index2D {
    return this.#numPatches;
  }

  /** @returns the patch border (pixels) */
  getPatchBorder(): number {
    return this.#layout.border;
  }

  /** @returns the dimensions of the inner region of the patches (all the same) */
  getPatchInnerDimensions(): Extent2I {
    return new Extent2I(this.#layout.inner[0], this.#layout.inner[1]);
  }

  /** @returns the minimum overlap with adjacent tracts */
  getTractOverlap(): Angle {
    return this.#tractOverlap;
  }

  /** @returns the sky coordinates of the vertices of the inner region */
  getVertexList(): readonly SpherePoint[] {
    return this.vertexCoordList;
  }

  /** @returns the inner region as the convex hull of the vertex list */
  getInnerSkyPolygon(): ConvexPolygon {
    return ConvexPolygon.convexHull(this.vertexCoordList.map((p) => p.getVector()));
  }

  /**
   * The exact inner region: the RA/Dec box of a rings tract (the inner regions of a rings sky
   * map tile the sky), otherwise {@link TractInfo.getInnerSkyPolygon}.
   *
   * @returns the inner sky region
   */
  getInnerSkyRegion(): LonLatBox | ConvexPolygon {
    return this.#innerSkyRegion ?? this.getInnerSkyPolygon();
  }

  /** @returns the outer region: the tract's pixel box edges through the WCS (the Butler's `tract` region) */
  getOuterSkyPolygon(): ConvexPolygon {
    return makeSkyPolygonFromBBox(this.#bbox, this.#wcs);
  }

  /** @returns the number of patches */
  getNumPatchesTotal(): number {
    return this.#numPatches.x * this.#numPatches.y;
  }

  /** The number of patches (Python's `len(tractInfo)`). */
  get length(): number {
    return this.#numPatches.x * this.#numPatches.y;
  }

  /**
   * @param patchInfo - a patch of this tract
   * @returns its sequential index `nx·y + x`
   */
  getSequentialPatchIndex(patchInfo: PatchInfo): number {
    return this.getSequentialPatchIndexFromPair(patchInfo.getIndex());
  }

  /**
   * @param index - an (x, y) patch index
   * @returns its sequential index `nx·y + x`
   */
  getSequentialPatchIndexFromPair(index: Index2D | readonly [number, number]): number {
    const [x, y] = 'x' in index ? [index.x, index.y] : index;
    return this.#numPatches.x * y + x;
  }

  /**
   * @param sequentialIndex - a sequential patch index
   * @returns the (x, y) index: `x = id % nx`, `y = floor(id / nx)`
   */
  getPatchIndexPair(sequentialIndex: number): Index2D {
    const nx = this.#numPatches.x;
    return { x: sequentialIndex % nx, y: Math.floor(sequentialIndex / nx) };
  }

  /**
   * The patch with the given index.
   *
   * @param index - sequential index, `[x, y]` or `{ x, y }`
   * @returns the patch
   * @throws {@link SkymapIndexError} if the index is out of range
   */
  getPatchInfo(index: PatchIndex): PatchInfo {
    const idx: Index2D =
      typeof index === 'number' ? this.getPatchIndexPair(index) : 'x' in index ? index : { x: index[0], y: index[1] };
    const { x: nx, y: ny } = this.#numPatches;
    if (!(Number.isInteger(idx.x) && Number.isInteger(idx.y) && idx.x >= 0 && idx.x < nx && idx.y >= 0 && idx.y < ny)) {
      throw new SkymapIndexError(
        `Patch index (${idx.x}, ${idx.y}) of tract ${this.#id} is not in range [0-${nx - 1}, 0-${ny - 1}].`,
      );
    }
    const [ix, iy] = this.#layout.inner;
    const inner = Box2I.fromCorner(new Point2I(idx.x * ix, idx.y * iy), new Extent2I(ix, iy));
    let outer = inner.dilatedBy(this.#layout.border);
    if (this.#layout.clip) outer = outer.clippedTo(this.#bbox);
    return new PatchInfo(idx, inner, outer, nx * idx.y + idx.x, this.#wcs, this.#layout.cells);
  }

  /** The pixel position of `coord`, or undefined where the projection has none. */
  #skyToPixel(coord: SpherePoint): Point2D | undefined {
    try {
      const p = this.#wcs.skyToPixel(coord);
      return Number.isFinite(p.x) && Number.isFinite(p.y) ? p : undefined;
    } catch {
      return undefined; // the point is far off the tract (lsst.skymap catches DomainError here)
    }
  }

  /** The rounded pixel position of `coord`, or undefined off the projection. */
  #pixelIndex(coord: SpherePoint): [number, number] | undefined {
    const p = this.#skyToPixel(coord);
    if (p === undefined) return undefined;
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return undefined;
    return [Math.floor(p.x + 0.5), Math.floor(p.y + 0.5)];
  }

  /**
   * Whether the coordinate's (rounded) pixel position is in the tract box.
   *
   * @param coord - ICRS coordinate
   * @returns true when on the tract
   */
  contains(coord: SpherePoint): boolean {
    const p = this.#pixelIndex(coord);
    return p !== undefined && this.#bbox.contains(p[0], p[1]);
  }

  /**
   * The patch whose inner box contains the coordinate.
   *
   * @param coord - ICRS coordinate
   * @returns the patch
   * @throws {@link SkymapLookupError} if the coordinate is not on the tract
   */
  findPatch(coord: SpherePoint): PatchInfo {
    const p = this.#pixelIndex(coord);
    if (p === undefined || !this.#bbox.contains(p[0], p[1])) {
      throw new SkymapLookupError(`Coordinate ${coord.toString()} is not in tract ${this.#id}.`);
    }
    return this.getPatchInfo({ x: Math.trunc(p[0] / this.#layout.inner[0]), y: Math.trunc(p[1] / this.#layout.inner[1]) });
  }

  /**
   * The patches that contain, or may contain, the region spanned by the coordinates: the pixel
   * box of the coordinates grown by the patch border and clipped to the tract (naive, as
   * lsst.skymap: may include patches that do not overlap a non-rectangular region).
   *
   * @param coords - ICRS coordinates
   * @returns the patches, x outer and y inner (empty when there is no overlap)
   */
  findPatchList(coords: Iterable<SpherePoint>): PatchInfo[] {
    let box = new Box2D();
    for (const c of coords) {
      const p = this.#skyToPixel(c);
      if (p !== undefined) box = box.expandedTo(p);
    }
    if (box.isEmpty()) return [];
    const bbox = Box2I.fromBox2D(box, 'EXPAND').dilatedBy(this.#layout.border).clippedTo(this.#bbox);
    if (bbox.isEmpty()) return [];
    const [ix, iy] = this.#layout.inner;
    const out: PatchInfo[] = [];
    for (let x = Math.trunc(bbox.minX / ix); x <= Math.trunc(bbox.maxX / ix); x++) {
      for (let y = Math.trunc(bbox.minY / iy); y <= Math.trunc(bbox.maxY / iy); y++) out.push(this.getPatchInfo({ x, y }));
    }
    return out;
  }

  /**
   * Iterates over the patches, y outer and x inner (sequential order).
   *
   * @returns an iterator of patches
   */
  *[Symbol.iterator](): IterableIterator<PatchInfo> {
    for (let y = 0; y < this.#numPatches.y; y++) for (let x = 0; x < this.#numPatches.x; x++) yield this.getPatchInfo({ x, y });
  }

  /** @returns `TractInfo(id=…)` */
  toString(): string {
    return `TractInfo(id=${this.#id})`;
  }
}

/**
 * A square tract placed at an explicit centre with a given radius (half-size): the minimum box is
 * the centre offset by `radius + tractOverlap` towards East, North, West and South; the vertices
 * are the corners of the final box shrunk by 0.001 pixel.
 *
 * @example
 * ```ts
 * const tract = skyMap.get(3828); // RingsSkyMap and DiscreteSkyMap tracts are ExplicitTractInfo
 * tract.getVertexList().length;   // 4
 * ```
 * @see lsst.skymap.tractInfo.ExplicitTractInfo
 */
export class ExplicitTractInfo extends TractInfo {
  readonly #radius: Angle;

  /**
   * Builds the tract.
   *
   * @param params - the tract's parameters (`vertexCoordList` is ignored) and its radius
   */
  constructor(params: Omit<TractInfoParameters, 'vertexCoordList' | 'minimumBoundingBox'> & { readonly radius: Angle }) {
    let box = new Box2D();
    const amount = Angle.fromRadians(params.radius.asRadians() + params.tractOverlap.asRadians());
    for (let i = 0; i < 4; i++) box = box.expandedTo(params.wcs.skyToPixel(params.ctrCoord.offset(Angle.fromDegrees(90 * i), amount)));
    super({ ...params, vertexCoordList: [], minimumBoundingBox: box });
    this.#radius = params.radius;
    const wcs = this.getWcs();
    this.vertexCoordList = Object.freeze(Box2D.fromBox2I(this.getBBox()).erodedBy(0.001).getCorners().map((p) => wcs.pixelToSky(p)));
  }

  /** @returns the radius (half-size) of the tract's inner region */
  getRadius(): Angle {
    return this.#radius;
  }
}
