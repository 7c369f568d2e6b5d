/**
 * The embedded engine: PGlite (PostgreSQL compiled to WebAssembly) keeping its files in a
 * folder, with no server to set up.
 *
 * @module
 */
import { PGlite, type Transaction, types } from "@electric-sql/pglite";
import { join } from "node:path";
import type { Engine, Queryable, Row } from "./engine.ts";

/** How long opening waits for the folder's lock before it says the folder is in use. */
const LOCK_WAIT_MS = 2000;

/**
 * The embedded database's folder is open in another process (a running portal, say): PGlite
 * serves one process at a time.
 */
export class DatabaseInUseError extends Error {
  override name = "DatabaseInUseError";
  /** The data folder that is in use. */
  readonly dataDir: string;

  /**
   * Makes the error.
   *
   * @param dataDir The data folder that is in use.
   */
  constructor(dataDir: string) {
    super(
      `Cannot open the database in "${dataDir}": another process is using it; ` +
        "give each portal its own DATA_DIR, or share a PostgreSQL server through DATABASE_URL",
    );
    this.dataDir = dataDir;
  }
}

/** Writes json/jsonb parameters as JSON, a string included, as the postgres client does. */
const toJson = (value: unknown) => JSON.stringify(value);

/**
 * Opens (and on first use creates) the embedded database in `<dataDir>/pglite/`.
 *
 * PGlite serves one process: the folder is locked while open, so that a second portal on
 * the same `DATA_DIR` fails at start (after waiting up to 2 s for the lock) instead of
 * corrupting the files.
 *
 * @param dataDir The data folder (`DATA_DIR`); created when missing.
 * @returns The engine; close it to release the folder.
 * @throws {DatabaseInUseError} If another process (or another engine in this one) has the
 *   folder open.
 */
export async function openPgliteEngine(dataDir: string): Promise<Engine> {
  await Deno.mkdir(dataDir, { recursive: true });
  const lock = await Deno.open(join(dataDir, "pglite.lock"), { create: true, write: true });
  // A process that is letting go of the folder (exiting, or a child it just started that has
  // not yet run its program and still shares the lock) gets a moment to do so.
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!(await lock.tryLock(true))) {
    if (Date.now() >= deadline) {
      lock.close();
      throw new DatabaseInUseError(dataDir);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let db: PGlite;
  try {
    db = await PGlite.create(join(dataDir, "pglite"), {
      serializers: { [types.JSON]: toJson, [types.JSONB]: toJson },
    });
  } catch (error) {
    lock.close();
    throw error;
  }
  const on = (target: PGlite | Transaction): Queryable => ({
    async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      return (await target.query<Row>(sql, [...params])).rows;
    },
    async exec(script: string): Promise<void> {
      await target.exec(script);
    },
  });
  return {
    kind: "pglite",
    description: `PGlite in ${join(dataDir, "pglite")}`,
    ...on(db),
    transaction: (fn) => db.transaction((tx) => fn(on(tx))),
    async close() {
      try {
        await db.close();
      } finally {
        lock.close();
      }
    },
  };
}
