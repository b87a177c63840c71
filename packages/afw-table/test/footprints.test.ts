/**
 * Footprints (lsst.afw.detection): every footprint of the real afw files compared with the raw
 * SpanSet / Footprint / peak / pixel rows that astropy reads (areas and boxes computed in Python
 * from the raw spans), SourceCatalog footprint round trips read back by us and by astropy, and
 * typed errors for malformed archives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits } from '@skystack/fits';
import { Box2I, Point2I } from '@skystack/geom';
import { astropyAvailable, fitsverify, fitsverifyAvailable, fixturePath, runPythonJson } from '@skystack/test-support';
import {
  AfwTableFormatError,
  AfwTableInvalidArgumentError,
  Footprint,
  HeavyFootprint,
  InputArchive,
  OutputArchive,
  PeakCatalog,
  Schema,
  SourceCatalog,
  Span,
  SpanSet,
  registerFootprintReaders,
  PersistableRegistry,
  type OutputArchiveHandle,
  type Persistable,
} from '../src/index.js';

const haveFixtures = fixturePath('afw', 'legacyHeavyFootprint.fits') !== undefined;
const haveAstropy = astropyAvailable();
const tmp = mkdtempSync(join(tmpdir(), 'skystack-footprints-'));
afterAll(() => (process.env.KEEP_TMP ? undefined : rmSync(tmp, { recursive: true, force: true })));
const registry = registerFootprintReaders(new PersistableRegistry());

/**
 * Reads footprints from the raw rows with astropy. For each file: the footprint archive objects
 * by ID (`objects`), and the source table's per-row archive IDs (`rowIds`) or, for the
 * pre-archive layout, the per-row footprints (`rows`).
 */
