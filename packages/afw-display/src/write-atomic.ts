import { writeFileAtomic as writeAtomic } from '@skystack/base';
import { AfwDisplayWriteError } from './errors.js';

/**
 * Writes bytes to a temporary file beside `path` and renames it into place, so that a reader
 * sees the old file or the new one, never a partial one.
 *
 * @param path - the target
 * @param bytes - the content
 * @throws {@link AfwDisplayWriteError} when the write or the rename fails (the temporary file is removed)
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeAtomic(path, bytes);
  } catch (cause) {
    throw new AfwDisplayWriteError(`Could not write the PNG '${path}': ${(cause as Error).message}`, {
      cause,
      hint: 'Check that the directory exists and is writable.',
    });
  }
}
