/**
 * Versioned schema migrations: `migrations/NNN_name.sql`, applied in order, each recorded in
 * `schema_migrations` with a checksum of its text.
 *
 * @module
 */
import type { Engine } from "./engine.ts";

/** One migration file. */
export interface Migration {
  /** The number the file name starts with; migrations apply in this order. */
  version: number;
  /** The file name, such as `001_init.sql`. */
  name: string;
  sql: string;
  /** SHA-256 of `sql`, in hex: an applied migration must never change. */
  checksum: string;
}

const FILE_NAME = /^(\d{3})_[a-z0-9_]+\.sql$/;

/**
 * Any 64-bit number that other applications on a shared server are unlikely to use for
 * `pg_advisory_xact_lock`; it makes processes that start at once migrate one at a time.
 */
const MIGRATION_LOCK = 7_146_202_611;

/**
 * Reads the migration files of a folder.
 *
 * @param dir The folder; the store's own `migrations/` when left out.
 * @returns The migrations, by version.
 * @throws {SyntaxError} If a file name does not look like `001_init.sql`, or two files have
 *   the same version.
 */
export async function loadMigrations(
  dir: URL = new URL("./migrations/", import.meta.url),
): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const match = FILE_NAME.exec(entry.name);
    if (!entry.isFile || !match) {
      throw new SyntaxError(
        `Cannot load migration "${entry.name}": expected a file named like 001_init.sql`,
      );
    }
    const sql = await Deno.readTextFile(new URL(entry.name, dir));
    migrations.push({
      version: Number(match[1]),
      name: entry.name,
      sql,
      checksum: await sha256(sql),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new SyntaxError(
        `Cannot load migration "${migrations[i].name}": "${
          migrations[i - 1].name
        }" has the same version`,
      );
    }
  }
  return migrations;
}

/**
 * Brings a database up to date: applies, in one transaction, every migration it has not
 * seen. Processes that start at once take turns (an advisory lock), so each migration runs
 * exactly once; running it again applies nothing.
 *
 * @param engine The database.
 * @param migrations The migrations, from {@linkcode loadMigrations}.
 * @returns The migrations this call applied.
 * @throws {Error} If a migration fails, an applied migration's file has changed since, or
 *   the database has a migration that `migrations` lacks (newer code migrated it); nothing
 *   is applied then.
 */
export async function migrate(
  engine: Engine,
  migrations: readonly Migration[],
): Promise<Migration[]> {
  return await engine.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const applied = new Map(
      (await tx.query("SELECT version, name, checksum FROM schema_migrations")).map((row) => [
        row.version as number,
        row as { name: string; checksum: string },
      ]),
    );
    const known = new Set(migrations.map((m) => m.version));
    for (const [version, row] of applied) {
      if (!known.has(version)) {
        throw new Error(
          `Cannot migrate ${engine.description}: it has migration "${row.name}", which this ` +
            "version of the portal does not know; run the newer version",
        );
      }
    }
    const pending: Migration[] = [];
    for (const migration of migrations) {
      const done = applied.get(migration.version);
      if (done && done.checksum !== migration.checksum) {
        throw new Error(
          `Cannot migrate ${engine.description}: "${migration.name}" changed after it was ` +
            "applied; add a new migration instead of editing an applied one",
        );
      }
      if (!done) pending.push(migration);
    }
    for (const migration of pending) {
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new Error(
          `Cannot apply migration "${migration.name}" to ${engine.description}: ${
            (error as Error).message
          }`,
          { cause: error },
        );
      }
      await tx.query(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
        [migration.version, migration.name, migration.checksum],
      );
    }
    return pending;
  });
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(digest).toHex();
}