const DUMP = `
import sys, json
import numpy as np
from astropy.io import fits

def normalize(raw):
    spans = sorted((int(y), int(a), int(b)) for y, a, b in raw)
    out = []
    for y, a, b in spans:
        if out and out[-1][0] == y and a <= out[-1][2] + 1:
            out[-1][2] = max(out[-1][2], b)
        else:
            out.append([y, a, b])
    return out

def describe(raw, peaks, heavy):
    spans = normalize(raw)
    pixels = set()
    for y, a, b in raw:
        for x in range(int(a), int(b) + 1):
            pixels.add((x, int(y)))
    area = sum(b - a + 1 for y, a, b in spans)
    assert area == len(pixels)
    bbox = [min(s[1] for s in spans), spans[0][0], max(s[2] for s in spans), spans[-1][0]] if spans else None
    rawList = [[int(y), int(a), int(b)] for y, a, b in raw]
    return {'spans': spans, 'area': area, 'bbox': bbox, 'peaks': peaks, 'heavy': heavy,
            'rawNormalized': rawList == spans}

def peak_columns(hdu, rows):
    out = {}
    for col in hdu.columns:
        if col.name == 'flags':
            continue
        out[col.name] = [v.item() for v in hdu.data[col.name][rows]]
    bits = [(int(k[5:]) - 1, hdu.header[k]) for k in hdu.header if k.startswith('TFLAG')]
    if bits:
        flags = np.asarray(hdu.data['flags'][rows])
        for b, name in bits:
            out[name] = [bool(v) for v in flags[:, b]]
    return out

def vla(hdu, column, row):
    # Read variable-length arrays from the raw descriptor and heap bytes, then apply TZERO
    # (astropy 5 is inconsistent about scaling variable-length integer columns).
    col = hdu.columns[column]
    fmt = str(col.format)
    code = fmt[fmt.index('P' if 'P' in fmt else 'Q') + 1]
    desc = np.asarray(hdu.data.base[col.name][row])
    n, off = int(desc[0]), int(desc[1])
    dtype = np.dtype({'B': 'u1', 'I': '>i2', 'J': '>i4', 'K': '>i8', 'E': '>f4', 'D': '>f8'}[code])
    heap = hdu.data._get_heap_data()
    values = np.frombuffer(heap[off:off + n * dtype.itemsize].tobytes(), dtype)
    if col.bzero:
        values = values.astype(np.int64) + int(col.bzero)
    return [v.item() for v in values]

def arrays(hdu, row):
    return {name: vla(hdu, name, row) for name in ('image', 'mask', 'variance')}

result = {}
for path in sys.argv[1:]:
    h = fits.open(path)
    info = {'objects': {}}
    idx = [i for i, hd in enumerate(h) if str(hd.header.get('EXTTYPE', '')).strip() == 'ARCHIVE_INDEX']
    if idx:
        i0 = idx[0]
        index = [[int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]), r[5].strip()] for r in h[i0].data]
        def cats(oid):
            es = sorted((e for e in index if e[0] == oid), key=lambda e: e[2])
            return [(h[i0 + e[1]], slice(e[3], e[3] + e[4])) for e in es]
        for oid in sorted({e[0] for e in index}):
            name = [e for e in index if e[0] == oid][0][5]
            if not (name == 'Footprint' or name.startswith('HeavyFootprint')):
                continue
            cs = cats(oid)
            hdu0, rows0 = cs[0]
            if 'y' in hdu0.columns.names:
                raw = list(zip(hdu0.data['y'][rows0], hdu0.data['x0'][rows0], hdu0.data['x1'][rows0]))
            else:
                ss_hdu, ss_rows = cats(int(hdu0.data['id'][rows0][0]))[0]
                raw = list(zip(ss_hdu.data['y'][ss_rows], ss_hdu.data['x0'][ss_rows], ss_hdu.data['x1'][ss_rows]))
            heavy = arrays(cs[2][0], cs[2][1].start) if name.startswith('Heavy') else None
            info['objects'][str(oid)] = dict(describe(raw, peak_columns(*cs[1]), heavy), name=name)
    t = h[1] if len(h) > 1 and isinstance(h[1], fits.BinTableHDU) and str(h[1].header.get('EXTTYPE', '')).strip() == '' else None
    if t is not None and 'footprint' in t.columns.names:
        info['rowIds'] = [int(v) for v in t.data['footprint']]
    if t is not None and 'SPANCOL' in t.header:
        rows = []
        for r in range(len(t.data)):
            s = np.asarray(t.data.field(t.header['SPANCOL'] - 1)[r]).reshape(-1, 3)
            p = np.asarray(t.data.field(t.header['PEAKCOL'] - 1)[r]).reshape(-1, 3)
            peaks = {'f_x': [float(v) for v in p[:, 0]], 'f_y': [float(v) for v in p[:, 1]], 'peakValue': [float(v) for v in p[:, 2]],
                     'i_x': [int(v) for v in p[:, 0]], 'i_y': [int(v) for v in p[:, 1]]}
            heavy = None
            if 'HVYPIXCO' in t.header and len(t.data.field(t.header['HVYPIXCO'] - 1)[r]) > 0:
                heavy = {k: vla(t, t.header[key] - 1, r)
                         for k, key in (('image', 'HVYPIXCO'), ('mask', 'HVYMSKCO'), ('variance', 'HVYVARCO'))}
            rows.append(describe([tuple(x) for x in s], peaks, heavy))
        info['rows'] = rows
    result[path] = info
print(json.dumps(result))
`;

interface FootprintDump {
  name?: string;
  spans: [number, number, number][];
  area: number;
  bbox: [number, number, number, number] | null;
  peaks: Record<string, (number | boolean)[]>;
  heavy: { image: number[]; mask: number[]; variance: number[] } | null;
  rawNormalized: boolean;
}
interface FileDump {
  objects: Record<string, FootprintDump>;
  rowIds?: number[];
  rows?: FootprintDump[];
}

const dumpFiles = (paths: readonly string[]): Record<string, FileDump> => runPythonJson<Record<string, FileDump>>(DUMP, paths);

