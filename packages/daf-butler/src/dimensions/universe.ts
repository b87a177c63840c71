import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DimensionConfigError, UnknownDimensionError } from '../errors.js';
import { suggest } from '../suggest.js';
import { DimensionGroup } from './group.js';

/** The value types a dimension field can hold. */
export type FieldType = 'int' | 'string' | 'float' | 'bool' | 'hash';

/** One key or metadata field of a dimension element. */
export interface FieldSpec {
  /** Column name. */
  readonly name: string;
  /** Value type. */
  readonly type: FieldType;
  /** Maximum length of a string. */
  readonly length?: number;
  /** Size of a hash in bytes. */
  readonly nbytes?: number;
  /** Whether the value may be missing (metadata only; keys never are). */
  readonly nullable: boolean;
  /** What the field means. */
  readonly doc: string;
}

/**
 * One element of the universe: a {@link Dimension} (has keys, can appear in data IDs) or a
 * dimension combination such as `visit_detector_region` (no keys; identified by the
 * dimensions it requires).
 *
 * @see lsst.daf.butler.DimensionElement
 */
export class DimensionElement {
  /** The element's name (`visit`, `visit_detector_region`). */
  readonly name: string;
  /** What the element is. */
  readonly doc: string;
  /** Dimensions this element requires, direct only, in universe order (not itself). */
  readonly directRequires: readonly string[];
  /** Dimensions this element implies (its records name one value of each). */
  readonly implies: readonly string[];
  /** Metadata fields (no keys). */
  readonly metadata: readonly FieldSpec[];
  /** The spatial family this element belongs to (`observation_regions`), if it has a region. */
  spatialFamily: string | undefined;
  /** The temporal family this element belongs to, if it has a timespan. */
  temporalFamily: string | undefined;
  /** For elements with no table (`band`): the element whose column gives the values. */
  readonly viewOf: string | undefined;
  /** Whether queries always join this element when its dimensions are present (`visit_definition`). */
  readonly alwaysJoin: boolean;
  /** The dimension whose records are written together with this element's (`visit`). */
  readonly populatedBy: string | undefined;
  /** Position in universe order. */
  index = -1;
  /** The universe the element belongs to (set when the universe is built). */
  universe!: DimensionUniverse;
  /** Every dimension this element requires, recursively, in universe order, including itself if a dimension. */
  required: readonly string[] = [];

  /** @internal */
  constructor(spec: {
    name: string;
    doc: string;
    requires: readonly string[];
    implies: readonly string[];
    metadata: readonly FieldSpec[];
    viewOf: string | undefined;
    alwaysJoin: boolean;
    populatedBy: string | undefined;
  }) {
    this.name = spec.name;
    this.doc = spec.doc;
    this.directRequires = spec.requires;
    this.implies = spec.implies;
    this.metadata = spec.metadata;
    this.viewOf = spec.viewOf;
    this.alwaysJoin = spec.alwaysJoin;
    this.populatedBy = spec.populatedBy;
    this.spatialFamily = undefined;
    this.temporalFamily = undefined;
  }

  /** Whether this element is a dimension (has keys). */
  get isDimension(): boolean {
    return false;
  }

  /** Whether the element has its own table of records (not a view or a sky pixelization). */
  get hasTable(): boolean {
    return this.viewOf === undefined;
  }

  /** Whether records have a `region`. */
  get isSpatial(): boolean {
    return this.spatialFamily !== undefined;
  }

  /** Whether records have a `timespan`. */
  get isTemporal(): boolean {
    return this.temporalFamily !== undefined;
  }

  /** The required dimensions other than this element itself. */
  get requiredDependencies(): readonly string[] {
    return this.required.filter((n) => n !== this.name);
  }

  /** Every field of a record, in order: required dimension columns, implied, metadata. */
  get recordFieldNames(): readonly string[] {
    return [...this.required, ...this.implies, ...this.metadata.map((f) => f.name)];
  }

  /** The element's name. */
  toString(): string {
    return this.name;
  }
}

/**
 * A dimension: an element with a primary key that can appear in data IDs.
 *
 * @see lsst.daf.butler.Dimension
 */
export class Dimension extends DimensionElement {
  /** Primary key first, then alternate keys (`detector.full_name`, `visit.name`). */
  readonly keys: readonly FieldSpec[];
  /** Whether the dimension is a governor (`instrument`, `skymap`): few values, constraining everything below. */
  readonly isGovernor: boolean;

