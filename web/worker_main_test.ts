/**
 * `deno task worker`, run as a process on a store in a temporary `DATA_DIR`.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openStore } from "./store/mod.ts";

const MAIN = fileURLToPath(new URL("./worker_main.ts", import.meta.url));
const SOLUTION = fileURLToPath(new URL("../solutions/02-lms/lms.ts", import.meta.url));

function worker(dataDir: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, ...args],
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

Deno.test("worker grades queued submissions, one line each, and stops on SIGINT", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "worker-main-test-" });
  try {
    const store = await openStore({ dataDir });
    try {
      await store.createUser({ id: "ada", role: "student" });
      const files = { "lms.ts": await Deno.readFile(SOLUTION) };
      assert.ok((await store.submit({ student: "ada", exercise: "02-lms", files })).accepted);
    } finally {
      await store.close();
    }

    const child = worker(dataDir, ["--workers", "2"]);
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
    if (lines.some((line) => line.startsWith("Graded"))) child.kill("SIGINT");
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      lines.push(...chunk.value.split("\n").filter(Boolean));
    }
    const { code } = await child.status;
    assert.equal(code, 0, await stderr);
    assert.match(lines[0], /^2 workers grading from PGlite/);
    assert.match(lines[1], /^Graded ada\/02-lms \(.+\): 10\/10, graded/);
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
