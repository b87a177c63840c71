import { describe, it, expect } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { QuietProgress } from './progress-reporter.js';
import { makeProgress, TtyProgress } from './tty-progress.js';
import type { ProgressStream } from './tty-progress.js';

/** A stream that records writes, and a clock the test moves by hand. */
function fakes(options: { isTTY: boolean; columns?: number }) {
  const writes: string[] = [];
  const stream: ProgressStream = {
    write: (s: string) => writes.push(s),
    isTTY: options.isTTY,
    ...(options.columns === undefined ? {} : { columns: options.columns }),
  };
  const clock = { t: 1000 };
  const now = () => clock.t;
  return { writes, stream, clock, now };
}

/** What a terminal would show: the text after the last carriage return of each line. */
function screen(writes: readonly string[]): string[] {
  return writes
    .join('')
    .split('\n')
    .map((line) => (line.split('\r').at(-1) ?? '').trimEnd());
}

describe('TtyProgress on a TTY', () => {
  it('draws a bar at start, throttles redraws to the interval, and ends with a newline', () => {
    const { writes, stream, clock, now } = fakes({ isTTY: true, columns: 80 });
    const task = new TtyProgress(stream, { now }).start(10, 'Ingest');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\rIngest \[-+\] 0\/10 0% 0\.0 s$/);

    clock.t += 50;
    task.tick();
    expect(writes).toHaveLength(1); // 50 ms since last draw: throttled

    clock.t += 50;
    task.tick(2);
    expect(writes).toHaveLength(2); // 100 ms: redrawn
    expect(writes[1]).toContain(' 3/10 30% 0.1 s');

    clock.t += 10;
    task.update(7);
    expect(writes).toHaveLength(2);
    expect(task.completed).toBe(7);

    clock.t += 1900;
    task.update(10);
    task.done();
    const out = writes.join('');
    expect(out.endsWith('\n')).toBe(true);
    expect(out.split('\n')).toHaveLength(2); // exactly one line, ended once
    expect(screen(writes)[0]).toBe(`Ingest [${'#'.repeat(40)}] 10/10 100% 2.0 s`);
    expect(task.finished).toBe(true);
  });

  it('fills the bar in proportion and fits the line to the terminal width', () => {
    const { writes, stream, now } = fakes({ isTTY: true, columns: 40 });
    const task = new TtyProgress(stream, { now, minIntervalMs: 0 }).start(4, 'Warp');
    task.tick();
    const line = screen(writes)[0] ?? '';
    // 'Warp [' + bar + '] 1/4 25% 0.0 s' in at most 39 columns.
    expect(line.length).toBeLessThanOrEqual(39);
    const bar = /\[(#*)(-*)\]/.exec(line);
    expect(bar).not.toBeNull();
    const filled = bar?.[1]?.length ?? 0;
    const width = filled + (bar?.[2]?.length ?? 0);
    expect(width).toBeGreaterThanOrEqual(5);
    expect(filled).toBe(Math.floor(width / 4));
    expect(line.endsWith('1/4 25% 0.0 s')).toBe(true);
  });

  it('drops the bar, then cuts the line, on very narrow terminals', () => {
    const { writes, stream, now } = fakes({ isTTY: true, columns: 12 });
    new TtyProgress(stream, { now }).start(100, 'A long label here').done();
    const line = screen(writes)[0] ?? '';
    expect(line).toBe('A long labe');
    expect(line).not.toContain('[');
  });

  it('blanks leftovers of a longer previous drawing', () => {
    const { writes, stream, now } = fakes({ isTTY: true, columns: 80 });
    const task = new TtyProgress(stream, { now, minIntervalMs: 0 }).start(undefined, 'Scan');
    task.update(123456);
    task.update(7);
    const last = writes.at(-1) ?? '';
    expect(last.startsWith('\rScan 7 0.0 s')).toBe(true);
    expect(last.length).toBe((writes.at(-2) ?? '').length);
  });

  it('shows a count without a bar when the total is unknown', () => {
    const { writes, stream, clock, now } = fakes({ isTTY: true });
    const task = new TtyProgress(stream, { now }).start(undefined, 'Query');
    task.tick(5);
    clock.t += 65_000;
    task.done();
    expect(screen(writes)[0]).toBe('Query 5 1 min 05 s');
  });

  it('ignores calls after done() and draws the end only once', () => {
    const { writes, stream, now } = fakes({ isTTY: true });
    const task = new TtyProgress(stream, { now, minIntervalMs: 0 }).start(2, 'X');
    task.done();
    const count = writes.length;
    task.tick();
    task.update(2);
    task.done();
    expect(writes).toHaveLength(count);
    expect(task.completed).toBe(0);
  });
});

describe('TtyProgress on a stream that is not a TTY', () => {
  it('writes only a start line and an end line', () => {
    const { writes, stream, clock, now } = fakes({ isTTY: false });
    const task = new TtyProgress(stream, { now }).start(100, 'Ingesting raws');
    for (let i = 0; i < 100; i++) {
      clock.t += 500;
      task.tick();
    }
    task.done();
    task.done();
    expect(writes).toEqual([
      'Ingesting raws: started (100 items)\n',
      'Ingesting raws: 100/100 done in 50.0 s\n',
    ]);
    expect(writes.join('')).not.toContain('\r');
  });

  it('reports work that stopped early and unknown totals', () => {
    const { writes, stream, now } = fakes({ isTTY: false });
    const progress = new TtyProgress(stream, { now });
    const a = progress.start(1, 'One');
    a.done();
    const b = progress.start(undefined, 'Some');
    b.tick(3);
    b.done();
    expect(writes).toEqual([
      'One: started (1 item)\n',
      'One: 0/1 done in 0.0 s\n',
      'Some: started\n',
      'Some: 3 done in 0.0 s\n',
    ]);
  });
});

describe('QuietProgress and makeProgress', () => {
  it('QuietProgress counts but writes nothing', () => {
    const task = new QuietProgress().start(3, 'quiet');
    task.tick();
    task.tick(2);
    expect(task.completed).toBe(3);
    expect(task.total).toBe(3);
    expect(task.label).toBe('quiet');
    task.done();
    expect(task.finished).toBe(true);
  });

  it('validates counts', () => {
    const progress = new QuietProgress();
    expect(() => progress.start(-1, 'x')).toThrow(InvalidArgumentError);
    expect(() => progress.start(Number.NaN, 'x')).toThrow(InvalidArgumentError);
    const task = progress.start(3, 'x');
    expect(() => task.tick(-1)).toThrow(InvalidArgumentError);
    expect(() => task.update(Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
  });

  it('makeProgress chooses quiet without a stream or when asked, TtyProgress otherwise', () => {
    expect(makeProgress(undefined)).toBeInstanceOf(QuietProgress);
    const { writes, stream } = fakes({ isTTY: true });
    expect(makeProgress(stream, { quiet: true })).toBeInstanceOf(QuietProgress);
    const progress = makeProgress(stream, { now: () => 0 });
    expect(progress).toBeInstanceOf(TtyProgress);
    progress.start(1, 'y').done();
    expect(writes.join('')).toContain('y [');
  });
});
