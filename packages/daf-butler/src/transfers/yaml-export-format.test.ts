import { readFileSync } from 'node:fs';
import { ConvexPolygon } from '@skystack/geom';
import { fixturePath } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import type { DatasetRef } from '../datasets/dataset-ref.js';
import type { DatasetType } from '../datasets/dataset-type.js';
import { DimensionUniverse } from '../dimensions/universe.js';
import { ExportFormatError } from '../errors.js';
import type { CollectionType } from '../registry/collection-type.js';
import type { DimensionRecordInput, Registry } from '../registry/registry.js';
import { taiNsFromIsoTai } from '../time/astro-time.js';
import { Timespan } from '../time/timespan.js';
import { importYaml } from './yaml-export-format.js';

/** Records every write; enough of a Registry for importYaml, no database. */
class RecordingRegistry {
  readonly universe = DimensionUniverse.default();
  readonly records = new Map<string, Record<string, unknown>[]>();
  readonly calls: string[] = [];
  readonly types = new Map<string, DatasetType>();
  readonly refs: DatasetRef[] = [];

  insertDimensionData(element: string, records: readonly DimensionRecordInput[], options?: { skipExisting?: boolean }): Promise<void> {
    this.calls.push(`insert ${element} ${records.length} skip=${String(options?.skipExisting)}`);
    this.records.set(element, [...(this.records.get(element) ?? []), ...(records as Record<string, unknown>[])]);
    return Promise.resolve();
  }
  registerRun(name: string): Promise<boolean> {
    this.calls.push(`run ${name}`);
    return Promise.resolve(true);
  }
  registerCollection(name: string, type: CollectionType): Promise<boolean> {
    this.calls.push(`collection ${name} ${type}`);
    return Promise.resolve(true);
  }
  setCollectionChain(name: string, children: readonly string[]): Promise<void> {
    this.calls.push(`chain ${name} ${children.join(',')}`);
    return Promise.resolve();
  }
  registerDatasetType(t: DatasetType): Promise<boolean> {
    this.calls.push(`datasetType ${t.name}`);
    this.types.set(t.name, t);
    return Promise.resolve(true);
  }
  getDatasetType(name: string): Promise<DatasetType> {
    const t = this.types.get(name);
    return t ? Promise.resolve(t) : Promise.reject(new Error(`no dataset type ${name}`));
  }
  importDatasets(refs: readonly DatasetRef[]): Promise<DatasetRef[]> {
    this.calls.push(`import ${refs.length}`);
    this.refs.push(...refs);
    return Promise.resolve([...refs]);
  }
  associate(collection: string, refs: readonly DatasetRef[]): Promise<void> {
    this.calls.push(`associate ${collection} ${refs.length}`);
    return Promise.resolve();
  }
  certify(collection: string, refs: readonly DatasetRef[]): Promise<void> {
    this.calls.push(`certify ${collection} ${refs.length}`);
    return Promise.resolve();
  }
}

const fixture = (name: string): string | undefined =>
  fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'tests', 'registry_data', name);

function load(name: string): string {
  return readFileSync(fixture(name)!, 'utf8');
}

const asRegistry = (r: RecordingRegistry): Registry => r as unknown as Registry;

const HEADER = 'description: Butler Data Repository Export\nuniverse_version: 8\nuniverse_namespace: daf_butler\n';

describe('importYaml version checks', () => {
  it('rejects another major version and a newer minor version, accepts 0 and 1.0.x', async () => {
    const r = new RecordingRegistry();
    await expect(importYaml(asRegistry(r), `${HEADER}version: 2.0.0\ndata: []\n`)).rejects.toThrow(/version=2\.0\.0 \(1\.x\.x required\)/);
    await expect(importYaml(asRegistry(r), `${HEADER}version: 1.1.0\ndata: []\n`)).rejects.toThrow(ExportFormatError);
    await expect(importYaml(asRegistry(r), `${HEADER}version: 1.1.0\ndata: []\n`)).rejects.toThrow(/newer/);
    expect((await importYaml(asRegistry(r), `${HEADER}version: 0\ndata: []\n`)).formatVersion).toBe('1.0.0');
    expect((await importYaml(asRegistry(r), `${HEADER}version: 1.0.1\ndata: []\n`)).formatVersion).toBe('1.0.1');
  });

  it('names unknown item types', async () => {
    const r = new RecordingRegistry();
    await expect(importYaml(asRegistry(r), `${HEADER}version: 1.0.2\ndata:\n- type: potato\n`)).rejects.toThrow(/potato/);
  });
});

