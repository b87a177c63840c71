// Synthetic astrometry data for the tests and the benchmark: a TAN-SIP truth WCS with known
// distortion, reference stars on the sky, sources at the truth pixel positions plus centroid
// noise of known sigma, a perturbed initial WCS.
import type { Schema} from '@skystack/afw-table';
import { SimpleCatalog, SourceCatalog } from '@skystack/afw-table';
import { Angle, Box2D, Box2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeTanSipWcs, type SkyWcs } from '@skystack/wcs';
import { makeRefCatSchema } from '../src/reference-object-loader.js';

/** A seeded uniform [0, 1) generator and a Gaussian from it. */
export function makeRandom(seed: number): { uniform: () => number; gauss: () => number } {
  let s = seed >>> 0;
  const uniform = (): number => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, gauss };
}

/** Parameters of {@link makeScene}. */
export interface SceneOptions {
  width?: number;
  height?: number;
  /** Reference stars inside the detector. */
  nInside?: number;
  /** Fraction of extra references outside the detector (in the padded ring). */
  fracOutside?: number;
  /** Fraction of inside references without a source. */
  fracMissingSources?: number;
  /** Fraction of extra sources without a reference (relative to nInside). */
  fracSpuriousSources?: number;
  /** Centroid noise per axis (pixels). */
  centroidSigma?: number;
  /** Pixel scale (arcsec). */
  scaleArcsec?: number;
  /** Initial WCS errors. */
  offsetArcsec?: number;
  rotationDeg?: number;
  scaleError?: number;
  seed?: number;
}

/** A synthetic scene. */
export interface Scene {
  bbox: Box2I;
  truthWcs: SkyWcs;
  initialWcs: SkyWcs;
  refCat: SimpleCatalog;
  sourceCat: SourceCatalog;
  /** For each source row, the reference id it comes from, or -1. */
  truthRefId: BigInt64Array;
  /** Truth pixel positions of each source (before noise). */
  truthX: Float64Array;
  truthY: Float64Array;
}

export const SPURIOUS_ID_OFFSET = 1_000_000n;

/** SIP A/B of order 2 with up to ~10 pixels of distortion at the corners of a 4k detector. */
export function truthWcsFor(width: number, height: number, scaleArcsec = 0.2): SkyWcs {
  const crpix = new Point2D((width - 1) / 2, (height - 1) / 2);
  const crval = SpherePoint.fromDegrees(150.1, 2.2);
  const cd = makeCdMatrix(Angle.fromArcseconds(scaleArcsec), Angle.fromDegrees(20));
  const a = [
    [0, 0, 4e-7],
    [0, -6e-7, 0],
    [1.2e-6, 0, 0],
  ];
  const b = [
    [0, 0, -9e-7],
    [0, 5e-7, 0],
    [3e-7, 0, 0],
  ];
  return makeTanSipWcs(crpix, crval, cd, a, b);
}

/** The truth WCS perturbed: CRVAL moved by `offsetArcsec`, CD rotated and scaled. */
export function perturbWcs(truth: SkyWcs, offsetArcsec: number, rotationDeg: number, scaleError: number): SkyWcs {
  const crval = truth.getSkyOrigin().offset(Angle.fromDegrees(35), Angle.fromArcseconds(offsetArcsec));
  const cd = truth.getCdMatrix(truth.getPixelOrigin());
  const sip = truth.getSipMatrices()!;
  // The CD matrix at CRPIX equals the linear part (SIP has no linear terms here).
  const r = (rotationDeg * Math.PI) / 180;
  const k = 1 + scaleError;
  const c = Math.cos(r) * k;
  const s = Math.sin(r) * k;
  const cd2: [[number, number], [number, number]] = [
    [c * cd[0][0] - s * cd[1][0], c * cd[0][1] - s * cd[1][1]],
    [s * cd[0][0] + c * cd[1][0], s * cd[0][1] + c * cd[1][1]],
  ];
  return makeTanSipWcs(truth.getPixelOrigin(), crval, cd2, sip.a, sip.b);
}

/** A source catalog schema with SdssCentroid and an aperture flux as the slots. */
export function makeSourceSchema(): Schema {
  const schema = SourceCatalog.makeMinimalSchema();
  schema.addField({ name: 'base_SdssCentroid_x', type: 'D', units: 'pixel' });
  schema.addField({ name: 'base_SdssCentroid_y', type: 'D', units: 'pixel' });
  schema.addField({ name: 'base_SdssCentroid_flag', type: 'Flag' });
  schema.addField({ name: 'base_CircularApertureFlux_12_0_instFlux', type: 'D', units: 'ct' });
  schema.addField({ name: 'base_CircularApertureFlux_12_0_instFluxErr', type: 'D', units: 'ct' });
  schema.addField({ name: 'base_CircularApertureFlux_12_0_flag', type: 'Flag' });
  schema.addField({ name: 'base_PixelFlags_flag_edge', type: 'Flag' });
  schema.getAliasMap().set('slot_Centroid', 'base_SdssCentroid');
  schema.getAliasMap().set('slot_ApFlux', 'base_CircularApertureFlux_12_0');
  schema.getAliasMap().set('slot_PsfFlux', 'base_CircularApertureFlux_12_0');
  return schema;
}

/**
 * Makes a scene: `nInside` references uniformly over the detector plus `fracOutside` more in a
 * 250-pixel ring around it; sources for all but `fracMissingSources` of the inside references
 * at the truth pixel position plus Gaussian noise, plus `fracSpuriousSources` sources without
 * references.
 */
