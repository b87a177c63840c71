import type { DatasetRef, DatasetType, DataCoordinate, DimensionUniverse, Registry } from '@skystack/daf-butler';
import { DatasetType as DatasetTypeClass } from '@skystack/daf-butler';
import { ConnectionsDefinitionError } from './errors.js';

/** The set of a connections instance a connection kind belongs to. */
export type ConnectionTypeSet = 'inputs' | 'prerequisiteInputs' | 'outputs' | 'initInputs' | 'initOutputs';

/** Options shared by every connection. */
export interface BaseConnectionOptions {
  /** The dataset type name; may hold templates such as `{coaddName}Coadd`. */
  readonly name: string;
  /** The storage class of the dataset type. */
  readonly storageClass: string;
  /** What the connection is for. */
  readonly doc?: string;
  /** Whether the connection takes a list of datasets (default false: exactly one). */
  readonly multiple?: boolean;
  /** Why the connection is deprecated and when it goes away. */
  readonly deprecated?: string | undefined;
}

/** Options of connections with dimensions ({@link Input}, {@link PrerequisiteInput}, {@link Output}). */
export interface DimensionedConnectionOptions extends BaseConnectionOptions {
  /** The dimensions of the dataset type (default none). */
  readonly dimensions?: readonly string[];
  /** Whether the dataset type may be certified into CALIBRATION collections. */
  readonly isCalibration?: boolean;
}

/** Options of input connections. */
export interface BaseInputOptions extends DimensionedConnectionOptions {
  /** Hand the task a deferred handle instead of the loaded dataset. */
  readonly deferLoad?: boolean;
  /** The least number of datasets needed per quantum (default 1; above 1 needs `multiple`). */
  readonly minimum?: number;
}

/** Options of {@link Input}. */
export interface InputOptions extends BaseInputOptions {
  /** Leave this dataset type out of the initial data ID query of QuantumGraph generation. */
  readonly deferGraphConstraint?: boolean;
  /** Leave the dataset out of the pipeline graph; a custom builder binds it. */
  readonly deferBinding?: boolean;
}

/** A custom lookup for a {@link PrerequisiteInput}: dataset type, registry, quantum data ID, collections → refs. */
export type PrerequisiteLookupFunction = (
  datasetType: DatasetType,
  registry: Registry,
  dataId: DataCoordinate,
  collections: readonly string[],
) => Iterable<DatasetRef> | Promise<Iterable<DatasetRef>>;

/** Options of {@link PrerequisiteInput}. */
export interface PrerequisiteInputOptions extends BaseInputOptions {
  /** A custom lookup instead of the default spatial/temporal one. */
  readonly lookupFunction?: PrerequisiteLookupFunction | undefined;
}

/** Every option a connection can carry (for {@link BaseConnection.replace}). */
export type AnyConnectionOptions = InputOptions & PrerequisiteInputOptions;

/**
 * Base class of connection declarations: an immutable description of one dataset type a
 * PipelineTask reads or writes.
 *
 * @see lsst.pipe.base.connectionTypes.BaseConnection
 */
export abstract class BaseConnection {
  /** The dataset type name (templates expanded on connections of an instance). */
  readonly name: string;
  /** The storage class. */
  readonly storageClass: string;
  /** What the connection is for. */
  readonly doc: string;
  /** Whether the connection takes a list of datasets. */
  readonly multiple: boolean;
  /** Why it is deprecated, if it is. */
  readonly deprecated: string | undefined;
  /** The set of a connections instance this kind belongs to. */
  abstract readonly connectionTypeSet: ConnectionTypeSet;

  /**
   * Declares the connection.
   *
   * @param options - the connection's fields
   */
  constructor(options: BaseConnectionOptions) {
    if (typeof options.name !== 'string' || options.name === '') {
      throw new ConnectionsDefinitionError(`A connection needs a non-empty dataset type name; got ${JSON.stringify(options.name)}.`);
    }
    if (typeof options.storageClass !== 'string' || options.storageClass === '') {
      throw new ConnectionsDefinitionError(`Connection '${options.name}' needs a storage class; got ${JSON.stringify(options.storageClass)}.`);
    }
    this.name = options.name;
    this.storageClass = options.storageClass;
    this.doc = options.doc ?? '';
    this.multiple = options.multiple ?? false;
    this.deprecated = options.deprecated;
  }

