// Helpers that build Arrow `Data` from plain values and read plain values back out of Arrow
// vectors: used by parquet.ts, and (through the barrel: numericConstructor, packBits, encodeUtf8,
// vectorValues) by @skystack/afw-table's catalog <-> Arrow conversion. buildData and
// isSupportedType stay internal.

import {
  Binary,
  Bool,
  type Data,
  type DataType,
  Field as ArrowField,
  FixedSizeList,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  LargeUtf8,
  List,
  Type,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  makeData,
  type Vector,
} from 'apache-arrow';

/** A typed-array constructor that Arrow uses for the values of a primitive type. */
export type NumericArrayConstructor =
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** A typed array of one of {@link NumericArrayConstructor}. */
export type NumericArray = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/**
 * The typed-array constructor of an Arrow numeric type, or undefined when the type is not one of
 * the primitive integer or floating-point types we handle.
 *
 * @param type - the Arrow type
 * @returns the constructor or undefined
 * @example
 * ```ts
 * import { Int64, Utf8 } from 'apache-arrow';
 *
 * numericConstructor(new Int64()); // BigInt64Array
 * numericConstructor(new Utf8()); // undefined
 * ```
 */
export function numericConstructor(type: DataType): NumericArrayConstructor | undefined {
  switch (type.typeId) {
    case Type.Int: {
      const t = type as Int8;
      const table: Record<string, NumericArrayConstructor> = {
        '8true': Int8Array, '16true': Int16Array, '32true': Int32Array, '64true': BigInt64Array,
        '8false': Uint8Array, '16false': Uint16Array, '32false': Uint32Array, '64false': BigUint64Array,
      };
      return table[`${t.bitWidth}${t.isSigned}`];
    }
    case Type.Float: {
      const precision = (type as Float32).precision;
      return precision === 1 ? Float32Array : precision === 2 ? Float64Array : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Whether Arrow values of this type can be built by {@link buildData}.
 *
 * @param type - the Arrow type
 * @returns true for numeric, Bool, Utf8, LargeUtf8, Binary and (fixed-size) lists of those
 */
export function isSupportedType(type: DataType): boolean {
  if (numericConstructor(type) !== undefined) return true;
  switch (type.typeId) {
    case Type.Bool:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
      return true;
    case Type.List:
    case Type.FixedSizeList: {
      const child = (type as List).children[0]!.type;
      return numericConstructor(child) !== undefined || child.typeId === Type.Bool || child.typeId === Type.Utf8;
    }
    default:
      return false;
  }
}

/**
 * Makes a validity bitmap from a list of values where null/undefined are missing.
 *
 * @param values - the values
 * @returns the bitmap and the null count (bitmap undefined when there is no null)
 */
function validity(values: ArrayLike<unknown>): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) if (values[i] == null) nullCount++;
  if (nullCount === 0) return { bitmap: undefined, nullCount };
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (values[i] != null) bitmap[i >> 3]! |= 1 << (i & 7);
  return { bitmap, nullCount };
}

/**
 * Packs truthy values into an Arrow bit-packed boolean buffer.
 *
 * @param values - 0/1 numbers or booleans
 * @returns the bitmap
 * @example
 * ```ts
 * packBits(Uint8Array.from([1, 0, 1])); // Uint8Array [0b101]
 * ```
 */
export function packBits(values: ArrayLike<unknown>): Uint8Array {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (values[i]) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

/** The buffers of an Arrow Utf8 column, from {@link encodeUtf8}. */
export interface Utf8Buffers {
  /** Byte offsets of the strings: `length + 1` entries, the first 0. */
  readonly offsets: Int32Array;
  /** The UTF-8 bytes of all the strings, one after the other. */
  readonly bytes: Uint8Array;
}

/** The values of an Arrow vector as plain values, from {@link vectorValues}. */
export interface VectorValues {
  /** The values, one per row (see {@link vectorValues} for their types). */
  readonly values: ArrayLike<unknown>;
  /** 1 for a valid row and 0 for a null, per row; undefined when there is no null. */
  readonly valid: Uint8Array | undefined;
}

/**
 * Encodes strings as Arrow Utf8 offsets and bytes.
 *
 * @param values - strings (null/undefined become empty, marked by the caller's validity)
 * @returns offsets (`length + 1`) and the UTF-8 bytes
 * @example
 * ```ts
 * const { offsets, bytes } = encodeUtf8(['r', 'é']); // offsets [0, 1, 3], 3 bytes
 * ```
 */
export function encodeUtf8(values: ArrayLike<string | null | undefined>): Utf8Buffers {
  const offsets = new Int32Array(values.length + 1);
  let chars = 0;
  for (let i = 0; i < values.length; i++) chars += values[i]?.length ?? 0;
  // One pass into a buffer of the worst-case size (3 bytes per UTF-16 unit), when that is small.
  if (chars * 3 <= 1 << 28) {
    const buffer = Buffer.allocUnsafe(chars * 3);
    let at = 0;
    for (let i = 0; i < values.length; i++) {
      const s = values[i];
      if (s) at += buffer.write(s, at, 'utf8');
      offsets[i + 1] = at;
    }
    return { offsets, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, at) };
  }
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += Buffer.byteLength(values[i] ?? '', 'utf8');
    offsets[i + 1] = total;
  }
  const bytes = Buffer.allocUnsafe(total);
  for (let i = 0; i < values.length; i++) {
    const s = values[i];
    if (s) bytes.write(s, offsets[i]!, 'utf8');
  }
  return { offsets, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/**
 * Builds one Arrow `Data` of `type` from plain values: a typed array (used as is when its type
 * matches and there is no null), or a JS array with `null` for missing values (booleans for
 * Bool, strings for Utf8, `Uint8Array` for Binary, arrays or typed arrays for lists).
 *
 * @param type - the Arrow type (see {@link isSupportedType})
 * @param values - the values
 * @returns the data
 * @throws Error for an unsupported type (callers check {@link isSupportedType} first)
 */
export function buildData(type: DataType, values: ArrayLike<unknown>): Data {
  const length = values.length;
  const Ctor = numericConstructor(type);
  if (Ctor !== undefined) {
    if (values instanceof Ctor) return makeData({ type, length, data: values } as never);
    const { bitmap, nullCount } = validity(values);
    const out = new Ctor(length);
    const isBig = Ctor === BigInt64Array || Ctor === BigUint64Array;
    if (nullCount === 0 && ArrayBuffer.isView(values) && !isBig === !(values instanceof BigInt64Array || values instanceof BigUint64Array)) {
      (out as Float64Array).set(values as unknown as Float64Array);
    } else {
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v == null) continue;
        (out as Float64Array)[i] = (isBig ? BigInt(v as number) : Number(v)) as number;
      }
    }
    return makeData({ type, length, data: out, nullBitmap: bitmap, nullCount } as never);
  }
  switch (type.typeId) {
    case Type.Bool: {
      const { bitmap, nullCount } = validity(values);
      return makeData({ type: type as Bool, length, data: packBits(values), nullBitmap: bitmap, nullCount });
    }
    case Type.Utf8:
    case Type.LargeUtf8: {
      const { bitmap, nullCount } = validity(values);
      const { offsets, bytes } = encodeUtf8(values as ArrayLike<string | null>);
      if (type.typeId === Type.LargeUtf8) {
        return makeData({ type: type as LargeUtf8, length, valueOffsets: BigInt64Array.from(offsets, BigInt), data: bytes, nullBitmap: bitmap, nullCount } as never);
      }
      return makeData({ type: type as Utf8, length, valueOffsets: offsets, data: bytes, nullBitmap: bitmap, nullCount });
    }
    case Type.Binary: {
      const { bitmap, nullCount } = validity(values);
      const offsets = new Int32Array(length + 1);
      for (let i = 0; i < length; i++) offsets[i + 1] = offsets[i]! + ((values[i] as Uint8Array | null)?.length ?? 0);
      const bytes = new Uint8Array(offsets[length]!);
      for (let i = 0; i < length; i++) {
        const v = values[i] as Uint8Array | null;
        if (v) bytes.set(v, offsets[i]!);
      }
      return makeData({ type: type as Binary, length, valueOffsets: offsets, data: bytes, nullBitmap: bitmap, nullCount });
    }
    case Type.List:
    case Type.FixedSizeList: {
      const { bitmap, nullCount } = validity(values);
      const childType = (type as List).children[0]!.type;
      const fixed = type.typeId === Type.FixedSizeList ? (type as FixedSizeList).listSize : -1;
      const offsets = new Int32Array(length + 1);
      for (let i = 0; i < length; i++) {
        const n = fixed >= 0 ? fixed : ((values[i] as ArrayLike<unknown> | null)?.length ?? 0);
        offsets[i + 1] = offsets[i]! + n;
      }
      const total = offsets[length]!;
      const ChildCtor = numericConstructor(childType);
      let childValues: ArrayLike<unknown>;
      if (ChildCtor !== undefined && nullCount === 0) {
        const flat = new ChildCtor(total);
        const isBig = ChildCtor === BigInt64Array || ChildCtor === BigUint64Array;
        for (let i = 0; i < length; i++) {
          const row = values[i] as ArrayLike<number | bigint>;
          const o = offsets[i]!;
          if (ArrayBuffer.isView(row) && !isBig === !(row instanceof BigInt64Array || row instanceof BigUint64Array)) {
            (flat as Float64Array).set(row as unknown as Float64Array, o);
          } else {
            for (let j = 0; j < row.length; j++) (flat as Float64Array)[o + j] = (isBig ? BigInt(row[j]!) : Number(row[j])) as number;
          }
        }
        childValues = flat;
      } else {
        const flat: unknown[] = new Array<unknown>(total).fill(null);
        for (let i = 0; i < length; i++) {
          const row = values[i] as ArrayLike<unknown> | null;
          if (row == null) continue;
          for (let j = 0; j < row.length; j++) flat[offsets[i]! + j] = row[j];
        }
        childValues = flat;
      }
      const child = buildData(childType, childValues);
      if (fixed >= 0) return makeData({ type: type as FixedSizeList, length, child, nullBitmap: bitmap, nullCount });
      return makeData({ type: type as List, length, valueOffsets: offsets, child, nullBitmap: bitmap, nullCount });
    }
    default:
      throw new Error(`Arrow type ${String(type)} is not supported.`);
  }
}

