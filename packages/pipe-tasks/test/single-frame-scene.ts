// A synthetic single-frame exposure with known truth, for the characterizeImage and calibrate
// tests and the benchmark: stars drawn with a known elliptical Gaussian PSF, a few round
// galaxies, a sky with a gentle gradient, Gaussian noise with the true variance, a known TAN WCS
// and a perturbed initial one, and a reference catalog of the stars with fluxes in nJy
// (`r_flux` = calibration × ADU) as in-memory HTM7 shards. Everything here is made from a seeded
// generator and closed-form profiles; no code under test is involved.
import { Exposure, FilterLabel, Image, Mask, MaskedImage, VisitInfo } from '@skystack/afw-image';
import { SimpleCatalog } from '@skystack/afw-table';
import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { makeRefCatSchema, refCatShardsFromCatalogs, shardReferenceCatalog, type RefCatShard } from '@skystack/meas-astrom';
import { makeCdMatrix, makeSkyWcs, type SkyWcs } from '@skystack/wcs';

/** A seeded uniform [0, 1) generator (mulberry32) and a standard normal from it. */
export function makeRandom(seed: number): { uniform: () => number; gauss: () => number } {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, gauss };
}

/** The true PSF second moments (pixels²): an elliptical Gaussian. */
export const TRUTH_PSF = Object.freeze({ ixx: 3.1, iyy: 2.5, ixy: 0.35 });
/** The true calibration: nJy per ADU. */
export const TRUTH_CALIBRATION = 42.0;
/** Pixel scale of the truth WCS (arcsec). */
export const PIXEL_SCALE_ARCSEC = 0.2;

/** One object of the truth. */
export interface TruthObject {
  /** Position (PARENT pixels). */
  readonly x: number;
  /** Position (PARENT pixels). */
  readonly y: number;
  /** Total flux (ADU). */
  readonly flux: number;
  /** Second moments (pixels²). */
  readonly ixx: number;
  readonly iyy: number;
  readonly ixy: number;
}

/** Parameters of {@link makeScene}. */
export interface SceneOptions {
  readonly width?: number;
  readonly height?: number;
  readonly nStars?: number;
  readonly nGalaxies?: number;
  readonly sky?: number;
  /** Cosmic rays: tracks of 1 to 4 pixels, each pixel 1500 to 5000 ADU, at least 10 pixels from any object. */
  readonly nCosmicRays?: number;
  readonly seed?: number;
}

/** A synthetic scene. */
export interface Scene {
  /** The exposure (postISRCCD-like: sky not subtracted, initial WCS, no PSF, filter r). */
  readonly exposure: Exposure<Float32Array>;
  readonly stars: readonly TruthObject[];
  readonly galaxies: readonly TruthObject[];
  readonly truthWcs: SkyWcs;
  readonly initialWcs: SkyWcs;
  /** The stars as a reference catalog (`r_flux`, `r_fluxErr` in nJy). */
  readonly refCat: SimpleCatalog;
  /** The reference catalog's HTM7 shards. */
  readonly shards: RefCatShard[];
  /** The sky level (ADU) at the centre. */
  readonly sky: number;
  /** The pixels hit by cosmic rays (PARENT). */
  readonly cosmicRayPixels: readonly { readonly x: number; readonly y: number }[];
}

/** Adds an elliptical Gaussian of total `flux` and moments (ixx, iyy, ixy) at (x0, y0), sampled at pixel centres. */
function drawGaussian(data: Float32Array, width: number, height: number, o: TruthObject): void {
  const det = o.ixx * o.iyy - o.ixy * o.ixy;
  const a = o.iyy / det;
  const b = -o.ixy / det;
  const c = o.ixx / det;
  const norm = o.flux / (2 * Math.PI * Math.sqrt(det));
  const r = Math.ceil(7 * Math.sqrt(Math.max(o.ixx, o.iyy)));
  const x0 = Math.max(0, Math.floor(o.x) - r);
  const x1 = Math.min(width - 1, Math.floor(o.x) + r);
  const y0 = Math.max(0, Math.floor(o.y) - r);
  const y1 = Math.min(height - 1, Math.floor(o.y) + r);
  for (let y = y0; y <= y1; y++) {
    const dy = y - o.y;
    for (let x = x0; x <= x1; x++) {
      const dx = x - o.x;
      data[y * width + x] = data[y * width + x]! + norm * Math.exp(-0.5 * (a * dx * dx + 2 * b * dx * dy + c * dy * dy));
    }
  }
}

