import { Config, ConfigField, Field } from '@skystack/pex-config';
import type { ConfigClass } from '@skystack/pex-config';
import type { BaseConnection } from './connection-types.js';
import type { AnyConnectionsClass, ConnectionsDeclaration } from './pipeline-task-connections.js';

/**
 * The config of a task's connections: one string field per connection (its dataset type
 * name, templates allowed) and one per template (its value), as `config.connections.<name>`.
 *
 * @typeParam N - the connection and template names
 */
export type ConnectionsConfig<N extends string = string> = Config & { [K in N]: string };

/** The connection and template names of a connections class. */
export type ConnectionNames<K> = K extends {
  /** The declaration the class was made from. */
  readonly declaration: ConnectionsDeclaration<infer CN, infer T>;
} ? (keyof CN | keyof T) & string : string;

/** The class {@link PipelineTaskConfig.withConnections} returns. */
export interface PipelineTaskConfigClass<K extends AnyConnectionsClass = AnyConnectionsClass> {
  /** Makes a config with defaults. */
  new (): PipelineTaskConfig & {
    /** The connections config, typed with the connection and template names. */
    readonly connections: ConnectionsConfig<ConnectionNames<K>>;
  };
  /** The connections class. */
  readonly ConnectionsClass: K;
  /** The config class of `connections`. */
  readonly ConnectionsConfigClass: ConfigClass<ConnectionsConfig<ConnectionNames<K>>>;
}

/**
 * Makes the config class of a connections class: a string field per connection (default:
 * its declared name) and per template (default: its default value).
 *
 * @param connectionsClass - the connections class
 * @returns the config class (named `<ConnectionsClass>Config`)
 */
export function makeConnectionsConfigClass<K extends AnyConnectionsClass>(connectionsClass: K): ConfigClass<ConnectionsConfig<ConnectionNames<K>>> {
  const fields: [string, string, string, string | undefined][] = [];
  for (const [name, c] of connectionsClass.allConnections as ReadonlyMap<string, BaseConnection>) {
    fields.push([name, `name for connection ${name}`, c.name, c.deprecated]);
  }
  for (const [name, value] of Object.entries(connectionsClass.defaultTemplates)) {
    fields.push([name, 'Template parameter used to format corresponding field template parameter', value, undefined]);
  }
  const Cls = class extends Config {
    constructor() {
      super();
      for (const [name, doc, dflt, deprecated] of fields) {
        const spec = Field.str({ doc, default: dflt, ...(deprecated === undefined ? {} : { deprecated }) });
        Object.defineProperty(this, name, { value: spec, writable: true, enumerable: true, configurable: true });
      }
    }
  };
  Object.defineProperty(Cls, 'name', { value: `${connectionsClass.name}Config` });
  return Cls as unknown as ConfigClass<ConnectionsConfig<ConnectionNames<K>>>;
}

/**
 * Base config of PipelineTasks: `saveMetadata`, `saveLogOutput` and, in classes made by
 * {@link PipelineTaskConfig.withConnections}, `connections` (the dataset type names and
 * template values of the task's connections, overridable as `config.connections.<name>`).
 *
 * @example
 * ```ts
 * class AddConfig extends PipelineTaskConfig.withConnections(AddConnections) {
 *   addend = Field.float({ doc: 'Amount to add', default: 1 });
 * }
 * const config = new AddConfig();
 * config.connections.coaddName = 'goodSeeing';   // a template
 * config.connections.output = 'myOutput';        // a dataset type name
 * ```
 * @see lsst.pipe.base.PipelineTaskConfig
 */
export class PipelineTaskConfig extends Config {
  /** Flag to enable/disable metadata saving for a task (deprecated in LSST). */
  saveMetadata = Field.bool({
    doc: 'Flag to enable/disable metadata saving for a task, enabled by default.',
    default: true,
    deprecated: 'This field is deprecated and will be removed after v26.',
  });
  /** Flag to enable/disable saving of log output for a task. */
  saveLogOutput = Field.bool({ doc: 'Flag to enable/disable saving of log output for a task, enabled by default.', default: true });
  /** The connections config (only in classes made by {@link PipelineTaskConfig.withConnections}). */
  declare readonly connections: Config;

  /** The connections class (set by {@link PipelineTaskConfig.withConnections}). */
  static ConnectionsClass: AnyConnectionsClass | undefined = undefined;
  /** The config class of `connections` (set by {@link PipelineTaskConfig.withConnections}). */
  static ConnectionsConfigClass: ConfigClass | undefined = undefined;

  /**
   * A PipelineTaskConfig class for a connections class (LSST's
   * `class C(PipelineTaskConfig, pipelineConnections=K)`): extend it to add fields.
   *
   * @param connectionsClass - the connections class
   * @returns the config class, with a typed `connections` field
   */
  static withConnections<K extends AnyConnectionsClass>(connectionsClass: K): PipelineTaskConfigClass<K> {
    const ConnectionsConfigClass = makeConnectionsConfigClass(connectionsClass);
    const Cls = class extends PipelineTaskConfig {
      static override ConnectionsClass: AnyConnectionsClass | undefined = connectionsClass;
      static override ConnectionsConfigClass: ConfigClass | undefined = ConnectionsConfigClass;
      override readonly connections = ConfigField({
        doc: 'Configurations describing the connections of the PipelineTask to datatypes',
        dtype: ConnectionsConfigClass,
      });
    };
    Object.defineProperty(Cls, 'name', { value: `${connectionsClass.name}PipelineTaskConfig` });
    return Cls as unknown as PipelineTaskConfigClass<K>;
  }
}
