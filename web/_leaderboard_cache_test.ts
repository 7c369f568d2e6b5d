import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { LeaderboardCache } from "./_leaderboard_cache.ts";
import { openStore, type Store } from "./store/mod.ts";

const ORIGIN = "http://localhost:8000";

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "leaderboard-cache-test-" });
  const store = await openStore({ dataDir });
  try {
    await fn(store);
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Submits 02-lms for a student and records a grade for it, as a worker would. */
async function grade(store: Store, student: string, score: number): Promise<void> {
  const files = { "lms.ts": new TextEncoder().encode("export {};\n") };
  const outcome = await store.submit({ student, exercise: "02-lms", files });
  assert.ok(outcome.accepted);
  const job = await store.claimJob("test-worker");
  assert.ok(job);
  assert.ok(
    await store.completeJob(job, {
      student,
      exercise: "02-lms",
      status: "graded",
      score,
      maxScore: 10,
      groups: [],
      durationMs: 5,
    }),
  );
}

Deno.test("LeaderboardCache.get() keeps an answer until the store records a grade", async () => {
  await withStore(async (store) => {
    await store.createUser({ id: "ada", role: "student" });
    let made = 0;
    const cache = new LeaderboardCache(store, { render: () => Promise.resolve(`${++made}`) });
    assert.equal(await cache.get("02-lms"), "1");
    assert.equal(await cache.get("02-lms"), "1");
    await grade(store, "ada", 7);
    assert.equal(await cache.get("02-lms"), "2");
    assert.equal(await cache.get("02-lms"), "2");
  });
});

Deno.test("LeaderboardCache.get() makes one answer for requests that arrive together", async () => {
  await withStore(async (store) => {
    let made = 0;
    const cache = new LeaderboardCache(store, {
      render: async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        return `${++made}`;
      },
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.get("02-lms")));
    assert.deepEqual(new Set(answers), new Set(["1"]));
    assert.equal(made, 1);
  });
});

Deno.test("LeaderboardCache.get() remakes an old answer in the background and serves the old one meanwhile", async () => {
  await withStore(async (store) => {
    let time = 0;
    let made = 0;
    let release = () => {};
    const cache = new LeaderboardCache(store, {
      maxAgeMs: 1000,
      now: () => time,
      render: async () => {
        if (made > 0) await new Promise<void>((resolve) => release = resolve);
        return `${++made}`;
      },
    });
    assert.equal(await cache.get("02-lms"), "1");
    time = 999;
    assert.equal(await cache.get("02-lms"), "1");
    time = 1000;
    assert.equal(await cache.get("02-lms"), "1", "the old answer while the new one is made");
    assert.equal(await cache.get("02-lms"), "1", "one new answer at a time");
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(await cache.get("02-lms"), "2");
  });
});

Deno.test("LeaderboardCache.get() does not keep a failed answer", async () => {
  await withStore(async (store) => {
    let calls = 0;
    const cache = new LeaderboardCache(store, {
      render: () =>
        ++calls === 1 ? Promise.reject(new Error("database gone")) : Promise.resolve("ok"),
    });
    await assert.rejects(cache.get("02-lms"), /database gone/);
    assert.equal(await cache.get("02-lms"), "ok");
  });
});

Deno.test("GET /api/leaderboard shows a grade recorded after an earlier answer", async () => {
  await withStore(async (store) => {
    await store.createUser({ id: "ada", name: "Ada", role: "student" });
    await store.createUser({ id: "bob", name: "Bob", role: "student" });
    const { token } = await store.createSession("ada");
    const app = createApp({ store, origin: ORIGIN });
    const leaderboard = async () => {
      const response = await app.request(`${ORIGIN}/api/leaderboard?exercise=02-lms`, {
        headers: { cookie: `session=${token}` },
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
      const body = await response.json() as { rows: { name: string; score: number }[] };
      return body.rows.map((row) => `${row.name} ${row.score}`);
    };
    await grade(store, "ada", 6);
    assert.deepEqual(await leaderboard(), ["Ada 6"]);
    await grade(store, "bob", 9);
    assert.deepEqual(await leaderboard(), ["Bob 9", "Ada 6"]);
  });
});
