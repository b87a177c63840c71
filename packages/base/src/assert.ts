import { AssertionError } from './errors.js';

/**
 * Throws an {@link AssertionError} when `condition` is false.
 *
 * The message is a function so that it is only built when the check fails, which keeps
 * assertions cheap on hot paths. Use it for invariants (bugs); validate user input with a
 * specific error class instead.
 *
 * @param condition - the invariant that must hold
 * @param message - builds the failure message
 * @throws {@link AssertionError} when `condition` is false
 * @example
 * ```ts
 * const width = 4;
 * assert(width > 0, () => `width must be positive, got ${width}`);
 * ```
 */
export function assert(condition: unknown, message: () => string): asserts condition {
  if (!condition) throw new AssertionError(message());
}
