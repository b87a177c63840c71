// MakePsfMatchedWarpTask: two detectors of Gaussian stars (different seeing, own WCSs) warped by
// MakeWarpTask and PSF-matched to the 7.7-pixel double-Gaussian model: every star must then look
// like the model PSF times its flux (analytic, from the truth), whatever its detector.
import { Exposure, GaussianPsf, PhotoCalib, VisitInfo } from '@skystack/afw-image';
import { Angle, Box2I, Extent2I, Point2D, Point2I } from '@skystack/geom';
import { DiscreteSkyMap, makeDiscreteSkyMapConfig } from '@skystack/skymap';
import { makeCdMatrix, makeSkyWcs } from '@skystack/wcs';
import { describe, expect, it } from 'vitest';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { makeSkyInfo } from './coadd-utils.js';
import { MakePsfMatchedWarpConfig, MakePsfMatchedWarpTask } from './make-psf-matched-warp-task.js';
import { MakeWarpTask } from './make-warp-task.js';

const SKYMAP = new DiscreteSkyMap(
  makeDiscreteSkyMapConfig({ raList: [150], decList: [2], radiusList: [0.02], projection: 'TAN', pixelScale: 0.2, tractOverlap: 0, patchInnerDimensions: [300, 300], patchBorder: 10 }),
);
const TRACT = SKYMAP.get(0);
const PATCH = TRACT.findPatch(TRACT.getCtrCoord());
const SKY_INFO = makeSkyInfo(SKYMAP, 0, TRACT.getSequentialPatchIndex(PATCH));
const TRACT_WCS = SKY_INFO.wcs!;
const CENTRE = TRACT_WCS.pixelToSky(PATCH.getOuterBBox().getCenter());

/** A 150×300 calexp whose pixel (75, y0) sees the patch centre, Gaussian PSF σ, stars at the given calexp positions (nJy with calib 1). */
function calexp(sigma: number, crpixX: number, stars: readonly [number, number, number][]): Exposure<Float32Array> {
  const exp = Exposure.make('float32', Box2I.fromCorner(new Point2I(0, 0), new Extent2I(150, 300)));
  exp.setWcs(makeSkyWcs(new Point2D(crpixX, 150), CENTRE, makeCdMatrix(Angle.fromArcseconds(0.2), Angle.fromDegrees(8))));
  exp.setPhotoCalib(new PhotoCalib(1));
  exp.setVisitInfo(new VisitInfo({ exposureTime: 30 }));
  exp.setPsf(new GaussianPsf(41, 41, sigma));
  const im = exp.image.array;
  for (const [sx, sy, flux] of stars) {
    for (let y = Math.max(0, Math.floor(sy) - 20); y <= Math.min(im.height - 1, Math.floor(sy) + 20); y++) {
      for (let x = Math.max(0, Math.floor(sx) - 20); x <= Math.min(im.width - 1, Math.floor(sx) + 20); x++) {
        const r2 = (x - sx) ** 2 + (y - sy) ** 2;
        im.data[y * im.stride + x] = im.data[y * im.stride + x]! + (flux / (2 * Math.PI * sigma * sigma)) * Math.exp(-r2 / (2 * sigma * sigma));
      }
    }
  }
  exp.variance.array.data.fill(1);
  return exp;
}

