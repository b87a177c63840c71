/**
 * afw table-persistence archives: the index and catalogs of every archive in the real afw files
 * compared with what astropy reads, pass-through writes that keep every catalog byte for byte,
 * and new objects (flags, arrays, variable-length columns, references) read back by astropy.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FitsFile, writeFits } from '@skystack/fits';
import { FIXTURES, astropyAvailable, fitsverify, fitsverifyAvailable, fixturePath, runPythonJson } from '@skystack/test-support';
import {
  AfwTableFormatError,
  AfwTableInvalidArgumentError,
  AfwTableNotFoundError,
  InputArchive,
  OutputArchive,
  RawPersistable,
  PersistableRegistry,
  ArchiveRows,
  type OutputArchiveHandle,
  type Persistable,
} from '../src/index.js';

const haveFixtures = fixturePath('afw', 'exposure-version-2.fits') !== undefined;
const haveAstropy = astropyAvailable();
const tmp = mkdtempSync(join(tmpdir(), 'skystack-archive-'));
afterAll(() => (process.env.KEEP_TMP ? undefined : rmSync(tmp, { recursive: true, force: true })));

const INDEX_DUMP = `
import sys, json
from astropy.io import fits
out = {}
for path in sys.argv[1:]:
    with fits.open(path, disable_image_compression=True) as h:
        idx = [i for i, hd in enumerate(h) if hd.header.get('EXTTYPE', '').strip() == 'ARCHIVE_INDEX']
        if not idx:
            continue
        i = idx[0]
        d = h[i].data
        # Columns by position: version-0 tables spell 'cat.archive' as 'cat_archive'.
        rows = [[int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]),
                 r[5].strip(), r[6].strip() if len(d.names) > 6 else ''] for r in d]
        cats = [[h[j].header.get('AR_NAME', '').strip(), int(h[j].header['NAXIS2']), list(h[j].columns.names)]
                for j in range(i + 1, i + int(h[i].header.get('AR_NCAT', 1)))]
        out[path] = {'index': i, 'rows': rows, 'catalogs': cats}
print(json.dumps(out))
`;

const archiveFiles = haveFixtures
  ? readdirSync(join(FIXTURES, 'afw'))
      .filter((f) => /\.fits$/.test(f) && f !== 'ticketdm26260.fits')
      .map((f) => join(FIXTURES, 'afw', f))
  : [];

interface IndexDump {
  index: number;
  rows: [number, number, number, number, number, string, string][];
  catalogs: [string, number, string[]][];
}

describe.skipIf(!haveFixtures || !haveAstropy)('archives in the real afw files (checked with astropy)', () => {
  const dump = haveFixtures && haveAstropy ? runPythonJson<Record<string, IndexDump>>(INDEX_DUMP, archiveFiles) : {};
  const withArchive = Object.keys(dump);

  it('finds the archives astropy finds', () => {
    expect(withArchive.length).toBeGreaterThanOrEqual(30);
  });

  it.each(withArchive.map((p) => [p.split('/').pop()!, p] as const))('%s: index rows and catalogs', async (_name, path) => {
    const expected = dump[path]!;
    const file = await FitsFile.open(path);
    let archive: InputArchive;
    try {
      archive = await InputArchive.read(file, expected.index);
    } finally {
      await file.close();
    }
    expect(archive.entries.map((e) => [e.id, e.catArchive, e.catPersistable, e.row0, e.nRows, e.name, e.module])).toEqual(expected.rows);
    expect(archive.catalogs.map((c) => [c.name, c.table.nRows, c.table.columns.map((col) => col.name)])).toEqual(expected.catalogs);
    // Every object reads, decoded or raw; none of the rows it points at are missing.
    for (const id of archive.ids) expect(archive.get(id)).not.toBeUndefined();
  });

  it('finds the archive of an exposure through AR_HDU and reports undecoded objects by name', async () => {
    const archive = await InputArchive.readFits(join(FIXTURES, 'afw', 'archiveImportTest.fits'));
    const psf = archive.get(1);
    expect(psf).toBeInstanceOf(RawPersistable);
    expect((psf as RawPersistable).name).toBe('DummyPsf');
    expect((psf as RawPersistable).module).toBe('testTableArchivesLib');
    expect(String(psf)).toBe('RawPersistable(DummyPsf from testTableArchivesLib, id 1)');
    expect(archive.get(0)).toBeNull();
    expect(() => archive.get(99)).toThrow(AfwTableNotFoundError);
  });

  it('passes an archive through byte for byte and astropy reads the same index', async () => {
    for (const name of ['exposure-version-2.fits', 'deepCoadd_meas_HSC_v2.fits', 'legacyHeavyFootprint.fits', 'visitInfo-version-5.fits']) {
      const path = join(FIXTURES, 'afw', name);
      const source = await InputArchive.readFits(path);
      const output = new OutputArchive({ passthrough: source });
      for (const id of source.ids) expect(output.put(source.get(id) as RawPersistable)).toBe(id);
      const out = join(tmp, `pass-${name}`);
      await writeFits(out, output.toHdus());
      const back = await InputArchive.readFits(out);
      expect(back.entries).toEqual(source.entries);
      back.catalogs.forEach((c, i) => expect(Buffer.from(c.data).equals(Buffer.from(source.catalogs[i]!.data))).toBe(true));
      const again = runPythonJson<Record<string, IndexDump>>(INDEX_DUMP, [out])[out]!;
      expect(again.rows).toEqual(dump[path]!.rows);
    }
  });
});

/** A test type with two catalogs, flags, fixed and variable-length arrays and a reference. */
class Thing implements Persistable {
  readonly persistenceName = 'SkyStackTestThing';
  readonly pythonModule = 'skystack.test';
  constructor(
    readonly label: string,
    readonly values: Float64Array,
    readonly corners: readonly number[],
    readonly good: boolean,
    readonly child: Thing | null,
    readonly big: bigint,
  ) {}
  writeToArchive(handle: OutputArchiveHandle): void {
    const child = handle.put(this.child);
    handle.saveCatalog(
      {
        columns: [
          { name: 'label', format: 'QA', doc: 'a label' },
          { name: 'corners', format: '4J', unit: 'pixel' },
          { name: 'child', format: '1J', doc: 'archive ID of the child' },
          { name: 'big', format: '1K' },
        ],
        flags: [{ name: 'good', doc: 'is it good?' }],
      },
      [{ label: this.label, corners: this.corners, child, big: this.big, good: this.good }],
    );
    handle.saveCatalog({ columns: [{ name: 'value', format: '1D', unit: 'count' }] }, Array.from(this.values, (value) => ({ value })));
  }
}

