// The Arrow helpers that @skystack/afw-table's catalog conversion shares with the Parquet reader.
import { Bool, FixedSizeList, Field, Float32, Int64, Utf8, makeVector, tableFromArrays, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { encodeUtf8, numericConstructor, packBits, vectorValues } from '../src/index.js';

describe('Arrow helpers', () => {
  it('maps numeric Arrow types to typed-array constructors', () => {
    expect(numericConstructor(new Int64())).toBe(BigInt64Array);
    expect(numericConstructor(new Float32())).toBe(Float32Array);
    expect(numericConstructor(new Utf8())).toBeUndefined();
    expect(numericConstructor(new Bool())).toBeUndefined();
  });

  it('packs bits least significant first, as Arrow does', () => {
    expect(Array.from(packBits([1, 0, 1, 0, 0, 0, 0, 0, 1]))).toEqual([0b101, 0b1]);
    expect(Array.from(packBits([true, false, true]))).toEqual([0b101]);
  });

  it('encodes UTF-8 offsets and bytes, empty for null', () => {
    const { offsets, bytes } = encodeUtf8(['r', null, 'é', '']);
    expect(Array.from(offsets)).toEqual([0, 1, 1, 3, 3]);
    expect(Buffer.from(bytes).toString('utf8')).toBe('ré');
  });

  it('reads values out of vectors: numbers without a copy, nulls marked', () => {
    const flux = Float64Array.from([1.5, 2.5]);
    const table = tableFromArrays({ flux });
    const { values, valid } = vectorValues(table.getChild('flux')!);
    expect(values).toBeInstanceOf(Float64Array);
    expect((values as Float64Array).buffer).toBe(flux.buffer);
    expect(valid).toBeUndefined();

    const names = vectorValues(vectorFromArray(['a', null, 'c'], new Utf8()));
    expect(names.values).toEqual(['a', null, 'c']);
    expect(Array.from(names.valid!)).toEqual([1, 0, 1]);

    const type = new FixedSizeList(2, new Field('item', new Float32(), false));
    const fixed = vectorValues(vectorFromArray([[1, 2], [3, 4]], type));
    expect(Array.from(fixed.values[1] as Float32Array)).toEqual([3, 4]);
    expect(vectorValues(makeVector(Int32Array.from([7, 8]))).values).toEqual(Int32Array.from([7, 8]));
  });
});
