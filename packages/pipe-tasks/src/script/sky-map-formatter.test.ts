// SkyMapFormatter: a sky map written and read back is the same sky map (same class, SHA1 and
// tract geometry); altered or foreign files are refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatterError, StorageClassFactory } from '@skystack/daf-butler';
import { makeSkyMap, type BaseSkyMap } from '@skystack/skymap';
import { afterAll, describe, expect, it } from 'vitest';
import { SKYMAP_FORMATTER_NAME, SkyMapFormatter } from './sky-map-formatter.js';

const dir = mkdtempSync(join(tmpdir(), 'sky-map-formatter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const storageClass = StorageClassFactory.default().getStorageClass('SkyMap');
const formatter = new SkyMapFormatter();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function roundTrip(skyMap: BaseSkyMap, file: string): Promise<BaseSkyMap> {
  const path = join(dir, file);
  await formatter.write(skyMap, path, { storageClass, datasetTypeName: 'skyMap' });
  return (await formatter.read(path, { storageClass })) as BaseSkyMap;
}

describe('SkyMapFormatter', () => {
  const cases: [string, BaseSkyMap, number][] = [
    ['hsc_rings_v1', makeSkyMap('hsc_rings_v1'), 9813],
    ['lsst_cells_v1', makeSkyMap('lsst_cells_v1'), 5063],
    ['discrete', makeSkyMap({ name: 'discrete', raList: [56.65, 10], decList: [-36.45, 2], radiusList: [0.5, 0.2], pixelScale: 0.2, projection: 'TAN', tractOverlap: 0 }), 1],
    ['equat', makeSkyMap({ name: 'equat', numTracts: 6, decRange: [-2, 3] }), 2],
    ['dodeca', makeSkyMap({ name: 'dodeca', withTractsOnPoles: true }), 7],
  ];
  for (const [label, skyMap, tractId] of cases) {
    it(`reads back the same ${label} sky map (class, SHA1, tract WCS and patches)`, async () => {
      const back = await roundTrip(skyMap, `${label}.json`);
      expect(back.constructor).toBe(skyMap.constructor);
      expect(hex(back.getSha1())).toBe(hex(skyMap.getSha1()));
      expect(back.config).toEqual(skyMap.config);
      const [a, b] = [skyMap.get(tractId), back.get(tractId)];
      expect(b.getBBox().toString()).toBe(a.getBBox().toString());
      expect(b.getNumPatches()).toEqual(a.getNumPatches());
      const p = b.getWcs().pixelToSky(b.getBBox().getCenter());
      expect(p.separation(a.getWcs().pixelToSky(a.getBBox().getCenter())).asRadians()).toBe(0);
    });
  }

  it('is named by a module specifier and writes JSON', () => {
    expect(formatter.name).toBe(SKYMAP_FORMATTER_NAME);
    expect(SKYMAP_FORMATTER_NAME).toBe('@skystack/pipe-tasks/sky-map-formatter#SkyMapFormatter');
    expect(formatter.extension).toBe('.json');
    expect(formatter.canReadComponent('wcs')).toBe(false);
  });

  it('refuses a file whose config was altered (SHA1 mismatch), a newer version, and non-sky-map files', async () => {
    const path = join(dir, 'hsc.json');
    await formatter.write(makeSkyMap('hsc_rings_v1'), path, { storageClass, datasetTypeName: 'skyMap' });
    const content = JSON.parse(readFileSync(path, 'utf8')) as { config: { pixelScale: number }; version: number };
    content.config.pixelScale = 0.17;
    writeFileSync(join(dir, 'altered.json'), JSON.stringify(content));
    await expect(formatter.read(join(dir, 'altered.json'), { storageClass })).rejects.toThrow(/SHA1/);
    content.config.pixelScale = 0.168;
    content.version = 99;
    writeFileSync(join(dir, 'future.json'), JSON.stringify(content));
    await expect(formatter.read(join(dir, 'future.json'), { storageClass })).rejects.toThrow(/version 99/);
    writeFileSync(join(dir, 'other.json'), '{"a": 1}');
    await expect(formatter.read(join(dir, 'other.json'), { storageClass })).rejects.toThrow(FormatterError);
    writeFileSync(join(dir, 'bad.json'), '{');
    await expect(formatter.read(join(dir, 'bad.json'), { storageClass })).rejects.toThrow(/not valid JSON/);
    await expect(formatter.read(join(dir, 'missing.json'), { storageClass })).rejects.toThrow(/Cannot read/);
    await expect(formatter.write({ not: 'a sky map' }, join(dir, 'x.json'), { storageClass, datasetTypeName: 'skyMap' })).rejects.toThrow(/not a sky map/);
  });
});
