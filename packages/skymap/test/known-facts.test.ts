/**
 * Known facts of lsst.skymap's named sky maps (reference §5.3), checked against the real
 * registry export of daf_butler (hsc-rc2-subset-v0.yaml) where it has them.
 */
import { readFileSync } from 'node:fs';
import { SpherePoint, UnitVector3d } from '@skystack/geom';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import {
  DiscreteSkyMap,
  makeDiscreteSkyMapConfig,
  makeRingsSkyMapConfig,
  makeSkyMap,
  type RingsSkyMap,
  SkymapIndexError,
  SkymapInvalidArgumentError,
  SkymapLookupError,
  type TractInfo,
} from '../src/index.js';

const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');
const COSMOS = SpherePoint.fromDegrees(150.11917, 2.20583);

describe('hsc_rings_v1', () => {
  const skyMap = makeSkyMap('hsc_rings_v1') as RingsSkyMap;

  it('has 18938 tracts and the registry SHA1', () => {
    expect(skyMap.length).toBe(18938);
    expect(b64(skyMap.getSha1())).toBe('4p/p8QCONZ82o2d+fWnMQ5N20eY=');
    expect(Buffer.from(skyMap.getSha1()).toString('hex')).toBe('e29fe9f1008e359f36a3677e7d69cc439376d1e6');
  });

  it('has the ring layout of the reference', () => {
    const nums = skyMap.getRingNums();
    expect(nums.slice(0, 5)).toEqual([10, 16, 22, 29, 35]);
    expect(nums[59]).toBe(243);
    expect(nums[60]).toBe(243);
    expect(skyMap.getRingSize().asDegrees()).toBeCloseTo(1.487603305785124, 12);
    expect(skyMap.getRingIndices(9813)).toEqual([61, 101]);
    expect(skyMap.getRingIndices(9469)).toEqual([60, 0]);
    expect(skyMap.getRingIndices(18937)).toEqual([120, 0]);
  });

  it.each([
    [0, 0, 9469],
    [359.9, -0.1, 9226],
    [180, 0.5, 9591],
    [45, -45, 2721],
    [10, -89.9, 0],
    [10, 89.9, 18937],
  ])('findTract(%f, %f) = %i', (ra, dec, id) => {
    expect(skyMap.findTract(SpherePoint.fromDegrees(ra, dec)).getId()).toBe(id);
  });

  it('puts COSMOS in tract 9813, patch (5, 4) = 41', () => {
    const tract = skyMap.findTract(COSMOS);
    expect(tract.getId()).toBe(9813);
    expect(tract.getNumPatches()).toEqual({ x: 9, y: 9 });
    expect(tract.getBBox().getWidth()).toBe(36000);
    expect(tract.getWcs().getPixelOrigin().x).toBe(17999);
    const c = tract.getCtrCoord();
    expect(c.getRa().asDegrees()).toBeCloseTo(150.2479338843, 9);
    expect(c.getDec().asDegrees()).toBeCloseTo(2.2314049587, 9);
    const patch = tract.findPatch(COSMOS);
    expect(patch.getIndex()).toEqual({ x: 5, y: 4 });
    expect(patch.getSequentialIndex()).toBe(41);
    expect(tract.getSequentialPatchIndex(patch)).toBe(41);
    expect(tract.getPatchInfo(41).getIndex()).toEqual({ x: 5, y: 4 });
    expect(tract.getPatchInfo([5, 4]).getSequentialIndex()).toBe(41);
    expect(tract.contains(COSMOS)).toBe(true);
    expect(tract.contains(SpherePoint.fromDegrees(330.2479, -2.23))).toBe(false); // the antipode
    expect(tract.findPatchList([SpherePoint.fromDegrees(330.2479, -2.23)])).toEqual([]);
  });

  it('patch boxes: inner 4000, border 100 clipped at the tract edge', () => {
    const tract = skyMap.get(9813);
    const p0 = tract.getPatchInfo(0);
    expect(p0.getInnerBBox().toString()).toBe('Box2I(minimum=Point2I(0, 0), dimensions=Extent2I(4000, 4000))');
    expect(p0.getOuterBBox().toString()).toBe('Box2I(minimum=Point2I(0, 0), dimensions=Extent2I(4100, 4100))');
    const p40 = tract.getPatchInfo(40);
    expect(p40.getOuterBBox().toString()).toBe('Box2I(minimum=Point2I(15900, 15900), dimensions=Extent2I(4200, 4200))');
    expect([...tract].map((p) => p.getSequentialIndex())).toEqual([...Array(81).keys()]);
    expect(() => tract.getPatchInfo([9, 0])).toThrow(SkymapIndexError);
    expect(() => tract.findPatch(SpherePoint.fromDegrees(0, 0))).toThrow(SkymapLookupError);
  });

  it('findTractPatchList covers a region across patches', () => {
    const corners = [SpherePoint.fromDegrees(150.0, 2.1), SpherePoint.fromDegrees(150.2, 2.3)];
    const list = skyMap.findTractPatchList(corners);
    expect(list.map(([t]) => t.getId())).toEqual([9813]);
    const ids = list[0]![1].map((p) => p.getSequentialIndex()).sort((a, b) => a - b);
    expect(ids).toContain(41);
    expect(skyMap.findClosestTractPatchList(corners).map(([t]) => t.getId())).toEqual([9813]);
  });

  it('findTractIdArray agrees with findTract', () => {
    const ra = [0, 359.9, 180, 45, 150.11917];
    const dec = [0, -0.1, 0.5, -45, 2.20583];
    expect([...skyMap.findTractIdArray(ra, dec, true)]).toEqual([9469, 9226, 9591, 2721, 9813]);
  });
});

