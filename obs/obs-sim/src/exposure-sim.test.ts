import { describe, expect, it } from 'vitest';
import { makeSimCamDetectors, pixelToFocalPlane, rawExtent } from './camera.js';
import { makeMasterBias, makeMasterDark, makeMasterFlat } from './calibs.js';
import { ampForColumn, makeDetectorSignature } from './detector-signature.js';
import { renderSources, simulateExposure } from './exposure-sim.js';
import { psfMixture, SimPsfModel } from './psf-model.js';
import { SpherePoint } from '@skystack/geom';
import type { TruthCatalog, TruthSourceType } from './truth-catalog.js';
import { TrueWcs } from './true-wcs.js';
import { AB_NJY_ZERO_POINT, planVisits } from './visits.js';

const SIZE = 256;
const [detector] = makeSimCamDetectors({ size: SIZE, ids: [0] });
const sig = makeDetectorSignature(detector!, 11);
const [visit] = planVisits({ seed: 11, visits: 1, bands: ['r'] });
const wcs = new TrueWcs(detector!, visit!.pointing);

interface Src {
  x: number;
  y: number;
  mag: number;
  type?: TruthSourceType;
}

/** A truth catalog with sources at given pixel positions of the test detector. */
function truthAt(sources: readonly Src[]): TruthCatalog {
  const n = sources.length;
  const cat = {
    id: Float64Array.from(sources, (_, i) => i + 1),
    raDeg: new Float64Array(n),
    decDeg: new Float64Array(n),
    type: sources.map((s) => s.type ?? 'star'),
    flux: { g: new Float64Array(n), r: new Float64Array(n), i: new Float64Array(n) },
    reArcsec: Float64Array.from(sources, (s) => (s.type === undefined || s.type === 'star' ? 0 : 0.6)),
    axisRatio: Float64Array.from(sources, (s) => (s.type === undefined || s.type === 'star' ? 1 : 0.5)),
    positionAngleDeg: Float64Array.from(sources, () => 30),
  };
  sources.forEach((s, i) => {
    const [ra, dec] = wcs.pixelToSky(s.x, s.y);
    cat.raDeg[i] = (ra * 180) / Math.PI;
    cat.decDeg[i] = (dec * 180) / Math.PI;
    for (const b of ['g', 'r', 'i'] as const) cat.flux[b][i] = 10 ** (-0.4 * (s.mag - AB_NJY_ZERO_POINT));
  });
  return cat;
}

/** Overscan-corrected, assembled, bias/dark-subtracted and flat-fielded image (a minimal ISR). */
function isr(raw: Uint16Array, withCalibs: boolean): Float64Array {
  const rawWidth = rawExtent(detector!).getX();
  const out = new Float64Array(SIZE * SIZE);
  const bias = makeMasterBias(sig).getMaskedImage().getImage().array.data;
  const dark = makeMasterDark(sig).getMaskedImage().getImage().array.data;
  const flat = makeMasterFlat(sig, 'r').getMaskedImage().getImage().array.data;
  for (const amp of detector!.getAmplifiers()) {
    const os = amp.rawHorizontalOverscanBBox;
    for (let y = 0; y < SIZE; y++) {
      let level = 0;
      for (let x = os.getMinX(); x <= os.getMaxX(); x++) level += raw[y * rawWidth + x]!;
      level /= os.getWidth();
      for (let x = 0; x < amp.bbox.getWidth(); x++) {
        const v = raw[y * rawWidth + amp.rawDataBBox.getMinX() + x]! - level;
        const i = y * SIZE + amp.bbox.getMinX() + x;
        out[i] = withCalibs ? (v - bias[i]! - dark[i]! * visit!.darkTime) / flat[i]! : v;
      }
    }
  }
  return out;
}

