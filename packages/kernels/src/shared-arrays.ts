/** A typed-array constructor that {@link allocShared} accepts. */
export interface TypedArrayConstructor<T> {
  /** Makes a view of a buffer. */
  new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): T;
  /** Bytes per element. */
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * A zero-filled typed array on a `SharedArrayBuffer`, which the parallel backend hands to its
 * worker threads without copying.
 *
 * @param ctor - the typed-array class (`Float32Array`, `Int32Array`, ...)
 * @param length - number of elements
 * @returns the array
 * @example
 * ```ts
 * const pixels = allocShared(Float32Array, width * height);
 * ```
 */
export function allocShared<T>(ctor: TypedArrayConstructor<T>, length: number): T {
  return new ctor(new SharedArrayBuffer(length * ctor.BYTES_PER_ELEMENT), 0, length);
}

/**
 * Whether a typed array's memory is a `SharedArrayBuffer`.
 *
 * @param array - the array
 * @returns true when shared
 * @example
 * ```ts
 * isShared(new Float32Array(4)); // false
 * ```
 */
export function isShared(array: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer;
}

/**
 * The array itself when it is shared, else a copy on a new `SharedArrayBuffer`.
 *
 * @param array - the array
 * @returns a shared array with the same values
 * @example
 * ```ts
 * const shared = toShared(image.array);
 * ```
 */
export function toShared<T extends Float32Array | Float64Array | Int32Array>(array: T): T {
  if (isShared(array)) return array;
  const ctor = array.constructor as unknown as TypedArrayConstructor<T>;
  const copy = allocShared(ctor, array.length);
  (copy as Float64Array).set(array);
  return copy;
}