  /** The dimensions (none for init-inputs and init-outputs). */
  get dimensions(): readonly string[] {
    return [];
  }

  /** Whether the dataset type is a calibration (false for init connections). */
  get isCalibration(): boolean {
    return false;
  }

  /**
   * The options this connection was made from (plain object).
   *
   * @returns the options
   */
  toOptions(): AnyConnectionOptions {
    return { name: this.name, storageClass: this.storageClass, doc: this.doc, multiple: this.multiple, deprecated: this.deprecated };
  }

  /**
   * A connection of the same kind with some fields changed (`dataclasses.replace`).
   *
   * @param changes - the fields to change
   * @returns the new connection
   */
  replace(changes: Partial<AnyConnectionOptions>): this {
    const Ctor = this.constructor as new (o: AnyConnectionOptions) => this;
    return new Ctor({ ...this.toOptions(), ...changes });
  }

  /**
   * The dataset type this connection describes.
   *
   * @param universe - the dimension universe (unknown dimensions are an error there)
   * @returns the dataset type
   * @throws UnknownDimensionError for a dimension the universe does not have
   * @see lsst.pipe.base.connectionTypes.DimensionedConnection.makeDatasetType
   */
  makeDatasetType(universe: DimensionUniverse): DatasetType {
    return new DatasetTypeClass(this.name, universe.conform(this.dimensions), this.storageClass, { universe, isCalibration: this.isCalibration });
  }

  /** @returns a description such as `Input(name='calexp', storageClass='ExposureF', dimensions=[...])` */
  toString(): string {
    const dims = this.dimensions.length ? `, dimensions=[${this.dimensions.join(', ')}]` : '';
    return `${this.constructor.name}(name='${this.name}', storageClass='${this.storageClass}'${dims})`;
  }
}

/**
 * Base class of connections that have dimensions.
 *
 * @see lsst.pipe.base.connectionTypes.DimensionedConnection
 */
export abstract class DimensionedConnection extends BaseConnection {
  readonly #dimensions: readonly string[];
  readonly #isCalibration: boolean;

  /**
   * Declares the connection.
   *
   * @param options - the connection's fields
   * @throws {@link ConnectionsDefinitionError} when `dimensions` is a string or not a list
   */
  constructor(options: DimensionedConnectionOptions) {
    super(options);
    const dims: unknown = options.dimensions ?? [];
    if (typeof dims === 'string') {
      throw new ConnectionsDefinitionError(`Dimensions of connection '${options.name}' must be a list of dimension names; got the string '${dims}'.`, {
        hint: `Write dimensions: ['${dims}'].`,
      });
    }
    if (!Array.isArray(dims) || !dims.every((d) => typeof d === 'string')) {
      throw new ConnectionsDefinitionError(`Dimensions of connection '${options.name}' must be a list of dimension names; got ${String(dims)}.`);
    }
    this.#dimensions = Object.freeze([...(dims as string[])]);
    this.#isCalibration = options.isCalibration ?? false;
  }

  override get dimensions(): readonly string[] {
    return this.#dimensions;
  }

  override get isCalibration(): boolean {
    return this.#isCalibration;
  }

  override toOptions(): AnyConnectionOptions {
    return { ...super.toOptions(), dimensions: this.#dimensions, isCalibration: this.#isCalibration };
  }
}

/**
 * Base class of input connections.
 *
 * @see lsst.pipe.base.connectionTypes.BaseInput
 */
export abstract class BaseInput extends DimensionedConnection {
  /** Whether the task gets a deferred handle instead of the dataset. */
  readonly deferLoad: boolean;
  /** The least number of datasets needed per quantum. */
  readonly minimum: number;

