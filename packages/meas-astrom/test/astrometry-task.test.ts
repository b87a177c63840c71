// AstrometryTask end to end on a synthetic exposure: load (in-memory shards), select, match,
// fit, iterate; the fitted WCS against the truth; persistence of the matches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exposure, FilterLabel } from '@skystack/afw-image';
import type { SimpleCatalog } from '@skystack/afw-table';
import { BaseCatalog } from '@skystack/afw-table';
import {
  AstrometryConfig,
  AstrometryTask,
  denormalizeMatches,
  makeMatchCatalog,
  MeasAstromInvalidArgumentError,
  MeasAstromMatchError,
  ReferenceObjectLoader,
  refCatShardsFromCatalogs,
  shardReferenceCatalog,
  unpackMatches,
} from '../src/index.js';
import { makeScene, makeSourceSchema, SPURIOUS_ID_OFFSET, wcsRmsDifferenceMas, type Scene } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'meas-astrom-task-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setup(scene: Scene, wcs = scene.initialWcs): { exposure: Exposure; loader: ReferenceObjectLoader } {
  const exposure = Exposure.make('float32', scene.bbox);
  exposure.setWcs(wcs);
  exposure.setFilter(FilterLabel.fromBandPhysical('r', 'SIM-R'));
  return { exposure, loader: new ReferenceObjectLoader(refCatShardsFromCatalogs(shardReferenceCatalog(scene.refCat))) };
}

describe('AstrometryTask', () => {
  const schema = makeSourceSchema();
  const task0 = new AstrometryTask({ schema }); // adds calib_astrometry_used to the schema
  const scene = makeScene({ width: 2048, height: 2048, nInside: 300, seed: 31 }, schema);

  it('solves the WCS from a perturbed initial WCS to < 5 mas RMS with >= 95% of the true matches', async () => {
    const { exposure, loader } = setup(scene);
    task0.setRefObjLoader(loader);
    const result = await task0.run(scene.sourceCat, exposure);
    const truePairs = Array.from(scene.truthRefId).filter((r) => r > 0n).length;
    const good = result.matches.filter((m) => m.first.getId() === m.second.getId() && m.second.getId() < SPURIOUS_ID_OFFSET).length;
    expect(result.matches.length - good).toBe(0);
    expect(good / truePairs).toBeGreaterThanOrEqual(0.95);
    const fitted = exposure.getWcs()!;
    expect(fitted).not.toBe(scene.initialWcs);
    expect(wcsRmsDifferenceMas(fitted, scene.truthWcs, scene.bbox)).toBeLessThan(5);
    expect(wcsRmsDifferenceMas(scene.initialWcs, scene.truthWcs, scene.bbox)).toBeGreaterThan(5000);
    // Statistics: distances ~ centroid noise (0.02 px = 4 mas per axis).
    expect(result.scatterOnSky!.asMilliarcseconds()).toBeLessThan(8);
    expect(result.matchStats.distMean.asMilliarcseconds()).toBeLessThan(8);
    expect(result.matchStats.n).toBe(result.matches.length);
    expect(task0.metadata.get('numMatches')).toBe(result.matches.length);
    // Sources got their coordinates and the used flag; references their centroids.
    const src = result.matches[0]!.second;
    expect(src.getCoord().separation(fitted.pixelToSky(src.getX(), src.getY())).asMilliarcseconds()).toBeLessThan(1e-6);
    expect(src.get('calib_astrometry_used')).toBe(true);
    const used = scene.sourceCat.getColumn('calib_astrometry_used') as Uint8Array;
    expect(used.reduce((s, v) => s + v, 0)).toBe(result.matches.length);
    const ref = result.matches[0]!.first;
    expect(ref.get('centroid_x') as number).toBeCloseTo(fitted.skyToPixel(ref.getCoord()).x, 9);
    expect(result.matchMeta['SMATCHV']).toBe(1);
    expect(result.matchMeta['FILTER']).toBe('r');
    expect(result.matchMeta['RADIUS']).toBeGreaterThan(0.1);

    // srcMatch: the normalised form, written and read back, relinked by ID.
    const srcMatch = makeMatchCatalog(result.matches, result.matchMeta);
    expect(srcMatch.schema.getNames()).toEqual(['first', 'second', 'distance']);
    const path = join(dir, 'srcMatch.fits');
    await srcMatch.writeFits(path);
    const back = await BaseCatalog.readFits(path);
    expect(back.length).toBe(result.matches.length);
    expect(back.getMetadata().get('SMATCHV')).toBe(1);
    const relinked = unpackMatches(back, result.refCat as SimpleCatalog, scene.sourceCat);
    expect(relinked.map((m) => m.second.getId())).toEqual(result.matches.map((m) => m.second.getId()));
    // The denormalised form.
    const denorm = denormalizeMatches(result.matches, result.matchMeta);
    expect(denorm.schema.contains('ref_coord_ra')).toBe(true);
    expect(denorm.schema.contains('src_base_SdssCentroid_x')).toBe(true);
    expect(denorm.get(3).get('ref_id')).toBe(result.matches[3]!.first.getId());
    expect(denorm.get(3).get('src_slot_Centroid_x')).toBe(result.matches[3]!.second.getX());
    expect(denorm.get(3).get('distance')).toBe(result.matches[3]!.distance.asRadians());
  });

  it('with forceKnownWcs matches without fitting and keeps the WCS', async () => {
    const { exposure, loader } = setup(scene, scene.truthWcs);
    const config = new AstrometryConfig();
    config.forceKnownWcs = true;
    const result = await new AstrometryTask({ config, refObjLoader: loader }).run(scene.sourceCat, exposure);
    expect(result.scatterOnSky).toBeNull();
    expect(exposure.getWcs()).toBe(scene.truthWcs);
    expect(result.matches.every((m) => m.first.getId() === m.second.getId())).toBe(true);
  });

  it('says clearly when there are too few matches', async () => {
    // Only 3 reference objects in the field.
    const few = makeScene({ width: 2048, height: 2048, nInside: 3, fracOutside: 0, fracSpuriousSources: 0, seed: 33 });
    const { exposure, loader } = setup(few, few.truthWcs);
    const task = new AstrometryTask({ refObjLoader: loader });
    const run = task.run(few.sourceCat, exposure);
    await expect(run).rejects.toThrow(MeasAstromMatchError);
    await expect(task.run(few.sourceCat, exposure)).rejects.toThrow(/found 3 matches, need at least 6: check the initial WCS or the reference catalog's coverage/);
  });

  it('refuses an exposure without a WCS, or no loader', async () => {
    const exposure = Exposure.make('float32', scene.bbox);
    await expect(new AstrometryTask({ refObjLoader: setup(scene).loader }).run(scene.sourceCat, exposure)).rejects.toThrow(/has no WCS/);
    await expect(new AstrometryTask().run(scene.sourceCat, setup(scene).exposure)).rejects.toThrow(MeasAstromInvalidArgumentError);
  });
});
