import { AfwImageInvalidArgumentError } from './errors.js';

/**
 * The pixel types an {@link Image} can hold, with numpy's names: afw's `ImageU` (`uint16`),
 * `ImageI` (`int32`), `ImageF` (`float32`) and `ImageD` (`float64`).
 */
export type PixelType = 'uint16' | 'int32' | 'float32' | 'float64';

/** The typed array that holds pixels of each {@link PixelType}. */
export interface PixelArrayTypes {
  /** `ImageU` pixels. */
  uint16: Uint16Array;
  /** `ImageI` pixels (and `Mask` pixels). */
  int32: Int32Array;
  /** `ImageF` pixels (and variance planes). */
  float32: Float32Array;
  /** `ImageD` pixels. */
  float64: Float64Array;
}

/** Any typed array an {@link Image} can hold. */
export type PixelArray = PixelArrayTypes[PixelType];

/** The names of the pixel types, in the order of {@link PixelType}. */
export const PIXEL_TYPES: readonly PixelType[] = Object.freeze(['uint16', 'int32', 'float32', 'float64'] as const);

/**
 * Allocates a zero-filled pixel array of a pixel type.
 *
 * @param pixelType - the element type
 * @param length - the number of pixels
 * @returns a new array
 * @throws {@link AfwImageInvalidArgumentError} for an unknown pixel type
 */
export function allocatePixels<T extends PixelType>(pixelType: T, length: number): PixelArrayTypes[T] {
  switch (pixelType) {
    case 'uint16':
      return new Uint16Array(length) as PixelArrayTypes[T];
    case 'int32':
      return new Int32Array(length) as PixelArrayTypes[T];
    case 'float32':
      return new Float32Array(length) as PixelArrayTypes[T];
    case 'float64':
      return new Float64Array(length) as PixelArrayTypes[T];
    default:
      throw new AfwImageInvalidArgumentError(
        `Unknown pixel type '${String(pixelType)}'; expected one of ${PIXEL_TYPES.join(', ')}.`,
      );
  }
}

/**
 * The pixel type of a typed array.
 *
 * @param data - a pixel array
 * @returns its {@link PixelType}
 * @throws {@link AfwImageInvalidArgumentError} for an array that is not a {@link PixelArray}
 */
export function pixelTypeOf(data: PixelArray): PixelType {
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  throw new AfwImageInvalidArgumentError(
    `${Object.prototype.toString.call(data)} cannot hold image pixels; expected Uint16Array, Int32Array, Float32Array or Float64Array.`,
  );
}

/**
 * Converts pixels to another pixel type in one bulk copy (values converted as typed arrays do:
 * floats to integers truncate towards zero and wrap; NaN becomes 0). When the array already has
 * that type it is returned unchanged.
 *
 * @param data - the pixels (any numeric typed array, but not a BigInt one)
 * @param pixelType - the wanted type
 * @returns the converted pixels
 * @throws {@link AfwImageInvalidArgumentError} for 64-bit integer (BigInt) arrays
 */
export function convertPixels<T extends PixelType>(data: ArrayLike<number> | ArrayBufferView, pixelType: T): PixelArrayTypes[T] {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new AfwImageInvalidArgumentError('64-bit integer pixels cannot be converted to an image pixel type.', {
      hint: 'afw images hold uint16, int32, float32 or float64 pixels.',
    });
  }
  const src = data as ArrayLike<number>;
  switch (pixelType) {
    case 'uint16':
      return (src instanceof Uint16Array ? src : Uint16Array.from(src)) as PixelArrayTypes[T];
    case 'int32':
      return (src instanceof Int32Array ? src : Int32Array.from(src)) as PixelArrayTypes[T];
    case 'float32':
      return (src instanceof Float32Array ? src : Float32Array.from(src)) as PixelArrayTypes[T];
    case 'float64':
      return (src instanceof Float64Array ? src : Float64Array.from(src)) as PixelArrayTypes[T];
    default:
      return allocatePixels(pixelType, 0);
  }
}
