/**
 * The server engine: a pool of connections to a PostgreSQL server, through the `postgres`
 * client. Any number of portals and workers can share one server.
 *
 * @module
 */
import postgres from "postgres";
import type { Engine, Queryable, Row } from "./engine.ts";

/** Options of {@linkcode openPostgresEngine}. */
export interface PostgresEngineOptions {
  /**
   * Connections in the pool.
   *
   * @default {10}
   */
  maxConnections?: number;
}

/**
 * Connects to the PostgreSQL server named by a URL and checks that it answers.
 *
 * @param url A URL such as `postgres://user:password@host:5432/database`.
 * @param options The pool's size.
 * @returns The engine; close it to end the pool.
 * @throws {Error} If the server cannot be reached or refuses the connection.
 */
export async function openPostgresEngine(
  url: string,
  options: PostgresEngineOptions = {},
): Promise<Engine> {
  const where = redact(url);
  const sql = postgres(url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: 60,
  });
  try {
    await sql`SELECT 1`;
  } catch (error) {
    await sql.end({ timeout: 0 });
    throw new Error(`Cannot connect to the database "${where}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  const on = (target: postgres.Sql | postgres.TransactionSql): Queryable => ({
    async query(text: string, params: readonly unknown[] = []): Promise<Row[]> {
      return [...await target.unsafe<Row[]>(text, params as postgres.ParameterOrJSON<never>[])];
    },
    async exec(script: string): Promise<void> {
      // Without parameters the client uses the simple protocol, which runs several statements.
      await target.unsafe(script);
    },
  });
  return {
    kind: "postgres",
    description: `PostgreSQL at ${where}`,
    ...on(sql),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return await sql.begin((tx) => fn(on(tx))) as T;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/** The URL without its password, for messages and logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "(an unparsable DATABASE_URL)";
  }
}
