// Our warp against astropy's `reproject` on the same image and the same two TAN WCSs: bilinear
// against `reproject_interp(order='bilinear')` pixel by pixel, and Lanczos3 against
// `reproject_exact` as a sanity check. reproject interpolates surface brightness; we conserve
// flux, so its values are multiplied by the source area of each destination pixel, computed in
// Python with astropy from the positions of the pixel and its left and lower neighbours.
import { spawnSync } from 'node:child_process';
import { Box2I, Extent2I, Point2D, Point2I, SpherePoint, type Matrix2x2 } from '@skystack/geom';
import { PYTHON, astropyAvailable, runPythonJson } from '@skystack/test-support';
import { makeSkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { ImageD, ImageF } from '../image.js';
import { WarpingControl, warpImage } from './warp-exposure.js';

const hasReproject = astropyAvailable() && spawnSync(PYTHON, ['-c', 'import reproject'], { stdio: 'ignore' }).status === 0;
if (!hasReproject) console.warn(`warp-reproject.test.ts: skipped, ${PYTHON} cannot import reproject (run scripts/install-bench-deps.sh).`);

interface WcsSpec {
  /** CRPIX, LSST 0-based PARENT. */
  crpix: [number, number];
  crval: [number, number];
  cd: Matrix2x2;
}

const SCRIPT = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.wcs import WCS
from reproject import reproject_interp, reproject_exact
a = json.load(sys.stdin)
def mk(s, xy0):
    w = WCS(naxis=2)
    w.wcs.ctype = ['RA---TAN', 'DEC--TAN']
    w.wcs.radesys = 'ICRS'
    # array index (i, j) is PARENT (i + x0, j + y0); FITS is 1-based.
    w.wcs.crpix = [s['crpix'][0] - xy0[0] + 1, s['crpix'][1] - xy0[1] + 1]
    w.wcs.crval = s['crval']
    w.wcs.cd = s['cd']
    w.wcs.set()
    return w
ws = mk(a['srcWcs'], a['srcXy0']); wd = mk(a['destWcs'], a['destXy0'])
src = np.array(a['src'], dtype=np.float32).reshape(a['sh'], a['sw']).astype(float)
shape = (a['dh'], a['dw'])
interp, _ = reproject_interp((src, ws), wd, shape_out=shape, order='bilinear')
exact, _ = reproject_exact((src, ws), wd, shape_out=shape)
# Source area of each destination pixel: |det| of the backward differences, as the warp defines it.
yy, xx = np.mgrid[-1:shape[0], -1:shape[1]].astype(float)
sx, sy = ws.world_to_pixel(wd.pixel_to_world(xx, yy))
ax = sx[1:, 1:] - sx[1:, :-1]; ay = sy[1:, 1:] - sy[1:, :-1]
bx = sx[1:, 1:] - sx[:-1, 1:]; by = sy[1:, 1:] - sy[:-1, 1:]
area = np.abs(ax * by - ay * bx)
clean = lambda v: [float(x) if np.isfinite(x) else None for x in v.ravel()]
print(json.dumps({'interp': clean(interp), 'exact': clean(exact), 'area': clean(area)}))
`;

describe.skipIf(!hasReproject)('warpImage against astropy reproject (TAN → rotated, rescaled TAN)', () => {
  const sw = 100;
  const sh = 90;
  const dw = 90;
  const dh = 80;
  const srcXy0: [number, number] = [3, 7];
  const destXy0: [number, number] = [-4, 2];
  const s = 0.2 / 3600;
  const th = (25 * Math.PI) / 180;
  const srcWcs: WcsSpec = { crpix: [52, 51], crval: [150, 2.2], cd: [[-s, 0], [0, s]] };
  const sd = 1.13 * s;
  const destWcs: WcsSpec = {
    crpix: [40.3, 41.7],
    crval: [150.0006, 2.2003],
    cd: [
      [-sd * Math.cos(th), sd * Math.sin(th)],
      [sd * Math.sin(th), sd * Math.cos(th)],
    ],
  };
  const toSky = (w: WcsSpec) => makeSkyWcs(new Point2D(w.crpix[0], w.crpix[1]), SpherePoint.fromDegrees(w.crval[0], w.crval[1]), w.cd);
  // A smooth field: a gradient plus Gaussian blobs (sigma 3 px), so that kernels agree in the sanity check.
  const src = ImageF(Box2I.fromCorner(new Point2I(srcXy0[0], srcXy0[1]), new Extent2I(sw, sh)));
  const data = src.array.data;
  for (let j = 0; j < sh; j++) {
    for (let i = 0; i < sw; i++) {
      let v = 1 + 0.004 * i + 0.003 * j;
      for (const [bx, by, f] of [
        [30, 30, 80],
        [62.4, 47.7, 150],
        [45.2, 66.1, 60],
        [75, 25, 100],
      ] as const) {
        v += (f / (2 * Math.PI * 9)) * Math.exp(-((i - bx) ** 2 + (j - by) ** 2) / 18);
      }
      data[j * sw + i] = v;
    }
  }
  const ref = hasReproject
    ? runPythonJson<{ interp: (number | null)[]; exact: (number | null)[]; area: (number | null)[] }>(SCRIPT, [], {
        src: Array.from(data),
        sw,
        sh,
        dw,
        dh,
        srcWcs,
        destWcs,
        srcXy0,
        destXy0,
      })
    : { interp: [], exact: [], area: [] };
  const destBBox = Box2I.fromCorner(new Point2I(destXy0[0], destXy0[1]), new Extent2I(dw, dh));

  it('bilinear agrees with reproject_interp × pixel area to 1e-7 relative in the interior', () => {
    const dest = ImageD(destBBox);
    warpImage(dest, toSky(destWcs), src, toSky(srcWcs), new WarpingControl('bilinear'));
    const out = dest.array.data;
    let compared = 0;
    let worst = 0;
    for (let k = 0; k < dw * dh; k++) {
      const r = ref.interp[k];
      const a = ref.area[k];
      if (r === null || r === undefined || a === null || a === undefined || !Number.isFinite(out[k]!)) continue;
      const expected = r * a;
      worst = Math.max(worst, Math.abs(out[k]! - expected) / Math.abs(expected));
      compared++;
    }
    expect(compared).toBeGreaterThan(0.5 * dw * dh);
    expect(worst).toBeLessThan(1e-7);
    // The area really is not 1 (the test would not see a missing factor otherwise).
    expect(ref.area[dw * 40 + 45]).toBeCloseTo(1.13 ** 2, 3);
  });

  it('Lanczos3 with interpLength 10 matches reproject_exact within 0.1% per pixel (median) and 0.01% in total', () => {
    const dest = ImageD(destBBox);
    warpImage(dest, toSky(destWcs), src, toSky(srcWcs), WarpingControl.fromConfig());
    const out = dest.array.data;
    const rel: number[] = [];
    let ours = 0;
    let theirs = 0;
    for (let k = 0; k < dw * dh; k++) {
      const e = ref.exact[k];
      const a = ref.area[k];
      if (e === null || e === undefined || a === null || a === undefined || !Number.isFinite(out[k]!)) continue;
      rel.push(Math.abs(out[k]! / (e * a) - 1));
      ours += out[k]!;
      theirs += e * a;
    }
    rel.sort((x, y) => x - y);
    expect(rel.length).toBeGreaterThan(0.5 * dw * dh);
    expect(rel[rel.length >> 1]).toBeLessThan(1e-3);
    expect(Math.abs(ours / theirs - 1)).toBeLessThan(1e-4);
  });
});
