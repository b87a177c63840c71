import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One assignment of a config field: the value it was given and where.
 *
 * @see lsst.pex.config.history (pex_config keeps a call stack per assignment)
 */
export interface HistoryEntry {
  /** The value after the assignment (a plain copy for lists and dicts). */
  readonly value: unknown;
  /**
   * Where it was set: `file:line` of the calling code, or a label given by whoever applied
   * it, e.g. `pipeline YAML`, `-c override`, `overrides.py:12`.
   */
  readonly where: string;
}

const HERE = (() => {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return '';
  }
})();

const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/;

/**
 * The `file:line` of the first frame of a captured stack (the text of `Error.stack`) outside this
 * package (tests beside the code count as outside): where an assignment made in code was made.
 *
 * @param stack - the stack text
 * @returns `file:line`, or `<unknown>`
 */
function locationIn(stack: string): string {
  for (const raw of stack.split('\n').slice(1)) {
    const m = FRAME.exec(raw.trim());
    if (m === null) continue;
    let file = m[1]!;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (file.startsWith('node:') || file.includes('node_modules')) continue;
    if (HERE !== '' && file.startsWith(HERE) && !/\.test\.[cm]?[tj]s$/.test(file)) continue;
    return `${file}:${m[2]}`;
  }
  return '<unknown>';
}

/**
 * Formats a history as pex_config's `formatHistory` does: the field's full name on the first
 * line, then one line per assignment with the value and where it was set.
 *
 * @param fullName - full name of the field, e.g. `config.isr.doBias`
 * @param entries - the assignments, oldest first
 * @param reprValue - renders a value (Python literal form)
 * @returns the lines, joined with newlines
 * @internal
 */
export function formatHistoryEntries(
  fullName: string,
  entries: readonly HistoryEntry[],
  reprValue: (v: unknown) => string,
): string {
  const rows = entries.map((e) => [reprValue(e.value), e.where] as const);
  const width = Math.max(0, ...rows.map((r) => r[0].length));
  return [fullName, ...rows.map(([v, w]) => `  ${v.padEnd(width)} ${w}`)].join('\n');
}

let currentLabel: string | undefined;

/**
 * Runs `fn` with every config assignment it makes recorded in the fields' history under
 * `label` instead of the calling code's `file:line`: how a pipeline runner records that a
 * value came from `pipeline YAML` or a `-c` option.
 *
 * @param label - where the assignments come from, e.g. `pipeline YAML`, `-c override`
 * @param fn - the code that makes the assignments
 * @returns what `fn` returns
 * @example
 * ```ts
 * withHistoryLabel('instrument defaults', () => {
 *   config.doBias = false;
 * });
 * config.history['doBias']?.at(-1)?.where; // 'instrument defaults'
 * ```
 * @see lsst.pex.config.callStack (pex_config records the Python call stack instead)
 */
export function withHistoryLabel<T>(label: string, fn: () => T): T {
  const previous = currentLabel;
  currentLabel = label;
  try {
    return fn();
  } finally {
    currentLabel = previous;
  }
}

/**
 * Where an assignment was made: a label, or the stack captured when it was made, turned into the
 * caller's `file:line` only when asked for. Formatting a stack is most
 * of the cost of recording an assignment (with source maps on, as under tsx, much more on a
 * process's first configs), and most histories are never read.
 */
export type AssignmentLocation = string | Error;

/**
 * The location to record for an assignment made now: the active label, or the caller's stack
 * (read when the entry's `where` is, see {@link historyEntry}).
 *
 * @returns the location
 * @internal
 */
export function assignmentLocation(): AssignmentLocation {
  return currentLabel ?? new Error();
}

/**
 * A history entry: `{ value, where }`, a plain object. With a captured stack, `where` is an
 * enumerable getter that works out the caller's `file:line` on first read and keeps it.
 *
 * @param value - the value after the assignment
 * @param where - a label or the stack of the assignment
 * @returns the entry
 * @internal
 */
export function historyEntry(value: unknown, where: AssignmentLocation): HistoryEntry {
  if (typeof where === 'string') return { value, where };
  let location: string | undefined;
  const entry = { value } as { value: unknown; where: string };
  Object.defineProperty(entry, 'where', { enumerable: true, get: () => (location ??= locationIn(where.stack ?? '')) });
  return entry;
}
