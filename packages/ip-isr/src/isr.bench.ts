// IsrTask on one 4096 x 4096 detector of 8 amplifiers (2 rows of 4, 1024 x 2048 data pixels
// each, 8 prescan and 32 overscan columns; the top row mirrored in y), with overscan
// (MEDIAN_PER_ROW), assembly, bias, variance, a bad column and a few saturated stars, dark,
// flat and interpolation; and the copy of the raw each run starts from.
//   pnpm bench --filter ip-isr [--smoke]       (`--smoke`: 512 x 512)
import { Amplifier, Detector, Exposure, Image, MaskedImage, VisitInfo } from '@skystack/afw-image';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { Defects } from './defects.js';
import { IsrTask, IsrTaskConfig } from './isr-task.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const SMOKE = process.argv.includes('--smoke');
const SIDE = SMOKE ? 512 : 4096;
const AX = SIDE / 4;
const AY = SIDE / 2;
const PRE = 8;
const OS = 32;
const RW = PRE + AX + OS;

const box = (x: number, y: number, w: number, h: number): Box2I => Box2I.fromCorner(new Point2I(x, y), new Extent2I(w, h));

interface Inputs {
  raw: Exposure<Float32Array>;
  bias: Exposure<Float32Array>;
  dark: Exposure<Float32Array>;
  flat: Exposure<Float32Array>;
  defects: Defects;
  task: IsrTask;
}
let inputs: Inputs | undefined;

function setup(): void {
  if (inputs) return;
  const amps: Amplifier[] = [];
  for (let k = 0; k < 8; k++) {
    const col = k % 4;
    const top = k >= 4;
    amps.push(
      new Amplifier({
        name: `C${top ? 1 : 0}${col}`,
        bbox: box(col * AX, top ? AY : 0, AX, AY),
        gain: 1.5,
        readNoise: 5,
        saturation: 60000,
        hasRawInfo: true,
        rawBBox: box(k * RW, 0, RW, AY),
        rawPrescanBBox: box(k * RW, 0, PRE, AY),
        rawDataBBox: box(k * RW + PRE, 0, AX, AY),
        rawHorizontalOverscanBBox: box(k * RW + PRE + AX, 0, OS, AY),
        rawFlipY: top,
      }),
    );
  }
  const detector = new Detector({ name: 'R00_S00', id: 0, bbox: box(0, 0, SIDE, SIDE), amplifiers: amps });
  const rawImage = Image.make('float32', box(0, 0, 8 * RW, AY));
  const { data, stride } = rawImage.array;
  let s = 1;
  const u = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let y = 0; y < AY; y++) {
    for (let k = 0; k < 8; k++) {
      const level = 1000 + 10 * k + 2 * Math.sin(y / 50);
      for (let x = 0; x < RW; x++) {
        const sky = x >= PRE && x < PRE + AX ? 800 : 0;
        data[y * stride + k * RW + x] = Math.round(level + sky + 25 * (u() + u() + u() - 1.5));
      }
    }
  }
  // A few saturated stars.
  for (let n = 0; n < 50; n++) {
    const cx = Math.floor(u() * (8 * RW - 10)) + 5;
    const cy = Math.floor(u() * (AY - 10)) + 5;
    for (let y = cy - 2; y <= cy + 2; y++) for (let x = cx - 2; x <= cx + 2; x++) data[y * stride + x] = 65000;
  }
  const raw = new Exposure(new MaskedImage(rawImage));
  raw.setDetector(detector);
  raw.setVisitInfo(new VisitInfo({ exposureTime: 30, darkTime: 31 }));
  const calib = (value: number): Exposure<Float32Array> => {
    const e = Exposure.make('float32', detector.bbox);
    e.image.array.data.fill(value);
    e.setVisitInfo(new VisitInfo({ darkTime: 1 }));
    return e;
  };
  const config = new IsrTaskConfig();
  config.overscan.fitType = 'MEDIAN_PER_ROW';
  inputs = {
    raw,
    bias: calib(0.5),
    dark: calib(0.01),
    flat: calib(1),
    defects: new Defects([box(100, 0, 1, SIDE), box(SIDE - 300, 200, 3, 500)]),
    task: new IsrTask({ config }),
  };
}

export const benchmarks: BenchCase[] = [
  {
    name: `IsrTask.run ${SIDE}x${SIDE}, 8 amps (overscan MEDIAN_PER_ROW, bias, dark, flat, defects, saturation, interpolation; includes the raw copy)`,
    itemsPerIteration: SIDE * SIDE,
    itemUnit: 'pixels',
    setup,
    fn: () => {
      const { raw, bias, dark, flat, defects, task } = inputs!;
      return task.run({ ccdExposure: raw.clone(), bias, dark, flat, defects });
    },
  },
  {
    name: `copy of the ${8 * RW}x${AY} raw (the part of the case above that is not ISR)`,
    itemsPerIteration: SIDE * SIDE,
    itemUnit: 'pixels',
    setup,
    fn: () => inputs!.raw.clone(),
  },
];
