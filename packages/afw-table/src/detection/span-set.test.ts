/**
 * SpanSet morphology and mask operations checked against brute-force pixel sets: dilation and
 * erosion by the definition (Minkowski sum / all-offsets-inside), union / intersection /
 * difference by set algebra on pixel keys, afw's stencil areas, and mask bits pixel by pixel.
 */
import { describe, expect, it } from 'vitest';
import { Box2I, Point2I } from '@skystack/geom';
import { AfwTableInvalidArgumentError } from '../errors.js';
import { Footprint } from './footprint.js';
import { Span } from './span.js';
import { SpanSet } from './span-set.js';

const key = (x: number, y: number): string => `${x},${y}`;

function pixels(s: SpanSet): Set<string> {
  const out = new Set<string>();
  s.forEachPixel((x, y) => out.add(key(x, y)));
  return out;
}

function fromPixels(set: Set<string>): SpanSet {
  return new SpanSet([...set].map((k) => {
    const [x, y] = k.split(',').map(Number) as [number, number];
    return new Span(y, x, x);
  }));
}

/** A deterministic pseudo-random blob set (LCG), with holes and separate parts. */
function randomSet(seed: number, size = 14, fill = 0.45): SpanSet {
  let s = seed >>> 0;
  const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = new Set<string>();
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (rand() < fill) out.add(key(x - 3, y + 2));
  return fromPixels(out);
}

function offsets(r: number, stencil: 'circle' | 'box' | 'manhattan'): [number, number][] {
  const out: [number, number][] = [];
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const inside = stencil === 'box' ? true : stencil === 'manhattan' ? Math.abs(dx) + Math.abs(dy) <= r : dx * dx + dy * dy <= r * r;
      if (inside) out.push([dx, dy]);
    }
  }
  return out;
}

describe('SpanSet.fromShape', () => {
  it('has the pixels of the discrete disc, diamond and square', () => {
    for (const stencil of ['circle', 'box', 'manhattan'] as const) {
      for (const r of [0, 1, 2, 3, 5, 8]) {
        const expected = new Set(offsets(r, stencil).map(([dx, dy]) => key(dx + 4, dy - 2)));
        expect(pixels(SpanSet.fromShape(r, stencil, 4, -2))).toEqual(expected);
      }
    }
  });
  it('refuses negative or fractional radii', () => {
    expect(() => SpanSet.fromShape(-1)).toThrow(AfwTableInvalidArgumentError);
    expect(() => SpanSet.fromShape(1.5)).toThrow(AfwTableInvalidArgumentError);
  });
});

describe('dilated / eroded', () => {
  for (const stencil of ['circle', 'box', 'manhattan'] as const) {
    it(`match the morphological definitions (${stencil})`, () => {
      for (const seed of [1, 2, 3]) {
        const s = randomSet(seed);
        const px = pixels(s);
        for (const r of [1, 2, 3]) {
          const offs = offsets(r, stencil);
          const dil = new Set<string>();
          for (const k of px) {
            const [x, y] = k.split(',').map(Number) as [number, number];
            for (const [dx, dy] of offs) dil.add(key(x + dx, y + dy));
          }
          expect(pixels(s.dilated(r, stencil))).toEqual(dil);
          const ero = new Set<string>();
          for (const k of px) {
            const [x, y] = k.split(',').map(Number) as [number, number];
            if (offs.every(([dx, dy]) => px.has(key(x + dx, y + dy)))) ero.add(key(x, y));
          }
          expect(pixels(s.eroded(r, stencil))).toEqual(ero);
        }
      }
    });
  }
  it('give normalized sets (sorted, disjoint, not touching)', () => {
    const d = randomSet(9).dilated(2);
    for (let i = 1; i < d.length; i++) {
      const sameRow = d.ys[i] === d.ys[i - 1];
      expect(d.ys[i]! > d.ys[i - 1]! || (sameRow && d.x0s[i]! > d.x1s[i - 1]! + 1)).toBe(true);
    }
  });
  it('radius 0 is the identity; eroding a box by 1 (box) shrinks it by one pixel', () => {
    const s = randomSet(4);
    expect(s.dilated(0).equals(s)).toBe(true);
    const box = new SpanSet([0, 1, 2, 3, 4].map((y) => new Span(y, 10, 16)));
    const e = box.eroded(1, 'box');
    expect(e.getArea()).toBe(3 * 5);
    expect(e.getBBox().getMinX()).toBe(11);
    expect(e.getBBox().getMaxY()).toBe(3);
  });
});

describe('union / intersection / intersectionNot / overlaps', () => {
  it('match set algebra on pixels', () => {
    for (const [sa, sb] of [[1, 2], [3, 4], [5, 5]] as const) {
      const a = randomSet(sa);
      const b = randomSet(sb + 100, 12, 0.5).shiftedBy(2, 1);
      const pa = pixels(a);
      const pb = pixels(b);
      expect(pixels(a.union(b))).toEqual(new Set([...pa, ...pb]));
      expect(pixels(a.intersection(b))).toEqual(new Set([...pa].filter((k) => pb.has(k))));
      expect(pixels(a.intersectionNot(b))).toEqual(new Set([...pa].filter((k) => !pb.has(k))));
      expect(a.overlaps(b)).toBe([...pa].some((k) => pb.has(k)));
    }
    const far = randomSet(1).shiftedBy(100, 0);
    expect(randomSet(1).overlaps(far)).toBe(false);
    expect(new SpanSet().union(far).equals(far)).toBe(true);
  });
});

