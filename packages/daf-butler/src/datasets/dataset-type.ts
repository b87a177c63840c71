import { ConflictingDefinitionError, InvalidQueryError } from '../errors.js';
import type { DimensionGroup } from '../dimensions/group.js';
import type { DimensionUniverse } from '../dimensions/universe.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Options of the {@link DatasetType} constructor. */
export interface DatasetTypeOptions {
  /** The universe (needed when dimensions are given as names). */
  readonly universe?: DimensionUniverse;
  /** Whether datasets of this type may be certified into CALIBRATION collections. */
  readonly isCalibration?: boolean;
  /** For a component type, the storage class of the parent composite. */
  readonly parentStorageClass?: string;
}

/**
 * A named kind of dataset: its dimensions (what its data IDs hold) and its storage class
 * (the in-memory type). Components use `parent.component` names (`calexp.wcs`). Immutable.
 *
 * @example
 * ```ts
 * const calexp = new DatasetType('calexp', ['instrument', 'visit', 'detector'], 'ExposureF', { universe });
 * calexp.dimensions.required; // ['instrument', 'detector', 'visit']
 * calexp.makeComponentDatasetType('wcs', 'Wcs').name; // 'calexp.wcs'
 * ```
 * @see lsst.daf.butler.DatasetType
 */
export class DatasetType {
  /** Full name (`calexp`, `calexp.wcs`). */
  readonly name: string;
  /** The dimensions of its data IDs. */
  readonly dimensions: DimensionGroup;
  /** The storage class name. */
  readonly storageClass: string;
  /** Whether it may be certified into CALIBRATION collections. */
  readonly isCalibration: boolean;
  /** For components, the parent's storage class. */
  readonly parentStorageClass: string | undefined;

  /**
   * Defines a dataset type.
   *
   * @param name - `[A-Za-z_][A-Za-z0-9_]*`, with `.component` suffixes for components
   * @param dimensions - a group, or dimension names (with `options.universe`)
   * @param storageClass - storage class name
   * @param options - universe, isCalibration, parentStorageClass
   * @throws InvalidQueryError for a malformed name
   */
  constructor(name: string, dimensions: DimensionGroup | Iterable<string>, storageClass: string, options: DatasetTypeOptions = {}) {
    if (!NAME.test(name)) {
      throw new InvalidQueryError(`Dataset type name '${name}' is not valid.`, {
        hint: 'Names are letters, digits and underscores, not starting with a digit, with optional .component suffixes.',
      });
    }
    this.name = name;
    if ('universe' in dimensions && 'names' in dimensions) {
      this.dimensions = dimensions;
    } else {
      if (options.universe === undefined) throw new InvalidQueryError(`DatasetType '${name}': dimension names need a universe.`);
      this.dimensions = options.universe.conform(dimensions);
    }
    this.storageClass = storageClass;
    this.isCalibration = options.isCalibration ?? false;
    this.parentStorageClass = options.parentStorageClass;
    Object.freeze(this);
  }

  /**
   * Splits `parent.component` into its parts.
   *
   * @param name - a dataset type name
   * @returns `[parent, component]`, component undefined for non-components
   */
  static splitDatasetTypeName(name: string): [string, string | undefined] {
    const i = name.indexOf('.');
    return i < 0 ? [name, undefined] : [name.slice(0, i), name.slice(i + 1)];
  }

  /**
   * Joins a parent name and a component name.
   *
   * @param parent - parent dataset type name
   * @param component - component name
   * @returns `parent.component`
   */
  static nameWithComponent(parent: string, component: string): string {
    return `${parent}.${component}`;
  }

  /** Whether this is a component (`calexp.wcs`). */
  isComponent(): boolean {
    return this.name.includes('.');
  }

  /** The parent's name (the name itself for non-components). */
  get parentName(): string {
    return DatasetType.splitDatasetTypeName(this.name)[0];
  }

  /** The component name, or undefined. */
  get component(): string | undefined {
    return DatasetType.splitDatasetTypeName(this.name)[1];
  }

  /**
   * The dataset type of one component of this composite.
   *
   * @param component - component name (`wcs`)
   * @param storageClass - the component's storage class
   * @returns the component dataset type
   */
  makeComponentDatasetType(component: string, storageClass: string): DatasetType {
    return new DatasetType(DatasetType.nameWithComponent(this.name, component), this.dimensions, storageClass, {
      isCalibration: this.isCalibration,
      parentStorageClass: this.storageClass,
    });
  }

  /** The parent composite's dataset type (this one for non-components). */
  makeCompositeDatasetType(): DatasetType {
    if (!this.isComponent()) return this;
    return new DatasetType(this.parentName, this.dimensions, this.parentStorageClass ?? this.storageClass, {
      isCalibration: this.isCalibration,
    });
  }

  /**
   * Whether two definitions are the same (name, dimensions, storage class, calibration flag).
   *
   * @param other - another dataset type
   * @returns true when identical
   */
  equals(other: DatasetType): boolean {
    return (
      this.name === other.name &&
      this.dimensions === other.dimensions &&
      this.storageClass === other.storageClass &&
      this.isCalibration === other.isCalibration
    );
  }

  /**
   * Throws when `other` has this name but a different definition.
   *
   * @param other - the incoming definition
   * @throws ConflictingDefinitionError describing both definitions
   */
  checkCompatible(other: DatasetType): void {
    if (!this.equals(other)) {
      throw new ConflictingDefinitionError(
        `Dataset type '${this.name}' is already registered as ${this.toString()}; the new definition ${other.toString()} differs.`,
        { hint: 'Use another name, or remove the existing dataset type first (only possible when it has no datasets).' },
      );
    }
  }

  /** `DatasetType('calexp', {instrument, detector, visit}, ExposureF)` as daf_butler prints it. */
  toString(): string {
    const cal = this.isCalibration ? ', isCalibration=True' : '';
    return `DatasetType('${this.name}', ${this.dimensions.toString()}, ${this.storageClass}${cal})`;
  }

  /** A plain object as in the export format. */
  toJSON(): {
    /** The name. */
    name: string;
    /** The required dimension names. */
    dimensions: readonly string[];
    /** The storage class name. */
    storage_class: string;
    /** Whether it is a calibration type. */
    is_calibration: boolean;
  } {
    return {
      name: this.name,
      dimensions: this.dimensions.required,
      storage_class: this.storageClass,
      is_calibration: this.isCalibration,
    };
  }
}
