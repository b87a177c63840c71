import { Angle, SpherePoint } from '@skystack/geom';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { makeSimCamDetectors, pixelToFocalPlane } from './camera.js';
import { Random } from '@skystack/base';
import { SIMCAM_DISTORTION, TrueWcs } from './true-wcs.js';

const ARCSEC = Math.PI / (180 * 3600);
const dets = makeSimCamDetectors();
const pointing = { boresight: SpherePoint.fromDegrees(150.05, 2.15), rotPA: Angle.fromDegrees(12.5) };

describe('TrueWcs', () => {
  it('puts a focal-plane radius r at the field angle atan(s·r·(1 + k1·r² + k2·r⁴)) from the boresight', () => {
    const wcs = new TrueWcs(dets[3]!, pointing);
    for (const [x, y] of [[0, 0], [2047, 2047], [1024, 300]] as const) {
      const [fx, fy] = pixelToFocalPlane(dets[3]!, x, y);
      const r = Math.hypot(fx, fy);
      const { plateScaleArcsecPerMm: s, k1, k2 } = SIMCAM_DISTORTION;
      const expected = Math.atan(s * ARCSEC * r * (1 + k1 * r * r + k2 * r ** 4));
      const [ra, dec] = wcs.pixelToSky(x, y);
      const sep = SpherePoint.fromRadians(ra, dec).separation(pointing.boresight).asRadians();
      expect(Math.abs(sep - expected) / ARCSEC).toBeLessThan(1e-6);
    }
  });

  it('has a plate scale of 0.2″/pixel at the optical axis and puts +Y at ROTPA east of north', () => {
    const wcs = new TrueWcs(dets[0]!, pointing);
    const o = wcs.sipWcs.getPixelOrigin();
    const j = wcs.jacobianArcsec(o.x, o.y);
    expect(Math.sqrt(Math.abs(j[0][0] * j[1][1] - j[0][1] * j[1][0]))).toBeCloseTo(0.2, 6);
    // d(ξ, η)/dy is the +Y direction: (sin PA, cos PA) (yaw of S00 is 0.05°).
    const pa = Math.atan2(j[0][1], j[1][1]) * (180 / Math.PI);
    expect(pa).toBeCloseTo(12.5 + 0.05, 6);
    // +X points west at PA = 0: det < 0 (not flipped, East left).
    expect(wcs.sipWcs.isFlipped).toBe(false);
  });

  it('inverts exactly: skyToPixel(pixelToSky(p)) = p', () => {
    const wcs = new TrueWcs(dets[1]!, pointing);
    const rng = new Random(3);
    for (let i = 0; i < 50; i++) {
      const x = rng.uniformRange(-0.5, 2047.5);
      const y = rng.uniformRange(-0.5, 2047.5);
      const [px, py] = wcs.skyToPixel(...wcs.pixelToSky(x, y));
      expect(Math.hypot(px - x, py - y)).toBeLessThan(1e-7);
    }
  });

  it('is represented by its TAN-SIP SkyWcs to far better than 1 mas, both ways', () => {
    for (const det of dets) {
      const wcs = new TrueWcs(det, pointing);
      expect(wcs.sipResidualMas).toBeLessThan(1e-3);
      expect(wcs.sipReverseResidualPixels).toBeLessThan(0.005);
      const rng = new Random(det.getId() + 10);
      for (let i = 0; i < 100; i++) {
        const x = rng.uniformRange(-0.5, 2047.5);
        const y = rng.uniformRange(-0.5, 2047.5);
        const [ra, dec] = wcs.pixelToSky(x, y);
        const sky = SpherePoint.fromRadians(ra, dec);
        expect(wcs.sipWcs.pixelToSky(x, y).separation(sky).asArcseconds() * 1000).toBeLessThan(1e-3);
        const p = wcs.sipWcs.skyToPixel(sky);
        expect(Math.hypot(p.x - x, p.y - y)).toBeLessThan(1e-5);
      }
    }
  });

  it.skipIf(!astropyAvailable())('agrees with astropy reading its FITS header (all_pix2world, < 0.01 mas)', () => {
    const wcs = new TrueWcs(dets[2]!, pointing);
    const header = wcs.sipWcs.getFitsMetadata(true).toImages().join('\n');
    const rng = new Random(5);
    const px: number[] = [];
    const py: number[] = [];
    for (let i = 0; i < 40; i++) {
      px.push(rng.uniformRange(0, 2047));
      py.push(rng.uniformRange(0, 2047));
    }
    const script = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
c = json.load(sys.stdin)
w = WCS(fits.Header.fromstring(c['header'], sep='\n'))
ra, dec = w.all_pix2world(np.array(c['px']), np.array(c['py']), 0)
print(json.dumps({'ra': ra.tolist(), 'dec': dec.tolist()}))
`;
    const out = runPythonJson<{ ra: number[]; dec: number[] }>(script, [], { header, px, py });
    px.forEach((x, i) => {
      const [ra, dec] = wcs.pixelToSky(x, py[i]!);
      const sep = SpherePoint.fromRadians(ra, dec).separation(SpherePoint.fromDegrees(out.ra[i]!, out.dec[i]!));
      expect(sep.asArcseconds() * 1000).toBeLessThan(0.01);
    });
  });
});
