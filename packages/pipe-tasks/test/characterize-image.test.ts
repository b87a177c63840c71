// CharacterizeImageTask on a synthetic exposure with a known PSF, sky and truth catalog
// (test/single-frame-scene.ts), then CalibrateTask on its outputs: single-frame processing
// end to end (postISRCCD → icExp/icSrc → calexp/src).
import { beforeAll, describe, expect, it } from 'vitest';
import { Point2D } from '@skystack/geom';
import { ReferenceObjectLoader } from '@skystack/meas-astrom';
import { CalibrateConfig, CalibrateTask, type CalibrateResult } from '../src/calibrate-task.js';
import { CharacterizeImageConfig, CharacterizeImageTask, type CharacterizeImageResult } from '../src/characterize-image-task.js';
import { CharacterizeImageError } from '../src/errors.js';
import { TRUTH_CALIBRATION, TRUTH_PSF, isolatedStar, makeScene, maxWcsDifferenceMas, nearestTruth, type Scene } from './single-frame-scene.js';

let scene: Scene;
let char: CharacterizeImageResult;
let task: CharacterizeImageTask;

beforeAll(() => {
  scene = makeScene({ seed: 5, nCosmicRays: 30 });
  task = new CharacterizeImageTask();
  char = task.run({ exposure: scene.exposure.clone(), exposureId: 77 }).getDict();
}, 60_000);

