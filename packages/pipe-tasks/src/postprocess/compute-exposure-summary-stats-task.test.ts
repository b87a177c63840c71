// ComputeExposureSummaryStatsTask against analytic truth (Gaussian PSF moments, AB zero point,
// medians of known background bins, clipped noise of a seeded Gaussian field) and astropy
// (corners, centre and pixel scale of a TAN WCS; zenith distance through AltAz) and numpy
// (the pixelized PSF's effective area).
import { DateTime, Exposure, FilterLabel, GaussianPsf, Observatory, PhotoCalib, VisitInfo } from '@skystack/afw-image';
import { SourceCatalog } from '@skystack/afw-table';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { BackgroundModel } from '@skystack/kernels';
import { BackgroundList } from '@skystack/meas-algorithms';
import { runPythonJson } from '@skystack/test-support';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { ComputeExposureSummaryStatsTask, zenithDistanceDeg } from './compute-exposure-summary-stats-task.js';
import { ExposureSummaryStats } from './exposure-summary-stats.js';

/** Rubin's site (obs_lsst): longitude, latitude (degrees), elevation (m). */
const RUBIN = { lon: -70.749417, lat: -30.244633, height: 2663 };
const SIGMA = 2.0;
const NOISE = 3.0;
const CALIB = 0.5;
const MJD_UTC = 59000.2;

/** mulberry32 uniform and a Box-Muller normal, seeded. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

const BBOX = Box2I.fromCorner(new Point2I(10, 20), new Extent2I(200, 150));
const CRPIX = new Point2D(40, 70);
const CRVAL = SpherePoint.fromDegrees(150.1, -30.2);
const CD = makeCdMatrix(Angle.fromArcseconds(0.2), Angle.fromDegrees(30));
const NO_DATA_ROWS = 60;

/**
 * A 200x150 calexp at xy0 (10, 20): Gaussian noise σ = 3 on a zero sky, its first 60 rows
 * offset by +50 and masked NO_DATA with variance 1000 (9 elsewhere), a TAN WCS, a Gaussian PSF of
 * σ = 2, PhotoCalib 0.5 nJy/count, 30 s in r at Rubin on MJD 59000.2.
 */
function makeCalexp(): Exposure<Float32Array> {
  const exp = Exposure.make('float32', BBOX);
  const next = normals(12345);
  const im = exp.image.array;
  const noData = exp.mask.getPlaneBitMask('NO_DATA');
  for (let y = 0; y < im.height; y++) {
    for (let x = 0; x < im.width; x++) {
      const masked = y < NO_DATA_ROWS;
      im.data[y * im.stride + x] = NOISE * next() + (masked ? 50 : 0);
      exp.variance.array.data[y * im.stride + x] = masked ? 1000 : NOISE * NOISE;
      if (masked) exp.mask.array.data[y * im.stride + x] = noData;
    }
  }
  exp.setPsf(new GaussianPsf(41, 41, SIGMA));
  exp.setWcs(makeSkyWcs(CRPIX, CRVAL, CD));
  exp.setPhotoCalib(new PhotoCalib(CALIB));
  exp.setFilter(new FilterLabel({ band: 'r', physical: 'SimCam-r' }));
  exp.setVisitInfo(
    new VisitInfo({
      exposureTime: 30,
      date: DateTime.fromMjd(MJD_UTC, 'UTC'),
      observatory: new Observatory(Angle.fromDegrees(RUBIN.lon), Angle.fromDegrees(RUBIN.lat), RUBIN.height),
    }),
  );
  return exp;
}

/** A background list of two models whose binned values are known. */
function makeBackground(): BackgroundList {
  const bbox = { x0: BBOX.getMinX(), y0: BBOX.getMinY(), width: BBOX.getWidth(), height: BBOX.getHeight() };
  const model = (values: number[]): BackgroundModel =>
    BackgroundModel.fromStats({ nx: 2, ny: 2, values: Float32Array.from(values), variance: new Float32Array(4).fill(1) }, bbox);
  // medians of the finite values: 102 and 2.5
  return new BackgroundList(model([100, 102, Number.NaN, 104]), model([1, 2, 3, 4]));
}

function makeSources(used: readonly boolean[]): SourceCatalog {
  const schema = SourceCatalog.makeMinimalSchema();
  schema.addField({ name: 'calib_psf_used', type: 'Flag', doc: 'used for the PSF' });
  const cat = new SourceCatalog(schema);
  for (const u of used) cat.addNew().set('calib_psf_used', u);
  return cat;
}

interface Oracle {
  psfArea: number;
  raCorners: number[];
  decCorners: number[];
  ra: number;
  dec: number;
  pixelScale: number;
  zenithDistance: number;
}

