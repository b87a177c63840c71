import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FitsFile } from '@skystack/fits';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRaw } from './test-cam.js';

// Guards the test camera's raw writer itself: the files follow the contract.
describe('test raw files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obsraw-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it('have an empty primary HDU and an 80x64 IMAGE HDU', async () => {
    const p = join(dir, 'r.fits');
    await writeRaw(p, { expId: 2025030200001, detector: 1, raDeg: 10, decDeg: -20, rotDeg: 0, uint16: true });
    const f = await FitsFile.open(p);
    expect(f.hdus[0]!.header.getString('INSTRUME')).toBe('TestCam');
    expect(f.hdus[1]!.extname).toBe('IMAGE');
    const img = await f.readImage('IMAGE');
    expect([img.width, img.height]).toEqual([80, 64]);
    expect(img.data[0]).toBe(1007);
    await f.close();
  });
});
