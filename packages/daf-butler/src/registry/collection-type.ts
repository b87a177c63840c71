/**
 * The kinds of collection, with daf_butler's stored values.
 * - `RUN`: where datasets are written; every dataset belongs to exactly one.
 * - `TAGGED`: a hand-picked set of datasets (`associate`/`disassociate`), at most one per
 *   dataset type and data ID.
 * - `CHAINED`: an ordered search path of other collections (may nest, never cycle).
 * - `CALIBRATION`: datasets certified over validity timespans (`certify`/`decertify`).
 *
 * @see lsst.daf.butler.CollectionType
 */
export enum CollectionType {
  /** Where datasets are written. */
  RUN = 1,
  /** A hand-picked set of datasets. */
  TAGGED = 2,
  /** An ordered search path of other collections. */
  CHAINED = 3,
  /** Datasets certified over validity timespans. */
  CALIBRATION = 4,
}

/**
 * A collection type's name (`RUN`).
 *
 * @param type - the type
 * @returns its name
 */
export function collectionTypeName(type: CollectionType): string {
  return CollectionType[type];
}

/**
 * Parses a collection type name, case-insensitively.
 *
 * @param name - `RUN`, `tagged`, ...
 * @returns the type, or undefined
 */
export function parseCollectionType(name: string): CollectionType | undefined {
  const v = (CollectionType as unknown as Record<string, CollectionType | undefined>)[name.toUpperCase()];
  return typeof v === 'number' ? v : undefined;
}
