import { Image, type Exposure, type ImageD, type PixelArray } from '@skystack/afw-image';
import type { SourceCatalog } from '@skystack/afw-table';
import { Point2I } from '@skystack/geom';
import { offsetImage } from '@skystack/afw-image';
import { Config, Field } from '@skystack/pex-config';
import { Task, type TaskOptions } from '@skystack/pipe-base';

/** The status of a PSF candidate (afw's `SpatialCellCandidate.Status`). */
export type PsfCandidateStatus = 'UNKNOWN' | 'GOOD' | 'BAD';

/** The Lanczos order used to recentre candidate stamps (afw's `'lanczos5'`). */
export const CANDIDATE_LANCZOS_ORDER = 5;

/**
 * A star that may be used to build the PSF: its row in the source catalog, its position, its
 * rating (brightness; brighter candidates are used first) and its status in PSF determination.
 *
 * @example
 * ```ts
 * const cand = new PsfCandidate(7, 1024.3, 511.8, 5e4);
 * const stamp = cand.getStamp(exposure, 29); // 29 × 29, centred, sum 1
 * ```
 * @see lsst.meas.algorithms.PsfCandidate
 */
export class PsfCandidate {
  /** The row of the source in the catalog. */
  readonly index: number;
  /** The centroid x (PARENT). */
  readonly x: number;
  /** The centroid y (PARENT). */
  readonly y: number;
  /** The rating (the PSF or calibration flux): brighter candidates are preferred. */
  readonly rating: number;
  /** The status after PSF determination. */
  status: PsfCandidateStatus = 'UNKNOWN';
  /** The reduced chi² of the PSF model fitted to the stamp (NaN before a fit). */
  chi2 = Number.NaN;
  /** The flux in the stamp (its sum before normalisation; NaN before extraction). */
  amplitude = Number.NaN;

  /**
   * Makes a candidate.
   *
   * @param index - the row in the catalog
   * @param x - the centroid x (PARENT)
   * @param y - the centroid y (PARENT)
   * @param rating - the brightness used to rank candidates
   */
  constructor(index: number, x: number, y: number, rating: number) {
    this.index = index;
    this.x = x;
    this.y = y;
    this.rating = rating;
  }

  /**
   * The square stamp of the star, recentred by a Lanczos-5 shift so that the star's centroid is
   * on the centre pixel (kernel coordinates: the centre pixel is (0, 0)), and normalised to sum 1
   * (the sum before normalisation is kept in {@link PsfCandidate.amplitude}). The variance of each
   * pixel, scaled the same way, is returned beside it.
   *
   * @param exposure - the (background-subtracted) exposure
   * @param size - the stamp width and height (odd)
   * @returns the stamp and its variance, or undefined when the stamp (plus the Lanczos margin)
   *   is not inside the image or its sum is not positive
   */
  getStamp(
    exposure: Exposure<PixelArray>,
    size: number,
  ):
    | {
        /** The normalised, recentred stamp (xy0 = −half). */
        image: ImageD;
        /** The variance of each stamp pixel, scaled as the stamp. */
        variance: Float64Array;
      }
    | undefined {
    const half = (size - 1) / 2;
    const margin = CANDIDATE_LANCZOS_ORDER;
    const ix = Math.floor(this.x + 0.5);
    const iy = Math.floor(this.y + 0.5);
    const big = size + 2 * margin;
    const bx0 = ix - half - margin - exposure.getXY0().getX();
    const by0 = iy - half - margin - exposure.getXY0().getY();
    if (bx0 < 0 || by0 < 0 || bx0 + big > exposure.getWidth() || by0 + big > exposure.getHeight()) return undefined;
    const { data, stride } = exposure.image.array;
    const vdata = exposure.variance.array.data;
    const vstride = exposure.variance.array.stride;
    const cut = new Float64Array(big * big);
    for (let j = 0; j < big; j++) {
      const row = (by0 + j) * stride + bx0;
      for (let i = 0; i < big; i++) cut[j * big + i] = Number(data[row + i]);
    }
    const shifted = offsetImage(new Image(cut, big, big), ix - this.x, iy - this.y, CANDIDATE_LANCZOS_ORDER);
    const out = new Float64Array(size * size);
    const variance = new Float64Array(size * size);
    const sdata = shifted.array.data;
    let sum = 0;
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) {
        const v = sdata[(j + margin) * big + i + margin]!;
        out[j * size + i] = v;
        sum += v;
        variance[j * size + i] = Number(vdata[(by0 + j + margin) * vstride + bx0 + i + margin]);
      }
    }
    if (!(sum > 0)) return undefined;
    this.amplitude = sum;
    const inv = 1 / sum;
    for (let k = 0; k < out.length; k++) {
      out[k]! *= inv;
      variance[k]! *= inv * inv;
    }
    return { image: new Image(out, size, size, { xy0: new Point2I(-half, -half) }), variance };
  }
}