describe('renderSources (noise-free)', () => {
  it('draws an isolated star with the truth flux (0.1%) centred on the true position from the SIP WCS (0.005 px)', () => {
    const truth = truthAt([{ x: 120.37, y: 131.81, mag: 19 }]);
    const psf = new SimPsfModel(visit!.seeingFwhmArcsec, visit!.psfE1, visit!.psfE2);
    const { signal, placed } = renderSources(detector!, visit!, truth, wcs, psf);
    const coord = SpherePoint.fromDegrees(truth.raDeg[0]!, truth.decDeg[0]!);
    const p = wcs.sipWcs.skyToPixel(coord);
    expect(placed).toHaveLength(1);
    let sum = 0;
    let sx = 0;
    let sy = 0;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const r = Math.hypot(x - p.x, y - p.y);
        if (r > 40) continue;
        const v = signal[y * SIZE + x]!;
        sum += v;
        sx += v * x;
        sy += v * y;
      }
    }
    const expected = truth.flux['r']![0]! * visit!.electronsPerNanojansky;
    expect(Math.abs(sum / expected - 1)).toBeLessThan(1e-3);
    expect(Math.abs(sx / sum - p.x)).toBeLessThan(0.005);
    expect(Math.abs(sy / sum - p.y)).toBeLessThan(0.005);
  });

  it('gives a galaxy the flux of the truth', () => {
    const truth = truthAt([{ x: 128, y: 128, mag: 19, type: 'exp' }]);
    const { signal } = renderSources(detector!, visit!, truth, wcs, new SimPsfModel(0.8));
    const sum = signal.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum / (truth.flux['r']![0]! * visit!.electronsPerNanojansky) - 1)).toBeLessThan(2e-3);
  });
});

