// Lanczos3 warp of a 4096 x 4096 float32 star field from one TAN WCS to another (rotated 10°,
// pixels 3% larger, shifted), side by side with SWarp (LANCZOS3, 1 thread and all threads) and
// astropy reproject (bilinear interp; adaptive) on the same input and target grid: wall time,
// and flux error (total over 1500 Gaussian stars, and the RMS of aperture fluxes of isolated stars).
// The accuracy lines go to stderr; the timings to the table.
//   pnpm bench --filter warp [--smoke]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PYTHON, timePython } from '@skystack/test-support';
import type { WarpPositionTransform } from './warp-core.js';
import { warpPlanes } from './warp.js';

interface BenchCase {
  name: string;
  itemsPerIteration?: number;
  itemUnit?: string;
  setup?: () => void | Promise<void>;
  fn?: () => unknown;
  measure?: () => Promise<{ meanMs: number; samples: number; rmePercent?: number }>;
}

const { values: args } = parseArgs({ options: { smoke: { type: 'boolean' } }, strict: false });
const SMOKE = args.smoke === true;
const N = SMOKE ? 512 : 4096;
const PIX = N * N;
const NSTARS = SMOKE ? 40 : 1500;
const SIGMA = 2;
const RUNS = 3;

/** A TAN WCS: CRPIX (0-based), CRVAL (degrees), CD (degrees per pixel). */
interface Tan {
  crpix: [number, number];
  crval: [number, number];
  cd: [number, number, number, number];
}
const S = 0.2 / 3600;
const ROT = (10 * Math.PI) / 180;
const SD = 1.03 * S;
const SRC: Tan = { crpix: [N / 2 - 0.5, N / 2 - 0.5], crval: [150, 2.2], cd: [-S, 0, 0, S] };
const DEST: Tan = {
  crpix: [N / 2 - 0.5 + 7.3, N / 2 - 0.5 - 4.1],
  crval: [150, 2.2],
  cd: [-SD * Math.cos(ROT), SD * Math.sin(ROT), SD * Math.sin(ROT), SD * Math.cos(ROT)],
};
const D2R = Math.PI / 180;

/** dest pixel → sky → src pixel (gnomonic projection both ways), in place. */
function tanPair(from: Tan, to: Tan): WarpPositionTransform {
  const a0 = from.crval[0] * D2R;
  const d0 = from.crval[1] * D2R;
  const b0 = to.crval[0] * D2R;
  const e0 = to.crval[1] * D2R;
  const [c11, c12, c21, c22] = to.cd;
  const det = c11 * c22 - c12 * c21;
  return (xs, ys, n) => {
    for (let i = 0; i < n; i++) {
      const u = xs[i]! - from.crpix[0];
      const v = ys[i]! - from.crpix[1];
      const xi = (from.cd[0] * u + from.cd[1] * v) * D2R;
      const eta = (from.cd[2] * u + from.cd[3] * v) * D2R;
      const den = Math.cos(d0) - eta * Math.sin(d0);
      const ra = a0 + Math.atan2(xi, den);
      const dec = Math.atan2(Math.sin(d0) + eta * Math.cos(d0), Math.hypot(xi, den));
      const cosc = Math.sin(e0) * Math.sin(dec) + Math.cos(e0) * Math.cos(dec) * Math.cos(ra - b0);
      const X = (Math.cos(dec) * Math.sin(ra - b0)) / cosc / D2R;
      const Y = (Math.cos(e0) * Math.sin(dec) - Math.sin(e0) * Math.cos(dec) * Math.cos(ra - b0)) / cosc / D2R;
      xs[i] = (c22 * X - c12 * Y) / det + to.crpix[0];
      ys[i] = (-c21 * X + c11 * Y) / det + to.crpix[1];
    }
  };
}

const destToSrc = tanPair(DEST, SRC);
const srcToDest = tanPair(SRC, DEST);

interface Field {
  image: Float32Array;
  variance: Float32Array;
  mask: Int32Array;
  stars: { x: number; y: number; flux: number }[];
}
let field: Field | undefined;

