import { AfwTableFormatError, AfwTableInvalidArgumentError } from './errors.js';

/**
 * The aliases of a {@link Schema}: alternative names that stand for (the start of) field names.
 *
 * Resolution works on prefixes, as in afw: the alias whose name is the greatest one not after
 * the looked-up name is applied if it is a prefix of that name, and this repeats until no alias
 * applies. So with `slot_Centroid → base_SdssCentroid`, the name `slot_Centroid_x` resolves to
 * `base_SdssCentroid_x`.
 *
 * @example
 * ```ts
 * const aliases = new AliasMap();
 * aliases.set('slot_Centroid', 'base_SdssCentroid');
 * aliases.apply('slot_Centroid_x'); // 'base_SdssCentroid_x'
 * ```
 * @see lsst.afw.table.AliasMap
 */
export class AliasMap implements Iterable<[string, string]> {
  readonly #map = new Map<string, string>();
  #sorted: string[] | undefined;

  /**
   * Makes an alias map, empty or with the given `[alias, target]` pairs.
   *
   * @param entries - the initial aliases
   */
  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [alias, target] of entries) this.set(alias, target);
  }

  /** Number of aliases. */
  get size(): number {
    return this.#map.size;
  }

  /**
   * Defines (or redefines) an alias.
   *
   * @param alias - the alias name
   * @param target - the name (or name prefix) it stands for
   * @throws AfwTableInvalidArgumentError when either is empty
   */
  set(alias: string, target: string): void {
    if (alias === '' || target === '') {
      throw new AfwTableInvalidArgumentError(`An alias needs a name and a target; got '${alias}' → '${target}'.`);
    }
    if (!this.#map.has(alias)) this.#sorted = undefined;
    this.#map.set(alias, target);
  }

  /**
   * The target of an alias, without recursive resolution.
   *
   * @param alias - the alias name
   * @returns the target, or `undefined` when there is no such alias
   */
  get(alias: string): string | undefined {
    return this.#map.get(alias);
  }

  /**
   * Whether an alias is defined.
   *
   * @param alias - the alias name
   * @returns true when it is
   */
  has(alias: string): boolean {
    return this.#map.has(alias);
  }

  /**
   * Removes an alias.
   *
   * @param alias - the alias name
   * @returns true when there was one
   */
  erase(alias: string): boolean {
    this.#sorted = undefined;
    return this.#map.delete(alias);
  }

  /**
   * Applies the aliases to a name until none applies (see the class description).
   *
   * @param name - a field name, alias, or alias-prefixed name
   * @returns the resolved name (the name itself when no alias applies)
   * @throws AfwTableFormatError when the aliases form a cycle
   */
  apply(name: string): string {
    const keys = (this.#sorted ??= [...this.#map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    let result = name;
    for (let i = 0; i <= keys.length; i++) {
      // Greatest key <= result.
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keys[mid]! <= result) lo = mid + 1;
        else hi = mid;
      }
      if (lo === 0) return result;
      const key = keys[lo - 1]!;
      if (!result.startsWith(key)) return result;
      result = this.#map.get(key)! + result.slice(key.length);
    }
    throw new AfwTableFormatError(`The aliases form a cycle: resolving '${name}' does not terminate.`);
  }

  /**
   * The `[alias, target]` pairs in the order they were defined.
   *
   * @returns the pairs
   */
  entries(): [string, string][] {
    return [...this.#map.entries()];
  }

  /**
   * Iterates over the `[alias, target]` pairs in the order they were defined.
   *
   * @returns the iterator
   */
  [Symbol.iterator](): Iterator<[string, string]> {
    return this.#map.entries();
  }

  /**
   * A copy of this map.
   *
   * @returns the copy
   */
  clone(): AliasMap {
    return new AliasMap(this.#map);
  }
}
