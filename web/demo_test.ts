import assert from "node:assert/strict";
import { SAMPLE_CLASS } from "../fixtures/sample_class.ts";
import { loadDemo } from "./demo.ts";
import { openStore } from "./store/mod.ts";

Deno.test("loadDemo() creates the demo users, queues the sample class, and runs only once", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "web-demo-test-" });
  const store = await openStore({ dataDir });
  try {
    const demo = await loadDemo(store);
    assert.ok(demo);
    assert.equal(demo.queued, SAMPLE_CLASS.length);
    const students = new Set(SAMPLE_CLASS.map(({ student }) => student));
    assert.deepEqual(
      new Set(demo.credentials.filter(({ role }) => role === "student").map(({ id }) => id)),
      students,
    );
    assert.ok(
      demo.credentials.some(({ id, role }) => id === "demo-instructor" && role === "instructor"),
    );
    assert.ok(demo.credentials.some(({ role }) => role === "ta"));
    for (const { id, name, password } of demo.credentials) {
      assert.notEqual(name, id, `the display name of "${id}" is its id`);
      assert.ok(await store.authenticate(id, password), `"${id}" cannot sign in`);
    }
    assert.equal((await store.listUsers()).length, demo.credentials.length);
    for (const student of students) {
      const queued = await store.listSubmissions(student);
      assert.equal(
        queued.length,
        SAMPLE_CLASS.filter((submission) => submission.student === student).length,
      );
      assert.ok(queued.every(({ status }) => status === "queued"));
    }

    assert.equal(await loadDemo(store), null);
    assert.equal((await store.listUsers()).length, demo.credentials.length);
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** Reads the process's stdout until `done` matches what was read, or fails after `ms`. */
async function readUntil(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  done: RegExp,
  ms: number,
): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), ms);
  try {
    while (!done.test(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += value;
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  return text;
}

Deno.test("loadDemo() runs at `deno task start --demo`, which prints the credentials and stops on SIGTERM", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "web-demo-server-test-" });
  const listener = Deno.listen({ port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "start", "--demo", "--workers", "1"],
    cwd: new URL("..", import.meta.url),
    env: { PORT: String(port), DATA_DIR: dataDir },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const output = await readUntil(
      child.stdout,
      /Demo: \d+ students, \d+ submissions queued/,
      60_000,
    );
    assert.match(output, /Demo credentials/);
    assert.match(output, /demo-instructor +\S{16}/);
    const students = new Set(SAMPLE_CLASS.map(({ student }) => student)).size;
    assert.match(
      output,
      new RegExp(`Demo: ${students} students, ${SAMPLE_CLASS.length} submissions queued`),
    );
  } finally {
    child.kill("SIGTERM");
    await child.stdout.cancel().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exit = await Promise.race([
      child.status,
      new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 60_000)),
    ]);
    clearTimeout(timer);
    if (exit === null) child.kill("SIGKILL");
    await child.status;
    await Deno.remove(dataDir, { recursive: true });
    assert.ok(exit, "the portal did not stop within 60 s of SIGTERM");
  }
});
