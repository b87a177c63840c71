// The `pipetask run --summary FILE.json` report, as ctrl_mpexec's `Report` / `QuantumReport`.
import { writeFileAtomic } from '@skystack/base';
import type { DataIdValue } from '@skystack/daf-butler';
import type { QuantumGraph } from '@skystack/pipe-base';
import type { ExecutionReport } from './executor.js';

/** An error as the summary report gives it. @see lsst.ctrl.mpexec.reports.ExceptionInfo */
export interface ExceptionInfo {
  /** The error's class name (`Error`, `TypeError`, `ExecutionSetupError`, ...). */
  readonly className: string;
  /** Its message. */
  readonly message: string;
}

/** How one quantum ended, in the summary report. */
export type QuantumReportStatus = 'successful' | 'failed' | 'blocked' | 'skipped';

/** One quantum of the summary report. @see lsst.ctrl.mpexec.reports.QuantumReport */
export interface QuantumReport {
  /** `successful` (also when the task found no work), `failed`, `blocked` (upstream failed), `skipped` (outputs existed). */
  readonly status: QuantumReportStatus;
  /** The quantum's data ID (required dimensions) as a plain object. */
  readonly dataId: Readonly<Record<string, DataIdValue>>;
  /** The task label. */
  readonly taskLabel: string;
  /** For a failed quantum: the error; otherwise null. */
  readonly exceptionInfo: ExceptionInfo | null;
}

/** The whole summary report of `pipetask run --summary`. @see lsst.ctrl.mpexec.reports.Report */
export interface SummaryReport {
  /** `success` when every quantum succeeded or was skipped and nothing else failed, else `failure`. */
  readonly status: 'success' | 'failure';
  /** The exit status of `pipetask run`. */
  readonly exitCode: number;
  /** An error that stopped the command itself (not one of a quantum), or null. */
  readonly exceptionInfo: ExceptionInfo | null;
  /** One report per quantum of the graph, in graph order (empty when execution never started). */
  readonly quantaReports: readonly QuantumReport[];
}

const STATUS: Readonly<Record<string, QuantumReportStatus>> = { succeeded: 'successful', failed: 'failed', blocked: 'blocked', skipped: 'skipped' };

/**
 * Makes the error part of a report.
 *
 * @param e - what was thrown
 * @returns its class name and message
 */
export function exceptionInfo(e: unknown): ExceptionInfo {
  return e instanceof Error ? { className: e.constructor.name, message: e.message } : { className: typeof e, message: String(e) };
}

/**
 * Makes the summary report of an execution (or of a command that failed before or during it).
 *
 * @param options - the graph and the execution report (both absent when execution did not
 *   start), the exit status, and the error that stopped the command, if any
 * @returns the report
 * @example
 * ```ts
 * const report = await executeQuantumGraph({ butler, graph, tasks, inputCollections: ['raw'] });
 * await writeSummaryReport('summary.json', makeSummaryReport({ graph, execution: report, exitCode: report.ok ? 0 : 1 }));
 * ```
 * @see lsst.ctrl.mpexec.reports.Report
 */
export function makeSummaryReport(options: {
  /** The executed graph. */
  readonly graph?: QuantumGraph | undefined;
  /** What {@link @skystack/ctrl-mpexec!executeQuantumGraph} returned. */
  readonly execution?: ExecutionReport | undefined;
  /** The exit status of the command. */
  readonly exitCode: number;
  /** The error that stopped the command, if any. */
  readonly error?: unknown;
}): SummaryReport {
  const quantaReports: QuantumReport[] = [];
  if (options.graph !== undefined && options.execution !== undefined) {
    for (const node of options.graph.nodes) {
      const outcome = options.execution.outcomes.get(node.id);
      if (outcome === undefined) continue;
      const status = STATUS[outcome.status] ?? 'failed';
      quantaReports.push({
        status,
        dataId: { ...node.dataId.required },
        taskLabel: node.taskLabel,
        exceptionInfo: status === 'failed' ? { className: outcome.errorType ?? 'Error', message: outcome.error ?? '' } : null,
      });
    }
  }
  const error = options.error === undefined ? null : exceptionInfo(options.error);
  const ok = options.exitCode === 0 && error === null && quantaReports.every((q) => q.status === 'successful' || q.status === 'skipped');
  return { status: ok ? 'success' : 'failure', exitCode: options.exitCode, exceptionInfo: error, quantaReports };
}

/**
 * Writes a summary report as JSON, atomically: to a temporary file beside `path`, renamed into
 * place, so that a reader never sees half a report.
 *
 * @param path - the `.json` file
 * @param report - the report
 * @example
 * ```ts
 * await writeSummaryReport('summary.json', makeSummaryReport({ exitCode: 1, error: new Error('no inputs') }));
 * ```
 * @see lsst.ctrl.mpexec.cli.script.run (`--summary`)
 */
export async function writeSummaryReport(path: string, report: SummaryReport): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
}
