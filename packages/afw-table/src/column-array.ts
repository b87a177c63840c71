import type { FieldType } from './schema.js';

/** The typed array (or string list, for `String` fields) that holds one column. */
export type ColumnArray = Uint8Array | Uint16Array | Int32Array | BigInt64Array | Float32Array | Float64Array | string[];

/** The constructors of the typed arrays in {@link ColumnArray}. */
export type ColumnArrayConstructor =
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const CTORS: Record<Exclude<FieldType, 'String'>, ColumnArrayConstructor> = {
  B: Uint8Array,
  U: Uint16Array,
  I: Int32Array,
  L: BigInt64Array,
  F: Float32Array,
  D: Float64Array,
  ArrayB: Uint8Array,
  ArrayU: Uint16Array,
  ArrayI: Int32Array,
  ArrayF: Float32Array,
  ArrayD: Float64Array,
  Flag: Uint8Array,
  Angle: Float64Array,
};

/**
 * The typed-array constructor that holds a field type's values.
 *
 * @param type - the field type (not `String`)
 * @returns the constructor
 */
export function columnArrayConstructor(type: Exclude<FieldType, 'String'>): ColumnArrayConstructor {
  return CTORS[type];
}

