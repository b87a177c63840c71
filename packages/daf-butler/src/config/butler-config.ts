import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { RepositoryNotFoundError } from '../errors.js';

/** The name of a repository's configuration file. */
export const BUTLER_CONFIG_FILE = 'butler.yaml';

/** The configuration of a new repository when none is given (daf_butler's defaults). */
export const DEFAULT_BUTLER_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  registry: { db: 'sqlite:///<butlerRoot>/gen3.sqlite3' },
  datastore: {
    cls: 'FileDatastore',
    root: '<butlerRoot>',
    records: { table: 'file_datastore_records' },
    checksum: false,
  },
});

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * Deep-merges configuration objects: later values win, nested objects merge key by key.
 *
 * @param base - the defaults
 * @param over - the overrides
 * @returns a new merged object
 */
export function mergeConfig(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeConfig(b, v) : v;
  }
  return out;
}

function expand(value: unknown, root: string): unknown {
  if (typeof value === 'string') {
    return value
      .replace(/<butlerRoot>/g, root)
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => process.env[name] ?? '');
  }
  if (Array.isArray(value)) return value.map((v) => expand(v, root));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, root)]));
  return value;
}

/**
 * A repository's configuration (`butler.yaml`): the registry database, the datastore (root,
 * templates, formatters, checksums), storage classes. Values may use `<butlerRoot>` (the
 * directory holding the file) and `${ENV}` variables; key paths may be written with a
 * leading delimiter (`.datastore.root`), as daf_butler's `Config` accepts.
 *
 * @example
 * ```ts
 * const config = ButlerConfig.load('/data/repo');
 * config.get('.registry.db'); // 'sqlite:////data/repo/gen3.sqlite3'
 * ```
 * @see lsst.daf.butler.ButlerConfig
 */
export class ButlerConfig {
  /** The repository root (the directory of butler.yaml). */
  readonly root: string;
  /** The configuration as written in the file, merged over the defaults. */
  readonly data: Readonly<Record<string, unknown>>;

  /**
   * Wraps configuration data.
   *
   * @param root - the repository root
   * @param data - the merged configuration
   */
  constructor(root: string, data: Readonly<Record<string, unknown>>) {
    this.root = root;
    this.data = data;
  }

  /**
   * Reads a repository's configuration.
   *
   * @param pathOrRoot - the repository directory, or its butler.yaml
   * @returns the configuration
   * @throws RepositoryNotFoundError when the path does not exist, or is not a repository
   */
  static load(pathOrRoot: string): ButlerConfig {
    const abs = resolve(pathOrRoot);
    if (!existsSync(abs)) {
      throw new RepositoryNotFoundError(`No repository at ${abs}: the path does not exist.`, {
        hint: `Create one with 'butler create ${pathOrRoot}'.`,
      });
    }
    const file = statSync(abs).isDirectory() ? join(abs, BUTLER_CONFIG_FILE) : abs;
    if (!existsSync(file)) {
      throw new RepositoryNotFoundError(`${abs} is not a Butler repository (it has no ${BUTLER_CONFIG_FILE}).`, {
        hint: `Create one with 'butler create ${pathOrRoot}', or give the repository's root directory.`,
      });
    }
    const parsed = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
    if (!isPlainObject(parsed)) {
      throw new RepositoryNotFoundError(`${file} is not a Butler configuration (expected a YAML mapping).`);
    }
    return new ButlerConfig(dirname(file), mergeConfig(DEFAULT_BUTLER_CONFIG, parsed));
  }

  /**
   * One value by key path (`registry.db` or `.registry.db`), with `<butlerRoot>` and `${ENV}`
   * expanded.
   *
   * @param path - dotted key path
   * @returns the value, or undefined
   */
  get(path: string): unknown {
    let node: unknown = this.data;
    for (const part of path.replace(/^\./, '').split('.')) {
      if (!isPlainObject(node)) return undefined;
      node = node[part];
    }
    return expand(node, this.root);
  }

  /** The registry database URL. */
  get registryUrl(): string {
    const db = String(this.get('registry.db'));
    // sqlite:///<relative> is relative to the repository root.
    if (db.startsWith('sqlite:///')) {
      const p = db.slice('sqlite://'.length);
      return isAbsolute(p) ? db : `sqlite://${join(this.root, p)}`;
    }
    return db;
  }

  /** The datastore's root directory. */
  get datastoreRoot(): string {
    const r = String(this.get('datastore.root') ?? this.root);
    return isAbsolute(r) ? r : join(this.root, r);
  }

  /** The configuration (or one section) as YAML text, as `butler config-dump` prints it. */
  dump(subset?: string): string {
    const value = subset === undefined ? expand(this.data, this.root) : this.get(subset);
    return stringifyYaml(value);
  }
}
