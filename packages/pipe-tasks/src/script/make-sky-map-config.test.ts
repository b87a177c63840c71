// MakeSkyMapConfig: LSST override files and -c options give the sky maps LSST registers
// (checked against the hsc_rings_v1 hash of a real LSST registry export).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscreteSkyMap, DodecaSkyMap, EquatSkyMap, RingsSkyMap } from '@skystack/skymap';
import { fixturePath } from '@skystack/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { PipeTasksInvalidArgumentError } from '../errors.js';
import { MakeSkyMapConfig } from './make-sky-map-config.js';
import { makeSkyMapConfigFrom } from './register-skymap.js';

const EXPORT = fixturePath('daf_butler', 'python', 'lsst', 'daf', 'butler', 'tests', 'registry_data', 'hsc-rc2-subset-v0.yaml');
/** hsc_rings_v1's hash as LSST recorded it (base64 in the export file; also in lsst-middleware.md §5.3). */
function hscHashBase64(): string {
  if (EXPORT === undefined) return '4p/p8QCONZ82o2d+fWnMQ5N20eY=';
  const m = /name: hsc_rings_v1\s+hash: !!binary \|\s+(\S+)/.exec(readFileSync(EXPORT, 'utf8'));
  return m![1]!;
}

// The override file LSST's HSC users ran (`butler register-skymap -C`), with 1/60 written out
// (the override parser takes literals, not expressions).
const HSC_CONFIG = `
config.name = "hsc_rings_v1"
config.skyMap.name = "rings"
config.skyMap["rings"].numRings = 120
config.skyMap["rings"].projection = "TAN"
config.skyMap["rings"].tractOverlap = 0.016666666666666666
config.skyMap["rings"].pixelScale = 0.168
`;

const dir = mkdtempSync(join(tmpdir(), 'make-sky-map-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

describe('MakeSkyMapConfig', () => {
  it('reads an LSST override file into the sky map LSST registered as hsc_rings_v1 (same SHA1)', async () => {
    const file = join(dir, 'hsc.py');
    writeFileSync(file, HSC_CONFIG);
    const config = await makeSkyMapConfigFrom({ configFile: file });
    expect(config.name).toBe('hsc_rings_v1');
    const skyMap = config.makeSkyMap();
    expect(skyMap).toBeInstanceOf(RingsSkyMap);
    expect(b64(skyMap.getSha1())).toBe(hscHashBase64());
    expect(config.isFrozen()).toBe(true);
  });

  it('gives the same sky map for --skymap hsc_rings_v1, and -c overrides apply on top', async () => {
    const named = await makeSkyMapConfigFrom({ skymap: 'hsc_rings_v1' });
    expect(b64(named.makeSkyMap().getSha1())).toBe(hscHashBase64());
    const renamed = await makeSkyMapConfigFrom({ skymap: 'hsc_rings_v1', config: ['name=mine', 'skyMap.rings.numRings=60'] });
    expect(renamed.name).toBe('mine');
    const sm = renamed.makeSkyMap() as RingsSkyMap;
    expect(sm.config.numRings).toBe(60);
    expect(b64(sm.getSha1())).not.toBe(hscHashBase64());
  });

  it('takes the cells tract builder from override text as the named lsst_cells_v1', async () => {
    const file = join(dir, 'cells.py');
    writeFileSync(file, `${HSC_CONFIG.replace('hsc_rings_v1', 'lsst_cells_v1').replace('0.168', '0.2')}config.skyMap["rings"].tractBuilder.name = "cells"\n`);
    const fromFile = (await makeSkyMapConfigFrom({ configFile: file })).makeSkyMap();
    const named = (await makeSkyMapConfigFrom({ skymap: 'lsst_cells_v1' })).makeSkyMap();
    expect(b64(fromFile.getSha1())).toBe(b64(named.getSha1()));
    // lsst_cells_v1: patches of 20 × 150 px cells (3000 px inner), 10 × 10 per tract (lsst-middleware.md §5.3).
    expect(named.get(5063).getNumPatches()).toEqual({ x: 10, y: 10 });
    expect(named.get(5063).getPatchInnerDimensions().x).toBe(3000);
  });

  it('reads YAML override files with dotted keys', async () => {
    const file = join(dir, 'discrete.yaml');
    writeFileSync(file, 'name: two_tracts\nskyMap.name: discrete\nskyMap.discrete.raList: [10, 20]\nskyMap.discrete.decList: [0, 5]\nskyMap.discrete.radiusList: [1, 1]\n');
    const sm = (await makeSkyMapConfigFrom({ configFile: file })).makeSkyMap();
    expect(sm).toBeInstanceOf(DiscreteSkyMap);
    expect(sm.length).toBe(2);
    expect(sm.get(1).getCtrCoord().getRa().asDegrees()).toBeCloseTo(20, 12);
  });

  it("has LSST's defaults: dodeca by default (overlap 3.5°, 0.2″, border 250), equat in CEA", () => {
    const config = new MakeSkyMapConfig();
    config.name = 'd';
    const dodeca = config.makeSkyMap() as DodecaSkyMap;
    expect(dodeca).toBeInstanceOf(DodecaSkyMap);
    expect(dodeca.length).toBe(12);
    expect(dodeca.config.tractOverlap).toBe(3.5);
    expect(dodeca.config.pixelScale).toBe(0.2);
    expect(dodeca.config.tractBuilder).toMatchObject({ name: 'legacy', patchBorder: 250, patchInnerDimensions: [4000, 4000] });
    const equat = new MakeSkyMapConfig();
    equat.name = 'e';
    equat.skyMap.name = 'equat';
    const e = equat.makeSkyMap() as EquatSkyMap;
    expect(e).toBeInstanceOf(EquatSkyMap);
    expect(e.config.projection).toBe('CEA');
    expect(e.length).toBe(4);
  });

  it('refuses a config without name, rings without numRings, bad overrides and unknown fields', async () => {
    const config = new MakeSkyMapConfig();
    expect(() => config.validate()).toThrow(PipeTasksInvalidArgumentError);
    expect(() => config.validate()).toThrow(/name field must be set/);
    const rings = new MakeSkyMapConfig();
    rings.name = 'r';
    rings.skyMap.name = 'rings';
    expect(() => rings.makeSkyMap()).toThrow(/numRings/);
    await expect(makeSkyMapConfigFrom({ config: ['name'] })).rejects.toThrow(/field=value/);
    await expect(makeSkyMapConfigFrom({ config: ['name=x', 'skyMap.rings.numRing=3'] })).rejects.toThrow(/numRing/);
    await expect(makeSkyMapConfigFrom({ skymap: 'hsc_rings_v2' })).rejects.toThrow(/Known names: hsc_rings_v1/);
    await expect(makeSkyMapConfigFrom({ config: ['name=x', 'skyMap.name=rings', 'skyMap.rings.numRings=0'] })).rejects.toThrow();
  });
});