/** numpy and astropy: the pixelized Gaussian's (Σp)²/Σp², the WCS at the box corners and centre, AltAz. */
const ORACLE = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.utils import iers
iers.conf.auto_download = False
from astropy.wcs import WCS
import astropy.units as u
from astropy.coordinates import AltAz, EarthLocation, SkyCoord
from astropy.time import Time
a = json.load(sys.stdin)
r = np.arange(-20, 21)
xx, yy = np.meshgrid(r, r)
p = np.exp(-(xx**2 + yy**2) / (2 * a['sigma']**2))
psf_area = p.sum()**2 / (p**2).sum()
w = WCS(naxis=2)
w.wcs.ctype = ['RA---TAN', 'DEC--TAN']
w.wcs.crpix = [a['crpix'][0] + 1, a['crpix'][1] + 1]
w.wcs.crval = a['crval']
w.wcs.cd = np.array(a['cd'])
x0, y0, x1, y1 = a['box']
cx = [x0 - 0.5, x1 + 0.5, x1 + 0.5, x0 - 0.5]
cy = [y0 - 0.5, y0 - 0.5, y1 + 0.5, y1 + 0.5]
cra, cdec = w.all_pix2world(cx, cy, 0)
mx, my = (x0 + x1) / 2, (y0 + y1) / 2
ra, dec = w.all_pix2world([mx], [my], 0)
h = 1e-3
pts = w.all_pix2world([mx + h, mx, mx], [my, my + h, my], 0)
def vec(r, d):
    r, d = np.radians(r), np.radians(d)
    return np.array([np.cos(d) * np.cos(r), np.cos(d) * np.sin(r), np.sin(d)])