describe('setMask / clearMask / flatten / forEachSpanIn', () => {
  it('touch exactly the covered pixels inside the array (xy0 and stride honoured)', () => {
    const s = randomSet(7);
    const px = pixels(s);
    const width = 9;
    const stride = 11;
    const height = 10;
    const xy0 = new Point2I(-1, 4);
    const data = new Int32Array(stride * height).fill(0x10);
    s.setMask({ data, width, height, stride }, xy0, 0x5);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < stride; x++) {
        const inArray = x < width;
        const covered = inArray && px.has(key(x + xy0.getX(), y + xy0.getY()));
        expect(data[y * stride + x]).toBe(covered ? 0x15 : 0x10);
      }
    }
    s.clearMask({ data, width, height, stride }, xy0, 0x14);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const covered = px.has(key(x + xy0.getX(), y + xy0.getY()));
        expect(data[y * stride + x]).toBe(covered ? 0x1 : 0x10);
      }
    }
    const values = Float32Array.from({ length: stride * height }, (_, i) => i);
    const flat = s.flatten({ data: values, width, height, stride }, xy0);
    const expected: number[] = [];
    s.forEachPixel((x, y) => {
      const lx = x - xy0.getX();
      const ly = y - xy0.getY();
      if (lx >= 0 && lx < width && ly >= 0 && ly < height) expected.push(ly * stride + lx);
    });
    expect([...flat]).toEqual(expected);
  });
});

describe('clippedTo / fromArrays / constructor', () => {
  it('clippedTo keeps exactly the pixels inside the box (the set itself when wholly inside)', () => {
    for (const seed of [3, 4, 5]) {
      const s = randomSet(seed);
      const px = pixels(s);
      for (const [x0, y0, x1, y1] of [[-2, 3, 6, 9], [-10, -10, 30, 30], [0, 0, 0, 0], [4, 5, 20, 8], [100, 100, 101, 101]] as const) {
        const box = new Box2I(new Point2I(x0, y0), new Point2I(x1, y1));
        const expected = new Set([...px].filter((k) => {
          const [x, y] = k.split(',').map(Number) as [number, number];
          return x >= x0 && x <= x1 && y >= y0 && y <= y1;
        }));
        const clipped = s.clippedTo(box);
        expect(pixels(clipped)).toEqual(expected);
        expect(clipped.equals(fromPixels(expected))).toBe(true); // normalized, as a set built from the pixels
        if (expected.size === px.size) expect(clipped).toBe(s);
      }
      expect(s.clippedTo(new Box2I()).isEmpty()).toBe(true);
    }
    expect(new SpanSet().clippedTo(new Box2I(new Point2I(0, 0), new Point2I(3, 3))).isEmpty()).toBe(true);
  });
  it('fromArrays adopts normalized arrays, normalizes others and still refuses bad input', () => {
    const ys = Int32Array.of(1, 1, 2);
    const x0s = Int32Array.of(0, 5, 2);
    const x1s = Int32Array.of(3, 6, 2);
    const adopted = SpanSet.fromArrays(ys, x0s, x1s, { normalize: false });
    expect(adopted.ys).toBe(ys);
    expect(adopted.getArea()).toBe(7);
    const merged = SpanSet.fromArrays([2, 1, 1], [2, 4, 0], [2, 6, 3]);
    expect([...merged].map((sp) => sp.toString())).toEqual(['1: 0..6', '2: 2..2']);
    // sorted by (y, x0) but overlapping or touching (equal x0 with either x1 first)
    const sortedOverlapping = SpanSet.fromArrays([1, 1, 1, 1, 1, 2, 2], [0, 2, 5, 5, 9, 0, 0], [3, 4, 7, 5, 9, 0, 2]);
    expect([...sortedOverlapping].map((sp) => sp.toString())).toEqual(['1: 0..7', '1: 9..9', '2: 0..2']);
    expect(() => SpanSet.fromArrays([1, 0], [0, 0], [1, 1], { normalize: false })).toThrow(AfwTableInvalidArgumentError);
    expect(() => SpanSet.fromArrays([0], [3], [2])).toThrow(AfwTableInvalidArgumentError);
    // the constructor still sorts and merges spans given in any order
    const built = new SpanSet(new Set([new Span(1, 5, 6), new Span(0, 3, 3), new Span(1, 2, 4)]));
    expect([...built].map((sp) => sp.toString())).toEqual(['0: 3..3', '1: 2..6']);
    expect(new SpanSet().length).toBe(0);
  });
});

describe('Footprint dilate / erode / merge', () => {
  it('changes the spans and keeps or combines the peaks', () => {
    const a = new Footprint(SpanSet.fromShape(3, 'circle', 10, 10));
    a.addPeak(10, 10, 5);
    const b = new Footprint(SpanSet.fromShape(2, 'box', 15, 10));
    b.addPeak(15, 10, 7);
    const m = a.merge(b);
    expect(m.getArea()).toBe(a.getSpans().union(b.getSpans()).getArea());
    expect([...m.getPeaks().getColumn('peakValue')]).toEqual([5, 7]);
    expect(a.getPeaks().length).toBe(1);
    a.dilate(1, 'manhattan');
    expect(pixels(a.getSpans())).toEqual(pixels(SpanSet.fromShape(3, 'circle', 10, 10).dilated(1, 'manhattan')));
    a.erode(1, 'manhattan');
    expect(a.getSpans().contains(10, 10)).toBe(true);
    expect(a.getPeaks().length).toBe(1);
  });
});
