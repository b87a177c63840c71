// DuckDB as the independent Parquet oracle of the tests (decision 0012): one in-memory
// connection and the few queries the Parquet tests of several packages share. A separate
// entry point (`@skystack/test-support/duckdb`) so that other tests do not load DuckDB.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** An in-memory DuckDB connection with helpers to look at Parquet files. */
export class DuckDbOracle {
  readonly #conn: DuckDBConnection;

  private constructor(conn: DuckDBConnection) {
    this.#conn = conn;
  }

  /** Opens an in-memory database. */
  static async open(): Promise<DuckDbOracle> {
    return new DuckDbOracle(await (await DuckDBInstance.create(':memory:')).connect());
  }

  /** A file path as a SQL string literal. */
  static sqlPath(path: string): string {
    return `'${path.replaceAll("'", "''")}'`;
  }

  /** The rows of a query, as DuckDB's JS values (bigint for 64-bit integers). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.#conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Runs a statement (CREATE, INSERT, COPY ... TO file). */
  async run(sql: string): Promise<void> {
    await this.#conn.run(sql);
  }

  /** Column name → DuckDB type of a Parquet file. */
  async types(path: string): Promise<Record<string, string>> {
    const rows = await this.rows(`DESCRIBE SELECT * FROM read_parquet(${DuckDbOracle.sqlPath(path)})`);
    return Object.fromEntries(rows.map((r) => [r['column_name'] as string, r['column_type'] as string]));
  }

  /** Closes the connection. */
  close(): void {
    this.#conn.closeSync();
  }
}
