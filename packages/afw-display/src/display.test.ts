import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Extent2I, Point2I } from '@skystack/geom';
import { Exposure, Image, Mask, MaskedImageF, type MaskedImage } from '@skystack/afw-image';
import { decode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { Display } from './display.js';
import { AfwDisplayInvalidArgumentError, AfwDisplayStateError, AfwDisplayWriteError } from './errors.js';

interface Decoded {
  width: number;
  height: number;
  px(x: number, y: number): [number, number, number];
}

function png(bytes: Uint8Array): Decoded & { text: Record<string, string> } {
  const d = decode(bytes);
  expect(d.channels).toBe(3);
  expect(d.depth).toBe(8);
  const data = d.data as Uint8Array;
  return {
    width: d.width,
    height: d.height,
    text: d.text,
    px: (x, y) => {
      const i = (y * d.width + x) * 3;
      return [data[i]!, data[i + 1]!, data[i + 2]!];
    },
  };
}

/** A w × h float image with pixel (x, y) = f(x, y), at xy0. */
function makeImage(w: number, h: number, f: (x: number, y: number) => number, xy0 = new Point2I(0, 0)): Image<Float32Array> {
  const a = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = f(x, y);
  return new Image(a, w, h, { xy0 });
}

const grey = (g: number): [number, number, number] => [g, g, g];

describe('Display: image to grey levels', () => {
  const img = makeImage(4, 3, (x, y) => 10 + 4 * y + x, new Point2I(100, 200)); // values 10..21

  it('linear minmax maps min..max to 0..255, y up (flipped) by default', () => {
    const d = new Display();
    d.scale('linear', 'minmax');
    d.mtv(img);
    const p = png(d.toPng());
    expect([p.width, p.height]).toEqual([4, 3]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) expect(p.px(x, 2 - y)).toEqual(grey(Math.round((255 * (4 * y + x)) / 11)));
    }
  });

  it('flipY: false puts LOCAL row 0 at the top', () => {
    const d = new Display({ flipY: false });
    d.scale('linear', 'minmax');
    d.mtv(img);
    const p = png(d.toPng());
    expect(p.px(3, 0)).toEqual(grey(Math.round((255 * 3) / 11)));
    expect(p.px(0, 2)).toEqual(grey(Math.round((255 * 8) / 11)));
  });

  it('explicit limits clip, NaN gets the NaN colour', () => {
    const a = makeImage(3, 1, (x) => [0, 50, 200][x]!);
    a.array.data[2] = NaN;
    const d = new Display({ nanColor: 'red' });
    d.scale('linear', 0, 100);
    d.mtv(a);
    const p = png(d.toPng());
    expect(p.px(0, 0)).toEqual(grey(0));
    expect(p.px(1, 0)).toEqual(grey(128)); // round(127.5)
    expect(p.px(2, 0)).toEqual([255, 0, 0]);
  });

  it('binning averages blocks (NaN skipped, partial edge blocks)', () => {
    // 5 × 4 image, value x + 10 y; bin 2 → 3 × 2 blocks.
    const a = makeImage(5, 4, (x, y) => x + 10 * y);
    a.array.data[0] = NaN; // block (0, 0) averages 1, 10, 11 → 22/3
    const d = new Display({ bin: 2, flipY: false });
    d.scale('linear', 0, 40);
    d.mtv(a);
    const p = png(d.toPng());
    expect([p.width, p.height]).toEqual([3, 2]);
    const g = (v: number): [number, number, number] => grey(Math.round((255 * v) / 40));
    expect(p.px(0, 0)).toEqual(g(22 / 3));
    expect(p.px(1, 0)).toEqual(g((2 + 3 + 12 + 13) / 4));
    expect(p.px(2, 0)).toEqual(g((4 + 14) / 2));
    expect(p.px(2, 1)).toEqual(g((24 + 34) / 2));
  });
});

