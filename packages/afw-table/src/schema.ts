import { AliasMap } from './alias-map.js';
import { AfwTableInvalidArgumentError, AfwTableNotFoundError } from './errors.js';

/** The scalar field types, as afw names them (`B` uint8, `U` uint16, `I` int32, `L` int64, `F` float32, `D` float64). */
export type ScalarFieldType = 'B' | 'U' | 'I' | 'L' | 'F' | 'D';

/** The fixed-size array field types (`size` elements per record). */
export type ArrayFieldType = 'ArrayB' | 'ArrayU' | 'ArrayI' | 'ArrayF' | 'ArrayD';

/**
 * The type of a field, as afw names them: scalars, `Flag` (a bit packed in the `flags`
 * column on disk), `Angle` (radians), `String` (fixed `size` in bytes), and arrays.
 */
export type FieldType = ScalarFieldType | ArrayFieldType | 'Flag' | 'Angle' | 'String';

/** All field types, in the order of {@link FieldType}. */
export const FIELD_TYPES: readonly FieldType[] = Object.freeze([
  'B', 'U', 'I', 'L', 'F', 'D', 'ArrayB', 'ArrayU', 'ArrayI', 'ArrayF', 'ArrayD', 'Flag', 'Angle', 'String',
]);

/**
 * One field of a schema.
 *
 * @see lsst.afw.table.Field
 */
export interface Field {
  /** The field name. */
  readonly name: string;
  /** The field type. */
  readonly type: FieldType;
  /** Documentation (afw's `TDOCn`). */
  readonly doc: string;
  /** Units, as an astropy-compatible string (`''` when none; always `'rad'` for Angle). */
  readonly units: string;
  /** Elements per record for arrays, bytes for strings; 1 for scalars. */
  readonly size: number;
}

/** What {@link Schema.addField} takes: the name and type, with optional doc, units and size. */
export interface FieldInput {
  /** The field name; must be unique in the schema. */
  readonly name: string;
  /** The field type. */
  readonly type: FieldType;
  /** Documentation. */
  readonly doc?: string;
  /** Units. */
  readonly units?: string;
  /** Elements per record for arrays (required), bytes for strings (required). */
  readonly size?: number;
}

/**
 * True when a field type is one of the array types.
 *
 * @param type - the field type
 * @returns whether it is `ArrayB`, `ArrayU`, `ArrayI`, `ArrayF` or `ArrayD`
 */
export function isArrayFieldType(type: FieldType): type is ArrayFieldType {
  return type.startsWith('Array');
}

/**
 * An ordered list of named, typed fields with an alias map: the description of a catalog's
 * columns.
 *
 * @example
 * ```ts
 * const schema = Schema.makeMinimalSchema();
 * schema.addField({ name: 'base_PsfFlux_instFlux', type: 'D', doc: 'PSF flux', units: 'count' });
 * schema.getAliasMap().set('slot_PsfFlux', 'base_PsfFlux');
 * schema.find('slot_PsfFlux_instFlux').name; // 'base_PsfFlux_instFlux'
 * ```
 * @see lsst.afw.table.Schema
 */
export class Schema implements Iterable<Field> {
  /** The table format version current afw writes (`AFW_TABLE_VERSION`). */
  static readonly VERSION = 3;

  readonly #fields: Field[] = [];
  readonly #byName = new Map<string, number>();
  #aliases = new AliasMap();

  /**
   * Makes a schema, empty or with the given fields.
   *
   * @param fields - the fields to add, in order
   * @throws AfwTableInvalidArgumentError for a duplicate name or an invalid field
   */
  constructor(fields: Iterable<FieldInput> = []) {
    for (const f of fields) this.addField(f);
  }

  /**
   * The minimal schema of a BaseCatalog: no fields.
   *
   * @returns a new empty schema
   */
  static makeMinimalSchema(): Schema {
    return new Schema();
  }

  /** Number of fields. */
  get length(): number {
    return this.#fields.length;
  }