/**
 * Configuration of {@link MakePsfCandidatesTask}, with LSST's fields and defaults.
 *
 * @see lsst.meas.algorithms.makePsfCandidates.MakePsfCandidatesConfig
 */
export class MakePsfCandidatesConfig extends Config {
  /** Size of the postage stamp (pixels); stamps must fit in the image. */
  kernelSize = Field.int({ default: 21, doc: 'Size of the postage stamp in pixels (excluding the border) around each star that is extracted for fitting. Should be odd and preferably at least 25.' });
  /** Pixels ignored around the edge of the stamp. */
  borderWidth = Field.int({ default: 0, doc: 'Number of pixels to ignore around the edge of PSF candidate postage stamps' });
}

/** What {@link MakePsfCandidatesTask.run} returns. */
export interface MakePsfCandidatesResult {
  /** The candidates, one per good star, in catalog order. */
  readonly psfCandidates: PsfCandidate[];
  /** The rows of the stars that made candidates (LSST's `goodStarCat`). */
  readonly goodStarIndices: Int32Array;
}

/**
 * Makes PSF candidates from selected stars: the slot centroid must be finite and the
 * `kernelSize + 2 borderWidth` stamp (plus the Lanczos margin) must lie inside the image; the
 * rating is the slot PSF flux (or the calibration flux when there is no PSF flux).
 *
 * @example
 * ```ts
 * const { psfCandidates } = new MakePsfCandidatesTask().run(sources, stars.indices, exposure);
 * ```
 * @see lsst.meas.algorithms.makePsfCandidates.MakePsfCandidatesTask
 */
export class MakePsfCandidatesTask extends Task<MakePsfCandidatesConfig> {
  /** {@link MakePsfCandidatesConfig}. */
  static override ConfigClass = MakePsfCandidatesConfig;
  /** `makePsfCandidates`. */
  static override _DefaultName: string | undefined = 'makePsfCandidates';

  /**
   * Makes the task.
   *
   * @param options - Task options
   */
  constructor(options: TaskOptions<MakePsfCandidatesConfig> = {}) {
    super(options);
  }

  /**
   * Makes the candidates.
   *
   * @param catalog - the sources (with the slot centroid)
   * @param indices - the rows of the selected stars
   * @param exposure - the exposure
   * @returns the candidates and the rows that made them
   */
  run(catalog: SourceCatalog, indices: ArrayLike<number>, exposure: Exposure<PixelArray>): MakePsfCandidatesResult {
    const xs = catalog.getColumn('slot_Centroid_x') as Float64Array;
    const ys = catalog.getColumn('slot_Centroid_y') as Float64Array;
    const ratingName = ['slot_PsfFlux_instFlux', 'slot_CalibFlux_instFlux'].find((n) => catalog.schema.contains(n));
    const ratings = ratingName === undefined ? undefined : (catalog.getColumn(ratingName) as Float64Array);
    const half = (this.config.kernelSize + 2 * this.config.borderWidth - 1) / 2 + 5;
    const bbox = exposure.getBBox();
    const out: PsfCandidate[] = [];
    const rows: number[] = [];
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      const x = Number(xs[i]);
      const y = Number(ys[i]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const ix = Math.floor(x + 0.5);
      const iy = Math.floor(y + 0.5);
      if (ix - half < bbox.getMinX() || iy - half < bbox.getMinY() || ix + half > bbox.getMaxX() || iy + half > bbox.getMaxY()) continue;
      const r = ratings === undefined ? 0 : Number(ratings[i]);
      out.push(new PsfCandidate(i, x, y, Number.isFinite(r) ? r : 0));
      rows.push(i);
    }
    this.log.info(`Making psf candidates from ${indices.length} selected stars: ${out.length} good.`);
    return { psfCandidates: out, goodStarIndices: Int32Array.from(rows) };
  }
}
