import { open as openFile, type FileHandle } from 'node:fs/promises';
import { constants as bufferConstants } from 'node:buffer';
import { constants as zlibConstants, gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { FitsError, FitsFormatError } from './errors.js';

const gunzipAsync = promisify(gunzip);

/** Reads larger than this are split into chunks of this size... */
const PARALLEL_READ_CHUNK = 4 << 20;
/** ...of which this many are in flight at once (the I/O thread pool has 4 threads by default). */
const PARALLEL_READS = 8;

/**
 * Random access to the bytes of a FITS file: a file read with positional reads, or bytes in
 * memory. Every read returns a fresh buffer that the caller owns (8-byte aligned, so that
 * typed-array views of it need no copy).
 */
export interface ByteSource {
  /** The name used in error messages (a path, or what the caller gave). */
  readonly name: string | undefined;
  /** The number of bytes. */
  readonly size: number;
  /**
   * Reads `length` bytes at `position` into a new buffer.
   *
   * @param position - the byte offset
   * @param length - how many bytes
   * @returns the bytes
   * @throws {@link FitsFormatError} when the source ends before `position + length`
   */
  read(position: number, length: number): Promise<Uint8Array>;
  /**
   * Fills `target` with the bytes at `position`.
   *
   * @param position - the byte offset
   * @param target - where the bytes go (all of it is filled)
   * @param onChunk - called with `[start, end)` of `target` as each part of it is filled (parts
   *   start at multiples of 8), so that the caller can work on the bytes while the rest is read
   * @throws {@link FitsFormatError} when the source ends before `position + target.length`
   */
  readInto(position: number, target: Uint8Array, onChunk?: ChunkListener): Promise<void>;
  /** Releases the file handle (nothing for memory); reads after that fail. */
  close(): Promise<void>;
}

/** Told which part `[start, end)` of a target buffer has been filled. */
export type ChunkListener = (start: number, end: number) => void;

function locationOf(name: string | undefined): { file?: string } {
  return name === undefined ? {} : { file: name };
}

/** Throws the error for a read past the end of the source. */
function pastEnd(name: string | undefined, size: number, position: number, length: number): never {
  throw new FitsFormatError(
    `Unexpected end of file: needed ${length} bytes at byte ${position}, but the file has ${size} bytes.`,
    { ...locationOf(name), offset: Math.min(size, position), hint: 'The file is truncated.' },
  );
}

function closedError(name: string | undefined): FitsError {
  return new FitsError('FITS_CLOSED', 'The FITS file is closed.', locationOf(name));
}

/** Bytes in memory. */
export class MemoryByteSource implements ByteSource {
  /** The name used in error messages. */
  readonly name: string | undefined;
  readonly #bytes: Uint8Array;
  #closed = false;

  /**
   * Wraps bytes (not copied; do not modify them while reading).
   *
   * @param bytes - the whole file
   * @param name - the name for error messages
   */
  constructor(bytes: Uint8Array, name?: string) {
    this.#bytes = bytes;
    this.name = name;
  }

  /** The number of bytes. */
  get size(): number {
    return this.#bytes.length;
  }

  /**
   * Copies `length` bytes at `position` into a new buffer.
   *
   * @param position - the byte offset
   * @param length - how many bytes
   * @returns the copy
   */
  async read(position: number, length: number): Promise<Uint8Array> {
    return this.readSync(position, length);
  }

  /**
   * Copies `length` bytes at `position` into a new buffer, synchronously.
   *
   * @param position - the byte offset
   * @param length - how many bytes
   * @returns the copy
   */
  readSync(position: number, length: number): Uint8Array {
    if (this.#closed) throw closedError(this.name);
    if (position < 0 || position + length > this.#bytes.length) pastEnd(this.name, this.#bytes.length, position, length);
    return this.#bytes.slice(position, position + length);
  }

  /**
   * Copies the bytes at `position` into `target`.
   *
   * @param position - the byte offset
   * @param target - where the bytes go
   * @param onChunk - called once, with the whole target
   */
  async readInto(position: number, target: Uint8Array, onChunk?: ChunkListener): Promise<void> {
    if (this.#closed) throw closedError(this.name);
    if (position < 0 || position + target.length > this.#bytes.length) {
      pastEnd(this.name, this.#bytes.length, position, target.length);
    }
    target.set(this.#bytes.subarray(position, position + target.length));
    onChunk?.(0, target.length);
  }

  /** Marks the source closed. */
  async close(): Promise<void> {
    this.#closed = true;
  }
}

/** A file read with positional reads through one open handle. */
export class FileByteSource implements ByteSource {
  /** The path. */
  readonly name: string;
  /** The file size when it was opened. */
  readonly size: number;
  readonly #handle: FileHandle;
  #closed = false;

  private constructor(path: string, handle: FileHandle, size: number) {
    this.name = path;
    this.#handle = handle;
    this.size = size;
  }

  /**
   * Opens a file for reading.
   *
   * @param path - the file
   * @returns the source
   * @throws {@link FitsError} (code `FITS_IO`) when the file cannot be opened
   */
  static async open(path: string): Promise<FileByteSource> {
    let handle: FileHandle | undefined;
    try {
      handle = await openFile(path, 'r');
      const stat = await handle.stat();
      if (!stat.isFile()) {
        throw new FitsError('FITS_IO', 'Not a regular file.', { file: path });
      }
      return new FileByteSource(path, handle, stat.size);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      if (e instanceof FitsError) throw e;
      throw new FitsError('FITS_IO', `Cannot open the file: ${(e as Error).message}`, { file: path, cause: e });
    }
  }

  /**
   * Reads `length` bytes at `position` into a new buffer.
   *
   * @param position - the byte offset
   * @param length - how many bytes
   * @returns the bytes
   */
  async read(position: number, length: number): Promise<Uint8Array> {
    const target = new Uint8Array(length);
    await this.readInto(position, target);
    return target;
  }

  /**
   * Fills `target` with the bytes at `position` (looping over short reads).
   *
   * @param position - the byte offset
   * @param target - where the bytes go
   * @param onChunk - called as each part of `target` is filled
   */
  async readInto(position: number, target: Uint8Array, onChunk?: ChunkListener): Promise<void> {
    if (this.#closed) throw closedError(this.name);
    if (position < 0 || position + target.length > this.size) pastEnd(this.name, this.size, position, target.length);
    if (target.length > PARALLEL_READ_CHUNK) {
      // Large reads go in chunks with several always in flight (a sliding window): the copies
      // (and the page faults of a fresh buffer) run on the threads of the I/O pool while this
      // thread handles each finished chunk (`onChunk`, e.g. the byte swap).
      const nChunks = Math.ceil(target.length / PARALLEL_READ_CHUNK);
      let next = 0;
      let failed: unknown;
      const issue = async (): Promise<void> => {
        while (next < nChunks && failed === undefined) {
          const from = next++ * PARALLEL_READ_CHUNK;
          const to = Math.min(target.length, from + PARALLEL_READ_CHUNK);
          try {
            await this.#readFully(position + from, target.subarray(from, to));
            onChunk?.(from, to);
          } catch (e) {
            failed ??= e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, nChunks) }, issue));
      if (failed !== undefined) throw failed;
      return;
    }
    await this.#readFully(position, target);
    onChunk?.(0, target.length);
  }

  /** Fills `target` from `position` with one positional read (looping over short reads). */
  async #readFully(position: number, target: Uint8Array): Promise<void> {
    let done = 0;
    while (done < target.length) {
      let n: number;
      try {
        ({ bytesRead: n } = await this.#handle.read(target, done, target.length - done, position + done));
      } catch (e) {
        throw new FitsError('FITS_IO', `Cannot read ${target.length} bytes at byte ${position}: ${(e as Error).message}`, {
          file: this.name,
          offset: position + done,
          cause: e,
        });
      }
      if (n === 0) pastEnd(this.name, position + done, position, target.length); // the file shrank
      done += n;
    }
  }

  /** Closes the file handle (once). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function gunzipError(name: string | undefined, e: unknown, maxBytes?: number): FitsFormatError {
  const code = (e as { code?: string } | undefined)?.code;
  if (maxBytes !== undefined && (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)) {
    return new FitsFormatError(`The file is gzip-compressed and inflates to more than ${maxBytes} bytes.`, {
      ...locationOf(name),
      hint: 'The file is a gzip bomb or far larger than expected; raise the maxDecompressedBytes option to read it.',
      cause: e,
    });
  }
  return new FitsFormatError(`The file is gzip-compressed but cannot be decompressed: ${(e as Error).message}`, {
    ...locationOf(name),
    hint: 'The gzip stream is truncated or corrupt.',
    cause: e,
  });
}

/** The default of {@link GunzipOptions.maxDecompressedBytes}: 8 GiB, or less where Node cannot hold that. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = Math.min(8 * 1024 ** 3, bufferConstants.MAX_LENGTH);

/** Options of whole-file gzip decompression. */
export interface GunzipOptions {
  /**
   * The most bytes a gzip-compressed file may inflate to; a larger file is rejected with a
   * {@link FitsFormatError} before more than this is produced (default 8 GiB, capped to what a
   * Node buffer can hold).
   */
  readonly maxDecompressedBytes?: number;
}

function maxBytesOf(options: GunzipOptions): number {
  const max = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  if (!(max >= 1)) throw new RangeError(`maxDecompressedBytes = ${max}; expected a positive number of bytes.`);
  return Math.min(Math.floor(max), bufferConstants.MAX_LENGTH);
}

/** Compressed bytes inflated to look at the start of the content (at most ~1 MiB of output). */
const SNIFF_INPUT_BYTES = 1024;

/**
 * Inflates only the start of the gzip stream and rejects content that is not FITS (it must
 * start with a SIMPLE card), so that a gzip bomb or another gzip file is refused without
 * inflating it in full.
 */
function sniffGzip(bytes: Uint8Array, name: string | undefined): void {
  let head: Uint8Array;
  try {
    head = gunzipSync(bytes.subarray(0, SNIFF_INPUT_BYTES), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return; // corrupt: the full inflation reports it
  }
  const magic = 'SIMPLE  =';
  if (head.length < magic.length) return;
  for (let i = 0; i < magic.length; i++) {
    if (head[i] !== magic.charCodeAt(i)) {
      throw new FitsFormatError('The file is gzip-compressed but its content is not FITS: it does not start with a SIMPLE card.', {
        ...locationOf(name),
        offset: 0,
        hint: 'FITS files start with "SIMPLE  =                    T".',
      });
    }
  }
}

/**
 * Decompresses whole-file gzip bytes, synchronously.
 *
 * @param bytes - the compressed bytes
 * @param name - the name for error messages
 * @param options - the decompressed size limit
 * @returns the decompressed bytes
 * @throws {@link FitsFormatError} when the gzip stream is corrupt or truncated, its content is
 * not FITS, or it inflates to more than `options.maxDecompressedBytes`
 */
export function gunzipBytesSync(bytes: Uint8Array, name?: string, options: GunzipOptions = {}): Uint8Array {
  const maxOutputLength = maxBytesOf(options);
  sniffGzip(bytes, name);
  try {
    const out = gunzipSync(bytes, { maxOutputLength });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    throw gunzipError(name, e, maxOutputLength);
  }
}

/**
 * Opens a file as a {@link ByteSource}: positional reads, or, for a whole-file gzip file
 * (magic bytes 1f 8b, whatever its name), its decompressed bytes in memory.
 *
 * @param path - the file
 * @param options - the decompressed size limit of a gzip file
 * @returns the source and whether it was gzip-compressed
 * @throws {@link FitsError} when the file cannot be read, {@link FitsFormatError} when its
 * gzip stream is corrupt, its content is not FITS or it inflates to more than
 * `options.maxDecompressedBytes`
 */
export async function openByteSource(path: string, options: GunzipOptions = {}): Promise<{ source: ByteSource; gzipped: boolean }> {
  const maxOutputLength = maxBytesOf(options);
  const file = await FileByteSource.open(path);
  try {
    const head = file.size >= 2 ? await file.read(0, 2) : new Uint8Array(0);
    if (!isGzip(head)) return { source: file, gzipped: false };
    const compressed = await file.read(0, file.size);
    sniffGzip(compressed, path);
    let out: Uint8Array;
    try {
      const b = await gunzipAsync(compressed, { maxOutputLength });
      out = new Uint8Array(b.buffer, b.byteOffset, b.length);
    } catch (e) {
      throw gunzipError(path, e, maxOutputLength);
    }
    await file.close();
    return { source: new MemoryByteSource(out, path), gzipped: true };
  } catch (e) {
    await file.close().catch(() => undefined);
    throw e;
  }
}
