import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Butler, DatasetType } from '@skystack/daf-butler';
import { makeBackground } from '@skystack/kernels';
import { BackgroundList } from '@skystack/meas-algorithms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFormatters } from './register-formatters.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'obs-base-bg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BackgroundFormatter', () => {
  it('puts and gets a BackgroundList (storage class Background) that evaluates to the same pixels', async () => {
    await Butler.makeRepo(join(dir, 'repo'));
    const butler = await Butler.from(join(dir, 'repo'), { run: 'u/test/bg' });
    registerFormatters(butler.formatters);
    await butler.registry.registerDatasetType(new DatasetType('calexpBackground', [], 'Background', { universe: butler.universe }));
    // A plane with a gradient, binned 32 x 32 over 128 x 96 pixels.
    const w = 128;
    const h = 96;
    const image = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) image[y * w + x] = 100 + 0.5 * x - 0.25 * y;
    const list = new BackgroundList();
    list.append(makeBackground(image, w, h, { binSizeX: 32, binSizeY: 32 }));
    const before = list.getImage().array.data;
    await butler.put(list, 'calexpBackground', {});
    const back = (await butler.get('calexpBackground', {})) as BackgroundList;
    expect(back).toBeInstanceOf(BackgroundList);
    const after = back.getImage().array.data;
    expect(after.length).toBe(before.length);
    let maxDiff = 0;
    for (let i = 0; i < before.length; i++) maxDiff = Math.max(maxDiff, Math.abs(after[i]! - before[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
    // The model is the plane (linear data is reproduced by the interpolation).
    expect(after[50 * w + 64]!).toBeCloseTo(100 + 0.5 * 64 - 0.25 * 50, 2);
    await expect(butler.put({ not: 'a background' }, 'calexpBackground', {}, { run: 'u/test/bg2' })).rejects.toThrow(/BackgroundFormatter cannot write/);
    await butler.close();
  });
});
