import type { Config } from '@skystack/pex-config';
import type { DataCoordinate, DatasetRef, DimensionGroup, DimensionUniverse } from '@skystack/daf-butler';
import { NoWorkFound, PrerequisiteMissingError, ScalarError } from '../task/errors.js';
import { BaseConnection, Output, PrerequisiteInput } from './connection-types.js';
import type { BaseInput, ConnectionTypeSet } from './connection-types.js';
import { ConnectionsDefinitionError } from './errors.js';
import { DeferredDatasetRef } from './quantized-connection.js';
import type { InputQuantizedConnection, OutputQuantizedConnection, Quantum, QuantizedRef } from './quantized-connection.js';
import { formatTemplate, templateNames } from './templates.js';

/** The config a connections instance is made from: any config with a `connections` sub-config (a PipelineTaskConfig). */
export interface ConnectionsConfigHolder {
  /** The connections config: one string field per connection and per template. */
  readonly connections: Config;
}

/** Options of the connections constructor. */
export interface ConnectionsOptions {
  /** The task's config (a {@link PipelineTaskConfig} made with this connections class). */
  readonly config: ConnectionsConfigHolder;
}

/** Inputs (or outputs) of one quantum for {@link PipelineTaskConnections.adjustQuantum}: connection name → [connection, refs]. */
export type AdjustQuantumMap<C extends BaseConnection = BaseConnection> = Map<string, [C, readonly DatasetRef[]]>;

/** What {@link PipelineTaskConnections.adjustQuantum} returns: the connections it changed. */
export interface AdjustQuantumResult {
  /** Input connections whose datasets changed (only removals are allowed). */
  readonly inputs: ReadonlyMap<string, readonly [BaseInput, readonly DatasetRef[]]>;
  /** Output connections whose datasets changed. */
  readonly outputs: ReadonlyMap<string, readonly [Output, readonly DatasetRef[]]>;
}

/**
 * A declaration of a task's connections for {@link defineConnections}.
 *
 * @typeParam CN - the connections, by name
 * @typeParam T - the template defaults, by name
 */
export interface ConnectionsDeclaration<CN extends Readonly<Record<string, BaseConnection>>, T extends Readonly<Record<string, string>>> {
  /** The dimensions of the task's quanta (e.g. `['instrument', 'visit', 'detector']`). */
  readonly dimensions: readonly string[];
  /** Default values of the templates used in connection names (`{ coaddName: 'deep' }`). */
  readonly defaultTemplates?: T;
  /** The connections, by the name the task uses (its `run` argument or result item). */
  readonly connections: CN;
  /**
   * Changes the connections from the config before they are frozen (LSST's connections
   * `__init__`): `if (!config.doX) self.removeConnection('y')`, `self.dimensions.add(...)`,
   * `self.setConnection(...)`.
   */
  readonly configure?: ((connections: PipelineTaskConnections, config: ConnectionsConfigHolder) => void) | undefined;
}

/**
 * The typed connection properties of a connections instance (none for an untyped record).
 *
 * @typeParam CN - the connections, by name
 */
export type ConnectionProperties<CN> = string extends keyof CN ? unknown : { readonly [K in keyof CN]: CN[K] };

/** The static side of a connections class made by {@link defineConnections}. */
export interface PipelineTaskConnectionsClass<
  CN extends Readonly<Record<string, BaseConnection>> = Readonly<Record<string, BaseConnection>>,
  T extends Readonly<Record<string, string>> = Readonly<Record<string, string>>,
> {
  /** Makes the connections of one config. */
  new (options: ConnectionsOptions): PipelineTaskConnections & ConnectionProperties<CN>;
  /** The declaration it was made from. */
  readonly declaration: ConnectionsDeclaration<CN, T>;
  /** The declared quantum dimensions. */
  readonly dimensions: ReadonlySet<string>;
  /** The template defaults. */
  readonly defaultTemplates: Readonly<Record<string, string>>;
  /** The declared connections, by name (names unexpanded). */
  readonly allConnections: ReadonlyMap<string, BaseConnection>;
  /** The class name. */
  readonly name: string;
}

