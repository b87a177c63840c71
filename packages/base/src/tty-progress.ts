import { CountingTask, QuietProgress } from './progress-reporter.js';
import type { ProgressReporter, ProgressTask } from './progress-reporter.js';

/**
 * The stream a {@link TtyProgress} draws on: `process.stderr` or anything shaped like it, such
 * as a test double.
 */
export interface ProgressStream {
  /**
   * Writes text; the return value is ignored.
   *
   * @param text - the text to write
   * @returns anything (ignored)
   */
  write(text: string): unknown;
  /** Whether the stream is an interactive terminal (bars are drawn only then). */
  readonly isTTY?: boolean;
  /** The terminal width in characters (80 when unknown). */
  readonly columns?: number;
}

/**
 * Options of {@link TtyProgress} and {@link makeProgress}.
 */
export interface TtyProgressOptions {
  /**
   * The clock, in milliseconds, used to throttle redraws and show elapsed time (default
   * `performance.now()`). Tests pass a fake one.
   */
  readonly now?: () => number;
  /** The least time between two redraws of a bar, in milliseconds (default 100). */
  readonly minIntervalMs?: number;
}

/** Widest bar drawn, in characters. */
const MAX_BAR_WIDTH = 40;
/** Narrowest bar worth drawing; below this only the numbers are shown. */
const MIN_BAR_WIDTH = 5;

/**
 * Shows progress on a terminal stream.
 *
 * When the stream is a TTY each task draws one line, `label [#####-----] 50/100 50% 1.2 s`,
 * redrawn in place (carriage return) at most every `minIntervalMs` (100 ms) and fitted to
 * `columns`; `done()` draws the final state and ends the line with a newline. When the stream
 * is not a TTY (a log file, CI output) each task writes at most two lines: one when it starts
 * and one when it is done, e.g. `Ingesting raws: 100/100 done in 12.3 s`.
 *
 * Tasks drawing on the same TTY should not overlap in time: start the next one after the
 * previous one's `done()`.
 *
 * @example
 * ```ts
 * const progress = new TtyProgress(process.stderr);
 * const task = progress.start(1000, 'Measuring sources');
 * for (let i = 0; i < 1000; i++) task.tick();
 * task.done();
 * ```
 * @see lsst.daf.butler.progress.Progress (tqdm bars in `butler` and `pipetask`)
 */
export class TtyProgress implements ProgressReporter {
  readonly #stream: ProgressStream;
  readonly #now: () => number;
  readonly #minIntervalMs: number;

  /**
   * Creates a reporter drawing on `stream`.
   *
   * @param stream - where to draw, e.g. `process.stderr`
   * @param options - the clock and the redraw interval
   */
  constructor(stream: ProgressStream, options: TtyProgressOptions = {}) {
    this.#stream = stream;
    this.#now = options.now ?? (() => performance.now());
    this.#minIntervalMs = options.minIntervalMs ?? 100;
  }

