// Dataset IDs against Python's uuid module (/usr/bin/python3), which is what daf_butler uses:
// uuid.uuid5 for DATAID_TYPE / DATAID_TYPE_RUN over "dataset_type=<name>[,run=<run>],<k>=<v>..."
// with the required data ID items sorted by key.
import { existsSync } from 'node:fs';
import { CI, PYTHON, runPythonJson } from '@skystack/test-support';
import { describe, expect, it } from 'vitest';
import { DataCoordinate } from '../dimensions/data-coordinate.js';
import { DimensionUniverse } from '../dimensions/universe.js';
import { DatasetIdGenEnum, DatasetRef, DATASET_ID_NAMESPACE, makeDatasetId, normalizeUuid, uuid5, uuid7 } from './dataset-ref.js';
import { DatasetType } from './dataset-type.js';

const universe = DimensionUniverse.default();
const havePython = existsSync(PYTHON) || CI;

const UUID5_CASES: [string, string][] = [
  ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'lsst.org'],
  ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'],
  ['6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://www.lsst.org/'],
  [DATASET_ID_NAMESPACE, ''],
  [DATASET_ID_NAMESPACE, 'dataset_type=raw,detector=10,exposure=903342,instrument=HSC'],
  [DATASET_ID_NAMESPACE, 'données/étoile ✓ 星'],
  ['00000000-0000-0000-0000-000000000000', 'x'.repeat(1000)],
];

interface DatasetCase {
  readonly datasetType: string;
  readonly dimensions: readonly string[];
  readonly dataId: Readonly<Record<string, string | number>>;
  readonly run: string;
}

const DATASET_CASES: DatasetCase[] = [
  { datasetType: 'raw', dimensions: ['exposure', 'detector'], dataId: { instrument: 'HSC', exposure: 903342, detector: 10 }, run: 'HSC/raw/all' },
  { datasetType: 'calexp', dimensions: ['visit', 'detector'], dataId: { instrument: 'HSC', visit: 903342, detector: 10 }, run: 'HSC/runs/RC2/w_2024_10' },
  {
    datasetType: 'deepCoadd_calexp',
    dimensions: ['tract', 'patch', 'band'],
    dataId: { skymap: 'hsc_rings_v1', tract: 9813, patch: 40, band: 'i' },
    run: 'u/someone/coadd',
  },
  { datasetType: 'bias', dimensions: ['detector'], dataId: { instrument: 'LSSTCam', detector: 94 }, run: 'LSSTCam/calib/run1' },
  { datasetType: 'skyMap', dimensions: ['skymap'], dataId: { skymap: 'hsc_rings_v1' }, run: 'skymaps' },
  { datasetType: 'camera', dimensions: ['instrument'], dataId: { instrument: 'HSC' }, run: 'HSC/calib/unbounded' },
];

const PY_SCRIPT = String.raw`
import json, sys, uuid
cases = json.loads(sys.stdin.read())
ns = uuid.uuid5(uuid.NAMESPACE_DNS, "lsst.org")
def dataset_id(c, with_run):
    items = [("dataset_type", c["datasetType"])]
    if with_run:
        items.append(("run", c["run"]))
    for name, value in sorted(c["required"].items()):
        items.append((name, str(value)))
    return str(uuid.uuid5(ns, ",".join(f"{k}={v}" for k, v in items)))
print(json.dumps({
    "namespace": str(ns),
    "uuid5": [str(uuid.uuid5(uuid.UUID(n), s)) for n, s in cases["uuid5"]],
    "type": [dataset_id(c, False) for c in cases["datasets"]],
    "typeRun": [dataset_id(c, True) for c in cases["datasets"]],
}))
`;

interface PyResult {
  namespace: string;
  uuid5: string[];
  type: string[];
  typeRun: string[];
}

function datasetOf(c: DatasetCase): { datasetType: DatasetType; dataId: DataCoordinate } {
  const datasetType = new DatasetType(c.datasetType, c.dimensions, 'StructuredDataDict', { universe });
  return { datasetType, dataId: DataCoordinate.standardize(c.dataId, { universe, dimensions: datasetType.dimensions }) };
}

describe.skipIf(!havePython)("dataset IDs against Python's uuid module", () => {
  const py = havePython
    ? runPythonJson<PyResult>(PY_SCRIPT, [], {
        uuid5: UUID5_CASES,
        datasets: DATASET_CASES.map((c) => ({ ...c, required: datasetOf(c).dataId.required })),
      })
    : { namespace: '', uuid5: [], type: [], typeRun: [] };

  it('the namespace is uuid5(NAMESPACE_DNS, "lsst.org")', () => {
    expect(py.namespace).toBe(DATASET_ID_NAMESPACE);
    expect(uuid5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'lsst.org')).toBe(DATASET_ID_NAMESPACE);
  });

  it.each(UUID5_CASES.map((c, i) => [i, ...c] as const))('uuid5 case %i', (i, ns, name) => {
    expect(uuid5(ns, name)).toBe(py.uuid5[i]);
  });

  it.each(DATASET_CASES.map((c, i) => [c.datasetType, i] as const))('DATAID_TYPE and DATAID_TYPE_RUN for %s', (_name, i) => {
    const c = DATASET_CASES[i]!;
    const { datasetType, dataId } = datasetOf(c);
    expect(makeDatasetId(datasetType, dataId, c.run, DatasetIdGenEnum.DATAID_TYPE)).toBe(py.type[i]);
    expect(makeDatasetId(datasetType, dataId, c.run, DatasetIdGenEnum.DATAID_TYPE_RUN)).toBe(py.typeRun[i]);
  });

  it('only required values enter the ID: known implied values do not change it', () => {
    const c = DATASET_CASES[1]!;
    const { datasetType, dataId } = datasetOf(c);
    const withImplied = DataCoordinate.standardize(
      { ...c.dataId, physical_filter: 'HSC-I', band: 'i', day_obs: 20130617 },
      { universe, dimensions: datasetType.dimensions },
    );
    expect(makeDatasetId(datasetType, withImplied, c.run, DatasetIdGenEnum.DATAID_TYPE)).toBe(py.type[1]);
    expect(makeDatasetId(datasetType, dataId, c.run, DatasetIdGenEnum.DATAID_TYPE)).toBe(py.type[1]);
  });
});

