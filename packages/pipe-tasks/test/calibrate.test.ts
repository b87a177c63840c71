// CalibrateTask on a synthetic exposure with known truth (test/single-frame-scene.ts): the fitted
// WCS against the truth WCS, the PhotoCalib against the true calibration, sky sources, local
// calibrations, and runQuantum with deferred reference catalog handles.
import { beforeAll, describe, expect, it } from 'vitest';
import { SingleGaussianPsf, type Exposure } from '@skystack/afw-image';
import { SourceCatalog } from '@skystack/afw-table';
import type { BackgroundList} from '@skystack/meas-algorithms';
import { SubtractBackgroundTask } from '@skystack/meas-algorithms';
import { ReferenceObjectLoader } from '@skystack/meas-astrom';
import { DeferredDatasetRef, Struct, type QuantumContext } from '@skystack/pipe-base';
import { CalibrateConfig, CalibrateTask, type CalibrateResult } from '../src/calibrate-task.js';
import { CalibrateError } from '../src/errors.js';
import { TRUTH_CALIBRATION, TRUTH_PSF, isolatedStar, makeScene, maxWcsDifferenceMas, nearestTruth, type Scene } from './single-frame-scene.js';

/** The scene after a characterization done by hand: background subtracted, the true PSF's sigma. */
function characterizedByHand(scene: Scene): { exposure: Exposure; background: BackgroundList } {
  const exposure = scene.exposure.clone();
  const sigma = Math.pow(TRUTH_PSF.ixx * TRUTH_PSF.iyy - TRUTH_PSF.ixy ** 2, 0.25);
  exposure.setPsf(new SingleGaussianPsf(25, 25, sigma));
  const background = new SubtractBackgroundTask().run(exposure).getDict().background;
  return { exposure, background };
}

function simConfig(): CalibrateConfig {
  const config = new CalibrateConfig();
  config.connections.astromRefCat = 'sim_refcat';
  config.connections.photoRefCat = 'sim_refcat';
  config.astromRefObjLoader.anyFilterMapsToThis = null;
  return config;
}

let scene: Scene;
let result: CalibrateResult;
let inputBackgroundLength: number;

beforeAll(async () => {
  scene = makeScene({ seed: 11 });
  const { exposure, background } = characterizedByHand(scene);
  inputBackgroundLength = background.length;
  const loader = new ReferenceObjectLoader(scene.shards);
  const task = new CalibrateTask({ config: simConfig(), astromRefObjLoader: loader, photoRefObjLoader: loader });
  result = (await task.run({ exposure, background, exposureId: 1234 })).getDict();
}, 60_000);

