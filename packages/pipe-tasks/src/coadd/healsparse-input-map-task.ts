// HealSparseInputMapTask: the coadd's input map, one bit per input detector on a HEALPix grid
// (lsst.pipe.tasks.healSparseMapping.HealSparseInputMapTask).
import type { ExposureCatalog, Mask } from '@skystack/afw-image';
import { Box2D, Point2D, type Box2I } from '@skystack/geom';
import { HealpixPixelization } from '@skystack/geom';
import { HealSparseMap, HealSparsePolygon } from '@skystack/healsparse';
import { Config, Field } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';
import type { SkyWcs } from '@skystack/wcs';
import { PipeTasksInvalidArgumentError } from '../errors.js';

const isPowerOfTwo = (v: number): boolean => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0;

/**
 * The config of {@link HealSparseInputMapTask}, with LSST's (snake_case) field names and defaults.
 *
 * @see lsst.pipe.tasks.healSparseMapping.HealSparseInputMapConfig
 */
export class HealSparseInputMapConfig extends Config {
  /** The `nside` of the map's HEALPix pixels (32768: 6.4″ pixels). */
  nside = Field.int({ doc: 'Mapping healpix nside.  Must be power of 2.', default: 32768, check: isPowerOfTwo });
  /** The `nside` of the coverage map. */
  nside_coverage = Field.int({ doc: 'HealSparse coverage map nside.  Must be power of 2.', default: 256, check: isPowerOfTwo });
  /** The fraction of a map pixel that bad warp pixels must cover to clear its visit's bits there. */
  bad_mask_min_coverage = Field.float({
    doc: 'Minimum area fraction of a map healpixel pixel that must be covered by bad pixels to be removed from the input map. This is approximate.',
    default: 0.5,
  });
}

/** The four corners of a pixel box's outer edges (LSST's `Polygon(Box2D(bbox))`), as sky positions in degrees. */
function boxCornersRaDec(wcs: SkyWcs, bbox: Box2I): { ra: number[]; dec: number[] } {
  const b = Box2D.fromBox2I(bbox);
  const corners = [new Point2D(b.getMinX(), b.getMinY()), new Point2D(b.getMaxX(), b.getMinY()), new Point2D(b.getMaxX(), b.getMaxY()), new Point2D(b.getMinX(), b.getMaxY())];
  const sky = wcs.pixelToSkyArray(
    corners.map((p) => p.getX()),
    corners.map((p) => p.getY()),
  );
  const deg = 180 / Math.PI;
  return { ra: Array.from(sky.ra, (r) => r * deg), dec: Array.from(sky.dec, (d) => d * deg) };
}

/** A sky WCS as the task needs it. */
function asWcs(wcs: unknown, what: string): SkyWcs {
  if (wcs === null || typeof (wcs as SkyWcs | undefined)?.pixelToSkyArray !== 'function') {
    throw new PipeTasksInvalidArgumentError(`${what} has no usable SkyWcs (got ${wcs === null ? 'null' : typeof wcs}); the input map needs every input's WCS.`, {
      hint: 'Make the warps with CoaddInputs that carry each calexp WCS (MakeWarpTask does).',
    });
  }
  return wcs as SkyWcs;
}

/**
 * Makes a coadd's input map (`deepCoadd_inputMap`): a HealSparse wide bit mask at `nside` with
 * one bit per input detector-visit (the rows of the coadd's `CoaddInputs.ccds`, in order), set
 * on the HEALPix pixels whose centres lie inside that detector's footprint (its bounding box
 * mapped to the sky with its own WCS) and inside the patch, and cleared again where more than
 * `bad_mask_min_coverage` of a HEALPix pixel is covered by pixels that the coadd rejected from
 * that visit's warp (the bad mask planes, `NO_DATA`, artifacts clipped by CompareWarp).
 * The metadata records, for bit `n`, the detector (`B{n:04}CCD`), the visit (`B{n:04}VIS`) and
 * the weight (`B{n:04}WT`), as LSST's.
 *
 * Used in three steps by {@link AssembleCoaddTask} (`doInputMap`): {@link buildCcdInputMap}
 * before stacking, {@link maskWarpBBox} for each warp's subregion, {@link finalizeCcdInputMapMask}
 * at the end; the map is then {@link ccdInputMap}.
 *
 * @example
 * ```ts
 * const mapper = new HealSparseInputMapTask();
 * mapper.buildCcdInputMap(skyInfo.bbox, skyInfo.wcs, getCoaddInputs(coadd.getInfo()).ccds);
 * mapper.maskWarpBBox(bbox, visit, warp.mask, badMask);
 * mapper.finalizeCcdInputMapMask();
 * await mapper.ccdInputMap!.writeFits('inputMap.hsp');
 * ```
 * @see lsst.pipe.tasks.healSparseMapping.HealSparseInputMapTask
 */
