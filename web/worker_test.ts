import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { EXERCISES, parseExercises } from "../course/metadata.ts";
import type { Execution, Executor } from "../grader/grade.ts";
import { toGradescope } from "../grader/report.ts";
import { openStore, type Store, type StoreOptions } from "./store/mod.ts";
import { runWorker, type WorkerEvent, type WorkerOptions } from "./worker.ts";

/** A fixed course secret, so that the hidden inputs are the same on every run. */
const SECRET = "worker-test-fixed-course-secret-7d1e";

const SOLUTION = await Deno.readTextFile(
  fileURLToPath(new URL("../solutions/02-lms/lms.ts", import.meta.url)),
);

/** The solution with a `cost` that never returns. */
const HANGING = SOLUTION.replace(
  /(export function cost\([^)]*\): number \{)/,
  "$1\n  while (theta.length >= 0) theta.length;",
);

/** The course with a short time limit for 02-lms, so that a hanging submission stops soon. */
const COURSE = parseExercises(
  EXERCISES.map((e) => e.id === "02-lms" ? { ...e, limits: { ...e.limits, timeMs: 6_000 } } : e),
);

/** Opens a store in a temporary DATA_DIR, runs `fn` on it, and deletes it. */
async function withStore(
  fn: (store: Store) => Promise<void>,
  options: StoreOptions = {},
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "worker-test-" });
  const store = await openStore({ ...options, dataDir });
  try {
    await fn(store);
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Creates a student and queues their 02-lms submission; returns the submission's id. */
async function submit(store: Store, student: string, source: string): Promise<string> {
  await store.createUser({ id: student, role: "student" });
  const outcome = await store.submit({
    student,
    exercise: "02-lms",
    files: { "lms.ts": new TextEncoder().encode(source) },
  });
  assert.ok(outcome.accepted);
  return outcome.submission.id;
}

/**
 * Runs workers on one store until `enough` holds for the events so far, then aborts them and
 * waits for them to stop.
 */
async function runUntil(
  store: Store,
  workers: Omit<WorkerOptions, "signal" | "onEvent">[],
  enough: (events: WorkerEvent[]) => boolean,
): Promise<WorkerEvent[]> {
  const events: WorkerEvent[] = [];
  const stop = new AbortController();
  const giveUp = setTimeout(() => stop.abort(), 30_000);
  const onEvent = (event: WorkerEvent) => {
    events.push(event);
    if (enough(events)) stop.abort();
  };
  try {
    await Promise.all(
      workers.map((options) =>
        runWorker(store, { secret: SECRET, pollMs: 20, ...options, signal: stop.signal, onEvent })
      ),
    );
  } finally {
    clearTimeout(giveUp);
  }
  const brief = events.map((e) => `${e.student} ${e.status} ${e.queue ?? ""}`);
  assert.ok(enough(events), `the workers stopped early: ${brief.join("; ")}`);
  return events;
}

const done = (count: number) => (events: WorkerEvent[]) =>
  events.filter((e) => e.status === "done").length >= count;

/** An executor that fails every case as a crash, after `delayMs`, and records its folders. */
function fakeExecutor(delayMs: number, folders: string[] = []): Executor {
  return async (folder, _exercise, cases): Promise<Execution> => {
    folders.push(folder);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const reason = "your code crashed";
    return {
      status: "crash",
      message: reason,
      runs: cases.map(() => ({ kind: "failed", reason })),
    };
  };
}

async function isEmpty(folder: string): Promise<boolean> {
  for await (const _ of Deno.readDir(folder)) return false;
  return true;
}

Deno.test("runWorker() grades in the sandbox: full marks when correct, a timeout grade when hanging", async () => {
  await withStore(async (store) => {
    const correct = await submit(store, "ada", SOLUTION);
    const hanging = await submit(store, "bob", HANGING);
    const tempDir = await Deno.makeTempDir({ prefix: "worker-test-jobs-" });
    try {
      const events = await runUntil(
        store,
        [{ exercises: COURSE, tempDir }],
        done(2),
      );
      assert.deepEqual(
        events.map((e) => [e.submission, e.status]),
        [[correct, "running"], [correct, "done"], [hanging, "running"], [hanging, "done"]],
      );
      assert.ok(await isEmpty(tempDir), "the job folders are removed");
    } finally {
      await Deno.remove(tempDir, { recursive: true });
    }

    const full = await store.getSubmission(correct);
    assert.equal(full?.status, "done");
    assert.equal(full.result?.status, "graded");
    assert.equal(full.score, full.maxScore);
    assert.equal(full.result.student, "ada");
    assert.equal(toGradescope(full.result).score, full.maxScore);

    const stopped = await store.getSubmission(hanging);
    assert.equal(stopped?.status, "done");
    assert.equal(stopped.result?.status, "timeout");
    assert.ok(stopped.score! < stopped.maxScore!, `score ${stopped.score}`);
    assert.ok(stopped.attemptCounted);
  });
});

Deno.test("runWorker() hands a job back without costing an attempt when the machinery fails", async () => {
  await withStore(async (store) => {
    const id = await submit(store, "ada", SOLUTION);
    const execute: Executor = () => Promise.reject(new Error("the sandbox broke"));
    const events = await runUntil(
      store,
      [{ execute }],
      (events) => events.filter((e) => e.status === "error").length >= 2,
    );
    assert.deepEqual(
      events.map((e) => [e.status, e.queue]),
      [["running", undefined], ["error", "requeued"], ["running", undefined], ["error", "failed"]],
    );
    assert.match(
      events[1].reason!,
      /Cannot grade submission ".+" \(ada\/02-lms\): the sandbox broke/,
    );
    const submission = await store.getSubmission(id);
    assert.equal(submission?.status, "error");
    assert.equal(submission.attemptCounted, false);
    assert.equal((await store.progress("ada")).find((p) => p.exercise === "02-lms")?.attempts, 0);
  }, { maxJobAttempts: 2, retryDelayMs: 1 });
});

Deno.test("runWorker() refuses a stored file name that is not a plain name", async () => {
  await withStore(async (store) => {
    const id = await submit(store, "ada", SOLUTION);
    await store.engine.query(
      "UPDATE submission_files SET name = '../lms.ts' WHERE submission_id = $1",
      [
        id,
      ],
    );
    const folders: string[] = [];
    const events = await runUntil(
      store,
      [{ execute: fakeExecutor(0, folders) }],
      (events) => events.some((e) => e.status === "error"),
    );
    assert.match(events[1].reason!, /"\.\.\/lms\.ts" is not a plain file name/);
    assert.equal(events[1].queue, "failed");
    assert.deepEqual(folders, []);
    assert.equal((await store.getSubmission(id))?.status, "error");
  }, { maxJobAttempts: 1 });
});

Deno.test("runWorker() loops on one store never grade a job twice, and renew long leases", async () => {
  await withStore(async (store) => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await submit(store, `student-${i}`, SOLUTION));
    const folders: string[] = [];
    // Grading takes twice a lease, and with an odd number of jobs one worker waits while
    // the other grades the last: without renewals it would take that job over. Renewals
    // come every leaseMs/3, so a busy event loop may stall a whole second without a miss.
    const execute = fakeExecutor(3_000, folders);
    const events = await runUntil(
      store,
      [{ execute, leaseMs: 1_500, workerId: "one" }, { execute, leaseMs: 1_500, workerId: "two" }],
      done(5),
    );
    assert.equal(events.length, 10);
    for (const id of ids) {
      assert.deepEqual(events.filter((e) => e.submission === id).map((e) => e.status), [
        "running",
        "done",
      ]);
      assert.equal((await store.getSubmission(id))?.status, "done");
    }
    assert.equal(folders.length, 5);
  });
});

