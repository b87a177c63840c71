/**
 * catalogToArrow / catalogFromArrow: the Arrow types of every afw field type, zero-copy numeric
 * columns, metadata (doc, units, aliases) and the round trip back to a catalog.
 */
import { describe, expect, it } from 'vitest';
import { Bool, Field, FixedSizeList, Float32, Float64, Int32, Int64, List, Table, Type, Uint16, Uint8, Utf8, makeVector, tableFromArrays, vectorFromArray } from 'apache-arrow';
import { AfwTableInvalidArgumentError, BaseCatalog, catalogFromArrow, catalogToArrow } from '../src/index.js';
import { everyTypeCatalog, expectSameCatalog } from './catalogs.js';

describe('catalogToArrow', () => {
  const catalog = everyTypeCatalog();
  const table = catalogToArrow(catalog);

  it('makes one column per field with the mapped Arrow types', () => {
    expect(table.numRows).toBe(7);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, f.type]));
    expect(types['b']).toBeInstanceOf(Uint8);
    expect(types['u']).toBeInstanceOf(Uint16);
    expect(types['i']).toBeInstanceOf(Int32);
    expect(types['l']).toBeInstanceOf(Int64);
    expect(types['f']).toBeInstanceOf(Float32);
    expect(types['d']).toBeInstanceOf(Float64);
    expect(types['coord_ra']).toBeInstanceOf(Float64);
    expect(types['flag']).toBeInstanceOf(Bool);
    expect(types['s']).toBeInstanceOf(Utf8);
    const af = types['af'] as FixedSizeList;
    expect(af).toBeInstanceOf(FixedSizeList);
    expect(af.listSize).toBe(4);
    expect(af.children[0]!.type).toBeInstanceOf(Float32);
    expect((types['ab'] as FixedSizeList).children[0]!.type).toBeInstanceOf(Uint8);
    expect((types['au'] as FixedSizeList).children[0]!.type).toBeInstanceOf(Uint16);
    expect((types['ai'] as FixedSizeList).children[0]!.type).toBeInstanceOf(Int32);
    expect((types['ad'] as FixedSizeList).children[0]!.type).toBeInstanceOf(Float64);
  });

  it('gives the same values as the records', () => {
    for (let r = 0; r < catalog.length; r++) {
      const rec = catalog.get(r);
      const row = table.get(r)!;
      expect(row['b']).toBe(rec.get('b'));
      expect(row['l']).toBe(rec.get('l'));
      expect(row['flag']).toBe(rec.get('flag'));
      expect(row['s']).toBe(rec.get('s'));
      expect(row['coord_ra']).toBe(rec.getNumber('coord_ra'));
      expect(Array.from(row['af'] as Iterable<number>)).toEqual(Array.from(rec.get('af') as Float32Array));
    }
  });

  it('is what catalog.toArrow() returns', () => {
    const viaMethod = catalog.toArrow();
    expect(viaMethod.schema.fields.map((f) => f.name)).toEqual(table.schema.fields.map((f) => f.name));
    expect(viaMethod.getChild('d')!.data[0]!.values.buffer).toBe((catalog.getColumn('d') as Float64Array).buffer);
  });

  it('shares the numeric buffers with the catalog (zero copy)', () => {
    const d = table.getChild('d')!;
    expect(d.data).toHaveLength(1);
    expect(d.data[0]!.values.buffer).toBe((catalog.getColumn('d') as Float64Array).buffer);
    const af = table.getChild('af')!;
    expect(af.data[0]!.children[0]!.values.buffer).toBe((catalog.getColumn('af') as Float32Array).buffer);
  });

  it('keeps doc, units, the Angle unit and the aliases as metadata', () => {
    const f = table.schema.fields.find((x) => x.name === 'd')!;
    expect(f.metadata.get('doc')).toBe('a double');
    expect(f.metadata.get('units')).toBe('nJy');
    const ra = table.schema.fields.find((x) => x.name === 'coord_ra')!;
    expect(ra.metadata.get('unit')).toBe('rad');
    expect(ra.metadata.get('skystack:type')).toBe('Angle');
    expect(JSON.parse(table.schema.metadata.get('skystack:aliases')!)).toEqual([['slot_Flux', 'd']]);
  });

  it('handles an empty catalog', () => {
    const empty = catalogToArrow(new BaseCatalog(catalog.schema));
    expect(empty.numRows).toBe(0);
    expect(empty.numCols).toBe(catalog.schema.length);
    expectSameCatalog(catalogFromArrow(empty), new BaseCatalog(catalog.schema));
  });
});