describe.skipIf(fixture('base.yaml') === undefined)('importYaml on daf_butler registry_data fixtures', () => {
  it('base.yaml + datasets.yaml: records, runs, datasets with their UUIDs', async () => {
    const r = new RecordingRegistry();
    await importYaml(asRegistry(r), load('base.yaml'));
    expect(r.records.get('detector')).toHaveLength(4);
    expect([...r.types.keys()].sort()).toEqual(['bias', 'flat']);
    expect(r.types.get('flat')!.isCalibration).toBe(true);
    const summary = await importYaml(asRegistry(r), load('datasets.yaml'));
    expect(summary.runs).toEqual(['imported_g', 'imported_r']);
    // datasets.yaml header: bias 1-3 + flat 2-4 in imported_g; bias 2-4 + flat 1-4 in imported_r.
    expect(summary.datasets).toBe(13);
    expect(r.refs.find((ref) => ref.id === 'e15ab039-bc8b-4135-87c5-90902a7c0b22')?.dataId.get('detector')).toBe(1);
    // Runs are registered before any dataset is imported.
    expect(r.calls.indexOf('run imported_r')).toBeLessThan(r.calls.findIndex((c) => c.startsWith('import')));
  });

  it('spatial.yaml: datetime_begin/end become timespans, regions are decoded', async () => {
    const r = new RecordingRegistry();
    await importYaml(asRegistry(r), load('spatial.yaml'));
    const visit1 = r.records.get('visit')!.find((v) => v['id'] === 1)!;
    const ts = visit1['timespan'] as Timespan;
    expect(ts).toBeInstanceOf(Timespan);
    expect(ts.begin).toBe(taiNsFromIsoTai('2021-09-09 03:00:00'));
    expect(ts.end).toBe(taiNsFromIsoTai('2021-09-09 03:01:00'));
    expect(visit1['region']).toBeInstanceOf(ConvexPolygon);
    expect(visit1).not.toHaveProperty('datetime_begin');
    // Dimension records go in universe order: day_obs before visit, tract before patch.
    const order = r.calls.filter((c) => c.startsWith('insert')).map((c) => c.split(' ')[1]);
    expect(order.indexOf('day_obs')).toBeLessThan(order.indexOf('visit'));
    expect(order.indexOf('tract')).toBeLessThan(order.indexOf('patch'));
    expect(r.calls.every((c) => !c.startsWith('insert') || c.endsWith('skip=true'))).toBe(true);
  });

  it('hsc-rc2-subset-v0.yaml: converts universe-0 records as daf_butler does', async () => {
    const r = new RecordingRegistry();
    const summary = await importYaml(asRegistry(r), load('hsc-rc2-subset-v0.yaml'));
    expect(summary.universeVersion).toBe(0);
    // visit_system -> visit_system_membership (one per visit).
    expect(r.records.get('visit_system_membership')).toEqual([
      { instrument: 'HSC', visit_system: 0, visit: 11690 },
      { instrument: 'HSC', visit_system: 0, visit: 23868 },
    ]);
    const visits = r.records.get('visit')!;
    expect(visits.every((v) => !('seeing' in v) && !('visit_system' in v))).toBe(true);
    // day_obs derived from datetime_begin (UTC in the file, + 35 s to TAI; same day).
    expect(visits.map((v) => v['day_obs'])).toEqual([20141118, 20150318]);
    // exposure group_name -> group record.
    expect(r.records.get('group')).toEqual([{ instrument: 'HSC', name: '903342' }]);
    const exposure = r.records.get('exposure')![0]!;
    expect(exposure['group']).toBe('903342');
    expect(exposure).not.toHaveProperty('group_id');
    // day_obs records for every day named, without timespans.
    const days = r.records.get('day_obs')!;
    expect(days.map((d) => d['id']).sort()).toEqual([20130617, 20141118, 20150318]);
    expect(days.every((d) => d['timespan'] === null)).toBe(true);
    expect(summary.warnings.some((w) => w.includes('Constructing day_obs records with no timespans'))).toBe(true);
    // Native YAML timestamps (UTC) become TAI timespans.
    expect((visits[0]!['timespan'] as Timespan).begin).toBe(taiNsFromIsoTai('2014-11-18 12:57:22.112'));
    // !!binary skymap hash.
    const hash = r.records.get('skymap')![0]!['hash'];
    expect(hash).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(hash as Uint8Array).toString('base64')).toBe('4p/p8QCONZ82o2d+fWnMQ5N20eY=');
  });

  it('ci_hsc-subset.yaml and lsstcam-subset.yaml read without loss', async () => {
    const r = new RecordingRegistry();
    const s1 = await importYaml(asRegistry(r), load('ci_hsc-subset.yaml'));
    expect(s1.datasets).toBe(33);
    expect(s1.warnings).toEqual([]);
    const s2 = await importYaml(asRegistry(r), load('lsstcam-subset.yaml'));
    expect(s2.warnings).toEqual([]);
    expect(r.records.get('visit_system_membership')!.length).toBeGreaterThan(0);
  });
});