  /**
   * Starts a task and draws its first state (a bar at 0 on a TTY, a start line otherwise).
   *
   * @param total - how many units of work there are, or `undefined` if unknown (then the count
   *   is shown without a bar)
   * @param label - what is being done, shown at the start of the line
   * @returns the task to update as the work proceeds
   * @throws {@link InvalidArgumentError} when `total` is negative or not finite
   */
  start(total: number | undefined, label: string): ProgressTask {
    const stream = this.#stream;
    return stream.isTTY === true
      ? new BarTask(total, label, stream, this.#now, this.#minIntervalMs)
      : new LineTask(total, label, stream, this.#now);
  }
}

/** A task drawn as a bar redrawn in place on a TTY. */
class BarTask extends CountingTask {
  readonly #stream: ProgressStream;
  readonly #now: () => number;
  readonly #minIntervalMs: number;
  readonly #startTime: number;
  #lastDraw: number;
  #lastLength = 0;

  constructor(
    total: number | undefined,
    label: string,
    stream: ProgressStream,
    now: () => number,
    minIntervalMs: number,
  ) {
    super(total, label);
    this.#stream = stream;
    this.#now = now;
    this.#minIntervalMs = minIntervalMs;
    this.#startTime = now();
    this.#lastDraw = this.#startTime;
    this.#draw(this.#startTime);
  }

  protected override changed(): void {
    const t = this.#now();
    if (t - this.#lastDraw >= this.#minIntervalMs) this.#draw(t);
  }

  protected override finish(): void {
    this.#draw(this.#now());
    this.#stream.write('\n');
  }

  #draw(t: number): void {
    this.#lastDraw = t;
    const width = Math.max(1, (this.#stream.columns ?? 80) - 1);
    const line = fitLine(
      this.label,
      this.completed,
      this.total,
      formatDuration(t - this.#startTime),
      width,
    );
    const pad = this.#lastLength > line.length ? ' '.repeat(this.#lastLength - line.length) : '';
    this.#lastLength = line.length;
    this.#stream.write(`\r${line}${pad}`);
  }
}

/** A task that writes a start line and an end line, for streams that are not terminals. */
class LineTask extends CountingTask {
  readonly #stream: ProgressStream;
  readonly #now: () => number;
  readonly #startTime: number;

  constructor(total: number | undefined, label: string, stream: ProgressStream, now: () => number) {
    super(total, label);
    this.#stream = stream;
    this.#now = now;
    this.#startTime = now();
    const size = total === undefined ? '' : ` (${total} ${total === 1 ? 'item' : 'items'})`;
    stream.write(`${label}: started${size}\n`);
  }

  protected override finish(): void {
    const count =
      this.total === undefined ? `${this.completed}` : `${this.completed}/${this.total}`;
    const elapsed = formatDuration(this.#now() - this.#startTime);
    this.#stream.write(`${this.label}: ${count} done in ${elapsed}\n`);
  }
}

/**
 * Lays out `label [####----] c/t p% elapsed` in at most `width` characters: the bar shrinks
 * (down to nothing) first, then the line is cut.
 */
function fitLine(
  label: string,
  completed: number,
  total: number | undefined,
  elapsed: string,
  width: number,
): string {
  let line: string;
  if (total === undefined) {
    line = `${label} ${formatCount(completed)} ${elapsed}`;
  } else {
    const fraction = total === 0 ? 1 : Math.min(1, completed / total);
    const numbers = `${formatCount(completed)}/${formatCount(total)} ${Math.floor(fraction * 100)}% ${elapsed}`;
    const barWidth = Math.min(MAX_BAR_WIDTH, width - label.length - numbers.length - 4);
    if (barWidth >= MIN_BAR_WIDTH) {
      const filled = Math.floor(fraction * barWidth);
      line = `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${numbers}`;
    } else {
      line = `${label} ${numbers}`;
    }
  }
  return line.length > width ? line.slice(0, width) : line;
}

/** An integer count as is; a fractional one with one decimal. */
function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** `12.3 s` below a minute, `4 min 05 s` above. */
function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/**
 * Options of {@link makeProgress}.
 */
export interface MakeProgressOptions extends TtyProgressOptions {
  /** Show nothing at all (e.g. for `--no-progress`); default `false`. */
  readonly quiet?: boolean;
}

/**
 * Chooses a progress reporter for a stream: a {@link QuietProgress} when there is no stream or
 * `quiet` is set, otherwise a {@link TtyProgress}, which draws bars on a TTY and writes only
 * start and end lines elsewhere.
 *
 * @param stream - where to show progress (usually `process.stderr`), or `undefined` for none
 * @param options - `quiet`, the clock and the redraw interval
 * @returns the reporter to hand to long-running code
 * @example
 * ```ts
 * const progress = makeProgress(process.stderr, { quiet: process.env['CI'] === 'true' });
 * const task = progress.start(3, 'Defining visits');
 * task.tick(3);
 * task.done();
 * ```
 * @see lsst.daf.butler.progress.Progress
 */
export function makeProgress(
  stream: ProgressStream | undefined,
  options: MakeProgressOptions = {},
): ProgressReporter {
  if (stream === undefined || options.quiet === true) return new QuietProgress();
  return new TtyProgress(stream, options);
}
