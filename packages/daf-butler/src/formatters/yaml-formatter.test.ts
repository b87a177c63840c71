import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON, runPython } from '@skystack/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatterError, UnknownComponentError } from '../storage/errors.js';
import { StorageClassFactory } from '../storage/storage-class.js';
import { YamlFormatter, parseYamlLossless } from './yaml-formatter.js';

const dir = mkdtempSync(join(tmpdir(), 'yaml-formatter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sc = StorageClassFactory.default().getStorageClass('PropertyList');
const yaml = new YamlFormatter();
const hasPython = existsSync(PYTHON) && runPython('import importlib.util; print(importlib.util.find_spec("yaml") is not None)').trim() === 'True';
let n = 0;
const file = (): string => join(dir, `f${n++}.yaml`);

describe('YamlFormatter', () => {
  it('names itself as daf_butler records it', () => {
    expect([yaml.name, yaml.extension, yaml.canReadComponent('a')]).toEqual(['YamlFormatter', '.yaml', false]);
  });

  it('round-trips plain data, Maps and bigints', async () => {
    const path = file();
    const obj = { a: 1, b: [1, 2.5, 'x: y', null, true], c: { d: 'multi\nline' }, big: 2n ** 62n, small: 3n, nan: NaN, m: new Map([['k', 1]]) };
    await yaml.write(obj, path, { storageClass: sc, datasetTypeName: 'md', writeParameters: { unsafe_dump: true } });
    expect(await yaml.read(path, { storageClass: sc })).toEqual({ ...obj, small: 3, m: { k: 1 } });
    expect(readFileSync(path, 'utf8')).toContain('big: 4611686018427387904');
  });

  it('writes repeated objects without anchors', async () => {
    const path = file();
    const shared = { x: 1 };
    await yaml.write({ a: shared, b: shared }, path, { storageClass: sc, datasetTypeName: 'md' });
    expect(readFileSync(path, 'utf8')).not.toMatch(/[&*]a1/);
  });

  it.skipIf(!hasPython)("writes what Python's yaml.safe_load reads, and reads what yaml.dump writes", async () => {
    const path = file();
    await yaml.write({ big: 2n ** 64n, l: [1, 'two'], f: 0.5 }, path, { storageClass: sc, datasetTypeName: 'md' });
    expect(runPython('import yaml,sys; d=yaml.safe_load(open(sys.argv[1])); print(d["big"] == 2**64, d["l"], d["f"])', [path]).trim()).toBe("True [1, 'two'] 0.5");
    const py = file();
    runPython('import yaml,sys; yaml.dump({"a": {"b": [1, 2]}, "big": 2**63, "s": "x"}, open(sys.argv[1], "w"))', [py]);
    expect(await yaml.read(py, { storageClass: sc })).toEqual({ a: { b: [1, 2] }, big: 2n ** 63n, s: 'x' });
  });

  it('reads files with merge keys and tags it does not know', () => {
    expect(parseYamlLossless('base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\npoly: !<lsst.sphgeom.ConvexPolygon> {encoded: ab}\n')).toEqual({
      base: { x: 1 },
      child: { x: 1, y: 2 },
      poly: { encoded: 'ab' },
    });
  });

  it('returns a key of a mapping when asked for a component', async () => {
    const path = file();
    await yaml.write({ summary: { n: 1 } }, path, { storageClass: sc, datasetTypeName: 'md' });
    expect(await yaml.read(path, { storageClass: sc, component: 'summary' })).toEqual({ n: 1 });
    await expect(yaml.read(path, { storageClass: sc, component: 'nope' })).rejects.toThrow(UnknownComponentError);
  });

  it('says what is wrong with missing and malformed files', async () => {
    await expect(yaml.read(join(dir, 'nope.yaml'), { storageClass: sc })).rejects.toThrow(/does not exist/);
    const bad = file();
    writeFileSync(bad, 'a: [1, 2\nb: }\n');
    await expect(yaml.read(bad, { storageClass: sc })).rejects.toThrow(FormatterError);
    await expect(yaml.write(undefined, file(), { storageClass: sc, datasetTypeName: 'md' })).rejects.toThrow(/no YAML form/);
  });
});
