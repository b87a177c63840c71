// The instrument signature of one detector: response (flat), bias, dark, amplifiers, defects.
import type { Detector } from '@skystack/afw-image';
import { pixelToFocalPlane, SIMCAM_BANDS } from './camera.js';
import { Random } from '@skystack/base';

/** The truth of one amplifier. */
export interface AmpSignature {
  /** Amplifier name. */
  readonly name: string;
  /** Gain, e-/ADU (as in the Detector). */
  readonly gain: number;
  /** Read noise, e- (as in the Detector). */
  readonly readNoise: number;
  /** Mean bias (overscan) level, ADU. */
  readonly biasLevel: number;
  /** RMS of the row-to-row bias offset (common to a row's data and overscan), ADU. */
  readonly rowNoise: number;
  /** First data column (assembled detector x) of the amplifier. */
  readonly x0: number;
  /** Last data column (inclusive). */
  readonly x1: number;
  /** Column of the readout corner (x0 for LL, x1 for LR). */
  readonly readoutX: number;
}

/** A bad column. */
export interface BadColumn {
  /** Column (assembled detector x). */
  readonly x: number;
  /** First bad row. */
  readonly y0: number;
  /** Last bad row (inclusive). */
  readonly y1: number;
  /** `'dead'` (2% response), `'low'` (60% response) or `'hot'` (20 e-/s extra dark current). */
  readonly kind: 'dead' | 'low' | 'hot';
}

/** The instrument signature of a detector; all images are `width × height`, row-major. */
export interface DetectorSignature {
  /** The detector. */
  readonly detector: Detector;
  /** Width, pixels. */
  readonly width: number;
  /** Height, pixels. */
  readonly height: number;
  /** The amplifiers. */
  readonly amps: readonly AmpSignature[];
  /** Overall quantum efficiency of the detector relative to nominal. */
  readonly qe: number;
  /** Pixel-to-pixel response (mean ≈ 1), bad columns included. */
  readonly pixelResponse: Float32Array;
  /** Fixed bias structure above the overscan level, ADU (what a master bias holds). */
  readonly biasStructure: Float32Array;
  /** Dark current, e-/s. */
  readonly darkCurrent: Float32Array;
  /** The bad columns (defects). */
  readonly badColumns: readonly BadColumn[];
}

/**
 * Makes the signature of a detector from the seed: per amplifier a bias level in 1000–1200 ADU
 * and a row-to-row offset RMS of 0.5–1 ADU; a detector QE within ±3%; a pixel response of 0.6%
 * RMS; a bias structure ("amp glow": 6 ADU at the readout corner decaying over 40 columns, plus a
 * 1 ADU vertical ramp); dark current 0.003 e-/s rising 20% towards the top; three bad columns (one
 * dead, one low-response, one hot from a random row to the top).
 *
 * @param detector - the detector
 * @param seed - the simulation seed
 * @returns the signature
 */
export function makeDetectorSignature(detector: Detector, seed: number): DetectorSignature {
  const rng = Random.fromKey(seed, 'detector', detector.getId());
  const bbox = detector.getBBox();
  const width = bbox.getWidth();
  const height = bbox.getHeight();
  const amps: AmpSignature[] = detector.getAmplifiers().map((amp) => {
    const x0 = amp.bbox.getMinX();
    const x1 = amp.bbox.getMaxX();
    return {
      name: amp.name,
      gain: amp.gain,
      readNoise: amp.readNoise,
      biasLevel: rng.uniformRange(1000, 1200),
      rowNoise: rng.uniformRange(0.5, 1.0),
      x0,
      x1,
      readoutX: amp.readoutCorner === 1 || amp.readoutCorner === 2 ? x1 : x0,
    };
  });
  const qe = rng.uniformRange(0.97, 1.03);
  const n = width * height;
  const pixelResponse = new Float32Array(n);
  for (let i = 0; i < n; i++) pixelResponse[i] = 1 + rng.normal(0, 0.006);
  const biasStructure = new Float32Array(n);
  const darkCurrent = new Float32Array(n);
  for (const amp of amps) {
    for (let y = 0; y < height; y++) {
      const ramp = y / height;
      for (let x = amp.x0; x <= amp.x1; x++) {
        biasStructure[y * width + x] = 6 * Math.exp(-Math.abs(x - amp.readoutX) / 40) + ramp;
        darkCurrent[y * width + x] = 0.003 * (1 + 0.2 * ramp);
      }
    }
  }
  const badColumns: BadColumn[] = [];
  const kinds: BadColumn['kind'][] = ['dead', 'low', 'hot'];
  const used = new Set<number>();
  for (const kind of kinds) {
    let x = 0;
    do x = 8 + rng.integer(width - 16);
    while (used.has(x));
    used.add(x);
    const y0 = kind === 'hot' ? rng.integer(Math.floor(height / 2)) : 0;
    badColumns.push({ x, y0, y1: height - 1, kind });
    for (let y = y0; y < height; y++) {
      const i = y * width + x;
      if (kind === 'dead') pixelResponse[i] = pixelResponse[i]! * 0.02;
      else if (kind === 'low') pixelResponse[i] = pixelResponse[i]! * 0.6;
      else darkCurrent[i] = darkCurrent[i]! + 20;
    }
  }
  return { detector, width, height, amps, qe, pixelResponse, biasStructure, darkCurrent, badColumns };
}

/**
 * The large-scale response of the optics and detector at a focal-plane position in a band:
 * vignetting `1 − 0.04·(r/30 mm)²` and a band-dependent tilt of up to ±1% across the plane.
 *
 * @param band - the band
 * @param xMm - focal-plane x
 * @param yMm - focal-plane y
 * @returns the relative response
 */
export function largeScaleResponse(band: string, xMm: number, yMm: number): number {
  const b = Math.max(0, SIMCAM_BANDS.indexOf(band));
  const r2 = (xMm * xMm + yMm * yMm) / 900;
  return (1 - 0.04 * r2) * (1 + 0.005 * (b - 1) * (xMm / 20) + 0.003 * b * (yMm / 20));
}

/**
 * The total response of each pixel in a band: QE × large-scale × pixel response (what converts
 * incident photo-electrons of unit-response to collected electrons).
 *
 * @param sig - the detector signature
 * @param band - the band
 * @returns the response image
 */
export function responseImage(sig: DetectorSignature, band: string): Float32Array {
  const out = new Float32Array(sig.width * sig.height);
  // The large-scale part is smooth: evaluate on a coarse grid of rows and interpolate along x.
  for (let y = 0; y < sig.height; y++) {
    const [fxa, fya] = pixelToFocalPlane(sig.detector, 0, y);
    const [fxb, fyb] = pixelToFocalPlane(sig.detector, sig.width - 1, y);
    for (let x = 0; x < sig.width; x++) {
      const t = sig.width === 1 ? 0 : x / (sig.width - 1);
      const ls = largeScaleResponse(band, fxa + t * (fxb - fxa), fya + t * (fyb - fya));
      out[y * sig.width + x] = sig.qe * ls * sig.pixelResponse[y * sig.width + x]!;
    }
  }
  return out;
}

/**
 * The gain of the amplifier reading a column.
 *
 * @param sig - the detector signature
 * @param x - the column
 * @returns the amplifier signature
 */
export function ampForColumn(sig: DetectorSignature, x: number): AmpSignature {
  for (const a of sig.amps) if (x >= a.x0 && x <= a.x1) return a;
  return sig.amps[0]!;
}
