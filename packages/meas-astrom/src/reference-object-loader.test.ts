import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimpleCatalog } from '@skystack/afw-table';
import { Angle, Box2D, Box2I, Extent2I, HtmPixelization, Point2I, SpherePoint } from '@skystack/geom';
import { makeRandom, truthWcsFor } from '../test/synthetic.js';
import { MeasAstromInvalidArgumentError, MeasAstromRefcatNotFoundError } from './errors.js';
import {
  LoadReferenceObjectsConfig,
  makeRefCatSchema,
  ReferenceObjectLoader,
  refCatShardsFromCatalogs,
  refCatShardsFromDirectory,
  shardReferenceCatalog,
} from './reference-object-loader.js';

const dir = mkdtempSync(join(tmpdir(), 'meas-astrom-refcat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 20000 stars uniformly on a 1.2 x 1.2 degree patch around the detector (150.1, 2.2).
const { uniform } = makeRandom(4);
const N = 20000;
const all = new SimpleCatalog(makeRefCatSchema(['g', 'r'], { addProperMotion: true }), { length: N });
all.setColumn('id', Array.from({ length: N }, (_, i) => BigInt(i + 1)));
all.setColumn('coord_ra', Array.from({ length: N }, () => ((149.5 + 1.2 * uniform()) * Math.PI) / 180));
all.setColumn('coord_dec', Array.from({ length: N }, () => ((1.6 + 1.2 * uniform()) * Math.PI) / 180));
all.setColumn('r_flux', Array.from({ length: N }, () => 1e5 * (1 + uniform())));
all.setColumn('g_flux', Array.from({ length: N }, () => 2e5 * (1 + uniform())));
all.setColumn('epoch', new Array<number>(N).fill(57388)); // 2016.0

// Shard files written here, independently of the package: HTM level-7 index of each star.
const htm = new HtmPixelization(7);
const ra = all.getColumn('coord_ra') as Float64Array;
const dec = all.getColumn('coord_dec') as Float64Array;
const byShard = new Map<number, number[]>();
for (let i = 0; i < N; i++) {
  const id = htm.indexLonLat(Angle.fromRadians(ra[i]!), Angle.fromRadians(dec[i]!));
  if (!byShard.has(id)) byShard.set(id, []);
  byShard.get(id)!.push(i);
}
const written = (async () => {
  for (const [id, rows] of byShard) {
    const shard = new SimpleCatalog(all.schema, { length: rows.length });
    for (const f of all.schema) {
      const from = all.getColumn(f.name);
      shard.setColumn(f.name, rows.map((r) => (from as Float64Array)[r]!) as never);
    }
    await shard.writeFits(join(dir, `${id}.fits`));
  }
})();

const wcs = truthWcsFor(4000, 4000);
const bbox = Box2D.fromBox2I(Box2I.fromCorner(new Point2I(0, 0), new Extent2I(4000, 4000)));

function bruteForceBox(margin: number): Set<bigint> {
  const padded = bbox.dilatedBy(margin);
  const { x, y } = wcs.skyToPixelArray(ra, dec);
  const ids = new Set<bigint>();
  for (let i = 0; i < N; i++) if (padded.contains(x[i]!, y[i]!)) ids.add(BigInt(i + 1));
  return ids;
}

describe('ReferenceObjectLoader', () => {
  it('loads exactly the stars inside the padded box from HTM7 shard files', async () => {
    await written;
    const shards = await refCatShardsFromDirectory(dir);
    expect(shards.length).toBe(byShard.size);
    const loader = new ReferenceObjectLoader(shards);
    const { refCat, fluxField } = await loader.loadPixelBox(bbox, wcs, 'r');
    expect(fluxField).toBe('r_flux');
    const expected = bruteForceBox(250);
    const got = new Set(refCat.getColumn('id') as BigInt64Array);
    expect(got.size).toBe(refCat.length);
    expect([...got].sort()).toEqual([...expected].sort());
    expect(expected.size).toBeGreaterThan(500);
    // Centroids through the WCS.
    const r0 = refCat.get(10);
    const p = wcs.skyToPixel(r0.getCoord());
    expect(r0.get('centroid_x')).toBeCloseTo(p.x, 9);
    expect(r0.get('slot_Centroid_y')).toBeCloseTo(p.y, 9);
    expect(r0.get('hasCentroid')).toBe(true);
  });

  it('loads the same from in-memory shards, with a configured pixelMargin', async () => {
    const config = new LoadReferenceObjectsConfig();
    config.pixelMargin = 0;
    const loader = new ReferenceObjectLoader(refCatShardsFromCatalogs(shardReferenceCatalog(all)), { config });
    const { refCat } = await loader.loadPixelBox(bbox, wcs, 'r');
    expect([...(refCat.getColumn('id') as BigInt64Array)].sort()).toEqual([...bruteForceBox(0)].sort());
  });

  it('loadSkyCircle returns exactly the stars within the radius', async () => {
    await written;
    const loader = new ReferenceObjectLoader(await refCatShardsFromDirectory(dir));
    const center = SpherePoint.fromDegrees(150.0, 2.1);
    const radius = Angle.fromArcminutes(12);
    const { refCat } = await loader.loadSkyCircle(center, radius, 'g');
    const expected: bigint[] = [];
    for (let i = 0; i < N; i++) if (center.separation(SpherePoint.fromRadians(ra[i]!, dec[i]!)).asRadians() <= radius.asRadians()) expected.push(BigInt(i + 1));
    expect([...(refCat.getColumn('id') as BigInt64Array)].sort()).toEqual(expected.sort());
  });

  it('maps camera filters with filterMap and anyFilterMapsToThis', async () => {
    const shards = refCatShardsFromCatalogs(shardReferenceCatalog(all));
    const mapped = new LoadReferenceObjectsConfig();
    mapped.filterMap = { 'HSC-R': 'r' };
    const a = await new ReferenceObjectLoader(shards, { config: mapped }).loadPixelBox(bbox, wcs, 'HSC-R');
    expect(a.fluxField).toBe('HSC-R_camFlux');
    expect(a.refCat.getColumn(a.fluxField)).toEqual(a.refCat.getColumn('r_flux'));
    const any = new LoadReferenceObjectsConfig();
    any.anyFilterMapsToThis = 'g';
    const b = await new ReferenceObjectLoader(shards, { config: any }).loadPixelBox(bbox, wcs, 'whatever');
    expect(b.fluxField).toBe('g_flux');
    await expect(new ReferenceObjectLoader(shards).loadPixelBox(bbox, wcs, 'z')).rejects.toThrow(/Could not find flux field\(s\) z_camFlux, z_flux/);
    const both = new LoadReferenceObjectsConfig();
    both.filterMap = { r: 'r' };
    both.anyFilterMapsToThis = 'g';
    expect(() => new ReferenceObjectLoader(shards, { config: both })).toThrow(MeasAstromInvalidArgumentError);
  });

  it('refuses a region no shard covers', async () => {
    const loader = new ReferenceObjectLoader(refCatShardsFromCatalogs(shardReferenceCatalog(all)));
    await expect(loader.loadSkyCircle(SpherePoint.fromDegrees(10, -40), Angle.fromDegrees(0.1), 'r')).rejects.toThrow(MeasAstromRefcatNotFoundError);
  });

  it('applies proper motions to the requested epoch', async () => {
    const one = new SimpleCatalog(all.schema, { length: 1 });
    one.setColumn('id', [1n]);
    one.setColumn('coord_ra', [(150.1 * Math.PI) / 180]);
    one.setColumn('coord_dec', [(2.2 * Math.PI) / 180]);
    one.setColumn('r_flux', [1]);
    one.setColumn('epoch', [57388]);
    one.setColumn('pm_dec', [Angle.fromMilliarcseconds(100).asRadians()]); // 100 mas/yr north
    const loader = new ReferenceObjectLoader(refCatShardsFromCatalogs(shardReferenceCatalog(one)));
    const center = SpherePoint.fromDegrees(150.1, 2.2);
    const { refCat } = await loader.loadSkyCircle(center, Angle.fromArcminutes(1), 'r', { epoch: 57388 + 365.25 * 10 });
    const moved = refCat.get(0).getCoord();
    expect(moved.getDec().asDegrees() - 2.2).toBeCloseTo(1 / 3600, 10);
    expect(moved.getRa().asDegrees()).toBeCloseTo(150.1, 10);
  });
});
