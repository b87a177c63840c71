import { AfwImageMaskPlaneError } from './errors.js';

/** The number of bits a mask pixel (`int32`) has for planes. */
export const MAX_MASK_PLANES = 32;

/**
 * The planes every new mask starts with, in bit order (BAD = bit 0 ... NO_DATA = bit 8), as in
 * afw's `MaskDict::_addInitialMaskPlanes`.
 */
export const DEFAULT_MASK_PLANES: readonly string[] = Object.freeze([
  'BAD',
  'SAT',
  'INTRP',
  'CR',
  'EDGE',
  'DETECTED',
  'DETECTED_NEGATIVE',
  'SUSPECT',
  'NO_DATA',
]);

/**
 * The names of a mask's bit planes: a mutable map from plane name to bit number (0..31).
 *
 * Unlike afw there is no process-wide default dictionary: each {@link Mask} made without one
 * gets a fresh {@link MaskPlaneDict.withDefaultPlanes}, and views made with `subset` share
 * their parent's dictionary object, so a plane added through one is seen by all of them.
 *
 * @example
 * ```ts
 * const dict = MaskPlaneDict.withDefaultPlanes();
 * dict.getPlaneBitMask(['BAD', 'SAT']); // 3
 * dict.addPlane('STREAK');               // 9, the lowest unused bit
 * ```
 * @see lsst.afw.image.Mask.getMaskPlaneDict
 */
export class MaskPlaneDict {
  readonly #planes = new Map<string, number>();

  /**
   * Makes a dictionary from `[name, bit]` pairs or a `{ name: bit }` record.
   *
   * @param planes - the planes (default none)
   * @throws {@link AfwImageMaskPlaneError} when a bit is outside 0..31 or used twice
   */
  constructor(planes: Iterable<readonly [string, number]> | Readonly<Record<string, number>> = []) {
    const entries = Symbol.iterator in planes ? (planes as Iterable<readonly [string, number]>) : Object.entries(planes);
    const used = new Map<number, string>();
    for (const [name, bit] of entries) {
      if (!Number.isInteger(bit) || bit < 0 || bit >= MAX_MASK_PLANES) {
        throw new AfwImageMaskPlaneError(`Mask plane '${name}' has bit ${bit}; bits are integers 0..${MAX_MASK_PLANES - 1}.`);
      }
      const other = used.get(bit);
      if (other !== undefined && other !== name) {
        throw new AfwImageMaskPlaneError(`Mask planes '${other}' and '${name}' both use bit ${bit}.`);
      }
      used.set(bit, name);
      this.#planes.set(name, bit);
    }
  }

  /**
   * A new dictionary holding afw's default planes ({@link DEFAULT_MASK_PLANES}).
   *
   * @returns the dictionary (a fresh object each call)
   */
  static withDefaultPlanes(): MaskPlaneDict {
    return new MaskPlaneDict(DEFAULT_MASK_PLANES.map((name, bit) => [name, bit] as const));
  }

  /** The number of planes. */
  get size(): number {
    return this.#planes.size;
  }

  /**
   * Whether a plane exists.
   *
   * @param name - the plane name
   * @returns true when it does
   */
  hasPlane(name: string): boolean {
    return this.#planes.has(name);
  }

  /**
   * The bit number of a plane.
   *
   * @param name - the plane name
   * @returns its bit (0..31)
   * @throws {@link AfwImageMaskPlaneError} when there is no such plane
   * @see lsst.afw.image.Mask.getMaskPlane
   */
  getPlane(name: string): number {
    const bit = this.#planes.get(name);
    if (bit === undefined) {
      throw new AfwImageMaskPlaneError(`There is no mask plane '${name}'; the planes are ${[...this.#planes.keys()].join(', ') || 'none'}.`, {
        hint: 'Add it with addMaskPlane().',
      });
    }
    return bit;
  }

  /**
   * The bit mask of one plane or the OR of several.
   *
   * @param names - a plane name or names
   * @returns the mask value, as a non-negative number (bit 31 is 2^31)
   * @throws {@link AfwImageMaskPlaneError} when a plane does not exist
   * @see lsst.afw.image.Mask.getPlaneBitMask
   */
  getPlaneBitMask(names: string | readonly string[]): number {
    let mask = 0;
    for (const name of typeof names === 'string' ? [names] : names) mask |= 1 << this.getPlane(name);
    return mask >>> 0;
  }

  /**
   * Adds a plane on the lowest unused bit; an existing plane keeps its bit.
   *
   * @param name - the plane name
   * @returns its bit
   * @throws {@link AfwImageMaskPlaneError} when all 32 bits are in use
   * @see lsst.afw.image.Mask.addMaskPlane
   */
  addPlane(name: string): number {
    const existing = this.#planes.get(name);
    if (existing !== undefined) return existing;
    const used = new Set(this.#planes.values());
    for (let bit = 0; bit < MAX_MASK_PLANES; bit++) {
      if (!used.has(bit)) {
        this.#planes.set(name, bit);
        return bit;
      }
    }
    throw new AfwImageMaskPlaneError(`Cannot add mask plane '${name}': all ${MAX_MASK_PLANES} bits are in use.`, {
      hint: 'Remove a plane you do not need with removeAndClearMaskPlane().',
    });
  }

  /**
   * Removes a plane.
   *
   * @param name - the plane name
   * @returns the bit it had
   * @throws {@link AfwImageMaskPlaneError} when there is no such plane
   */
  removePlane(name: string): number {
    const bit = this.getPlane(name);
    this.#planes.delete(name);
    return bit;
  }

  /** Removes every plane. */
  clear(): void {
    this.#planes.clear();
  }

  /**
   * The planes as `[name, bit]` pairs in bit order.
   *
   * @returns the pairs
   */
  entries(): Array<[string, number]> {
    return [...this.#planes.entries()].sort((a, b) => a[1] - b[1]);
  }

  /**
   * The planes as a plain `{ name: bit }` object in bit order (afw's `getMaskPlaneDict()`).
   *
   * @returns a new object
   */
  toRecord(): Record<string, number> {
    return Object.fromEntries(this.entries());
  }

  /**
   * Whether two dictionaries map the same names to the same bits.
   *
   * @param other - the other dictionary
   * @returns true when they are equal
   */
  equals(other: MaskPlaneDict): boolean {
    if (other === this) return true;
    if (other.size !== this.size) return false;
    for (const [name, bit] of this.#planes) if (other.#planes.get(name) !== bit) return false;
    return true;
  }

  /**
   * A copy that can change independently.
   *
   * @returns the copy
   */
  clone(): MaskPlaneDict {
    return new MaskPlaneDict(this.#planes);
  }

  /**
   * Describes the planes, one per line in bit order (`Plane 0 -> BAD`).
   *
   * @returns the text
   */
  toString(): string {
    return this.entries()
      .map(([name, bit]) => `Plane ${bit} -> ${name}`)
      .join('\n');
  }
}
