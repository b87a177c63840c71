// CoaddBoundedField and makeCoaddApCorrMap against analytic truth: constant and linear Chebyshev
// input fields, with the coadd → input pixel mapping computed by astropy (wcslib) from the same
// FITS cards, or analytically for a pure shift; and the archive round trip through a FITS file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApCorrMap, ChebyshevBoundedField, CoaddInputs, ExposureCatalog, makeAfwRegistry, type BoundedField } from '@skystack/afw-image';
import { InputArchive, OutputArchive, RawPersistable } from '@skystack/afw-table';
import { Header, writeFits } from '@skystack/fits';
import { Box2I, Point2D, Point2I } from '@skystack/geom';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { makeSkyWcs, type SkyWcs } from '@skystack/wcs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCoaddApCorrMap } from './coadd-ap-corr-map.js';
import { CoaddBoundedField, readCoaddBoundedField, type CoaddBoundedFieldElement } from './coadd-bounded-field.js';
import { MeasAlgorithmsFormatError, MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsNoDataError } from './errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'skystack-coadd-bf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const box = (x0: number, y0: number, x1: number, y1: number): Box2I => new Box2I(new Point2I(x0, y0), new Point2I(x1, y1));

/** A TAN WCS as FITS cards: pixel origin (LSST 0-based), sky origin (deg), scale (arcsec/pixel), rotation (deg). */
interface TanSpec {
  crpix: [number, number];
  crval: [number, number];
  scaleArcsec: number;
  rotationDeg: number;
}

function tanHeaderText(s: TanSpec): string {
  const scale = s.scaleArcsec / 3600;
  const t = (s.rotationDeg * Math.PI) / 180;
  // East left (x flipped), rotated by t.
  const cd = [-scale * Math.cos(t), scale * Math.sin(t), scale * Math.sin(t), scale * Math.cos(t)];
  const cards: [string, string | number][] = [
    ['CTYPE1', 'RA---TAN'], ['CTYPE2', 'DEC--TAN'], ['CRPIX1', s.crpix[0] + 1], ['CRPIX2', s.crpix[1] + 1], ['CRVAL1', s.crval[0]], ['CRVAL2', s.crval[1]],
    ['CD1_1', cd[0]!], ['CD1_2', cd[1]!], ['CD2_1', cd[2]!], ['CD2_2', cd[3]!], ['RADESYS', 'ICRS'], ['CUNIT1', 'deg'], ['CUNIT2', 'deg'],
  ];
  const h = new Header();
  for (const [k, v] of cards) h.set(k, v);
  return h.toImages().join('\n');
}

function tanWcs(s: TanSpec): SkyWcs {
  return makeSkyWcs(Header.fromImages(tanHeaderText(s).split("\n")));
}

const COADD: TanSpec = { crpix: [500, 500], crval: [150, 2], scaleArcsec: 0.2, rotationDeg: 0 };
const COADD_BOX = box(0, 0, 999, 999);

interface InputSpec {
  wcs: TanSpec;
  bbox: Box2I;
  weight: number;
  constant: number;
  /** Linear Chebyshev coefficients [[a, b], [c, d]]: a + b x' + c y' + d x'y'. */
  cheb: [[number, number], [number, number]];
}

const INPUTS: InputSpec[] = [
  { wcs: { crpix: [300, 400], crval: [150.005, 1.998], scaleArcsec: 0.21, rotationDeg: 10 }, bbox: box(0, 0, 599, 799), weight: 2, constant: 1, cheb: [[1, 0.2], [-0.1, 0.05]] },
  { wcs: { crpix: [350, 300], crval: [149.992, 2.006], scaleArcsec: 0.19, rotationDeg: -25 }, bbox: box(0, 0, 699, 599), weight: 0.5, constant: 3, cheb: [[0.9, -0.3], [0.2, 0]] },
  { wcs: { crpix: [150, 275], crval: [150.01, 2.01], scaleArcsec: 0.2, rotationDeg: 90 }, bbox: box(-100, 50, 400, 500), weight: 1, constant: -2, cheb: [[1.1, 0], [0.4, -0.2]] },
];
const INPUT_WCS = INPUTS.map((s) => tanWcs(s.wcs));
const COADD_WCS = tanWcs(COADD);