// ---- registry rows (real lsst.sphgeom encodings) ----

const exportFile = fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'tests', 'registry_data', 'hsc-rc2-subset-v0.yaml');

function decodeConvexPolygon(hex: string): UnitVector3d[] {
  const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  expect(bytes[0]).toBe(0x70);
  const view = new DataView(bytes.buffer, 1);
  const out: UnitVector3d[] = [];
  for (let o = 0; o + 24 <= bytes.length - 1; o += 24) {
    out.push(UnitVector3d.fromNormalized(view.getFloat64(o, true), view.getFloat64(o + 8, true), view.getFloat64(o + 16, true)));
  }
  return out;
}

interface Row {
  element: string;
  fields: Record<string, string>;
  vertices: UnitVector3d[];
}

function readRows(text: string): Row[] {
  const rows: Row[] = [];
  let element = '';
  let fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const el = /^ {2}element: (\w+)/.exec(line) ?? /^ {4}element: (\w+)/.exec(line);
    if (el) element = el[1]!;
    if (/^ {6}- /.test(line)) fields = {};
    const kv = /^ {6}[- ] (\w+): (\S+)$/.exec(line);
    if (kv) fields[kv[1]!] = kv[2]!;
    const enc = /^\s+encoded: ([0-9a-f]+)$/.exec(line);
    if (enc) rows.push({ element, fields: { ...fields }, vertices: decodeConvexPolygonVertices(enc[1]!) });
  }
  return rows;
}
const decodeConvexPolygonVertices = decodeConvexPolygon;

/** Max over vertices of the distance (degrees) to the nearest vertex of the other polygon. */
function maxVertexDistanceDeg(a: readonly UnitVector3d[], b: readonly UnitVector3d[]): number {
  let worst = 0;
  for (const v of a) {
    let best = Infinity;
    for (const w of b) best = Math.min(best, SpherePoint.fromUnitVector(v).separation(SpherePoint.fromUnitVector(w)).asDegrees());
    worst = Math.max(worst, best);
  }
  return worst;
}

describe.skipIf(exportFile === undefined)('registry rows of hsc-rc2-subset-v0.yaml', () => {
  const rows = exportFile === undefined ? [] : readRows(readFileSync(exportFile, 'utf8'));
  const skyMap = makeSkyMap('hsc_rings_v1');
  const tractRegion = (t: TractInfo): UnitVector3d[] => [...t.getOuterSkyPolygon().getVertices()];

  it.each([9813, 9615])('tract %i outer polygon matches to 1e-6 degree', (id) => {
    const row = rows.find((r) => r.element === 'tract' && r.fields['id'] === String(id));
    expect(row).toBeDefined();
    const ours = tractRegion(skyMap.get(id));
    expect(row!.vertices).toHaveLength(4);
    expect(maxVertexDistanceDeg(ours, row!.vertices)).toBeLessThan(1e-6);
    expect(maxVertexDistanceDeg(row!.vertices, ours)).toBeLessThan(1e-6);
  });

  it.each([
    [9813, 72],
    [9615, 14],
  ])('tract %i patch %i: cell_x/cell_y and outer polygon match to 1e-6 degree', (tractId, patchId) => {
    const row = rows.find((r) => r.element === 'patch' && r.fields['tract'] === String(tractId) && r.fields['id'] === String(patchId));
    expect(row).toBeDefined();
    const patch = skyMap.get(tractId).getPatchInfo(patchId);
    expect(patch.getIndex()).toEqual({ x: Number(row!.fields['cell_x']), y: Number(row!.fields['cell_y']) });
    const ours = [...patch.getOuterSkyPolygon().getVertices()];
    expect(maxVertexDistanceDeg(ours, row!.vertices)).toBeLessThan(1e-6);
    expect(maxVertexDistanceDeg(row!.vertices, ours)).toBeLessThan(1e-6);
  });
});

