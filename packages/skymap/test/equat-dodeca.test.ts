/**
 * EquatSkyMap and DodecaSkyMap, with the expectations of lsst.skymap's tests/test_equatSkyMap.py
 * and tests/test_dodecaSkyMap.py (tract counts, neighbour separations, findTract near borders,
 * config changes changing the SHA1), plus containment of random points and config loading.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Angle, Point2D, SpherePoint } from '@skystack/geom';
import { describe, expect, it } from 'vitest';
import {
  DodecaSkyMap,
  EquatSkyMap,
  loadSkyMapConfig,
  makeDodecaSkyMapConfig,
  makeEquatSkyMapConfig,
  makeSkyMap,
  parseSkyMapConfig,
  RingsSkyMap,
  SkymapConfigError,
  SkymapInvalidArgumentError,
  type BaseSkyMap,
} from '../src/index.js';

const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

/** A deterministic uniform random point on the sphere (mulberry32). */
function randomPoints(n: number, seed: number, decMinDeg = -90, decMaxDeg = 90): SpherePoint[] {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const z0 = Math.sin((decMinDeg * Math.PI) / 180);
  const z1 = Math.sin((decMaxDeg * Math.PI) / 180);
  return Array.from({ length: n }, () => SpherePoint.fromRadians(2 * Math.PI * rand(), Math.asin(z0 + (z1 - z0) * rand())));
}

function expectFoundTractContains(skyMap: BaseSkyMap, points: readonly SpherePoint[]): void {
  for (const p of points) {
    const tract = skyMap.findTract(p);
    expect(tract.contains(p), `${p.toString()} in tract ${tract.getId()}`).toBe(true);
    const patch = tract.findPatch(p);
    const px = tract.getWcs().skyToPixel(p);
    expect(patch.getInnerBBox().contains(Math.floor(px.x + 0.5), Math.floor(px.y + 0.5))).toBe(true);
  }
}

