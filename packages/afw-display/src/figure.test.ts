import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { glyphPixel } from './bitmap-font.js';
import { AfwDisplayInvalidArgumentError } from './errors.js';
import { Figure } from './figure.js';

function decoded(fig: Figure): { w: number; h: number; px: (x: number, y: number) => [number, number, number] } {
  const d = decode(fig.toPng());
  const data = d.data as Uint8Array;
  return { w: d.width, h: d.height, px: (x, y) => [data[(y * d.width + x) * 3]!, data[(y * d.width + x) * 3 + 1]!, data[(y * d.width + x) * 3 + 2]!] };
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => v === b[i]);
const STEELBLUE = [70, 130, 180];

/** Deterministic pseudo-normal values (sum of 4 uniforms, LCG). */
function values(n: number): Float64Array {
  let s = 12345;
  const u = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Float64Array.from({ length: n }, () => 100 * (u() + u() + u() + u() - 2));
}

describe.runIf(astropyAvailable())('Figure.histogram against numpy.histogram', () => {
  const v = values(3000);
  v[0] = NaN;
  const want = runPythonJson<{ a: number[]; ae: number[]; b: number[] }>(
    String.raw`
import sys, json
import numpy as np
v = np.array([np.nan if x is None else x for x in json.load(sys.stdin)])
v = v[np.isfinite(v)]
a, ae = np.histogram(v, bins=12)
b, _ = np.histogram(v, bins=20, range=(-150, 50))
print(json.dumps({'a': a.tolist(), 'ae': ae.tolist(), 'b': b.tolist()}))
`,
    [],
    Array.from(v, (x) => (Number.isNaN(x) ? null : x)),
  );

  it('counts and edges match numpy (default range and given range)', () => {
    const fig = new Figure();
    const a = fig.histogram(v, { bins: 12 });
    expect(Array.from(a.counts)).toEqual(want.a);
    Array.from(a.edges).forEach((e, i) => expect(e).toBeCloseTo(want.ae[i]!, 9));
    const b = new Figure().histogram(v, { bins: 20, range: [-150, 50] });
    expect(Array.from(b.counts)).toEqual(want.b);
  });

  it('bars are drawn with heights proportional to the counts', () => {
    const fig = new Figure({ width: 500, height: 400, title: 'Sky sources', xLabel: 'flux', yLabel: 'N' });
    const { counts, edges } = fig.histogram(v, { bins: 12 });
    const img = decoded(fig);
    const area = fig.plotArea;
    const base = Math.round(fig.dataToPixel(0, 0).y);
    const ymax = fig.limits.y[1];
    for (let i = 0; i < counts.length; i++) {
      const cx = Math.round(fig.dataToPixel(0.5 * (edges[i]! + edges[i + 1]!), 0).x);
      let h = 0;
      for (let y = base; y >= area.top && same(img.px(cx, y), STEELBLUE); y--) h++;
      const expected = (counts[i]! / ymax) * (area.height - 1);
      expect(Math.abs(h - 1 - expected)).toBeLessThanOrEqual(1);
    }
  });
});

describe('Figure', () => {
  it('scatter points, reference lines and text land where dataToPixel says', () => {
    const fig = new Figure({ width: 300, height: 240, xRange: [-1, 3], yRange: [0, 2] });
    fig.scatter([0, 2], [1, 0.5], { color: 'navy', size: 2 });
    fig.axvline(1, { color: 'red' });
    fig.axhline(1.5, { color: 'green' });
    fig.text(2.5, 1.8, 'OK', { color: 'magenta' });
    const img = decoded(fig);
    const at = (x: number, y: number): [number, number, number] => {
      const p = fig.dataToPixel(x, y);
      return img.px(Math.round(p.x), Math.round(p.y));
    };
    expect(at(0, 1)).toEqual([0, 0, 128]);
    expect(at(2, 0.5)).toEqual([0, 0, 128]);
    expect(at(1, 0.25)).toEqual([255, 0, 0]);
    expect(at(-0.5, 1.5)).toEqual([0, 255, 0]);
    expect(at(-0.5, 0.5)).toEqual([255, 255, 255]);
    // Some of the annotation's pixels are magenta, right of its anchor.
    const p = fig.dataToPixel(2.5, 1.8);
    let n = 0;
    for (let y = Math.round(p.y) - 8; y <= Math.round(p.y) + 8; y++) for (let x = Math.round(p.x); x < Math.round(p.x) + 24; x++) if (same(img.px(x, y), [255, 0, 255])) n++;
    expect(n).toBeGreaterThan(10);
    expect(fig.limits).toEqual({ x: [-1, 3], y: [0, 2] });
  });

  it('auto limits widen to nice ticks around the data', () => {
    const fig = new Figure();
    fig.scatter([-3.7, 12.2], [0.001, 0.0047]);
    expect(fig.limits).toEqual({ x: [-5, 15], y: [0.001, 0.005] });
  });

  it('draws black axes, tick labels and a title on white', () => {
    const fig = new Figure({ width: 200, height: 150, title: 'T', xLabel: 'x', yLabel: 'y' });
    fig.scatter([0, 1], [0, 1]);
    const img = decoded(fig);
    const a = fig.plotArea;
    expect(img.px(a.left - 1, a.top + 5)).toEqual([0, 0, 0]);
    expect(img.px(a.left + 5, a.top + a.height)).toEqual([0, 0, 0]);
    let ink = 0;
    for (let y = a.top + a.height + 2; y < img.h; y++) for (let x = 0; x < img.w; x++) if (img.px(x, y)[0] === 0) ink++;
    expect(ink).toBeGreaterThan(50);
  });

  it('rejects bad arguments', () => {
    expect(() => new Figure({ width: 10 })).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => new Figure().histogram([1, 2], { bins: 0 })).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => new Figure().scatter([1, 2], [1])).toThrow(AfwDisplayInvalidArgumentError);
    expect(() => new Figure({ xRange: [1, 1] })).toThrow(AfwDisplayInvalidArgumentError);
  });
});

describe('bitmap font', () => {
  it('has a distinct glyph for every printable ASCII character except space', () => {
    const seen = new Map<string, string>();
    for (let c = 33; c <= 126; c++) {
      let key = '';
      for (let r = 0; r < 7; r++) for (let k = 0; k < 5; k++) key += glyphPixel(c, k, r) ? '#' : '.';
      expect(key).toContain('#');
      expect(seen.get(key)).toBeUndefined();
      seen.set(key, String.fromCharCode(c));
    }
    for (let r = 0; r < 7; r++) for (let k = 0; k < 5; k++) expect(glyphPixel(32, k, r)).toBe(false);
  });

  it("draws 'L' as a vertical bar and a bottom row", () => {
    const code = 'L'.charCodeAt(0);
    for (let r = 0; r < 7; r++) expect(glyphPixel(code, 0, r)).toBe(true);
    for (let k = 0; k < 5; k++) expect(glyphPixel(code, k, 6)).toBe(true);
    expect(glyphPixel(code, 4, 0)).toBe(false);
  });
});