export class HealSparseInputMapTask extends Task<HealSparseInputMapConfig> {
  /** {@link HealSparseInputMapConfig}. */
  static override ConfigClass = HealSparseInputMapConfig;
  /** `healSparseInputMap`. */
  static override _DefaultName: string | undefined = 'healSparseInputMap';
  /** The input map (after {@link buildCcdInputMap}). */
  ccdInputMap: HealSparseMap | undefined;
  #wcs: SkyWcs | undefined;
  #pixelization: HealpixPixelization | undefined;
  #minBad = 0;
  /** The map's valid pixels when it was built (sorted). */
  #pixels: Float64Array = new Float64Array(0);
  /** Per visit: the bits of its detectors and the count of bad warp pixels per valid map pixel. */
  #visits = new Map<number, { bits: number[]; counts: Float64Array }>();
  // reused per row by maskWarpBBox
  #xs = new Float64Array(0);
  #ys = new Float64Array(0);
  #hpix = new Float64Array(0);

  /**
   * Makes the task.
   *
   * @param options - config, name, parent task
   */
  constructor(options: TaskOptions<HealSparseInputMapConfig> = {}) {
    super(options);
  }

  /**
   * Builds the map of the detectors' footprints within the patch and starts the bad-pixel counts.
   *
   * @param bbox - the patch (coadd) bounding box
   * @param wcs - the coadd WCS
   * @param ccds - the coadd's input detectors (`CoaddInputs.ccds`: `ccd`, `visit`, `weight`, bbox, WCS)
   * @throws {@link PipeTasksInvalidArgumentError} when a detector has no WCS, or `nside_coverage` > `nside`
   * @see lsst.pipe.tasks.healSparseMapping.HealSparseInputMapTask.build_ccd_input_map
   */
  buildCcdInputMap(bbox: Box2I, wcs: SkyWcs, ccds: ExposureCatalog): void {
    const { nside, nside_coverage: nsideCoverage } = this.config;
    if (nsideCoverage > nside) {
      throw new PipeTasksInvalidArgumentError(`nside_coverage (${nsideCoverage}) must not exceed nside (${nside}).`, { hint: 'Lower nside_coverage or raise nside.' });
    }
    const metadata: Record<string, number> = {};
    const map = HealSparseMap.makeEmpty({ nsideCoverage, nsideSparse: nside, dtype: 'wide-mask', wideMaskMaxBits: Math.max(1, ccds.length) });
    this.#visits = new Map();
    for (let bit = 0; bit < ccds.length; bit++) {
      const row = ccds.get(bit);
      const ccd = Number(row.get('ccd'));
      const visit = Number(row.get('visit'));
      metadata[`B${String(bit).padStart(4, '0')}CCD`] = ccd;
      metadata[`B${String(bit).padStart(4, '0')}VIS`] = visit;
      metadata[`B${String(bit).padStart(4, '0')}WT`] = Number(row.get('weight'));
      const entry = this.#visits.get(visit) ?? { bits: [], counts: new Float64Array(0) };
      entry.bits.push(bit);
      this.#visits.set(visit, entry);
      // Detectors are drawn with their own WCS; the valid polygon, when there is one, is not read
      // by SkyStack yet, so the bounding box stands for it (as LSST does without one).
      const corners = boxCornersRaDec(asWcs(row.getWcs(), `Input ${bit} (visit ${visit}, detector ${ccd})`), row.getBBox());
      map.setBitsPix(new HealSparsePolygon(corners.ra, corners.dec).getPixels(nside), [bit]);
    }
    // Only the patch: clear every bit outside the coadd's bounding box.
    const patch = boxCornersRaDec(wcs, bbox);
    const inside = new HealSparsePolygon(patch.ra, patch.dec).getPixels(nside);
    const valid = map.validPixels();
    const outside: number[] = [];
    let j = 0;
    for (let i = 0; i < valid.length; i++) {
      const p = valid[i]!;
      while (j < inside.length && inside[j]! < p) j++;
      if (j >= inside.length || inside[j] !== p) outside.push(p);
    }
    if (outside.length > 0) map.clearBitsPix(outside, Array.from({ length: ccds.length }, (_, b) => b));
    for (const [k, v] of Object.entries(metadata)) map.metadata[k] = v;
    this.ccdInputMap = map;
    this.#wcs = wcs;
    this.#pixelization = new HealpixPixelization(HealpixPixelization.nsideToLevel(nside));
    this.#pixels = map.validPixels();
    for (const entry of this.#visits.values()) entry.counts = new Float64Array(this.#pixels.length);
    const pixelScale = wcs.getPixelScale(Box2D.fromBox2I(bbox).getCenter()).asArcseconds();
    const hpixAreaArcsec2 = this.#pixelization.pixelArea() * (180 / Math.PI) ** 2 * 3600 ** 2;
    this.#minBad = (this.config.bad_mask_min_coverage * hpixAreaArcsec2) / (pixelScale * pixelScale);
  }

  /**
   * Counts a warp subregion's bad pixels (any of `bitMaskValue`) in the map pixels of the warp's visit.
   *
   * @param bbox - the subregion (PARENT pixels of the coadd grid)
   * @param visit - the warp's visit
   * @param mask - the warp's mask over `bbox` (after the alternative masks are applied)
   * @param bitMaskValue - the bits that reject a pixel from the coadd
   * @throws {@link PipeTasksInvalidArgumentError} when {@link buildCcdInputMap} was not run first
   * @see lsst.pipe.tasks.healSparseMapping.HealSparseInputMapTask.mask_warp_bbox
   */
  maskWarpBBox(bbox: Box2I, visit: number, mask: Mask, bitMaskValue: number): void {
    if (this.ccdInputMap === undefined || this.#wcs === undefined || this.#pixelization === undefined) {
      throw new PipeTasksInvalidArgumentError('maskWarpBBox needs the map: run buildCcdInputMap first.');
    }
    const entry = this.#visits.get(visit);
    if (this.#pixels.length === 0 || entry === undefined) return;
    const { data, width, height, stride } = mask.array;
    if (this.#xs.length < width) {
      this.#xs = new Float64Array(width);
      this.#ys = new Float64Array(width);
      this.#hpix = new Float64Array(width);
    }
    const x0 = bbox.getMinX();
    const y0 = bbox.getMinY();
    const pixels = this.#pixels;
    const counts = entry.counts;
    const deg = 180 / Math.PI;
    for (let y = 0; y < height; y++) {
      let n = 0;
      const o = y * stride;
      for (let x = 0; x < width; x++) {
        if ((data[o + x]! & bitMaskValue) !== 0) {
          this.#xs[n] = x + x0;
          this.#ys[n] = y + y0;
          n++;
        }
      }
      if (n === 0) continue;
      const sky = this.#wcs.pixelToSkyArray(this.#xs.subarray(0, n), this.#ys.subarray(0, n));
      for (let k = 0; k < n; k++) {
        sky.ra[k] = sky.ra[k]! * deg;
        sky.dec[k] = sky.dec[k]! * deg;
      }
      const hpix = this.#pixelization.indexRaDecDeg(sky.ra, sky.dec, this.#hpix.subarray(0, n));
      for (let k = 0; k < n; k++) {
        const i = lowerBound(pixels, hpix[k]!);
        if (i < pixels.length && pixels[i] === hpix[k]) counts[i] = counts[i]! + 1;
      }
    }
  }

  /**
   * Clears each visit's bits in the map pixels where its bad-pixel count exceeds the area
   * threshold (`bad_mask_min_coverage` of a map pixel, in coadd pixels), then drops the counts.
   *
   * @throws {@link PipeTasksInvalidArgumentError} when {@link buildCcdInputMap} was not run first
   * @see lsst.pipe.tasks.healSparseMapping.HealSparseInputMapTask.finalize_ccd_input_map_mask
   */
  finalizeCcdInputMapMask(): void {
    if (this.ccdInputMap === undefined) {
      throw new PipeTasksInvalidArgumentError('finalizeCcdInputMapMask needs the map: run buildCcdInputMap first.');
    }
    for (const { bits, counts } of this.#visits.values()) {
      const toMask: number[] = [];
      for (let i = 0; i < counts.length; i++) if (counts[i]! > this.#minBad) toMask.push(this.#pixels[i]!);
      if (toMask.length > 0) this.ccdInputMap.clearBitsPix(toMask, bits);
    }
    this.#visits = new Map();
    this.#pixels = new Float64Array(0);
  }
}

/** The first index of sorted `a` whose value is not below `v`. */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