const registry = new PersistableRegistry().register('SkyStackTestThing', (catalogs: readonly ArchiveRows[], archive) => {
  const [head, values] = catalogs as [ArchiveRows, ArchiveRows];
  return new Thing(
    head.string('label'),
    values.column('value') as Float64Array,
    Array.from(head.array('corners'), Number),
    head.flag('good'),
    archive.getAs(head.number('child'), Thing, 'the child Thing'),
    head.bigint('big'),
  );
});

describe('writing new objects', () => {
  const child = new Thing('child', new Float64Array([1.5]), [0, 0, 1, 1], false, null, -5n);
  const parent = new Thing('a rather longer label', new Float64Array([1, 2, 3]), [1, 2, 3, 4], true, child, 2n ** 62n);

  it('round-trips objects, references and shared catalogs', async () => {
    const output = new OutputArchive();
    const id = output.put(parent);
    expect(output.put(parent)).toBe(id);
    expect(output.put(null)).toBe(0);
    const hdus = output.toHdus();
    // Two objects of one type with the same layout share catalogs: index + 2 catalogs.
    expect(hdus).toHaveLength(3);
    const path = join(tmp, 'things.fits');
    await writeFits(path, hdus);
    const archive = await InputArchive.readFits(path, { registry });
    const back = archive.get(id) as Thing;
    expect(back).toBeInstanceOf(Thing);
    expect(back.label).toBe(parent.label);
    expect(Array.from(back.values)).toEqual([1, 2, 3]);
    expect(back.corners).toEqual([1, 2, 3, 4]);
    expect(back.good).toBe(true);
    expect(back.big).toBe(2n ** 62n);
    expect(back.child?.label).toBe('child');
    expect(back.child?.good).toBe(false);
    expect(back.child?.big).toBe(-5n);
    expect(archive.get(id)).toBe(back);
    // fitsverify warns about the '.' in afw's index column names, as it does for afw's own files.
    if (fitsverifyAvailable()) expect(fitsverify(path, false).output).toMatch(/ and 0 error\(s\)/);
    if (haveAstropy) {
      const seen = runPythonJson<{ labels: string[]; values: number[]; flags: boolean[]; index: unknown[][] }>(
        `
import sys, json
from astropy.io import fits
h = fits.open(sys.argv[1])
t = h[2].data
print(json.dumps({'labels': [''.join(c or ' ' for c in x) for x in t['label']], 'values': [float(v) for v in h[3].data['value']],
  'flags': [bool(b) for b in t['flags'][:, 0]] if t['flags'].ndim == 2 else [bool(b) for b in t['flags']],
  'index': [[int(r['id']), int(r['cat.archive']), int(r['cat.persistable']), int(r['row0']), int(r['nrows']), r['name']] for r in h[1].data]}))
`,
        [path],
      );
      expect(seen.labels).toEqual(['child', 'a rather longer label']);
      expect(seen.values).toEqual([1.5, 1, 2, 3]);
      expect(seen.flags).toEqual([false, true]);
      expect(seen.index).toEqual([
        [2, 1, 0, 0, 1, 'SkyStackTestThing'],
        [2, 2, 1, 0, 1, 'SkyStackTestThing'],
        [1, 1, 0, 1, 1, 'SkyStackTestThing'],
        [1, 2, 1, 1, 3, 'SkyStackTestThing'],
      ]);
    }
  });

  it('refuses undecodable objects from another archive', async () => {
    if (!haveFixtures) return;
    const source = await InputArchive.readFits(join(FIXTURES, 'afw', 'archiveImportTest.fits'));
    expect(() => new OutputArchive().put(source.get(1) as RawPersistable)).toThrow(AfwTableInvalidArgumentError);
  });

  it('gives a typed error for a wrong type and for rows outside a catalog', async () => {
    const output = new OutputArchive();
    const id = output.put(parent);
    const path = join(tmp, 'things2.fits');
    await writeFits(path, output.toHdus());
    const archive = await InputArchive.readFits(path, { registry });
    expect(() => archive.getAs(id, RawPersistable, 'a raw object')).toThrow(AfwTableFormatError);
    const catalog = archive.catalogs[0]!;
    expect(() => new ArchiveRows(catalog, 1, catalog.table.nRows)).toThrow(AfwTableFormatError);
    const rows = new ArchiveRows(catalog, 0, 1);
    expect(() => rows.number('nope')).toThrow(/has no column 'nope'; it has flags, label, corners, child, big/);
    expect(() => rows.flag('bad')).toThrow(AfwTableFormatError);
    expect(() => rows.number('label')).toThrow(/not a fixed-size numeric column/);
  });
});
