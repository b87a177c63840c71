// Runs a peer tool as a child process and times it from spawn to exit.
import { spawn, spawnSync } from 'node:child_process';

/** What {@link runProcess} gives back. */
export interface ProcessResult {
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
  /** Wall time from spawn to exit, milliseconds. */
  readonly wallMs: number;
}

/**
 * Runs a command to completion, timing it.
 *
 * @param command - the executable
 * @param args - its arguments
 * @param options - working directory and text for standard input
 * @returns its output and wall time
 * @throws Error with the command line, exit status and standard error when it fails
 * @example
 * ```ts
 * const { stdout, wallMs } = await runProcess('source-extractor', ['-v']);
 * ```
 */
export function runProcess(command: string, args: readonly string[], options: { readonly cwd?: string; readonly input?: string } = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve({ stdout, stderr, wallMs });
      else reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal}): ${stderr.trim().slice(-2000)}`));
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Whether a command runs and exits with status 0 (to probe for an installed tool).
 *
 * @param command - the executable
 * @param args - harmless arguments such as `-v`, or a Python `-c 'import sep'`
 * @returns true when the command was found and succeeded
 */
export function commandSucceeds(command: string, args: readonly string[]): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}