c0 = vec(pts[0][2], pts[1][2]); cxv = vec(pts[0][0], pts[1][0]); cyv = vec(pts[0][1], pts[1][1])
area = np.linalg.norm(np.cross(cxv - c0, cyv - c0)) / h**2
scale = np.degrees(np.sqrt(area)) * 3600
loc = EarthLocation(lat=a['lat'] * u.deg, lon=a['lon'] * u.deg, height=a['height'] * u.m)
t = Time(a['mjd'], format='mjd', scale='utc', location=loc)
alt = SkyCoord(ra[0] * u.deg, dec[0] * u.deg).transform_to(AltAz(obstime=t, location=loc)).alt.deg
print(json.dumps(dict(psfArea=psf_area, raCorners=list(cra), decCorners=list(cdec), ra=ra[0], dec=dec[0], pixelScale=scale, zenithDistance=90 - alt)))
`;

describe('ComputeExposureSummaryStatsTask.run', () => {
  const calexp = makeCalexp();
  const task = new ComputeExposureSummaryStatsTask();
  const stats = task.run(calexp, makeSources([true, false, true, true, false]), makeBackground());
  const oracle = runPythonJson<Oracle>(ORACLE, [], {
    sigma: SIGMA,
    crpix: [CRPIX.x, CRPIX.y],
    crval: [150.1, -30.2],
    cd: CD,
    box: [BBOX.getMinX(), BBOX.getMinY(), BBOX.getMaxX(), BBOX.getMaxY()],
    lat: RUBIN.lat,
    lon: RUBIN.lon,
    height: RUBIN.height,
    mjd: MJD_UTC,
  });

  it('measures a Gaussian PSF: psfSigma = σ, Ixx = Iyy = σ², Ixy = 0, psfArea = (Σp)²/Σp² ≈ 4πσ²', () => {
    expect(stats.psfSigma).toBeCloseTo(SIGMA, 6);
    expect(stats.psfIxx).toBeCloseTo(SIGMA * SIGMA, 6);
    expect(stats.psfIyy).toBeCloseTo(SIGMA * SIGMA, 6);
    expect(stats.psfIxy).toBeCloseTo(0, 9);
    expect(Math.abs(stats.psfArea / oracle.psfArea - 1)).toBeLessThan(1e-9);
    expect(Math.abs(stats.psfArea / (4 * Math.PI * SIGMA * SIGMA) - 1)).toBeLessThan(1e-3);
  });

  it('puts the corners on the outer pixel edges (LL, LR, UR, UL) and the centre where astropy does', () => {
    for (let k = 0; k < 4; k++) {
      expect(Math.abs(stats.raCorners[k]! - oracle.raCorners[k]!) * 3600).toBeLessThan(1e-6);
      expect(Math.abs(stats.decCorners[k]! - oracle.decCorners[k]!) * 3600).toBeLessThan(1e-6);
    }
    expect(Math.abs(stats.ra - oracle.ra) * 3600).toBeLessThan(1e-6);
    expect(Math.abs(stats.dec - oracle.dec) * 3600).toBeLessThan(1e-6);
    expect(Math.abs(stats.pixelScale / oracle.pixelScale - 1)).toBeLessThan(1e-6);
    expect(stats.pixelScale).toBeCloseTo(0.2, 5);
  });

  it('gives the zenith distance of the centre within 0.002° of astropy AltAz', () => {
    expect(Math.abs(stats.zenithDistance - oracle.zenithDistance)).toBeLessThan(0.002);
  });

  it('takes expTime from the VisitInfo and zeroPoint = 31.4 − 2.5 log10(calib), the AB magnitude of one count', () => {
    expect(stats.expTime).toBe(30);
    // 3631 Jy = 10^(-48.6/2.5) erg/s/cm²/Hz = 10^(32 - 48.6/2.5) nJy: 2.5 log10 = 80 - 48.6
    expect(stats.zeroPoint).toBeCloseTo(31.4 - 2.5 * Math.log10(CALIB), 9);
  });

  it('sums the medians of the finite background bins (102 + 2.5)', () => {
    expect(stats.skyBg).toBeCloseTo(104.5, 6);
  });

  it('measures the clipped noise and mean variance without the NO_DATA pixels', () => {
    // 3σ clipping of a Gaussian keeps a standard deviation of 0.98654σ; 18000 pixels: ±0.6%.
    expect(Math.abs(stats.skyNoise / (0.98654 * NOISE) - 1)).toBeLessThan(0.015);
    expect(stats.meanVar).toBeCloseTo(NOISE * NOISE, 5);
  });

  it('counts the PSF stars (calib_psf_used)', () => {
    expect(stats.nPsfStar).toBe(3);
  });

  it('computes the effective exposure time from the fiducial PSF, zero point and sky', () => {
    const fEff = (SIGMA / 1.0) ** -2;
    const cEff = 10 ** (-0.8 * (25.0 - (stats.zeroPoint - 2.5 * Math.log10(30))));
    const bEff = 1.0 / (104.5 / 30);
    expect(stats.effTimePsfSigmaScale).toBeCloseTo(fEff, 9);
    expect(stats.effTimeZeroPointScale / cEff - 1).toBeCloseTo(0, 9);
    expect(stats.effTimeSkyBgScale / bEff - 1).toBeCloseTo(0, 6);
    expect(stats.effTime / (fEff * cEff * bEff * 30) - 1).toBeCloseTo(0, 6);
  });

  it('leaves NaN (nPsfStar 0) for what has no input', () => {
    const bare = Exposure.make('float32', BBOX);
    const s = task.run(bare);
    for (const v of [s.psfSigma, s.psfArea, s.ra, s.dec, s.pixelScale, s.zenithDistance, s.zeroPoint, s.skyBg, s.expTime, s.effTime, s.astromOffsetMean, ...s.raCorners]) expect(v).toBeNaN();
    expect(s.nPsfStar).toBe(0);
    expect(s).toBeInstanceOf(ExposureSummaryStats);
  });
});

describe('zenithDistanceDeg', () => {
  const cases = [
    { ra: 10, dec: -60, mjd: 50000.1, lon: RUBIN.lon, lat: RUBIN.lat },
    { ra: 200, dec: 20, mjd: 52000.7, lon: -155.4681, lat: 19.8255 },
    { ra: 310, dec: 45, mjd: 55555.3, lon: 10.0, lat: 50.0 },
    { ra: 85, dec: -5, mjd: 58850.9, lon: 116.0, lat: -29.0 },
    { ra: 150, dec: -30, mjd: 59580.05, lon: RUBIN.lon, lat: RUBIN.lat },
  ];
  it('is within 0.002° of astropy AltAz (no refraction) over 1995-2022 and both hemispheres', () => {
    const script = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
from astropy.utils import iers
iers.conf.auto_download = False
import astropy.units as u
from astropy.coordinates import AltAz, EarthLocation, SkyCoord
from astropy.time import Time
out = []
for c in json.load(sys.stdin):
    loc = EarthLocation(lat=c['lat'] * u.deg, lon=c['lon'] * u.deg, height=0 * u.m)
    t = Time(c['mjd'], format='mjd', scale='utc')
    out.append(90 - SkyCoord(c['ra'] * u.deg, c['dec'] * u.deg).transform_to(AltAz(obstime=t, location=loc)).alt.deg)
print(json.dumps(out))
`;
    const want = runPythonJson<number[]>(script, [], cases);
    cases.forEach((c, i) => {
      const got = zenithDistanceDeg(c.ra, c.dec, c.mjd, c.lon, c.lat);
      expect(Math.abs(got - want[i]!), `case ${i}: ${got} vs ${want[i]}`).toBeLessThan(0.002);
    });
    // the spread of the cases: both near the zenith and near the horizon
    expect(Math.min(...want)).toBeLessThan(40);
    expect(Math.max(...want)).toBeGreaterThan(70);
  });
});
