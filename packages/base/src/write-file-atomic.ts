import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file atomically: the content goes to a temporary file beside `path` (same
 * directory, so the rename cannot cross file systems), which is then renamed into place. A
 * reader sees the old file or the new one, never a partial one; on failure the temporary file
 * is removed and the error is rethrown unchanged.
 *
 * @param path - the file to write
 * @param data - its content (a string is written as UTF-8)
 * @returns when the file is in place
 * @example
 * ```ts
 * await writeFileAtomic('summary.json', JSON.stringify(report));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
}