describe('EquatSkyMap', () => {
  it('has lsst.skymap defaults: CEA, 4 tracts, decRange ±1.25', () => {
    const skyMap = new EquatSkyMap(makeEquatSkyMapConfig());
    expect(skyMap.config.projection).toBe('CEA');
    expect(skyMap.length).toBe(4);
    expect(skyMap.config.decRange).toEqual([-1.25, 1.25]);
  });

  it.each([1, 2, 4, 25])('has numTracts = %i tracts; the SHA1 changes with the config', (numTracts) => {
    const def = new EquatSkyMap(makeEquatSkyMapConfig());
    const skyMap = new EquatSkyMap(makeEquatSkyMapConfig({ numTracts }));
    expect(skyMap.length).toBe(numTracts);
    expect(skyMap.equals(def)).toBe(numTracts === 4);
  });

  it('includes decRange, tractOverlap, patchBorder and patch size in the SHA1 and is stable', () => {
    const def = new EquatSkyMap(makeEquatSkyMapConfig());
    expect(hex(def.getSha1())).toBe(hex(new EquatSkyMap(makeEquatSkyMapConfig()).getSha1()));
    expect(hex(def.getSha1())).toMatch(/^[0-9a-f]{40}$/);
    for (const o of [{ decRange: [-1.3, 0.5] as const }, { tractOverlap: 0.01 }, { patchBorder: 101 }, { patchInnerDimensions: [1005, 2032] as const }]) {
      expect(new EquatSkyMap(makeEquatSkyMapConfig(o)).equals(def)).toBe(false);
    }
  });

  it('spaces tract centres by 360/numTracts in RA at the middle of the band (testTractSeparation)', () => {
    for (const numTracts of [2, 4, 25]) {
      for (const [minDec, delta] of [[-45, 2], [-2.5, 17], [32, 2]] as const) {
        const skyMap = new EquatSkyMap(makeEquatSkyMapConfig({ numTracts, decRange: [minDec, minDec + delta] }));
        for (const t of skyMap) {
          expect(t.getCtrCoord().getRa().asDegrees()).toBeCloseTo((360 / numTracts) * (t.getId() + 0.5), 9);
          expect(t.getCtrCoord().getDec().asDegrees()).toBeCloseTo(minDec + delta / 2, 9);
        }
      }
    }
  });

  it('is symmetric about the equator: patch rows span constant Dec (testSymmetry)', () => {
    for (const minDec of [-5, -1, 0.5]) {
      const skyMap = new EquatSkyMap(makeEquatSkyMapConfig({ decRange: [minDec, minDec + 2] }));
      const tract = skyMap.get(0);
      const wcs = tract.getWcs();
      const { x: nx, y: ny } = tract.getNumPatches();
      const low: number[] = [];
      const high: number[] = [];
      for (const xi of [0, Math.floor(nx / 2), nx - 1]) {
        const lo = tract.getPatchInfo([xi, 0]).getOuterBBox();
        const hi = tract.getPatchInfo([xi, ny - 1]).getOuterBBox();
        for (const x of [lo.minX - 0.5, lo.maxX + 0.5]) low.push(wcs.pixelToSky(new Point2D(x, lo.minY - 0.5)).getDec().asDegrees());
        for (const x of [hi.minX - 0.5, hi.maxX + 0.5]) high.push(wcs.pixelToSky(new Point2D(x, hi.maxY + 0.5)).getDec().asDegrees());
      }
      for (const d of low) expect(d).toBeCloseTo(low[0]!, 9);
      for (const d of high) expect(d).toBeCloseTo(high[0]!, 9);
      expect(low[0]!).toBeLessThanOrEqual(minDec);
      expect(high[0]!).toBeGreaterThanOrEqual(minDec + 2);
    }
  });

  it('finds the nearer tract on each side of a border (testFindTract)', () => {
    for (const numTracts of [2, 4]) {
      const skyMap = new EquatSkyMap(makeEquatSkyMapConfig({ numTracts }));
      const [d0, d1] = skyMap.config.decRange;
      const decs = [d0 * 0.999 + d1 * 0.901, (d0 + d1) / 2, d0 * 0.091 + d1 * 0.999];
      for (const t0 of skyMap) {
        for (const t1 of [skyMap.get((t0.getId() + numTracts - 1) % numTracts), skyMap.get((t0.getId() + 1) % numTracts)]) {
          for (const delta of [-0.001, 0.001]) {
            const v0 = t0.getCtrCoord().getVector();
            const v1 = t1.getCtrCoord().getVector();
            const ra = SpherePoint.fromVector(
              v0.x * (0.5 + delta) + v1.x * (0.5 - delta),
              v0.y * (0.5 + delta) + v1.y * (0.5 - delta),
              v0.z * (0.5 + delta) + v1.z * (0.5 - delta),
            ).getRa();
            for (const dec of decs) {
              const p = new SpherePoint(ra, Angle.fromDegrees(dec));
              expect(skyMap.findTract(p).getId()).toBe(delta > 0 ? t0.getId() : t1.getId());
            }
          }
        }
      }
    }
  });

  it('puts 2000 random points of the band in the tract (and patch) findTract returns', () => {
    const skyMap = new EquatSkyMap(makeEquatSkyMapConfig({ numTracts: 8, decRange: [-2, 3] }));
    expectFoundTractContains(skyMap, randomPoints(2000, 7, -2, 3));
  });
});

