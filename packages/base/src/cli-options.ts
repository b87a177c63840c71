/**
 * Accumulates a comma-separated command-line option given one or more times
 * (`--collections a,b --collections c` → `['a', 'b', 'c']`), as the LSST command lines
 * accept them; blanks are dropped. Shaped for commander's option-parser callback.
 *
 * @param value - this occurrence's text
 * @param previous - what earlier occurrences gave
 * @returns all values so far
 * @example
 * ```ts
 * collectCommaList('a, b', collectCommaList('c', undefined)); // ['c', 'a', 'b']
 * ```
 */
export function collectCommaList(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

/**
 * Accumulates a command-line option that may be repeated (`--log-level A --log-level B`).
 *
 * @param value - this occurrence's text
 * @param previous - what earlier occurrences gave
 * @returns all values so far
 */
export function collectRepeated(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
