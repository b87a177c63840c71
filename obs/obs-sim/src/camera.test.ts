import { ReadoutCorner } from '@skystack/afw-image';
import { describe, expect, it } from 'vitest';
import { focalPlaneToPixel, makeSimCamDetectors, pixelToFocalPlane, rawExtent, simCamFilterLabel, SIMCAM_FILTERS } from './camera.js';
import { ObsSimInvalidArgumentError } from './errors.js';

describe('makeSimCamDetectors', () => {
  const dets = makeSimCamDetectors();

  it('makes four 2048² detectors of 10 µm pixels with two amplifiers each', () => {
    expect(dets.map((d) => d.getName())).toEqual(['S00', 'S01', 'S10', 'S11']);
    expect(dets.map((d) => d.getId())).toEqual([0, 1, 2, 3]);
    for (const d of dets) {
      expect(d.getBBox().getWidth()).toBe(2048);
      expect(d.getBBox().getHeight()).toBe(2048);
      expect(d.getPixelSize().x).toBe(0.01);
      expect(d.getAmplifiers()).toHaveLength(2);
      const ext = rawExtent(d);
      expect([ext.getX(), ext.getY()]).toEqual([2 * (32 + 1024 + 64), 2048]);
    }
    const gains = dets.flatMap((d) => d.getAmplifiers().map((a) => a.gain));
    expect(new Set(gains).size).toBe(8);
    for (const a of dets.flatMap((d) => d.getAmplifiers())) {
      expect(a.gain).toBeGreaterThanOrEqual(1.5);
      expect(a.gain).toBeLessThanOrEqual(1.8);
      expect(Math.abs(a.readNoise - 5)).toBeLessThan(1);
      expect(a.saturation).toBe(60000);
    }
  });

  it('lays out the raw amplifier segments without overlap, data boxes the size of the amp boxes', () => {
    for (const d of dets) {
      const [a, b] = d.getAmplifiers();
      expect(a!.readoutCorner).toBe(ReadoutCorner.LL);
      expect(b!.readoutCorner).toBe(ReadoutCorner.LR);
      for (const amp of [a!, b!]) {
        expect(amp.rawDataBBox.getWidth()).toBe(amp.bbox.getWidth());
        expect(amp.rawDataBBox.getHeight()).toBe(amp.bbox.getHeight());
        expect(amp.rawPrescanBBox.getWidth()).toBe(32);
        expect(amp.rawHorizontalOverscanBBox.getWidth()).toBe(64);
        const parts = [amp.rawPrescanBBox, amp.rawDataBBox, amp.rawHorizontalOverscanBBox];
        expect(parts.reduce((s, p) => s + p.getWidth(), 0)).toBe(amp.rawBBox.getWidth());
        for (const p of parts) expect(amp.rawBBox.contains(p)).toBe(true);
      }
      // Amplifier C01 is stored in physical orientation: overscan left of its data, prescan at the far right.
      expect(b!.rawHorizontalOverscanBBox.getMaxX()).toBeLessThan(b!.rawDataBBox.getMinX());
      expect(b!.rawPrescanBBox.getMaxX()).toBe(rawExtent(d).getX() - 1);
      expect(a!.rawBBox.getMaxX() + 1).toBe(b!.rawBBox.getMinX());
    }
  });

  it('places the detectors in a 2×2 focal plane with 0.5 mm gaps', () => {
    const [d0, d1, d2] = dets;
    // Right edge of S00 and left edge of S01 (pixel edges at -0.5 and 2047.5), along y = centre.
    const right0 = pixelToFocalPlane(d0!, 2047.5, 1023.5)[0];
    const left1 = pixelToFocalPlane(d1!, -0.5, 1023.5)[0];
    expect(left1 - right0).toBeCloseTo(0.5, 1);
    const top0 = pixelToFocalPlane(d0!, 1023.5, 2047.5)[1];
    const bottom2 = pixelToFocalPlane(d2!, 1023.5, -0.5)[1];
    expect(bottom2 - top0).toBeCloseTo(0.5, 1);
    // The centre of each detector is at ±(10.24 + 0.25) mm.
    expect(pixelToFocalPlane(d0!, 1023.5, 1023.5)).toEqual([expect.closeTo(-10.49, 10), expect.closeTo(-10.49, 10)]);
  });

  it('inverts pixel → focal plane', () => {
    for (const d of dets) {
      const [fx, fy] = pixelToFocalPlane(d, 17.25, 1900.5);
      const [x, y] = focalPlaneToPixel(d, fx, fy);
      expect(x).toBeCloseTo(17.25, 9);
      expect(y).toBeCloseTo(1900.5, 9);
    }
  });

  it('makes the small preset and rejects bad sizes and ids', () => {
    const small = makeSimCamDetectors({ size: 512, ids: [0, 1] });
    expect(small.map((d) => d.getBBox().getWidth())).toEqual([512, 512]);
    expect(rawExtent(small[0]!).getX()).toBe(2 * (32 + 256 + 64));
    expect(() => makeSimCamDetectors({ size: 511 })).toThrow(ObsSimInvalidArgumentError);
    expect(() => makeSimCamDetectors({ ids: [4] })).toThrow(ObsSimInvalidArgumentError);
  });
});

describe('SimCam filters', () => {
  it('has g, r, i as physical filters SimCam-g/r/i', () => {
    expect(SIMCAM_FILTERS.map((f) => f.physical)).toEqual(['SimCam-g', 'SimCam-r', 'SimCam-i']);
    const label = simCamFilterLabel('i');
    expect(label.bandLabel).toBe('i');
    expect(label.physicalLabel).toBe('SimCam-i');
    expect(() => simCamFilterLabel('z')).toThrow(ObsSimInvalidArgumentError);
  });
});