function makeField(): Field {
  if (field !== undefined) return field;
  const image = new Float32Array(PIX);
  const stars: Field['stars'] = [];
  let s = 12345;
  const rnd = (): number => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  // Stars within 0.4 N of the centre, so that they are inside both grids.
  const R = 12;
  while (stars.length < NSTARS) {
    const x = N / 2 + (rnd() - 0.5) * 0.8 * N;
    const y = N / 2 + (rnd() - 0.5) * 0.8 * N;
    const flux = 1000 * 100 ** rnd();
    stars.push({ x, y, flux });
    const norm = flux / (2 * Math.PI * SIGMA * SIGMA);
    for (let j = Math.floor(y) - R; j <= Math.floor(y) + R; j++) {
      for (let i = Math.floor(x) - R; i <= Math.floor(x) + R; i++) {
        image[j * N + i]! += norm * Math.exp(-((i - x) ** 2 + (j - y) ** 2) / (2 * SIGMA * SIGMA));
      }
    }
  }
  field = { image, variance: new Float32Array(PIX).fill(1), mask: new Int32Array(PIX), stars };
  return field;
}

let isolatedFlags: Uint8Array | undefined;
/** Whether star k has no other star within 30 source pixels (so its aperture holds only its own flux). */
function isolated(k: number): boolean {
  if (isolatedFlags === undefined) {
    const st = makeField().stars;
    isolatedFlags = new Uint8Array(st.length).fill(1);
    for (let a = 0; a < st.length; a++) {
      for (let b = a + 1; b < st.length; b++) {
        if ((st[a]!.x - st[b]!.x) ** 2 + (st[a]!.y - st[b]!.y) ** 2 < 900) isolatedFlags[a] = isolatedFlags[b] = 0;
      }
    }
  }
  return isolatedFlags[k] === 1;
}

/** Flux errors of a warped image (`offX`, `offY`: the PARENT position of its pixel (0, 0)). */
function fluxErrors(out: ArrayLike<number>, w: number, h: number, offX: number, offY: number, scale = 1): { total: number; rms: number } {
  const f = makeField();
  let sum = 0;
  for (let k = 0; k < w * h; k++) if (Number.isFinite(out[k]!)) sum += out[k]!;
  const truth = f.stars.reduce((a, st) => a + st.flux, 0);
  const xs = Float64Array.from(f.stars, (st) => st.x);
  const ys = Float64Array.from(f.stars, (st) => st.y);
  srcToDest(xs, ys, xs.length);
  let ss = 0;
  let n = 0;
  const R = 10;
  for (let k = 0; k < f.stars.length; k++) {
    const cx = Math.round(xs[k]!) - offX;
    const cy = Math.round(ys[k]!) - offY;
    if (cx < R || cy < R || cx >= w - R || cy >= h - R || !isolated(k)) continue;
    let a = 0;
    for (let j = cy - R; j <= cy + R; j++) for (let i = cx - R; i <= cx + R; i++) if ((i - cx) ** 2 + (j - cy) ** 2 <= R * R) a += out[j * w + i]!;
    ss += ((a * scale) / f.stars[k]!.flux - 1) ** 2;
    n++;
  }
  return { total: (sum * scale) / truth - 1, rms: Math.sqrt(ss / Math.max(n, 1)) };
}

function report(tool: string, e: { total: number; rms: number }): void {
  process.stderr.write(`warp accuracy  ${tool.padEnd(44)} total flux error ${(e.total * 100).toFixed(4)}%  per-star aperture rms ${(e.rms * 100).toFixed(3)}%\n`);
}