/**
 * Makes the scene.
 *
 * @param options - size, numbers of objects, sky, seed
 * @returns the exposure and its truth
 */
export function makeScene(options: SceneOptions = {}): Scene {
  const width = options.width ?? 1024;
  const height = options.height ?? 1024;
  const nStars = options.nStars ?? Math.round((250 * width * height) / (1024 * 1024));
  const nGalaxies = options.nGalaxies ?? Math.round((12 * width * height) / (1024 * 1024));
  const sky = options.sky ?? 800;
  const { uniform, gauss } = makeRandom(options.seed ?? 7);
  const margin = 30;

  const stars: TruthObject[] = [];
  for (let i = 0; i < nStars; i++) {
    const flux = 1500 * Math.pow(200, uniform()); // 1.5e3 .. 3e5 ADU, log-uniform
    stars.push({ x: margin + (width - 2 * margin) * uniform(), y: margin + (height - 2 * margin) * uniform(), flux, ...TRUTH_PSF });
  }
  const galaxies: TruthObject[] = [];
  for (let i = 0; i < nGalaxies; i++) {
    const s2 = (3 + 3 * uniform()) ** 2;
    const e = 0.3 * uniform();
    galaxies.push({
      x: margin + (width - 2 * margin) * uniform(),
      y: margin + (height - 2 * margin) * uniform(),
      flux: 2e4 + 8e4 * uniform(),
      ixx: s2 * (1 + e) + TRUTH_PSF.ixx,
      iyy: s2 * (1 - e) + TRUTH_PSF.iyy,
      ixy: TRUTH_PSF.ixy,
    });
  }

  const model = new Float32Array(width * height);
  for (const o of [...stars, ...galaxies]) drawGaussian(model, width, height, o);
  const image = new Float32Array(width * height);
  const variance = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const bg = sky * (1 + (0.05 * (x - width / 2)) / width + (0.03 * (y - height / 2)) / height);
      const v = bg + model[i]!;
      variance[i] = v;
      image[i] = v + Math.sqrt(v) * gauss();
    }
  }
  const cosmicRayPixels: { x: number; y: number }[] = [];
  const objects = [...stars, ...galaxies];
  for (let n = 0; n < (options.nCosmicRays ?? 0); ) {
    const x0 = margin + Math.floor((width - 2 * margin) * uniform());
    const y0 = margin + Math.floor((height - 2 * margin) * uniform());
    if (objects.some((o) => (o.x - x0) ** 2 + (o.y - y0) ** 2 < 100)) continue;
    const len = 1 + Math.floor(4 * uniform());
    const dir = [
      [1, 0],
      [0, 1],
      [1, 1],
      [1, -1],
    ][Math.floor(4 * uniform())]!;
    for (let k = 0; k < len; k++) {
      const x = x0 + k * dir[0]!;
      const y = y0 + k * dir[1]!;
      const amp = 1500 + 3500 * uniform();
      image[y * width + x] = image[y * width + x]! + amp;
      variance[y * width + x] = variance[y * width + x]! + amp;
      cosmicRayPixels.push({ x, y });
    }
    n++;
  }
  const exposure = new Exposure(new MaskedImage(new Image(image, width, height), new Mask(new Int32Array(width * height), width, height), new Image(variance, width, height)));

  const crpix = new Point2D((width - 1) / 2, (height - 1) / 2);
  const crval = SpherePoint.fromDegrees(37.5, -12.25);
  const truthWcs = makeSkyWcs(crpix, crval, makeCdMatrix(Angle.fromArcseconds(PIXEL_SCALE_ARCSEC), Angle.fromDegrees(8)));
  // The initial WCS: 1.5 arcsec off, rotated by 0.03 degrees, scale 0.1% off.
  const initialWcs = makeSkyWcs(
    crpix,
    SpherePoint.fromDegrees(37.5 + 1.2 / 3600 / Math.cos((12.25 * Math.PI) / 180), -12.25 + 0.9 / 3600),
    makeCdMatrix(Angle.fromArcseconds(PIXEL_SCALE_ARCSEC * 1.001), Angle.fromDegrees(8.03)),
  );
  exposure.setWcs(initialWcs);
  exposure.setFilter(FilterLabel.fromBandPhysical('r', 'SimCam-r'));
  exposure.setVisitInfo(new VisitInfo({ exposureTime: 30 }));

  const refCat = new SimpleCatalog(makeRefCatSchema(['r']), { length: stars.length });
  const sp = stars.map((s) => truthWcs.pixelToSky(s.x, s.y));
  refCat.setColumn('id', stars.map((_, i) => BigInt(i + 1)));
  refCat.setColumn('coord_ra', Float64Array.from(sp, (p) => p.getRa().asRadians()));
  refCat.setColumn('coord_dec', Float64Array.from(sp, (p) => p.getDec().asRadians()));
  refCat.setColumn('r_flux', Float64Array.from(stars, (s) => s.flux * TRUTH_CALIBRATION));
  refCat.setColumn('r_fluxErr', Float64Array.from(stars, (s) => 0.01 * s.flux * TRUTH_CALIBRATION));
  const shards = refCatShardsFromCatalogs(shardReferenceCatalog(refCat));
  return { exposure, stars, galaxies, truthWcs, initialWcs, refCat, shards, sky, cosmicRayPixels };
}

