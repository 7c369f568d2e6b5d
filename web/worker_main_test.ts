/**
 * `deno task worker`, run as a process on a store in a temporary `DATA_DIR`.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openStore } from "./store/mod.ts";

const MAIN = fileURLToPath(new URL("./worker_main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SOLUTION = fileURLToPath(new URL("../solutions/02-lms/lms.ts", import.meta.url));

/**
 * The worker with `args`, as `deno run` or, with `task`, as `deno task worker` in a session
 * of its own, as a terminal starts it (a terminal's Ctrl-C signals the whole group).
 */
function worker(dataDir: string, args: string[], task = false): Deno.ChildProcess {
  const command = task ? "setsid" : Deno.execPath();
  return new Deno.Command(command, {
    args: task
      ? [Deno.execPath(), "task", "--quiet", "worker", ...args]
      : ["run", "--allow-all", MAIN, ...args],
    cwd: ROOT,
    env: {
      NO_COLOR: "1",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      GRADER_SECRET: "worker-main-test-fixed-secret-5b2",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("deno task worker grades queued submissions, one line each, and finishes on Ctrl-C", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "worker-main-test-" });
  try {
    const store = await openStore({ dataDir });
    try {
      await store.createUser({ id: "ada", role: "student" });
      await store.createUser({ id: "bob", role: "student" });
      const solution = await Deno.readFile(SOLUTION);
      const files = { "lms.ts": solution };
      assert.ok((await store.submit({ student: "ada", exercise: "02-lms", files })).accepted);
      // bob's takes two seconds more to load: his job is in hand when ada's is done.
      const slow = new TextEncoder().encode(
        "const start = Date.now();\nwhile (Date.now() - start < 2000);\n",
      );
      const slowFiles = { "lms.ts": new Uint8Array([...slow, ...solution]) };
      assert.ok(
        (await store.submit({ student: "bob", exercise: "02-lms", files: slowFiles })).accepted,
      );
    } finally {
      await store.close();
    }

    const child = worker(dataDir, ["--workers", "2"], true);
    const lines: string[] = [];
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const stderr = new Response(child.stderr).text();
    let buffered = "";
    while (!lines.some((line) => line.startsWith("Graded"))) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      lines.push(...parts);
    }
    // A worker that exited early has nothing to stop; its status and output tell why.
    // Ctrl-C reaches `deno task` and the worker, and `deno task` passes its copy on: the
    // worker takes both for one, and finishes.
    if (lines.some((line) => line.startsWith("Graded"))) Deno.kill(-child.pid, "SIGINT");
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      lines.push(...chunk.value.split("\n").filter(Boolean));
    }
    const { code } = await child.status;
    assert.equal(code, 0, await stderr);
    assert.match(lines[0], /^2 workers grading from PGlite/);
    assert.match(lines[1], /^Graded ada\/02-lms \(.+\): 10\/10, graded/);
    assert.match(lines[2], /^Graded bob\/02-lms \(.+\): 10\/10, graded/);
    assert.equal(lines.at(-1), "Stopped.");
    assert.match(await stderr, /Stopping: finishing the jobs in hand/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("worker refuses a bad --workers with exit status 2", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "worker-main-test-" });
  try {
    const { code, stderr } = await worker(dataDir, ["--workers", "0"]).output();
    assert.equal(code, 2);
    assert.match(new TextDecoder().decode(stderr), /Invalid --workers "0"/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
