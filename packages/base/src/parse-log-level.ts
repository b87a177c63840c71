import { InvalidLogLevelError } from './errors.js';
import { ALLOWED_LEVEL_TEXT, parseLevelName } from './log-level.js';
import { DEFAULT_LOGGER_NAME } from './log-manager.js';
import type { LogManager } from './log-manager.js';

/**
 * One parsed `--log-level` setting.
 */
export interface LogLevelSpec {
  /**
   * Which logger to set: a dotted name, `''` for the root logger (written `.=LEVEL` or
   * `=LEVEL`), or `null` for a bare `LEVEL`, which sets the default logger(s) (`skystack`
   * unless {@link ApplyLogLevelsOptions.defaultLoggers} says otherwise).
   */
  readonly component: string | null;
  /** The numeric level (see {@link LogLevel}). */
  readonly level: number;
}

/**
 * Parses one value of the `--log-level` option as `butler` and `pipetask` accept it:
 * `LEVEL` or `COMPONENT=LEVEL`, several separated by commas. Level names are
 * case-insensitive (`TRACE`, `DEBUG`, `VERBOSE`, `INFO`, `WARN`/`WARNING`, `ERROR`,
 * `FATAL`/`CRITICAL`); `COMPONENT` is a dotted logger name, or `.` or nothing for the root
 * logger. White space around the parts is ignored.
 *
 * @param value - the option value, e.g. `'DEBUG'`, `'skystack.butler=debug'`, `'.=WARN'`
 * @returns the settings in the order given
 * @throws {@link InvalidLogLevelError} when the value is empty, has an unknown level, a
 *   missing level, more than one `=`, or a malformed component; the message quotes the value
 *   and lists the allowed levels
 * @example
 * ```ts
 * parseLogLevel('INFO'); // [{ component: null, level: 20 }]
 * parseLogLevel('skystack.butler=debug'); // [{ component: 'skystack.butler', level: 10 }]
 * parseLogLevel('.=WARN'); // [{ component: '', level: 30 }]  (the root logger)
 * parseLogLevel('skystack=VERBOSE,skystack.butler=TRACE'); // two settings
 * ```
 * @see lsst.daf.butler.cli.opt.options (`--log-level LEVEL|COMPONENT=LEVEL`)
 */
export function parseLogLevel(value: string): LogLevelSpec[] {
  const fail = (problem: string, cause?: unknown): never => {
    throw new InvalidLogLevelError(
      value,
      `Invalid --log-level value '${value}': ${problem}. Expected LEVEL or COMPONENT=LEVEL ` +
        `(COMPONENT '.' or empty for the root logger), several separated by commas.`,
      ALLOWED_LEVEL_TEXT,
      cause === undefined ? {} : { cause },
    );
  };
  if (value.trim() === '') fail('it is empty');
  return value.split(',').map((rawItem): LogLevelSpec => {
    const item = rawItem.trim();
    if (item === '') return fail('it has an empty entry');
    const eq = item.indexOf('=');
    if (eq < 0) return { component: null, level: levelOf(item, fail) };
    if (item.indexOf('=', eq + 1) >= 0) return fail(`'${item}' has more than one '='`);
    const levelText = item.slice(eq + 1).trim();
    if (levelText === '') return fail(`'${item}' has no level after '='`);
    const name = item.slice(0, eq).trim();
    const component = name === '.' ? '' : name;
    if (component !== '' && !isValidComponent(component)) {
      return fail(
        `component '${name}' is not a dotted logger name (non-empty parts, no spaces)`,
      );
    }
    return { component, level: levelOf(levelText, fail) };
  });
}

/**
 * Parses every value of a repeated `--log-level` option, in order (later settings win when
 * applied).
 *
 * @param values - the option values, e.g. `['INFO', 'skystack.butler=DEBUG']`
 * @returns the settings of all values, in order
 * @throws {@link InvalidLogLevelError} at the first value that does not parse
 * @example
 * ```ts
 * parseLogLevels(['=WARN', 'DEBUG']); // root to WARN, default logger to DEBUG
 * ```
 */
export function parseLogLevels(values: Iterable<string>): LogLevelSpec[] {
  const specs: LogLevelSpec[] = [];
  for (const value of values) specs.push(...parseLogLevel(value));
  return specs;
}

/**
 * Options of {@link applyLogLevels}.
 */
export interface ApplyLogLevelsOptions {
  /**
   * The loggers that a bare `LEVEL` (component `null`) sets; default
   * `[DEFAULT_LOGGER_NAME]`, i.e. `['skystack']`. (LSST takes extra names from
   * `$DAF_BUTLER_ROOT_LOGGER`; here the caller passes them.)
   */
  readonly defaultLoggers?: readonly string[];
}

/**
 * Applies parsed `--log-level` settings to a manager, in order: a named component sets that
 * logger, `''` the root logger, and `null` (a bare level) the default logger(s).
 *
 * As in `butler`, a bare `DEBUG` does not change the root logger, so loggers outside
 * `skystack` keep their level; use `--log-level .=DEBUG` as well to change everything.
 *
 * @param manager - the manager whose levels to set
 * @param specs - settings from {@link parseLogLevel} / {@link parseLogLevels}
 * @param options - which loggers a bare level sets
 * @throws {@link InvalidArgumentError} when a default logger name has empty components
 * @example
 * ```ts
 * const manager = new LogManager({ levels: { skystack: 'INFO' } });
 * applyLogLevels(manager, parseLogLevels(['VERBOSE', 'skystack.butler=DEBUG']));
 * manager.getEffectiveLevel('skystack.pipe'); // 15 (VERBOSE)
 * manager.getEffectiveLevel('skystack.butler.registry'); // 10 (DEBUG)
 * ```
 * @see lsst.daf.butler.cli.cliLog.CliLog.setLogLevels
 */
export function applyLogLevels(
  manager: LogManager,
  specs: Iterable<LogLevelSpec>,
  options: ApplyLogLevelsOptions = {},
): void {
  const defaults = options.defaultLoggers ?? [DEFAULT_LOGGER_NAME];
  for (const { component, level } of specs) {
    if (component === null) {
      for (const name of defaults) manager.setLevel(name, level);
    } else {
      manager.setLevel(component, level);
    }
  }
}

/** Parses a level name, turning the failure into one about the whole option value. */
function levelOf(text: string, fail: (problem: string, cause?: unknown) => never): number {
  try {
    return parseLevelName(text);
  } catch (e) {
    if (e instanceof InvalidLogLevelError) return fail(`unknown level '${text}'`, e);
    throw e;
  }
}

/** Whether `name` is dot-separated non-empty parts without white space. */
function isValidComponent(name: string): boolean {
  return name.split('.').every((part) => part !== '' && !/\s/.test(part));
}