/**
 * Any connections class, whatever its connections: what configs, tasks and graphs accept.
 */
export interface AnyConnectionsClass {
  /** Makes the connections of one config. */
  new (options: ConnectionsOptions): PipelineTaskConnections;
  /** The declared quantum dimensions. */
  readonly dimensions: ReadonlySet<string>;
  /** The template defaults. */
  readonly defaultTemplates: Readonly<Record<string, string>>;
  /** The declared connections, by name (names unexpanded). */
  readonly allConnections: ReadonlyMap<string, BaseConnection>;
  /** The class name. */
  readonly name: string;
}

/** Names that connections may not have (members of the connections instance). */
const RESERVED = new Set([
  'dimensions', 'inputs', 'prerequisiteInputs', 'outputs', 'initInputs', 'initOutputs', 'allConnections', 'config',
  'get', 'has', 'removeConnection', 'setConnection', 'configure', 'adjustQuantum', 'buildDatasetRefs', 'validate',
  'getSpatialBoundsConnections', 'getTemporalBoundsConnections', 'constructor', 'quantumDimensions', 'datasetTypes',
]);

const SETS: readonly ConnectionTypeSet[] = ['initInputs', 'prerequisiteInputs', 'inputs', 'initOutputs', 'outputs'];

function freezeSet<T>(set: Set<T>): Set<T> {
  const fail = (): never => {
    throw new ConnectionsDefinitionError('Connections objects are frozen after construction.');
  };
  Object.defineProperties(set, { add: { value: fail }, delete: { value: fail }, clear: { value: fail } });
  return set;
}

/**
 * The inputs and outputs of a PipelineTask for one config: its quantum dimensions and its
 * connections with their dataset type names resolved from the config
 * (`config.connections.<name>`, templates expanded). Declare a connections class with
 * {@link defineConnections}; subclass the result to override {@link PipelineTaskConnections.adjustQuantum}
 * or {@link PipelineTaskConnections.configure}.
 *
 * After construction the connections are frozen: `dimensions`, the kind sets and
 * `allConnections` cannot change.
 *
 * @see lsst.pipe.base.PipelineTaskConnections
 */
export class PipelineTaskConnections {
  /** The declared quantum dimensions (class side). */
  static readonly dimensions: ReadonlySet<string> = new Set();
  /** The template defaults (class side). */
  static readonly defaultTemplates: Readonly<Record<string, string>> = {};
  /** The declared connections (class side). */
  static readonly allConnections: ReadonlyMap<string, BaseConnection> = new Map();

  /** The config the connections were made from. */
  readonly config: ConnectionsConfigHolder;
  /** The quantum dimensions (may be changed in `configure`). */
  readonly dimensions: Set<string>;
  /** Names of the `Input` connections. */
  readonly inputs: Set<string>;
  /** Names of the `PrerequisiteInput` connections. */
  readonly prerequisiteInputs: Set<string>;
  /** Names of the `Output` connections. */
  readonly outputs: Set<string>;
  /** Names of the `InitInput` connections. */
  readonly initInputs: Set<string>;
  /** Names of the `InitOutput` connections. */
  readonly initOutputs: Set<string>;
  readonly #all = new Map<string, BaseConnection>();
  #frozen = false;