/** The linear Chebyshev series of a spec at an input position, from the definition of x', y'. */
function chebValue(s: InputSpec, x: number, y: number): number {
  const b = s.bbox;
  const xp = (2 * x - b.getMinX() - b.getMaxX()) / b.getWidth();
  const yp = (2 * y - b.getMinY() - b.getMaxY()) / b.getHeight();
  const [[a, bx], [cy, d]] = s.cheb;
  return a + bx * xp + cy * yp + d * xp * yp;
}

/** A grid of coadd positions reaching past the coadd box (so that some lie outside every input). */
const GRID = (() => {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let j = 0; j < 37; j++) {
    for (let i = 0; i < 37; i++) {
      xs.push(-80 + i * 31.3);
      ys.push(-90 + j * 32.1);
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
})();

const ASTROPY_SCRIPT = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
c = json.load(sys.stdin)
coadd = WCS(fits.Header.fromstring(c['coadd'], sep='\n'))
px = np.array(c['x']) + 1.0; py = np.array(c['y']) + 1.0
ra, dec = coadd.all_pix2world(px, py, 1)
out = []
for h in c['inputs']:
    w = WCS(fits.Header.fromstring(h, sep='\n'))
    x, y = w.all_world2pix(ra, dec, 1)
    out.append({'x': (x - 1.0).tolist(), 'y': (y - 1.0).tolist()})
print(json.dumps(out))
`;

/** The grid mapped to each input's pixels (LSST 0-based) by astropy. */
const mapped = astropyAvailable()
  ? runPythonJson<{ x: number[]; y: number[] }[]>(ASTROPY_SCRIPT, [], {
      coadd: tanHeaderText(COADD),
      inputs: INPUTS.map((s) => tanHeaderText(s.wcs)),
      x: Array.from(GRID.x),
      y: Array.from(GRID.y),
    })
  : undefined;

/** Whether an input box (pixel edges, half-open) holds a position, and how far it is from an edge. */
function inside(b: Box2I, x: number, y: number): { inside: boolean; margin: number } {
  const x0 = b.getMinX() - 0.5;
  const x1 = b.getMaxX() + 0.5;
  const y0 = b.getMinY() - 0.5;
  const y1 = b.getMaxY() + 0.5;
  return { inside: x >= x0 && x < x1 && y >= y0 && y < y1, margin: Math.min(Math.abs(x - x0), Math.abs(x - x1), Math.abs(y - y0), Math.abs(y - y1)) };
}

interface Truth {
  /** Indices of the grid points away from every input's edge. */
  usable: number[];
  /** Which inputs cover each grid point. */
  covering: number[][];
}

/** Coverage from astropy's mapping, skipping points within 0.01 pixel of an input's edge. */
function truth(m: { x: number[]; y: number[] }[]): Truth {
  const usable: number[] = [];
  const covering: number[][] = [];
  for (let i = 0; i < GRID.x.length; i++) {
    const cov: number[] = [];
    let ok = true;
    INPUTS.forEach((s, k) => {
      const r = inside(s.bbox, m[k]!.x[i]!, m[k]!.y[i]!);
      if (r.margin < 0.01) ok = false;
      if (r.inside) cov.push(k);
    });
    covering.push(cov);
    if (ok) usable.push(i);
  }
  return { usable, covering };
}

function elements(make: (s: InputSpec) => BoundedField): CoaddBoundedFieldElement[] {
  return INPUTS.map((s, k) => ({ field: make(s), wcs: INPUT_WCS[k]!, validPolygon: null, weight: s.weight }));
}

const constantField = (s: InputSpec): BoundedField => new ChebyshevBoundedField(s.bbox, [[s.constant]]);
const linearField = (s: InputSpec): BoundedField => new ChebyshevBoundedField(s.bbox, s.cheb);

describe.skipIf(mapped === undefined)('CoaddBoundedField (coverage and mapping from astropy)', () => {
  const t = mapped === undefined ? { usable: [], covering: [] } : truth(mapped);

  it('gives Σ w c / Σ w where inputs overlap, c alone where one covers, the default elsewhere', () => {
    const field = new CoaddBoundedField(COADD_BOX, COADD_WCS, elements(constantField), -99);
    const values = field.evaluateArray(GRID.x, GRID.y);
    const counts = [0, 0, 0, 0];
    for (const i of t.usable) {
      const cov = t.covering[i]!;
      counts[cov.length]!++;
      const expected =
        cov.length === 0 ? -99 : cov.reduce((a, k) => a + INPUTS[k]!.weight * INPUTS[k]!.constant, 0) / cov.reduce((a, k) => a + INPUTS[k]!.weight, 0);
      expect(values[i]).toBeCloseTo(expected, 12);
      expect(field.evaluate(GRID.x[i]!, GRID.y[i]!)).toBeCloseTo(expected, 12);
    }
    // Every case occurs on the grid: no input, one, two and all three.
    for (const c of counts) expect(c).toBeGreaterThan(10);
  });

  it('evaluates each input field at the position mapped to the input, not at the coadd position', () => {
    const field = new CoaddBoundedField(COADD_BOX, COADD_WCS, elements(linearField), 0);
    const values = field.evaluateArray(GRID.x, GRID.y);
    let checked = 0;
    for (const i of t.usable) {
      const cov = t.covering[i]!;
      if (cov.length === 0) continue;
      let sum = 0;
      let w = 0;
      for (const k of cov) {
        const s = INPUTS[k]!;
        sum += s.weight * chebValue(s, mapped![k]!.x[i]!, mapped![k]!.y[i]!);
        w += s.weight;
      }
      expect(values[i]).toBeCloseTo(sum / w, 9);
      expect(field.evaluatePoint(new Point2D(GRID.x[i]!, GRID.y[i]!))).toBeCloseTo(sum / w, 9);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('throws where no input covers a point unless it has a default', () => {
    const field = new CoaddBoundedField(COADD_BOX, COADD_WCS, elements(constantField));
    expect(field.throwOnMissing).toBe(true);
    const outside = t.usable.find((i) => t.covering[i]!.length === 0)!;
    const covered = t.usable.find((i) => t.covering[i]!.length === 1)!;
    expect(() => field.evaluate(GRID.x[outside]!, GRID.y[outside]!)).toThrow(MeasAlgorithmsNoDataError);
    expect(() => field.evaluateArray(Float64Array.of(GRID.x[covered]!, GRID.x[outside]!), Float64Array.of(GRID.y[covered]!, GRID.y[outside]!))).toThrow(
      /No constituent fields/,
    );
    expect(field.evaluate(GRID.x[covered]!, GRID.y[covered]!)).toBeCloseTo(INPUTS[t.covering[covered]![0]!]!.constant, 12);
  });

  it('leaves out an input where its valid polygon does not contain the mapped position', () => {
    // A polygon holding the left half (input x < 250) of input 0.
    const polygon = { contains: (p: Point2D): boolean => p.x < 250 };
    const els = elements(constantField);
    els[0] = { ...els[0]!, validPolygon: polygon };
    const field = new CoaddBoundedField(COADD_BOX, COADD_WCS, els, -99);
    const values = field.evaluateArray(GRID.x, GRID.y);
    let leftOut = 0;
    for (const i of t.usable) {
      const cov = t.covering[i]!.filter((k) => k !== 0 || Math.abs(mapped![0]!.x[i]! - 250) > 0.01);
      if (cov.length !== t.covering[i]!.length) continue;
      const kept = cov.filter((k) => k !== 0 || mapped![0]!.x[i]! < 250);
      if (kept.length !== cov.length) leftOut++;
      const expected = kept.length === 0 ? -99 : kept.reduce((a, k) => a + INPUTS[k]!.weight * INPUTS[k]!.constant, 0) / kept.reduce((a, k) => a + INPUTS[k]!.weight, 0);
      expect(values[i]).toBeCloseTo(expected, 12);
      expect(field.evaluate(GRID.x[i]!, GRID.y[i]!)).toBeCloseTo(expected, 12);
    }
    expect(leftOut).toBeGreaterThan(20);
  });

  it('scales every value with multipliedBy', () => {
    const field = new CoaddBoundedField(COADD_BOX, COADD_WCS, elements(linearField), 2);
    const scaled = field.multipliedBy(-1.5);
    const a = field.evaluateArray(GRID.x, GRID.y);
    const b = scaled.evaluateArray(GRID.x, GRID.y);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(-1.5 * a[i]!, 12);
    expect(scaled.defaultValue).toBe(-3);
  });
});

describe('CoaddBoundedField (pure shift, analytic)', () => {
  // Same sky origin and CD matrix, pixel origins differing by (dx, dy): input = coadd + (dx, dy).
  const dx = 137.25;
  const dy = -61.5;
  const coaddWcs = tanWcs({ crpix: [500, 500], crval: [45, -30], scaleArcsec: 0.2, rotationDeg: 30 });
  const inputWcs = tanWcs({ crpix: [500 + dx, 500 + dy], crval: [45, -30], scaleArcsec: 0.2, rotationDeg: 30 });
  const spec: InputSpec = { wcs: COADD, bbox: box(100, 0, 899, 699), weight: 3, constant: 0, cheb: [[1, 0.5], [-0.25, 0.125]] };

  it('evaluates a Chebyshev input at the shifted position', () => {
    const field = new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: linearField(spec), wcs: inputWcs, weight: 3 }], NaN);
    const xs = new Float64Array(200);
    const ys = new Float64Array(200);
    for (let i = 0; i < 200; i++) {
      xs[i] = 5 + 4.9 * i;
      ys[i] = 900 - 4.3 * i;
    }
    const values = field.evaluateArray(xs, ys);
    let inside_ = 0;
    for (let i = 0; i < 200; i++) {
      const r = inside(spec.bbox, xs[i]! + dx, ys[i]! + dy);
      if (r.margin < 1e-6) continue;
      if (!r.inside) {
        expect(values[i]).toBeNaN();
        continue;
      }
      inside_++;
      const expected = chebValue(spec, xs[i]! + dx, ys[i]! + dy);
      expect(values[i]).toBeCloseTo(expected, 9);
      // Not the value at the coadd position.
      expect(Math.abs(values[i]! - chebValue(spec, xs[i]!, ys[i]!))).toBeGreaterThan(0.01);
      expect(field.evaluate(xs[i]!, ys[i]!)).toBeCloseTo(expected, 9);
    }
    expect(inside_).toBeGreaterThan(100);
  });

  it('counts an input where its field box holds the mapped position (pixel edges, half-open)', () => {
    const field = new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: new ChebyshevBoundedField(spec.bbox, [[7]]), wcs: inputWcs }], 0);
    // Input x from 99.5 (inclusive) to 899.5 (exclusive); coadd x = input x - dx.
    expect(field.evaluate(99.5 + 1e-6 - dx, 300 - dy)).toBeCloseTo(7, 12);
    expect(field.evaluate(99.5 - 1e-6 - dx, 300 - dy)).toBe(0);
    expect(field.evaluate(899.5 - 1e-6 - dx, 300 - dy)).toBeCloseTo(7, 12);
    expect(field.evaluate(899.5 + 1e-6 - dx, 300 - dy)).toBe(0);
  });

  it('treats inputs whose weights sum to zero as missing', () => {
    const field = new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: new ChebyshevBoundedField(spec.bbox, [[7]]), wcs: inputWcs, weight: 0 }], 5);
    expect(field.evaluate(400, 400)).toBe(5);
  });

  it('rejects bad elements and mismatched arrays, and has no mean (as afw)', () => {
    expect(() => new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: null as unknown as BoundedField, wcs: inputWcs }])).toThrow(MeasAlgorithmsInvalidArgumentError);
    expect(() => new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: linearField(spec), wcs: {} as SkyWcs }])).toThrow(/no SkyWcs/);
    expect(() => new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: linearField(spec), wcs: inputWcs, weight: NaN }])).toThrow(/finite/);
    const field = new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: linearField(spec), wcs: inputWcs }]);
    expect(() => field.evaluateArray([1, 2], [1])).toThrow(MeasAlgorithmsInvalidArgumentError);
    expect(() => field.mean()).toThrow(MeasAlgorithmsInvalidArgumentError);
  });

  it('compares equal as afw does', () => {
    const f = linearField(spec);
    const a = new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: f, wcs: inputWcs, weight: 2 }], 1);
    expect(a.equals(new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: linearField(spec), wcs: inputWcs, weight: 2 }], 1))).toBe(true);
    expect(a.equals(new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: f, wcs: inputWcs, weight: 3 }], 1))).toBe(false);
    expect(a.equals(new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: f, wcs: inputWcs, weight: 2 }], 0))).toBe(false);
    expect(a.equals(new CoaddBoundedField(COADD_BOX, coaddWcs, [{ field: f, wcs: coaddWcs, weight: 2 }], 1))).toBe(false);
    expect(a.equals(f)).toBe(false);
  });
});

/** afw's two persistence catalogs of a CoaddBoundedField (src/CoaddBoundedField.cc). */
const AFW_HEADER_COLUMNS = ['flags', 'bbox_min_x', 'bbox_min_y', 'bbox_max_x', 'bbox_max_y', 'coaddWcs', 'default'];
const AFW_ELEMENT_COLUMNS = ['field', 'wcs', 'validPolygon', 'weight'];

describe('CoaddBoundedField archive persistence', () => {
  const registry = (): ReturnType<typeof makeAfwRegistry> => makeAfwRegistry().register('CoaddBoundedField', readCoaddBoundedField);

  async function roundTrip(object: CoaddBoundedField | ApCorrMap, name: string): Promise<{ back: unknown; archive: InputArchive; id: number }> {
    const out = new OutputArchive();
    const id = out.put(object);
    const path = join(tmp, name);
    await writeFits(path, [{ header: new Header() }, ...out.toHdus()]);
    const archive = await InputArchive.readFits(path, { registry: registry() });
    return { back: archive.get(id), archive, id };
  }

  it('writes afw\'s two catalogs and reads back a field with the same values everywhere', async () => {
    const els = elements(linearField);
    const field = new CoaddBoundedField(COADD_BOX, COADD_WCS, els, -7.5);
    const { back, archive, id } = await roundTrip(field, 'coadd-bf.fits');
    expect(back).toBeInstanceOf(CoaddBoundedField);
    const b = back as CoaddBoundedField;
    expect(b.bbox.equals(COADD_BOX)).toBe(true);
    expect(b.throwOnMissing).toBe(false);
    expect(b.defaultValue).toBe(-7.5);
    expect(b.size).toBe(3);
    expect(b.getElements().map((e) => e.weight)).toEqual(INPUTS.map((s) => s.weight));
    expect(b.getElements().every((e) => e.validPolygon === null)).toBe(true);
    expect((b.getElements()[0]!.field as ChebyshevBoundedField).equals(els[0]!.field)).toBe(true);
    const a = field.evaluateArray(GRID.x, GRID.y);
    const c = b.evaluateArray(GRID.x, GRID.y);
    for (let i = 0; i < a.length; i++) expect(c[i]).toBeCloseTo(a[i]!, 9);
    expect(c.some((v) => v === -7.5)).toBe(true);

    // The index and layout: the field's two catalogs, in afw's column order.
    const entries = archive.entriesOf(id);
    expect(entries.map((e) => [e.name, e.module, e.catPersistable, e.nRows])).toEqual([
      ['CoaddBoundedField', 'lsst.meas.algorithms', 0, 1],
      ['CoaddBoundedField', 'lsst.meas.algorithms', 1, 3],
    ]);
    const header = archive.catalogs[entries[0]!.catArchive - 1]!;
    const elementCat = archive.catalogs[entries[1]!.catArchive - 1]!;
    expect(header.table.columns.map((col) => col.name)).toEqual(AFW_HEADER_COLUMNS);
    expect(header.flagBit('throwOnMissing')).toBe(0);
    expect(elementCat.table.columns.map((col) => col.name)).toEqual(AFW_ELEMENT_COLUMNS);
    expect(archive.nameOf(header.table.getColumn('coaddWcs')[0] as number)).toBe('TanWcs');
  });

  it('keeps throwOnMissing, and reads an ApCorrMap of CoaddBoundedFields', async () => {
    const map = new ApCorrMap([
      ['base_PsfFlux_instFlux', new CoaddBoundedField(COADD_BOX, COADD_WCS, elements(linearField))],
      ['base_GaussianFlux_instFlux', new CoaddBoundedField(COADD_BOX, COADD_WCS, elements(constantField), 0)],
    ]);
    const { back } = await roundTrip(map, 'ap-corr-map.fits');
    expect(back).toBeInstanceOf(ApCorrMap);
    const m = back as ApCorrMap;
    expect(m.keys()).toEqual(['base_GaussianFlux_instFlux', 'base_PsfFlux_instFlux']);
    const psf = m.require('base_PsfFlux_instFlux') as CoaddBoundedField;
    expect(psf.throwOnMissing).toBe(true);
    expect(() => psf.evaluate(-5000, -5000)).toThrow(MeasAlgorithmsNoDataError);
    const orig = map.require('base_GaussianFlux_instFlux').evaluateArray(GRID.x, GRID.y);
    const read = m.require('base_GaussianFlux_instFlux').evaluateArray(GRID.x, GRID.y);
    for (let i = 0; i < orig.length; i++) expect(read[i]).toBeCloseTo(orig[i]!, 9);
  });

  it('refuses to write what the archive cannot store, before writing anything', () => {
    const plain = {
      bbox: INPUTS[0]!.bbox,
      evaluate: () => 1,
      evaluatePoint: () => 1,
      evaluateArray: (x: ArrayLike<number>, _y: ArrayLike<number>, out = new Float64Array(x.length)) => out.fill(1),
      mean: () => 1,
    } as unknown as BoundedField;
    const field = new CoaddBoundedField(COADD_BOX, COADD_WCS, [{ field: plain, wcs: INPUT_WCS[0]! }]);
    const out = new OutputArchive();
    expect(() => out.put(field)).toThrow(/field of element 0/);
    expect(out.isEmpty).toBe(true);
    expect(() => new OutputArchive().put(field)).toThrow(MeasAlgorithmsInvalidArgumentError);
  });

  it('drops an undecoded polygon from another file, and rejects bad catalogs', async () => {
    const els = elements(constantField);
    const { archive } = await roundTrip(new CoaddBoundedField(COADD_BOX, COADD_WCS, els, 0), 'for-raw.fits');
    const raw = new RawPersistable('Polygon', 'lsst.afw.geom', 99, archive, []);
    els[0] = { ...els[0]!, validPolygon: raw };
    const { back } = await roundTrip(new CoaddBoundedField(COADD_BOX, COADD_WCS, els, 0), 'raw-polygon.fits');
    expect((back as CoaddBoundedField).getElements()[0]!.validPolygon).toBeNull();
    expect(() => readCoaddBoundedField([], archive)).toThrow(MeasAlgorithmsFormatError);
  });
});

describe('makeCoaddApCorrMap', () => {
  const schema = CoaddInputs.makeCcdSchema();
  const spec: InputSpec = INPUTS[0]!;

  function catalog(): ExposureCatalog {
    const ccds = new ExposureCatalog(schema);
    const maps = [
      new ApCorrMap([
        ['a_instFlux', new ChebyshevBoundedField(spec.bbox, [[2]])],
        ['b_instFlux', new ChebyshevBoundedField(spec.bbox, [[5]])],
      ]),
      new ApCorrMap([['a_instFlux', new ChebyshevBoundedField(spec.bbox, [[4]])]]),
      null,
      new ApCorrMap(),
    ];
    maps.forEach((m, i) => {
      const r = ccds.addNew();
      r.setId(i + 1);
      r.setBBox(spec.bbox);
      r.set('weight', i + 1);
      r.setComponent('wcs', INPUT_WCS[0]!);
      r.setComponent('apCorrMap', m);
    });
    return ccds;
  }

  it('makes one CoaddBoundedField per name over the inputs that have it', () => {
    const map = makeCoaddApCorrMap(catalog(), COADD_BOX, COADD_WCS);
    expect(map.keys()).toEqual(['a_instFlux', 'b_instFlux']);
    const a = map.require('a_instFlux') as CoaddBoundedField;
    const b = map.require('b_instFlux') as CoaddBoundedField;
    expect(a).toBeInstanceOf(CoaddBoundedField);
    expect(a.size).toBe(2);
    expect(b.size).toBe(1);
    expect(a.throwOnMissing).toBe(true);
    expect(a.getElements().map((e) => e.weight)).toEqual([1, 2]);
    // The coadd centre maps inside input 0's box (same sky origin region): (1·2 + 2·4) / 3.
    expect(a.evaluate(500, 500)).toBeCloseTo(10 / 3, 12);
    expect(b.evaluate(500, 500)).toBeCloseTo(5, 12);
    expect(() => a.evaluate(-20000, 0)).toThrow(MeasAlgorithmsNoDataError);
  });

  it('needs the weight field and a SkyWcs', () => {
    expect(() => makeCoaddApCorrMap(catalog(), COADD_BOX, COADD_WCS, 'noSuchWeight')).toThrow(/no weight field 'noSuchWeight'/);
    const ccds = catalog();
    ccds.get(1).setComponent('wcs', null);
    expect(() => makeCoaddApCorrMap(ccds, COADD_BOX, COADD_WCS)).toThrow(/no SkyWcs/);
  });
});