describe('simulateExposure', () => {
  it('makes raws that a minimal ISR turns into an image calibrated by the true PhotoCalib (0.3%)', () => {
    const truth = truthAt([{ x: 100.2, y: 150.6, mag: 18 }]);
    const sim = simulateExposure(sig, visit!, truth, 11, { noise: false });
    // The same exposure without the star gives the background (sky with its gradient, dark, bias).
    const blank = simulateExposure(sig, visit!, truthAt([]), 11, { noise: false });
    const img = isr(sim.raw, true);
    const bkg = isr(blank.raw, true);
    const star = sim.sources[0]!;
    let sum = 0;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        if (Math.hypot(x - star.x, y - star.y) < 30) sum += img[y * SIZE + x]! - bkg[y * SIZE + x]!;
      }
    }
    const flux = sum * sim.photoCalibMean;
    expect(Math.abs(flux / star.fluxNjy - 1)).toBeLessThan(3e-3);
    expect(Math.abs(star.instFlux * sim.photoCalibMean - star.fluxNjy)).toBeLessThan(1e-9 * star.fluxNjy);
  });

  it('holds the bias level and read noise of each amplifier in its overscan', () => {
    const sim = simulateExposure(sig, visit!, truthAt([]), 11);
    const rawWidth = sim.rawWidth;
    detector!.getAmplifiers().forEach((amp, a) => {
      const s = sig.amps[a]!;
      const box = amp.rawHorizontalOverscanBBox;
      let sum = 0;
      let sum2 = 0;
      let n = 0;
      for (let y = box.getMinY(); y <= box.getMaxY(); y++) {
        for (let x = box.getMinX(); x <= box.getMaxX(); x++) {
          const v = sim.raw[y * rawWidth + x]!;
          sum += v;
          sum2 += v * v;
          n++;
        }
      }
      const mean = sum / n;
      const variance = sum2 / n - mean * mean;
      const rn = s.readNoise / s.gain;
      // The mean is limited by the row offsets (one per row), the variance by the sample size.
      expect(Math.abs(mean - s.biasLevel)).toBeLessThan((4 * s.rowNoise) / Math.sqrt(SIZE) + 0.05);
      const expected = rn * rn + s.rowNoise * s.rowNoise + 1 / 12;
      expect(Math.abs(variance / expected - 1)).toBeLessThan(0.06);
    });
  });

  it('has the noise of sky + dark (Poisson), read noise and quantisation in blank pixels', () => {
    const sim = simulateExposure(sig, visit!, truthAt([]), 12, { cosmicRays: false, keepElectrons: true });
    const img = isr(sim.raw, false);
    const bias = sig.biasStructure;
    let sumR = 0;
    let sumR2 = 0;
    let sumExpected = 0;
    let n = 0;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        if (sig.badColumns.some((c) => c.x === x)) continue;
        const i = y * SIZE + x;
        const amp = ampForColumn(sig, x);
        const e = sim.electrons![i]!;
        const r = img[i]! - bias[i]! - e / amp.gain;
        sumR += r;
        sumR2 += r * r;
        const rn = amp.readNoise / amp.gain;
        sumExpected += e / amp.gain ** 2 + (rn * rn + 1 / 12) * (1 + 1 / 64);
        n++;
      }
    }
    const mean = sumR / n;
    expect(Math.abs(mean)).toBeLessThan(0.2);
    expect(Math.abs((sumR2 / n - mean * mean) / (sumExpected / n) - 1)).toBeLessThan(0.02);
    // In the blank sky the noise is about √(sky/g + rn²) in ADU, as a check of scale:
    const amp = sig.amps[0]!;
    const approx = Math.sqrt((sim.skyElectrons * sig.qe) / amp.gain ** 2 + (amp.readNoise / amp.gain) ** 2);
    expect(Math.sqrt(sumR2 / n) / approx).toBeGreaterThan(0.9);
    expect(Math.sqrt(sumR2 / n) / approx).toBeLessThan(1.1);
  });

  it('gives the expected S/N of a faint star (scatter of a matched-filter flux over realisations, 25%)', () => {
    const truth = truthAt([{ x: 128.3, y: 127.6, mag: 23.6 }]);
    const psf = new SimPsfModel(visit!.seeingFwhmArcsec, visit!.psfE1, visit!.psfE2);
    const [fx, fy] = pixelToFocalPlane(detector!, 128.3, 127.6);
    const p = psfMixture(psf.at(fx, fy));
    const model = new Float64Array(SIZE * SIZE);
    renderSources(detector!, visit!, truth, wcs, psf).signal.forEach((v, i) => (model[i] = v));
    const norm = model.reduce((a, b) => a + b, 0);
    const fluxes: number[] = [];
    let snr = 0;
    for (let k = 0; k < 40; k++) {
      const sim = simulateExposure(sig, visit!, truth, 100 + k, { cosmicRays: false, keepElectrons: true });
      snr = sim.sources[0]!.snr;
      const img = isr(sim.raw, false);
      let num = 0;
      let den = 0;
      for (let y = 108; y < 148; y++) {
        for (let x = 108; x < 148; x++) {
          const i = y * SIZE + x;
          const amp = ampForColumn(sig, x);
          const w = model[i]! / norm;
          const d = (img[i]! - sig.biasStructure[i]!) * amp.gain - (sim.electrons![i]! - model[i]!);
          num += w * d;
          den += w * w;
        }
      }
      fluxes.push(num / den);
    }
    expect(p).toHaveLength(2);
    const mean = fluxes.reduce((a, b) => a + b, 0) / fluxes.length;
    const sd = Math.sqrt(fluxes.reduce((a, b) => a + (b - mean) ** 2, 0) / (fluxes.length - 1));
    const measuredSnr = norm / sd;
    expect(snr).toBeGreaterThan(5);
    expect(Math.abs(measuredSnr / snr - 1)).toBeLessThan(0.25);
  });

  it('saturates bright stars and bleeds them along the column', () => {
    const sim = simulateExposure(sig, visit!, truthAt([{ x: 100.4, y: 128.2, mag: 13.5 }]), 11, { noise: false });
    expect(sim.sources[0]!.saturated).toBe(true);
    const img = isr(sim.raw, false);
    let alongY = 0;
    let alongX = 0;
    for (let d = -128; d < 128; d++) {
      if (img[(128 + d) * SIZE + 100]! + 1000 >= 59000) alongY++;
      if (100 + d >= 0 && img[128 * SIZE + 100 + d]! + 1000 >= 59000) alongX++;
    }
    expect(alongY).toBeGreaterThan(alongX + 10);
    const rawWidth = sim.rawWidth;
    const amp = detector!.getAmplifiers()[0]!;
    expect(sim.raw[128 * rawWidth + amp.rawDataBBox.getMinX() + 100]).toBeGreaterThanOrEqual(60000);
  });

  it('adds cosmic rays and is deterministic for a seed', () => {
    const truth = truthAt([{ x: 60, y: 60, mag: 20 }]);
    const a = simulateExposure(sig, visit!, truth, 5);
    const b = simulateExposure(sig, visit!, truth, 5);
    const c = simulateExposure(sig, visit!, truth, 6);
    expect(Buffer.from(a.raw.buffer).equals(Buffer.from(b.raw.buffer))).toBe(true);
    expect(Buffer.from(a.raw.buffer).equals(Buffer.from(c.raw.buffer))).toBe(false);
    // ~300 per 2048² frame: ~4.7 for 256², Poisson.
    expect(a.cosmicRays.length).toBeLessThan(20);
    const many = Array.from({ length: 10 }, (_, k) => simulateExposure(sig, visit!, truthAt([]), 50 + k, { noise: true }).cosmicRays.length);
    const mean = many.reduce((s, v) => s + v, 0) / many.length;
    expect(mean).toBeGreaterThan(2);
    expect(mean).toBeLessThan(8);
  });
});
