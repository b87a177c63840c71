/**
 * Interoperability with catalogs written by the real lsst.afw.table: every value, name, unit,
 * doc, flag bit and alias is compared with what astropy (Debian's python3-astropy, run as
 * `/usr/bin/python3 astropy-dump.py`) sees in the same file, never with our own output.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, PYTHON, astropyAvailable, fitsverify, fitsverifyAvailable, fixturePath } from '@skystack/test-support';
import { BaseCatalog, SimpleCatalog, SourceCatalog, type ColumnArray } from '../src/index.js';

const afwDir = join(FIXTURES, 'afw');
const python = PYTHON;
const dumpScript = resolve(import.meta.dirname, 'astropy-dump.py');
// Under CI a missing fixture directory, astropy or fitsverify throws here (@skystack/test-support).
const haveFixtures = fixturePath('afw', 'sourceCatalog-hsc-v2.fits') !== undefined;
const haveAstropy = astropyAvailable();
const haveFitsverify = fitsverifyAvailable();

interface DumpItem {
  kind: 'column' | 'bit';
  n: number;
  name: string;
  tform?: string;
  unit?: string;
  tdoc?: string | null;
  tfdoc?: string | null;
  comment?: string;
  tccls?: string;
  values?: unknown[];
}

interface Dump {
  nrows: number;
  version: number | null;
  afwType: string | null;
  flagcol: number | null;
  items: DumpItem[];
  bits: number[][];
  aliases: string[];
  slots: Record<string, string>;
}

function astropy(path: string, hdu = 1): Dump {
  return JSON.parse(execFileSync(python, [dumpScript, path, String(hdu)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as Dump;
}

/** Our column in astropy's JSON form: integers as strings, NaN/inf as strings. */
function normalize(column: ColumnArray, size: number, integer: boolean): unknown[] {
  const cell = (v: number | bigint | string): unknown => {
    if (typeof v === 'bigint' || integer) return String(v);
    if (typeof v === 'string') return v;
    if (Number.isNaN(v)) return 'nan';
    if (v === Infinity) return 'inf';
    if (v === -Infinity) return '-inf';
    return v;
  };
  const values = Array.from(column as ArrayLike<number | bigint | string>, cell);
  if (size === 1) return values;
  const rows: unknown[] = [];
  for (let i = 0; i < values.length; i += size) rows.push(values.slice(i, i + size));
  return rows;
}

/** The table items that become fields (the flag column and, for sources, `footprint` dropped). */
function fieldItems(dump: Dump, dropFootprint: boolean): DumpItem[] {
  return dump.items.filter(
    (i) => !(i.kind === 'column' && i.n === dump.flagcol) && !(dropFootprint && i.kind === 'column' && i.name === 'footprint'),
  );
}

/** Compares a catalog with astropy's view of a file whose columns need no afw conversion. */
function expectSameAsAstropy(catalog: BaseCatalog, dump: Dump, dropFootprint: boolean): void {
  const items = fieldItems(dump, dropFootprint);
  expect(catalog.length).toBe(dump.nrows);
  expect(catalog.schema.getNames()).toEqual(items.map((i) => i.name));
  const fields = catalog.schema.getFields();
  items.forEach((item, k) => {
    const field = fields[k]!;
    if (item.kind === 'bit') {
      expect(field.type).toBe('Flag');
      expect(field.doc).toBe(item.tfdoc ?? item.comment ?? '');
      const column = catalog.getColumn(field.name) as Uint8Array;
      expect(column).toBeInstanceOf(Uint8Array);
      const expected = dump.bits.map((row) => row[item.n - 1]);
      expect(Array.from(column), `flag ${field.name}`).toEqual(expected);
      return;
    }
    expect(field.doc, `doc of ${field.name}`).toBe(item.tdoc ?? item.comment ?? '');
    expect(field.units, `units of ${field.name}`).toBe(item.tccls === 'Angle' ? 'rad' : (item.unit ?? ''));
    if (item.tccls === 'Angle') expect(field.type).toBe('Angle');
    const code = /[A-Z]/.exec(item.tform!)![0];
    const integer = 'BIJK'.includes(code);
    const column = catalog.getColumn(field.name);
    expect(normalize(column, field.type === 'String' ? 1 : field.size, integer), `values of ${field.name}`).toEqual(item.values);
  });
  const aliases = catalog.schema.getAliasMap();
  for (const raw of dump.aliases) {
    const colon = raw.indexOf(':');
    expect(aliases.get(raw.slice(0, colon)), `alias ${raw}`).toBe(raw.slice(colon + 1));
  }
}