/**
 * The values of a vector as one flat array: a typed array for numeric types (`null`s become 0;
 * see `nulls`), booleans for Bool, strings for Utf8, `Uint8Array`s for Binary, arrays (or typed
 * array views) for lists.
 *
 * @param vector - the vector (any number of chunks)
 * @returns the values and a per-row validity (undefined when there is no null)
 * @example
 * ```ts
 * import { tableFromArrays } from 'apache-arrow';
 *
 * const table = tableFromArrays({ flux: Float64Array.from([1.5, 2.5]) });
 * vectorValues(table.getChild('flux')!).values; // the Float64Array itself, no copy
 * ```
 */
export function vectorValues(vector: Vector): VectorValues {
  const length = vector.length;
  let valid: Uint8Array | undefined;
  if (vector.nullCount > 0) {
    valid = new Uint8Array(length);
    for (let i = 0; i < length; i++) valid[i] = vector.isValid(i) ? 1 : 0;
  }
  const type = vector.type as DataType;
  const Ctor = numericConstructor(type);
  if (Ctor !== undefined) {
    if (vector.data.length === 1) {
      const d = vector.data[0]!;
      return { values: (d.values as NumericArray).subarray(d.offset, d.offset + d.length), valid };
    }
    const out = new Ctor(length);
    let o = 0;
    for (const d of vector.data) {
      (out as Float64Array).set((d.values as Float64Array).subarray(d.offset, d.offset + d.length), o);
      o += d.length;
    }
    return { values: out, valid };
  }
  switch (type.typeId) {
    case Type.Bool: {
      const out = new Array<boolean>(length);
      let o = 0;
      for (const d of vector.data) {
        const bits = d.values as Uint8Array;
        for (let i = 0; i < d.length; i++) {
          const b = d.offset + i;
          out[o++] = ((bits[b >> 3]! >> (b & 7)) & 1) === 1;
        }
      }
      return { values: out, valid };
    }
    case Type.Utf8: {
      const out = new Array<string | null>(length);
      let o = 0;
      for (const d of vector.data) {
        const offsets = d.valueOffsets as Int32Array;
        const bytes = d.values as Uint8Array;
        const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < d.length; i++, o++) {
          out[o] = valid !== undefined && valid[o] === 0 ? null : buf.toString('utf8', offsets[d.offset + i]!, offsets[d.offset + i + 1]!);
        }
      }
      return { values: out, valid };
    }
    case Type.FixedSizeList: {
      const size = (type as FixedSizeList).listSize;
      const childType = (type as FixedSizeList).children[0]!.type;
      const out = new Array<ArrayLike<unknown>>(length);
      let o = 0;
      for (const d of vector.data) {
        const child = d.children[0]!;
        if (numericConstructor(childType) !== undefined) {
          const flat = (child.values as NumericArray).subarray(child.offset, child.offset + child.length);
          for (let i = 0; i < d.length; i++) out[o++] = flat.subarray((d.offset + i) * size, (d.offset + i + 1) * size);
        } else {
          for (let i = 0; i < d.length; i++, o++) out[o] = Array.from(vector.get(o) as Iterable<unknown>);
        }
      }
      return { values: out, valid };
    }
    case Type.List: {
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) {
        const v = vector.get(i) as Vector | null;
        out[i] = v == null ? null : numericConstructor(v.type as DataType) !== undefined ? v.toArray() : Array.from(v);
      }
      return { values: out, valid };
    }
    default: {
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = vector.get(i);
      return { values: out, valid };
    }
  }
}

// For parquet.ts; not in the barrel.
export { Binary, Bool, FixedSizeList, Float32, Float64, Int16, Int32, Int64, Int8, LargeUtf8, List, Uint16, Uint32, Uint64, Uint8, Utf8, ArrowField };
