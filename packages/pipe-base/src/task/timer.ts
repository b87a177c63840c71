import { cpuUsage, resourceUsage } from 'node:process';
import { LogLevel, getLogger } from '@skystack/base';
import type { Logger } from '@skystack/base';
import type { TaskMetadata } from './task-metadata.js';

/** What {@link logInfo} and {@link timeMethod} need of a task: its metadata and its logger. */
export interface Timeable {
  /** Where the timing items are added. */
  readonly metadata: TaskMetadata;
  /** Whose name (prefixed with `timer.`) the timing is logged under. */
  readonly log: Logger;
}

/**
 * The resource usage of this process, in lsst.utils' names (`_UsageInfo`): CPU, user and
 * system time in seconds, maximum resident set size in bytes, page faults, block I/O and
 * context switches.
 *
 * @returns the usage, in a fixed key order
 * @see lsst.utils.usage._get_current_rusage
 */
export function currentUsage(): Record<string, number> {
  const cpu = cpuUsage();
  const r = resourceUsage();
  return {
    cpuTime: (cpu.user + cpu.system) / 1e6,
    userTime: r.userCPUTime / 1e6,
    systemTime: r.systemCPUTime / 1e6,
    maxResidentSetSize: r.maxRSS * 1024,
    minorPageFaults: r.minorPageFault,
    majorPageFaults: r.majorPageFault,
    blockInputs: r.fsRead,
    blockOutputs: r.fsWrite,
    voluntaryContextSwitches: r.voluntaryContextSwitches,
    involuntaryContextSwitches: r.involuntaryContextSwitches,
  };
}

/** The current UTC time as Python's `datetime.now(UTC).isoformat()` writes it (`2025-01-02T03:04:05.678000+00:00`). */
function utcIsoformat(): string {
  return new Date().toISOString().replace('Z', '000+00:00');
}

/**
 * Records the time and resource usage under `prefix` in a task's metadata (`<prefix>Utc`,
 * `<prefix>CpuTime`, `<prefix>UserTime`, `<prefix>SystemTime`,
 * `<prefix>MaxResidentSetSize`, ... each appended with `add`, and `__version__` = 1), and
 * logs them to `timer.<task logger name>` at `logLevel`.
 *
 * @param task - the task (its metadata and logger)
 * @param prefix - the item prefix, e.g. `runStart`
 * @param logLevel - the level of the log message (default DEBUG)
 * @see lsst.utils.timer.logInfo
 */
export function logInfo(task: Timeable, prefix: string, logLevel: number = LogLevel.DEBUG): void {
  const md = task.metadata;
  md.add(`${prefix}Utc`, utcIsoformat());
  md.set('__version__', 1);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(currentUsage())) {
    const name = prefix + k[0]!.toUpperCase() + k.slice(1);
    md.add(name, v);
    parts.push(`${name}=${v}`);
  }
  const timerLog = getLogger(task.log.name === '' ? 'timer' : `timer.${task.log.name}`);
  if (timerLog.isEnabledFor(logLevel)) timerLog.log(logLevel, parts.join('; '));
}

/**
 * Runs `fn` between {@link logInfo} calls with prefixes `<name>Start` and `<name>End`, as
 * lsst.utils' `@timeMethod` decorator does for a method called `name`. Works for synchronous
 * functions and for functions returning a promise (the end is recorded when it settles); the
 * end is recorded even when `fn` throws.
 *
 * @example
 * ```ts
 * class MyTask extends Task {
 *   run(x: number): Struct<{ y: number }> {
 *     return timeMethod(this, 'run', () => new Struct({ y: 2 * x }));
 *   }
 * }
 * // metadata: runStartUtc, runStartCpuTime, ..., runEndMaxResidentSetSize
 * ```
 * @param task - the task whose metadata gets the items
 * @param name - the method name
 * @param fn - the work
 * @param logLevel - level of the timer log messages (default DEBUG)
 * @returns what `fn` returns
 * @see lsst.utils.timer.timeMethod
 */
export function timeMethod<R>(task: Timeable, name: string, fn: () => R, logLevel: number = LogLevel.DEBUG): R {
  logInfo(task, `${name}Start`, logLevel);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    logInfo(task, `${name}End`, logLevel);
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => logInfo(task, `${name}End`, logLevel)) as R;
  }
  logInfo(task, `${name}End`, logLevel);
  return result;
}