const work = mkdtempSync(join(tmpdir(), 'skystack-afw-table-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!haveFixtures || !haveAstropy)('afw catalogs read like astropy reads them', () => {
  const file = (name: string): string => join(afwDir, name);

  it.each([
    ['sourceCatalog-hsc-v2.fits', 5],
    ['sourceTable-v2.fits', 3],
    ['sourceTable-v1.fits', 3],
    ['deepCoadd_meas_HSC_v2.fits', 10],
    ['ticket42210.fits', 0],
  ])('SourceCatalog %s: names, units, docs, values, flag bits, ALIAS cards', async (name, rows) => {
    const catalog = await SourceCatalog.readFits(file(name));
    expect(catalog.length).toBe(rows);
    expectSameAsAstropy(catalog, astropy(file(name)), true);
  });

  it('BaseCatalog keeps the footprint archive-ID column that SourceCatalog drops', async () => {
    const base = await BaseCatalog.readFits(file('sourceTable-v2.fits'));
    expectSameAsAstropy(base, astropy(file('sourceTable-v2.fits')), false);
    expect(base.schema.contains('footprint')).toBe(true);
  });

  it('ticket42210: 0 rows, 300 columns, the TDOC with an empty value', async () => {
    const dump = astropy(file('ticket42210.fits'));
    expect(dump.items.filter((i) => i.kind === 'column')).toHaveLength(300);
    const catalog = await SourceCatalog.readFits(file('ticket42210.fits'));
    expect(catalog.length).toBe(0);
    expect(catalog.getColumn('id')).toHaveLength(0);
  });

  it('great3: a plain BaseCatalog (no AFW_TYPE) with int64 columns', async () => {
    const catalog = await BaseCatalog.readFits(file('great3.fits'));
    expectSameAsAstropy(catalog, astropy(file('great3.fits')), false);
    expect(catalog.schema.getFields().map((f) => f.type)).toEqual(['L', 'L', 'L']);
    expect(catalog.get(0).get('x')).toBe(23n);
  });

  it('ps1-refcat-v1: a SimpleCatalog refcat, Sigma→Err aliases but no _flux→_instFlux aliases', async () => {
    const catalog = await SimpleCatalog.readFits(file('ps1-refcat-v1.fits'));
    expectSameAsAstropy(catalog, astropy(file('ps1-refcat-v1.fits')), false);
    const aliases = catalog.schema.getAliasMap();
    for (const band of 'grizy') expect(aliases.get(`${band}_fluxErr`)).toBe(`${band}_fluxSigma`);
    expect(aliases.entries().filter(([a]) => a.includes('instFlux'))).toEqual([]);
    expect(catalog.schema.find('g_fluxErr').name).toBe('g_fluxSigma');
    expect(catalog.getColumn('g_flux')).toBeInstanceOf(Float64Array);
  });

  it('sourceTable-v1: Sigma→Err and flux→instFlux aliases (table version 1)', async () => {
    const catalog = await SourceCatalog.readFits(file('sourceTable-v1.fits'));
    const aliases = catalog.schema.getAliasMap();
    expect(aliases.get('a_instFlux')).toBe('a_flux');
    expect(aliases.get('a_instFluxErr')).toBe('a_fluxSigma');
    expect(catalog.schema.find('b_xErr').name).toBe('b_xSigma');
    const record = catalog.get(1);
    expect(record.getPsfInstFlux()).toBe((catalog.getColumn('a_flux') as Float64Array)[1]);
    expect(record.getPsfInstFluxErr()).toBe((catalog.getColumn('a_fluxSigma') as Float64Array)[1]);
    expect(record.getX()).toBe((catalog.getColumn('b_x') as Float64Array)[1]);
    expect(record.getIxy()).toBe((catalog.getColumn('c_xy') as Float64Array)[1]);
  });

  it('sourceTable-v2: _flux→_instFlux aliases for count fields (table version 2)', async () => {
    const catalog = await SourceCatalog.readFits(file('sourceTable-v2.fits'));
    const aliases = catalog.schema.getAliasMap();
    expect(aliases.get('a_instFlux')).toBe('a_flux');
    expect(aliases.get('a_instFluxErr')).toBe('a_fluxErr');
    expect(aliases.has('b_xSigma')).toBe(false);
  });

  it('deepCoadd_meas_HSC_v2: CModel fields without units still get instFlux aliases (DM-16068)', async () => {
    const catalog = await SourceCatalog.readFits(file('deepCoadd_meas_HSC_v2.fits'));
    const aliases = catalog.schema.getAliasMap();
    expect(aliases.get('modelfit_CModel_instFlux')).toBe('modelfit_CModel_flux');
    expect(catalog.schema.find('modelfit_CModel_instFluxErr').name).toBe('modelfit_CModel_fluxSigma');
    const dump = astropy(file('deepCoadd_meas_HSC_v2.fits'));
    expect(dump.items.filter((i) => i.kind === 'bit')).toHaveLength(237);
  });

  it('sourceCatalog-hsc-v2: slot getters follow the ALIAS cards', async () => {
    const catalog = await SourceCatalog.readFits(file('sourceCatalog-hsc-v2.fits'));
    const dump = astropy(file('sourceCatalog-hsc-v2.fits'));
    expect(dump.aliases).toHaveLength(21);
    const slot = (s: string): string => dump.aliases.find((a) => a.startsWith(`${s}:`))!.split(':')[1]!;
    const column = (name: string): DumpItem => dump.items.find((i) => i.name === name)!;
    for (let r = 0; r < catalog.length; r++) {
      const record = catalog.get(r);
      expect(record.getPsfInstFlux()).toBe(column(`${slot('slot_PsfFlux')}_flux`).values![r]);
      expect(record.getX()).toBe(column(`${slot('slot_Centroid')}_x`).values![r]);
      expect(record.getCentroid().y).toBe(column(`${slot('slot_Centroid')}_y`).values![r]);
      expect(record.getIxx()).toBe(column(`${slot('slot_Shape')}_xx`).values![r]);
      expect(record.getId()).toBe(BigInt(column('id').values![r] as string));
      expect(record.getParent()).toBe(BigInt(column('parent').values![r] as string));
      expect(record.getRa().asRadians()).toBe(column('coord_ra').values![r]);
      expect(record.getCoord().getLatitude().asRadians()).toBe(column('coord_dec').values![r]);
    }
    // No alias resolves in a circle or doubles a suffix (DM-15891).
    for (const [alias, target] of catalog.schema.getAliasMap()) {
      expect(alias).not.toMatch(/instFlux.*instFlux|ErrErr/);
      expect(catalog.schema.contains(alias) || catalog.schema.contains(target) || alias.startsWith('slot_')).toBe(true);
    }
  });

  it('empty-v0: version-0 slots, flags renamed to flag, compound fields split', async () => {
    const catalog = await SourceCatalog.readFits(file('empty-v0.fits'));
    expect(catalog.length).toBe(0);
    const dump = astropy(file('empty-v0.fits'));
    expect(dump.version).toBeNull();
    const aliases = catalog.schema.getAliasMap();
    // The old *_SLOT cards become slot aliases (INST_FLUX is now the Gaussian flux slot).
    const slots: Record<string, string> = {
      PSF_FLUX: 'slot_PsfFlux', AP_FLUX: 'slot_ApFlux', INST_FLUX: 'slot_GaussianFlux', MODEL_FLUX: 'slot_ModelFlux',
      CALIB_FLUX: 'slot_CalibFlux', CENTROID: 'slot_Centroid', SHAPE: 'slot_Shape',
    };
    let nSlots = 0;
    for (const [key, slot] of Object.entries(slots)) {
      const target = dump.slots[`${key}_SLOT`];
      if (target === undefined) continue;
      expect(aliases.get(slot), slot).toBe(target);
      nSlots++;
    }
    expect(nSlots).toBe(6);
    expect(catalog.schema.find('slot_Centroid_x').name).toBe(`${dump.slots['CENTROID_SLOT']}_x`);
    // No metadata left over from the slots, the table description or the version.
    expect(catalog.getMetadata().cards().map((c) => c.keyword).filter((k) => /SLOT|^T(TYPE|FORM|FLAG)|AFW_|FLAGCOL/.test(k))).toEqual([]);
    // Old 'flags' names become 'flag', with a prefix alias back.
    const flagNames = dump.items.filter((i) => i.kind === 'bit').map((i) => i.name);
    expect(flagNames).toContain('flags_negative');
    expect(catalog.schema.contains('flag_negative')).toBe(true);
    expect(catalog.schema.find('flags_negative').name).toBe('flag_negative');
    // Compound fields: Point → _x/_y, Moments → _xx/_yy/_xy, Coord → _ra/_dec.
    const point = dump.items.find((i) => i.tccls === 'Point')!;
    expect(catalog.schema.find(`${point.name}_x`).units).toBe(point.unit);
    const moments = dump.items.find((i) => i.tccls === 'Moments')!;
    expect(catalog.schema.find(`${moments.name}_xy`).type).toBe('D');
  });
});

