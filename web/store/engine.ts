/**
 * The database engines behind the store, seen through one small interface, so that every
 * query is written once: PGlite embedded in this process (`pglite_engine.ts`) or a PostgreSQL
 * server (`postgres_engine.ts`).
 *
 * Both adapters agree on values. Parameters are `$1, $2, …`; a parameter takes a string,
 * number, boolean, `null`, `Date`, `Uint8Array` (bytea), an array (for an array type), or any
 * JSON value where the parameter is json/jsonb (written with `JSON.stringify` by both). Rows
 * come back as objects keyed by column name with `timestamptz` as `Date`, `bytea` as
 * `Uint8Array`, `jsonb` parsed, `int4` and `float8` as numbers. `int8` and `numeric` differ
 * between the two (string or number), so queries cast counts to `int`.
 *
 * @module
 */

/** One row of a result, before its schema has checked it. */
export type Row = Record<string, unknown>;

/** What runs SQL: an engine, or a transaction on one. */
export interface Queryable {
  /**
   * Runs one statement.
   *
   * @param sql One statement with `$n` parameters.
   * @param params The parameters' values.
   * @returns The rows it returned (none for a statement without `RETURNING`).
   */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Runs a script of statements without parameters, such as a migration.
   *
   * @param script Statements separated by semicolons.
   */
  exec(script: string): Promise<void>;
}

/** A connection to one database. */
export interface Engine extends Queryable {
  /** Which adapter this is. */
  readonly kind: "pglite" | "postgres";
  /** Where the data lives, for logs; never a password. */
  readonly description: string;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws.
   *
   * @param fn The work; it must use the transaction it is given, not the engine.
   * @returns What `fn` returned.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the connection (the pool, or the embedded database and its lock). */
  close(): Promise<void>;
}
