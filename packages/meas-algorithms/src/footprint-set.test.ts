/**
 * FootprintSet against independent brute force: connected components by a flood fill over
 * 8-neighbours, peaks by the 8-neighbour definition, growth by pixel-set dilation, mask bits pixel
 * by pixel; plus afw's documented rules (minPixels, includeMultiplier, NaN, polarity, peak order).
 */
import { describe, expect, it } from 'vitest';
import { Image, MaskedImage, Mask } from '@skystack/afw-image';
import { Footprint, PeakCatalog, SourceCatalog, SpanSet } from '@skystack/afw-table';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { FootprintSet, findPeaks } from './footprint-set.js';
import { MeasAlgorithmsInvalidArgumentError } from './errors.js';
import { Threshold } from './threshold.js';

const key = (x: number, y: number): string => `${x},${y}`;

function imageFrom(rows: readonly string[], xy0 = new Point2I(0, 0)): Image<Float32Array> {
  const h = rows.length;
  const w = rows[0]!.length;
  const im = Image.make('float32', new Extent2I(w, h));
  im.setXY0(xy0);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) im.array.data[y * w + x] = rows[y]![x] === '.' ? 0 : Number.parseInt(rows[y]![x]!, 36);
  return im;
}

function pixelsOf(spans: SpanSet): Set<string> {
  const out = new Set<string>();
  spans.forEachPixel((x, y) => out.add(key(x, y)));
  return out;
}

/** Independent connected components (8-connectivity) of pixels >= t, by flood fill. */
function floodComponents(im: Image<Float32Array>, t: number): Set<string>[] {
  const { data, width, height } = im.array;
  const x0 = im.getX0();
  const y0 = im.getY0();
  const seen = new Uint8Array(width * height);
  const out: Set<string>[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (seen[y * width + x] || !(data[y * width + x]! >= t)) continue;
      const comp = new Set<string>();
      const stack = [[x, y]];
      seen[y * width + x] = 1;
      while (stack.length > 0) {
        const [cx, cy] = stack.pop()!;
        comp.add(key(cx! + x0, cy! + y0));
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = cx! + dx;
            const ny = cy! + dy;
            if (nx < 0 || ny < 0 || nx >= width || ny >= height || seen[ny * width + nx] || !(data[ny * width + nx]! >= t)) continue;
            seen[ny * width + nx] = 1;
            stack.push([nx, ny]);
          }
        }
      }
      out.push(comp);
    }
  }
  return out;
}

function randomImage(seed: number, w = 40, h = 30): Image<Float32Array> {
  let s = seed >>> 0;
  const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const im = Image.make('float32', new Extent2I(w, h));
  for (let i = 0; i < w * h; i++) im.array.data[i] = rand();
  return im;
}