export function makeScene(options: SceneOptions = {}, schema: Schema = makeSourceSchema()): Scene {
  const width = options.width ?? 4000;
  const height = options.height ?? 4000;
  const nInside = options.nInside ?? 300;
  const nOutside = Math.round(nInside * (options.fracOutside ?? 0.1));
  const sigma = options.centroidSigma ?? 0.02;
  const { uniform, gauss } = makeRandom(options.seed ?? 1);
  const bbox = new Box2I(new Point2I(0, 0), new Point2I(width - 1, height - 1));
  const truthWcs = truthWcsFor(width, height, options.scaleArcsec ?? 0.2);
  const initialWcs = perturbWcs(truthWcs, options.offsetArcsec ?? 10, options.rotationDeg ?? 0.5, options.scaleError ?? 0.01);
  // Reference pixel positions (truth).
  const px: number[] = [];
  const py: number[] = [];
  for (let i = 0; i < nInside; i++) {
    px.push(-0.5 + uniform() * width);
    py.push(-0.5 + uniform() * height);
  }
  const ring = Box2D.fromBox2I(bbox).dilatedBy(240);
  while (px.length < nInside + nOutside) {
    const x = ring.minX + uniform() * ring.width;
    const y = ring.minY + uniform() * ring.height;
    if (Box2D.fromBox2I(bbox).contains(x, y)) continue;
    px.push(x);
    py.push(y);
  }
  const nRef = px.length;
  const sky = truthWcs.pixelToSkyArray(px, py);
  const refCat = new SimpleCatalog(makeRefCatSchema(['g', 'r']), { length: nRef });
  refCat.setColumn('id', Array.from({ length: nRef }, (_, i) => BigInt(i + 1)));
  refCat.setColumn('coord_ra', sky.ra);
  refCat.setColumn('coord_dec', sky.dec);
  const rFlux = Array.from({ length: nRef }, () => 10 ** (0.4 * (31.4 - (16 + 6 * uniform())))); // nJy, r = 16..22
  refCat.setColumn('r_flux', rFlux);
  refCat.setColumn('r_fluxErr', rFlux.map((f) => f * 0.01));
  refCat.setColumn('g_flux', rFlux.map((f) => f * 0.8));
  refCat.setColumn('g_fluxErr', rFlux.map((f) => f * 0.01));
  refCat.setColumn('coord_raErr', new Array<number>(nRef).fill(1e-9));
  refCat.setColumn('coord_decErr', new Array<number>(nRef).fill(1e-9));
  // Sources.
  const rows: { x: number; y: number; tx: number; ty: number; flux: number; ref: bigint }[] = [];
  const missing = options.fracMissingSources ?? 0;
  for (let i = 0; i < nInside; i++) {
    if (uniform() < missing) continue;
    rows.push({ x: px[i]! + sigma * gauss(), y: py[i]! + sigma * gauss(), tx: px[i]!, ty: py[i]!, flux: rFlux[i]! * (1 + 0.05 * gauss()), ref: BigInt(i + 1) });
  }
  const nSpurious = Math.round(nInside * (options.fracSpuriousSources ?? 0.1));
  for (let k = 0; k < nSpurious; k++) {
    const x = -0.5 + uniform() * width;
    const y = -0.5 + uniform() * height;
    rows.push({ x, y, tx: x, ty: y, flux: 10 ** (0.4 * (31.4 - (16 + 6 * uniform()))) * 0.05, ref: -1n });
  }
  const sourceCat = new SourceCatalog(schema, { length: rows.length });
  sourceCat.setColumn('id', rows.map((r, k) => (r.ref > 0n ? r.ref : SPURIOUS_ID_OFFSET + BigInt(k))));
  sourceCat.setColumn('base_SdssCentroid_x', rows.map((r) => r.x));
  sourceCat.setColumn('base_SdssCentroid_y', rows.map((r) => r.y));
  sourceCat.setColumn('base_CircularApertureFlux_12_0_instFlux', rows.map((r) => r.flux));
  sourceCat.setColumn('base_CircularApertureFlux_12_0_instFluxErr', rows.map((r) => Math.sqrt(r.flux)));
  return {
    bbox,
    truthWcs,
    initialWcs,
    refCat,
    sourceCat,
    truthRefId: BigInt64Array.from(rows, (r) => r.ref),
    truthX: Float64Array.from(rows, (r) => r.tx),
    truthY: Float64Array.from(rows, (r) => r.ty),
  };
}

/** RMS on-sky separation (mas) between two WCSs over a grid covering the box. */
export function wcsRmsDifferenceMas(a: SkyWcs, b: SkyWcs, bbox: Box2I, n = 21): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      xs.push(bbox.minX - 0.5 + ((bbox.width) * i) / (n - 1));
      ys.push(bbox.minY - 0.5 + ((bbox.height) * j) / (n - 1));
    }
  }
  const p = a.pixelToSkyArray(xs, ys);
  const q = b.pixelToSkyArray(xs, ys);
  let ss = 0;
  for (let k = 0; k < xs.length; k++) {
    const d = SpherePoint.fromRadians(p.ra[k]!, p.dec[k]!).separation(SpherePoint.fromRadians(q.ra[k]!, q.dec[k]!)).asMilliarcseconds();
    ss += d * d;
  }
  return Math.sqrt(ss / xs.length);
}