Deno.test("runWorker() stops when its signal aborts, after recording the job in hand", async () => {
  await withStore(async (store) => {
    const id = await submit(store, "ada", SOLUTION);
    const stop = new AbortController();
    // The job is in hand once the executor runs: the test waits for that, not for a fixed
    // time (a loaded machine may take longer to lease the job and draw its cases).
    const inHand = Promise.withResolvers<void>();
    const released = Promise.withResolvers<void>();
    const execute: Executor = async (_folder, _exercise, cases) => {
      stop.abort();
      inHand.resolve();
      await released.promise;
      return { status: "ok", runs: cases.map(() => ({ kind: "failed", reason: "wrong" })) };
    };
    const statuses: string[] = [];
    const worker = runWorker(store, {
      signal: stop.signal,
      secret: SECRET,
      execute,
      pollMs: 10,
      onEvent: (e) => statuses.push(e.status),
    });
    await inHand.promise;
    assert.deepEqual(statuses, ["running"]);
    released.resolve();
    await worker;
    assert.deepEqual(statuses, ["running", "done"]);
    assert.equal((await store.getSubmission(id))?.status, "done");

    const idle = new AbortController();
    const started = performance.now();
    const waiting = runWorker(store, {
      signal: idle.signal,
      secret: SECRET,
      execute,
      pollMs: 60_000,
    });
    setTimeout(() => idle.abort(), 50);
    await waiting;
    assert.ok(
      performance.now() - started < 5_000,
      "an idle worker stops without waiting out its poll",
    );
  });
});
