// lsst.afw.image.FilterLabel: the band and/or physical filter of an exposure, with archive persistence.
import { type ArchiveRows, type OutputArchiveHandle } from '@skystack/afw-table';
import { AfwImageArchiveFormatError, AfwImageNotFoundError } from './errors.js';

/** afw writes the two labels into fixed-width string columns of this many characters. */
const LABEL_WIDTH = 32;

/**
 * The filter of an exposure: an abstract band (`'r'`, `'N656'`) and/or the physical filter
 * (`'HSC-R'`, `'ha'`); either may be missing. Immutable.
 *
 * @example
 * ```ts
 * const label = FilterLabel.fromBandPhysical('r', 'HSC-R');
 * label.toString(); // 'FilterLabel(band="r", physical="HSC-R")'
 * FilterLabel.fromBand('g').hasPhysicalLabel(); // false
 * ```
 *
 * @see lsst.afw.image.FilterLabel
 */
export class FilterLabel {
  /** Persistence name in afw archives. */
  readonly persistenceName = 'FilterLabel';
  /** Python module afw records for it. */
  readonly pythonModule = 'lsst.afw.image';
  /** The band, or `null` when there is none. */
  readonly band: string | null;
  /** The physical filter, or `null` when there is none. */
  readonly physical: string | null;

  /**
   * Makes a label; at least one of the two is normally given.
   *
   * @param options - `band` and/or `physical`
   */
  constructor(options: { readonly band?: string | null; readonly physical?: string | null } = {}) {
    this.band = options.band ?? null;
    this.physical = options.physical ?? null;
  }

  /**
   * A label with both a band and a physical filter.
   *
   * @param band - the band
   * @param physical - the physical filter
   * @returns the label
   */
  static fromBandPhysical(band: string, physical: string): FilterLabel {
    return new FilterLabel({ band, physical });
  }

  /**
   * A label with only a band.
   *
   * @param band - the band
   * @returns the label
   */
  static fromBand(band: string): FilterLabel {
    return new FilterLabel({ band });
  }

  /**
   * A label with only a physical filter.
   *
   * @param physical - the physical filter
   * @returns the label
   */
  static fromPhysical(physical: string): FilterLabel {
    return new FilterLabel({ physical });
  }

  /** Whether there is a band (afw's `hasBandLabel()`). */
  hasBandLabel(): boolean {
    return this.band !== null;
  }

  /** Whether there is a band (short for {@link FilterLabel.hasBandLabel}). */
  hasBand(): boolean {
    return this.band !== null;
  }

  /** Whether there is a physical filter. */
  hasPhysicalLabel(): boolean {
    return this.physical !== null;
  }

  /**
   * The band (afw's `bandLabel` property).
   *
   * @throws AfwImageNotFoundError when there is no band
   */
  get bandLabel(): string {
    if (this.band === null) throw new AfwImageNotFoundError(`${this.toString()} has no band.`, { hint: 'Check hasBandLabel() first, or read .band (null when absent).' });
    return this.band;
  }

  /**
   * The physical filter (afw's `physicalLabel` property).
   *
   * @throws AfwImageNotFoundError when there is no physical filter
   */
  get physicalLabel(): string {
    if (this.physical === null) {
      throw new AfwImageNotFoundError(`${this.toString()} has no physical filter.`, { hint: 'Check hasPhysicalLabel() first, or read .physical (null when absent).' });
    }
    return this.physical;
  }

  /**
   * The band.
   *
   * @returns the band
   * @throws AfwImageNotFoundError when there is no band
   */
  getBandLabel(): string {
    return this.bandLabel;
  }

  /**
   * The physical filter.
   *
   * @returns the physical filter
   * @throws AfwImageNotFoundError when there is no physical filter
   */
  getPhysicalLabel(): string {
    return this.physicalLabel;
  }

  /**
   * Whether another label has the same band and physical filter (both present or both absent).
   *
   * @param other - the other label
   * @returns whether they are equal
   */
  equals(other: unknown): boolean {
    return other instanceof FilterLabel && other.band === this.band && other.physical === this.physical;
  }

  /** afw's representation: `FilterLabel(band="r", physical="HSC-R")`, omitting what is absent. */
  toString(): string {
    const parts: string[] = [];
    if (this.band !== null) parts.push(`band="${this.band}"`);
    if (this.physical !== null) parts.push(`physical="${this.physical}"`);
    return `FilterLabel(${parts.join(', ')})`;
  }

  /**
   * Writes the label as afw does: flags `band_exists` and `physical_exists`, and the two labels
   * as 32-character strings.
   *
   * @param handle - where to write
   */
  writeToArchive(handle: OutputArchiveHandle): void {
    handle.saveCatalog(
      {
        columns: [
          { name: 'band', format: `${LABEL_WIDTH}A`, doc: 'Name of the band.' },
          { name: 'physical', format: `${LABEL_WIDTH}A`, doc: 'Name of the physical filter.' },
        ],
        flags: [
          { name: 'band_exists', doc: 'Existence flag for band' },
          { name: 'physical_exists', doc: 'Existence flag for physical' },
        ],
      },
      [{ band_exists: this.band !== null, band: this.band ?? '', physical_exists: this.physical !== null, physical: this.physical ?? '' }],
    );
  }
}

/**
 * Reads a FilterLabel from its archive row.
 *
 * @internal
 */
export function readFilterLabel(catalogs: readonly ArchiveRows[]): FilterLabel {
  const rows = catalogs[0];
  if (rows === undefined || rows.length !== 1) throw new AfwImageArchiveFormatError('A FilterLabel is one row of one catalog.');
  return new FilterLabel({
    band: rows.flag('band_exists') ? rows.string('band') : null,
    physical: rows.flag('physical_exists') ? rows.string('physical') : null,
  });
}