describe('CalibrateTask', () => {
  it('fits a WCS that agrees with the truth to < 10 mas for bright stars', () => {
    const wcs = result.outputExposure.getWcs()!;
    const src = result.outputCat;
    const sq: number[] = [];
    const initialSq: number[] = [];
    const ra = src.getColumn('coord_ra') as Float64Array;
    const dec = src.getColumn('coord_dec') as Float64Array;
    for (let i = 0; i < src.length; i++) {
      const r = src.get(i);
      const k = nearestTruth(scene.stars, r.getX(), r.getY());
      if (k < 0 || scene.stars[k]!.flux < 5e4 || !isolatedStar(scene, k)) continue;
      const truth = scene.truthWcs.pixelToSky(scene.stars[k]!.x, scene.stars[k]!.y);
      sq.push(wcs.pixelToSky(r.getX(), r.getY()).separation(truth).asMilliarcseconds() ** 2);
      initialSq.push(scene.initialWcs.pixelToSky(r.getX(), r.getY()).separation(truth).asMilliarcseconds() ** 2);
      // coord_ra/dec are the source positions through the fitted WCS.
      const c = wcs.pixelToSky(r.getX(), r.getY());
      expect(Math.abs(ra[i]! - c.getRa().asRadians())).toBeLessThan(1e-10);
      expect(Math.abs(dec[i]! - c.getDec().asRadians())).toBeLessThan(1e-10);
    }
    expect(sq.length).toBeGreaterThan(40);
    const rms = Math.sqrt(sq.reduce((a, b) => a + b, 0) / sq.length);
    const initialRms = Math.sqrt(initialSq.reduce((a, b) => a + b, 0) / initialSq.length);
    console.info(`astrometric residual (bright stars): ${rms.toFixed(2)} mas rms (initial WCS: ${initialRms.toFixed(0)} mas) over ${sq.length} stars`);
    expect(initialRms).toBeGreaterThan(1000);
    expect(rms).toBeLessThan(10);
    // The fitted WCS itself, over the whole detector.
    const maxDiff = maxWcsDifferenceMas(wcs, scene.truthWcs, result.outputExposure.getWidth(), result.outputExposure.getHeight());
    console.info(`fitted WCS vs truth: max ${maxDiff.toFixed(2)} mas over a 9 x 9 grid`);
    expect(maxDiff).toBeLessThan(10);
    expect(result.astromMatches!.length).toBeGreaterThan(50);
    expect((src.getColumn('calib_astrometry_used') as Uint8Array).some((v) => v === 1)).toBe(true);
  });

  it('attaches a PhotoCalib within 1% of the truth and keeps the pixels in ADU', () => {
    const pc = result.outputExposure.getPhotoCalib()!;
    const err = pc.getCalibrationMean() / TRUTH_CALIBRATION - 1;
    console.info(`photometric calibration: ${pc.getCalibrationMean().toFixed(4)} nJy/ADU (truth ${TRUTH_CALIBRATION}); error ${(100 * err).toFixed(3)}% = ${(-2.5 * Math.log10(1 + err) * 1000).toFixed(2)} mmag`);
    expect(Math.abs(err)).toBeLessThan(0.01);
    const md = result.outputExposure.getMetadata();
    expect(md.get('MAGZERO_NOBJ')).toBe(result.photoCalResult!.ngood);
    expect(md.get('MAGZERO')).toBeCloseTo(result.photoCalResult!.zp - 2.5 * Math.log10(30), 10);
    // Pixels in ADU: the calibration flux of bright isolated stars is their true ADU flux.
    const src = result.outputCat;
    const ratios: number[] = [];
    for (let i = 0; i < src.length; i++) {
      const r = src.get(i);
      const k = nearestTruth(scene.stars, r.getX(), r.getY());
      if (k >= 0 && scene.stars[k]!.flux > 5e4) ratios.push(r.getCalibInstFlux() / scene.stars[k]!.flux);
    }
    ratios.sort((a, b) => a - b);
    expect(Math.abs(ratios[ratios.length >> 1]! - 1)).toBeLessThan(0.01);
    expect((src.getColumn('calib_photometry_used') as Uint8Array).some((v) => v === 1)).toBe(true);
  });

  it('adds sky sources whose fluxes are centred on zero', () => {
    const src = result.outputCat;
    const sky = src.getColumn('sky_source') as Uint8Array;
    const flux = src.getColumn('base_CircularApertureFlux_6_0_instFlux') as Float64Array;
    const fluxErr = src.getColumn('base_CircularApertureFlux_6_0_instFluxErr') as Float64Array;
    const values: number[] = [];
    const errs: number[] = [];
    for (let i = 0; i < src.length; i++) {
      if (sky[i] === 1 && Number.isFinite(flux[i]!)) {
        values.push(flux[i]!);
        errs.push(fluxErr[i]!);
      }
    }
    expect(values.length).toBeGreaterThan(50);
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const medianErr = [...errs].sort((a, b) => a - b)[n >> 1]!;
    console.info(`sky sources: n=${n}, mean flux ${mean.toFixed(1)} ± ${(sd / Math.sqrt(n)).toFixed(1)} ADU, scatter ${sd.toFixed(1)} (median error ${medianErr.toFixed(1)})`);
    expect(Math.abs(mean)).toBeLessThan(3 * (sd / Math.sqrt(n)));
    // The scatter is the noise: the reported errors describe it.
    expect(sd / medianErr).toBeGreaterThan(0.7);
    expect(sd / medianErr).toBeLessThan(1.5);
  });

  it('fills base_LocalPhotoCalib and base_LocalWcs for every source', () => {
    const src = result.outputCat;
    const local = src.getColumn('base_LocalPhotoCalib') as Float64Array;
    const cd11 = src.getColumn('base_LocalWcs_CDMatrix_1_1') as Float64Array;
    const mean = result.outputExposure.getPhotoCalib()!.getCalibrationMean();
    const scaleRad = (0.2 / 3600) * (Math.PI / 180);
    for (let i = 0; i < src.length; i++) {
      expect(local[i]).toBeCloseTo(mean, 9);
      expect(Math.abs(Math.abs(cd11[i]!) / scaleRad - Math.cos((8 * Math.PI) / 180))).toBeLessThan(2e-3);
    }
  });

  it('returns the background list with detection’s re-estimate appended', () => {
    expect(result.outputBackground.length).toBe(inputBackgroundLength + 1);
  });

  it('copies calib_psf_* from icSrc and sets calib_detected', async () => {
    const icSchema = SourceCatalog.makeMinimalSchema();
    for (const name of ['calib_psf_candidate', 'calib_psf_used', 'calib_psf_reserved']) icSchema.addField({ name, type: 'Flag', doc: name });
    // A centroid slot for the icSrc catalog: two fields and the alias.
    icSchema.addField({ name: 'c_x', type: 'D', doc: 'x' });
    icSchema.addField({ name: 'c_y', type: 'D', doc: 'y' });
    icSchema.getAliasMap().set('slot_Centroid', 'c');
    const bright = scene.stars.filter((s) => s.flux > 1e5);
    const ic = new SourceCatalog(icSchema, { length: bright.length });
    ic.setColumn('c_x', Float64Array.from(bright, (s) => s.x + 0.3));
    ic.setColumn('c_y', Float64Array.from(bright, (s) => s.y - 0.2));
    ic.setColumn('calib_psf_used', Uint8Array.from(bright, (_, i) => (i % 2 === 0 ? 1 : 0)));
    const { exposure, background } = characterizedByHand(scene);
    const config = simConfig();
    config.doAstrometry = false;
    config.doPhotoCal = false;
    config.doSkySources = false;
    const task = new CalibrateTask({ config, icSourceSchema: icSchema });
    const res = (await task.run({ exposure, background, icSourceCat: ic })).getDict();
    const src = res.outputCat;
    const detected = src.getColumn('calib_detected') as Uint8Array;
    const used = src.getColumn('calib_psf_used') as Uint8Array;
    const nChild = src.getColumn('deblend_nChild') as Int32Array;
    let nDetected = 0;
    let nUsed = 0;
    for (let i = 0; i < src.length; i++) {
      const r = src.get(i);
      // a deblended parent is never matched (as LSST): its children are
      if (nChild[i]! > 0) {
        expect(detected[i]).toBe(0);
        continue;
      }
      const k = bright.findIndex((s) => (s.x + 0.3 - r.getX()) ** 2 + (s.y - 0.2 - r.getY()) ** 2 < 9);
      expect(detected[i]).toBe(k >= 0 ? 1 : 0);
      if (k >= 0) {
        nDetected++;
        expect(used[i]).toBe(k % 2 === 0 ? 1 : 0);
        nUsed += used[i]!;
      }
    }
    expect(nDetected).toBeGreaterThan(bright.length * 0.9);
    expect(nUsed).toBeGreaterThan(0);
    expect(() => new CalibrateTask({ config: simConfig(), icSourceSchema: SourceCatalog.makeMinimalSchema() })).toThrow(CalibrateError);
  });

  it('fails with requireAstrometry when the reference catalog does not cover the exposure', async () => {
    const { exposure, background } = characterizedByHand(scene);
    const empty = new ReferenceObjectLoader([]);
    const task = new CalibrateTask({ config: simConfig(), astromRefObjLoader: empty, photoRefObjLoader: empty });
    await expect(task.run({ exposure, background })).rejects.toThrow(CalibrateError);
  });

  it('runQuantum builds the loaders from the deferred reference catalog handles', async () => {
    const { exposure, background } = characterizedByHand(scene);
    const dataIdOf = (values: Record<string, number>): { get(k: string): number } => ({ get: (k: string) => values[k]! });
    const shardRefs = scene.shards.map((s) => new DeferredDatasetRef({ dataId: dataIdOf({ htm7: s.htm7Id }) } as never));
    const handles = scene.shards.map((s) => ({ get: () => s.load() }));
    const put: Record<string, unknown> = {};
    const butlerQC = {
      quantum: { dataId: dataIdOf({ visit: 12, detector: 3 }), inputs: new Map(), outputs: new Map() },
      get: () => Promise.resolve({ exposure, background, icSourceCat: undefined, astromRefCat: handles, photoRefCat: handles }),
      put: (values: object, refs: object) => {
        const items = values instanceof Struct ? (values as Struct).getDict() : (values as Record<string, unknown>);
        for (const name of Object.keys(refs)) put[name] = (items as Record<string, unknown>)[name];
        return Promise.resolve();
      },
    } as unknown as QuantumContext;
    const task = new CalibrateTask({ config: simConfig() });
    const outputRefs = { outputExposure: {}, outputCat: {}, outputBackground: {}, matches: {}, matchesDenormalized: {} } as never;
    await task.runQuantum(butlerQC, { astromRefCat: shardRefs, photoRefCat: shardRefs } as never, outputRefs);
    expect(Object.keys(put).sort()).toEqual(['matches', 'matchesDenormalized', 'outputBackground', 'outputCat', 'outputExposure']);
    const pc = (put['outputExposure'] as Exposure).getPhotoCalib()!;
    expect(Math.abs(pc.getCalibrationMean() / TRUTH_CALIBRATION - 1)).toBeLessThan(0.01);
    const matches = put['matches'] as SourceCatalog;
    expect(matches.length).toBeGreaterThan(50);
    expect(matches.schema.contains('first') && matches.schema.contains('second') && matches.schema.contains('distance')).toBe(true);
  }, 60_000);
});
