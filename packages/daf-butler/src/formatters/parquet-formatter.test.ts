import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, type Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatterError, InvalidParameterError, UnknownComponentError } from '../storage/errors.js';
import { StorageClassFactory } from '../storage/storage-class.js';
import { ArrowTableDelegate, ParquetFormatter, columnsParameter, isArrowTable } from './parquet-formatter.js';

const dir = mkdtempSync(join(tmpdir(), 'parquet-formatter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const storageClasses = StorageClassFactory.default();
const sc = storageClasses.getStorageClass('DataFrame');
const parquet = new ParquetFormatter();
let n = 0;
const file = (): string => join(dir, `f${n++}.parq`);

function sample(): Table {
  return tableFromArrays({
    id: BigInt64Array.from([1n, 2n, 3n]),
    coord_ra: Float64Array.from([10.5, 11.25, 12]),
    coord_dec: Float64Array.from([-5, -4.5, -4]),
    band: ['g', 'r', 'i'],
  });
}

async function written(table = sample(), writeParameters?: Record<string, unknown>): Promise<string> {
  const path = file();
  await parquet.write(table, path, { storageClass: sc, datasetTypeName: 'sourceTable', writeParameters });
  return path;
}

describe('ParquetFormatter', () => {
  it('names itself as daf_butler records it', () => {
    expect([parquet.name, parquet.extension]).toEqual(['ParquetFormatter', '.parq']);
    expect(['columns', 'rowcount', 'schema', 'other'].map((c) => parquet.canReadComponent(c))).toEqual([true, true, true, false]);
  });

  it('round-trips an Arrow table', async () => {
    const back = (await parquet.read(await written(), { storageClass: sc })) as Table;
    expect(back.schema.fields.map((f) => f.name)).toEqual(['id', 'coord_ra', 'coord_dec', 'band']);
    expect(back.numRows).toBe(3);
    expect([...(back.getChild('id')!.toArray() as BigInt64Array)]).toEqual([1n, 2n, 3n]);
    expect([...(back.getChild('coord_ra')!.toArray() as Float64Array)]).toEqual([10.5, 11.25, 12]);
    expect(back.getChild('band')!.toArray()).toEqual(['g', 'r', 'i']);
  });

  it('honours the compression write parameter', async () => {
    for (const compression of ['GZIP', 'UNCOMPRESSED']) {
      expect(((await parquet.read(await written(sample(), { compression }), { storageClass: sc })) as Table).numRows).toBe(3);
    }
    await expect(written(sample(), { compression: 'LZ4' })).rejects.toThrow(InvalidParameterError);
  });

  it('reads only the columns asked for (a list or one name)', async () => {
    const path = await written();
    const two = (await parquet.read(path, { storageClass: sc, parameters: { columns: ['coord_dec', 'id'] } })) as Table;
    expect(two.schema.fields.map((f) => f.name)).toEqual(['coord_dec', 'id']);
    expect(two.numRows).toBe(3);
    const one = (await parquet.read(path, { storageClass: sc, parameters: { columns: 'band' } })) as Table;
    expect(one.schema.fields.map((f) => f.name)).toEqual(['band']);
    expect(((await parquet.read(path, { storageClass: sc, parameters: { strip_astropy_meta_yaml: true } })) as Table).numCols).toBe(4);
  });

  it('names the available columns when a column is not in the file', async () => {
    const path = await written();
    try {
      await parquet.read(path, { storageClass: sc, parameters: { columns: ['coord_raa'] } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidParameterError);
      expect((e as Error).message).toMatch(/Column 'coord_raa' .* available columns: id, coord_ra, coord_dec, band\./);
      expect((e as InvalidParameterError).hint).toBe("Did you mean 'coord_ra'?");
    }
    await expect(parquet.read(path, { storageClass: sc, parameters: { columns: 3 } })).rejects.toThrow(/column name or a list of column names/);
    await expect(parquet.read(path, { storageClass: sc, parameters: { filters: [['id', '>', 1]] } })).rejects.toThrow(/'filters' parameter .* not supported/);
  });

  it('reads the derived components columns, rowcount and schema', async () => {
    const path = await written();
    expect(await parquet.read(path, { storageClass: sc, component: 'columns' })).toEqual(['id', 'coord_ra', 'coord_dec', 'band']);
    expect(await parquet.read(path, { storageClass: sc, component: 'rowcount' })).toBe(3);
    const schema = (await parquet.read(path, { storageClass: sc, component: 'schema' })) as Table['schema'];
    expect(schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['id:Int64', 'coord_ra:Float64', 'coord_dec:Float64', 'band:Utf8']);
    await expect(parquet.read(path, { storageClass: sc, component: 'rowcont' })).rejects.toThrow(UnknownComponentError);
    await expect(parquet.read(path, { storageClass: sc, component: 'rowcont' })).rejects.toThrow(/Did you mean 'rowcount'/);
  });

  it('counts the rows of a table with no rows', async () => {
    const empty = sample().slice(0, 0);
    expect(await parquet.read(await written(empty), { storageClass: sc, component: 'rowcount' })).toBe(0);
  });

  it('says what is wrong with objects that are not tables and files that are not Parquet', async () => {
    await expect(parquet.write({ id: [1] }, file(), { storageClass: sc, datasetTypeName: 'sourceTable' })).rejects.toThrow(
      /Dataset 'sourceTable' \(storage class 'DataFrame'\) must be an Arrow Table to be written as Parquet; given a Object/,
    );
    await expect(parquet.read(join(dir, 'nope.parq'), { storageClass: sc })).rejects.toMatchObject({ code: 'BUTLER_FORMATTER' });
    const bad = file();
    writeFileSync(bad, 'not parquet at all');
    await expect(parquet.read(bad, { storageClass: sc })).rejects.toThrow(FormatterError);
  });
});

describe('ArrowTableDelegate', () => {
  const d = new ArrowTableDelegate();
  it('gives the derived components of an in-memory table', () => {
    const t = sample();
    expect(d.getComponent(t, 'columns')).toEqual(['id', 'coord_ra', 'coord_dec', 'band']);
    expect(d.getComponent(t, 'rowcount')).toBe(3);
    expect(d.getComponent(t, 'schema')).toBe(t.schema);
    expect(() => d.getComponent(t, 'nope')).toThrow(UnknownComponentError);
    expect(() => d.getComponent({}, 'rowcount')).toThrow(/not an Arrow Table/);
  });

  it('projects columns', () => {
    const t = sample();
    expect((d.handleParameters(t, { columns: ['band', 'id'] }) as Table).schema.fields.map((f) => f.name)).toEqual(['band', 'id']);
    expect(d.handleParameters(t, {})).toBe(t);
    expect(() => d.handleParameters(t, { columns: ['bnd'] })).toThrow(/Column 'bnd' of the 'columns' parameter is not in the table/);
  });

  it('helpers', () => {
    expect(isArrowTable(sample())).toBe(true);
    expect(isArrowTable({ schema: {} })).toBe(false);
    expect(columnsParameter(undefined)).toBeUndefined();
    expect(columnsParameter(['a', 'a', 'b'])).toEqual(['a', 'b']);
  });
});