describe('FootprintSet.fromImage: connected components', () => {
  it('joins pixels through all 8 neighbours (diagonals included), as afw', () => {
    const im = imageFrom(['5....', '.5...', '..5.5', '....5', '5....']);
    const fps = FootprintSet.fromImage(im, new Threshold(1));
    // (0,0)-(1,1)-(2,2) through corners; (4,2)-(4,3); (0,4) alone; (2,2) and (4,2) are 2 apart.
    expect(fps.getFootprints().map((f) => f.getArea())).toEqual([3, 2, 1]);
  });
  it('matches a flood fill on random images (thresholds, xy0)', () => {
    for (const seed of [1, 2, 3, 4]) {
      const im = randomImage(seed);
      im.setXY0(new Point2I(7, -3));
      for (const t of [0.5, 0.7, 0.9]) {
        const fps = FootprintSet.fromImage(im, new Threshold(t), { setPeaks: false });
        const expected = floodComponents(im, t);
        const got = fps.getFootprints().map((f) => pixelsOf(f.getSpans()));
        expect(got.length).toBe(expected.length);
        // Raster order of the first pixel: the flood fill discovers components in the same order.
        got.forEach((g, i) => expect(g).toEqual(expected[i]));
        expect(fps.getRegion().equals(im.getBBox())).toBe(true);
      }
    }
  });
  it('drops footprints smaller than minPixels and those without a pixel above threshold × includeMultiplier', () => {
    const im = imageFrom(['3.1', '3.1', '...', '2.9']);
    expect(FootprintSet.fromImage(im, new Threshold(1), { minPixels: 2 }).length).toBe(2);
    expect(FootprintSet.fromImage(im, new Threshold(1), { minPixels: 3 }).length).toBe(0);
    const t = new Threshold(1, 'VALUE', true, 5);
    const fps = FootprintSet.fromImage(im, t);
    expect(fps.length).toBe(1);
    expect(fps.getFootprints()[0]!.contains(2, 3)).toBe(true);
    expect(fps.getFootprints()[0]!.getArea()).toBe(1);
  });
  it('never includes NaN pixels; negative polarity finds pixels <= -threshold', () => {
    const im = imageFrom(['55', '55']);
    im.array.data[1] = NaN;
    expect(FootprintSet.fromImage(im, new Threshold(1)).getFootprints()[0]!.getArea()).toBe(3);
    const neg = imageFrom(['....', '....']);
    neg.array.data.set([-3, -0.5, 0, -2, -1, 0, 0, 0]);
    const fps = FootprintSet.fromImage(neg, new Threshold(1, 'VALUE', false));
    expect(fps.length).toBe(2);
    expect(pixelsOf(fps.getFootprints()[0]!.getSpans())).toEqual(new Set([key(0, 0), key(0, 1)]));
    expect(pixelsOf(fps.getFootprints()[1]!.getSpans())).toEqual(new Set([key(3, 0)]));
  });
  it('thresholds each pixel against value × √variance with PIXEL_STDEV, and sets the mask plane exactly on the footprint pixels', () => {
    const mi = MaskedImage.make('float32', new Extent2I(6, 3));
    mi.image.array.data.set([5, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 0, 0, 0, 9]);
    mi.variance.array.data.set([1, 1, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 16]);
    const fps = FootprintSet.fromImage(mi, new Threshold(3, 'PIXEL_STDEV'), { planeName: 'DETECTED' });
    const all = new Set<string>();
    for (const f of fps) for (const p of pixelsOf(f.getSpans())) all.add(p);
    // (2,0),(3,0): 5 < 3·2; (5,2): 9 < 3·4.
    expect(all).toEqual(new Set([key(0, 0), key(1, 0), key(0, 2), key(1, 2)]));
    const bit = mi.mask.getPlaneBitMask('DETECTED');
    for (let y = 0; y < 3; y++) for (let x = 0; x < 6; x++) expect((mi.mask.array.data[y * 6 + x]! & bit) !== 0).toBe(all.has(key(x, y)));
    expect(() => FootprintSet.fromImage(mi.image, new Threshold(3, 'PIXEL_STDEV'))).toThrow(MeasAlgorithmsInvalidArgumentError);
  });
});

