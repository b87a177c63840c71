/**
 * Synthetic raws with known truth for the ISR tests: a detector of 2 amplifiers (64 × 48 data
 * pixels each, 4 prescan and 16 overscan columns) laid side by side in the raw; amplifier A is
 * stored in readout order (prescan, data, overscan, no flip), amplifier B physically mirrored
 * (overscan, data, prescan, `rawFlipX`). The raw is `truth × flat + dark × darkTime + bias2D +
 * level + rowStructure(y) + noise`, rounded to integer ADU.
 */
import { Amplifier, Detector, Exposure, FilterLabel, Image, MaskedImage, ReadoutCorner, VisitInfo } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';

export const NX = 64;
export const NY = 48;
export const PRESCAN = 4;
export const OVERSCAN = 16;
export const RAW_W = PRESCAN + NX + OVERSCAN;
export const DARK_TIME = 100;
export const EXP_TIME = 90;
export const SATURATION = 60000;

/** Per-amplifier truth. */
export const AMPS = [
  { name: 'A', gain: 1.5, readNoise: 4.5, level: 1000 },
  { name: 'B', gain: 2.0, readNoise: 6.0, level: 1200 },
] as const;

export function box(x0: number, y0: number, w: number, h: number): Box2I {
  return Box2I.fromCorner(new Point2I(x0, y0), new Extent2I(w, h));
}

/** A seeded PRNG (mulberry32) with a Box–Muller Gaussian. */
export function makeRng(seed: number): { uniform: () => number; gauss: () => number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = (): number => {
    let u = uniform();
    while (u === 0) u = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, gauss };
}

export function makeDetector(): Detector {
  const a = new Amplifier({
    name: 'A',
    bbox: box(0, 0, NX, NY),
    gain: AMPS[0].gain,
    readNoise: AMPS[0].readNoise,
    saturation: SATURATION,
    suspectLevel: Number.NaN,
    readoutCorner: ReadoutCorner.LL,
    hasRawInfo: true,
    rawBBox: box(0, 0, RAW_W, NY),
    rawPrescanBBox: box(0, 0, PRESCAN, NY),
    rawDataBBox: box(PRESCAN, 0, NX, NY),
    rawHorizontalOverscanBBox: box(PRESCAN + NX, 0, OVERSCAN, NY),
    rawFlipX: false,
    rawFlipY: false,
    rawXYOffset: new Extent2I(0, 0),
  });
  const b = new Amplifier({
    name: 'B',
    bbox: box(NX, 0, NX, NY),
    gain: AMPS[1].gain,
    readNoise: AMPS[1].readNoise,
    saturation: SATURATION,
    suspectLevel: Number.NaN,
    readoutCorner: ReadoutCorner.LR,
    hasRawInfo: true,
    rawBBox: box(RAW_W, 0, RAW_W, NY),
    rawHorizontalOverscanBBox: box(RAW_W, 0, OVERSCAN, NY),
    rawDataBBox: box(RAW_W + OVERSCAN, 0, NX, NY),
    rawPrescanBBox: box(RAW_W + OVERSCAN + NX, 0, PRESCAN, NY),
    rawFlipX: true,
    rawFlipY: false,
    rawXYOffset: new Extent2I(0, 0),
  });
  return new Detector({ name: 'S00', id: 0, bbox: box(0, 0, 2 * NX, NY), amplifiers: [a, b] });
}

/** Assembled (detector) x of raw column `rx` of amplifier `k`'s data box. */
export function assembledX(k: number, rx: number): number {
  if (k === 0) return rx - PRESCAN;
  return NX + (NX - 1 - (rx - (RAW_W + OVERSCAN)));
}

export const truth = (x: number, y: number): number =>
  500 + 3000 * Math.exp(-((x - 45) ** 2 + (y - 30) ** 2) / 8) + 2000 * Math.exp(-((x - 100) ** 2 + (y - 20) ** 2) / 8);
export const flatTruth = (x: number, y: number): number => 1 + (0.08 * (x - 64)) / 64 - (0.04 * (y - 24)) / 24;
/** Dark current, ADU/s. */
export const darkTruth = (x: number, y: number): number => (x === 90 && y === 10 ? 2 : 0.05);
export const bias2D = (x: number, y: number): number => 3 * Math.sin(x / 7) * Math.cos(y / 5);
export const rowStructure = (k: number, y: number): number => 4 * Math.sin((2 * Math.PI * y) / NY + k) + 0.05 * y;

export const SATURATED: ReadonlyArray<readonly [number, number]> = [
  [30, 10],
  [31, 10],
  [30, 11],
];
export const BAD_COLUMN = 20;

export interface SyntheticSet {
  raw: Exposure<Float32Array>;
  bias: Exposure<Float32Array>;
  dark: Exposure<Float32Array>;
  flat: Exposure<Float32Array>;
  detector: Detector;
}

function calib(f: (x: number, y: number) => number, detector: Detector, darkTime?: number): Exposure<Float32Array> {
  const e = Exposure.make('float32', detector.bbox);
  const { data, width, height } = e.image.array;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  e.setDetector(detector);
  if (darkTime !== undefined) e.setVisitInfo(new VisitInfo({ darkTime, exposureTime: darkTime }));
  return e;
}

/** Builds the raw and its matching calibrations. */
export function makeSyntheticSet(seed = 12345, options: { saturate?: boolean; badColumn?: boolean } = {}): SyntheticSet {
  const detector = makeDetector();
  const rng = makeRng(seed);
  const rawBBox = box(0, 0, 2 * RAW_W, NY);
  const image = Image.make('float32', rawBBox);
  const { data, stride } = image.array;
  detector.amplifiers.forEach((amp, k) => {
    const { gain, readNoise, level } = AMPS[k]!;
    const rn = readNoise / gain;
    for (let y = 0; y < NY; y++) {
      for (let rx = amp.rawBBox.minX; rx <= amp.rawBBox.maxX; rx++) {
        let v = level + rowStructure(k, y);
        let varAdu = rn * rn;
        if (amp.rawDataBBox.contains(rx, y)) {
          const x = assembledX(k, rx);
          const signal = truth(x, y) * flatTruth(x, y) + darkTruth(x, y) * DARK_TIME;
          v += signal + bias2D(x, y);
          varAdu += signal / gain;
          if (options.badColumn !== false && x === BAD_COLUMN) v = 20000;
          if (options.saturate !== false && SATURATED.some(([sx, sy]) => sx === x && sy === y)) v = 65000;
        }
        data[y * stride + rx] = Math.round(v + Math.sqrt(varAdu) * rng.gauss());
      }
    }
  });
  const raw = new Exposure(new MaskedImage(image));
  raw.setDetector(detector);
  raw.setVisitInfo(new VisitInfo({ exposureTime: EXP_TIME, darkTime: DARK_TIME }));
  raw.setFilter(FilterLabel.fromBandPhysical('r', 'SimCam-r'));
  return {
    raw,
    bias: calib(bias2D, detector),
    dark: calib(darkTruth, detector, 1),
    flat: calib(flatTruth, detector),
    detector,
  };
}
