/**
 * plotSkyCoverage: SVG structure (well-formed XML, one path per tract outline, one per patch),
 * the documented linear axis mapping, great-circle edges and RA wrap-around at 0/360.
 */
import { describe, expect, it } from 'vitest';
import { makeSkyMap, plotSkyCoverage, SkymapInvalidArgumentError, type TractInfo } from '../src/index.js';

const DEG = 180 / Math.PI;
const skyMap = makeSkyMap('hsc_rings_v1');

/** Checks that the text is well-formed XML as far as tags, attributes and entities go; returns the element names. */
function checkXml(xml: string): string[] {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const names: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  let roots = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt < 0 ? body.length : lt);
    // Text: only entity references after '&', no stray '>'.
    expect(text.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, '')).not.toMatch(/[&>]/);
    if (lt < 0) {
      expect(text.trim()).toBe('');
      break;
    }
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (m === null) throw new Error(`Malformed tag at ${lt}: ${body.slice(lt, lt + 80)}`);
    const [, close, name, attrs, selfClose] = m;
    expect(attrs!.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, '')).not.toMatch(/&/);
    if (close === '/') {
      expect(stack.pop()).toBe(name);
    } else {
      if (stack.length === 0) roots++;
      names.push(name!);
      if (selfClose !== '/') stack.push(name!);
    }
    i = tag.lastIndex;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  return names;
}

const count = (svg: string, s: string): number => svg.split(s).length - 1;

