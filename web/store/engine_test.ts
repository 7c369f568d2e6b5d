import assert from "node:assert/strict";
import { testOnBothEngines } from "./_testing.ts";
import { openPgliteEngine } from "./pglite_engine.ts";
import { openPostgresEngine } from "./postgres_engine.ts";

testOnBothEngines("Engine", [
  {
    name: "Engine.query() binds $n parameters and returns the same values on both engines",
    async fn({ store: { engine } }) {
      const when = new Date("2025-03-03T09:00:00.123Z");
      const [row] = await engine.query(
        `SELECT $1::text AS "text", $2::int AS "int", $3::float8 AS "float", $4::boolean AS "bool",
          $5::text AS "nothing", $6::timestamptz AS "time", $7::bytea AS "bytes",
          $8::jsonb AS "object", $9::jsonb AS "string", $10::text[] AS "array",
          count(*)::int AS "count"`,
        [
          "é ' \\",
          42,
          0.1,
          true,
          null,
          when,
          new Uint8Array([0, 255]),
          { a: [1, "b"], c: null },
          "a JSON string",
          ["x", "y"],
        ],
      );
      assert.deepEqual({ ...row, bytes: [...(row.bytes as Uint8Array)] }, {
        text: "é ' \\",
        int: 42,
        float: 0.1,
        bool: true,
        nothing: null,
        time: when,
        bytes: [0, 255],
        object: { a: [1, "b"], c: null },
        string: "a JSON string",
        array: ["x", "y"],
        count: 1,
      });
    },
  },
  {
    name: "Engine.transaction() commits what its function did, or nothing when it throws",
    async fn({ store: { engine } }) {
      await engine.exec(
        "DROP TABLE IF EXISTS engine_test; CREATE TABLE engine_test (x int); " +
          "INSERT INTO engine_test VALUES (1);",
      );
      try {
        assert.equal(
          await engine.transaction(async (tx) => {
            await tx.query("INSERT INTO engine_test VALUES ($1)", [2]);
            return "committed";
          }),
          "committed",
        );
        await assert.rejects(
          engine.transaction(async (tx) => {
            await tx.query("INSERT INTO engine_test VALUES ($1)", [3]);
            throw new Error("changed my mind");
          }),
          /changed my mind/,
        );
        await assert.rejects(
          engine.transaction(async (tx) => {
            await tx.query("INSERT INTO engine_test VALUES ($1)", [4]);
            await tx.query("INSERT INTO engine_test VALUES ($1)", ["not a number"]);
          }),
          /invalid input syntax/,
        );
        const rows = await engine.query("SELECT x FROM engine_test ORDER BY x");
        assert.deepEqual(rows.map((r) => r.x), [1, 2]);
      } finally {
        await engine.exec("DROP TABLE engine_test");
      }
    },
  },
]);

Deno.test("openPgliteEngine() keeps data across reopening and refuses a folder in use", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "store-test-" });
  try {
    const first = await openPgliteEngine(dataDir);
    try {
      await first.exec("CREATE TABLE kept (x text); INSERT INTO kept VALUES ('still here');");
      await assert.rejects(openPgliteEngine(dataDir), /another process is using it/);
    } finally {
      await first.close();
    }
    const second = await openPgliteEngine(dataDir);
    try {
      assert.deepEqual(await second.query("SELECT x FROM kept"), [{ x: "still here" }]);
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("openPostgresEngine() names the server, without the password, when it cannot connect", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  const error = await openPostgresEngine(`postgres://ada:s3cret@127.0.0.1:${port}/course`).then(
    () => assert.fail("expected no server on a free port"),
    (error: Error) => error,
  );
  assert.match(
    error.message,
    new RegExp(
      `^Cannot connect to the database "postgres://ada:\\*\\*\\*@127.0.0.1:${port}/course"`,
    ),
  );
  assert.doesNotMatch(error.message, /s3cret/);
});