describe('makeDatasetId', () => {
  const { datasetType, dataId } = datasetOf(DATASET_CASES[0]!);

  it('DATAID_TYPE ignores the run; DATAID_TYPE_RUN does not', () => {
    const a = makeDatasetId(datasetType, dataId, 'run1', DatasetIdGenEnum.DATAID_TYPE);
    expect(makeDatasetId(datasetType, dataId, 'run2', DatasetIdGenEnum.DATAID_TYPE)).toBe(a);
    const r1 = makeDatasetId(datasetType, dataId, 'run1', DatasetIdGenEnum.DATAID_TYPE_RUN);
    const r2 = makeDatasetId(datasetType, dataId, 'run2', DatasetIdGenEnum.DATAID_TYPE_RUN);
    expect(r1).not.toBe(r2);
    expect(r1).not.toBe(a);
    for (const id of [a, r1, r2]) expect(id[14]).toBe('5');
  });

  it('UNIQUE gives a new version-7 UUID every time', () => {
    const a = makeDatasetId(datasetType, dataId, 'run1', DatasetIdGenEnum.UNIQUE);
    const b = makeDatasetId(datasetType, dataId, 'run1', DatasetIdGenEnum.UNIQUE);
    expect(a).not.toBe(b);
    expect(a[14]).toBe('7');
  });
});

describe('uuid7', () => {
  const RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('has version 7, the RFC variant, and the current Unix milliseconds in its first 48 bits', () => {
    const before = Date.now();
    const id = uuid7();
    const after = Date.now();
    expect(id).toMatch(RE);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('is unique and time-ordered across milliseconds', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(uuid7());
      await new Promise((r) => setTimeout(r, 3));
    }
    expect([...ids].sort()).toEqual(ids);
    const many = Array.from({ length: 2000 }, () => uuid7());
    expect(new Set(many).size).toBe(many.length);
    for (const id of many) expect(id).toMatch(RE);
  });
});

describe('normalizeUuid', () => {
  const canonical = '840b31d9-05cd-5161-b2c8-00d32b280d0f';
  it.each([
    canonical,
    canonical.toUpperCase(),
    `{${canonical}}`,
    canonical.replace(/-/g, ''),
    `urn:uuid:${canonical}`,
    `URN:UUID:${canonical.toUpperCase()}`,
    `  ${canonical}\n`,
  ])('accepts %j', (text) => {
    expect(normalizeUuid(text)).toBe(canonical);
  });

  it.each(['', 'not-a-uuid', canonical.slice(0, 35), `${canonical}0`, canonical.replace('8', 'g'), 'urn:uuid:'])('rejects %j', (text) => {
    expect(normalizeUuid(text)).toBeUndefined();
  });
});

describe('DatasetRef', () => {
  const { datasetType, dataId } = datasetOf(DATASET_CASES[1]!);
  const id = '0d2a7e3c-4b2f-4a8e-9c1d-1234567890ab';
  const ref = new DatasetRef(datasetType, dataId, 'HSC/runs/RC2/w_2024_10', id);

  it('is immutable and prints as daf_butler does', () => {
    expect(Object.isFrozen(ref)).toBe(true);
    expect(ref.toString()).toBe(
      `calexp@{instrument: 'HSC', detector: 10, visit: 903342} [sc=StructuredDataDict] (run=HSC/runs/RC2/w_2024_10 id=${id})`,
    );
  });

  it('equality is by ID and dataset type name', () => {
    expect(ref.equals(new DatasetRef(datasetType, dataId, 'other', id))).toBe(true);
    expect(ref.equals(new DatasetRef(datasetType, dataId, ref.run, uuid7()))).toBe(false);
    expect(ref.equals(ref.makeComponentRef('wcs', 'Wcs'))).toBe(false);
  });

  it('component refs keep the ID, run and data ID', () => {
    const wcs = ref.makeComponentRef('wcs', 'Wcs');
    expect(wcs.datasetType.name).toBe('calexp.wcs');
    expect(wcs.datasetType.storageClass).toBe('Wcs');
    expect(wcs.datasetType.parentStorageClass).toBe('StructuredDataDict');
    expect([wcs.id, wcs.run, wcs.dataId]).toEqual([ref.id, ref.run, ref.dataId]);
  });
});
