// What every `butler` subcommand shares: the output streams, the logger, confirmation
// prompts, and the helpers that print tables or one JSON array.
import { createInterface } from 'node:readline/promises';
import { SkyStackError, type Logger, type SkyStackErrorOptions } from '@skystack/base';
import { formatTable, tableToObjects, type FormatTableOptions, type TextTable } from './table.js';

/** A stream the CLI writes to (`process.stdout`, or a capture in tests). */
export interface WriteStream {
  /** Writes text. */
  write(chunk: string): unknown;
}

/** Where `butler` reads and writes; `runButler` defaults to the process's streams. */
export interface ButlerIo {
  /** Command output: tables, JSON, messages. */
  readonly stdout: WriteStream;
  /** Log records and `Error: ...` lines. */
  readonly stderr: WriteStream;
  /** Standard input; prompts are only shown when it is a terminal. */
  readonly stdin?:
    | {
        /** Whether standard input is a terminal (confirmation prompts need one). */
        readonly isTTY?: boolean | undefined;
      }
    | undefined;
  /**
   * Answers a yes/no confirmation question (tests); by default the question is asked on the
   * terminal, and refused when standard input is not one.
   */
  readonly confirm?: ((question: string) => Promise<boolean>) | undefined;
}

/**
 * A usage problem the CLI finds itself (conflicting options, a refused confirmation):
 * printed as one `Error: ...` line, exit status 1.
 */
export class ButlerCliError extends SkyStackError {
  /**
   * Makes the error.
   *
   * @param message - what was wrong
   * @param options - `cause` and `hint`
   */
  constructor(message: string, options: SkyStackErrorOptions = {}) {
    super('BUTLER_CLI', message, options);
  }
}

/** The running command's environment. */
export class CliContext {
  /** The streams. */
  readonly io: ButlerIo;
  /** The `skystack.butler.cli` logger. */
  readonly log: Logger;

  /**
   * Makes a context.
   *
   * @param io - the streams
   * @param log - the logger
   */
  constructor(io: ButlerIo, log: Logger) {
    this.io = io;
    this.log = log;
  }

  /**
   * Prints lines on standard output.
   *
   * @param lines - each printed with a newline
   */
  print(...lines: string[]): void {
    for (const l of lines) this.io.stdout.write(`${l}\n`);
  }

  /**
   * Prints a table.
   *
   * @param table - the table
   * @param options - alignment
   */
  printTable(table: TextTable, options: FormatTableOptions = {}): void {
    this.print(...formatTable(table, options));
  }

  /**
   * Prints one JSON array on standard output.
   *
   * @param rows - the array's items
   */
  printJson(rows: readonly unknown[]): void {
    this.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  }

  /**
   * Prints the rows of tables as one JSON array of objects keyed by column name.
   *
   * @param tables - the tables
   */
  printTablesJson(tables: readonly TextTable[]): void {
    this.printJson(tables.flatMap((t) => tableToObjects(t)));
  }

  /**
   * Asks for confirmation of a destructive action: through `io.confirm` when given, on the
   * terminal when standard input is one; otherwise refuses.
   *
   * @param question - the question (`Continue?`)
   * @returns whether to go ahead
   * @throws ButlerCliError when standard input is not interactive
   */
  async confirm(question: string): Promise<boolean> {
    if (this.io.confirm) return this.io.confirm(question);
    if (this.io.stdin?.isTTY !== true) {
      throw new ButlerCliError('Confirmation needed, but standard input is not interactive; nothing was changed.', {
        hint: 'Run it again with --no-confirm to go ahead without asking.',
      });
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const answer = await rl.question(`${question} [y/N]: `);
      return /^(y|yes)$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  }
}
