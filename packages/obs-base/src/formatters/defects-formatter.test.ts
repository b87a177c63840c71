import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Butler, DatasetType, FormatterFactory } from '@skystack/daf-butler';
import { Box2I, Extent2I, Point2I } from '@skystack/geom';
import { Defects } from '@skystack/ip-isr';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testImporter } from '../../test/test-cam.js';
import { ObsBaseFormatterError } from '../errors.js';
import { DefectsFormatter } from './defects-formatter.js';
import { registerFormatters } from './register-formatters.js';

const box = (x0: number, y0: number, w: number, h: number): Box2I => Box2I.fromCorner(new Point2I(x0, y0), new Extent2I(w, h));

describe('DefectsFormatter through a Butler', () => {
  let root: string;
  let butler: Butler;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'obsdefects-'));
    await Butler.makeRepo(root);
    butler = await Butler.from(root, { run: 'u/test', importModule: testImporter });
    await butler.registry.insertDimensionData('instrument', [{ name: 'Cam', visit_max: 10, exposure_max: 10, detector_max: 4 }]);
    await butler.registry.insertDimensionData('detector', [{ instrument: 'Cam', id: 1, full_name: 'd1' }]);
    await butler.registry.registerDatasetType(new DatasetType('defects', ['instrument', 'detector'], 'Defects', { universe: butler.universe, isCalibration: true }));
  });
  afterAll(async () => {
    await butler.close();
    await rm(root, { recursive: true, force: true });
  });

  it('maps the Defects storage class to itself (not to the catalog formatter of the default configuration)', () => {
    const f = FormatterFactory.default();
    registerFormatters(f);
    expect(f.hasFormatter('DefectsFormatter')).toBe(true);
    expect(butler.formatters.hasFormatter('DefectsFormatter')).toBe(true);
  });

  it('round-trips the boxes and metadata as an ECSV file that astropy reads', async () => {
    const defects = new Defects([box(20, 0, 1, 64), box(3, 10, 4, 2)], { DETECTOR: 1, INSTRUME: 'Cam' });
    const ref = await butler.put(defects, 'defects', { instrument: 'Cam', detector: 1 });
    const uri = await butler.getURI(ref);
    expect(uri).toMatch(/\.ecsv$/);
    const back = (await butler.get('defects', { instrument: 'Cam', detector: 1 })) as Defects;
    expect(back).toBeInstanceOf(Defects);
    expect(back.boxes.map((b) => [b.minX, b.minY, b.width, b.height])).toEqual([
      [20, 0, 1, 64],
      [3, 10, 4, 2],
    ]);
    expect(back.metadata['DETECTOR']).toBe(1);
    if (!astropyAvailable()) return;
    const path = uri.replace(/^file:\/\//, '');
    const t = runPythonJson<{ cols: string[]; rows: number[][]; meta: Record<string, unknown> }>(
      String.raw`
import sys, json
from astropy.table import Table
t = Table.read(sys.argv[1], format='ascii.ecsv')
print(json.dumps({'cols': t.colnames, 'rows': [[int(v) for v in r] for r in t], 'meta': {k: v for k, v in t.meta.items()}}))
`,
      [path],
    );
    expect(t.cols).toEqual(['x0', 'y0', 'width', 'height']);
    expect(t.rows).toEqual([
      [20, 0, 1, 64],
      [3, 10, 4, 2],
    ]);
    expect(t.meta['OBSTYPE']).toBe('defects');
    expect(t.meta['INSTRUME']).toBe('Cam');
  });

  it('refuses to write what is not a Defects', async () => {
    const sc = butler.storageClasses.getStorageClass('Defects');
    await expect(new DefectsFormatter().write({ x0: [1] }, join(root, 'x.ecsv'), { storageClass: sc, datasetTypeName: 'defects' })).rejects.toThrow(ObsBaseFormatterError);
  });
});
