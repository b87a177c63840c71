import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Angle } from '@skystack/geom';
import { afterAll, describe, expect, it } from 'vitest';
import { AliasMap } from './alias-map.js';
import { BaseCatalog } from './base-catalog.js';
import { AfwTableFormatError, AfwTableInvalidArgumentError, AfwTableNotFoundError } from './errors.js';
import { Schema } from './schema.js';
import { SourceCatalog } from './source-catalog.js';

const work = mkdtempSync(join(tmpdir(), 'skystack-afw-table-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('AliasMap', () => {
  it('resolves prefixes repeatedly, the greatest matching alias first', () => {
    const aliases = new AliasMap([
      ['slot_PsfFlux', 'base_PsfFlux'],
      ['base_PsfFlux_instFlux', 'base_PsfFlux_flux'],
      ['base_PsfFlux_instFluxErr', 'base_PsfFlux_fluxSigma'],
    ]);
    expect(aliases.apply('slot_PsfFlux_instFlux')).toBe('base_PsfFlux_flux');
    expect(aliases.apply('slot_PsfFlux_instFluxErr')).toBe('base_PsfFlux_fluxSigma');
    expect(aliases.apply('slot_PsfFlux_flag')).toBe('base_PsfFlux_flag');
    expect(aliases.apply('other')).toBe('other');
  });

  it('reports a cycle instead of looping', () => {
    const aliases = new AliasMap([
      ['a', 'b'],
      ['b', 'a'],
    ]);
    expect(() => aliases.apply('a_x')).toThrow(AfwTableFormatError);
  });
});

describe('Schema', () => {
  it('finds fields through aliases and rejects duplicates and bad sizes', () => {
    const schema = new Schema([{ name: 'centroid_x', type: 'D', units: 'pixel' }]);
    schema.getAliasMap().set('slot_Centroid', 'centroid');
    expect(schema.find('slot_Centroid_x').units).toBe('pixel');
    expect(() => schema.addField({ name: 'centroid_x', type: 'F' })).toThrow(AfwTableInvalidArgumentError);
    expect(() => schema.addField({ name: 'arr', type: 'ArrayF' })).toThrow(/positive integer size/);
    expect(() => schema.find('centroid_X')).toThrow(AfwTableNotFoundError);
    expect(schema.addField({ name: 'ra', type: 'Angle', units: 'deg' }).units).toBe('rad');
  });
});

describe('BaseCatalog', () => {
  const schema = (): Schema =>
    new Schema([
      { name: 'b', type: 'B' },
      { name: 'u', type: 'U' },
      { name: 'i', type: 'I' },
      { name: 'l', type: 'L' },
      { name: 'f', type: 'F', units: 'count' },
      { name: 'd', type: 'D', doc: 'a double' },
      { name: 'good', type: 'Flag', doc: 'set if good' },
      { name: 'angle', type: 'Angle' },
      { name: 'name', type: 'String', size: 8 },
      { name: 'vec', type: 'ArrayD', size: 3 },
      { name: 'bad', type: 'Flag' },
    ]);

  it('records are views of the columns, both ways', () => {
    const catalog = new BaseCatalog(schema(), { length: 2 });
    (catalog.getColumn('d') as Float64Array).set([1.5, 2.5]);
    const record = catalog.get(1);
    expect(record.get('d')).toBe(2.5);
    record.set('d', 7);
    record.set('good', true);
    record.set('l', 2n ** 62n);
    record.set('angle', Angle.fromDegrees(90));
    record.set('vec', [1, 2, 3]);
    record.set('name', 'abc');
    expect(Array.from(catalog.getColumn('d') as Float64Array)).toEqual([1.5, 7]);
    expect(Array.from(catalog.getColumn('good') as Uint8Array)).toEqual([0, 1]);
    expect((catalog.getColumn('l') as BigInt64Array)[1]).toBe(2n ** 62n);
    expect((catalog.getColumn('angle') as Float64Array)[1]).toBe(Math.PI / 2);
    expect(Array.from(catalog.getColumn('vec') as Float64Array)).toEqual([0, 0, 0, 1, 2, 3]);
    expect((record.get('angle') as Angle).asDegrees()).toBeCloseTo(90, 12);
    expect(catalog.get(-1).get('name')).toBe('abc');
    expect(() => record.set('name', 'much too long')).toThrow(AfwTableInvalidArgumentError);
    expect(() => catalog.get(2)).toThrow(AfwTableInvalidArgumentError);
  });

  it('addNew grows the columns and keeps the values', () => {
    const catalog = new BaseCatalog(schema());
    for (let k = 0; k < 40; k++) catalog.addNew().set('i', k * 3);
    expect(catalog.length).toBe(40);
    expect(catalog.getColumn('i')).toHaveLength(40);
    expect(catalog.getColumn('name')).toHaveLength(40);
    expect([...catalog].map((r) => r.get('i'))).toEqual(Array.from({ length: 40 }, (_, k) => k * 3));
  });

  it('writes and reads back every field type', async () => {
    const catalog = new BaseCatalog(schema(), { length: 3 });
    catalog.setColumn('b', [0, 1, 255]);
    catalog.setColumn('u', [0, 1, 65535]);
    catalog.setColumn('i', [-2147483648, 0, 2147483647]);
    catalog.setColumn('l', [-(2n ** 63n), 0n, 2n ** 63n - 1n]);
    catalog.setColumn('f', [0.5, Number.NaN, -Infinity]);
    catalog.setColumn('d', [Math.PI, -0, 1e300]);
    catalog.setColumn('good', [true, false, true]);
    catalog.setColumn('bad', [false, true, true]);
    catalog.setColumn('angle', [0, 1, -1]);
    catalog.setColumn('name', ['a', '', 'eight ch']);
    catalog.setColumn('vec', [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    catalog.schema.getAliasMap().set('alias', 'd');
    const path = join(work, 'all-types.fits');
    await catalog.writeFits(path);
    const back = await BaseCatalog.readFits(path);
    expect(back.schema.getFields()).toEqual(catalog.schema.getFields());
    for (const field of catalog.schema) expect(back.getColumn(field.name)).toEqual(catalog.getColumn(field.name));
    expect(back.schema.find('alias').name).toBe('d');
  });
});

describe('SourceCatalog', () => {
  it('needs the minimal source schema', () => {
    expect(() => new SourceCatalog(new Schema([{ name: 'id', type: 'L' }]))).toThrow(/coord_ra/);
    const schema = SourceCatalog.makeMinimalSchema();
    expect(schema.getNames()).toEqual(['id', 'coord_ra', 'coord_dec', 'parent']);
    schema.addField({ name: 'base_PsfFlux_instFlux', type: 'D', units: 'count' });
    const catalog = new SourceCatalog(schema, { length: 1 });
    catalog.defineSlot('slot_PsfFlux', 'base_PsfFlux');
    catalog.get(0).set('base_PsfFlux_instFlux', 42);
    expect(catalog.get(0).getPsfInstFlux()).toBe(42);
    expect(catalog.getSlot('slot_PsfFlux')).toBe('base_PsfFlux');
  });
});
