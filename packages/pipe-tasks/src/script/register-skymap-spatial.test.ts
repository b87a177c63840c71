// After `butler register-skymap` on a SimCam repository (obs-sim make-repo, small preset), the
// registry's spatial join relates visits to the tracts and patches they overlap: compared with a
// brute-force computation (visit = convex hull of its detectors' corners, patch = its outer box
// corners through the tract WCS, both in a gnomonic projection where great-circle edges are
// straight lines, overlap by the separating-axis test).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Butler, runButler } from '@skystack/daf-butler';
import { Box2D, type ConvexPolygon } from '@skystack/geom';
import { REPO_ROOT } from '@skystack/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { butlerCommands } from './butler-commands.js';
import { makeSkyMapConfigFrom } from './register-skymap.js';

type Vec = readonly [number, number, number];
type P2 = readonly [number, number];

// Two tracts over the SimCam field (RA 150°, Dec 2.2°, about 0.06° across), one partly off it,
// and one far away; 60″ patches, so a visit covers some patches of a tract and not others.
const CONFIG = `config.name = 'sim_discrete'
config.skyMap.name = 'discrete'
config.skyMap['discrete'].raList = [150.0, 150.04, 151.0]
config.skyMap['discrete'].decList = [2.2, 2.22, 2.2]
config.skyMap['discrete'].radiusList = [0.05, 0.03, 0.02]
config.skyMap['discrete'].pixelScale = 0.2
config.skyMap['discrete'].projection = 'TAN'
config.skyMap['discrete'].tractOverlap = 0.0
config.skyMap['discrete'].tractBuilder['legacy'].patchInnerDimensions = [300, 300]
config.skyMap['discrete'].tractBuilder['legacy'].patchBorder = 30
`;

let root = '';
let repo = '';
let configFile = '';
const quiet = { write: (): boolean => true };