/** Compares one of our footprints with what astropy read from the raw rows. */
function expectSameFootprint(ours: Footprint | null, expected: FootprintDump, what: string): void {
  expect(ours, what).toBeInstanceOf(Footprint);
  const fp = ours!;
  const spans = fp.getSpans();
  expect(Array.from(spans, (s) => [s.y, s.x0, s.x1]), `${what} spans`).toEqual(expected.spans);
  expect(fp.getArea(), `${what} area`).toBe(expected.area);
  const bbox = fp.getBBox();
  if (expected.bbox === null) expect(bbox.isEmpty()).toBe(true);
  else expect([bbox.getMinX(), bbox.getMinY(), bbox.getMaxX(), bbox.getMaxY()], `${what} bbox`).toEqual(expected.bbox);
  const peaks = fp.getPeaks();
  for (const [name, values] of Object.entries(expected.peaks)) {
    const column = peaks.getColumn(name);
    const got = Array.from(column as ArrayLike<number | bigint>, (v) => (name === 'id' ? Number(v) : typeof values[0] === 'boolean' ? v !== 0 : Number(v)));
    expect(got, `${what} peak column ${name}`).toEqual(values);
  }
  expect(peaks.length, `${what} peak count`).toBe(Object.values(expected.peaks)[0]?.length ?? 0);
  if (expected.name !== undefined) expect(fp.persistenceName).toBe(expected.name);
  expect(fp.isHeavy(), `${what} heavy`).toBe(expected.heavy !== null);
  if (expected.heavy !== null) {
    const heavy = fp as HeavyFootprint;
    expect(Array.from(heavy.getImageArray()), `${what} image`).toEqual(expected.heavy.image);
    expect(Array.from(heavy.getMaskArray()), `${what} mask`).toEqual(expected.heavy.mask);
    expect(Array.from(heavy.getVarianceArray()), `${what} variance`).toEqual(expected.heavy.variance);
  }
}

const ARCHIVE_FILES = ['legacyHeavyFootprint.fits', 'preSpanSetsFootprint.fits', 'testFootprintEdge.fits'];
const CATALOG_FILES = ['sourceCatalog-hsc-v2.fits', 'deepCoadd_meas_HSC_v2.fits'];

describe.skipIf(!haveFixtures || !haveAstropy)('footprints of the real afw files (checked with astropy)', () => {
  const paths = [...ARCHIVE_FILES, ...CATALOG_FILES, 'old-footprint-persistence.fits'].map((f) => fixturePath('afw', f)!);
  const dump = haveFixtures && haveAstropy ? dumpFiles(paths) : {};
  const at = (name: string): [string, FileDump] => {
    const path = fixturePath('afw', name)!;
    return [path, dump[path]!];
  };

  it.each(ARCHIVE_FILES)('%s: every footprint in the archive', async (name) => {
    const [path, expected] = at(name);
    const archive = await InputArchive.readFits(path, { registry });
    const ids = Object.keys(expected.objects);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expectSameFootprint(archive.get(Number(id)) as Footprint, expected.objects[id]!, `${name} #${id}`);
  });

  it.each(CATALOG_FILES)('%s: every record footprint, through AR_HDU and the footprint column', async (name) => {
    const [path, expected] = at(name);
    const catalog = await SourceCatalog.readFits(path);
    expect(catalog.schema.contains('footprint')).toBe(false);
    expect(expected.rowIds).toHaveLength(catalog.length);
    expected.rowIds!.forEach((id, r) => expectSameFootprint(catalog.get(r).getFootprint(), expected.objects[String(id)]!, `${name} row ${r}`));
    // Peaks with extra schema columns (merge_peak_* flags) keep them.
    if (name.startsWith('deepCoadd')) expect(catalog.get(0).getFootprint()!.getPeaks().schema.contains('merge_peak_sky')).toBe(true);
  });

  it('old-footprint-persistence.fits: footprints embedded in the table (areas 495 and 767, the second heavy)', async () => {
    const [path, expected] = at('old-footprint-persistence.fits');
    const catalog = await SourceCatalog.readFits(path);
    expect(expected.rows!.map((r) => r.area)).toEqual([495, 767]);
    expected.rows!.forEach((row, r) => expectSameFootprint(catalog.get(r).getFootprint(), row, `row ${r}`));
    expect(catalog.get(1).getFootprint()).toBeInstanceOf(HeavyFootprint);
    expect(catalog.getMetadata().has('SPANCOL')).toBe(false);
    expect(catalog.schema.getNames().some((n) => ['spans', 'peaks', 'heavyPix'].includes(n))).toBe(false);
  });

  it('heavy pixels follow the spans as stored (the raw spans are already normalized)', () => {
    for (const file of Object.values(dump)) {
      for (const fp of [...Object.values(file.objects), ...(file.rows ?? [])]) if (fp.heavy !== null) expect(fp.rawNormalized).toBe(true);
    }
  });

  it('skips footprints when asked', async () => {
    const [path] = at('sourceCatalog-hsc-v2.fits');
    const catalog = await SourceCatalog.readFits(path, { footprints: false });
    expect(catalog.get(0).getFootprint()).toBeNull();
    expect(catalog.length).toBe(5);
  });
});

