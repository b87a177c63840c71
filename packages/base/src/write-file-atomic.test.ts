import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './write-file-atomic.js';

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'base-atomic-'));
    const path = join(dir, 'a.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    await writeFileAtomic(join(dir, 'b.bin'), new Uint8Array([1, 2, 3]));
    expect(await readFile(path, 'utf8')).toBe('new');
    expect([...(await readFile(join(dir, 'b.bin')))]).toEqual([1, 2, 3]);
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'b.bin']);
  });

  it('rethrows and cleans up when the target cannot be replaced', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'base-atomic-'));
    // A directory in the way: the rename fails after the temporary file was written.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'target'));
    await writeFile(join(dir, 'target', 'x'), 'x');
    await expect(writeFileAtomic(join(dir, 'target'), 'data')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['target']);
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'data')).rejects.toThrow(/ENOENT/);
  });
});
