/**
 * Property tests over 100,000 random sky points: every point is in exactly one tract's inner
 * region (the rings' RA/Dec boxes tile the sky), that tract contains it and is `findTract`'s
 * answer, and the point is in exactly one patch's inner box of that tract.
 */
import { Point2I, SpherePoint, UnitVector3d } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import { makeSkyMap, type RingsSkyMap } from '../src/index.js';

/** Deterministic uniform points on the sphere (mulberry32). */
function randomPoints(n: number, seed: number): { ra: Float64Array; dec: Float64Array } {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ra[i] = 2 * Math.PI * rand();
    dec[i] = Math.asin(2 * rand() - 1);
  }
  return { ra, dec };
}

describe('hsc_rings_v1 tiling', () => {
  const skyMap = makeSkyMap('hsc_rings_v1') as RingsSkyMap;
  const N = 100_000;
  const { ra, dec } = randomPoints(N, 20260422);

  it('every point is in exactly one tract inner region and exactly one patch inner box', { timeout: 120_000 }, () => {
    const ringNums = skyMap.getRingNums();
    const ringStart: number[] = [];
    ringNums.reduce((acc, n, i) => ((ringStart[i] = acc), acc + n), 1);
    let badTract = 0;
    let badPatch = 0;
    for (let i = 0; i < N; i++) {
      const coord = SpherePoint.fromRadians(ra[i]!, dec[i]!);
      const v = UnitVector3d.fromLonLatRadians(ra[i]!, dec[i]!);
      const found = skyMap.findTract(coord);
      // Candidates: the found tract's ring and neighbours, every tract of those rings near the
      // point's RA, and both caps.
      const candidates = new Set<number>([0, skyMap.length - 1]);
      const [ring] = skyMap.getRingIndices(found.getId());
      for (const r of [ring - 1, ring, ring + 1]) {
        if (r < 0 || r >= ringNums.length) continue;
        const n = ringNums[r]!;
        const t0 = Math.round((ra[i]! / (2 * Math.PI)) * n);
        for (const dt of [-1, 0, 1]) candidates.add(ringStart[r]! + (((t0 + dt) % n) + n) % n);
      }
      let count = 0;
      for (const id of candidates) if (skyMap.get(id).getInnerSkyRegion().contains(v)) count++;
      if (count !== 1 || !found.getInnerSkyRegion().contains(v) || !found.contains(coord)) badTract++;

      const p = found.getWcs().skyToPixel(coord);
      const pix = Point2I.fromPoint2D(p);
      let patches = 0;
      for (const patch of found) if (patch.getInnerBBox().contains(pix)) patches++;
      if (patches !== 1 || !found.findPatch(coord).getInnerBBox().contains(pix)) badPatch++;
    }
    expect(badTract).toBe(0);
    expect(badPatch).toBe(0);
  });

  it('neighbouring patch inner polygons share their edges exactly', () => {
    const tract = skyMap.get(9813);
    const key = (v: UnitVector3d): string => `${v.x},${v.y},${v.z}`;
    for (let y = 0; y < 9; y++) {
      for (let x = 0; x < 8; x++) {
        const a = new Set(tract.getPatchInfo([x, y]).getInnerSkyPolygon().getVertices().map(key));
        const b = tract.getPatchInfo([x + 1, y]).getInnerSkyPolygon().getVertices().map(key);
        expect(b.filter((k) => a.has(k))).toHaveLength(2);
      }
    }
  });

  it('tract ids run in ring order, RA increasing from raStart', () => {
    const ids = [1, 2, 3].map((id) => skyMap.get(id).getCtrCoord().getRa().asDegrees());
    expect(ids[0]).toBe(0);
    expect(ids[1]).toBeCloseTo(36, 9);
    expect(ids[2]).toBeCloseTo(72, 9);
    expect(skyMap.get(11).getCtrCoord().getDec().asDegrees()).toBeGreaterThan(skyMap.get(10).getCtrCoord().getDec().asDegrees());
  });
});