  /**
   * Makes the connections of a config: each declared connection with its dataset type name
   * from `config.connections.<name>` (templates expanded with `config.connections.<template>`),
   * then {@link PipelineTaskConnections.configure}, then freezes them.
   *
   * @param options - `config`
   * @throws {@link ConnectionsDefinitionError} when the config has no connections, or a
   *   template has no value
   */
  constructor(options: ConnectionsOptions) {
    const cls = new.target as unknown as AnyConnectionsClass;
    const config = options?.config;
    if (config === undefined || config === null || typeof config.connections !== 'object') {
      throw new ConnectionsDefinitionError(`${cls.name} must be made with a PipelineTaskConfig (a config with a 'connections' field).`);
    }
    this.config = config;
    const cc = config.connections as unknown as Record<string, unknown>;
    const templates: Record<string, string> = {};
    for (const t of Object.keys(cls.defaultTemplates)) templates[t] = String(cc[t]);
    this.dimensions = new Set(cls.dimensions);
    this.inputs = new Set();
    this.prerequisiteInputs = new Set();
    this.outputs = new Set();
    this.initInputs = new Set();
    this.initOutputs = new Set();
    for (const [internal, connection] of cls.allConnections) {
      const raw = cc[internal];
      const name = formatTemplate(typeof raw === 'string' ? raw : connection.name, templates);
      const doc = connection.deprecated === undefined ? connection.doc : `${connection.doc}\n${connection.deprecated}`;
      this.#all.set(internal, connection.replace({ name, doc }));
      this[connection.connectionTypeSet].add(internal);
    }
    this.configure(config);
    const updated = new Map<string, BaseConnection>();
    for (const set of SETS) {
      for (const n of this[set]) {
        const c = this.#all.get(n);
        if (c === undefined) throw new ConnectionsDefinitionError(`${cls.name}: '${n}' is in ${set} but no such connection exists.`);
        updated.set(n, c);
      }
      freezeSet(this[set]);
    }
    this.#all.clear();
    for (const [k, v] of updated) this.#all.set(k, v);
    freezeSet(this.dimensions);
    this.#frozen = true;
  }

  /**
   * Changes the connections from the config before they are frozen: the equivalent of a
   * LSST connections class's `__init__`. The default runs the declaration's `configure`.
   * Subclasses may override it (calling `super.configure(config)`); it runs inside the base
   * constructor, before the subclass's own fields are initialized.
   *
   * @param config - the task's config
   */
  protected configure(config: ConnectionsConfigHolder): void {
    const decl = (this.constructor as { declaration?: ConnectionsDeclaration<Readonly<Record<string, BaseConnection>>, Readonly<Record<string, string>>> }).declaration;
    decl?.configure?.(this, config);
  }

  /** All connections of this instance by name (read-only view). */
  get allConnections(): ReadonlyMap<string, BaseConnection> {
    return this.#all;
  }

  /**
   * A connection by its name.
   *
   * @param name - the connection name
   * @returns the connection (with its resolved dataset type name)
   * @throws {@link ConnectionsDefinitionError} when it does not exist or was removed
   */
  get(name: string): BaseConnection {
    const c = this.#all.get(name);
    if (c === undefined) {
      const declared = (this.constructor as AnyConnectionsClass).allConnections.has(name);
      throw new ConnectionsDefinitionError(
        declared ? `Connection '${name}' of ${this.constructor.name} has been removed.` : `${this.constructor.name} has no connection '${name}'.`,
        { hint: `Connections: ${[...this.#all.keys()].join(', ') || '(none)'}.` },
      );
    }
    return c;
  }

  /**
   * Whether a connection exists (was declared and not removed).
   *
   * @param name - the connection name
   * @returns true when present
   */
  has(name: string): boolean {
    return this.#all.has(name);
  }

  #checkMutable(): void {
    if (this.#frozen) throw new ConnectionsDefinitionError('Connections objects are frozen after construction.');
  }

  /**
   * Removes a connection (LSST's `del self.name` in the connections' `__init__`); only in
   * {@link PipelineTaskConnections.configure}.
   *
   * @param name - the connection name
   * @throws {@link ConnectionsDefinitionError} after construction, or for an unknown name
   */
  removeConnection(name: string): void {
    this.#checkMutable();
    const c = this.get(name);
    this[c.connectionTypeSet].delete(name);
    this.#all.delete(name);
  }

