// ConsolidateSourceTableTask and concatTables: rows of every detector, in detector order, with
// the columns unchanged; mismatched tables refused.
import type { DatasetRef } from '@skystack/daf-butler';
import { DeferredDatasetRef, type QuantumContext } from '@skystack/pipe-base';
import { tableFromArrays, type Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { concatTables } from './concat-tables.js';
import { ConsolidateSourceTableTask } from './consolidate-source-table-task.js';

/** A detector's source table: n rows with IDs detector·1000 + i. */
function detectorTable(detector: number, n: number): Table {
  return tableFromArrays({
    sourceId: BigInt64Array.from({ length: n }, (_, i) => BigInt(detector * 1000 + i)),
    coord_ra: Float64Array.from({ length: n }, (_, i) => 150 + detector + i * 1e-4),
    detector: new Int16Array(n).fill(detector),
  });
}

describe('concatTables', () => {
  it('stacks the rows in the order given and keeps the columns and their types', () => {
    const t = concatTables([detectorTable(2, 3), detectorTable(0, 2)], 'sourceTable');
    expect(t.numRows).toBe(5);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['sourceId', 'coord_ra', 'detector']);
    expect(Array.from(t.getChild('detector')!.toArray() as Int16Array)).toEqual([2, 2, 2, 0, 0]);
    expect(Array.from(t.getChild('sourceId')!.toArray() as BigInt64Array)).toEqual([2000n, 2001n, 2002n, 0n, 1n]);
    expect(String(t.getChild('detector')!.type)).toBe('Int16');
  });

  it('refuses no tables, different columns and different types, naming the difference', () => {
    expect(() => concatTables([], 'sourceTable')).toThrow(PipeTasksInvalidArgumentError);
    const other = tableFromArrays({ sourceId: new BigInt64Array(1), coord_dec: new Float64Array(1), detector: new Int16Array(1) });
    expect(() => concatTables([detectorTable(0, 1), other], 'sourceTable')).toThrow(/sourceTable 1 has different columns/);
    const retyped = tableFromArrays({ sourceId: new BigInt64Array(1), coord_ra: new Float32Array(1), detector: new Int16Array(1) });
    expect(() => concatTables([detectorTable(0, 1), retyped], 'sourceTable')).toThrow(/Column 'coord_ra' is Float64 in sourceTable 0 but Float32/);
  });
});

describe('ConsolidateSourceTableTask', () => {
  it('has LSST’s label and connections (sourceTable per detector in, sourceTable_visit per visit out)', () => {
    const task = new ConsolidateSourceTableTask();
    expect(ConsolidateSourceTableTask._DefaultName).toBe('consolidateSourceTable');
    expect(task.config.connections.inputCatalogs).toBe('{catalogType}sourceTable');
    expect(task.config.connections.outputCatalog).toBe('{catalogType}sourceTable_visit');
  });

  it('runQuantum reads the detectors in increasing order and writes their rows together', async () => {
    const tables = new Map([
      [7, detectorTable(7, 2)],
      [1, detectorTable(1, 3)],
      [4, detectorTable(4, 1)],
    ]);
    const refOf = (detector: number): DeferredDatasetRef =>
      new DeferredDatasetRef({ dataId: { get: (k: string) => ({ detector, visit: 12, instrument: 'SimCam' })[k] } } as unknown as DatasetRef);
    const written: Record<string, unknown> = {};
    const butlerQC = {
      get: (refs: Record<string, unknown>) =>
        Promise.resolve({
          inputCatalogs: (refs['inputCatalogs'] as DeferredDatasetRef[]).map((r) => ({ get: () => Promise.resolve(tables.get(Number(r.datasetRef.dataId.get('detector')))) })),
        }),
      put: (outputs: { getDict(): Record<string, unknown> }) => {
        Object.assign(written, outputs.getDict());
        return Promise.resolve();
      },
      quantum: { dataId: { get: (k: string) => ({ visit: 12, instrument: 'SimCam' })[k] } },
    } as unknown as QuantumContext;
    await new ConsolidateSourceTableTask().runQuantum(butlerQC, { inputCatalogs: [refOf(7), refOf(1), refOf(4)] }, { outputCatalog: refOf(0).datasetRef });
    const out = written['outputCatalog'] as Table;
    expect(out.numRows).toBe(6);
    expect(Array.from(out.getChild('detector')!.toArray() as Int16Array)).toEqual([1, 1, 1, 4, 7, 7]);
  });
});