describe('peaks', () => {
  it('are the pixels whose 8 neighbours are all <= them, away from the image border, sorted by value then x then y', () => {
    const im = imageFrom(['.........', '.1.2.....', '..1..4.9.', '.3.1.....', '.........', '.....7...', '.........']);
    // A background falling with x + y, so that no background pixel is a local maximum.
    for (let y = 0; y < 7; y++) for (let x = 0; x < 9; x++) im.array.data[y * 9 + x] = 0.5 - 0.01 * (x + y);
    const set = (x: number, y: number, v: number): void => void (im.array.data[y * 9 + x] = v);
    set(1, 1, 2); set(3, 1, 3); set(5, 2, 6); set(7, 2, 9); set(1, 3, 3); set(5, 5, 7); set(8, 6, 8);
    const fps = FootprintSet.fromImage(im, new Threshold(0.1));
    expect(fps.length).toBe(1);
    const peaks = fps.getFootprints()[0]!.getPeaks();
    const got = Array.from({ length: peaks.length }, (_, i) => [peaks.get(i).getIx(), peaks.get(i).getIy(), peaks.get(i).getPeakValue()]);
    // (8, 6) is on the border: not a peak. (1,3) and (3,1) tie at 3: x order.
    expect(got).toEqual([[7, 2, 9], [5, 5, 7], [5, 2, 6], [1, 3, 3], [3, 1, 3], [1, 1, 2]]);
  });
  it('gives a footprint without an interior peak its maximum pixel', () => {
    const im = imageFrom(['39', '..']);
    const fp = FootprintSet.fromImage(im, new Threshold(1)).getFootprints()[0]!;
    expect(fp.getPeaks().length).toBe(1);
    expect([fp.getPeaks().get(0).getIx(), fp.getPeaks().get(0).getPeakValue()]).toEqual([1, 9]);
  });
  it('finds pits for negative polarity (sorted by value descending, as afw sorts both polarities)', () => {
    const im = imageFrom(['.....', '.....', '.....']);
    im.array.data.set([0, 0, 0, 0, 0, 0, -4, -2, -6, 0, 0, 0, 0, 0, 0]);
    const peaks = FootprintSet.fromImage(im, new Threshold(1, 'VALUE', false)).getFootprints()[0]!.getPeaks();
    expect(Array.from({ length: peaks.length }, (_, i) => peaks.get(i).getIx())).toEqual([1, 3]);
    expect(Array.from({ length: peaks.length }, (_, i) => peaks.get(i).getPeakValue())).toEqual([-4, -6]);
  });
});

describe('grown / merge', () => {
  it('dilates every footprint and joins those that meet, keeping all their peaks', () => {
    const im = imageFrom(['..............', '.9.......7....', '..............', '....8.........', '..............']);
    const fps = FootprintSet.fromImage(im, new Threshold(1));
    expect(fps.length).toBe(3);
    for (const isotropic of [true, false]) {
      const grown = fps.grown(2, isotropic);
      const stencil = isotropic ? 'circle' : 'manhattan';
      // Brute force: union of dilated pixel sets, clipped to the region, split into components.
      const pix = new Set<string>();
      for (const f of fps) for (const p of pixelsOf(f.getSpans().dilated(2, stencil).clippedTo(im.getBBox()))) pix.add(p);
      const mask = Image.make('float32', im.getBBox());
      for (const p of pix) {
        const [x, y] = p.split(',').map(Number) as [number, number];
        mask.array.data[y * 14 + x] = 1;
      }
      const comps = floodComponents(mask, 0.5);
      expect(grown.getFootprints().map((f) => pixelsOf(f.getSpans()))).toEqual(comps);
      const allPeaks = grown.getFootprints().flatMap((f) => Array.from({ length: f.getPeaks().length }, (_, i) => f.getPeaks().get(i).getPeakValue()));
      expect(allPeaks.sort()).toEqual([7, 8, 9]);
      // Peaks of a merged footprint are sorted by value.
      for (const f of grown) {
        const v = Array.from({ length: f.getPeaks().length }, (_, i) => f.getPeaks().get(i).getPeakValue());
        expect(v).toEqual([...v].sort((a, b) => b - a));
      }
    }
    expect(fps.grown(2, true).length).toBe(2); // (1,1) and (4,3) meet; (9,1) stays apart
    expect(fps.grown(0).length).toBe(3);
    expect(() => fps.grown(-1)).toThrow(MeasAlgorithmsInvalidArgumentError);
  });
  it('merge joins two sets over the same region', () => {
    const a = FootprintSet.fromImage(imageFrom(['9....', '.....', '.....']), new Threshold(1));
    const b = FootprintSet.fromImage(imageFrom(['.9...', '.....', '....9']), new Threshold(1));
    a.merge(b);
    expect(a.length).toBe(2);
    expect(a.getFootprints()[0]!.getArea()).toBe(2);
    expect(a.getFootprints()[0]!.getPeaks().length).toBe(2);
    const c = FootprintSet.fromImage(imageFrom(['9..', '...']), new Threshold(1));
    expect(() => a.merge(c)).toThrow(MeasAlgorithmsInvalidArgumentError);
  });
});

