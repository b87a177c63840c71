import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON, runPython } from '@skystack/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatterError, UnknownComponentError } from '../storage/errors.js';
import { StorageClassFactory } from '../storage/storage-class.js';
import { Timespan } from '../time/timespan.js';
import { JsonFormatter, parseJson, stringifyJson } from './json-formatter.js';

const dir = mkdtempSync(join(tmpdir(), 'json-formatter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const storageClasses = StorageClassFactory.default();
const dict = storageClasses.getStorageClass('StructuredDataDict');
const timespanClass = storageClasses.getStorageClass('Timespan');
const json = new JsonFormatter();
const hasPython = existsSync(PYTHON);
let n = 0;
const file = (): string => join(dir, `f${n++}.json`);

async function roundTrip(obj: unknown, storageClass = dict): Promise<{ back: unknown; text: string }> {
  const path = file();
  await json.write(obj, path, { storageClass, datasetTypeName: 'test' });
  return { back: await json.read(path, { storageClass }), text: readFileSync(path, 'utf8') };
}

describe('JsonFormatter', () => {
  it('names itself as daf_butler records it', () => {
    expect([json.name, json.extension, json.canReadComponent('a'), json.supportedParameters.size]).toEqual(['JsonFormatter', '.json', false, 0]);
  });

  it('round-trips plain data', async () => {
    const obj = { a: 1, b: [1, 2.5, 'x', null, true], c: { d: 'é"\\\n' }, e: [] , f: {} };
    expect((await roundTrip(obj)).back).toEqual(obj);
    expect((await roundTrip(42, storageClasses.getStorageClass('int'))).back).toBe(42);
    expect((await roundTrip([1, [2, [3]]], storageClasses.getStorageClass('StructuredDataList'))).back).toEqual([1, [2, [3]]]);
  });

  it('writes Maps as objects, Sets and typed arrays as arrays, leaves undefined out', async () => {
    const { back, text } = await roundTrip({ m: new Map<unknown, unknown>([['x', 1], [2, 'two']]), s: new Set([3, 4]), t: Float32Array.of(0.5, 1.5), b: BigInt64Array.of(-(2n ** 62n)), u: undefined, l: [undefined] });
    expect(back).toEqual({ m: { x: 1, '2': 'two' }, s: [3, 4], t: [0.5, 1.5], b: [-(2n ** 62n)], l: [null] });
    expect(text).toBe('{"m":{"x":1,"2":"two"},"s":[3,4],"t":[0.5,1.5],"b":[-4611686018427387904],"l":[null]}');
  });

  it('writes bigints as exact JSON integers; reads unsafe integers back as bigint and safe ones as numbers', async () => {
    const { back, text } = await roundTrip({ big: 2n ** 60n + 1n, neg: -(2n ** 63n), small: 5n, safe: Number.MAX_SAFE_INTEGER });
    expect(text).toBe('{"big":1152921504606846977,"neg":-9223372036854775808,"small":5,"safe":9007199254740991}');
    expect(back).toEqual({ big: 2n ** 60n + 1n, neg: -(2n ** 63n), small: 5, safe: Number.MAX_SAFE_INTEGER });
  });

  it('writes NaN and infinities as Python does', () => {
    expect(stringifyJson([NaN, Infinity, -Infinity, -0, 1e21])).toBe('[NaN,Infinity,-Infinity,0,1e+21]');
    expect(parseJson('[NaN, Infinity, -Infinity, 1e+21, -0.5E-3]')).toEqual([NaN, Infinity, -Infinity, 1e21, -0.0005]);
  });

  it.skipIf(!hasPython)("writes what Python's json reads exactly, and reads what it writes", async () => {
    const path = file();
    await json.write({ big: 2n ** 64n + 7n, nan: NaN, ts: Timespan.fromDayObs(20210909) }, path, { storageClass: dict, datasetTypeName: 't' });
    const out = runPython('import json,sys; d=json.load(open(sys.argv[1])); print(d["big"] == 2**64 + 7, d["nan"] != d["nan"], d["ts"])', [path]);
    expect(out.trim()).toBe(`True True [${Timespan.fromDayObs(20210909).beginNs}, ${Timespan.fromDayObs(20210909).endNs}]`);
    const pyPath = file();
    runPython('import json,sys; json.dump({"big": 2**63, "f": 0.1, "nan": float("nan"), "s": "\\u00e9", "l": [1, None]}, open(sys.argv[1], "w"))', [pyPath]);
    expect(await json.read(pyPath, { storageClass: dict })).toEqual({ big: 2n ** 63n, f: 0.1, nan: NaN, s: 'é', l: [1, null] });
  });

  it("round-trips Timespans as daf_butler's simple form [begin_nsec, end_nsec]", async () => {
    const ts = Timespan.fromDayObs(20210909);
    const { back, text } = await roundTrip(ts, timespanClass);
    expect(text).toBe(`[${ts.beginNs},${ts.endNs}]`);
    expect(back).toBeInstanceOf(Timespan);
    expect((back as Timespan).equals(ts)).toBe(true);
    const unbounded = new Timespan(null, 1631145600000000000n);
    expect(((await roundTrip(unbounded, timespanClass)).back as Timespan).equals(unbounded)).toBe(true);
    await expect(json.write({ begin: 1 }, file(), { storageClass: timespanClass, datasetTypeName: 'ts' })).rejects.toThrow(/not a Timespan/);
    const bad = file();
    writeFileSync(bad, '{"a": 1}');
    await expect(json.read(bad, { storageClass: timespanClass })).rejects.toThrow(FormatterError);
  });

  it('returns a key of an object when asked for a component', async () => {
    const path = file();
    await json.write({ summary: { n: 1 }, data: [1] }, path, { storageClass: dict, datasetTypeName: 'm' });
    expect(await json.read(path, { storageClass: dict, component: 'summary' })).toEqual({ n: 1 });
    await expect(json.read(path, { storageClass: dict, component: 'output' })).rejects.toThrow(UnknownComponentError);
    await expect(json.read(path, { storageClass: dict, component: 'output' })).rejects.toThrow(/its keys are summary, data/);
  });

  it('says what is wrong with missing and malformed files, and unwritable values', async () => {
    await expect(json.read(join(dir, 'nope.json'), { storageClass: dict })).rejects.toMatchObject({ code: 'BUTLER_FORMATTER', message: expect.stringMatching(/does not exist/) });
    const bad = file();
    writeFileSync(bad, '{"a": [1, 2,, 3]}');
    await expect(json.read(bad, { storageClass: dict })).rejects.toThrow(/Invalid JSON at offset 12: expected a value/);
    expect(() => parseJson('{"a": 1} x')).toThrow(/unexpected text after the value/);
    expect(() => parseJson('"abc')).toThrow(/unterminated string/);
    const cyc: Record<string, unknown> = {};
    cyc['self'] = cyc;
    await expect(json.write(cyc, file(), { storageClass: dict, datasetTypeName: 'cyc' })).rejects.toThrow(/circular/);
    await expect(json.write(undefined, file(), { storageClass: dict, datasetTypeName: 'u' })).rejects.toThrow(/cannot be written as JSON/);
  });

  it('does not let a __proto__ key reach the prototype', () => {
    const v = parseJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });
});