  /** @internal */
  constructor(spec: ConstructorParameters<typeof DimensionElement>[0] & { keys: readonly FieldSpec[]; governor: boolean }) {
    super(spec);
    this.keys = spec.keys;
    this.isGovernor = spec.governor;
  }

  override get isDimension(): boolean {
    return true;
  }

  /** The primary key field. */
  get primaryKey(): FieldSpec {
    return this.keys[0]!;
  }

  /** Alternate keys. */
  get alternateKeys(): readonly FieldSpec[] {
    return this.keys.slice(1);
  }

  override get recordFieldNames(): readonly string[] {
    const deps = this.requiredDependencies;
    return [...deps, ...this.keys.map((k) => k.name), ...this.implies, ...this.metadata.map((f) => f.name)];
  }
}

/**
 * A sky pixelization level as a dimension (`htm7`, `healpix11`): key `id`, region computed,
 * no table.
 *
 * @see lsst.daf.butler.SkyPixDimension
 */
export class SkyPixDimension extends Dimension {
  /** The pixelization system (`htm`, `healpix`). */
  readonly system: string;
  /** The level. */
  readonly level: number;

  /** @internal */
  constructor(system: string, level: number) {
    super({
      name: `${system}${level}`,
      doc: `Level ${level} of the ${system} sky pixelization.`,
      requires: [],
      implies: [],
      metadata: [],
      viewOf: undefined,
      alwaysJoin: false,
      populatedBy: undefined,
      keys: [{ name: 'id', type: 'int', nullable: false, doc: 'Pixel index.' }],
      governor: false,
    });
    this.system = system;
    this.level = level;
    this.spatialFamily = system;
  }

  override get hasTable(): boolean {
    return false;
  }
}

interface RawField {
  name?: unknown;
  type?: unknown;
  length?: unknown;
  nbytes?: unknown;
  nullable?: unknown;
  doc?: unknown;
}

function fieldSpec(raw: RawField, where: string, isKey: boolean): FieldSpec {
  if (typeof raw !== 'object' || raw === null || typeof raw.name !== 'string') {
    throw new DimensionConfigError(`${where}: each field needs a string 'name'; got ${JSON.stringify(raw)}.`);
  }
  const type = raw.type ?? 'int';
  if (!['int', 'string', 'float', 'bool', 'hash'].includes(type as string)) {
    throw new DimensionConfigError(`${where}.${raw.name}: unknown type ${JSON.stringify(type)} (expected int, string, float, bool or hash).`);
  }
  const spec: { -readonly [K in keyof FieldSpec]: FieldSpec[K] } = {
    name: raw.name,
    type: type as FieldType,
    nullable: isKey ? false : raw.nullable !== false,
    doc: typeof raw.doc === 'string' ? raw.doc.trim() : '',
  };
  if (typeof raw.length === 'number') spec.length = raw.length;
  if (typeof raw.nbytes === 'number') spec.nbytes = raw.nbytes;
  return spec;
}

function stringList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new DimensionConfigError(`${where} must be a list of element names; got ${JSON.stringify(v)}.`);
  }
  return v as string[];
}

/** The default universe's configuration file, shipped with the package. */
export const DEFAULT_DIMENSION_CONFIG_PATH = new URL('../../config/dimensions.yaml', import.meta.url);

let defaultUniverse: DimensionUniverse | undefined;

/**
 * Every dimension element a repository knows, their relationships and fields: the
 * equivalent of daf_butler's `DimensionUniverse`, loaded from a `dimensions.yaml`-style
 * configuration.
 *
 * @example
 * ```ts
 * const universe = DimensionUniverse.default();
 * universe.getDimension('visit').implies; // ['physical_filter', 'day_obs']
 * universe.conform(['visit', 'detector']).names; // instrument, detector, visit, band, physical_filter, day_obs
 * ```
 * @see lsst.daf.butler.DimensionUniverse
 */
