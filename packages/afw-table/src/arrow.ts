import { Header } from '@skystack/fits';
import { encodeUtf8, numericConstructor, packBits, vectorValues, type NumericArray } from '@skystack/parquet';
import {
  Bool,
  Field as ArrowField,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema as ArrowSchema,
  Struct,
  Table,
  Type,
  Uint16,
  Uint8,
  Utf8,
  type Data,
  type DataType,
  type Dictionary,
  type Vector,
} from 'apache-arrow';
import { AliasMap } from './alias-map.js';
import { BaseCatalog, type BaseRecord } from './base-catalog.js';
import { columnArrayConstructor, type ColumnArray } from './column-array.js';
import { AfwTableInvalidArgumentError } from './errors.js';
import { FIELD_TYPES, isArrayFieldType, Schema, type FieldInput, type FieldType } from './schema.js';

/** Arrow field metadata key holding the field's documentation. */
export const ARROW_DOC_KEY = 'doc';
/** Arrow field metadata key holding the field's units (astropy-style string). */
export const ARROW_UNITS_KEY = 'units';
/** Arrow field metadata key holding the afw field type (`D`, `Angle`, `ArrayF`, ...). */
export const ARROW_AFW_TYPE_KEY = 'skystack:type';
/** Arrow field metadata key holding the afw `size` of String fields (bytes). */
export const ARROW_AFW_SIZE_KEY = 'skystack:size';
/** Arrow schema metadata key holding the alias map as a JSON list of `[alias, target]` pairs. */
export const ARROW_ALIASES_KEY = 'skystack:aliases';

/** Options of {@link catalogFromArrow}. */
export interface CatalogFromArrowOptions {
  /** The catalog metadata (an empty header when not given). */
  readonly metadata?: Header;
}

const SCALAR_ARROW: Record<Exclude<FieldType, 'String' | 'Flag' | 'ArrayB' | 'ArrayU' | 'ArrayI' | 'ArrayF' | 'ArrayD'>, () => DataType> = {
  B: () => new Uint8(),
  U: () => new Uint16(),
  I: () => new Int32(),
  L: () => new Int64(),
  F: () => new Float32(),
  D: () => new Float64(),
  Angle: () => new Float64(),
};

const ARRAY_ELEMENT: Record<'ArrayB' | 'ArrayU' | 'ArrayI' | 'ArrayF' | 'ArrayD', 'B' | 'U' | 'I' | 'F' | 'D'> = {
  ArrayB: 'B',
  ArrayU: 'U',
  ArrayI: 'I',
  ArrayF: 'F',
  ArrayD: 'D',
};

/**
 * The Arrow type that holds an afw field type (see {@link catalogToArrow}).
 *
 * @param type - the afw field type
 * @param size - elements per record (arrays)
 * @returns the Arrow type
 */
function arrowTypeOf(type: FieldType, size: number): DataType {
  if (type === 'Flag') return new Bool();
  if (type === 'String') return new Utf8();
  if (isArrayFieldType(type)) return new FixedSizeList(size, new ArrowField('item', SCALAR_ARROW[ARRAY_ELEMENT[type]](), false));
  return SCALAR_ARROW[type]();
}

/**
 * Converts a catalog to an Arrow table, one column per field (the analogue of afw's
 * `asAstropy()`).
 *
 * Types: `B` → Uint8, `U` → Uint16, `I` → Int32, `L` → Int64, `F` → Float32, `D` → Float64,
 * Angle → Float64 in radians (field metadata `unit: rad`), Flag → Bool, String → Utf8, array
 * fields → FixedSizeList of the element type. Numeric columns are not copied: the Arrow
 * buffers are the catalog's typed arrays, so later writes to the catalog show in the table
 * (Flag and String columns are converted, hence copied). Every Arrow field carries the
 * metadata `doc`, `units`, `skystack:type` (the afw type) and, for strings, `skystack:size`;
 * the schema metadata `skystack:aliases` holds the alias map as JSON. All of it survives a
 * Parquet round trip through {@link writeParquet}/{@link readParquet}.
 *
 * @param catalog - the catalog
 * @returns the Arrow table (`catalog.length` rows)
 * @example
 * ```ts
 * const catalog = await SourceCatalog.readFits('src.fits');
 * const table = catalogToArrow(catalog);
 * table.getChild('coord_ra')?.toArray(); // Float64Array of radians
 * ```
 * @see lsst.afw.table.BaseCatalog.asAstropy
 */