  /**
   * Declares the connection.
   *
   * @param options - the connection's fields
   * @throws {@link ConnectionsDefinitionError} when `minimum > 1` without `multiple`
   */
  constructor(options: BaseInputOptions) {
    super(options);
    this.deferLoad = options.deferLoad ?? false;
    this.minimum = options.minimum ?? 1;
    if (!Number.isInteger(this.minimum) || this.minimum < 0) {
      throw new ConnectionsDefinitionError(`Connection '${this.name}': minimum must be a non-negative integer; got ${this.minimum}.`);
    }
    if (this.minimum > 1 && !this.multiple) {
      throw new ConnectionsDefinitionError(`Connection '${this.name}': cannot set minimum=${this.minimum} if multiple=false.`);
    }
  }

  override toOptions(): AnyConnectionOptions {
    return { ...super.toOptions(), deferLoad: this.deferLoad, minimum: this.minimum };
  }
}

/**
 * A regular input: a dataset produced by another task of the pipeline or already in the
 * repository, which constrains which quanta exist.
 *
 * @example
 * ```ts
 * const calexp = new Input({
 *   doc: 'Calibrated exposure', name: '{prefix}calexp', storageClass: 'ExposureF',
 *   dimensions: ['instrument', 'visit', 'detector'],
 * });
 * ```
 * @see lsst.pipe.base.connectionTypes.Input
 */
export class Input extends BaseInput {
  /** Leave it out of the initial data ID query. */
  readonly deferGraphConstraint: boolean;
  /** Leave it out of the pipeline graph. */
  readonly deferBinding: boolean;
  /** Always `inputs`. */
  readonly connectionTypeSet = 'inputs' as const;

  /**
   * Declares the connection.
   *
   * @param options - the connection's fields
   */
  constructor(options: InputOptions) {
    super(options);
    this.deferGraphConstraint = options.deferGraphConstraint ?? false;
    this.deferBinding = options.deferBinding ?? false;
    if (this.minimum === 0) {
      throw new ConnectionsDefinitionError(`Input connection '${this.name}': minimum=0 is not supported for regular inputs (only for PrerequisiteInput).`);
    }
  }

  override toOptions(): AnyConnectionOptions {
    return { ...super.toOptions(), deferGraphConstraint: this.deferGraphConstraint, deferBinding: this.deferBinding };
  }
}

/**
 * An input that must exist before the pipeline runs (calibrations, reference catalogs); it
 * cannot be produced by a task of the same pipeline, and may be optional (`minimum: 0`).
 *
 * @see lsst.pipe.base.connectionTypes.PrerequisiteInput
 */
export class PrerequisiteInput extends BaseInput {
  /** A custom lookup function. */
  readonly lookupFunction: PrerequisiteLookupFunction | undefined;
  /** Always `prerequisiteInputs`. */
  readonly connectionTypeSet = 'prerequisiteInputs' as const;

  /**
   * Declares the connection.
   *
   * @param options - the connection's fields
   */
  constructor(options: PrerequisiteInputOptions) {
    super(options);
    this.lookupFunction = options.lookupFunction;
  }

  override toOptions(): AnyConnectionOptions {
    return { ...super.toOptions(), lookupFunction: this.lookupFunction };
  }
}

/**
 * An output dataset written by each quantum.
 *
 * @see lsst.pipe.base.connectionTypes.Output
 */
export class Output extends DimensionedConnection {
  /** Always `outputs`. */
  readonly connectionTypeSet = 'outputs' as const;
}

/**
 * A dataset read when the task is constructed (a schema), with no dimensions.
 *
 * @see lsst.pipe.base.connectionTypes.InitInput
 */
export class InitInput extends BaseConnection {
  /** Always `initInputs`. */
  readonly connectionTypeSet = 'initInputs' as const;
}

/**
 * A dataset written once when the task is constructed (a schema), with no dimensions: the
 * task has a property of the connection's name holding it.
 *
 * @see lsst.pipe.base.connectionTypes.InitOutput
 */
export class InitOutput extends BaseConnection {
  /** Always `initOutputs`. */
  readonly connectionTypeSet = 'initOutputs' as const;
}
