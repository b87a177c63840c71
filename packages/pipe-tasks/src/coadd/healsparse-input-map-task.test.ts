// HealSparseInputMapTask against an independent oracle: astropy maps the detector and patch
// corners and the bad warp pixels to the sky, healpy finds the HEALPix pixels (query_polygon
// with inclusive=False, ang2pix), and the expected bits per map pixel follow LSST's rules.
import { CoaddInputs, Mask } from '@skystack/afw-image';
import { Angle, Box2I, Extent2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { runPythonJson } from '@skystack/test-support';
import { makeCdMatrix, makeSkyWcs, type SkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { HealSparseInputMapConfig, HealSparseInputMapTask } from './healsparse-input-map-task.js';

const arcsec = (v: number): Angle => Angle.fromDegrees(v / 3600);
const PATCH = Box2I.fromCorner(new Point2I(0, 0), new Extent2I(1000, 1000));
const COADD_WCS = makeSkyWcs(new Point2D(499.5, 499.5), SpherePoint.fromDegrees(150, 2.2), makeCdMatrix(arcsec(0.2)));
/** Visit 11 has two detectors (bits 0, 1), visit 12 one (bit 2). */
const INPUTS = [
  { visit: 11, ccd: 0, weight: 0.5, bbox: Box2I.fromCorner(new Point2I(0, 0), new Extent2I(700, 700)), wcs: makeSkyWcs(new Point2D(350, 350), SpherePoint.fromDegrees(149.99, 2.19), makeCdMatrix(arcsec(0.2), Angle.fromDegrees(30))) },
  { visit: 11, ccd: 1, weight: 0.5, bbox: Box2I.fromCorner(new Point2I(0, 0), new Extent2I(700, 700)), wcs: makeSkyWcs(new Point2D(350, 350), SpherePoint.fromDegrees(150.02, 2.215), makeCdMatrix(arcsec(0.21), Angle.fromDegrees(30))) },
  { visit: 12, ccd: 3, weight: 0.25, bbox: Box2I.fromCorner(new Point2I(0, 0), new Extent2I(2000, 1500)), wcs: makeSkyWcs(new Point2D(1000, 700), SpherePoint.fromDegrees(150.004, 2.203), makeCdMatrix(arcsec(0.2), Angle.fromDegrees(-12))) },
];
/** The NO_DATA rectangle of visit 12's warp (coadd pixels, inclusive). */
const HOLE = { x0: 200, y0: 300, x1: 499, y1: 599 };

function wcsParams(w: SkyWcs): { crpix: number[]; crval: number[]; cd: number[][] } {
  const p = w.getPixelOrigin();
  const s = w.getSkyOrigin();
  const cd = w.getCdMatrix();
  return { crpix: [p.getX(), p.getY()], crval: [s.getRa().asDegrees(), s.getDec().asDegrees()], cd: [[cd[0]![0]!, cd[0]![1]!], [cd[1]![0]!, cd[1]![1]!]] };
}

const ORACLE = String.raw`
import json, sys
import numpy as np, healpy as hp
from astropy.wcs import WCS
d = json.load(sys.stdin)
nside = d['nside']
def wcs(p):
    w = WCS(naxis=2)
    w.wcs.ctype = ['RA---TAN', 'DEC--TAN']
    w.wcs.crpix = [p['crpix'][0] + 1, p['crpix'][1] + 1]   # LSST pixel (0,0) is FITS pixel 1
    w.wcs.crval = p['crval']
    w.wcs.cd = np.array(p['cd'])
    return w
def poly_pixels(w, b):
    x0, y0, x1, y1 = b[0] - 0.5, b[1] - 0.5, b[2] + 0.5, b[3] + 0.5
    ra, dec = w.all_pix2world([x0, x1, x1, x0], [y0, y0, y1, y1], 0)
    vec = hp.ang2vec(ra, dec, lonlat=True)
    return set(hp.query_polygon(nside, vec, inclusive=False, nest=True).tolist())
coadd = wcs(d['coadd'])
patch = poly_pixels(coadd, d['patch'])
bits = {}
for bit, inp in enumerate(d['inputs']):
    for p in poly_pixels(wcs(inp['wcs']), inp['bbox']) & patch:
        bits.setdefault(p, set()).add(bit)
h = d['hole']
xs, ys = np.meshgrid(np.arange(h['x0'], h['x1'] + 1), np.arange(h['y0'], h['y1'] + 1))
ra, dec = coadd.all_pix2world(xs.ravel().astype(float), ys.ravel().astype(float), 0)
hpix, counts = np.unique(hp.ang2pix(nside, ra, dec, nest=True, lonlat=True), return_counts=True)
scale = np.sqrt(abs(np.linalg.det(np.array(d['coadd']['cd'])))) * 3600
min_bad = 0.5 * hp.nside2pixarea(nside, degrees=True) * 3600**2 / scale**2
cleared = 0
for p, c in zip(hpix.tolist(), counts.tolist()):
    if c > min_bad and p in bits:
        bits[p] -= set(d['holeBits'])
        cleared += 1
print(json.dumps({'bits': {str(p): sorted(b) for p, b in bits.items() if b}, 'cleared': cleared, 'minBad': min_bad}))
`;

function makeCcds(): CoaddInputs['ccds'] {
  const inputs = new CoaddInputs();
  for (const inp of INPUTS) {
    const r = inputs.ccds.addNew();
    r.setId(inp.visit * 100 + inp.ccd);
    r.set('visit', inp.visit);
    r.set('ccd', inp.ccd);
    r.set('weight', inp.weight);
    r.setBBox(inp.bbox);
    r.setComponent('wcs', inp.wcs);
  }
  return inputs.ccds;
}

describe('HealSparseInputMapTask', () => {
  it("has LSST's defaults and refuses an nside that is not a power of two", () => {
    const c = new HealSparseInputMapConfig();
    expect([c.nside, c.nside_coverage, c.bad_mask_min_coverage]).toEqual([32768, 256, 0.5]);
    expect(() => {
      c.nside = 30000;
      c.validate();
    }).toThrow(/nside/);
  });

  it('sets one bit per detector inside the patch and clears a visit where its warp is bad, as healpy and astropy say', () => {
    const task = new HealSparseInputMapTask();
    task.buildCcdInputMap(PATCH, COADD_WCS, makeCcds());
    // visit 12's warp, read in two subregions (as AssembleCoaddTask reads it); visit 11's has no bad pixel
    const noData = 1 << 8;
    for (const [ya, yb] of [
      [0, 499],
      [500, 999],
    ] as const) {
      const bbox = new Box2I(new Point2I(0, ya), new Point2I(999, yb));
      const mask = Mask.make(bbox);
      const m = mask.array;
      for (let y = Math.max(ya, HOLE.y0); y <= Math.min(yb, HOLE.y1); y++) for (let x = HOLE.x0; x <= HOLE.x1; x++) m.data[(y - ya) * m.stride + x] = noData | 1;
      task.maskWarpBBox(bbox, 12, mask, noData);
      task.maskWarpBBox(bbox, 11, Mask.make(bbox), noData);
    }
    task.finalizeCcdInputMapMask();
    const map = task.ccdInputMap!;
    const oracle = runPythonJson<{ bits: Record<string, number[]>; cleared: number; minBad: number }>(ORACLE, [], {
      nside: 32768,
      coadd: wcsParams(COADD_WCS),
      patch: [0, 0, 999, 999],
      inputs: INPUTS.map((i) => ({ wcs: wcsParams(i.wcs), bbox: [i.bbox.getMinX(), i.bbox.getMinY(), i.bbox.getMaxX(), i.bbox.getMaxY()] })),
      hole: HOLE,
      holeBits: [2],
    });
    expect(oracle.cleared).toBeGreaterThan(50); // the hole clears whole map pixels (~520 warp pixels each)
    const got: Record<string, number[]> = {};
    for (const p of map.validPixels()) got[String(p)] = map.getBitsPix(p);
    expect(Object.keys(got).length).toBe(Object.keys(oracle.bits).length);
    expect(got).toEqual(oracle.bits);
    // every bit is used, and the three kinds of pixels exist
    const kinds = new Set(Object.values(got).map((b) => b.join(',')));
    expect(kinds.has('2')).toBe(true);
    expect([...kinds].some((k) => k.includes('0') && k.includes('2'))).toBe(true);
    expect([...kinds].some((k) => !k.includes('2'))).toBe(true);
    expect(map.metadata).toMatchObject({ B0000CCD: 0, B0000VIS: 11, B0000WT: 0.5, B0001CCD: 1, B0001VIS: 11, B0002CCD: 3, B0002VIS: 12, B0002WT: 0.25 });
    expect([map.nsideSparse, map.nsideCoverage, map.wideMaskWidth]).toEqual([32768, 256, 1]);
  });

  it('needs buildCcdInputMap first, and every input with a WCS', () => {
    const task = new HealSparseInputMapTask();
    expect(() => task.maskWarpBBox(PATCH, 1, Mask.make(PATCH), 1)).toThrow(/buildCcdInputMap first/);
    expect(() => task.finalizeCcdInputMapMask()).toThrow(/buildCcdInputMap first/);
    const ccds = makeCcds();
    ccds.get(1).setComponent('wcs', null);
    expect(() => task.buildCcdInputMap(PATCH, COADD_WCS, ccds)).toThrow(/visit 11, detector 1\) has no usable SkyWcs/);
  });
});