export function catalogToArrow(catalog: BaseCatalog<BaseRecord>): Table {
  const length = catalog.length;
  const fields: ArrowField[] = [];
  const children: Data[] = [];
  for (const field of catalog.schema) {
    const type = arrowTypeOf(field.type, field.size);
    const column = catalog.getColumn(field.name);
    let data: Data;
    if (field.type === 'Flag') {
      data = makeData({ type: type as Bool, length, data: packBits(column as Uint8Array) });
    } else if (field.type === 'String') {
      const { offsets, bytes } = encodeUtf8(column as string[]);
      data = makeData({ type: type as Utf8, length, valueOffsets: offsets, data: bytes });
    } else if (isArrayFieldType(field.type)) {
      const childType = (type as FixedSizeList).children[0]!.type;
      const child = makeData({ type: childType, length: length * field.size, data: column } as never) as Data;
      data = makeData({ type: type as FixedSizeList, length, child });
    } else {
      data = makeData({ type, length, data: column } as never) as Data;
    }
    children.push(data);
    const metadata: Record<string, string> = {
      [ARROW_DOC_KEY]: field.doc,
      [ARROW_UNITS_KEY]: field.units,
      [ARROW_AFW_TYPE_KEY]: field.type,
    };
    if (field.type === 'Angle') metadata['unit'] = 'rad';
    if (field.type === 'String') metadata[ARROW_AFW_SIZE_KEY] = String(field.size);
    fields.push(makeField(field.name, type, false, metadata));
  }
  const schemaMetadata = new Map<string, string>();
  const aliases = [...catalog.schema.getAliasMap()];
  if (aliases.length > 0) schemaMetadata.set(ARROW_ALIASES_KEY, JSON.stringify(aliases));
  const schema = new ArrowSchema(fields, schemaMetadata);
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return new Table(schema, new RecordBatch(schema, struct));
}

/**
 * The afw field type of an Arrow field: its `skystack:type` metadata when present and
 * consistent with the Arrow type, otherwise the inverse of {@link catalogToArrow}'s mapping.
 *
 * @param field - the Arrow field
 * @param vector - its values (variable-length lists become arrays when every row has one length)
 * @returns the type and size
 * @throws AfwTableInvalidArgumentError for Arrow types no afw field holds
 */
function afwTypeOf(field: ArrowField, vector: Vector): { type: FieldType; size: number } {
  const type = field.type as DataType;
  const scalar = scalarAfwType(type);
  const declared = field.metadata.get(ARROW_AFW_TYPE_KEY) as FieldType | undefined;
  const known = declared !== undefined && FIELD_TYPES.includes(declared) ? declared : undefined;
  if (scalar !== undefined) {
    if (scalar === 'D' && known === 'Angle' && field.metadata.get('unit') === 'rad') return { type: 'Angle', size: 1 };
    return { type: scalar, size: 1 };
  }
  switch (type.typeId) {
    case Type.Bool:
      return { type: 'Flag', size: 1 };
    case Type.Dictionary:
    case Type.Utf8:
    case Type.LargeUtf8: {
      if (type.typeId === Type.Dictionary && (type as Dictionary).dictionary.typeId !== Type.Utf8) break;
      let size = 1;
      for (let i = 0; i < vector.length; i++) size = Math.max(size, Buffer.byteLength((vector.get(i) as string | null) ?? ''));
      const declaredSize = Number(field.metadata.get(ARROW_AFW_SIZE_KEY));
      return { type: 'String', size: Number.isSafeInteger(declaredSize) && declaredSize >= size ? declaredSize : size };
    }
    case Type.FixedSizeList:
    case Type.List: {
      const element = scalarAfwType((type as FixedSizeList).children[0]!.type);
      const arrayType = element === undefined || element === 'L' ? undefined : (`Array${element}` as FieldType);
      if (arrayType !== undefined) {
        if (type.typeId === Type.FixedSizeList) return { type: arrayType, size: (type as FixedSizeList).listSize };
        let size = -1;
        for (let i = 0; i < vector.length; i++) {
          const n = (vector.get(i) as Vector | null)?.length ?? -1;
          if (n <= 0 || (size >= 0 && n !== size)) {
            size = -2;
            break;
          }
          size = n;
        }
        if (size > 0) return { type: arrayType, size };
        throw new AfwTableInvalidArgumentError(
          `Column '${field.name}' is a list whose rows do not all have the same positive length; afw array fields have a fixed size.`,
        );
      }
      break;
    }
    default:
      break;
  }
  throw new AfwTableInvalidArgumentError(
    `Column '${field.name}' has Arrow type ${String(type)}, which no afw field type holds; expected integers, floats, Bool, Utf8 or fixed-size lists of numbers.`,
  );
}

/**
 * The scalar afw type of a numeric Arrow type (Int8/Int16 widen to `I`, Uint32/Uint64 to `L`).
 *
 * @param type - the Arrow type
 * @returns the afw type, or undefined when the type is not numeric
 */
function scalarAfwType(type: DataType): 'B' | 'U' | 'I' | 'L' | 'F' | 'D' | undefined {
  const Ctor = numericConstructor(type);
  if (Ctor === Uint8Array) return 'B';
  if (Ctor === Uint16Array) return 'U';
  if (Ctor === Int8Array || Ctor === Int16Array || Ctor === Int32Array) return 'I';
  if (Ctor === Uint32Array || Ctor === BigInt64Array || Ctor === BigUint64Array) return 'L';
  if (Ctor === Float32Array) return 'F';
  if (Ctor === Float64Array) return 'D';
  return undefined;
}