describe('Display: mask overlay', () => {
  function masked(): MaskedImage<Float32Array> {
    const mi = MaskedImageF(new Extent2I(6, 4));
    mi.setXY0(new Point2I(-3, 7));
    mi.image.array.data.fill(50);
    const m = mi.mask;
    m.set(-3, 7, m.getPlaneBitMask('DETECTED'));
    m.set(-2, 7, m.getPlaneBitMask(['DETECTED', 'BAD']));
    m.set(-1, 7, m.getPlaneBitMask('EDGE'));
    m.set(0, 7, m.getPlaneBitMask('SAT'));
    return mi;
  }
  // grey 50 of [0, 100] → 128 (round 127.5)
  const blend = (a: number, c: [number, number, number]): [number, number, number] =>
    c.map((v) => Math.round(a * v + (1 - a) * 128)) as [number, number, number];

  it('draws planes in afw default colours at the given transparency', () => {
    const d = new Display({ flipY: false });
    d.scale('linear', 0, 100);
    d.setMaskTransparency(60);
    d.mtv(masked());
    const p = png(d.toPng());
    expect(p.px(0, 0)).toEqual(blend(0.4, [0, 0, 255])); // DETECTED blue
    expect(p.px(1, 0)).toEqual(blend(0.4, [255, 0, 0])); // BAD (bit 0) wins over DETECTED
    expect(p.px(2, 0)).toEqual(blend(0.4, [255, 255, 0])); // EDGE yellow
    expect(p.px(3, 0)).toEqual(blend(0.4, [0, 255, 0])); // SAT green
    expect(p.px(4, 0)).toEqual(grey(128)); // unmasked
  });

  it('honours per-plane colours, per-plane transparency and IGNORE', () => {
    const d = new Display({ flipY: false });
    d.scale('linear', 0, 100);
    d.setMaskTransparency(0);
    d.setMaskTransparency({ EDGE: 75 });
    d.setMaskPlaneColor({ DETECTED: 'orchid', BAD: 'ignore' });
    d.mtv(new Exposure(masked()));
    const p = png(d.toPng());
    expect(p.px(0, 0)).toEqual([218, 112, 214]); // opaque orchid
    expect(p.px(1, 0)).toEqual([218, 112, 214]); // BAD hidden, DETECTED shows
    expect(p.px(2, 0)).toEqual(blend(0.25, [255, 255, 0]));
    expect(d.getMaskPlaneColor('CR')).toBe('magenta');
    expect(d.getMaskPlaneColor('NO_DATA')).toBe('orange');
    expect(d.getMaskTransparency('EDGE')).toBe(75);
    expect(d.getMaskTransparency('CR')).toBe(0);
  });

  it('transparency 100 hides the mask; out-of-range values are clipped', () => {
    const d = new Display({ flipY: false });
    d.scale('linear', 0, 100);
    d.setMaskTransparency(150);
    expect(d.getMaskTransparency()).toBe(100);
    d.mtv(masked());
    expect(png(d.toPng()).px(0, 0)).toEqual(grey(128));
  });

  it('a Mask alone is drawn over black; planes without a colour get one in bit order', () => {
    const m = Mask.make(new Extent2I(3, 1));
    const bit = m.addMaskPlane('STREAK');
    m.set(0, 0, 1 << bit);
    const d = new Display();
    d.setMaskTransparency(0);
    d.mtv(m);
    const p = png(d.toPng());
    expect(p.px(0, 0)).toEqual([255, 0, 0]); // first generated colour
    expect(p.px(1, 0)).toEqual([0, 0, 0]);
  });
});

