import { SkyStackError, type SkyStackErrorOptions } from '@skystack/base';

/**
 * Thrown when a value is not allowed for a field (`PEX_CONFIG_FIELD_VALIDATION`): a wrong type,
 * a number out of range, a value that is not one of the allowed choices, a list of the wrong
 * length, a failed `check`, or a required field left unset. The message names the full field
 * path (`config.isr.doBias`), the value given and what is allowed.
 *
 * @example
 * ```ts
 * try {
 *   config.validate();
 * } catch (e) {
 *   if (e instanceof FieldValidationError) console.error(e.fieldPath, e.value);
 * }
 * ```
 * @see lsst.pex.config.FieldValidationError
 */
export class FieldValidationError extends SkyStackError {
  /** Full name of the field, e.g. `config.isr.doBias`. */
  readonly fieldPath: string;
  /** The value that was refused. */
  readonly value: unknown;

  /**
   * Makes the error.
   *
   * @param fieldPath - full name of the field
   * @param value - the value that was refused
   * @param message - what was wrong and what is allowed
   * @param options - `cause` and `hint`
   */
  constructor(fieldPath: string, value: unknown, message: string, options: SkyStackErrorOptions = {}) {
    super('PEX_CONFIG_FIELD_VALIDATION', `${fieldPath}: ${message}`, options);
    this.fieldPath = fieldPath;
    this.value = value;
  }
}

/**
 * Thrown when a frozen config (or one of its lists, dicts or sub-configs) is modified
 * (`PEX_CONFIG_FROZEN`).
 *
 * @see lsst.pex.config.FieldValidationError (pex_config raises it for frozen configs too)
 */
export class FrozenConfigError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param fieldPath - full name of the field that was to be modified
   */
  constructor(fieldPath: string) {
    super('PEX_CONFIG_FROZEN', `Cannot modify ${fieldPath}: the config is frozen.`, {
      hint: 'Modify a copy() instead.',
    });
  }
}

/**
 * Thrown when a config class is declared wrongly (`PEX_CONFIG_DEFINITION`): a field named like
 * a `Config` method, a default that fails its own field, a bad `RangeField` range.
 *
 * @see lsst.pex.config.Field (its constructor checks the same things)
 */
export class ConfigDefinitionError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong with the declaration
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PEX_CONFIG_DEFINITION', message, options);
  }
}

/**
 * Thrown when a name is not a field of a config, or a key is not a registered choice
 * (`PEX_CONFIG_UNKNOWN_FIELD`); the hint suggests the closest name.
 *
 * @see lsst.pex.config.Config.__setattr__ (AttributeError for unknown names)
 */
export class UnknownFieldError extends SkyStackError {
  /** The name that was not found. */
  readonly fieldName: string;

  /**
   * Makes the error.
   *
   * @param where - full name of the config or field that was searched, e.g. `config.isr`
   * @param fieldName - the name that was not found
   * @param known - the names that exist, for the "did you mean" hint
   */
  constructor(where: string, fieldName: string, known: readonly string[]) {
    const guess = closest(fieldName, known);
    super('PEX_CONFIG_UNKNOWN_FIELD', `${where} has no field or key '${fieldName}'.`, {
      hint: guess === undefined ? `Known: ${known.join(', ') || '(none)'}.` : `Did you mean '${guess}'?`,
    });
    this.fieldName = fieldName;
  }
}

/**
 * Thrown for a config override text that is not in the safe Python subset
 * (`PEX_CONFIG_OVERRIDE_SYNTAX`); `line` and `column` (both 1-based) point at the problem.
 *
 * @see lsst.pex.config.Config.loadFromString (which executes Python; SkyStack parses a subset)
 */
export class OverrideSyntaxError extends SkyStackError {
  /** File name or label of the text, as given to the parser. */
  readonly filename: string;
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column of the problem. */
  readonly column: number;

  /**
   * Makes the error; the message starts with `filename:line:column`.
   *
   * @param filename - file name or label of the override text
   * @param line - 1-based line
   * @param column - 1-based column
   * @param message - what was found and what was expected
   * @param options - `cause` and `hint`
   */
  constructor(filename: string, line: number, column: number, message: string, options: SkyStackErrorOptions = {}) {
    super('PEX_CONFIG_OVERRIDE_SYNTAX', `${filename}:${line}:${column}: ${message}`, options);
    this.filename = filename;
    this.line = line;
    this.column = column;
  }
}

/**
 * Thrown for a valid Python config statement that SkyStack does not run
 * (`PEX_CONFIG_UNSUPPORTED_OVERRIDE`): `retarget(...)` in an override file, calls of
 * functions, expressions with operators, loops.
 *
 * @see lsst.pex.config.ConfigurableInstance.retarget
 */
export class UnsupportedOverrideError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what is not supported and where
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('PEX_CONFIG_UNSUPPORTED_OVERRIDE', message, options);
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}