describe('DodecaSkyMap', () => {
  const skyMap = new DodecaSkyMap(makeDodecaSkyMapConfig());
  // dodecahedron: neighbouring face centres are 180° − dihedral angle apart (lsst.skymap's test).
  const neighbourSep = 180 - (2 * Math.atan((1 + Math.sqrt(5)) / 2) * 180) / Math.PI;

  it('has 12 tracts and lsst.skymap DodecaSkyMapConfig defaults', () => {
    expect(skyMap.length).toBe(12);
    expect(skyMap.config.tractOverlap).toBe(3.5);
    expect(skyMap.config.pixelScale).toBe(0.2);
    expect(skyMap.config.projection).toBe('STG');
    expect(skyMap.config.tractBuilder).toEqual({ name: 'legacy', patchInnerDimensions: [4000, 4000], patchBorder: 250 });
  });

  it.each([false, true])('withTractsOnPoles=%s: each tract has 5 neighbours at 180° − dihedral, 5 vertices', (onPoles) => {
    const m = new DodecaSkyMap(makeDodecaSkyMapConfig({ withTractsOnPoles: onPoles }));
    for (const t of m) {
      const n = [...m].filter((o) => Math.abs(o.getCtrCoord().separation(t.getCtrCoord()).asDegrees() - neighbourSep) < 0.1);
      expect(n.length).toBe(5);
      expect(t.getVertexList().length).toBe(5);
    }
    // Numbering: decreasing latitude band, then increasing RA.
    const decs = [...m].map((t) => t.getCtrCoord().getDec().asDegrees());
    for (let i = 1; i < 12; i++) expect(Math.round(decs[i]! * 10)).toBeLessThanOrEqual(Math.round(decs[i - 1]! * 10));
    const poleIsFace = [...m].some((t) => Math.abs(t.getCtrCoord().getDec().asDegrees()) > 89.999999);
    expect(poleIsFace).toBe(onPoles);
    if (onPoles) {
      expect(m.get(0).getCtrCoord().getDec().asDegrees()).toBeCloseTo(90, 9);
      expect(m.get(11).getCtrCoord().getDec().asDegrees()).toBeCloseTo(-90, 9);
    } else {
      expect(m.findTract(SpherePoint.fromDegrees(10, 89.99)).getId()).toBeLessThan(3);
      expect(m.findTract(SpherePoint.fromDegrees(10, -89.99)).getId()).toBeGreaterThan(8);
    }
  });

  it('includes withTractsOnPoles in the SHA1 (testSha1Compare) and is stable', () => {
    const poles = new DodecaSkyMap(makeDodecaSkyMapConfig({ withTractsOnPoles: true }));
    expect(poles.equals(skyMap)).toBe(false);
    expect(hex(skyMap.getSha1())).toBe(hex(new DodecaSkyMap(makeDodecaSkyMapConfig()).getSha1()));
  });

  it('finds the nearest face near the border of three neighbouring faces (testFindTract)', () => {
    const vec = (t: { getCtrCoord(): SpherePoint }): [number, number, number] => {
      const v = t.getCtrCoord().getVector();
      return [v.x, v.y, v.z];
    };
    const near = (a: SpherePoint, b: SpherePoint): boolean => Math.abs(a.separation(b).asDegrees() - neighbourSep) < 0.1;
    for (const t0 of skyMap) {
      const nbrs = [...skyMap].filter((o) => near(o.getCtrCoord(), t0.getCtrCoord()));
      for (const t1 of nbrs) {
        for (const t2 of nbrs) {
          if (t2.getId() <= t1.getId() || !near(t1.getCtrCoord(), t2.getCtrCoord())) continue;
          for (const delta of [-0.001, 0.001]) {
            for (const boundary1 of [true, false]) {
              const expected = delta > 0 ? t0.getId() : boundary1 ? t1.getId() : t2.getId();
              for (const far of [0, 0.05, 0.3, 1 / 3 - 0.01]) {
                const rem = 1 - far;
                const f0 = rem / 2 + delta;
                const fb = rem / 2 - delta;
                const [f1, f2] = boundary1 ? [fb, far] : [far, fb];
                const [a, b, c] = [vec(t0), vec(t1), vec(t2)];
                const p = SpherePoint.fromVector(
                  a[0] * f0 + b[0] * f1 + c[0] * f2,
                  a[1] * f0 + b[1] * f1 + c[1] * f2,
                  a[2] * f0 + b[2] * f1 + c[2] * f2,
                );
                const found = skyMap.findTract(p);
                expect(found.getId()).toBe(expected);
                expect(found.contains(p)).toBe(true);
              }
            }
          }
        }
      }
    }
  });

  it.each([false, true])('withTractsOnPoles=%s: 5000 random points are in the tract (and patch) findTract returns', (onPoles) => {
    expectFoundTractContains(new DodecaSkyMap(makeDodecaSkyMapConfig({ withTractsOnPoles: onPoles })), randomPoints(5000, onPoles ? 3 : 5));
  });
});