describe('Display: overlays land at PARENT positions', () => {
  const GREEN: [number, number, number] = [0, 255, 0];
  const img = makeImage(20, 10, () => 0, new Point2I(1000, 2000));
  const setup = (opts: ConstructorParameters<typeof Display>[0] = {}): Display => {
    const d = new Display(opts);
    d.scale('linear', 0, 1);
    d.mtv(img);
    return d;
  };

  it("'.' at (x, y) PARENT is PNG pixel (x − x0, H − 1 − (y − y0))", () => {
    const d = setup();
    d.dot('.', 1003, 2002);
    const p = png(d.toPng());
    expect(p.px(3, 10 - 1 - 2)).toEqual(GREEN);
    expect(p.px(3, 2)).toEqual(grey(0));
    expect(d.pngPosition(1003, 2002)).toEqual({ x: 3, y: 7 });
  });

  it("'+' draws arms of length size in the right directions (LOCAL origin too)", () => {
    const d = setup({ flipY: false });
    d.dot('+', 5, 4, { size: 3, ctype: 'red', origin: 'LOCAL' });
    const p = png(d.toPng());
    for (const [x, y] of [[5, 4], [2, 4], [8, 4], [5, 1], [5, 7]] as const) expect(p.px(x, y)).toEqual([255, 0, 0]);
    expect(p.px(6, 5)).toEqual(grey(0));
    expect(p.px(9, 4)).toEqual(grey(0));
  });

  it('moment ellipses have semi-axes √Mxx along x and √Myy along y', () => {
    const d = setup({ flipY: false });
    d.dot('@:16,0,4', 1010, 2005, { ctype: 'cyan' });
    const p = png(d.toPng());
    const cyan: [number, number, number] = [0, 255, 255];
    expect(p.px(14, 5)).toEqual(cyan);
    expect(p.px(6, 5)).toEqual(cyan);
    expect(p.px(10, 3)).toEqual(cyan);
    expect(p.px(10, 7)).toEqual(cyan);
    expect(p.px(10, 5)).toEqual(grey(0));
    expect(p.px(10, 1)).toEqual(grey(0));
    expect(() => d.dot('@:1,5,1', 0, 0)).toThrow(AfwDisplayInvalidArgumentError);
  });

  it("'o' is a circle of radius size; 'x' and '*' touch their ends", () => {
    const d = setup({ flipY: false });
    d.dot('o', 1010, 2005, { size: 4 });
    const p = png(d.toPng());
    for (const [x, y] of [[14, 5], [6, 5], [10, 1], [10, 9]] as const) expect(p.px(x, y)).toEqual(GREEN);
    expect(p.px(10, 5)).toEqual(grey(0));
    d.erase();
    expect(png(d.toPng()).px(14, 5)).toEqual(grey(0));
    d.dot('*', 1010, 2005, { size: 4 });
    const q = png(d.toPng());
    expect(q.px(14, 5)).toEqual(GREEN);
    expect(q.px(12, 5 + Math.round(2 * Math.sqrt(3)))).toEqual(GREEN);
  });

  it('lines join PARENT points', () => {
    const d = setup();
    d.line([[1002, 2001], [1012, 2001]], { ctype: 'yellow' });
    const p = png(d.toPng());
    for (let x = 2; x <= 12; x++) expect(p.px(x, 8)).toEqual([255, 255, 0]);
    expect(p.px(13, 8)).toEqual(grey(0));
  });

  it('binning and the title band move overlays with the image', () => {
    const d = new Display({ bin: 2 });
    d.scale('linear', 0, 1);
    d.mtv(img, { title: 'Test 1' });
    d.dot('.', 1007, 2002); // LOCAL (7, 2) → binned (3.25, 0.75) → row 5 − 1 − 0.75 + band
    const p = png(d.toPng());
    expect(p.text['Title']).toBe('Test 1');
    expect(p.width).toBe(10);
    const band = p.height - 5;
    expect(band).toBeGreaterThan(0);
    expect(p.px(3, band + 3)).toEqual(GREEN);
    const pos = d.pngPosition(1007, 2002);
    expect(pos.x).toBeCloseTo(3.25, 12);
    expect(pos.y).toBeCloseTo(band + 3.25, 12);
    // The title is drawn in white in the band.
    let white = 0;
    for (let y = 0; y < band; y++) for (let x = 0; x < p.width; x++) if (p.px(x, y)[0] === 255) white++;
    expect(white).toBeGreaterThan(5);
  });
});

describe('Display: state, errors and files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'afw-display-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('needs mtv before rendering and max with numeric limits', () => {
    const d = new Display();
    expect(() => d.toPng()).toThrow(AfwDisplayStateError);
    expect(() => d.scale('linear', 5 as number)).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => d.scale('linear', 'zscale', 5 as never)).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => d.scale('gamma' as 'linear', 'zscale')).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => new Display({ bin: 1.5 })).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => d.dot('+', 0, 0, { ctype: 'chartreuse-ish' })).toThrow(AfwDisplayInvalidArgumentError);
  });

  it('writePng writes the same bytes as toPng, atomically', async () => {
    const d = new Display();
    d.scale('asinh', 'zscale', { Q: 8 });
    d.mtv(makeImage(32, 16, (x, y) => Math.sin(x) + y));
    const path = join(dir, 'frame.png');
    await d.writePng(path);
    expect(new Uint8Array(readFileSync(path))).toEqual(d.toPng());
    expect(readdirSync(dir)).toEqual(['frame.png']);
    await expect(d.writePng(join(dir, 'missing', 'frame.png'))).rejects.toThrow(AfwDisplayWriteError);
    expect(readdirSync(dir)).toEqual(['frame.png']);
  });
});