export class DimensionUniverse {
  /** Configuration version (`8`). */
  readonly version: number;
  /** Configuration namespace (`daf_butler`). */
  readonly namespace: string;
  /** The skypix dimension used to relate spatial elements (`htm7`). */
  readonly commonSkyPix: SkyPixDimension;
  /** The original configuration object (for storing in a repository). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly #elements = new Map<string, DimensionElement>();
  readonly #ordered: DimensionElement[] = [];
  readonly #skypix = new Map<string, { system: string; maxLevel: number }>();
  readonly #groups = new Map<string, DimensionGroup>();

  /**
   * Builds a universe from a parsed configuration.
   *
   * @param config - the parsed content of a dimensions YAML file
   * @throws DimensionConfigError for unknown references, cycles or malformed fields
   */
  constructor(config: Record<string, unknown>) {
    this.config = config;
    this.version = typeof config['version'] === 'number' ? config['version'] : 0;
    this.namespace = typeof config['namespace'] === 'string' ? config['namespace'] : 'daf_butler';
    const skypix = (config['skypix'] ?? {}) as Record<string, unknown>;
    for (const [system, spec] of Object.entries(skypix)) {
      if (system === 'common') continue;
      const maxLevel = Number((spec as Record<string, unknown>)['max_level']);
      if (!Number.isInteger(maxLevel)) throw new DimensionConfigError(`skypix.${system}.max_level must be an integer.`);
      this.#skypix.set(system, { system, maxLevel });
    }
    const elements = config['elements'];
    if (typeof elements !== 'object' || elements === null) {
      throw new DimensionConfigError("The dimension configuration has no 'elements' section.");
    }
    const raw = new Map<string, DimensionElement>();
    for (const [name, specRaw] of Object.entries(elements as Record<string, Record<string, unknown>>)) {
      const where = `elements.${name}`;
      const keysRaw = specRaw['keys'];
      const keys = Array.isArray(keysRaw) ? keysRaw.map((k) => fieldSpec(k as RawField, where, true)) : [];
      const metadata = Array.isArray(specRaw['metadata'])
        ? (specRaw['metadata'] as RawField[]).map((k) => fieldSpec(k, where, false))
        : [];
      const storage = specRaw['storage'] as Record<string, unknown> | undefined;
      const nested = storage?.['nested'] as Record<string, unknown> | undefined;
      const viewOf = (specRaw['view_of'] ?? nested?.['view_of'] ?? storage?.['view_of']) as string | undefined;
      const base = {
        name,
        doc: typeof specRaw['doc'] === 'string' ? specRaw['doc'].trim() : '',
        requires: stringList(specRaw['requires'], `${where}.requires`),
        implies: stringList(specRaw['implies'], `${where}.implies`),
        metadata,
        viewOf,
        alwaysJoin: specRaw['always_join'] === true,
        populatedBy: typeof specRaw['populated_by'] === 'string' ? specRaw['populated_by'] : undefined,
      };
      raw.set(name, keys.length > 0 ? new Dimension({ ...base, keys, governor: specRaw['governor'] === true }) : new DimensionElement(base));
    }
    // Check references.
    for (const el of raw.values()) {
      for (const dep of [...el.directRequires, ...el.implies]) {
        const target = raw.get(dep);
        if (target === undefined || !target.isDimension) {
          throw new DimensionConfigError(`elements.${el.name} refers to '${dep}', which is not a dimension of this universe.`);
        }
      }
    }
    // Topological order: required and implied dependencies first, then config order.
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (el: DimensionElement, path: string[]): void => {
      const s = state.get(el.name);
      if (s === 'done') return;
      if (s === 'visiting') throw new DimensionConfigError(`Dimension dependency cycle: ${[...path, el.name].join(' -> ')}.`);
      state.set(el.name, 'visiting');
      for (const dep of [...el.directRequires, ...el.implies]) visit(raw.get(dep)!, [...path, el.name]);
      state.set(el.name, 'done');
      el.index = this.#ordered.length;
      el.universe = this;
      this.#ordered.push(el);
      this.#elements.set(el.name, el);
    };
    for (const el of raw.values()) visit(el, []);
    for (const el of this.#ordered) {
      const req = new Set<string>();
      for (const d of el.directRequires) for (const r of this.#elements.get(d)!.required) req.add(r);
      if (el.isDimension) req.add(el.name);
      el.required = this.sortNames(req);
    }
    const topology = (config['topology'] ?? {}) as Record<string, Record<string, string[]>>;
    for (const [kind, families] of Object.entries(topology)) {
      for (const [family, members] of Object.entries(families ?? {})) {
        for (const m of members) {
          const el = this.#elements.get(m);
          if (el === undefined) throw new DimensionConfigError(`topology.${kind}.${family} names unknown element '${m}'.`);
          if (kind === 'spatial') el.spatialFamily = family;
          else if (kind === 'temporal') el.temporalFamily = family;
        }
      }
    }
    const common = typeof skypix['common'] === 'string' ? skypix['common'] : 'htm7';
    const pix = this.getSkyPix(common);
    if (pix === undefined) throw new DimensionConfigError(`skypix.common '${common}' is not a known pixelization level.`);
    this.commonSkyPix = pix;
  }

  /**
   * Loads a universe from a YAML file.
   *
   * @param path - the configuration file
   * @returns the universe
   */
  static fromFile(path: string | URL): DimensionUniverse {
    return new DimensionUniverse(parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown>);
  }

  /**
   * The default universe (SkyStack's copy of daf_butler's version 8), loaded once.
   *
   * @returns the shared default universe
   */
  static default(): DimensionUniverse {
    defaultUniverse ??= DimensionUniverse.fromFile(DEFAULT_DIMENSION_CONFIG_PATH);
    return defaultUniverse;
  }

  /** All elements with a table or view, in universe order (no skypix). */
  get elements(): readonly DimensionElement[] {
    return this.#ordered;
  }

  /** All dimensions (no skypix), in universe order. */
  get dimensions(): readonly Dimension[] {
    return this.#ordered.filter((e): e is Dimension => e instanceof Dimension);
  }

  /** The governor dimensions (`instrument`, `skymap`). */
  get governors(): readonly Dimension[] {
    return this.dimensions.filter((d) => d.isGovernor);
  }

  /** The skypix systems and their maximum levels. */
  get skyPixSystems(): readonly {
    /** System name (`htm`). */
    system: string;
    /** Highest level. */
    maxLevel: number;
  }[] {
    return [...this.#skypix.values()];
  }

  /**
   * A skypix dimension by name (`htm7`), or undefined.
   *
   * @param name - system name followed by the level
   * @returns the dimension or undefined
   */
  getSkyPix(name: string): SkyPixDimension | undefined {
    const m = /^([a-z]+)(\d+)$/.exec(name);
    if (m === null) return undefined;
    const sys = this.#skypix.get(m[1]!);
    const level = Number(m[2]);
    if (sys === undefined || level < 1 || level > sys.maxLevel) return undefined;
    const cached = this.#elements.get(name);
    if (cached instanceof SkyPixDimension) return cached;
    const d = new SkyPixDimension(m[1]!, level);
    d.index = 100000 + level;
    d.universe = this;
    d.required = [name];
    this.#elements.set(name, d);
    return d;
  }

  /**
   * Whether the universe has an element of this name (skypix levels included).
   *
   * @param name - element name
   * @returns true when known
   */
  has(name: string): boolean {
    return this.#elements.has(name) || this.getSkyPix(name) !== undefined;
  }

  /**
   * An element by name.
   *
   * @param name - element name
   * @returns the element
   * @throws UnknownDimensionError with a suggestion when there is no such element
   */
  getElement(name: string): DimensionElement {
    const el = this.#elements.get(name) ?? this.getSkyPix(name);
    if (el === undefined) {
      throw new UnknownDimensionError(`Unknown dimension element '${name}'.`, {
        hint: suggest(name, this.#ordered.map((e) => e.name)),
      });
    }
    return el;
  }

  /**
   * A dimension by name.
   *
   * @param name - dimension name
   * @returns the dimension
   * @throws UnknownDimensionError when there is no such dimension (or it is a combination element)
   */
  getDimension(name: string): Dimension {
    const el = this.getElement(name);
    if (!(el instanceof Dimension)) {
      throw new UnknownDimensionError(`'${name}' is a dimension element, not a dimension; it cannot appear in a data ID.`);
    }
    return el;
  }

  /**
   * Sorts element names in universe order.
   *
   * @param names - element names
   * @returns the names, sorted
   */
  sortNames(names: Iterable<string>): string[] {
    return [...names].sort((a, b) => this.getElement(a).index - this.getElement(b).index);
  }

  /**
   * The group of dimensions needed to identify the given ones: each name plus everything it
   * requires or implies, recursively. Groups are cached; equal groups are the same object.
   *
   * @param names - dimension names (element names are replaced by their required dimensions)
   * @returns the group
   * @throws UnknownDimensionError for unknown names
   */
  conform(names: Iterable<string> | DimensionGroup): DimensionGroup {
    if (names instanceof DimensionGroup) return names;
    const all = new Set<string>();
    const add = (n: string): void => {
      if (all.has(n)) return;
      const el = this.getElement(n);
      if (!el.isDimension) {
        for (const r of el.required) add(r);
        return;
      }
      all.add(n);
      for (const r of el.required) add(r);
      for (const i of el.implies) add(i);
    };
    for (const n of names) add(n);
    const sorted = this.sortNames(all);
    const key = sorted.join(',');
    let g = this.#groups.get(key);
    if (g === undefined) {
      g = new DimensionGroup(this, sorted);
      this.#groups.set(key, g);
    }
    return g;
  }

  /** An empty group. */
  get empty(): DimensionGroup {
    return this.conform([]);
  }
}