  /**
   * Adds or replaces a connection (LSST's `self.name = cT.Input(...)` in `__init__`); only in
   * {@link PipelineTaskConnections.configure}. A replaced connection may change kind.
   *
   * @param name - the connection name
   * @param connection - the connection (its name is used as is, no templates)
   * @throws {@link ConnectionsDefinitionError} after construction, or for a reserved name
   */
  setConnection(name: string, connection: BaseConnection): void {
    this.#checkMutable();
    if (RESERVED.has(name)) throw new ConnectionsDefinitionError(`Connection name '${name}' is reserved for internal use.`);
    const previous = this.#all.get(name);
    if (previous !== undefined) this[previous.connectionTypeSet].delete(name);
    this[connection.connectionTypeSet].add(name);
    this.#all.set(name, connection);
  }

  /**
   * The quantum dimensions in a universe.
   *
   * @param universe - the dimension universe
   * @returns the dimension group (required dependencies added)
   * @throws {@link ConnectionsDefinitionError} for an unknown dimension
   */
  quantumDimensions(universe: DimensionUniverse): DimensionGroup {
    return conform(universe, this.dimensions, `the quantum dimensions of ${this.constructor.name}`);
  }

  /**
   * Checks the connections against a dimension universe, as pipe_base does when it builds a
   * pipeline graph: every dimension is known and every single `Output` has dimensions within the
   * quantum's (a `multiple` output may have more: its data IDs come from an input connection
   * that has them, as CompareWarp's per-visit artifact masks). An `Input` may have dimensions
   * beyond the quantum's even with `multiple: false`
   * (an `exposure` dataset read by a `visit` quantum, paired through visit_definition), as in
   * pipe_base: a quantum that then matches several datasets fails with `ScalarError` when it is
   * built.
   *
   * @param universe - the dimension universe
   * @throws {@link ConnectionsDefinitionError} naming the connection, its dimensions and the quantum's
   */
  validate(universe: DimensionUniverse): void {
    const quantum = this.quantumDimensions(universe);
    for (const [name, c] of this.#all) {
      const dims = conform(universe, c.dimensions, `connection '${name}' (${c.name}) of ${this.constructor.name}`);
      const outside = dims.names.filter((d) => !quantum.has(d));
      if (outside.length === 0) continue;
      if (c instanceof Output && !c.multiple) {
        throw new ConnectionsDefinitionError(
          `Output connection '${name}' (${c.name}) of ${this.constructor.name} has dimensions {${dims.names.join(', ')}}, which are not a subset of the quantum dimensions {${quantum.names.join(', ')}} (extra: ${outside.join(', ')}).`,
          { hint: 'A single output is identified by the quantum data ID; add the dimensions to the task, remove them from the output, or make it multiple (its data IDs then come from an input connection with those dimensions).' },
        );
      }
    }
  }

  /**
   * Checks (and may trim) the datasets of a quantum before it runs or is added to a graph.
   * The base implementation makes no changes and checks that connections with
   * `multiple: false` have at most one dataset and that inputs meet their `minimum`.
   * Overrides should call it (with their adjusted maps) and return only what they changed.
   *
   * @param inputs - input and prerequisite connections with their datasets (a temporary copy)
   * @param outputs - output connections with their datasets (a temporary copy)
   * @param label - the task label (for messages)
   * @param dataId - the quantum data ID (for messages)
   * @returns the connections changed (none here)
   * @throws {@link ScalarError} for several datasets on a `multiple: false` connection
   * @throws {@link NoWorkFound} when an `Input` has fewer than `minimum` datasets
   * @throws {@link PrerequisiteMissingError} when a `PrerequisiteInput` has fewer than `minimum`
   * @see lsst.pipe.base.PipelineTaskConnections.adjustQuantum
   */
  adjustQuantum(
    inputs: AdjustQuantumMap<BaseInput>,
    outputs: AdjustQuantumMap<Output>,
    label: string,
    dataId: DataCoordinate,
  ): AdjustQuantumResult {
    for (const [name, [connection, refs]] of inputs) {
      if (!connection.multiple && refs.length > 1) {
        throw new ScalarError(
          `Found multiple datasets ${refs.map((r) => r.dataId.toString()).join(', ')} for non-multiple input connection ${label}.${name} (${connection.name}) for quantum data ID ${dataId.toString()}.`,
        );
      }
      if (refs.length < connection.minimum) {
        const msg = `Not enough datasets (${refs.length}) found for non-optional connection ${label}.${name} (${connection.name}) with minimum=${connection.minimum} for quantum data ID ${dataId.toString()}.`;
        if (connection instanceof PrerequisiteInput) throw new PrerequisiteMissingError(msg);
        throw new NoWorkFound(msg);
      }
    }
    for (const [name, [connection, refs]] of outputs) {
      if (!connection.multiple && refs.length > 1) {
        throw new ScalarError(
          `Found multiple datasets ${refs.map((r) => r.dataId.toString()).join(', ')} for non-multiple output connection ${label}.${name} (${connection.name}) for quantum data ID ${dataId.toString()}.`,
        );
      }
    }
    return { inputs: new Map(), outputs: new Map() };
  }

