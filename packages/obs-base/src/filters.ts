// lsst.obs.base.FilterDefinition / FilterDefinitionCollection: an instrument's physical filters
// and the bands they belong to.
import { FilterLabel } from '@skystack/afw-image';
import { ObsBaseInvalidArgumentError, ObsBaseNotFoundError } from './errors.js';

/**
 * One physical filter of an instrument and its band.
 *
 * @see lsst.obs.base.FilterDefinition
 */
export interface FilterDefinition {
  /** The physical filter name, unique for the instrument (`SimCam-r`, `HSC-R2`). */
  readonly physical_filter: string;
  /** The abstract band (`r`), or null for filters of no band (dark, blank). */
  readonly band: string | null;
  /** A description. */
  readonly doc?: string;
  /** The effective wavelength, nm. */
  readonly lambdaEff?: number;
  /** Other names the filter goes by in headers. */
  readonly alias?: readonly string[];
}

/**
 * The filters of an instrument, by physical filter name (or alias), in definition order.
 *
 * @example
 * ```ts
 * const filters = new FilterDefinitionCollection([
 *   { physical_filter: 'SimCam-g', band: 'g' },
 *   { physical_filter: 'SimCam-r', band: 'r' },
 * ]);
 * filters.get('SimCam-r').band;              // 'r'
 * filters.makeFilterLabel('SimCam-r');       // FilterLabel(band="r", physical="SimCam-r")
 * ```
 * @see lsst.obs.base.FilterDefinitionCollection
 */
export class FilterDefinitionCollection implements Iterable<FilterDefinition> {
  readonly #filters: readonly FilterDefinition[];
  readonly #byName = new Map<string, FilterDefinition>();

  /**
   * Makes the collection.
   *
   * @param filters - the definitions
   * @throws ObsBaseInvalidArgumentError when two definitions share a name or alias
   */
  constructor(filters: readonly FilterDefinition[]) {
    this.#filters = Object.freeze([...filters]);
    for (const f of filters) {
      for (const n of [f.physical_filter, ...(f.alias ?? [])]) {
        if (this.#byName.has(n)) throw new ObsBaseInvalidArgumentError(`Filter name '${n}' is defined twice.`);
        this.#byName.set(n, f);
      }
    }
  }

  /** The number of filters. */
  get size(): number {
    return this.#filters.length;
  }

  /** The definitions in order. */
  [Symbol.iterator](): Iterator<FilterDefinition> {
    return this.#filters[Symbol.iterator]();
  }

  /**
   * Whether a physical filter (or alias) is defined.
   *
   * @param name - physical filter name or alias
   * @returns true when defined
   */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /**
   * A definition by physical filter name or alias.
   *
   * @param name - physical filter name or alias
   * @returns the definition
   * @throws ObsBaseNotFoundError when it is not defined
   */
  get(name: string): FilterDefinition {
    const f = this.#byName.get(name);
    if (f === undefined) {
      throw new ObsBaseNotFoundError(`Unknown physical filter '${name}'; defined: ${this.#filters.map((x) => x.physical_filter).join(', ')}.`);
    }
    return f;
  }

  /**
   * The FilterLabel of a physical filter (band and physical name; physical only for a filter of no band).
   *
   * @param name - physical filter name or alias
   * @returns the label
   * @throws ObsBaseNotFoundError when it is not defined
   */
  makeFilterLabel(name: string): FilterLabel {
    const f = this.get(name);
    return f.band === null ? FilterLabel.fromPhysical(f.physical_filter) : FilterLabel.fromBandPhysical(f.band, f.physical_filter);
  }
}
