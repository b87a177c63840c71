/**
 * The seed tutorial's region, RA 60..61, Dec −33..−32, on the DC2 sky map: the tract/patch list
 * that findTractPatchList gives for its corners and edge midpoints, cross-checked by brute force.
 *
 * What is independent here:
 * - the region itself (an RA/Dec box, sampled on a 0.01° grid) and the sphgeom-style
 *   point-in-polygon and polygon/box relations of @skystack/geom;
 * - the ring arithmetic of reference §5.1/§5.3 (ring 38 has 207 tracts starting at id 4399, so
 *   DC2 tract 4431 is ring 38 tract 32, centred at RA 55.652°), which says which tract ids can
 *   cover RA 60..61 at Dec −32.5 (ring 38: 4433, 4434; ring 37, Dec −34.2..−32.7: its neighbours).
 * What is not: the patch outer polygons come from the package's own tract WCSs (themselves
 * checked against the registry rows of hsc-rc2-subset-v0.yaml in known-facts.test.ts), so the
 * brute force checks findTractPatchList's pixel-box search, not the WCS.
 */
import { LonLatBox, Relationship, SpherePoint, type ConvexPolygon } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { makeSkyMap, type RingsSkyMap } from '../src/index.js';

const RA = [60, 61] as const;
const DEC = [-33, -32] as const;

describe('seed tutorial region on DC2', () => {
  const skyMap = makeSkyMap('DC2') as RingsSkyMap;
  const coords: SpherePoint[] = [];
  for (const ra of [RA[0], (RA[0] + RA[1]) / 2, RA[1]]) for (const dec of [DEC[0], (DEC[0] + DEC[1]) / 2, DEC[1]]) coords.push(SpherePoint.fromDegrees(ra, dec));
  const found = skyMap.findTractPatchList(coords);
  const listed = new Set(found.flatMap(([t, ps]) => ps.map((p) => `${t.getId()}/${p.getSequentialIndex()}`)));

  it('lists the tracts that the ring layout puts there', () => {
    const ids = found.map(([t]) => t.getId());
    // ring 38: 207 tracts of 360/207 = 1.739° from RA 0; tract 4399 + n is centred at RA 1.739·n.
    expect(skyMap.getRingNums()[38]).toBe(207);
    expect(skyMap.getRingIndices(4431)).toEqual([38, 32]);
    expect(ids).toEqual(expect.arrayContaining([4433, 4434]));
    for (const id of ids) expect([37, 38]).toContain(skyMap.getRingIndices(id)[0]);
    expect(found.length).toBeGreaterThanOrEqual(2);
  });

  it('lists every patch whose outer polygon meets the region, and only patches that meet it', () => {
    const box = LonLatBox.fromDegrees(RA[0], DEC[0], RA[1], DEC[1]);
    // Candidate tracts: every tract of the sky map whose outer polygon is not disjoint from the box.
    const tracts = [...skyMap].filter((t) => (t.getOuterSkyPolygon().relate(box) & Relationship.DISJOINT) === 0);
    const grid: ReturnType<SpherePoint['getVector']>[] = [];
    for (let i = 0; i <= 100; i++) for (let j = 0; j <= 100; j++) grid.push(SpherePoint.fromDegrees(RA[0] + i / 100, DEC[0] + j / 100).getVector());
    const meets = new Set<string>();
    for (const t of tracts) {
      for (const p of t) {
        const poly: ConvexPolygon = p.getOuterSkyPolygon();
        if (grid.some((v) => poly.contains(v))) meets.add(`${t.getId()}/${p.getSequentialIndex()}`);
      }
    }
    expect(meets.size).toBeGreaterThan(0);
    for (const key of meets) expect(listed, `patch ${key} meets the region`).toContain(key);
    for (const [t, ps] of found) {
      for (const p of ps) {
        expect((p.getOuterSkyPolygon().relate(box) & Relationship.DISJOINT) === 0, `listed ${t.getId()}/${p.getSequentialIndex()}`).toBe(true);
      }
    }
  });
});
