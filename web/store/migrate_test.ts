import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { testOnBothEngines } from "./_testing.ts";
import { loadMigrations, migrate, type Migration } from "./migrate.ts";
import { openPostgresEngine } from "./postgres_engine.ts";

async function migration(version: number, name: string, sql: string): Promise<Migration> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(sql));
  return { version, name, sql, checksum: new Uint8Array(digest).toHex() };
}

Deno.test("loadMigrations() reads the store's migrations in version order", async () => {
  const migrations = await loadMigrations();
  assert.equal(migrations[0].name, "001_init.sql");
  assert.deepEqual(
    migrations.map((m) => m.version),
    migrations.map((_, i) => i + 1),
    "versions count up from 001 without gaps",
  );
  assert.ok(migrations.every((m) => /^[0-9a-f]{64}$/.test(m.checksum)));
});

Deno.test("loadMigrations() refuses a badly named file and a repeated version", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/001_a.sql`, "SELECT 1;");
    await Deno.writeTextFile(`${dir}/002_b.sql`, "SELECT 2;");
    assert.deepEqual(
      (await loadMigrations(pathToFileURL(`${dir}/`))).map((m) => m.name),
      ["001_a.sql", "002_b.sql"],
    );
    await Deno.writeTextFile(`${dir}/002_c.sql`, "SELECT 3;");
    await assert.rejects(loadMigrations(pathToFileURL(`${dir}/`)), /has the same version/);
    await Deno.remove(`${dir}/002_c.sql`);
    await Deno.writeTextFile(`${dir}/3_d.sql`, "SELECT 4;");
    await assert.rejects(loadMigrations(pathToFileURL(`${dir}/`)), SyntaxError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

testOnBothEngines("migrate()", [
  {
    name: "migrate() applies nothing the second time",
    async fn({ store }) {
      const before = await store.engine.query("SELECT version, applied_at FROM schema_migrations");
      assert.deepEqual(await migrate(store.engine, await loadMigrations()), []);
      assert.deepEqual(
        await store.engine.query("SELECT version, applied_at FROM schema_migrations"),
        before,
      );
    },
  },
  {
    name: "migrate() rolls every pending migration back when one fails",
    async fn({ store }) {
      const migrations = [
        ...await loadMigrations(),
        await migration(901, "901_good.sql", "CREATE TABLE store_test_good (x int);"),
        await migration(902, "902_bad.sql", "CREATE TABLE store_test_bad (x nosuchtype);"),
      ];
      await assert.rejects(
        migrate(store.engine, migrations),
        /Cannot apply migration "902_bad.sql" to .*nosuchtype/,
      );
      const [row] = await store.engine.query(
        `SELECT to_regclass('store_test_good') IS NULL AS "gone",
          (SELECT count(*) FROM schema_migrations WHERE version > 900)::int AS "recorded"`,
      );
      assert.deepEqual(row, { gone: true, recorded: 0 });
    },
  },
  {
    name: "migrate() refuses an applied migration whose text changed",
    async fn({ store }) {
      const [first, ...rest] = await loadMigrations();
      const edited = await migration(first.version, first.name, `${first.sql}\n-- edited`);
      await assert.rejects(
        migrate(store.engine, [edited, ...rest]),
        /"001_init.sql" changed after it was applied/,
      );
    },
  },
  {
    name: "migrate() refuses a database that newer code has migrated",
    async fn({ store }) {
      await store.engine.query(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, '999_future.sql', '')",
      );
      try {
        await assert.rejects(
          migrate(store.engine, await loadMigrations()),
          /has migration "999_future.sql", which this version of the portal does not know/,
        );
      } finally {
        await store.engine.query("DELETE FROM schema_migrations WHERE version = 999");
      }
    },
  },
  {
    name: "migrate() applies each migration once when several processes start at once",
    skip: { engine: "pglite", reason: "a PGlite folder serves one process" },
    async fn({ server }) {
      const url = await server!.createDatabase();
      const engines = await Promise.all(
        Array.from({ length: 4 }, () => openPostgresEngine(url, { maxConnections: 1 })),
      );
      try {
        const migrations = await loadMigrations();
        const applied = await Promise.all(engines.map((engine) => migrate(engine, migrations)));
        assert.deepEqual(
          applied.map((list) => list.length).sort(),
          [0, 0, 0, migrations.length],
        );
        const [row] = await engines[0].query("SELECT count(*)::int AS n FROM schema_migrations");
        assert.equal(row.n, migrations.length);
      } finally {
        await Promise.all(engines.map((engine) => engine.close()));
      }
    },
  },
]);