describe('catalogFromArrow', () => {
  it('inverts catalogToArrow for every field type', () => {
    const catalog = everyTypeCatalog();
    const back = catalogFromArrow(catalogToArrow(catalog));
    expectSameCatalog(back, catalog);
    expect(back.schema.find('slot_Flux').name).toBe('d');
    expect(back.schema.find('coord_ra').type).toBe('Angle');
  });

  it('copies the values (the catalog does not share the table buffers)', () => {
    const catalog = everyTypeCatalog();
    const table = catalogToArrow(catalog);
    const back = catalogFromArrow(table);
    (back.getColumn('d') as Float64Array)[0] = 42;
    expect(table.getChild('d')!.get(0)).toBe(0);
  });

  it('maps foreign Arrow tables (no skystack metadata) by type', () => {
    const table = tableFromArrays({
      i8: Int8Array.from([1, -2]),
      u32: Uint32Array.from([1, 4000000000]),
      x: Float64Array.from([1.5, 2.5]),
      name: ['a', 'bcd'],
    });
    const catalog = catalogFromArrow(table);
    expect(catalog.schema.getFields().map((f) => [f.name, f.type, f.size])).toEqual([
      ['i8', 'I', 1],
      ['u32', 'L', 1],
      ['x', 'D', 1],
      ['name', 'String', 3],
    ]);
    expect(Array.from(catalog.getColumn('u32') as BigInt64Array)).toEqual([1n, 4000000000n]);
    expect(catalog.getColumn('name')).toEqual(['a', 'bcd']);
  });

  it('turns variable-length lists of one length into array fields, and refuses ragged ones', () => {
    const even = vectorFromArray([[1, 2], [3, 4]], new List(new Field('item', new Float64())));
    const catalog = catalogFromArrow(new Table({ v: even }));
    expect(catalog.schema.find('v')).toMatchObject({ type: 'ArrayD', size: 2 });
    expect(Array.from(catalog.getColumn('v') as Float64Array)).toEqual([1, 2, 3, 4]);
    const ragged = vectorFromArray([[1, 2], [3]], new List(new Field('item', new Float64())));
    expect(() => catalogFromArrow(new Table({ v: ragged }))).toThrow(AfwTableInvalidArgumentError);
  });

  it('makes nulls NaN in float columns and refuses them elsewhere', () => {
    const withNulls = new Table({ x: vectorFromArray([1, null, 3], new Float64()) });
    expect(Array.from(catalogFromArrow(withNulls).getColumn('x') as Float64Array)).toEqual([1, NaN, 3]);
    const intNulls = new Table({ n: vectorFromArray([1, null], new Int32()) });
    expect(() => catalogFromArrow(intNulls)).toThrow(/null/);
  });

  it('refuses Arrow types no afw field holds', () => {
    const t = new Table({ when: makeVector(new Int32Array([1])) });
    expect(catalogFromArrow(t).schema.find('when').type).toBe('I');
    const dates = tableFromArrays({ d: [new Date(0)] });
    expect(dates.schema.fields[0]!.type.typeId).not.toBe(Type.Float);
    expect(() => catalogFromArrow(dates)).toThrow(AfwTableInvalidArgumentError);
  });
});