// --- FITS, the least the peers need: one float32 image with a header. -----------------------
function card(key: string, value: string | number): string {
  const v = typeof value === 'number' ? String(value).padStart(20) : `'${value.padEnd(8)}'`.padEnd(20);
  return `${key.padEnd(8)}= ${v}`.padEnd(80);
}
function wcsCards(t: Tan): string[] {
  return [
    card('CTYPE1', 'RA---TAN'),
    card('CTYPE2', 'DEC--TAN'),
    card('CRPIX1', t.crpix[0] + 1),
    card('CRPIX2', t.crpix[1] + 1),
    card('CRVAL1', t.crval[0]),
    card('CRVAL2', t.crval[1]),
    card('CD1_1', t.cd[0]),
    card('CD1_2', t.cd[1]),
    card('CD2_1', t.cd[2]),
    card('CD2_2', t.cd[3]),
    card('RADESYS', 'ICRS'),
    card('EQUINOX', 2000),
  ];
}
function writeFits(path: string, data: Float32Array, w: number, h: number, t: Tan): void {
  const cards = [`SIMPLE  = ${'T'.padStart(20)}`.padEnd(80), card('BITPIX', -32), card('NAXIS', 2), card('NAXIS1', w), card('NAXIS2', h), ...wcsCards(t), 'END'.padEnd(80)];
  let head = cards.join('');
  head = head.padEnd(Math.ceil(head.length / 2880) * 2880);
  const body = Buffer.alloc(Math.ceil((w * h * 4) / 2880) * 2880);
  for (let k = 0; k < w * h; k++) body.writeFloatBE(data[k]!, 4 * k);
  writeFileSync(path, Buffer.concat([Buffer.from(head, 'latin1'), body]));
}
function readFits(path: string): { data: Float32Array; w: number; h: number; header: Map<string, string> } {
  const buf = readFileSync(path);
  const header = new Map<string, string>();
  let off = 0;
  for (;;) {
    const c = buf.toString('latin1', off, off + 80);
    off += 80;
    if (c.startsWith('END ')) break;
    if (c[8] === '=') header.set(c.slice(0, 8).trim(), c.slice(10).split('/')[0]!.trim());
  }
  off = Math.ceil(off / 2880) * 2880;
  const w = Number(header.get('NAXIS1'));
  const h = Number(header.get('NAXIS2'));
  const data = new Float32Array(w * h);
  for (let k = 0; k < w * h; k++) data[k] = buf.readFloatBE(off + 4 * k);
  return { data, w, h, header };
}

// --- the cases -----------------------------------------------------------------------------
let dir: string | undefined;
function workDir(): string {
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'skystack-warp-bench-'));
    const f = makeField();
    writeFits(join(dir, 'src.fits'), f.image, N, N, SRC);
    const head = [card('NAXIS', 2), card('NAXIS1', N), card('NAXIS2', N), ...wcsCards(DEST), 'END'.padEnd(80)].join('\n');
    writeFileSync(join(dir, 'out.head'), head + '\n');
    writeFileSync(join(dir, 'src.raw'), Buffer.from(f.image.buffer));
    process.on('exit', () => rmSync(dir!, { recursive: true, force: true }));
  }
  return dir;
}

const destImage = new Float32Array(PIX);
const destVar = new Float32Array(PIX);
const destMask = new Int32Array(PIX);
const opts = { warpingKernelName: 'lanczos3', interpLength: 10 } as const;

function oursImage(options: object = opts): number {
  const f = makeField();
  return warpPlanes({ image: f.image, width: N, height: N }, { image: destImage, width: N, height: N }, destToSrc, options);
}
function oursMasked(): number {
  const f = makeField();
  return warpPlanes(
    { image: f.image, variance: f.variance, mask: f.mask, width: N, height: N },
    { image: destImage, variance: destVar, mask: destMask, width: N, height: N },
    destToSrc,
    { ...opts, maskWarpingKernelName: 'bilinear', growFullMask: 16, padMask: 256 },
  );
}

function swarpAvailable(): boolean {
  return spawnSync('SWarp', ['-v'], { stdio: 'ignore' }).error === undefined;
}

async function swarp(threads: number): Promise<{ meanMs: number; samples: number }> {
  const d = workDir();
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const res = spawnSync(
      'SWarp',
      [
        'src.fits',
        ...['-IMAGEOUT_NAME', 'out.fits', '-WEIGHTOUT_NAME', 'outw.fits', '-RESAMPLING_TYPE', 'LANCZOS3', '-COMBINE', 'N', '-RESAMPLE_DIR', '.'],
        ...['-SUBTRACT_BACK', 'N', '-NTHREADS', String(threads), '-WRITE_XML', 'N', '-VERBOSE_TYPE', 'QUIET', '-FSCALASTRO_TYPE', 'FIXED'],
      ],
      { cwd: d, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    times.push(performance.now() - t0);
    if (res.status !== 0) throw new Error(`SWarp failed (${res.status}): ${res.stderr.toString().slice(-1000)}`);
  }
  const out = readFits(join(d, 'src.resamp.fits'));
  const offX = Number(out.header.get('COMIN1') ?? 1) - 1;
  const offY = Number(out.header.get('COMIN2') ?? 1) - 1;
  report(`SWarp 2.41 LANCZOS3, ${threads} thread(s)`, fluxErrors(out.data, out.w, out.h, offX, offY));
  return { meanMs: times.reduce((a, b) => a + b, 0) / times.length, samples: times.length };
}

function reprojectAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import reproject'], { stdio: 'ignore' }).status === 0;
}