describe('fromMask / setMask / insertIntoImage / makeSources', () => {
  it('finds masked regions, marks planes and appends one source per footprint with IDs', () => {
    const mask = Mask.make(new Extent2I(6, 4));
    mask.array.data.set([1, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(FootprintSet.fromMask(mask, new Threshold(3, 'BITMASK')).length).toBe(2);
    expect(FootprintSet.fromMask(mask, new Threshold(2, 'BITMASK')).getFootprints()[0]!.getArea()).toBe(2);
    const fps = FootprintSet.fromMask(mask, new Threshold(7, 'BITMASK'));
    const ids = fps.insertIntoImage();
    expect(Array.from(ids.array.data.slice(0, 6))).toEqual([1, 1, 0, 0, 0, 2]);
    expect(ids.array.data[13]).toBe(3);
    const other = Mask.make(new Extent2I(6, 4));
    fps.setMask(other, 'SAT');
    const sat = other.getPlaneBitMask('SAT');
    expect(Array.from(other.array.data, (v) => (v & sat ? 1 : 0))).toEqual(Array.from(mask.array.data, (v) => (v ? 1 : 0)));
    const cat = new SourceCatalog(SourceCatalog.makeMinimalSchema());
    fps.makeSources(cat);
    fps.makeSources(cat);
    expect(cat.length).toBe(6);
    expect(Array.from(cat.getColumn('id') as BigInt64Array)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(cat.get(1).getFootprint()!.getArea()).toBe(2);
  });
});

describe('PIXEL_STDEV thresholds at the boundary', () => {
  it('a pixel passes exactly when value >= threshold × √variance, to the last bit', () => {
    const w = 64;
    const h = 8;
    const mi = new MaskedImage(Image.make('float32', new Extent2I(w, h)), Mask.make(new Extent2I(w, h)), Image.make('float32', new Extent2I(w, h)));
    const img = mi.image.array.data;
    const vr = mi.variance.array.data;
    const T = 5;
    // every pixel sits at, or one float32 step either side of, its own limit (isolated pixels)
    const f32 = new Float32Array(1);
    const i32 = new Int32Array(f32.buffer);
    vr.fill(1); // the pixels in between are 0: below their limit
    for (let y = 0; y < h; y += 2) {
      for (let x = 0; x < w; x += 2) {
        const k = y * w + x;
        vr[k] = 1 + ((x * 7 + y * 13) % 50) * 0.37;
        f32[0] = T * Math.sqrt(vr[k]!);
        i32[0]! += ((x / 2 + y / 2) % 3) - 1;
        img[k] = f32[0]!;
      }
    }
    vr[3 * w + 5] = -1; // sqrt(-1) is NaN: never passes
    img[3 * w + 5] = 100;
    vr[5 * w + 9] = Infinity;
    img[5 * w + 9] = 1e30;
    const expected = new Set<string>();
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (img[y * w + x]! >= T * Math.sqrt(vr[y * w + x]!)) expected.add(key(x, y));
    const set = FootprintSet.fromImage(mi, new Threshold(T, 'PIXEL_STDEV'), { setPeaks: false });
    const got = new Set<string>();
    for (const fp of set) for (const p of pixelsOf(fp.getSpans())) got.add(p);
    expect(expected.size).toBeGreaterThan(40); // about half of the 128 boundary pixels pass
    expect(expected.size).toBeLessThan(100);
    expect([...got].sort()).toEqual([...expected].sort());
  });
});

/** Every column of a peak catalog as plain values. */
function peakColumns(peaks: PeakCatalog): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const f of peaks.schema.getFields()) out[f.name] = Array.from(peaks.getColumn(f.name) as ArrayLike<unknown>);
  return out;
}

/** The offsets of a stencil of radius r (by definition: Euclidean disc or Manhattan diamond). */
function stencilOffsets(r: number, isotropic: boolean): [number, number][] {
  const out: [number, number][] = [];
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (isotropic ? dx * dx + dy * dy <= r * r : Math.abs(dx) + Math.abs(dy) <= r) out.push([dx, dy]);
  return out;
}

/**
 * Brute-force grow: each footprint's pixels dilated offset by offset and clipped to the region,
 * pixel components by flood fill (8-connected), components sharing a footprint joined, in raster
 * order of their first pixel; peaks: a lone footprint's as they are, several footprints' peaks
 * concatenated then stably sorted by value (descending), x, y.
 */
function bruteGrown(footprints: readonly Footprint[], grows: readonly number[], isotropic: boolean, region: Box2I): { pixels: Set<string>; peaks: Record<string, unknown[]> }[] {
  const w = region.getWidth();
  const h = region.getHeight();
  const rx = region.getMinX();
  const ry = region.getMinY();
  const owners: Set<number>[] = Array.from({ length: w * h }, () => new Set<number>());
  footprints.forEach((fp, o) => {
    const offs = stencilOffsets(grows[o]!, isotropic);
    fp.getSpans().forEachPixel((x, y) => {
      for (const [dx, dy] of offs) {
        const lx = x + dx - rx;
        const ly = y + dy - ry;
        if (lx >= 0 && ly >= 0 && lx < w && ly < h) owners[ly * w + lx]!.add(o);
      }
    });
  });
  // label pixels by flood fill, then join labels that share an owner
  const label = new Int32Array(w * h).fill(-1);
  let nLabels = 0;
  for (let i = 0; i < w * h; i++) {
    if (owners[i]!.size === 0 || label[i] !== -1) continue;
    const stack = [i];
    label[i] = nLabels;
    while (stack.length > 0) {
      const k = stack.pop()!;
      const kx = k % w;
      const ky = (k - kx) / w;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = kx + dx;
          const ny = ky + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const n = ny * w + nx;
          if (owners[n]!.size === 0 || label[n] !== -1) continue;
          label[n] = nLabels;
          stack.push(n);
        }
      }
    }
    nLabels++;
  }
  const root = Array.from({ length: nLabels }, (_, i) => i);
  const findRoot = (a: number): number => (root[a] === a ? a : (root[a] = findRoot(root[a]!)));
  const labelOfOwner = new Map<number, number>();
  for (let i = 0; i < w * h; i++) {
    for (const o of owners[i]!) {
      const prev = labelOfOwner.get(o);
      if (prev === undefined) labelOfOwner.set(o, label[i]!);
      else {
        const a = findRoot(prev);
        const b = findRoot(label[i]!);
        if (a !== b) root[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const groups = new Map<number, { pixels: Set<string>; owners: Set<number> }>();
  for (let i = 0; i < w * h; i++) {
    if (label[i] === -1) continue;
    const r = findRoot(label[i]!);
    let g = groups.get(r);
    if (g === undefined) groups.set(r, (g = { pixels: new Set(), owners: new Set() }));
    g.pixels.add(key((i % w) + rx, Math.floor(i / w) + ry));
    for (const o of owners[i]!) g.owners.add(o);
  }
  return [...groups.values()].map((g) => {
    const os = [...g.owners].sort((a, b) => a - b);
    if (os.length === 1) return { pixels: g.pixels, peaks: peakColumns(footprints[os[0]!]!.getPeaks()) };
    const rows: { id: bigint; fx: number; fy: number; ix: number; iy: number; v: number }[] = [];
    for (const o of os) {
      const c = peakColumns(footprints[o]!.getPeaks());
      for (let i = 0; i < c['id']!.length; i++) rows.push({ id: c['id']![i] as bigint, fx: c['f_x']![i] as number, fy: c['f_y']![i] as number, ix: c['i_x']![i] as number, iy: c['i_y']![i] as number, v: c['peakValue']![i] as number });
    }
    rows.sort((a, b) => (a.v !== b.v ? b.v - a.v : a.ix !== b.ix ? a.ix - b.ix : a.iy - b.iy));
    return { pixels: g.pixels, peaks: { id: rows.map((r) => r.id), f_x: rows.map((r) => r.fx), f_y: rows.map((r) => r.fy), i_x: rows.map((r) => r.ix), i_y: rows.map((r) => r.iy), peakValue: rows.map((r) => r.v) } };
  });
}

function describeSet(set: FootprintSet): { pixels: Set<string>; peaks: Record<string, unknown[]> }[] {
  return set.getFootprints().map((f) => ({ pixels: pixelsOf(f.getSpans()), peaks: peakColumns(f.getPeaks()) }));
}

describe('grown / merge against brute-force pixel dilation', () => {
  it('many footprints on random images: spans, merged and sorted peaks (every field), order', () => {
    for (const seed of [11, 12, 13]) {
      const im = randomImage(seed, 48, 36);
      im.setXY0(new Point2I(-5, 9));
      const fps = FootprintSet.fromImage(im, new Threshold(0.93));
      expect(fps.length).toBeGreaterThan(20);
      for (const isotropic of [true, false]) {
        for (const r of [0, 1, 2, 4]) {
          const grown = fps.grown(r, isotropic);
          const expected = bruteGrown(fps.getFootprints(), fps.getFootprints().map(() => r), isotropic, im.getBBox());
          expect(describeSet(grown)).toEqual(expected);
          for (const f of grown) expect(f.getRegion().equals(im.getBBox())).toBe(true);
        }
      }
      // the input set is left as it was (its peaks were copied, not shared)
      const before = describeSet(fps);
      fps.grown(3).getFootprints()[0]!.getPeaks().get(0).set('peakValue', -99);
      expect(describeSet(fps)).toEqual(before);
    }
  });
  it('keeps a footprint of separate pieces as one, and merges sets with different grows and peak schemas', () => {
    const region = new Box2I(new Point2I(0, 0), new Point2I(29, 19));
    const pieces = new Footprint(SpanSet.fromArrays([2, 2, 15], [1, 20, 5], [3, 22, 6]), { region });
    pieces.addPeak(2, 2, 5);
    pieces.addPeak(21, 2, 6);
    const lone = new Footprint(SpanSet.fromArrays([9], [12], [12]), { region });
    lone.addPeak(12, 9, 6);
    const a = new FootprintSet([pieces, lone], region);
    const grownA = a.grown(2, true);
    expect(describeSet(grownA)).toEqual(bruteGrown([pieces, lone], [2, 2], true, region));
    expect(grownA.length).toBe(2);
    // a second set whose peaks have another schema (an extra flag): fields both have are merged
    const schema = PeakCatalog.makeMinimalSchema();
    schema.addField({ name: 'merge_peak_r', type: 'Flag', doc: 'r' });
    const near = new Footprint(SpanSet.fromArrays([7], [11], [14]), { region, peaks: new PeakCatalog(schema) });
    near.addPeak(13, 7, 6);
    near.getPeaks().get(0).set('merge_peak_r', true);
    const b = new FootprintSet([near], region);
    const merged = a.clone();
    merged.merge(b, 1, 0, false);
    expect(describeSet(merged)).toEqual(bruteGrown([pieces, lone, near], [1, 1, 0], false, region));
    // (12, 9) grown by 1 (Manhattan) touches row 7's (11..14) span diagonally: one footprint, peaks by value, x, y
    const joined = merged.getFootprints().find((f) => f.contains(12, 9))!;
    expect(Array.from(joined.getPeaks().getColumn('i_x') as Int32Array)).toEqual([12, 13]);
  });
  it('leaves footprints outside an empty region unclipped', () => {
    const fp = new Footprint(SpanSet.fromArrays([0], [0], [0]));
    fp.addPeak(0, 0, 1);
    const grown = new FootprintSet([fp]).grown(1, false);
    expect([...pixelsOf(grown.getFootprints()[0]!.getSpans())].sort()).toEqual(['-1,0', '0,-1', '0,0', '0,1', '1,0']);
  });
});

describe('findPeaks / setMask against brute force', () => {
  /** The 8-neighbour maxima (sign-adjusted) of the footprint pixels one pixel inside the image, sorted; else the extreme pixel. */
  function brutePeaks(fp: Footprint, im: Image<Float32Array>, polarity: boolean): [number, number, number][] {
    const { data, width, height } = im.array;
    const x0 = im.getX0();
    const y0 = im.getY0();
    const sign = polarity ? 1 : -1;
    const at = (x: number, y: number): number => sign * data[(y - y0) * width + (x - x0)]!;
    const found: [number, number, number][] = [];
    let best: [number, number, number] | undefined;
    fp.getSpans().forEachPixel((x, y) => {
      if (x < x0 || y < y0 || x >= x0 + width || y >= y0 + height) return;
      if (best === undefined || at(x, y) > sign * best[2]) best = [x, y, data[(y - y0) * width + (x - x0)]!];
      if (x < x0 + 1 || y < y0 + 1 || x > x0 + width - 2 || y > y0 + height - 2) return;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (at(x + dx, y + dy) > at(x, y)) return;
      found.push([x, y, data[(y - y0) * width + (x - x0)]!]);
    });
    if (found.length === 0) return best === undefined ? [] : [best];
    return found.sort((a, b) => (a[2] !== b[2] ? b[2] - a[2] : a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1]));
  }
  it('finds the peaks of footprints partly outside the image, both polarities, IDs continuing', () => {
    for (const seed of [21, 22]) {
      const im = randomImage(seed, 17, 13);
      for (let i = 0; i < im.array.data.length; i++) im.array.data[i] = Math.round(im.array.data[i]! * 6) - 3; // ties
      im.setXY0(new Point2I(4, -2));
      const shapes = [SpanSet.fromShape(5, 'circle', 6, 0), SpanSet.fromShape(4, 'box', 20, 10), SpanSet.fromBox(new Box2I(new Point2I(0, -6), new Point2I(30, 20))), SpanSet.fromArrays([-2, 10], [4, 4], [20, 20])];
      for (const polarity of [true, false]) {
        for (const spans of shapes) {
          const fp = new Footprint(spans);
          findPeaks(fp, im, polarity);
          const peaks = fp.getPeaks();
          const got = Array.from({ length: peaks.length }, (_, i): [number, number, number] => [peaks.get(i).getIx(), peaks.get(i).getIy(), peaks.get(i).getPeakValue()]);
          expect(got).toEqual(brutePeaks(fp, im, polarity));
          expect(Array.from(peaks.getColumn('f_x') as Float32Array)).toEqual(got.map((p) => p[0]));
          expect(Array.from(peaks.getColumn('id') as BigInt64Array)).toEqual(got.map((_, i) => BigInt(i + 1)));
          findPeaks(fp, im, polarity); // again: appended, IDs after the largest
          expect(Array.from(peaks.getColumn('id') as BigInt64Array)).toEqual([...got, ...got].map((_, i) => BigInt(i + 1)));
        }
      }
    }
  });
  it('sorts many peaks of one footprint as few (value, then x, then y)', () => {
    const im = randomImage(23, 40, 40);
    for (let i = 0; i < im.array.data.length; i++) im.array.data[i] = Math.round(im.array.data[i]! * 4); // many ties
    const fp = new Footprint(SpanSet.fromBox(im.getBBox()));
    findPeaks(fp, im, true);
    expect(fp.getPeaks().length).toBeGreaterThan(64);
    const got = Array.from({ length: fp.getPeaks().length }, (_, i): [number, number, number] => [fp.getPeaks().get(i).getIx(), fp.getPeaks().get(i).getIy(), fp.getPeaks().get(i).getPeakValue()]);
    expect(got).toEqual(brutePeaks(fp, im, true));
  });
  it('setMask sets the plane on exactly the footprint pixels inside the mask', () => {
    const mask = Mask.make(new Extent2I(12, 9));
    mask.setXY0(new Point2I(3, -1));
    const fps = new FootprintSet([new Footprint(SpanSet.fromShape(4, 'circle', 4, 1)), new Footprint(SpanSet.fromShape(3, 'box', 13, 7)), new Footprint(SpanSet.fromArrays([-5], [0], [40]))]);
    fps.setMask(mask, 'DETECTED');
    const bit = mask.getPlaneBitMask('DETECTED');
    const all = new Set<string>();
    for (const f of fps) for (const p of pixelsOf(f.getSpans())) all.add(p);
    for (let y = 0; y < 9; y++) for (let x = 0; x < 12; x++) expect((mask.array.data[y * 12 + x]! & bit) !== 0).toBe(all.has(key(x + 3, y - 1)));
  });
});
