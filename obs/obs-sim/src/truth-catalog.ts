// The truth catalog: stars and galaxies with positions, fluxes per band and shapes.
import { BaseCatalog, catalogToArrow, Schema, writeParquet } from '@skystack/afw-table';
import type { SpherePoint } from '@skystack/geom';
import { SIMCAM_BANDS } from './camera.js';
import type { GalaxyProfile } from './gaussian-mixture.js';
import { Random } from '@skystack/base';
import { AB_NJY_ZERO_POINT, DEFAULT_FIELD_CENTER, offsetPoint } from './visits.js';

/** The kind of a truth source. */
export type TruthSourceType = 'star' | GalaxyProfile;

/** The truth catalog, column-wise. */
export interface TruthCatalog {
  /** Source ids, 1…n. */
  readonly id: Float64Array;
  /** Right ascension, degrees. */
  readonly raDeg: Float64Array;
  /** Declination, degrees. */
  readonly decDeg: Float64Array;
  /** Kind: `'star'`, `'exp'` or `'dev'`. */
  readonly type: readonly TruthSourceType[];
  /** Flux per band (g, r, i), nJy. */
  readonly flux: Readonly<Record<string, Float64Array>>;
  /** Half-light radius along the major axis, arcsec (0 for stars). */
  readonly reArcsec: Float64Array;
  /** Axis ratio b/a (1 for stars). */
  readonly axisRatio: Float64Array;
  /** Position angle of the major axis, degrees east of north. */
  readonly positionAngleDeg: Float64Array;
}

/** Options of {@link makeTruthCatalog}. */
export interface TruthCatalogOptions {
  /** The seed. */
  readonly seed: number;
  /** Field centre (RA 150°, Dec 2.2° by default). */
  readonly center?: SpherePoint;
  /** Field radius, degrees (0.25 by default: the focal plane plus the dithers). */
  readonly radiusDeg?: number;
  /** Stars per square degree with 16 < r < 25 (8000 by default). */
  readonly starDensity?: number;
  /** Galaxies per square degree with 18 < r < 25.5 (30000 by default). */
  readonly galaxyDensity?: number;
}

/** Power-law magnitudes: dN/dm ∝ 10^(slope·m) on [m1, m2]. */
function powerLawMag(rng: Random, slope: number, m1: number, m2: number): number {
  const a = 10 ** (slope * m1);
  const b = 10 ** (slope * m2);
  return Math.log10(a + rng.uniform() * (b - a)) / slope;
}

/**
 * Makes the truth catalog: stars and galaxies placed uniformly in a circle around the field
 * centre (uniform in the tangent plane), with power-law r magnitudes (stars 16–25, slope 0.2
 * dex/mag; galaxies 18–25.5, slope 0.35), colours (stars g−r in 0.3–1.4 and r−i ≈ 0.1 +
 * 0.35(g−r); galaxies g−r in 0.2–1.1), and for galaxies a profile (70% exponential, 30% de
 * Vaucouleurs), a half-light radius (log-normal, median 0.8″ at r = 22, shrinking for fainter
 * galaxies, in 0.15″–4″), an axis ratio in 0.3–1 and a uniform position angle.
 *
 * @param options - seed, centre, radius, densities
 * @returns the catalog
 * @example
 * ```ts
 * const truth = makeTruthCatalog({ seed: 1 });
 * truth.flux.r[0]; // nJy
 * ```
 */
export function makeTruthCatalog(options: TruthCatalogOptions): TruthCatalog {
  const rng = Random.fromKey(options.seed, 'truth');
  const center = options.center ?? DEFAULT_FIELD_CENTER;
  const radius = options.radiusDeg ?? 0.25;
  const area = Math.PI * radius * radius;
  const nStars = rng.poisson((options.starDensity ?? 8000) * area);
  const nGal = rng.poisson((options.galaxyDensity ?? 30000) * area);
  const n = nStars + nGal;
  const id = new Float64Array(n);
  const raDeg = new Float64Array(n);
  const decDeg = new Float64Array(n);
  const type: TruthSourceType[] = [];
  const flux: Record<string, Float64Array> = {};
  for (const b of SIMCAM_BANDS) flux[b] = new Float64Array(n);
  const reArcsec = new Float64Array(n);
  const axisRatio = new Float64Array(n);
  const positionAngleDeg = new Float64Array(n);
  const toFlux = (m: number): number => 10 ** (-0.4 * (m - AB_NJY_ZERO_POINT));
  for (let k = 0; k < n; k++) {
    id[k] = k + 1;
    const rho = radius * Math.sqrt(rng.uniform());
    const phi = 2 * Math.PI * rng.uniform();
    const p = offsetPoint(center, rho * Math.cos(phi), rho * Math.sin(phi));
    raDeg[k] = p.getLongitude().asDegrees();
    decDeg[k] = p.getLatitude().asDegrees();
    const star = k < nStars;
    let r: number;
    let gr: number;
    let ri: number;
    if (star) {
      r = powerLawMag(rng, 0.2, 16, 25);
      gr = rng.uniformRange(0.3, 1.4);
      ri = 0.1 + 0.35 * gr + rng.normal(0, 0.05);
      type.push('star');
      reArcsec[k] = 0;
      axisRatio[k] = 1;
      positionAngleDeg[k] = 0;
    } else {
      r = powerLawMag(rng, 0.35, 18, 25.5);
      gr = rng.uniformRange(0.2, 1.1);
      ri = 0.1 + 0.3 * gr + rng.normal(0, 0.1);
      type.push(rng.uniform() < 0.7 ? 'exp' : 'dev');
      const median = 0.8 * 10 ** (-0.1 * (r - 22));
      reArcsec[k] = Math.min(4, Math.max(0.15, median * 10 ** rng.normal(0, 0.25)));
      axisRatio[k] = rng.uniformRange(0.3, 1);
      positionAngleDeg[k] = rng.uniformRange(0, 180);
    }
    flux['g']![k] = toFlux(r + gr);
    flux['r']![k] = toFlux(r);
    flux['i']![k] = toFlux(r - ri);
  }
  return { id, raDeg, decDeg, type, flux, reArcsec, axisRatio, positionAngleDeg };
}

