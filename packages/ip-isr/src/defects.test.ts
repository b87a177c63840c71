import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MaskedImageF } from '@skystack/afw-image';
import { astropyAvailable, runPythonJson } from '@skystack/test-support';
import { box } from '../test/synthetic-raw.js';
import { Defects } from './defects.js';
import { IpIsrDefectsFormatError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ip-isr-defects-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BOXES = [box(20, 0, 1, 48), box(3, 4, 5, 2), box(60, 40, 10, 10)];

describe('Defects', () => {
  it('masks its boxes (clipped to the image) on a plane', () => {
    const mi = MaskedImageF(box(0, 0, 64, 48));
    const n = new Defects(BOXES).maskPixels(mi);
    // The third box is clipped to x 60..63, y 40..47.
    expect(n).toBe(48 + 10 + 4 * 8);
    const bad = mi.mask.getPlaneBitMask('BAD');
    expect(mi.mask.get(20, 47) & bad).toBe(bad);
    expect(mi.mask.get(7, 5) & bad).toBe(bad);
    expect(mi.mask.get(8, 5) & bad).toBe(0);
    expect(mi.mask.get(63, 47) & bad).toBe(bad);
  });

  it('builds boxes from a mask plane and masks the same pixels again', () => {
    const mi = MaskedImageF(box(0, 0, 64, 48));
    new Defects(BOXES).maskPixels(mi, 'SUSPECT');
    const d = Defects.fromMask(mi, 'SUSPECT');
    const again = MaskedImageF(box(0, 0, 64, 48));
    d.maskPixels(again, 'SUSPECT');
    expect(Array.from(again.mask.array.data)).toEqual(Array.from(mi.mask.array.data));
    // Runs of identical extent on consecutive rows become one box: the column is one box.
    expect(d.boxes.some((b) => b.width === 1 && b.height === 48)).toBe(true);
  });

  it('round-trips the simple table form and refuses bad rows', () => {
    const t = new Defects(BOXES, { DETECTOR: 3 }).toTable();
    expect(t.x0).toEqual([20, 3, 60]);
    expect(t.height).toEqual([48, 2, 10]);
    expect(t.meta).toEqual({ DETECTOR: 3, OBSTYPE: 'defects' });
    expect(Defects.fromTable(t).boxes.map(String)).toEqual(BOXES.map(String));
    expect(() => Defects.fromTable({ x0: [1], y0: [1], width: [0], height: [2] })).toThrow(IpIsrDefectsFormatError);
    expect(() => Defects.fromEcsv('x0 y0\n1 2\n')).toThrow(/Not an ECSV/);
    expect(() => Defects.fromEcsv('# %ECSV 1.0\n# ---\nx0 y0 width\n1 2 3\n')).toThrow(/height/);
  });

  it.skipIf(!astropyAvailable())('writes ECSV that astropy reads, and reads what astropy writes', async () => {
    const path = join(dir, 'defects.ecsv');
    await new Defects(BOXES, { DETECTOR: 7, CALIBDATE: '2025-03-01T00:00:00', INSTRUME: 'SimCam' }).writeEcsv(path);
    const read = runPythonJson<{ cols: string[]; x0: number[]; width: number[]; meta: Record<string, unknown>; dtype: string }>(
      String.raw`
import sys, json
from astropy.table import Table
t = Table.read(sys.argv[1], format='ascii.ecsv')
print(json.dumps({'cols': t.colnames, 'x0': [int(v) for v in t['x0']], 'width': [int(v) for v in t['width']],
                  'meta': dict(t.meta), 'dtype': str(t['x0'].dtype)}))
`,
      [path],
    );
    expect(read.cols).toEqual(['x0', 'y0', 'width', 'height']);
    expect(read.x0).toEqual([20, 3, 60]);
    expect(read.width).toEqual([1, 5, 10]);
    expect(read.dtype).toBe('int32');
    expect(read.meta).toEqual({ CALIBDATE: '2025-03-01T00:00:00', DETECTOR: 7, INSTRUME: 'SimCam', OBSTYPE: 'defects' });

    const path2 = join(dir, 'astropy.ecsv');
    runPythonJson(
      String.raw`
import sys, json
from astropy.table import Table
t = Table({'height': [3, 48], 'x0': [5, 20], 'y0': [6, 0], 'width': [2, 1], 'extra': ['a b', 'c']},
          meta={'OBSTYPE': 'defects', 'DETECTOR': 12, 'NOTE': 'two: words, with comma'})
t.write(sys.argv[1], format='ascii.ecsv', overwrite=True)
print('{}')
`,
      [path2],
    );
    const d = await Defects.readEcsv(path2);
    expect(d.boxes.map(String)).toEqual([box(5, 6, 2, 3), box(20, 0, 1, 48)].map(String));
    expect(d.metadata).toEqual({ OBSTYPE: 'defects', DETECTOR: 12, NOTE: 'two: words, with comma' });
  });

  it('reads a comma-delimited ECSV with a flow-mapping meta', () => {
    const path = join(dir, 'comma.ecsv');
    writeFileSync(
      path,
      ['# %ECSV 0.9', '# ---', '# delimiter: \',\'', '# datatype:', '# - {name: x0, datatype: int64}', '# - {name: y0, datatype: int64}',
        '# - {name: width, datatype: int64}', '# - {name: height, datatype: int64}', '# meta: {OBSTYPE: defects, DETECTOR: 1}',
        'x0,y0,width,height', '1,2,3,4', ''].join('\n'),
    );
    const d = Defects.fromEcsv(readFileSync(path, 'utf8'));
    expect(d.boxes.map(String)).toEqual([box(1, 2, 3, 4)].map(String));
    expect(d.metadata).toEqual({ OBSTYPE: 'defects', DETECTOR: 1 });
  });
});