describe('CharacterizeImageTask', () => {
  it('measures a PSF whose second moments match the truth within 2%', () => {
    const psf = char.characterized.getPsf()!;
    const scale = Math.sqrt(TRUTH_PSF.ixx * TRUTH_PSF.iyy);
    const width = char.characterized.getWidth();
    const height = char.characterized.getHeight();
    for (const [x, y] of [
      [width / 2, height / 2],
      [100, 100],
      [width - 100, height - 100],
      [100, height - 100],
    ] as const) {
      const q = psf.computeShape(new Point2D(x, y));
      console.info(`PSF moments at (${x}, ${y}): Ixx ${q.getIxx().toFixed(4)} Iyy ${q.getIyy().toFixed(4)} Ixy ${q.getIxy().toFixed(4)} (truth ${TRUTH_PSF.ixx}, ${TRUTH_PSF.iyy}, ${TRUTH_PSF.ixy})`);
      expect(Math.abs(q.getIxx() / TRUTH_PSF.ixx - 1)).toBeLessThan(0.02);
      expect(Math.abs(q.getIyy() / TRUTH_PSF.iyy - 1)).toBeLessThan(0.02);
      expect(Math.abs(q.getIxy() - TRUTH_PSF.ixy) / scale).toBeLessThan(0.02);
    }
  });

  it('flags stars, and only stars, with calib_psf_used in icSrc', () => {
    const src = char.sourceCat;
    const used = src.getColumn('calib_psf_used') as Uint8Array;
    let nUsed = 0;
    for (let i = 0; i < src.length; i++) {
      if (used[i] !== 1) continue;
      nUsed++;
      const r = src.get(i);
      expect(nearestTruth(scene.stars, r.getX(), r.getY(), 1)).toBeGreaterThanOrEqual(0);
      expect(nearestTruth(scene.galaxies, r.getX(), r.getY(), 3)).toBe(-1);
    }
    expect(nUsed).toBeGreaterThan(20);
    expect(src.schema.contains('calib_psf_candidate')).toBe(true);
    expect(src.schema.contains('calib_psf_reserved')).toBe(true);
  });

  it('detects bright sources only and subtracts the sky', () => {
    // includeThresholdMultiplier 10: every source is well above 5σ × 10 in the smoothed image.
    const src = char.sourceCat;
    expect(src.length).toBeGreaterThan(60);
    expect(src.length).toBeLessThan(scene.stars.length + scene.galaxies.length);
    const bg = char.backgroundModel.getImage();
    const w = bg.getWidth();
    const h = bg.getHeight();
    const data = bg.array.data;
    for (const [x, y] of [
      [50, 50],
      [w / 2, h / 2],
      [w - 50, h - 50],
      [w - 50, 50],
    ] as const) {
      const truth = scene.sky * (1 + (0.05 * (x - w / 2)) / w + (0.03 * (y - h / 2)) / h);
      expect(Math.abs(data[Math.floor(y) * w + Math.floor(x)]! - truth)).toBeLessThan(3);
    }
  });

  it('installs the configured Gaussian PSF without PSF measurement', () => {
    const config = new CharacterizeImageConfig();
    config.doMeasurePsf = false;
    config.doApCorr = false;
    config.installSimplePsf.fwhm = 4.0;
    const exposure = makeScene({ seed: 5, width: 512, height: 512 }).exposure;
    const res = new CharacterizeImageTask({ config }).run({ exposure }).getDict();
    const sigma = res.characterized.getPsf()!.computeShape().getDeterminantRadius();
    expect(sigma).toBeCloseTo(4.0 / (2 * Math.sqrt(2 * Math.log(2))), 2);
    expect((res.sourceCat.getColumn('calib_psf_used') as Uint8Array).every((v) => v === 0)).toBe(true);
    // Aperture corrections need the PSF measurement's flags (LSST's validate).
    const bad = new CharacterizeImageConfig();
    bad.doMeasurePsf = false;
    expect(() => new CharacterizeImageTask({ config: bad })).toThrow(CharacterizeImageError);
  });

  it('masks and interpolates over the cosmic rays', () => {
    const exp = char.characterized;
    const cr = exp.mask.getPlaneBitMask('CR');
    const m = exp.mask.array;
    const img = exp.image.array;
    let masked = 0;
    let worst = 0;
    for (const p of scene.cosmicRayPixels) {
      if ((m.data[p.y * m.stride + p.x]! & cr) !== 0) masked++;
      worst = Math.max(worst, Math.abs(img.data[p.y * img.stride + p.x]!));
    }
    console.info(`cosmic rays: ${masked} of ${scene.cosmicRayPixels.length} pixels masked CR; largest |value| left ${worst.toFixed(1)} ADU (noise ${Math.sqrt(scene.sky).toFixed(1)})`);
    expect(masked).toBeGreaterThan(0.9 * scene.cosmicRayPixels.length);
    // Interpolated: no cosmic ray pixel keeps its 1500+ ADU hit (the noise is ~28 ADU).
    expect(worst).toBeLessThan(300);
    // As in LSST, the last iteration detects with the cosmic rays still in the image (keepCRs):
    // such icSrc sources carry base_PixelFlags_flag_cr, and none is a PSF star.
    const flagCr = char.sourceCat.getColumn('base_PixelFlags_flag_cr') as Uint8Array;
    const used = char.sourceCat.getColumn('calib_psf_used') as Uint8Array;
    let nOnCr = 0;
    for (let i = 0; i < char.sourceCat.length; i++) {
      const r = char.sourceCat.get(i);
      if (!scene.cosmicRayPixels.some((p) => (p.x - r.getX()) ** 2 + (p.y - r.getY()) ** 2 < 4)) continue;
      nOnCr++;
      expect(flagCr[i]).toBe(1);
      expect(used[i]).toBe(0);
    }
    expect(nOnCr).toBeGreaterThan(0);
  });

  it('measures and applies aperture corrections', () => {
    const apCorrMap = char.characterized.getApCorrMap()!;
    expect(apCorrMap).not.toBeNull();
    const src = char.sourceCat;
    expect(src.schema.contains('base_PsfFlux_apCorr')).toBe(true);
    // After aperture correction the PSF and Gaussian fluxes of bright isolated stars are their true fluxes.
    for (const name of ['base_PsfFlux', 'base_GaussianFlux']) {
      const flux = src.getColumn(`${name}_instFlux`) as Float64Array;
      const ratios: number[] = [];
      for (let i = 0; i < src.length; i++) {
        const r = src.get(i);
        const k = nearestTruth(scene.stars, r.getX(), r.getY());
        if (k >= 0 && scene.stars[k]!.flux > 3e4 && isolatedStar(scene, k)) ratios.push(flux[i]! / scene.stars[k]!.flux);
      }
      ratios.sort((a, b) => a - b);
      const med = ratios[ratios.length >> 1]!;
      console.info(`${name} (aperture corrected) / truth: median ${med.toFixed(4)} over ${ratios.length} stars`);
      expect(ratios.length).toBeGreaterThan(20);
      expect(Math.abs(med - 1)).toBeLessThan(0.01);
    }
  });
});

