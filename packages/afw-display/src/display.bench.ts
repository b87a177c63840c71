// Rendering a 4096 x 4096 MaskedImage to PNG (zscale + asinh, mask overlay, markers), and zscale
// alone on the same pixels.   pnpm bench --filter afw-display [--smoke]
// `--smoke` uses 256 x 256 pixels.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Extent2I } from '@skystack/geom';
import { MaskedImageF, type MaskedImage } from '@skystack/afw-image';
import { Display } from './display.js';
import { zscale } from './zscale.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
}

const SMOKE = process.argv.includes('--smoke');
const SIDE = SMOKE ? 256 : 4096;
const N = SIDE * SIDE;

let mi: MaskedImage<Float32Array> | undefined;
let dir: string | undefined;

function setup(): void {
  if (mi) return;
  mi = MaskedImageF(new Extent2I(SIDE, SIDE));
  const img = mi.image.array.data;
  const mask = mi.mask.array.data;
  const detected = mi.mask.getPlaneBitMask('DETECTED');
  let s = 1;
  const u = (): number => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < N; i++) img[i] = 1000 + 10 * (u() + u() + u() - 1.5);
  for (let k = 0; k < N / 4000; k++) {
    const cx = Math.floor(u() * SIDE);
    const cy = Math.floor(u() * SIDE);
    for (let y = Math.max(0, cy - 4); y < Math.min(SIDE, cy + 5); y++) {
      for (let x = Math.max(0, cx - 4); x < Math.min(SIDE, cx + 5); x++) {
        img[y * SIDE + x]! += 3000 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 4);
        mask[y * SIDE + x]! |= detected;
      }
    }
  }
  dir = mkdtempSync(join(tmpdir(), 'afw-display-bench-'));
  process.on('exit', () => rmSync(dir!, { recursive: true, force: true }));
}

export const benchmarks: BenchCase[] = [
  {
    name: `mtv + writePng, ${SIDE}x${SIDE} MaskedImage, asinh zscale, mask overlay, 100 dots`,
    itemsPerIteration: N,
    itemUnit: 'pixels',
    setup,
    fn: async () => {
      const d = new Display();
      d.scale('asinh', 'zscale', { Q: 8 });
      d.mtv(mi!, { title: 'bench' });
      for (let i = 0; i < 100; i++) d.dot('o', (i * 37) % SIDE, (i * 91) % SIDE, { size: 8, ctype: 'orange' });
      await d.writePng(join(dir!, 'bench.png'));
    },
  },
  {
    name: `mtv + writePng, ${SIDE}x${SIDE} MaskedImage, bin 4`,
    itemsPerIteration: N,
    itemUnit: 'pixels',
    setup,
    fn: async () => {
      const d = new Display({ bin: 4 });
      d.scale('asinh', 'zscale', { Q: 8 });
      d.mtv(mi!);
      await d.writePng(join(dir!, 'bench-bin4.png'));
    },
  },
  {
    name: `zscale, ${SIDE}x${SIDE} image`,
    itemsPerIteration: N,
    itemUnit: 'pixels',
    setup,
    fn: () => zscale(mi!.image),
  },
];