describe('DC2 and lsst_cells_v1', () => {
  it('DC2 tract 3828 patch (3, 3) = 24 is centred where ci_imsim puts it', () => {
    const dc2 = makeSkyMap('DC2');
    expect(dc2.length).toBe(18938);
    const tract = dc2.get(3828);
    expect(tract.getBBox().getWidth()).toBe(28000);
    expect(tract.getNumPatches()).toEqual({ x: 7, y: 7 });
    const patch = tract.getPatchInfo(24);
    expect(patch.getIndex()).toEqual({ x: 3, y: 3 });
    const c = tract.getWcs().pixelToSky(patch.getInnerBBox().getCenter());
    expect(c.getRa().asDegrees()).toBeCloseTo(56.64971166122064, 9);
    expect(c.getDec().asDegrees()).toBeCloseTo(-36.44625321395279, 9);
    expect(dc2.findTract(SpherePoint.fromDegrees(55.064, -29.783)).getId()).toBe(4638);
    expect(b64(dc2.getSha1())).toBe('Hl+oX+JCYGQmUo9fe42/Acuq/54=');
  });

  it('lsst_cells_v1: 10 × 10 patches of 3000 px with an unclipped 200 px border; ECDFS in 5063 (4, 1) = 14', () => {
    const m = makeSkyMap('lsst_cells_v1');
    const ecdfs = SpherePoint.fromDegrees(53.13, -28.1);
    const tract = m.findTract(ecdfs);
    expect(tract.getId()).toBe(5063);
    expect(tract.getBBox().getWidth()).toBe(30000);
    expect(tract.getNumPatches()).toEqual({ x: 10, y: 10 });
    const patch = tract.findPatch(ecdfs);
    expect(patch.getIndex()).toEqual({ x: 4, y: 1 });
    expect(patch.getSequentialIndex()).toBe(14);
    expect(tract.getPatchInfo(0).getOuterBBox().getMinX()).toBe(-200);
    expect(patch.getNumCells()).toEqual({ x: 22, y: 22 });
    expect(b64(m.getSha1())).toBe('4nNuQSRN8Au9uTrsrArkstGd2pE=');
  });
});

describe('configs and DiscreteSkyMap', () => {
  it('has lsst.skymap defaults', () => {
    const c = makeRingsSkyMapConfig();
    expect(c).toMatchObject({ tractOverlap: 1, pixelScale: 0.333, projection: 'STG', rotation: 0, numRings: 120, raStart: 0 });
    expect(c.tractBuilder).toEqual({ name: 'legacy', patchInnerDimensions: [4000, 4000], patchBorder: 100 });
    expect(makeRingsSkyMapConfig({ patchBorder: 50 }).tractBuilder).toMatchObject({ patchBorder: 50 });
    expect(() => makeRingsSkyMapConfig({ numRings: 0 })).toThrow(SkymapInvalidArgumentError);
    expect(() => makeDiscreteSkyMapConfig({ raList: [1], decList: [], radiusList: [1] })).toThrow(SkymapInvalidArgumentError);
    expect(() => makeSkyMap('nope' as 'DC2')).toThrow(SkymapInvalidArgumentError);
  });

  it('ci_imsim discrete sky map: one tract centred on DC2 3828/24', () => {
    const m = new DiscreteSkyMap(
      makeDiscreteSkyMapConfig({
        raList: [56.64971166122064],
        decList: [-36.4462532139528],
        radiusList: [6.4 / 9],
        projection: 'TAN',
        pixelScale: 0.2,
        tractOverlap: 0,
      }),
    );
    expect(m.length).toBe(1);
    const t = m.get(0);
    expect(t.contains(SpherePoint.fromDegrees(56.65, -36.45))).toBe(true);
    expect(m.findTract(SpherePoint.fromDegrees(50, -30)).getId()).toBe(0);
    expect(t.getVertexList()).toHaveLength(4);
    expect(m.getSha1()).toHaveLength(20);
    expect(() => m.get(1)).toThrow(SkymapIndexError);
  });

  it('makeSkyMap accepts a description', () => {
    const m = makeSkyMap({ name: 'rings', numRings: 3, projection: 'TAN' }) as RingsSkyMap;
    expect(m.length).toBe(m.getRingNums().reduce((a, b) => a + b, 0) + 2);
  });
});
