// CoaddPsf against analytic truth: the weighted mixture of the inputs' Gaussians, in coadd pixels.
import { CoaddInputs, ExposureCatalog, GaussianPsf, setCoaddInputs, getCoaddInputs, ExposureInfo, type Psf } from '@skystack/afw-image';
import { Angle, Box2I, Point2D, Point2I, SpherePoint } from '@skystack/geom';
import { makeCdMatrix, makeSkyWcs, type SkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { imageMoments } from '@skystack/test-support';
import { CoaddPsf } from './coadd-psf.js';
import { MeasAlgorithmsInvalidArgumentError, MeasAlgorithmsNoDataError } from './errors.js';

const crval = SpherePoint.fromDegrees(150, 2);
const coaddScale = Angle.fromArcseconds(0.2);
const coaddWcs = makeSkyWcs(new Point2D(500, 500), crval, makeCdMatrix(coaddScale));

interface Input {
  readonly id: number;
  readonly wcs: SkyWcs;
  readonly bbox: Box2I;
  readonly psf: Psf;
  readonly weight: number;
  readonly goodpix: number;
}

function box(x0: number, y0: number, x1: number, y1: number): Box2I {
  return new Box2I(new Point2I(x0, y0), new Point2I(x1, y1));
}

function makeInputs(inputs: readonly Input[]): CoaddInputs {
  const coaddInputs = new CoaddInputs();
  for (const input of inputs) {
    const r = coaddInputs.ccds.addNew();
    r.setId(input.id);
    r.setBBox(input.bbox);
    r.set('weight', input.weight);
    r.set('goodpix', input.goodpix);
    r.setComponent('wcs', input.wcs);
    r.setComponent('psf', input.psf);
  }
  return coaddInputs;
}

// A: the coadd's own grid, ccd = coadd, sigma 1.6, covering coadd 0..999.
// B: shifted, ccd x = coadd x - 300 (same scale), sigma 2.0, covering coadd x 300..999.
// C: 0.25"-pixels rotated by 30 deg about the same tangent point: sigma 2.4 ccd px = 3.0 coadd px.
const A: Input = { id: 11, wcs: coaddWcs, bbox: box(0, 0, 999, 999), psf: new GaussianPsf(41, 41, 1.6), weight: 1, goodpix: 1000 };
const B: Input = { id: 12, wcs: makeSkyWcs(new Point2D(200, 500), crval, makeCdMatrix(coaddScale)), bbox: box(0, 0, 699, 999), psf: new GaussianPsf(41, 41, 2.0), weight: 2, goodpix: 1000 };
const C: Input = {
  id: 13,
  wcs: makeSkyWcs(new Point2D(500, 500), crval, makeCdMatrix(Angle.fromArcseconds(0.25), Angle.fromDegrees(30))),
  bbox: box(0, 0, 599, 599),
  psf: new GaussianPsf(41, 41, 2.4),
  weight: 3,
  goodpix: 10,
};
/** Each input's PSF variance in coadd pixels (sigma times the pixel-scale ratio, squared). */
const variance = new Map<Input, number>([
  [A, 1.6 ** 2],
  [B, 2.0 ** 2],
  [C, (2.4 * 1.25) ** 2],
]);

/** The second moments of a weighted mixture of centred circular Gaussians: Σ wᵢ σᵢ² / Σ wᵢ. */
function mixture(inputs: readonly Input[]): number {
  let num = 0;
  let den = 0;
  for (const i of inputs) {
    num += i.weight * variance.get(i)!;
    den += i.weight;
  }
  return num / den;
}

const psf = new CoaddPsf(makeInputs([A, B, C]).ccds, coaddWcs);

describe('CoaddPsf (meas_algorithms)', () => {
  it.each([
    ['all three inputs', new Point2D(520, 480), [A, B, C]],
    ['A and C (left of B)', new Point2D(250, 400), [A, C]],
    ['A only', new Point2D(100, 950), [A]],
    ['A and B (right of C)', new Point2D(900, 900), [A, B]],
  ] as const)('at a position covered by %s: the weighted mixture of their warped PSFs, sum 1, centred', (_, position, inputs) => {
    expect(psf.getComponentsContaining(position).map((i) => psf.getId(i))).toEqual(inputs.map((i) => BigInt(i.id)));
    const k = psf.computeKernelImage(position);
    const m = imageMoments(k);
    expect(m.sum).toBeCloseTo(1, 12);
    expect(Math.abs(m.x)).toBeLessThan(1e-6);
    expect(Math.abs(m.y)).toBeLessThan(1e-6);
    const expected = mixture(inputs);
    expect(Math.abs(m.xx / expected - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.yy / expected - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.xy) / expected).toBeLessThan(0.005);
    expect(psf.computeBBox(position).equals(k.getBBox())).toBe(true);
  });

  it('the kernel box is the union of the components boxes', () => {
    // C's 41-pixel kernel at 1.25x, rotated by 30 deg, is the widest: more than 41 pixels.
    const all = psf.computeBBox(new Point2D(520, 480));
    const aOnly = psf.computeBBox(new Point2D(100, 950));
    expect(aOnly.equals(box(-20, -20, 20, 20))).toBe(true);
    expect(all.getWidth()).toBeGreaterThan(41 * 1.25);
    expect(all.contains(aOnly)).toBe(true);
  });

  it('throws MeasAlgorithmsNoDataError where no input covers the position', () => {
    expect(psf.getComponentsContaining(new Point2D(1200, 500))).toEqual([]);
    expect(() => psf.computeKernelImage(new Point2D(1200, 500))).toThrow(MeasAlgorithmsNoDataError);
    expect(() => psf.computeShape(new Point2D(1200, 500))).toThrow(/no input images/);
  });

  it('average position: the (weight x goodpix)-weighted mean of the input PSF positions in coadd pixels', () => {
    const positions = [A, B, C].map((i) => coaddWcs.skyToPixel(i.wcs.pixelToSky(new Point2D(0, 0))));
    // A's origin is the coadd's; B's is 300 pixels right of it (pure shift).
    expect(positions[0]!.x).toBeCloseTo(0, 6);
    expect(positions[1]!.x).toBeCloseTo(300, 6);
    const w = [A, B, C].map((i) => i.weight * i.goodpix);
    const sw = w[0]! + w[1]! + w[2]!;
    const x = (w[0]! * positions[0]!.x + w[1]! * positions[1]!.x + w[2]! * positions[2]!.x) / sw;
    const y = (w[0]! * positions[0]!.y + w[1]! * positions[1]!.y + w[2]! * positions[2]!.y) / sw;
    const avg = psf.getAveragePosition();
    expect(avg.x).toBeCloseTo(x, 6);
    expect(avg.y).toBeCloseTo(y, 6);
    // The default position of computeKernelImage is the average position.
    expect(psf.computeKernelImage().getBBox().equals(psf.computeKernelImage(avg).getBBox())).toBe(true);
  });

  it('drops the lowest-weight inputs from the average position until an input contains it', () => {
    const near: Input = { id: 1, wcs: coaddWcs, bbox: box(0, 0, 99, 99), psf: new GaussianPsf(25, 25, 2), weight: 1, goodpix: 1 };
    const far: Input = { id: 2, wcs: makeSkyWcs(new Point2D(500 - 1000, 500), crval, makeCdMatrix(coaddScale)), bbox: box(0, 0, 99, 99), psf: new GaussianPsf(25, 25, 2), weight: 3, goodpix: 1 };
    const two = new CoaddPsf(makeInputs([near, far]).ccds, coaddWcs);
    // The weighted mean (750, 0) is in neither; without the lighter input it is (1000, 0).
    expect(two.getAveragePosition().x).toBeCloseTo(1000, 6);
    expect(two.getAveragePosition().y).toBeCloseTo(0, 6);
    // Equal Gaussians: the adaptive moments of the coadd PSF are the Gaussian's.
    expect(two.computeShape(new Point2D(1050, 50)).getIxx()).toBeCloseTo(4, 3);
    expect(two.computeShape(new Point2D(50, 50)).getIyy()).toBeCloseTo(4, 3);
    expect(two.computeApertureFlux(30, new Point2D(50, 50))).toBeCloseTo(1, 6);
  });

  it('accessors, clone, resized, isPersistable', () => {
    expect(psf.getComponentCount()).toBe(3);
    expect(psf.getWeight(2)).toBe(3);
    expect(psf.getId(1)).toBe(12n);
    expect(psf.getBBox(1).equals(B.bbox)).toBe(true);
    expect(psf.getPsf(0)).toBe(A.psf);
    expect(psf.getWcs(1)).toBe(B.wcs);
    expect(psf.getValidPolygon(0)).toBeNull();
    expect(psf.getCoaddWcs()).toBe(coaddWcs);
    expect(psf.getWarpingKernelName()).toBe('lanczos3');
    expect(() => psf.getWeight(3)).toThrow(MeasAlgorithmsInvalidArgumentError);
    expect(() => psf.getPsf(-1)).toThrow(MeasAlgorithmsInvalidArgumentError);
    const p = new Point2D(520, 480);
    const a = psf.computeKernelImage(p).array.data;
    const b = psf.clone().computeKernelImage(p).array.data;
    expect(b).toEqual(a);
    expect(psf.resized(21, 21).computeBBox(new Point2D(100, 950)).equals(box(-10, -10, 10, 10))).toBe(true);
    // TAN WCSs and Gaussian PSFs can all be archived.
    expect(psf.isPersistable()).toBe(true);
    expect(psf.isFixed()).toBe(false);
  });

  it('reads weights from another field, honours a valid polygon, and rejects bad catalogs', () => {
    const schema = ExposureCatalog.makeMinimalSchema();
    schema.addField({ name: 'w2', type: 'D' });
    const catalog = new ExposureCatalog(schema);
    for (const input of [A, B]) {
      const r = catalog.addNew();
      r.setId(input.id);
      r.setBBox(input.bbox);
      r.set('w2', input.weight);
      r.setComponent('wcs', input.wcs);
      r.setComponent('psf', input.psf);
    }
    // B's valid region stops at ccd x = 100 (coadd x = 400).
    catalog.get(1).setComponent('validPolygon', { contains: (pt: Point2D) => pt.x < 100 });
    const custom = new CoaddPsf(catalog, coaddWcs, { weightFieldName: 'w2' });
    expect(custom.getComponentsContaining(new Point2D(350, 500))).toEqual([0, 1]);
    expect(custom.getComponentsContaining(new Point2D(450, 500))).toEqual([0]);
    expect(Math.abs(imageMoments(custom.computeKernelImage(new Point2D(450, 500))).xx / variance.get(A)! - 1)).toBeLessThan(0.01);
    // A valid polygon SkyStack cannot archive makes the PSF not persistable.
    expect(custom.isPersistable()).toBe(false);
    expect(() => new CoaddPsf(catalog, coaddWcs)).toThrow(/no weight field 'weight'/);
    catalog.get(0).setComponent('psf', null);
    expect(() => new CoaddPsf(catalog, coaddWcs, { weightFieldName: 'w2' })).toThrow(MeasAlgorithmsInvalidArgumentError);
    expect(() => new CoaddPsf(new CoaddInputs().ccds, coaddWcs)).toThrow(MeasAlgorithmsNoDataError);
    expect(() => new CoaddPsf(makeInputs([A]).ccds, coaddWcs, { warpingKernelName: 'spline' })).toThrow(MeasAlgorithmsInvalidArgumentError);
  });

  it('is built from the CoaddInputs an exposure carries', () => {
    const info = new ExposureInfo();
    setCoaddInputs(info, makeInputs([A, B]));
    const fromInfo = new CoaddPsf(getCoaddInputs(info)!.ccds, coaddWcs);
    expect(fromInfo.getComponentCount()).toBe(2);
    const m = imageMoments(fromInfo.computeKernelImage(new Point2D(520, 480)));
    expect(Math.abs(m.xx / mixture([A, B]) - 1)).toBeLessThan(0.01);
  });
});
