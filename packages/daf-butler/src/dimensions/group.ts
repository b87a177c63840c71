import type { DimensionElement, DimensionUniverse } from './universe.js';

/**
 * An immutable, ordered set of dimensions closed under "requires" and "implies": what a
 * dataset type's or a query's data IDs hold. Make one with
 * {@link DimensionUniverse.conform}; equal groups are the same object.
 *
 * `required` are the dimensions whose values identify a data ID; `implied` are the ones
 * whose values follow from those (`band` from `physical_filter`).
 *
 * @see lsst.daf.butler.DimensionGroup
 */
export class DimensionGroup {
  /** The universe the group belongs to. */
  readonly universe: DimensionUniverse;
  /** All dimension names, in universe order. */
  readonly names: readonly string[];
  /** Dimensions that identify a data ID (not implied by another member), in universe order. */
  readonly required: readonly string[];
  /** Dimensions implied by a required one, in universe order. */
  readonly implied: readonly string[];
  /** Every element whose required dimensions are all in the group (dimensions and combinations such as `visit_detector_region`), in universe order. */
  readonly elements: readonly string[];
  readonly #set: ReadonlySet<string>;

  /** @internal use {@link DimensionUniverse.conform} */
  constructor(universe: DimensionUniverse, names: readonly string[]) {
    this.universe = universe;
    this.names = Object.freeze([...names]);
    this.#set = new Set(names);
    const impliedSet = new Set<string>();
    for (const n of names) for (const i of universe.getElement(n).implies) impliedSet.add(i);
    this.required = Object.freeze(names.filter((n) => !impliedSet.has(n)));
    this.implied = Object.freeze(names.filter((n) => impliedSet.has(n)));
    const elements = universe.elements.filter((e) => e.required.length > 0 && e.required.every((r) => this.#set.has(r)));
    const extra = names.filter((n) => !universe.elements.some((e) => e.name === n));
    this.elements = Object.freeze([...elements.map((e) => e.name), ...extra]);
  }

  /**
   * Whether the group contains a dimension.
   *
   * @param name - dimension name
   * @returns true if a member
   */
  has(name: string): boolean {
    return this.#set.has(name);
  }

  /** Number of dimensions. */
  get size(): number {
    return this.names.length;
  }

  /** Whether the group has no dimensions. */
  get isEmpty(): boolean {
    return this.names.length === 0;
  }

  /** The governor dimensions in the group. */
  get governors(): readonly string[] {
    return this.universe.governors.filter((g) => this.#set.has(g.name)).map((g) => g.name);
  }

  /** The element objects of {@link elements}. */
  get elementObjects(): readonly DimensionElement[] {
    return this.elements.map((e) => this.universe.getElement(e));
  }

  /** Spatial families present, each with its most precise element in the group. */
  get spatial(): ReadonlyMap<string, DimensionElement> {
    return this.#families('spatial');
  }

  /** Temporal families present, each with its most precise element in the group. */
  get temporal(): ReadonlyMap<string, DimensionElement> {
    return this.#families('temporal');
  }

  #families(kind: 'spatial' | 'temporal'): Map<string, DimensionElement> {
    const out = new Map<string, DimensionElement>();
    const topology = (this.universe.config['topology'] ?? {}) as Record<string, Record<string, string[]>>;
    for (const [family, members] of Object.entries(topology[kind] ?? {})) {
      const best = members.find((m) => this.elements.includes(m));
      if (best !== undefined) out.set(family, this.universe.getElement(best));
    }
    if (kind === 'spatial') {
      for (const n of this.names) {
        const el = this.universe.getElement(n);
        if (!el.hasTable && el.isSpatial && !out.has(el.spatialFamily!)) out.set(el.spatialFamily!, el);
      }
    }
    return out;
  }

  /**
   * The union of this group and others.
   *
   * @param others - more groups or names
   * @returns the combined group
   */
  union(...others: (DimensionGroup | Iterable<string>)[]): DimensionGroup {
    const names = new Set(this.names);
    for (const o of others) for (const n of o instanceof DimensionGroup ? o.names : o) names.add(n);
    return this.universe.conform(names);
  }

  /**
   * Whether every dimension of `other` is in this group.
   *
   * @param other - a group or names
   * @returns true when a superset
   */
  issuperset(other: DimensionGroup | Iterable<string>): boolean {
    for (const n of other instanceof DimensionGroup ? other.names : other) if (!this.#set.has(n)) return false;
    return true;
  }

  /**
   * Whether two groups have the same dimensions.
   *
   * @param other - another group
   * @returns true when equal
   */
  equals(other: DimensionGroup): boolean {
    return this === other || (this.names.length === other.names.length && this.issuperset(other));
  }

  /** `{instrument, detector, visit}` style text (required dimensions), as daf_butler prints groups. */
  toString(): string {
    return `{${this.required.join(', ')}}`;
  }

  /** The required dimension names (for JSON). */
  toJSON(): readonly string[] {
    return this.required;
  }
}