describe('CharacterizeImageTask → CalibrateTask', () => {
  let cal: CalibrateResult;

  beforeAll(async () => {
    const config = new CalibrateConfig();
    config.connections.astromRefCat = 'sim_refcat';
    config.connections.photoRefCat = 'sim_refcat';
    config.astromRefObjLoader.anyFilterMapsToThis = null;
    const loader = new ReferenceObjectLoader(scene.shards);
    const calibrate = new CalibrateTask({ config, icSourceSchema: task.schema, astromRefObjLoader: loader, photoRefObjLoader: loader });
    cal = (await calibrate.run({ exposure: char.characterized, background: char.backgroundModel, icSourceCat: char.sourceCat, exposureId: 77 })).getDict();
  }, 60_000);

  it('calibrates with the measured PSF: WCS < 10 mas, zero point < 1%, calib_psf_used carried over', () => {
    const wcs = cal.outputExposure.getWcs()!;
    const src = cal.outputCat;
    const sq: number[] = [];
    for (let i = 0; i < src.length; i++) {
      const r = src.get(i);
      const k = nearestTruth(scene.stars, r.getX(), r.getY());
      if (k < 0 || scene.stars[k]!.flux < 5e4 || !isolatedStar(scene, k)) continue;
      sq.push(wcs.pixelToSky(r.getX(), r.getY()).separation(scene.truthWcs.pixelToSky(scene.stars[k]!.x, scene.stars[k]!.y)).asMilliarcseconds() ** 2);
    }
    const rms = Math.sqrt(sq.reduce((a, b) => a + b, 0) / sq.length);
    const err = cal.outputExposure.getPhotoCalib()!.getCalibrationMean() / TRUTH_CALIBRATION - 1;
    console.info(`characterize → calibrate: astrometric rms ${rms.toFixed(2)} mas over ${sq.length} bright stars; calibration error ${(100 * err).toFixed(3)}%`);
    expect(rms).toBeLessThan(10);
    expect(maxWcsDifferenceMas(wcs, scene.truthWcs, cal.outputExposure.getWidth(), cal.outputExposure.getHeight())).toBeLessThan(10);
    expect(Math.abs(err)).toBeLessThan(0.01);
    const used = src.getColumn('calib_psf_used') as Uint8Array;
    const detected = src.getColumn('calib_detected') as Uint8Array;
    const nIcUsed = (char.sourceCat.getColumn('calib_psf_used') as Uint8Array).reduce((a, b) => a + b, 0);
    const nUsed = used.reduce((a, b) => a + b, 0);
    expect(nUsed).toBeGreaterThan(0.9 * nIcUsed);
    expect(nUsed).toBeLessThanOrEqual(nIcUsed);
    // Every icSrc source but the cosmic rays (interpolated over before calibrate) is detected again.
    let nIcReal = 0;
    for (let i = 0; i < char.sourceCat.length; i++) {
      const r = char.sourceCat.get(i);
      if (nearestTruth(scene.stars, r.getX(), r.getY(), 2) >= 0 || nearestTruth(scene.galaxies, r.getX(), r.getY(), 3) >= 0) nIcReal++;
    }
    expect(detected.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.95 * nIcReal);
    // calibrate detects fainter sources than characterize.
    expect(src.length).toBeGreaterThan(char.sourceCat.length);
  });
});