describe('SpanSet', () => {
  it('normalizes, measures and clips', () => {
    const spans = new SpanSet([new Span(1, 5, 6), new Span(0, 3, 3), new Span(1, 2, 4), new Span(3, 0, 9)]);
    expect(Array.from(spans, (s) => s.toString())).toEqual(['0: 3..3', '1: 2..6', '3: 0..9']);
    expect(spans.getArea()).toBe(16);
    expect(spans.getBBox().equals(new Box2I(new Point2I(0, 0), new Point2I(9, 3)))).toBe(true);
    expect(spans.contains(6, 1)).toBe(true);
    expect(spans.contains(7, 1)).toBe(false);
    expect(spans.contains(1, 2)).toBe(false);
    const clipped = spans.clippedTo(new Box2I(new Point2I(3, 1), new Point2I(4, 5)));
    expect(Array.from(clipped, (s) => [s.y, s.x0, s.x1])).toEqual([[1, 3, 4], [3, 3, 4]]);
    const shifted = spans.shiftedBy(10, -1);
    expect(shifted.getSpan(0).toString()).toBe('-1: 13..13');
    expect(shifted.shiftedBy(-10, 1).equals(spans)).toBe(true);
    expect(SpanSet.fromBox(new Box2I(new Point2I(1, 2), new Point2I(3, 4))).getArea()).toBe(9);
    expect(new SpanSet().getBBox().isEmpty()).toBe(true);
    expect(() => new Span(0, 3, 2)).toThrow(AfwTableInvalidArgumentError);
    expect(() => SpanSet.fromArrays([1, 0], [0, 0], [0, 0], { normalize: false })).toThrow(AfwTableInvalidArgumentError);
  });
});