/**
 * Builds a catalog from an Arrow table: the inverse of {@link catalogToArrow}.
 *
 * Each column becomes a field (type from the `skystack:type` metadata where it agrees with the
 * Arrow type, otherwise: Uint8 → `B`, Uint16 → `U`, Int8/Int16/Int32 → `I`, Int64/Uint32/Uint64
 * → `L`, Float32 → `F`, Float64 → `D` (→ Angle when the field metadata says `skystack:type:
 * Angle` and `unit: rad`), Bool → Flag, Utf8 → String, fixed-size lists, and lists whose rows
 * all have one length, of numbers → array fields). `doc` and `units` come from the field
 * metadata, the aliases from the schema metadata. The values are copied. Nulls in
 * floating-point columns become NaN.
 *
 * @param table - the Arrow table
 * @param options - the catalog metadata
 * @returns a new catalog
 * @throws AfwTableInvalidArgumentError for a column type no afw field holds, or a null in a
 *   column that is not floating point
 * @example
 * ```ts
 * const table = await readParquet('sourceTable.parquet', { columns: ['coord_ra', 'coord_dec'] });
 * const catalog = catalogFromArrow(table);
 * catalog.get(0).get('coord_ra'); // an Angle
 * ```
 */
export function catalogFromArrow(table: Table, options: CatalogFromArrowOptions = {}): BaseCatalog {
  const length = table.numRows;
  const inputs: FieldInput[] = [];
  const columns = new Map<string, ColumnArray>();
  table.schema.fields.forEach((arrowField: ArrowField, index: number) => {
    const vector = table.getChildAt(index)!;
    const { type, size } = afwTypeOf(arrowField, vector);
    const name = arrowField.name;
    inputs.push({
      name,
      type,
      size,
      doc: arrowField.metadata.get(ARROW_DOC_KEY) ?? '',
      units: arrowField.metadata.get(ARROW_UNITS_KEY) ?? arrowField.metadata.get('unit') ?? '',
    });
    const { values, valid } = vectorValues(vector);
    const badNull = (): never => {
      throw new AfwTableInvalidArgumentError(`Column '${name}' has ${vector.nullCount} null values; afw fields of type ${type} cannot hold nulls.`, {
        hint: 'Fill them (e.g. with DuckDB COALESCE) before converting.',
      });
    };
    if (type === 'String') {
      const strings = new Array<string>(length);
      for (let i = 0; i < length; i++) strings[i] = (values[i] as string | null) ?? '';
      columns.set(name, strings);
      return;
    }
    const Ctor = columnArrayConstructor(type);
    const isFloat = Ctor === Float32Array || Ctor === Float64Array;
    if (valid !== undefined && !isFloat) badNull();
    if (type === 'Flag') {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = values[i] ? 1 : 0;
      columns.set(name, out);
      return;
    }
    if (isArrayFieldType(type)) {
      const out = new Ctor(length * size) as Exclude<ColumnArray, string[] | BigInt64Array>;
      for (let i = 0; i < length; i++) {
        const row = values[i] as ArrayLike<number> | null;
        if (row == null) out.fill(NaN, i * size, (i + 1) * size);
        else out.set(row, i * size);
      }
      columns.set(name, out);
      return;
    }
    const src = values as NumericArray;
    const out = new Ctor(length);
    if (out instanceof BigInt64Array) {
      if (src instanceof BigInt64Array || src instanceof BigUint64Array) out.set(src);
      else for (let i = 0; i < length; i++) out[i] = BigInt(src[i] as number);
    } else if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
      for (let i = 0; i < length; i++) out[i] = Number(src[i]);
    } else {
      out.set(src);
    }
    if (valid !== undefined) for (let i = 0; i < length; i++) if (valid[i] === 0) (out as Float64Array)[i] = NaN;
    columns.set(name, out);
  });
  const schema = new Schema(inputs);
  const aliasJson = table.schema.metadata.get(ARROW_ALIASES_KEY);
  if (aliasJson !== undefined) {
    try {
      schema.setAliasMap(new AliasMap(JSON.parse(aliasJson) as [string, string][]));
    } catch (cause) {
      throw new AfwTableInvalidArgumentError(`Schema metadata '${ARROW_ALIASES_KEY}' is not a JSON list of [alias, target] pairs: ${aliasJson.slice(0, 80)}`, { cause });
    }
  }
  const catalog = new BaseCatalog(schema, { metadata: options.metadata ?? new Header() });
  catalog.adoptColumns(length, columns);
  return catalog;
}

/**
 * Makes an Arrow field with string metadata, leaving out empty values.
 *
 * @param name - field name
 * @param type - Arrow type
 * @param nullable - whether it may hold nulls
 * @param metadata - key/value pairs; empty values are dropped
 * @returns the field
 */
function makeField(name: string, type: DataType, nullable: boolean, metadata: Record<string, string>): ArrowField {
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(metadata)) if (v !== '') map.set(k, v);
  return new ArrowField(name, type, nullable, map);
}