  /**
   * The datasets of a quantum by connection name (deferred ones wrapped in
   * {@link DeferredDatasetRef}; a single reference for `multiple: false`).
   *
   * @param quantum - the quantum
   * @returns the input and output references
   * @throws {@link ScalarError} for several datasets on a `multiple: false` input
   * @see lsst.pipe.base.PipelineTaskConnections.buildDatasetRefs
   */
  buildDatasetRefs(quantum: Quantum): {
    /** The input references by connection name. */
    inputs: InputQuantizedConnection;
    /** The output references by connection name. */
    outputs: OutputQuantizedConnection;
  } {
    const inputs: Record<string, QuantizedRef | readonly QuantizedRef[]> = {};
    const outputs: Record<string, DatasetRef | readonly DatasetRef[]> = {};
    for (const name of [...this.inputs, ...this.prerequisiteInputs]) {
      const c = this.get(name) as BaseInput;
      const refs = (quantum.inputs.get(c.name) ?? []).map((r) => (c.deferLoad ? new DeferredDatasetRef(r) : r));
      if (!c.multiple) {
        if (refs.length > 1) {
          throw new ScalarError(
            `Received multiple datasets for scalar connection ${name} (${c.name}) of quantum for ${quantum.taskLabel ?? this.constructor.name} with data ID ${quantum.dataId.toString()}.`,
          );
        }
        if (refs.length === 0) continue;
        inputs[name] = refs[0]!;
      } else {
        inputs[name] = refs;
      }
    }
    for (const name of this.outputs) {
      const c = this.get(name);
      const refs = quantum.outputs.get(c.name) ?? [];
      if (!c.multiple) {
        if (refs.length === 0) continue;
        outputs[name] = refs[0]!;
      } else {
        outputs[name] = refs;
      }
    }
    return { inputs, outputs };
  }

  /**
   * Names of connections whose data IDs widen the spatial bounds of a quantum (for
   * prerequisite lookups); none by default.
   *
   * @returns connection names
   * @see lsst.pipe.base.PipelineTaskConnections.getSpatialBoundsConnections
   */
  getSpatialBoundsConnections(): Iterable<string> {
    return [];
  }

  /**
   * Names of connections whose data IDs widen the temporal bounds of a quantum (for
   * calibration lookups); none by default.
   *
   * @returns connection names
   * @see lsst.pipe.base.PipelineTaskConnections.getTemporalBoundsConnections
   */
  getTemporalBoundsConnections(): Iterable<string> {
    return [];
  }
}