/** A test footprint set: plain, heavy F/D/I, and one whose peaks have an extra flag and column. */
function makeFootprints(): Footprint[] {
  const plain = new Footprint(new SpanSet([new Span(10, 5, 9), new Span(11, 4, 12), new Span(12, 7, 7)]));
  plain.addPeak(7.25, 11.5, 42.5);
  plain.addPeak(5, 10, 3);
  const spans = new SpanSet([new Span(-3, -2, 0), new Span(-2, -1, 1)]);
  const area = spans.getArea();
  const mask = Int32Array.from({ length: area }, (_, i) => (i * 37) % 1024);
  const variance = Float32Array.from({ length: area }, (_, i) => 0.5 + i);
  const heavyF = new HeavyFootprint(new Footprint(spans), { image: Float32Array.from({ length: area }, (_, i) => i / 3), mask, variance });
  heavyF.addPeak(-1, -2.5, 9.5);
  const heavyD = new HeavyFootprint(new Footprint(spans), { image: Float64Array.from({ length: area }, (_, i) => Math.PI * i), mask, variance }, 'D');
  const heavyI = new HeavyFootprint(new Footprint(spans), { image: Int32Array.from({ length: area }, (_, i) => -1000 * i), mask, variance }, 'I');
  const schema = PeakCatalog.makeMinimalSchema();
  schema.addField({ name: 'merge_peak_g', type: 'Flag', doc: 'Peak detected in filter g' });
  schema.addField({ name: 'significance', type: 'D', doc: 'detection significance', units: 'sigma' });
  const extra = new Footprint(new SpanSet([new Span(100, 100, 200)]), { peaks: new PeakCatalog(schema) });
  extra.addPeak(150, 100, 7).set('merge_peak_g', true);
  extra.getPeaks().get(0).set('significance', 12.5);
  extra.addPeak(110, 100, 2);
  return [plain, heavyF, heavyD, heavyI, extra];
}

describe('writing SourceCatalog footprints', () => {
  it('round-trips footprints (plain and heavy) through the archive; astropy reads them; fitsverify is clean', async () => {
    const footprints = makeFootprints();
    const catalog = new SourceCatalog(SourceCatalog.makeMinimalSchema(), { length: footprints.length + 1 });
    footprints.forEach((fp, i) => catalog.get(i).setFootprint(fp));
    catalog.setColumn('id', BigInt64Array.from({ length: catalog.length }, (_, i) => BigInt(i + 1)));
    const path = join(tmp, 'src-footprints.fits');
    await catalog.writeFits(path);

    const back = await SourceCatalog.readFits(path);
    expect(back.length).toBe(catalog.length);
    expect(back.get(footprints.length).getFootprint()).toBeNull();
    footprints.forEach((fp, i) => {
      const got = back.get(i).getFootprint()!;
      expect(got.persistenceName).toBe(fp.persistenceName);
      expect(got.getSpans().equals(fp.getSpans())).toBe(true);
      // Flag fields come back after the other fields (they are packed in one column).
      expect(got.getPeaks().schema.getNames().sort()).toEqual(fp.getPeaks().schema.getNames().sort());
      for (const name of fp.getPeaks().schema.getNames()) expect(Array.from(got.getPeaks().getColumn(name) as ArrayLike<unknown>)).toEqual(Array.from(fp.getPeaks().getColumn(name) as ArrayLike<unknown>));
      if (fp instanceof HeavyFootprint) {
        const h = got as HeavyFootprint<'F' | 'D' | 'I' | 'U'>;
        expect(h.getImageArray()).toEqual(fp.getImageArray());
        expect(h.getMaskArray()).toEqual(fp.getMaskArray());
        expect(h.getVarianceArray()).toEqual(fp.getVarianceArray());
      }
    });

    if (haveAstropy) {
      const seen = dumpFiles([path])[path]!;
      expect(seen.rowIds).toHaveLength(catalog.length);
      expect(seen.rowIds![footprints.length]).toBe(0);
      footprints.forEach((fp, i) => expectSameFootprint(fp, seen.objects[String(seen.rowIds![i])]!, `written row ${i}`));
    }
    if (fitsverifyAvailable()) expect(fitsverify(path, false).output).toMatch(/ and 0 error\(s\)/);
  });

  it('writes no archive when no record has a footprint', async () => {
    const catalog = new SourceCatalog(SourceCatalog.makeMinimalSchema(), { length: 2 });
    const path = join(tmp, 'src-none.fits');
    await catalog.writeFits(path);
    await expect(InputArchive.readFits(path, { registry })).rejects.toThrow(/no afw archive/);
    expect((await SourceCatalog.readFits(path)).get(1).getFootprint()).toBeNull();
  });

  it.skipIf(!haveFixtures)('re-writes the footprints of a real catalog', async () => {
    const source = await SourceCatalog.readFits(fixturePath('afw', 'deepCoadd_meas_HSC_v2.fits')!);
    const path = join(tmp, 'deepCoadd-copy.fits');
    await source.writeFits(path);
    const back = await SourceCatalog.readFits(path);
    for (let i = 0; i < source.length; i++) {
      const a = source.get(i).getFootprint()!;
      const b = back.get(i).getFootprint()!;
      expect(b.getSpans().equals(a.getSpans())).toBe(true);
      expect(Array.from(b.getPeaks().getColumn('merge_peak_r') as Uint8Array)).toEqual(Array.from(a.getPeaks().getColumn('merge_peak_r') as Uint8Array));
    }
  });
});