describe('MakePsfMatchedWarpTask', () => {
  it("has LSST's defaults: model FWHM 7.7 px, AL Gaussians 1.0, 2.0, 4.5", () => {
    const c = new MakePsfMatchedWarpConfig();
    expect(c.modelPsf.defaultFwhm).toBe(7.7);
    expect([...c.psfMatch.kernel.get('AL').alardSigGauss]).toEqual([1.0, 2.0, 4.5]);
  });

  // Detector A (σ 1.6) on the left of the patch centre, B (σ 2.3) on the right; stars well inside each.
  const STARS_A: [number, number, number][] = [
    [50, 100, 50000],
    [70, 200, 30000],
  ];
  const STARS_B: [number, number, number][] = [
    [90, 110, 40000],
    [80, 190, 60000],
  ];
  const directWarp = async (): Promise<{ direct: Exposure; a: Exposure; b: Exposure }> => {
    const a = calexp(1.6, 140, STARS_A);
    const b = calexp(2.3, 10, STARS_B);
    a.getInfo().setId(1);
    b.getInfo().setId(2);
    const direct = (await new MakeWarpTask().run({ calExpList: [a, b], skyInfo: SKY_INFO, visitId: 5, dataIdList: [{ detector: 1 }, { detector: 2 }] })).getDict().exposures.direct!;
    return { direct, a, b };
  };
  /** Each star's stamp (the model PSF image's box around it) against `flux × model`: worst |Δ| / peak and the flux ratio. */
  const score = (matched: Exposure, cal: Exposure, stars: readonly [number, number, number][], model: ReturnType<MakePsfMatchedWarpConfig['modelPsf']['apply']>) =>
    stars.map(([sx, sy, flux]) => {
      const p = TRACT_WCS.skyToPixel(cal.getWcs()!.pixelToSky(new Point2D(sx, sy)));
      const kernel = model.computeImage(p);
      const k = kernel.array;
      const m = matched.image.array;
      const ox = kernel.getXY0().getX() - matched.getXY0().getX();
      const oy = kernel.getXY0().getY() - matched.getXY0().getY();
      let peak = 0;
      let worst = 0;
      let sum = 0;
      let kSum = 0;
      for (let y = 0; y < k.height; y++) {
        for (let x = 0; x < k.width; x++) {
          const expected = flux * k.data[y * k.stride + x]!;
          const got = m.data[(y + oy) * m.stride + x + ox]!;
          peak = Math.max(peak, expected);
          worst = Math.max(worst, Math.abs(got - expected));
          sum += got;
          kSum += k.data[y * k.stride + x]!;
        }
      }
      return { residual: worst / peak, fluxRatio: sum / (flux * kSum) };
    });

  it('turns the stars of detectors of different seeing into the model PSF times their flux (Gaussian model), and leaves the pixels of no detector NaN', async () => {
    const { direct, a, b } = await directWarp();
    const config = new MakePsfMatchedWarpConfig();
    config.modelPsf.addWing = false; // a single Gaussian of FWHM 7.7 px
    const task = new MakePsfMatchedWarpTask({ config });
    const { psf_matched_warp: matched } = task.run({ directWarp: direct, bbox: SKY_INFO.bbox }).getDict();
    expect(matched).not.toBeNull();
    const model = task.config.modelPsf.apply();
    const at = new Point2D(0, 0);
    expect(Array.from(matched!.getPsf()!.computeKernelImage(at).array.data)).toEqual(Array.from(model.computeKernelImage(at).array.data));
    for (const r of [...score(matched!, a, STARS_A, model), ...score(matched!, b, STARS_B, model)]) {
      expect(r.residual).toBeLessThan(0.02);
      expect(Math.abs(r.fluxRatio - 1)).toBeLessThan(0.01);
    }
    // far from both detectors: no data
    const m = matched!.image.array;
    expect(Number.isNaN(m.data[2 * m.stride + 2]!)).toBe(true);
    expect(matched!.mask.array.data[2 * matched!.mask.array.stride + 2]! & matched!.mask.getPlaneBitMask('NO_DATA')).not.toBe(0);
  });

  it("with LSST's double-Gaussian model, conserves every star's flux (the 21-pixel kernel cannot make the 8-pixel wing: cores stay sharper)", async () => {
    const { direct, a, b } = await directWarp();
    const task = new MakePsfMatchedWarpTask();
    const { psf_matched_warp: matched } = task.run({ directWarp: direct, bbox: SKY_INFO.bbox }).getDict();
    const wide = task.config.modelPsf.apply().resized(41, 41);
    for (const r of [...score(matched!, a, STARS_A, wide), ...score(matched!, b, STARS_B, wide)]) expect(Math.abs(r.fluxRatio - 1)).toBeLessThan(0.01);
  });

  it('refuses a warp without CoaddInputs', () => {
    const bare = Exposure.make('float32', SKY_INFO.bbox);
    bare.setWcs(TRACT_WCS);
    expect(() => new MakePsfMatchedWarpTask().run({ directWarp: bare, bbox: SKY_INFO.bbox })).toThrow(PipeTasksInvalidArgumentError);
  });
});