function conform(universe: DimensionUniverse, names: Iterable<string>, what: string): DimensionGroup {
  try {
    return universe.conform([...names]);
  } catch (e) {
    throw new ConnectionsDefinitionError(`Unknown dimension in ${what}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Declares a connections class: the quantum dimensions, the template defaults and the
 * connections. Each connection becomes a typed property of instances, giving the connection
 * with its configured dataset type name. Subclass the result to override `adjustQuantum` or
 * `configure`.
 *
 * @example
 * ```ts
 * class CoaddStatsConnections extends defineConnections({
 *   dimensions: ['tract', 'patch', 'band', 'skymap'],
 *   defaultTemplates: { coaddName: 'deep' },
 *   connections: {
 *     coadd: new Input({ doc: 'Coadd', name: '{coaddName}Coadd', storageClass: 'ExposureF',
 *       dimensions: ['tract', 'patch', 'band', 'skymap'] }),
 *     stats: new Output({ doc: 'Statistics', name: '{coaddName}Coadd_stats', storageClass: 'StructuredDataDict',
 *       dimensions: ['tract', 'patch', 'band', 'skymap'] }),
 *   },
 *   configure(self, config) {
 *     if (!(config as CoaddStatsConfig).doStats) self.removeConnection('stats');
 *   },
 * }) {}
 * ```
 * @param declaration - dimensions, defaultTemplates, connections, configure
 * @returns the connections class
 * @throws {@link ConnectionsDefinitionError} for dimensions given as a string, a template with
 *   no default, a template named like a connection, or a reserved connection name
 * @see lsst.pipe.base.PipelineTaskConnections (its class declaration keywords)
 */
export function defineConnections<
  const CN extends Readonly<Record<string, BaseConnection>>,
  const T extends Readonly<Record<string, string>> = Readonly<Record<never, string>>,
>(declaration: ConnectionsDeclaration<CN, T>): PipelineTaskConnectionsClass<CN, T> {
  const dims: unknown = declaration.dimensions;
  if (typeof dims === 'string' || !Array.isArray(dims) || !dims.every((d) => typeof d === 'string')) {
    throw new ConnectionsDefinitionError(
      `A connections class must be declared with dimensions: a list of dimension names; got ${JSON.stringify(dims)}.`,
    );
  }
  const connections = new Map<string, BaseConnection>();
  for (const [name, c] of Object.entries(declaration.connections)) {
    if (!(c instanceof BaseConnection)) throw new ConnectionsDefinitionError(`Connection '${name}' is not a connection (Input, Output, ...); got ${String(c)}.`);
    if (RESERVED.has(name) || name.startsWith('_')) throw new ConnectionsDefinitionError(`Connection name '${name}' is reserved for internal use.`);
    connections.set(name, c);
  }
  const defaults: Record<string, string> = { ...(declaration.defaultTemplates ?? {}) };
  const used = new Set<string>();
  for (const c of connections.values()) for (const t of templateNames(c.name)) used.add(t);
  const missing = [...used].filter((t) => !(t in defaults));
  if (missing.length > 0) {
    throw new ConnectionsDefinitionError(`Default template values were not given for ${missing.map((t) => `'${t}'`).join(', ')}.`, {
      hint: `Add defaultTemplates: { ${missing.map((t) => `${t}: '...'`).join(', ')} }.`,
    });
  }
  const clash = Object.keys(defaults).filter((t) => connections.has(t));
  if (clash.length > 0) {
    throw new ConnectionsDefinitionError(`Template parameters cannot share names with connections (conflicts are ${clash.join(', ')}).`);
  }
  const dimensions: ReadonlySet<string> = new Set(dims as string[]);
  const frozenDefaults = Object.freeze(defaults);
  const Declared = class extends PipelineTaskConnections {
    static override readonly dimensions = dimensions;
    static override readonly defaultTemplates = frozenDefaults;
    static override readonly allConnections: ReadonlyMap<string, BaseConnection> = connections;
    static readonly declaration = declaration;
  };
  for (const name of connections.keys()) {
    Object.defineProperty(Declared.prototype, name, {
      get(this: PipelineTaskConnections) {
        return this.get(name);
      },
      enumerable: false,
      configurable: true,
    });
  }
  return Declared as unknown as PipelineTaskConnectionsClass<CN, T>;
}
