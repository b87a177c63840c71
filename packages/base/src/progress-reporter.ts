import { InvalidArgumentError } from './errors.js';

/**
 * One piece of long work being reported on, created by {@link ProgressReporter.start}.
 * Call {@link ProgressTask.tick} or {@link ProgressTask.update} as work gets done and
 * {@link ProgressTask.done} once at the end (also when the work stopped early). Calls after
 * `done()` are ignored.
 */
export interface ProgressTask {
  /** What is being done, e.g. `'Ingesting raws'`. */
  readonly label: string;
  /** How many units of work there are, or `undefined` when not known in advance. */
  readonly total: number | undefined;
  /** How many units are done so far. */
  readonly completed: number;
  /** Whether {@link ProgressTask.done} has been called. */
  readonly finished: boolean;

  /**
   * Records that `n` more units are done.
   *
   * @param n - units just completed (default 1); a finite number `>= 0`
   * @throws {@link InvalidArgumentError} when `n` is negative or not finite
   */
  tick(n?: number): void;

  /**
   * Records the total number of units done so far.
   *
   * @param completed - units done so far; a finite number `>= 0`
   * @throws {@link InvalidArgumentError} when `completed` is negative or not finite
   */
  update(completed: number): void;

  /**
   * Marks the work finished (whether or not every unit was done) and draws the final state.
   * Calling it again does nothing.
   */
  done(): void;
}

/**
 * Reports the progress of long work (ingesting files, executing quanta, ...) to the user.
 * Code that does the work takes a `ProgressReporter` from its caller and never decides itself
 * whether or how progress is shown.
 *
 * @example
 * ```ts
 * function ingest(files: readonly string[], progress: ProgressReporter = new QuietProgress()): void {
 *   const task = progress.start(files.length, 'Ingesting raws');
 *   try {
 *     for (const _file of files) task.tick();
 *   } finally {
 *     task.done();
 *   }
 * }
 * ingest(['a.fits', 'b.fits'], makeProgress(process.stderr));
 * ```
 * @see lsst.daf.butler.progress.Progress (progress bars for `butler` and `pipetask`)
 */
export interface ProgressReporter {
  /**
   * Starts reporting on a piece of work.
   *
   * @param total - how many units of work there are, or `undefined` if unknown
   * @param label - what is being done, shown to the user
   * @returns the task to update as the work proceeds
   * @throws {@link InvalidArgumentError} when `total` is negative or not finite
   */
  start(total: number | undefined, label: string): ProgressTask;
}

/**
 * Counts progress without showing anything: the reporter to use when output is not wanted
 * (library defaults, `--no-progress`, tests).
 *
 * @example
 * ```ts
 * const task = new QuietProgress().start(3, 'work');
 * task.tick(2);
 * task.completed; // 2
 * task.done();
 * ```
 */
export class QuietProgress implements ProgressReporter {
  /**
   * Starts a task that only counts.
   *
   * @param total - how many units of work there are, or `undefined` if unknown
   * @param label - what is being done
   * @returns a task that counts but shows nothing
   * @throws {@link InvalidArgumentError} when `total` is negative or not finite
   */
  start(total: number | undefined, label: string): ProgressTask {
    return new CountingTask(total, label);
  }
}

/**
 * A task that counts, validates its arguments and calls {@link CountingTask.changed} and
 * {@link CountingTask.finish} for subclasses that draw.
 *
 * @internal
 */
export class CountingTask implements ProgressTask {
  readonly label: string;
  readonly total: number | undefined;
  #completed = 0;
  #finished = false;

  constructor(total: number | undefined, label: string) {
    if (total !== undefined) checkCount(total, 'total');
    this.total = total;
    this.label = label;
  }

  get completed(): number {
    return this.#completed;
  }

  get finished(): boolean {
    return this.#finished;
  }

  tick(n = 1): void {
    checkCount(n, 'tick(n)');
    if (this.#finished) return;
    this.#completed += n;
    this.changed();
  }

  update(completed: number): void {
    checkCount(completed, 'update(completed)');
    if (this.#finished) return;
    this.#completed = completed;
    this.changed();
  }

  done(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.finish();
  }

  /** Called after the count changed (not after `done()`). */
  protected changed(): void {}

  /** Called once, by the first `done()`. */
  protected finish(): void {}
}

/** Throws unless `value` is a finite number `>= 0`. */
function checkCount(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(
      `Progress ${what} must be a finite number >= 0, got ${String(value)}.`,
    );
  }
}