/**
 * The index of the closest truth object within `radius` pixels of (x, y), or -1 (brute force).
 *
 * @param objects - the truth
 * @param x - position
 * @param y - position
 * @param radius - pixels
 * @returns the index or -1
 */
export function nearestTruth(objects: readonly TruthObject[], x: number, y: number, radius = 1.5): number {
  let best = -1;
  let bestD2 = radius * radius;
  for (let i = 0; i < objects.length; i++) {
    const d2 = (objects[i]!.x - x) ** 2 + (objects[i]!.y - y) ** 2;
    if (d2 < bestD2) {
      bestD2 = d2;
      best = i;
    }
  }
  return best;
}

/**
 * Whether star `k` has no other object (star or galaxy) within `radius` pixels: its centroid is
 * not pulled by a neighbour (there is no deblender).
 *
 * @param scene - the scene
 * @param k - the star's index
 * @param radius - pixels
 * @returns true when isolated
 */
export function isolatedStar(scene: Scene, k: number, radius = 15): boolean {
  const s = scene.stars[k]!;
  const near = (o: TruthObject): boolean => o !== s && (o.x - s.x) ** 2 + (o.y - s.y) ** 2 < radius * radius;
  return !scene.stars.some(near) && !scene.galaxies.some(near);
}

/**
 * The largest on-sky distance (mas) between two WCSs over a grid of the exposure's pixels.
 *
 * @param a - one WCS
 * @param b - the other
 * @param width - pixels
 * @param height - pixels
 * @returns the maximum separation in milliarcseconds
 */
export function maxWcsDifferenceMas(a: SkyWcs, b: SkyWcs, width: number, height: number): number {
  let max = 0;
  for (let y = 0; y <= height - 1; y += (height - 1) / 8) {
    for (let x = 0; x <= width - 1; x += (width - 1) / 8) max = Math.max(max, a.pixelToSky(x, y).separation(b.pixelToSky(x, y)).asMilliarcseconds());
  }
  return max;
}