async function reproject(fn: 'interp' | 'adaptive'): Promise<{ meanMs: number; samples: number; rmePercent: number }> {
  const d = workDir();
  const setup = String.raw`
from astropy.wcs import WCS
from reproject import reproject_interp, reproject_adaptive
hs = fits.getheader(args['dir'] + '/src.fits')
src = fits.getdata(args['dir'] + '/src.fits').astype(np.float32)
hd = fits.Header.fromstring(open(args['dir'] + '/out.head').read(), sep='\n')
ws = WCS(hs); wd = WCS(hd)
shape = (args['n'], args['n'])
`;
  const body =
    fn === 'interp'
      ? `out, _ = reproject_interp((src, ws), wd, shape_out=shape, order='bilinear')\nnp.save(args['dir'] + '/rp.npy', out.astype(np.float32))`
      : `out, _ = reproject_adaptive((src, ws), wd, shape_out=shape, conserve_flux=True)\nnp.save(args['dir'] + '/rp.npy', out.astype(np.float32))`;
  const t = timePython({ setup, body, args: { dir: d, n: N }, budgetSeconds: 1, minSamples: fn === 'interp' ? 2 : 1 });
  const npy = readFileSync(join(d, 'rp.npy'));
  const hlen = npy.readUInt16LE(8);
  const data = new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + hlen, npy.byteOffset + 10 + hlen + PIX * 4));
  // reproject_interp interpolates surface brightness: multiply by the pixel-area ratio (1.03^2).
  report(`astropy reproject_${fn}${fn === 'interp' ? ' bilinear (x area)' : ' conserve_flux'}`, fluxErrors(data, N, N, 0, 0, fn === 'interp' ? 1.03 ** 2 : 1));
  return t;
}

export const benchmarks: BenchCase[] = [
  {
    name: `warp ${N}x${N} lanczos3 image, interpLength 10 (ours, 1 thread)`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    setup: () => {
      makeField();
      oursImage();
      report('ours lanczos3 (interpLength 10)', fluxErrors(destImage, N, N, 0, 0));
      oursImage({ warpingKernelName: 'bilinear', interpLength: 10 });
      report('ours bilinear (interpLength 10)', fluxErrors(destImage, N, N, 0, 0));
    },
    fn: () => oursImage(),
  },
  {
    name: `warp ${N}x${N} lanczos3 image, cacheSize 1000000 (ours, 1 thread)`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    fn: () => oursImage({ ...opts, cacheSize: 1000000 }),
  },
  {
    name: `warp ${N}x${N} lanczos3 image+variance+mask, bilinear mask (ours, 1 thread)`,
    itemsPerIteration: PIX,
    itemUnit: 'pixels',
    fn: () => oursMasked(),
  },
  ...(!SMOKE && swarpAvailable()
    ? [
        { name: `SWarp LANCZOS3 ${N}x${N}, 1 thread (whole process, FITS in/out)`, itemsPerIteration: PIX, itemUnit: 'pixels', measure: () => swarp(1) },
        { name: `SWarp LANCZOS3 ${N}x${N}, ${cpus().length} threads (whole process)`, itemsPerIteration: PIX, itemUnit: 'pixels', measure: () => swarp(cpus().length) },
      ]
    : []),
  ...(!SMOKE && reprojectAvailable()
    ? [
        { name: `astropy reproject_interp bilinear ${N}x${N}`, itemsPerIteration: PIX, itemUnit: 'pixels', measure: () => reproject('interp') },
        { name: `astropy reproject_adaptive ${N}x${N}`, itemsPerIteration: PIX, itemUnit: 'pixels', measure: () => reproject('adaptive') },
      ]
    : []),
];