/** The pixel points of the `d` attribute of the first path with the given class. */
function pathPoints(svg: string, cls: string): [number, number][] {
  const m = new RegExp(`<path class="${cls}"[^>]* d="([^"]*)"`).exec(svg);
  if (m === null) throw new Error(`no path.${cls}`);
  return [...m[1]!.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((p) => [Number(p[1]), Number(p[2])]);
}

function allPathPoints(svg: string): [number, number][] {
  return [...svg.matchAll(/ d="([^"]*)"/g)].flatMap((m) =>
    [...m[1]!.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((p): [number, number] => [Number(p[1]), Number(p[2])]),
  );
}

function plotArea(svg: string): Record<string, number> {
  const g = /<g class="plot-area"[^>]*>/.exec(svg)![0];
  const out: Record<string, number> = {};
  for (const m of g.matchAll(/data-([\w-]+)="([^"]*)"/g)) out[m[1]!] = Number(m[2]);
  return out;
}

function raDec(v: { x: number; y: number; z: number }): [number, number] {
  return [((Math.atan2(v.y, v.x) * DEG) % 360 + 360) % 360, Math.atan2(v.z, Math.hypot(v.x, v.y)) * DEG];
}

describe('plotSkyCoverage', () => {
  const tract9813 = skyMap.get(9813);

  it('draws tract 9813 with its 81 patches as a well-formed SVG', () => {
    const svg = plotSkyCoverage([tract9813], { patches: true, title: 'COSMOS' });
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const names = checkXml(svg);
    expect(names[0]).toBe('svg');
    expect(count(svg, '<path class="tract-inner"')).toBe(1);
    expect(count(svg, '<path class="tract-outer"')).toBe(1);
    expect(count(svg, '<path class="patch"')).toBe(81);
    expect(svg).toContain('>9813</text>');
    expect(svg).toContain('stroke-dasharray'); // the outer polygon is dashed
    expect(count(svg, '<text class="patch-label"')).toBe(81);
    for (const i of [0, 41, 80]) expect(svg).toMatch(new RegExp(`class="patch-label"[^>]*>${i}</text>`));
    expect(svg).toContain('>COSMOS</text>');
    // Tick labels in degrees on both axes (9813 spans RA ~149.3..150.9, Dec ~1.4..3.0).
    expect(svg).toMatch(/class="ra-tick"[^>]*>150(\.0+)?<\/text>/);
    expect(svg).toMatch(/class="dec-tick"[^>]*>2(\.0+)?<\/text>/);
  });

  it('leaves out patches and labels when asked', () => {
    const svg = plotSkyCoverage([tract9813], { labels: false });
    checkXml(svg);
    expect(count(svg, '<path class="patch"')).toBe(0);
    expect(svg).not.toContain('>9813<');
  });

  it('puts a tract vertex where the documented linear axis mapping says (explicit ranges)', () => {
    const width = 640;
    const height = 480;
    const margins = { top: 30, right: 10, bottom: 40, left: 60 };
    const raRange = [149, 151.5] as const;
    const decRange = [1, 3.5] as const;
    const svg = plotSkyCoverage([tract9813], { width, height, margins, raRange, decRange, samplesPerEdge: 5 });
    const plotWidth = width - margins.left - margins.right;
    const plotHeight = height - margins.top - margins.bottom;
    const vertices = tract9813.getInnerSkyPolygon().getVertices();
    const pts = pathPoints(svg, 'tract-inner');
    expect(pts.length).toBe(vertices.length * 5);
    vertices.forEach((v, k) => {
      const [ra, dec] = raDec(v);
      const x = margins.left + ((raRange[1] - ra) / (raRange[1] - raRange[0])) * plotWidth;
      const y = margins.top + ((decRange[1] - dec) / (decRange[1] - decRange[0])) * plotHeight;
      expect(pts[5 * k]![0]).toBeCloseTo(x, 1);
      expect(pts[5 * k]![1]).toBeCloseTo(y, 1);
    });
    // RA increases to the left: the eastmost vertex has the smallest x.
    const ras = vertices.map((v) => raDec(v)[0]);
    const east = ras.indexOf(Math.max(...ras));
    expect(pts[5 * east]![0]).toBe(Math.min(...vertices.map((_, k) => pts[5 * k]![0])));
  });

  it('records the default axis mapping on the plot area and follows it', () => {
    const svg = plotSkyCoverage([tract9813], { patches: true });
    const a = plotArea(svg);
    expect(a['x']).toBe(70);
    expect(a['y']).toBe(40);
    expect(a['width']).toBe(800 - 70 - 20);
    expect(a['height']).toBe(600 - 40 - 50);
    const v = tract9813.getOuterSkyPolygon().getVertices()[0]!;
    const [ra, dec] = raDec(v);
    const [x, y] = pathPoints(svg, 'tract-outer')[0]!;
    expect(x).toBeCloseTo(a['x']! + ((a['ra-max']! - ra) / (a['ra-max']! - a['ra-min']!)) * a['width']!, 1);
    expect(y).toBeCloseTo(a['y']! + ((a['dec-max']! - dec) / (a['dec-max']! - a['dec-min']!)) * a['height']!, 1);
    // Everything drawn is inside the plot area.
    for (const [px, py] of allPathPoints(svg)) {
      expect(px).toBeGreaterThanOrEqual(a['x']!);
      expect(px).toBeLessThanOrEqual(a['x']! + a['width']!);
      expect(py).toBeGreaterThanOrEqual(a['y']!);
      expect(py).toBeLessThanOrEqual(a['y']! + a['height']!);
    }
  });

  it('samples edges along great circles', () => {
    const svg = plotSkyCoverage([tract9813], { samplesPerEdge: 8 });
    const a = plotArea(svg);
    const pts = pathPoints(svg, 'tract-outer');
    const vertices = tract9813.getOuterSkyPolygon().getVertices();
    expect(pts.length).toBe(8 * vertices.length);
    const toSky = ([x, y]: [number, number]): [number, number, number] => {
      const ra = (a['ra-max']! - ((x - a['x']!) / a['width']!) * (a['ra-max']! - a['ra-min']!)) / DEG;
      const dec = (a['dec-max']! - ((y - a['y']!) / a['height']!) * (a['dec-max']! - a['dec-min']!)) / DEG;
      return [Math.cos(ra) * Math.cos(dec), Math.sin(ra) * Math.cos(dec), Math.sin(dec)];
    };
    // Interior samples of each edge lie on the great circle through its two vertices.
    for (let k = 0; k < vertices.length; k++) {
      const p = vertices[k]!;
      const q = vertices[(k + 1) % vertices.length]!;
      const n = [p.y * q.z - p.z * q.y, p.z * q.x - p.x * q.z, p.x * q.y - p.y * q.x];
      const norm = Math.hypot(n[0]!, n[1]!, n[2]!);
      for (let s = 1; s < 8; s++) {
        const v = toSky(pts[8 * k + s]!);
        const offRad = Math.abs(v[0] * n[0]! + v[1] * n[1]! + v[2] * n[2]!) / norm;
        // Within the rounding of the pixel coordinates (0.005 px ≈ 1.5e-5 deg here).
        expect(offRad * DEG).toBeLessThan(5e-5);
      }
    }
  });

  it('unwraps RA for a set of tracts straddling RA 0', () => {
    const tracts: TractInfo[] = [skyMap.get(9711), skyMap.get(9470)]; // RA 358.5 and 1.5
    const svg = plotSkyCoverage(tracts, { patches: true });
    checkXml(svg);
    const a = plotArea(svg);
    expect(a['ra-max']! - a['ra-min']!).toBeLessThan(6);
    expect(a['ra-min']).toBeLessThan(0.5);
    for (const [px] of allPathPoints(svg)) {
      expect(px).toBeGreaterThanOrEqual(a['x']!);
      expect(px).toBeLessThanOrEqual(a['x']! + a['width']!);
    }
    // Tract 9470 (RA 1.5, east) is left of tract 9711 (RA 358.5, west).
    const labelX = (id: number): number => Number(new RegExp(`class="tract-label" x="([-\\d.]+)"[^>]*>${id}<`).exec(svg)![1]);
    expect(labelX(9470)).toBeLessThan(labelX(9711));
    // Tick labels are shown modulo 360.
    expect(svg).toMatch(/class="ra-tick"[^>]*>0<\/text>/);
    expect(svg).toMatch(/class="ra-tick"[^>]*>359<\/text>/);
    expect(svg).not.toMatch(/class="ra-tick"[^>]*>-/);
  });

  it('closes a polar cap through the pole', () => {
    const svg = plotSkyCoverage([skyMap.get(0)]);
    checkXml(svg);
    const a = plotArea(svg);
    expect(a['dec-min']).toBe(-90);
    expect(a['dec-max']).toBeLessThan(-80);
    expect(a['ra-max']! - a['ra-min']!).toBeGreaterThan(360);
  });

  it('draws marker points and escapes text', () => {
    const svg = plotSkyCoverage([tract9813], {
      title: 'Tract <9813> & "COSMOS"',
      points: [{ ra: 150.11917, dec: 2.20583, label: "COSMOS's <centre>" }],
    });
    checkXml(svg);
    expect(svg).toContain('Tract &lt;9813&gt; &amp; &quot;COSMOS&quot;');
    expect(svg).toContain('COSMOS&apos;s &lt;centre&gt;');
    expect(count(svg, '<circle class="point"')).toBe(1);
    const a = plotArea(svg);
    const cx = Number(/<circle class="point" cx="([-\d.]+)"/.exec(svg)![1]);
    expect(cx).toBeCloseTo(a['x']! + ((a['ra-max']! - 150.11917) / (a['ra-max']! - a['ra-min']!)) * a['width']!, 1);
  });

  it('draws an empty all-sky frame without tracts', () => {
    const svg = plotSkyCoverage([]);
    checkXml(svg);
    const a = plotArea(svg);
    expect([a['dec-min'], a['dec-max']]).toEqual([-90, 90]);
    expect(a['ra-max']! - a['ra-min']!).toBe(360);
  });

  it('rejects bad options', () => {
    expect(() => plotSkyCoverage([tract9813], { width: 0 })).toThrow(SkymapInvalidArgumentError);
    expect(() => plotSkyCoverage([tract9813], { samplesPerEdge: 0 })).toThrow(SkymapInvalidArgumentError);
    expect(() => plotSkyCoverage([tract9813], { raRange: [2, 1] })).toThrow(SkymapInvalidArgumentError);
    expect(() => plotSkyCoverage([tract9813], { width: 50, height: 50 })).toThrow(SkymapInvalidArgumentError);
  });
});