describe.skipIf(!haveFixtures || !haveAstropy)('catalogs we write', () => {
  it.each([
    ['sourceCatalog-hsc-v2.fits', SourceCatalog],
    ['deepCoadd_meas_HSC_v2.fits', SourceCatalog],
    ['ps1-refcat-v1.fits', SimpleCatalog],
    ['great3.fits', BaseCatalog],
  ] as const)('%s read → write → read by us and by astropy, and fitsverify is clean but for afw\'s repeated ALIAS keyword', async (name, Class) => {
    const original = await Class.readFits(join(afwDir, name));
    const out = join(work, `copy-${name}`);
    await original.writeFits(out);

    const back = await Class.readFits(out);
    expect(back.schema.getFields()).toEqual(original.schema.getFields());
    expect(back.schema.getAliasMap().entries()).toEqual(original.schema.getAliasMap().entries());
    for (const field of original.schema) {
      const a = original.getColumn(field.name);
      const b = back.getColumn(field.name);
      if (Array.isArray(a)) expect(b).toEqual(a);
      else expect(Buffer.from((b as Float64Array).buffer, (b as Float64Array).byteOffset, (b as Float64Array).byteLength)).toEqual(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    }
    expect(back.getMetadata().cards().map((c) => c.keyword)).toEqual(original.getMetadata().cards().map((c) => c.keyword));

    const dump = astropy(out);
    expect(dump.version).toBe(3);
    expect(dump.afwType).toBe(Class === SourceCatalog ? 'SOURCE' : Class === SimpleCatalog ? 'SIMPLE' : null);
    // A SourceCatalog with footprints gets afw's `footprint` archive-ID column (not a field).
    expectSameAsAstropy(original, dump, Class === SourceCatalog);
    const tccls = Object.fromEntries(dump.items.filter((i) => i.kind === 'column').map((i) => [i.name, i.tccls]));
    for (const field of original.schema) {
      if (field.type === 'Angle') expect(tccls[field.name]).toBe('Angle');
      else if (field.type !== 'Flag') expect(tccls[field.name]).toBe(field.type === 'String' ? 'String' : 'Scalar');
    }
    expect(dump.aliases).toEqual(original.schema.getAliasMap().entries().map(([a, t]) => `${a}:${t}`));

    if (haveFitsverify) {
      // afw writes one ALIAS card per alias, which fitsverify reports as duplicated keywords
      // (it does so for afw's own files too); anything else must be clean.
      const result = fitsverify(out, false);
      const report = result.output;
      expect(report).toMatch(/Verification found \d+ warning\(s\) and 0 error\(s\)/);
      const warnings = report.split('\n').filter((line) => line.includes('*** Warning'));
      // The footprint archive's index has afw's '.' column names ('cat.archive'), which
      // fitsverify warns about, as it does for afw's own files; a Footprint's two catalogs
      // share the EXTNAME 'Footprint' that OutputArchive gives them.
      const expected = (w: string): boolean => w.includes('Keyword ALIAS is duplicated') || /cat\.(archive|persistable)/.test(w) || w.includes('have identical type/name/version');
      expect(warnings.filter((w) => !expected(w))).toEqual([]);
      if (dump.aliases.length === 0) expect(fitsverify(out).output).toMatch(/verification OK/);
    }
  });
});