function obsSim(args: readonly string[]): void {
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, ['--conditions=@skystack/source', join(REPO_ROOT, 'obs', 'obs-sim', 'src', 'cli', 'main.ts'), ...args], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`obs-sim ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'register-skymap-spatial-'));
  repo = join(root, 'repo');
  obsSim(['simulate', '--out', join(root, 'sim'), '--size', 'small', '--quiet']);
  obsSim(['make-repo', '--sim', join(root, 'sim'), '--repo', repo, '--quiet']);
  configFile = join(root, 'skymap.py');
  writeFileSync(configFile, CONFIG);
}, 180000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Gnomonic projection about the unit vector `c` (great circles become straight lines). */
function gnomonic(c: Vec): (v: Vec) => P2 {
  const [cx, cy, cz] = c;
  // East and north unit vectors at c.
  const en = Math.hypot(cx, cy);
  const e: Vec = [-cy / en, cx / en, 0];
  const n: Vec = [-cz * e[1], cz * e[0], cx * e[1] - cy * e[0]];
  return (v) => {
    const d = v[0] * cx + v[1] * cy + v[2] * cz;
    expect(d).toBeGreaterThan(0.9);
    return [(v[0] * e[0] + v[1] * e[1] + v[2] * e[2]) / d, (v[0] * n[0] + v[1] * n[1] + v[2] * n[2]) / d];
  };
}

/** The convex hull of planar points (Andrew's monotone chain), counter-clockwise. */
function hull(points: readonly P2[]): P2[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: P2, a: P2, b: P2): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: P2[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: P2[] = [];
  for (const q of p.reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** Whether two convex planar polygons overlap (no separating axis among their edge normals). */
function overlaps(a: readonly P2[], b: readonly P2[]): boolean {
  for (const poly of [a, b]) {
    for (let i = 0; i < poly.length; i++) {
      const [x0, y0] = poly[i]!;
      const [x1, y1] = poly[(i + 1) % poly.length]!;
      const nx = y0 - y1;
      const ny = x1 - x0;
      const proj = (q: readonly P2[]): [number, number] => {
        const d = q.map(([x, y]) => x * nx + y * ny);
        return [Math.min(...d), Math.max(...d)];
      };
      const [amin, amax] = proj(a);
      const [bmin, bmax] = proj(b);
      if (amax < bmin || bmax < amin) return false;
    }
  }
  return true;
}

describe('register-skymap on a SimCam repository, then visit × tract × patch', () => {
  it('relates each visit to exactly the tracts and patches its region overlaps', async () => {
    let err = '';
    const io = { stdout: quiet, stderr: { write: (t: string): boolean => ((err += t), true) } };
    expect(await runButler(['register-skymap', repo, '-C', configFile], io, { plugins: [{ butlerCommands }] })).toBe(0);
    expect(err).toMatch(/Registered sky map 'sim_discrete': 3 tracts/);

    const skyMap = (await makeSkyMapConfigFrom({ configFile })).makeSkyMap();
    const butler = await Butler.from(repo);
    try {
      // The registry's answer.
      const got = new Set((await butler.registry.queryDataIds(['visit', 'tract', 'patch']).toArray()).map((d) => `${d.get('visit')}/${d.get('tract')}/${d.get('patch')}`));

      // The brute-force answer: visit regions from their detectors' corners.
      const corners = new Map<number, Vec[]>();
      for (const r of await butler.registry.queryDimensionRecords('visit_detector_region').toArray()) {
        const list = corners.get(Number(r.fields['visit'])) ?? [];
        for (const v of (r.region as ConvexPolygon).getVertices()) list.push([v.x, v.y, v.z]);
        corners.set(Number(r.fields['visit']), list);
      }
      expect(corners.size).toBe(2);
      const c = skyMap.get(0).getCtrCoord().getVector();
      const project = gnomonic([c.x, c.y, c.z]);
      const expected = new Set<string>();
      let excludedInOverlappingTract = 0;
      for (const [visit, vs] of corners) {
        const visitPoly = hull(vs.map(project));
        for (const tract of skyMap) {
          const wcs = tract.getWcs();
          let any = false;
          for (const patch of tract) {
            const box = Box2D.fromBox2I(patch.getOuterBBox());
            const poly = hull(box.getCorners().map((p) => {
              const v = wcs.pixelToSky(p).getVector();
              return project([v.x, v.y, v.z]);
            }));
            if (overlaps(visitPoly, poly)) {
              expected.add(`${visit}/${tract.getId()}/${patch.getSequentialIndex()}`);
              any = true;
            } else excludedInOverlappingTract++;
          }
          if (!any) excludedInOverlappingTract -= tract.getNumPatches().x * tract.getNumPatches().y;
        }
      }
      // The test means something: both visits overlap patches of two tracts, not all of them.
      expect(expected.size).toBeGreaterThan(20);
      expect(new Set([...expected].map((k) => k.split('/')[1]))).toEqual(new Set(['0', '1']));
      expect(excludedInOverlappingTract).toBeGreaterThan(10);
      expect([...got].sort()).toEqual([...expected].sort());
    } finally {
      await butler.close();
    }

    // The same through `butler query-data-ids REPO visit tract patch`.
    let out = '';
    expect(await runButler(['query-data-ids', repo, 'visit', 'tract', 'patch'], { stdout: { write: (t: string): boolean => ((out += t), true) }, stderr: quiet })).toBe(0);
    const lines = out.trim().split('\n');
    const header = lines[0]!.trim().split(/\s+/);
    const rows = lines.slice(2).map((l) => l.trim().split(/\s+/));
    const col = (name: string): number => header.indexOf(name);
    const fromCli = new Set(rows.map((r) => `${r[col('visit')]}/${r[col('tract')]}/${r[col('patch')]}`));
    expect(fromCli.size).toBe(rows.length);
    const again = new Set((await (async () => {
      const b = await Butler.from(repo);
      try {
        return (await b.registry.queryDataIds(['visit', 'tract', 'patch']).toArray()).map((d) => `${d.get('visit')}/${d.get('tract')}/${d.get('patch')}`);
      } finally {
        await b.close();
      }
    })()));
    expect([...fromCli].sort()).toEqual([...again].sort());
  }, 60000);
});
