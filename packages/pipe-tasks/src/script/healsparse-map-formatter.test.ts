// HealSparseMapFormatter: a map put into a Butler is read back whole, by coverage pixels and as
// its coverage component, by a Butler that finds the formatter from its configuration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Butler, DatasetType, FormatterError, StorageClassFactory } from '@skystack/daf-butler';
import { HealSparseCoverage, HealSparseMap, HealSparsePolygon } from '@skystack/healsparse';
import { makeSkyMap } from '@skystack/skymap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALSPARSE_MAP_FORMATTER_NAME, HealSparseMapFormatter } from './healsparse-map-formatter.js';
import { registerSkyMap } from './register-skymap.js';

const NSIDE = 32768;

/** Two detectors' bits over two 0.1° squares, one across a coverage-pixel boundary from the other. */
function makeMap(): HealSparseMap {
  const map = HealSparseMap.makeEmpty({ nsideCoverage: 256, nsideSparse: NSIDE, dtype: 'wide-mask', wideMaskMaxBits: 2, metadata: { B0000CCD: 3, B0000VIS: 1228, B0000WT: 0.25 } });
  map.setBitsPix(new HealSparsePolygon([150, 150.1, 150.1, 150], [2.2, 2.2, 2.3, 2.3]).getPixels(NSIDE), [0]);
  map.setBitsPix(new HealSparsePolygon([150.4, 150.5, 150.5, 150.4], [2.2, 2.2, 2.3, 2.3]).getPixels(NSIDE), [1]);
  return map;
}

describe('HealSparseMapFormatter', () => {
  let root = '';
  const map = makeMap();
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'healsparse-formatter-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is named by a module specifier and writes .hsp files; refuses objects that are not maps', async () => {
    const f = new HealSparseMapFormatter();
    expect(f.name).toBe(HEALSPARSE_MAP_FORMATTER_NAME);
    expect(f.extension).toBe('.hsp');
    expect(f.canReadComponent('coverage')).toBe(true);
    expect(f.canReadComponent('wcs')).toBe(false);
    const storageClass = StorageClassFactory.default().getStorageClass('HealSparseMap');
    await expect(f.write({}, join(root, 'x.hsp'), { storageClass, datasetTypeName: 'deepCoadd_inputMap' })).rejects.toThrow(FormatterError);
    await expect(f.read(join(root, 'missing.hsp'), { storageClass })).rejects.toThrow(/Cannot read the HealSparse map file/);
  });

  it('round-trips through a Butler: whole, by coverage pixels, and the coverage component', async () => {
    const repo = join(root, 'repo');
    await Butler.makeRepo(repo);
    const skyMap = makeSkyMap({ name: 'discrete', raList: [150.2], decList: [2.25], radiusList: [0.3], pixelScale: 0.2, projection: 'TAN', tractOverlap: 0 });
    const writer = await Butler.from(repo, { writeable: true });
    try {
      await registerSkyMap(writer, skyMap, 'test');
      await writer.registry.registerDatasetType(new DatasetType('testInputMap', ['skymap'], 'HealSparseMap', { universe: writer.universe }));
      const ref = await writer.put(map, 'testInputMap', { skymap: 'test' }, { run: 'u/maps' });
      expect((await writer.getURI(ref)).endsWith('.hsp')).toBe(true);
    } finally {
      await writer.close();
    }
    const reader = await Butler.from(repo, { collections: 'u/maps' });
    try {
      const back = (await reader.get('testInputMap', { skymap: 'test' })) as HealSparseMap;
      expect(back).toBeInstanceOf(HealSparseMap);
      expect(Array.from(back.validPixels())).toEqual(Array.from(map.validPixels()));
      const p0 = map.validPixels()[0]!;
      expect(back.getBitsPix(p0)).toEqual(map.getBitsPix(p0));
      expect(back.metadata).toMatchObject({ B0000CCD: 3, B0000VIS: 1228, B0000WT: 0.25 });
      const coverage = (await reader.get('testInputMap.coverage', { skymap: 'test' })) as HealSparseCoverage;
      expect(coverage).toBeInstanceOf(HealSparseCoverage);
      const covered = coverage.coveredPixels();
      expect(covered.length).toBeGreaterThanOrEqual(2);
      // only the first coverage pixel's block: exactly the valid pixels that fall in it
      const nfine = (NSIDE / 256) ** 2;
      const part = (await reader.get('testInputMap', { skymap: 'test' }, { parameters: { pixels: [covered[0]!] } })) as HealSparseMap;
      const expected = Array.from(map.validPixels()).filter((p) => Math.floor(p / nfine) === covered[0]);
      expect(expected.length).toBeGreaterThan(0);
      expect(Array.from(part.validPixels())).toEqual(expected);
      await expect(reader.get('testInputMap', { skymap: 'test' }, { parameters: { degrade_nside: 4096 } })).rejects.toThrow(/degrade_nside/);
    } finally {
      await reader.close();
    }
  });
});
