// HealSparsePropertyMapTask against analytic truth: a 2×2-patch tract, three input detectors
// with known TAN WCSs, Gaussian PSFs (or PSF moments only), exposure times, sky levels,
// calibrations and dates; the input maps are set by hand from the detectors' sky polygons, so
// each map pixel's inputs are known and every property follows from LSST's definitions.
import { DateTime, ExposureCatalog, GaussianPsf, PhotoCalib, VisitInfo, REFERENCE_FLUX_NJY } from '@skystack/afw-image';
import { Angle, Box2D, Box2I, Extent2I, HealpixPixelization, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { HealSparseMap, HealSparsePolygon } from '@skystack/healsparse';
import { DiscreteSkyMap, makeDiscreteSkyMapConfig } from '@skystack/skymap';
import { makeCdMatrix, makeSkyWcs, type SkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { ExposureSummaryStats } from '../postprocess/exposure-summary-stats.js';
import { HealSparsePropertyMapConfig, HealSparsePropertyMapConnections, HealSparsePropertyMapTask, computeNsideCoverageTract } from './healsparse-property-map-task.js';

const NSIDE = 32768;
const arcsec = (v: number): Angle => Angle.fromDegrees(v / 3600);
const skyMap = new DiscreteSkyMap(
  makeDiscreteSkyMapConfig({ raList: [150], decList: [2.2], radiusList: [0.03], projection: 'TAN', pixelScale: 0.2, tractOverlap: 0, patchInnerDimensions: [600, 600], patchBorder: 20 }),
);
const tract = skyMap.get(0);
const tractWcs = tract.getWcs();
/** The tract pixel of a sky offset (arcsec) from the tract centre, as a sky position. */
const offset = (dxArcsec: number, dyArcsec: number): SpherePoint => SpherePoint.fromDegrees(150 + dxArcsec / 3600 / Math.cos((2.2 * Math.PI) / 180), 2.2 + dyArcsec / 3600);

interface Det {
  visit: number;
  ccd: number;
  weight: number;
  bbox: Box2I;
  wcs: SkyWcs;
  sigma: number | null; // Gaussian PSF sigma, or null: moments only
  expTime: number;
  mjd: number;
  skyBg: number;
  skyNoise: number;
  calib: number;
}
const box = (w: number, h: number): Box2I => Box2I.fromCorner(new Point2I(0, 0), new Extent2I(w, h));
const DETS: Det[] = [
  // covers the whole tract
  { visit: 11, ccd: 0, weight: 0.5, bbox: box(2000, 2000), wcs: makeSkyWcs(new Point2D(999.5, 999.5), offset(0, 0), makeCdMatrix(arcsec(0.2), Angle.fromDegrees(10))), sigma: 1.5, expTime: 30, mjd: 60000.25, skyBg: 100, skyNoise: 10, calib: 2.0 },
  // straddles patches 0 and 1
  { visit: 12, ccd: 5, weight: 0.3, bbox: box(600, 500), wcs: makeSkyWcs(new Point2D(299.5, 249.5), offset(-18, -18), makeCdMatrix(arcsec(0.2), Angle.fromDegrees(-20))), sigma: 2.0, expTime: 15, mjd: 60010.5, skyBg: 80, skyNoise: 9, calib: 3.0 },
  // inside patch 0, without a PSF model: psfIxx = 5, psfIyy = 3, psfIxy = 1, psfArea = 40
  { visit: 13, ccd: 2, weight: 0.2, bbox: box(400, 400), wcs: makeSkyWcs(new Point2D(199.5, 199.5), offset(-40, -45), makeCdMatrix(arcsec(0.21), Angle.fromDegrees(5))), sigma: null, expTime: 60, mjd: 59990.75, skyBg: 50, skyNoise: 7, calib: 1.5 },
];
const MOMENTS = { ixx: 5, iyy: 3, ixy: 1, area: 40 };
const COADD_CALIB = 0.8;

function visitSummary(d: Det): ExposureCatalog {
  const schema = ExposureCatalog.makeMinimalSchema();
  schema.addField({ name: 'visit', type: 'L', doc: 'Visit number' });
  ExposureSummaryStats.updateSchema(schema);
  const cat = new ExposureCatalog(schema);
  const other = cat.addNew(); // another detector of the visit, to be skipped by the look-up
  other.setId(d.ccd + 1);
  const r = cat.addNew();
  r.setId(d.ccd);
  r.setBBox(d.bbox);
  r.set('visit', BigInt(d.visit));
  r.setComponent('wcs', d.wcs);
  r.setComponent('photoCalib', new PhotoCalib(d.calib));
  r.setComponent('visitInfo', new VisitInfo({ exposureTime: d.expTime, date: DateTime.fromMjd(d.mjd) }));
  if (d.sigma !== null) r.setComponent('psf', new GaussianPsf(41, 41, d.sigma));
  r.set('skyBg', d.skyBg);
  r.set('skyNoise', d.skyNoise);
  r.set('expTime', d.expTime);
  r.set('psfIxx', MOMENTS.ixx);
  r.set('psfIyy', MOMENTS.iyy);
  r.set('psfIxy', MOMENTS.ixy);
  r.set('psfArea', MOMENTS.area);
  return cat;
}

/** The pixels of each detector's footprint (pixel-edge corners on the sky), as sets. */
const detPixels: Set<number>[] = DETS.map((d) => {
  const b = Box2D.fromBox2I(d.bbox);
  const xs = [b.getMinX(), b.getMaxX(), b.getMaxX(), b.getMinX()];
  const ys = [b.getMinY(), b.getMinY(), b.getMaxY(), b.getMaxY()];
  const sky = d.wcs.pixelToSkyArray(xs, ys);
  const deg = 180 / Math.PI;
  return new Set(new HealSparsePolygon(Array.from(sky.ra, (v) => v * deg), Array.from(sky.dec, (v) => v * deg)).getPixels(NSIDE));
});

/** A patch's input map: every detector's bit on its footprint (the patch crop is the task's job). */
function inputMap(): HealSparseMap {
  const m = HealSparseMap.makeEmpty({ nsideCoverage: 256, nsideSparse: NSIDE, dtype: 'wide-mask', wideMaskMaxBits: DETS.length });
  DETS.forEach((d, bit) => {
    m.setBitsPix([...detPixels[bit]!], [bit]);
    const k = (s: string): string => `B${String(bit).padStart(4, '0')}${s}`;
    m.metadata = { ...m.metadata, [k('CCD')]: d.ccd, [k('VIS')]: d.visit, [k('WT')]: d.weight };
  });
  return m;
}

const PATCHES = [0, 1];
const pix = new HealpixPixelization(HealpixPixelization.nsideToLevel(NSIDE));

/** The expected patch (or -1) of a map pixel: its centre inside a patch's inner box, in tract pixels. */
function patchOf(p: number): number {
  const [ra, dec] = pix.centerRaDecDeg(p);
  const xy = tractWcs.skyToPixel(SpherePoint.fromDegrees(ra, dec));
  for (const patch of PATCHES) {
    const b = Box2D.fromBox2I(tract.getPatchInfo(patch).getInnerBBox());
    if (xy.getX() > b.getMinX() && xy.getX() < b.getMaxX() && xy.getY() > b.getMinY() && xy.getY() < b.getMaxY()) return patch;
  }
  return -1;
}

function runTask(config = new HealSparsePropertyMapConfig()): Record<string, HealSparseMap> {
  const task = new HealSparsePropertyMapTask({ config });
  return task
    .run({
      skyMap,
      tract: 0,
      band: 'r',
      inputMaps: new Map(PATCHES.map((p) => [p, inputMap()])),
      coaddPhotoCalibs: new Map(PATCHES.map((p) => [p, new PhotoCalib(COADD_CALIB)])),
      visitSummaries: new Map(DETS.map((d) => [d.visit, visitSummary(d)])),
    })
    .getDict();
}

describe('HealSparsePropertyMapTask', () => {
  const maps = runTask();
  const allPixels = [...new Set(detPixels.flatMap((s) => [...s]))].sort((a, b) => a - b);
  const inPatch = allPixels.filter((p) => patchOf(p) >= 0);
  const inputsOf = (p: number): number[] => DETS.map((_, b) => b).filter((b) => detPixels[b]!.has(p));

  it('makes the default maps, float64 at the input nside with the tract coverage nside', () => {
    expect(Object.keys(maps).sort()).toEqual(
      [
        'epoch_map_max',
        'epoch_map_mean',
        'epoch_map_min',
        'exposure_time_map_sum',
        'psf_e1_map_weighted_mean',
        'psf_e2_map_weighted_mean',
        'psf_maglim_map_weighted_mean',
        'psf_size_map_weighted_mean',
        'sky_background_map_weighted_mean',
        'sky_noise_map_weighted_mean',
      ].sort(),
    );
    // 2×2 patches of 120″: 0.0044 deg², below a coverage pixel until nside 1024; halved to 512, clipped to 128
    expect(computeNsideCoverageTract(tract)).toBe(128);
    // 3×3 patches of 800″: 0.44 deg², between the pixel areas of nside 128 (0.21) and 64 (0.84): 128 halved to 64
    const mid = new DiscreteSkyMap(makeDiscreteSkyMapConfig({ raList: [30], decList: [-10], radiusList: [0.3], projection: 'TAN', pixelScale: 0.2, tractOverlap: 0, patchInnerDimensions: [4000, 4000], patchBorder: 100 }));
    expect(mid.get(0).getNumPatches().x).toBe(3);
    expect(computeNsideCoverageTract(mid.get(0))).toBe(64);
    // a 2° tract is larger than an nside-32 pixel (3.36 deg²): 32 halved, clipped back to 32
    const big = new DiscreteSkyMap(makeDiscreteSkyMapConfig({ raList: [30], decList: [-10], radiusList: [1], projection: 'TAN', pixelScale: 0.2, tractOverlap: 0 }));
    expect(computeNsideCoverageTract(big.get(0))).toBe(32);
    for (const m of Object.values(maps)) {
      expect(m.dtype).toBe('float64');
      expect(m.nsideSparse).toBe(NSIDE);
      expect(m.nsideCoverage).toBe(128);
    }
  });

  it('has data exactly on the patches’ inner regions where there are inputs', () => {
    const valid = [...maps['exposure_time_map_sum']!.validPixels()];
    expect(valid.length).toBeGreaterThan(500);
    expect(valid).toEqual(inPatch);
    expect(allPixels.length).toBeGreaterThan(inPatch.length); // some input pixels were cut away
    for (const m of Object.values(maps)) expect(m.nValidPixels).toBe(inPatch.length);
  });

  it('sums exposure times and takes the epoch mean, min and max over the inputs', () => {
    const counts = new Set<number>();
    const get = (name: string): Float64Array => maps[name]!.getValuesPix(inPatch);
    const [sum, mean, min, max] = ['exposure_time_map_sum', 'epoch_map_mean', 'epoch_map_min', 'epoch_map_max'].map(get);
    inPatch.forEach((p, i) => {
      const ins = inputsOf(p).map((b) => DETS[b]!);
      counts.add(ins.length);
      expect(sum![i]).toBeCloseTo(ins.reduce((a, d) => a + d.expTime, 0), 9);
      expect(mean![i]).toBeCloseTo(ins.reduce((a, d) => a + d.mjd, 0) / ins.length, 6);
      expect(min![i]).toBeCloseTo(Math.min(...ins.map((d) => d.mjd)), 6);
      expect(max![i]).toBeCloseTo(Math.max(...ins.map((d) => d.mjd)), 6);
    });
    expect([...counts].sort()).toEqual([1, 2, 3]);
  });

  it('weights PSF size and shape, sky and magnitude limit by the input-map weights', () => {
    const r = Math.sqrt(Math.sqrt(MOMENTS.ixx * MOMENTS.iyy - MOMENTS.ixy ** 2));
    const denom = MOMENTS.ixx + MOMENTS.iyy + 2 * r * r;
    // Gaussian PSF: determinant radius σ, e1 = e2 = 0, effective area Σk/Σk² = 4πσ²
    const size = (d: Det): number => d.sigma ?? r;
    const e1 = (d: Det): number => (d.sigma === null ? (MOMENTS.ixx - MOMENTS.iyy) / denom : 0);
    const e2 = (d: Det): number => (d.sigma === null ? (2 * MOMENTS.ixy) / denom : 0);
    const area = (d: Det): number => (d.sigma === null ? MOMENTS.area : 4 * Math.PI * d.sigma ** 2);
    const zp = 2.5 * Math.log10(REFERENCE_FLUX_NJY / COADD_CALIB);
    const get = (name: string): Float64Array => maps[`${name}_map_weighted_mean`]!.getValuesPix(inPatch);
    const [sz, pe1, pe2, maglim, bg, noise] = ['psf_size', 'psf_e1', 'psf_e2', 'psf_maglim', 'sky_background', 'sky_noise'].map(get);
    inPatch.forEach((p, i) => {
      const ins = inputsOf(p).map((b) => DETS[b]!);
      const w = ins.reduce((a, d) => a + d.weight, 0);
      const wmean = (f: (d: Det) => number): number => ins.reduce((a, d) => a + d.weight * f(d), 0) / w;
      expect(sz![i]).toBeCloseTo(wmean(size), 8);
      expect(pe1![i]).toBeCloseTo(wmean(e1), 8);
      expect(pe2![i]).toBeCloseTo(wmean(e2), 8);
      expect(bg![i]).toBeCloseTo(wmean((d) => d.calib * d.skyBg), 8);
      expect(noise![i]).toBeCloseTo(wmean((d) => d.calib * d.skyNoise), 8);
      expect(maglim![i]).toBeCloseTo(zp - 2.5 * Math.log10(5 * Math.sqrt(wmean(area) / w)), 6);
    });
  });

  it('makes only the configured maps and removes the other outputs', () => {
    const config = new HealSparsePropertyMapConfig();
    for (const name of ['psf_size', 'psf_e1', 'psf_e2', 'psf_maglim', 'sky_noise', 'sky_background'] as const) config.property_maps[name].do_weighted_mean = false;
    config.property_maps.epoch.do_mean = false;
    config.property_maps.exposure_time.do_max = true;
    const connections = new HealSparsePropertyMapConnections({ config });
    expect([...connections.outputs].sort()).toEqual(['epoch_map_max', 'epoch_map_min', 'exposure_time_map_max', 'exposure_time_map_sum']);
    const some = runTask(config);
    expect(Object.keys(some).sort()).toEqual(['epoch_map_max', 'epoch_map_min', 'exposure_time_map_max', 'exposure_time_map_sum']);
    const i = inPatch.findIndex((p) => inputsOf(p).length === 3);
    expect(some['exposure_time_map_max']!.getValuesPix([inPatch[i]!])[0]).toBe(60);
  });

  it('rejects psf_maglim reductions other than the weighted mean, and a detector missing from the visit summaries', () => {
    const config = new HealSparsePropertyMapConfig();
    config.property_maps.psf_maglim.do_mean = true;
    expect(() => config.validate()).toThrow(/only use do_weighted_mean/);
    const task = new HealSparsePropertyMapTask();
    expect(() =>
      task.run({
        skyMap,
        tract: 0,
        band: 'r',
        inputMaps: new Map([[0, inputMap()]]),
        coaddPhotoCalibs: new Map([[0, new PhotoCalib(1)]]),
        visitSummaries: new Map(DETS.slice(0, 2).map((d) => [d.visit, visitSummary(d)])),
      }),
    ).toThrow(/Visit 13 not found/);
  });
});
