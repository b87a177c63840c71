/**
 * Interoperability with regions written by the real lsst.sphgeom: the ConvexPolygons encoded in
 * daf_butler's HSC registry export (tracts, patches, visits, visit-detector regions).
 */
import { readFileSync } from 'node:fs';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { ConvexPolygon } from './convex-polygon.js';
import { HtmPixelization } from './htm-pixelization.js';
import { Relationship } from './relationship.js';
import { UnitVector3d } from './unit-vector3d.js';

// Undefined (skip) when missing; under CI a missing fixture throws.
const exportFile = fixturePath('daf_butler', 'tests', 'data', 'registry', 'hsc-rc2-subset.yaml');
const present = exportFile !== undefined;

/** Decodes sphgeom's ConvexPolygon encoding: byte 0x70, then N × 3 little-endian float64. */
function decodeConvexPolygonVertices(hex: string): UnitVector3d[] {
  const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  expect(bytes[0]).toBe(0x70);
  expect((bytes.length - 1) % 24).toBe(0);
  const view = new DataView(bytes.buffer, 1);
  const out: UnitVector3d[] = [];
  for (let o = 0; o < bytes.length - 1; o += 24) {
    out.push(UnitVector3d.fromNormalized(view.getFloat64(o, true), view.getFloat64(o + 8, true), view.getFloat64(o + 16, true)));
  }
  return out;
}

interface EncodedRegion {
  element: string;
  fields: Record<string, string>;
  vertices: UnitVector3d[];
}

/** Scans the export YAML for `region: !<lsst.sphgeom.ConvexPolygon>` records. */
function readRegions(text: string): EncodedRegion[] {
  const regions: EncodedRegion[] = [];
  let element = '';
  let fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const el = /^ {2}element: (\w+)/.exec(line);
    if (el) element = el[1]!;
    if (/^ {2}- /.test(line)) fields = {};
    const kv = /^ {2}[- ] {1,2}(\w+): (\S+)$/.exec(line);
    if (kv) fields[kv[1]!] = kv[2]!;
    const enc = /^\s+encoded: ([0-9a-f]+)$/.exec(line);
    if (enc) regions.push({ element, fields: { ...fields }, vertices: decodeConvexPolygonVertices(enc[1]!) });
  }
  return regions;
}

describe.skipIf(!present)('regions written by lsst.sphgeom (daf_butler hsc-rc2-subset.yaml)', () => {
  const regions = present ? readRegions(readFileSync(exportFile!, 'utf8')) : [];

  it('decodes every polygon and accepts it as a strictly convex counter-clockwise polygon', () => {
    expect(regions.length).toBeGreaterThan(1000);
    const kinds = new Set(regions.map((r) => r.element));
    expect([...kinds].sort()).toEqual(['patch', 'tract', 'visit', 'visit_detector_region']);
    for (const r of regions) {
      const p = new ConvexPolygon(r.vertices);
      expect(p.contains(p.getCentroid())).toBe(true);
    }
  });

  it('each detector region lies within its visit region', () => {
    const visits = new Map<string, ConvexPolygon>();
    for (const r of regions) if (r.element === 'visit') visits.set(r.fields['id']!, new ConvexPolygon(r.vertices));
    let checked = 0;
    for (const r of regions) {
      if (r.element !== 'visit_detector_region') continue;
      const visit = visits.get(r.fields['visit']!);
      if (visit === undefined) continue;
      const det = new ConvexPolygon(r.vertices);
      expect(det.relate(visit) & Relationship.WITHIN).toBe(Relationship.WITHIN);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('patches overlap their tracts', () => {
    const tracts = new Map<string, ConvexPolygon>();
    for (const r of regions) if (r.element === 'tract') tracts.set(r.fields['id']!, new ConvexPolygon(r.vertices));
    for (const r of regions) {
      if (r.element !== 'patch') continue;
      expect(new ConvexPolygon(r.vertices).overlaps(tracts.get(r.fields['tract']!)!)).toBe(true);
    }
  });

  it('htm7 envelopes (the registry common skypix) hold the trixels of the vertices and of the centroid', () => {
    const htm7 = new HtmPixelization(7);
    for (const r of regions.filter((_, k) => k % 10 === 0)) {
      const p = new ConvexPolygon(r.vertices);
      const env = htm7.envelope(p);
      for (const v of [...r.vertices, p.getCentroid()]) expect(env.contains(htm7.index(v))).toBe(true);
      expect(env.containsAll(htm7.interior(p))).toBe(true);
      for (const v of r.vertices) {
        expect(p.getBoundingBox().contains(v)).toBe(true);
        expect(p.getBoundingCircle().contains(v)).toBe(true);
      }
    }
  });
});