  /**
   * Adds a field at the end.
   *
   * @param input - the field description
   * @returns the added field
   * @throws AfwTableInvalidArgumentError when the name is taken or empty, the type unknown, or an
   *   array or string field has no positive `size`
   */
  addField(input: FieldInput): Field {
    const { name, type } = input;
    if (typeof name !== 'string' || name === '') throw new AfwTableInvalidArgumentError(`A field needs a non-empty name; got ${JSON.stringify(name)}.`);
    if (!FIELD_TYPES.includes(type)) {
      throw new AfwTableInvalidArgumentError(`Field '${name}': unknown type '${String(type)}'; expected one of ${FIELD_TYPES.join(', ')}.`);
    }
    if (this.#byName.has(name)) throw new AfwTableInvalidArgumentError(`Field '${name}' is already in the schema.`);
    let size = 1;
    if (isArrayFieldType(type) || type === 'String') {
      size = input.size ?? 0;
      if (!Number.isSafeInteger(size) || size <= 0) {
        throw new AfwTableInvalidArgumentError(`Field '${name}' of type ${type} needs a positive integer size; got ${String(input.size)}.`);
      }
    }
    const field: Field = Object.freeze({
      name,
      type,
      doc: input.doc ?? '',
      units: type === 'Angle' ? 'rad' : (input.units ?? ''),
      size,
    });
    this.#byName.set(name, this.#fields.length);
    this.#fields.push(field);
    return field;
  }

  /**
   * Looks a field up by name, applying the aliases first (as afw does).
   *
   * @param name - a field name, alias or alias-prefixed name
   * @returns the field
   * @throws AfwTableNotFoundError when there is no such field
   */
  find(name: string): Field {
    const field = this.tryFind(name);
    if (field === undefined) {
      const resolved = this.#aliases.apply(name);
      throw new AfwTableNotFoundError(
        `Field '${name}'${resolved === name ? '' : ` (alias of '${resolved}')`} is not in the schema.`,
        { hint: this.#suggest(name) },
      );
    }
    return field;
  }

  /**
   * Like {@link Schema.find}, but returns `undefined` instead of throwing.
   *
   * @param name - a field name, alias or alias-prefixed name
   * @returns the field, or `undefined`
   */
  tryFind(name: string): Field | undefined {
    const resolved = this.#aliases.apply(name);
    const index = this.#byName.get(resolved) ?? this.#byName.get(name);
    return index === undefined ? undefined : this.#fields[index];
  }

  /**
   * Whether {@link Schema.find} would find a field.
   *
   * @param name - a field name, alias or alias-prefixed name
   * @returns true when it would
   */
  contains(name: string): boolean {
    return this.tryFind(name) !== undefined;
  }

  /**
   * The position of a field.
   *
   * @param name - a field name, alias or alias-prefixed name
   * @returns its 0-based index in {@link Schema.getFields}
   * @throws AfwTableNotFoundError when there is no such field
   */
  indexOf(name: string): number {
    return this.#byName.get(this.find(name).name)!;
  }

  /**
   * The field names, in order.
   *
   * @returns the names
   */
  getNames(): string[] {
    return this.#fields.map((f) => f.name);
  }

  /**
   * The fields, in order.
   *
   * @returns the fields
   */
  getFields(): readonly Field[] {
    return this.#fields;
  }

  /**
   * The alias map (live: changes apply to this schema).
   *
   * @returns the aliases
   */
  getAliasMap(): AliasMap {
    return this.#aliases;
  }

  /**
   * Replaces the alias map.
   *
   * @param aliases - the new aliases (used as is, not copied)
   */
  setAliasMap(aliases: AliasMap): void {
    this.#aliases = aliases;
  }

  /**
   * A deep copy: the same fields and a copy of the aliases.
   *
   * @returns the copy
   */
  clone(): Schema {
    const copy = new Schema(this.#fields);
    copy.setAliasMap(this.#aliases.clone());
    return copy;
  }

  /**
   * Iterates over the fields in order.
   *
   * @returns the iterator
   */
  [Symbol.iterator](): Iterator<Field> {
    return this.#fields[Symbol.iterator]();
  }

  #suggest(name: string): string {
    const lower = name.toLowerCase();
    const close = this.#fields.filter((f) => f.name.toLowerCase() === lower || f.name.toLowerCase().includes(lower)).slice(0, 3);
    return close.length > 0 ? `Did you mean ${close.map((f) => `'${f.name}'`).join(' or ')}?` : `The schema has ${this.#fields.length} fields; see getNames().`;
  }
}