/**
 * The truth catalog as an afw-table catalog: `id`, `ra`/`dec` (degrees), `type`, `is_star`,
 * `<band>_flux` (nJy) and `<band>_mag` (AB), `re_arcsec`, `axis_ratio`, `position_angle` (degrees
 * east of north), and the half-light ellipse moments `shape_xx/xy/yy` (arcsec², x = east,
 * y = north).
 *
 * @param truth - the catalog
 * @returns the afw-table catalog
 */
export function truthCatalogToTable(truth: TruthCatalog): BaseCatalog {
  const schema = new Schema([
    { name: 'id', type: 'L', doc: 'unique truth id' },
    { name: 'ra', type: 'D', doc: 'right ascension (ICRS)', units: 'deg' },
    { name: 'dec', type: 'D', doc: 'declination (ICRS)', units: 'deg' },
    { name: 'type', type: 'String', size: 8, doc: "'star', 'exp' (exponential disk) or 'dev' (de Vaucouleurs)" },
    { name: 'is_star', type: 'Flag', doc: 'true for point sources' },
    ...SIMCAM_BANDS.flatMap((b) => [
      { name: `${b}_flux`, type: 'D' as const, doc: `true flux in band ${b}`, units: 'nJy' },
      { name: `${b}_mag`, type: 'D' as const, doc: `true AB magnitude in band ${b}`, units: 'mag' },
    ]),
    { name: 're_arcsec', type: 'D', doc: 'half-light radius along the major axis (0 for stars)', units: 'arcsec' },
    { name: 'axis_ratio', type: 'D', doc: 'minor/major axis ratio' },
    { name: 'position_angle', type: 'D', doc: 'position angle of the major axis, east of north', units: 'deg' },
    { name: 'shape_xx', type: 'D', doc: 'half-light ellipse moment, x = east', units: 'arcsec^2' },
    { name: 'shape_xy', type: 'D', doc: 'half-light ellipse moment', units: 'arcsec^2' },
    { name: 'shape_yy', type: 'D', doc: 'half-light ellipse moment, y = north', units: 'arcsec^2' },
  ]);
  const n = truth.id.length;
  const cat = new BaseCatalog(schema, { length: n });
  cat.setColumn('id', Array.from(truth.id, (v) => BigInt(v)));
  cat.setColumn('ra', truth.raDeg);
  cat.setColumn('dec', truth.decDeg);
  cat.setColumn('type', truth.type);
  cat.setColumn('is_star', truth.type.map((t) => t === 'star'));
  for (const b of SIMCAM_BANDS) {
    const f = truth.flux[b]!;
    cat.setColumn(`${b}_flux`, f);
    cat.setColumn(`${b}_mag`, Array.from(f, (v) => AB_NJY_ZERO_POINT - 2.5 * Math.log10(v)));
  }
  cat.setColumn('re_arcsec', truth.reArcsec);
  cat.setColumn('axis_ratio', truth.axisRatio);
  cat.setColumn('position_angle', truth.positionAngleDeg);
  const xx = new Float64Array(n);
  const xy = new Float64Array(n);
  const yy = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const [a, b, c] = skyShape(truth.reArcsec[k]!, truth.axisRatio[k]!, truth.positionAngleDeg[k]!);
    xx[k] = a;
    xy[k] = b;
    yy[k] = c;
  }
  cat.setColumn('shape_xx', xx);
  cat.setColumn('shape_xy', xy);
  cat.setColumn('shape_yy', yy);
  return cat;
}

/**
 * The half-light ellipse of a galaxy as moments in the tangent plane (x = east, y = north),
 * arcsec²: major axis `re` at position angle `pa` east of north.
 *
 * @param reArcsec - half-light radius along the major axis
 * @param axisRatio - b/a
 * @param positionAngleDeg - degrees east of north
 * @returns `[xx, xy, yy]`
 */
export function skyShape(reArcsec: number, axisRatio: number, positionAngleDeg: number): [number, number, number] {
  // The major axis points at (sin pa, cos pa) in (east, north).
  const pa = (positionAngleDeg * Math.PI) / 180;
  const ux = Math.sin(pa);
  const uy = Math.cos(pa);
  const a2 = reArcsec * reArcsec;
  const b2 = a2 * axisRatio * axisRatio;
  return [a2 * ux * ux + b2 * uy * uy, (a2 - b2) * ux * uy, a2 * uy * uy + b2 * ux * ux];
}

/**
 * Writes the truth catalog as Parquet (through {@link truthCatalogToTable}).
 *
 * @param path - the file
 * @param truth - the catalog
 * @returns when written
 */
export async function writeTruthCatalog(path: string, truth: TruthCatalog): Promise<void> {
  await writeParquet(path, catalogToArrow(truthCatalogToTable(truth)));
}