describe('makeSkyMap and config files', () => {
  it('makes equat and dodeca sky maps by registry name', () => {
    expect(makeSkyMap({ name: 'equat', numTracts: 6 })).toBeInstanceOf(EquatSkyMap);
    expect(makeSkyMap({ name: 'dodeca', withTractsOnPoles: true }).equals(new DodecaSkyMap(makeDodecaSkyMapConfig({ withTractsOnPoles: true })))).toBe(true);
  });

  it('loads YAML and JSON files to the same sky map as the config makers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skymap-config-'));
    writeFileSync(join(dir, 'hsc.yaml'), 'name: rings\nnumRings: 120\nprojection: TAN\ntractOverlap: 0.016666666666666666\npixelScale: 0.168\n');
    writeFileSync(join(dir, 'cells.json'), JSON.stringify({ name: 'rings', projection: 'TAN', tractOverlap: 1 / 60, pixelScale: 0.2, tractBuilder: { name: 'cells' } }));
    writeFileSync(join(dir, 'equat.yml'), 'name: equat\nnumTracts: 3\ndecRange: [-2, 2]\npatchBorder: 50\n');
    const hsc = makeSkyMap(await loadSkyMapConfig(join(dir, 'hsc.yaml')));
    expect(hsc).toBeInstanceOf(RingsSkyMap);
    expect(Buffer.from(hsc.getSha1()).toString('base64')).toBe('4p/p8QCONZ82o2d+fWnMQ5N20eY=');
    expect(makeSkyMap(await loadSkyMapConfig(join(dir, 'cells.json'))).equals(makeSkyMap('lsst_cells_v1'))).toBe(true);
    const equat = makeSkyMap(await loadSkyMapConfig(join(dir, 'equat.yml')));
    expect(equat.equals(new EquatSkyMap(makeEquatSkyMapConfig({ numTracts: 3, decRange: [-2, 2], patchBorder: 50 })))).toBe(true);
    await expect(loadSkyMapConfig(join(dir, 'skymap.py'))).rejects.toBeInstanceOf(SkymapConfigError);
  });

  it('rejects unknown classes, fields and tract builders with typed errors listing what is allowed', () => {
    const fail = (f: () => unknown): SkymapConfigError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(SkymapConfigError);
        return e as SkymapConfigError;
      }
      throw new Error('did not throw');
    };
    expect(fail(() => makeSkyMap(parseSkyMapConfig('name: healpix\n'))).allowed).toEqual(['rings', 'discrete', 'equat', 'dodeca']);
    const e = fail(() => makeSkyMap(parseSkyMapConfig('{"name": "dodeca", "numRings": 3}', 'json')));
    expect(e.code).toBe('SKYMAP_CONFIG');
    expect(e.allowed).toContain('withTractsOnPoles');
    expect(e.message).toContain('numRings');
    expect(fail(() => makeSkyMap(parseSkyMapConfig('name: rings\ntractBuilder: {name: hex}\n'))).allowed).toEqual(['legacy', 'cells']);
    expect(fail(() => makeSkyMap(parseSkyMapConfig('name: rings\ntractBuilder: {name: cells, border: 3}\n'))).allowed).toContain('cellBorder');
    expect(fail(() => parseSkyMapConfig('- 1\n- 2\n')).code).toBe('SKYMAP_CONFIG');
    expect(fail(() => parseSkyMapConfig('{name: ', 'json')).code).toBe('SKYMAP_CONFIG');
    expect(() => makeSkyMap({ name: 'equat', numTracts: 0 })).toThrow(SkymapInvalidArgumentError);
  });
});