/** Writes a fake 'Footprint' archive object whose SpanSet ID points nowhere. */
class BrokenFootprint implements Persistable {
  readonly persistenceName = 'Footprint';
  readonly pythonModule = 'lsst.afw.detection';
  constructor(readonly spanSetId: number) {}
  writeToArchive(handle: OutputArchiveHandle): void {
    handle.saveCatalog({ columns: [{ name: 'id', format: '1J' }] }, [{ id: this.spanSetId }]);
    const { schema, rows } = new PeakCatalog().toArchive();
    handle.saveCatalog(schema, rows);
  }
}

/** Writes a HeavyFootprintF whose pixel arrays are one short. */
class ShortHeavy implements Persistable {
  readonly persistenceName = 'HeavyFootprintF';
  readonly pythonModule = 'lsst.afw.detection';
  writeToArchive(handle: OutputArchiveHandle): void {
    new Footprint(new SpanSet([new Span(0, 0, 3)])).writeToArchive(handle);
    const a = new Float32Array(3);
    handle.saveCatalog({ columns: [{ name: 'image', format: 'QE' }, { name: 'mask', format: 'QJ' }, { name: 'variance', format: 'QE' }] }, [{ image: a, mask: new Int32Array(3), variance: a }]);
  }
}

describe('malformed footprint archives', () => {
  it('gives typed errors', async () => {
    const output = new OutputArchive();
    const missing = output.put(new BrokenFootprint(42));
    const notSpans = output.put(new BrokenFootprint(missing));
    const short = output.put(new ShortHeavy());
    const path = join(tmp, 'broken.fits');
    await writeFits(path, output.toHdus());
    const archive = await InputArchive.readFits(path, { registry });
    expect(() => archive.get(missing)).toThrow(AfwTableFormatError);
    expect(() => archive.get(missing)).toThrow(/refers to SpanSet 42, but the archive has no object with that ID/);
    expect(() => archive.get(notSpans)).toThrow(/is a 'Footprint'/);
    expect(() => archive.get(short)).toThrow(/have 3 image, 3 mask and 3 variance values; the footprint has 4 pixels/);
  });

  it('refuses heavy pixels that do not match the footprint, and spans of a heavy footprint', () => {
    const fp = new Footprint(new SpanSet([new Span(0, 0, 1)]));
    expect(() => new HeavyFootprint(fp, { image: new Float32Array(3), mask: new Int32Array(2), variance: new Float32Array(2) })).toThrow(AfwTableInvalidArgumentError);
    expect(() => new HeavyFootprint(fp, { image: new Float64Array(2), mask: new Int32Array(2), variance: new Float32Array(2) } as never)).toThrow(AfwTableInvalidArgumentError);
    const heavy = new HeavyFootprint(fp, { image: new Float32Array(2), mask: new Int32Array(2), variance: new Float32Array(2) });
    expect(() => heavy.setSpans(new SpanSet())).toThrow(AfwTableInvalidArgumentError);
    expect(new Schema(PeakCatalog.makeMinimalSchema()).getNames()).toEqual(['id', 'f_x', 'f_y', 'i_x', 'i_y', 'peakValue']);
  });
});
