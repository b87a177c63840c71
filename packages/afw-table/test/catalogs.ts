// Test helpers shared by arrow.test.ts and parquet.test.ts.
import { expect } from 'vitest';
import { BaseCatalog, Schema, type ColumnArray } from '../src/index.js';

/** A catalog with one field of every type and deterministic values. */
export function everyTypeCatalog(n = 7): BaseCatalog {
  const schema = new Schema([
    { name: 'b', type: 'B', doc: 'a byte', units: 'count' },
    { name: 'u', type: 'U', doc: 'an unsigned short' },
    { name: 'i', type: 'I', doc: 'an int' },
    { name: 'l', type: 'L', doc: 'a long' },
    { name: 'f', type: 'F', doc: 'a float', units: 'pixel' },
    { name: 'd', type: 'D', doc: 'a double', units: 'nJy' },
    { name: 'ab', type: 'ArrayB', size: 2 },
    { name: 'au', type: 'ArrayU', size: 3 },
    { name: 'ai', type: 'ArrayI', size: 2 },
    { name: 'af', type: 'ArrayF', size: 4, doc: 'float array' },
    { name: 'ad', type: 'ArrayD', size: 2 },
    { name: 'flag', type: 'Flag', doc: 'a flag' },
    { name: 'coord_ra', type: 'Angle', doc: 'right ascension' },
    { name: 's', type: 'String', size: 8, doc: 'a string' },
  ]);
  schema.getAliasMap().set('slot_Flux', 'd');
  const catalog = new BaseCatalog(schema, { length: n });
  for (let r = 0; r < n; r++) {
    const rec = catalog.get(r);
    rec.set('b', (r * 37) % 256);
    rec.set('u', 65535 - r);
    rec.set('i', -2147483648 + r);
    rec.set('l', 2n ** 62n + BigInt(r) * -3n);
    rec.set('f', r * 0.25 - 1);
    rec.set('d', r === 3 ? NaN : Math.PI * r);
    rec.set('ab', [r, 255 - r]);
    rec.set('au', [r, r + 1, 65535]);
    rec.set('ai', [-r, r * 1000]);
    rec.set('af', [r, r + 0.5, -r, 1e30]);
    rec.set('ad', [r / 3, -1e300]);
    rec.set('flag', r % 3 === 0);
    rec.set('coord_ra', r * 0.1);
    rec.set('s', r % 2 === 0 ? `row${r}` : 'é');
  }
  return catalog;
}

/** Expects two catalogs to have the same fields (with doc/units) and values. */
export function expectSameCatalog(actual: BaseCatalog, expected: BaseCatalog): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.schema.getFields().map((f) => ({ ...f }))).toEqual(expected.schema.getFields().map((f) => ({ ...f })));
  for (const field of expected.schema) {
    const a: ColumnArray = actual.getColumn(field.name);
    const e: ColumnArray = expected.getColumn(field.name);
    expect(a.constructor, field.name).toBe(e.constructor);
    expect(Array.from(a as ArrayLike<unknown>), field.name).toEqual(Array.from(e as ArrayLike<unknown>));
  }
  expect([...actual.schema.getAliasMap()]).toEqual([...expected.schema.getAliasMap()]);
}

