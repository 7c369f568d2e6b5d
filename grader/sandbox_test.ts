// These tests run real sandboxes (bubblewrap must work here) on the hostile submissions in
// testdata/attacks/ and the honest ones in testdata/honest/. One sandbox serves every
// test of this file; its folder goes when the file's tests are done, even filtered.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { descendants, isRunning, processUsage, startTime } from "./process_tree.ts";
import {
  MAX_RESULT_ITEMS,
  openSandbox,
  runInSandbox,
  type RunLimits,
  type Sandbox,
  type SandboxRequest,
  type SandboxResult,
  SandboxUnavailableError,
} from "./sandbox.ts";
import type { CallResult } from "./suite.ts";

const TESTDATA = fileURLToPath(new URL("./testdata/", import.meta.url));
const REPO = fileURLToPath(new URL("../", import.meta.url));

const home = Deno.makeTempDirSync({ prefix: "sandbox-test-" });
addEventListener("unload", () => Deno.removeSync(home, { recursive: true }));
let opened: Promise<Sandbox> | undefined;
const sandbox = () => (opened ??= openSandbox({ tempDir: home }));

function run(
  folder: string,
  entry: string,
  calls: SandboxRequest["cases"][number],
  limits?: RunLimits,
) {
  return sandbox().then((s) => s.run({ submission: folder, entry, cases: [calls] }, limits));
}

function probe(fn: string, args: unknown[] = [], limits?: RunLimits): Promise<SandboxResult> {
  return run(
    join(TESTDATA, "attacks", "probe"),
    "probe.ts",
    [{ fn, args: args as never[] }],
    limits,
  );
}

function commandLine(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return "";
  }
}

/** The single result of a one-call run, which must have ended "ok". */
function only(result: SandboxResult): CallResult {
  assert.equal(result.status, "ok", "message" in result ? result.message : undefined);
  assert.equal(result.cases.length, 1);
  return result.cases[0][0];
}

/** The value of a one-call run's call, which must have succeeded. */
function value(result: SandboxResult): unknown {
  const call = only(result);
  assert.ok(call.ok, `the call failed: ${JSON.stringify(call)}`);
  return call.value;
}

function failure(result: SandboxResult): string {
  const call = only(result);
  assert.equal(call.ok, false, `the call succeeded with ${JSON.stringify(call)}`);
  return call.ok ? "" : call.error;
}

async function withSubmission<T>(
  files: Record<string, string>,
  body: (folder: string) => Promise<T>,
): Promise<T> {
  const folder = await Deno.makeTempDir({ prefix: "submission-" });
  try {
    for (const [name, content] of Object.entries(files)) {
      await Deno.writeTextFile(join(folder, name), content);
    }
    return await body(folder);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test("Sandbox.run() returns a normal module's results, printing and helper imports", async () => {
  const result = await run(join(TESTDATA, "honest", "normal"), "lms.ts", [
    { fn: "predict", args: [[1, 2], [3, 4]] },
    { fn: "cost", args: [[1, 0], [[1, 1], [1, 2]], [2, 3]] },
    { fn: "special", args: [] },
    { fn: "fail", args: [] },
  ]);
  assert.equal(result.status, "ok");
  const [predict, cost, special, fail] = result.cases[0];
  assert.deepEqual(predict.ok && predict.value, 11);
  assert.deepEqual(cost.ok && cost.value, 2.5);
  assert.ok(special.ok);
  const [nan, negativeZero, infinity, undef, typed] = special.value as unknown[];
  assert.ok(Number.isNaN(nan) && Object.is(negativeZero, -0) && infinity === Infinity);
  assert.equal(undef, undefined);
  assert.deepEqual(typed, [0.5]);
  assert.deepEqual(fail, { ok: false, error: "TypeError: theta must not be empty", ms: fail.ms });
  assert.equal(result.stdout, "lms.ts loaded\n");
  assert.equal(result.stderr, "a warning on stderr\n");
});

Deno.test("Sandbox.run() lets a module import @tensorflow/tfjs offline", async () => {
  const result = await run(join(TESTDATA, "honest", "tfjs"), "lms.ts", [
    { fn: "predict", args: [[1, 2], [3, 4]] },
    { fn: "tensor", args: [] },
  ]);
  assert.equal(result.status, "ok", "message" in result ? result.message : result.stderr);
  const [predict, tensor] = result.cases[0];
  assert.deepEqual(predict.ok && predict.value, 11);
  assert.match(!tensor.ok ? tensor.error : "", /tfjs tensor/);
  assert.doesNotMatch(result.stderr, /Ignored build scripts/);
});

Deno.test("Sandbox.run() reports a missing export and a thrown string on their calls", async () => {
  const result = await probe("noSuchExport");
  assert.match(failure(result), /^the module does not export "noSuchExport": it exports "/);
  assert.match(failure(await probe("throwString")), /threw the string "plain string"/);
});

Deno.test("Sandbox.run() reports a syntax error as a load error with file:line", async () => {
  const result = await run(join(TESTDATA, "attacks", "syntax_error"), "lms.ts", []);
  assert.equal(result.status, "load-error");
  assert.ok("message" in result);
  assert.match(result.message, /^Your code does not load: SyntaxError: /);
  assert.match(result.message, /lms\.ts:2:\d+/);
  assert.doesNotMatch(result.message, /\/sandbox\//);
});

Deno.test("Sandbox.run() reports an error thrown while loading, with where", async () => {
  const result = await run(join(TESTDATA, "attacks", "top_level_throw"), "lms.ts", []);
  assert.equal(result.status, "load-error");
  assert.ok("message" in result);
  assert.match(
    result.message,
    /^Your code does not load: RangeError: broken at load with 1 entry\n\s+at lms\.ts:4:7/,
  );
});

Deno.test("Sandbox.run() refuses a symbolic link before anything runs", async () => {
  await withSubmission(
    { "lms.ts": 'console.log("ran");\nexport const x = 1;\n' },
    async (folder) => {
      await Deno.symlink(join(REPO, "grader", "secret.ts"), join(folder, "secret.ts"));
      const result = await run(folder, "lms.ts", [{ fn: "x", args: [] }]);
      assert.equal(result.status, "refused");
      assert.ok("message" in result);
      assert.equal(result.message, 'Your submission was not run: "secret.ts" is a symbolic link');
      assert.equal(result.stdout, "");
      assert.deepEqual(result.cases, []);
    },
  );
});

Deno.test("Sandbox.run() refuses a huge file, and a missing entry file", async () => {
  await withSubmission({ "lms.ts": "export const x = 1;\n" }, async (folder) => {
    await Deno.writeFile(join(folder, "data.bin"), new Uint8Array(1024 * 1024 + 1));
    const result = await run(folder, "lms.ts", []);
    assert.equal(result.status, "refused");
    assert.ok("message" in result);
    assert.match(result.message, /"data\.bin" is larger than 1 MiB/);
    const missing = await run(folder, "adaboost.ts", [], { submission: { maxFileBytes: 2 ** 21 } });
    assert.ok("message" in missing);
    assert.match(missing.message, /adaboost\.ts is missing from the submission/);
  });
});

Deno.test("Sandbox.run() hides the course's files from static and computed imports", async () => {
  const targets = [join(REPO, "grader", "secret.ts"), join(REPO, "solutions", "02-lms", "lms.ts")];
  for (const target of targets) {
    const relative = "../".repeat(4) + target.replace(/^\/+/, "");
    for (const specifier of [target, relative]) {
      await withSubmission(
        {
          "lms.ts": `import * as stolen from ${
            JSON.stringify(specifier)
          };\nexport const x = stolen;\n`,
        },
        async (folder) => {
          const result = await run(folder, "lms.ts", []);
          assert.equal(result.status, "load-error", `${specifier}: ${result.status}`);
          assert.ok("message" in result);
          assert.match(result.message, /Module not found/);
        },
      );
    }
    assert.match(failure(await probe("importPath", [target])), /Requires read access/);
  }
  const config = await probe("importPath", [join(REPO, "deno.json")]);
  assert.match(failure(config), /Requires read access|Module not found/);
});

Deno.test("Sandbox.run() denies files, environment, subprocesses, FFI and KV", async () => {
  assert.match(failure(await probe("readFile", ["/etc/passwd"])), /NotCapable: Requires read/);
  assert.match(failure(await probe("readFile", ["/proc/self/environ"])), /NotCapable/);
  assert.match(failure(await probe("readFile", [join(REPO, "grader", "secret.ts")])), /NotCapable/);
  assert.match(failure(await probe("env", ["HOME"])), /NotCapable: Requires env/);
  assert.match(failure(await probe("runCommand")), /NotCapable: Requires run/);
  assert.match(failure(await probe("loadLibrary")), /NotCapable: Requires ffi/);
  assert.match(failure(await probe("openKv")), /openKv is not a function/);
});

Deno.test("Sandbox.run() leaves no way to read the request, and its nonce, again", async () => {
  const tries = value(await probe("readRequest"));
  assert.equal(typeof tries, "string");
  assert.match(tries as string, /^stdin: \w*$/);
  // By path, which needs no permission: a static import, and a literal dynamic one, which
  // Deno reads as it starts, before the harness says hello and the grader writes the
  // request (that read waits, and the run times out), or once the pipe is drained (empty).
  for (
    const source of [
      'import request from "/proc/self/fd/0" with { type: "json" };\n' +
      "export const stolen = () => JSON.stringify(request);\n",
      "export const stolen = async () =>\n" +
      '  JSON.stringify(await import("/proc/self/fd/0", { with: { type: "json" } }));\n',
    ]
  ) {
    await withSubmission({ "lms.ts": source }, async (folder) => {
      const result = await run(folder, "lms.ts", [{ fn: "stolen", args: [] }], { timeMs: 2000 });
      const text = JSON.stringify(result);
      assert.doesNotMatch(text, /"parts"|drivers/, text);
      assert.notEqual(result.status, "ok", text);
    });
  }
});

Deno.test("Sandbox.run() gives no network, not even to a port on this machine", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  let connections = 0;
  const accepting = (async () => {
    for await (const connection of listener) {
      connections++;
      connection.close();
    }
  })();
  try {
    assert.match(
      failure(await probe("fetchUrl", [`http://127.0.0.1:${port}/`])),
      /NotCapable: Requires net/,
    );
    assert.match(failure(await probe("connect", [port])), /NotCapable: Requires net/);
    assert.equal(connections, 0);
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
});

Deno.test("Sandbox.run() gives every run fresh storage: localStorage and caches do not persist", async () => {
  assert.equal(
    value(await probe("setStorage", ["from an earlier student"])),
    "from an earlier student",
  );
  assert.equal(value(await probe("getStorage")), null);
  assert.equal(value(await probe("putCache", ["from an earlier student"])), "stored");
  assert.equal(value(await probe("getCache")), null);
});

Deno.test("Sandbox.run() caps what a run may store", async () => {
  assert.match(failure(await probe("fillCache", [100])), /No space left on device|quota|storage/i);
});

Deno.test("Sandbox.run() refuses npm: packages outside the import map and remote imports", async () => {
  for (
    const [name, pattern] of [
      ["npm_outside_map", /imports npm:zod@4\.6\.7, which the course does not provide/],
      ["remote_import", /--no-remote/],
      ["bare_unmapped", /"@tensorflow\/tfjs-core" not a dependency/],
    ] as const
  ) {
    const result = await run(join(TESTDATA, "attacks", name), "lms.ts", []);
    assert.equal(result.status, "load-error", name);
    assert.ok("message" in result);
    assert.match(result.message, pattern);
  }
});

Deno.test("Sandbox.run() ignores the submission's own deno.json", async () => {
  const result = await run(join(TESTDATA, "attacks", "foreign_config"), "lms.ts", []);
  assert.equal(result.status, "load-error");
  assert.ok("message" in result);
  assert.match(result.message, /Import "helper" not a dependency/);
});

Deno.test("Sandbox.run() stops an infinite loop at the time limit and leaves no process", async () => {
  const running = probe("spin", [], { timeMs: 3000 });
  // Tests of other files may run sandboxes in this process too: keep to this file's.
  const ours = () =>
    descendants(Deno.pid)
      .filter((p) => p.name === "bwrap" && commandLine(p.pid).includes(home))
      .flatMap((bwrap) => [bwrap, ...descendants(bwrap.pid)]);
  let tree: { pid: number; name: string }[] = [];
  for (let i = 0; i < 125 && !tree.some((p) => p.name === "deno"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    tree = ours();
  }
  assert.ok(tree.some((p) => p.name === "deno"), "the sandboxed deno never appeared");
  const result = await running;
  assert.equal(result.status, "timeout");
  assert.ok("message" in result);
  assert.equal(result.message, "Your code ran for more than 3 s and was stopped");
  assert.equal(result.running, 0);
  assert.ok(result.durationMs >= 3000 && result.durationMs < 8000, `${result.durationMs} ms`);
  // A killed process closes its pipes a moment before the kernel marks it dead.
  for (let i = 0; i < 100 && tree.some(({ pid }) => isRunning(pid)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const { pid, name } of tree) assert.equal(isRunning(pid), false, `${name} ${pid} survived`);
});

Deno.test("Sandbox.run() stops code that uses more processor time than it may", async () => {
  const result = await probe("spin", [], { timeMs: 8000, cpuMs: 1000 });
  assert.equal(result.status, "timeout");
  assert.ok("message" in result);
  assert.equal(
    result.message,
    "Your code used more than 1 s of processor time (all its threads together) and was stopped",
  );
  assert.ok(result.durationMs < 6000, `${result.durationMs} ms`);
});

Deno.test("Sandbox.run() stops a JS heap bomb and a native memory bomb as memory", async () => {
  for (const fn of ["growHeap", "growBuffers", "growWasmMemory"]) {
    const result = await probe(fn, [], { memoryMb: 256 });
    assert.equal(result.status, "memory", fn);
    assert.ok("message" in result);
    assert.match(result.message, /more than 256 MiB of memory|too much memory/);
  }
});

Deno.test("Sandbox.run() stops a Worker bomb at the thread cap", async () => {
  const result = await probe("spawnWorkers", [], { maxThreads: 48 });
  assert.ok(result.status === "crash" || result.status === "memory", result.status);
  assert.ok("message" in result);
  assert.match(result.message, /more than 48 threads|memory/);
});

Deno.test("Sandbox.run() stops an output flood at the output cap", async () => {
  const result = await probe("flood", [], { maxOutputBytes: 64 * 1024 });
  assert.equal(result.status, "output-limit");
  assert.ok("message" in result);
  assert.equal(result.message, "Your code printed more than 64 KiB and was stopped");
  assert.ok(result.stdout.length <= 64 * 1024);
});

Deno.test("Sandbox.run() reports Deno.exit() at load as a crash with no results", async () => {
  const result = await run(join(TESTDATA, "attacks", "exit_at_load"), "lms.ts", [{
    fn: "predict",
    args: [],
  }]);
  assert.equal(result.status, "crash");
  assert.ok("message" in result);
  assert.match(result.message, /stopped the program before all tests ran \(exit code 0\)/);
  assert.deepEqual(result.cases, []);
  assert.equal(result.stdout, "leaving early\n");
});

Deno.test("Sandbox.run() ignores result frames forged without the nonce", async () => {
  const result = await probe("forgeFrames");
  assert.equal(value(result), 7);
  assert.match(result.stdout, /"value":42/);
  assert.match(result.stdout, /\{"type":"done"\}/);
});

Deno.test("Sandbox.run() reports a promise that never settles", async () => {
  const result = await probe("never");
  assert.equal(result.status, "crash");
  assert.ok("message" in result);
  assert.match(result.message, /promise that never settles/);
});

Deno.test("openSandbox() removes the folders of sandboxes whose process was killed, and no other", async () => {
  const tempDir = await Deno.makeTempDir({ prefix: "sandbox-abandoned-" });
  try {
    // A grader killed with SIGKILL left its folder (copies of students' code) behind.
    const killed = new Deno.Command("sleep", { args: ["60"] }).spawn();
    const mark = `${killed.pid} ${startTime(killed.pid)}`;
    killed.kill("SIGKILL");
    await killed.status;
    const folders = {
      abandoned: mark,
      // Its pid is running again, as another process, started later.
      reused: `${Deno.pid} ${startTime(Deno.pid)! - 1}`,
      // A sandbox open in this process, and one opening (no owner file yet).
      live: `${Deno.pid} ${startTime(Deno.pid)}`,
      opening: undefined,
    };
    for (const [name, owner] of Object.entries(folders)) {
      await Deno.mkdir(join(tempDir, `grader-sandbox-${name}`, "run-1"), { recursive: true });
      await Deno.writeTextFile(join(tempDir, `grader-sandbox-${name}`, "run-1", "lms.ts"), "");
      if (owner) await Deno.writeTextFile(join(tempDir, `grader-sandbox-${name}`, "owner"), owner);
    }
    await Deno.mkdir(join(tempDir, "unrelated"));
    await using opened = await openSandbox({ trusted: true, tempDir });
    const left = await Array.fromAsync(Deno.readDir(tempDir), ({ name }) => name);
    const own = left.filter((name) => !Object.keys(folders).some((n) => name.endsWith(`-${n}`)));
    assert.deepEqual(
      left.filter((name) => !own.includes(name)).sort(),
      ["grader-sandbox-live", "grader-sandbox-opening"],
    );
    // Its own folder, marked as its own, and the unrelated one.
    assert.equal(own.length, 2, String(own));
    assert.ok(own.includes("unrelated"));
    const base = own.find((name) => name.startsWith("grader-sandbox-"))!;
    assert.equal(
      await Deno.readTextFile(join(tempDir, base, "owner")),
      `${Deno.pid} ${startTime(Deno.pid)}`,
    );
    assert.ok(opened.trusted);
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
});

Deno.test("Sandbox.removeNow() kills the children running and removes its folder at once", async () => {
  const tempDir = await Deno.makeTempDir({ prefix: "sandbox-remove-now-" });
  try {
    const opened = await openSandbox({ tempDir });
    const [base] = await Array.fromAsync(Deno.readDir(tempDir), ({ name }) => join(tempDir, name));
    const running = opened.run({
      submission: join(TESTDATA, "attacks", "probe"),
      entry: "probe.ts",
      cases: [[{ fn: "spin", args: [] }]],
    }, { timeMs: 60_000 });
    running.catch(() => {}); // Its folder goes from under it: what it says then is not read.
    let children: { pid: number; name: string }[] = [];
    while (!children.some(({ name }) => name === "deno")) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      children = descendants(Deno.pid);
    }
    opened.removeNow();
    assert.deepEqual(await Array.fromAsync(Deno.readDir(tempDir)), [], "gone when it returns");
    await running.catch(() => {});
    assert.deepEqual(children.filter(({ pid }) => isRunning(pid)), []);
    await assert.rejects(opened.run({ submission: base, entry: "probe.ts", cases: [] }), {
      name: "SandboxAbortedError",
    });
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
});

Deno.test("a trusted child dies with the process that started it, killed outright", async () => {
  const folder = await Deno.makeTempDir({ prefix: "sandbox-orphan-" });
  try {
    // A grader in trusted mode, its child spinning, the way a red team left one running.
    const script = join(folder, "grader.ts");
    await Deno.writeTextFile(
      script,
      `import { openSandbox } from ${JSON.stringify(new URL("./sandbox.ts", import.meta.url).href)};
const sandbox = await openSandbox({ trusted: true, tempDir: ${JSON.stringify(folder)} });
await sandbox.run({
  submission: ${JSON.stringify(join(TESTDATA, "attacks", "probe"))},
  entry: "probe.ts",
  cases: [[{ fn: "spin", args: [] }]],
}, { timeMs: 120_000 });
`,
    );
    const grader = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", `--config=${join(REPO, "deno.json")}`, script],
      cwd: REPO,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let exited = false;
    const stderr = new Response(grader.stderr).text().finally(() => exited = true);
    let child: number | undefined;
    while (child === undefined) {
      if (exited) assert.fail(`the grader exited early: ${await stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The grader's child that spins: not the warm-up's, which ends on its own.
      child = descendants(grader.pid).find(({ pid, name }) =>
        name === "deno" && (processUsage(pid)?.cpuMs ?? 0) >= 300
      )?.pid;
    }
    grader.kill("SIGKILL");
    await grader.status;
    await stderr;
    // Without the parent-death signal it spun on, ignoring SIGINT and SIGTERM, until its
    // processor-time limit (two minutes here).
    for (let waited = 0; isRunning(child) && waited < 20_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(!isRunning(child), "the child outlived its grader");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("Sandbox.run() in trusted mode runs the same child without bubblewrap", async () => {
  await using trusted = await openSandbox({ trusted: true });
  const folder = join(TESTDATA, "attacks", "probe");
  const echo = await trusted.run({
    submission: folder,
    entry: "probe.ts",
    cases: [[{ fn: "echo", args: [[1, NaN]] }]],
  });
  const [one, nan] = value(echo) as number[];
  assert.ok(one === 1 && Number.isNaN(nan));
  const env = await trusted.run({
    submission: folder,
    entry: "probe.ts",
    cases: [[{ fn: "env", args: ["HOME"] }]],
  });
  assert.match(failure(env), /NotCapable/);
  await trusted.run({
    submission: folder,
    entry: "probe.ts",
    cases: [[{ fn: "setStorage", args: ["x"] }]],
  });
  const storage = await trusted.run({
    submission: folder,
    entry: "probe.ts",
    cases: [[{ fn: "getStorage", args: [] }]],
  });
  assert.equal(value(storage), null);
  const spin = await trusted.run(
    { submission: folder, entry: "probe.ts", cases: [[{ fn: "spin", args: [] }]] },
    { timeMs: 1000 },
  );
  assert.equal(spin.status, "timeout");
});

Deno.test("runInSandbox() opens a sandbox for one request and closes it", async () => {
  const tempDir = await Deno.makeTempDir({ prefix: "sandbox-home-" });
  try {
    const result = await runInSandbox(
      {
        submission: join(TESTDATA, "honest", "normal"),
        entry: "lms.ts",
        cases: [[{ fn: "predict", args: [[2], [3]] }]],
      },
      { imports: [], tempDir, timeMs: 5000 },
    );
    assert.equal(value(result), 6);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(tempDir)), []);
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
});

Deno.test("openSandbox() says how to install bubblewrap, or why it does not work", async () => {
  await assert.rejects(
    openSandbox({ bwrap: "/nonexistent/bwrap" }),
    (error: Error) =>
      error instanceof SandboxUnavailableError && /apt-get install bubblewrap/.test(error.message),
  );
  const fake = await Deno.makeTempFile({ prefix: "fake-bwrap-" });
  try {
    await Deno.writeTextFile(
      fake,
      "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n",
    );
    await Deno.chmod(fake, 0o755);
    await assert.rejects(
      openSandbox({ bwrap: fake }),
      (error: Error) =>
        error instanceof SandboxUnavailableError && /user namespaces/.test(error.message),
    );
  } finally {
    await Deno.remove(fake);
  }
});

function part(folder: string, entry: string, calls: SandboxRequest["cases"][number], limits = {}) {
  return { request: { submission: folder, entry, cases: [calls] }, limits };
}

Deno.test("Sandbox.runParts() runs one student's submissions in one child, each answered apart", async () => {
  const normal = join(TESTDATA, "honest", "normal");
  const [first, broken, last] = await (await sandbox()).runParts([
    part(normal, "lms.ts", [{ fn: "predict", args: [[1, 2], [3, 4]] }]),
    part(join(TESTDATA, "attacks", "syntax_error"), "lms.ts", [{ fn: "predict", args: [] }]),
    part(join(TESTDATA, "attacks", "probe"), "probe.ts", [{ fn: "echo", args: ["last"] }]),
  ]);
  assert.equal(value(first!), 11);
  assert.match(first!.stdout, /lms\.ts loaded/);
  assert.equal(broken!.status, "load-error");
  assert.ok("message" in broken!);
  assert.match(broken!.message, /lms\.ts:\d+/);
  assert.doesNotMatch(broken!.message, /sandbox|file:/);
  assert.equal(value(last!), "last");
  assert.doesNotMatch(last!.stdout, /lms\.ts loaded/);
});

Deno.test("Sandbox.runParts() says when each part's module has loaded, and not for one that did not", async () => {
  const normal = join(TESTDATA, "honest", "normal");
  const loaded: string[] = [];
  const [first, broken, last] = await (await sandbox()).runParts([
    {
      ...part(normal, "lms.ts", [{ fn: "predict", args: [[1, 2], [3, 4]] }]),
      onLoaded: () => loaded.push("first"),
    },
    {
      ...part(join(TESTDATA, "attacks", "syntax_error"), "lms.ts", [{ fn: "predict", args: [] }]),
      onLoaded: () => loaded.push("broken"),
    },
    {
      ...part(join(TESTDATA, "attacks", "probe"), "probe.ts", [{ fn: "echo", args: ["last"] }]),
      // The caller's failure is not the run's.
      onLoaded: () => {
        loaded.push("last");
        throw new Error("the caller's own bug");
      },
    },
  ]);
  assert.deepEqual(loaded, ["first", "last"]);
  assert.equal(value(first!), 11);
  assert.equal(broken!.status, "load-error");
  assert.equal(value(last!), "last");
});

Deno.test("Sandbox.runParts() adds the grader's own stalls to a part's time limit", async () => {
  // The child prints more than a pipe holds, and waits while the grader's thread is busy
  // elsewhere (here: 2.5 s in the loaded callback; in a class, judging, the reference core,
  // or a red team's 200 000 folders being copied): its 1.5 s ran out while it waited, and
  // it was stopped for "running" too long (red team, round 11).
  const chatty = `export function chatty(): number {
  console.log("x".repeat(300_000));
  const end = Date.now() + 300;
  while (Date.now() < end) { /* work */ }
  return 1;
}
`;
  await withSubmission({ "lms.ts": chatty }, async (folder) => {
    const [result] = await (await sandbox()).runParts([{
      ...part(folder, "lms.ts", [{ fn: "chatty", args: [] }], { timeMs: 1500 }),
      onLoaded: () => {
        const end = performance.now() + 2500;
        while (performance.now() < end) { /* the grader's own work */ }
      },
    }]);
    assert.equal(value(result!), 1);
  });
});

Deno.test("Sandbox.runParts() credits no stall to a part that computed through it", async () => {
  // 7.4 s of work against a 3.9 s limit, while the grader's thread is held for 4 s: a child
  // that had a processor meanwhile was not held up, and credited the whole stall it would
  // pass (a red team's results held the grader for seconds, and a classmate's slow code
  // passed, round 12). It is credited what it did not compute, so its limit ends before its
  // work does while it gets a sixth of a core or more.
  const slow = `export function slow(): number {
  const end = Date.now() + 7400;
  while (Date.now() < end) { /* work */ }
  return 1;
}
`;
  await withSubmission({ "lms.ts": slow }, async (folder) => {
    const [result] = await (await sandbox()).runParts([{
      // The processor-time backstop (RLIMIT_CPU) far off: the wall clock is under test.
      ...part(folder, "lms.ts", [{ fn: "slow", args: [] }], { timeMs: 3900, cpuMs: 30_000 }),
      onLoaded: () => {
        const end = performance.now() + 4000;
        while (performance.now() < end) { /* the grader's own work */ }
      },
    }]);
    assert.equal(result?.status, "timeout", JSON.stringify(result));
  });
});

Deno.test("Sandbox.run() stops results larger than the grader reads, before reading them", async () => {
  // Keys, and empty arrays (no key in them), cost the grader far more to read than their
  // bytes say (red teams, rounds 12 and 13: seconds a frame, and its memory).
  const source = `const empty: unknown[] = [];
export function keys(n: number): Record<string, number> {
  const o: Record<string, number> = {};
  for (let i = 0; i < n; i++) o["k" + i] = i;
  return o;
}
export const arrays = (n: number): unknown[] => new Array(n).fill(empty);
export const text = (n: number): string => "x".repeat(n);
`;
  const items = /more than 65536 values, arrays and object keys/;
  const bytes = /results took more than 1 MiB/;
  await withSubmission({ "lms.ts": source }, async (folder) => {
    for (
      const [fn, n, message] of [
        ["keys", MAX_RESULT_ITEMS, items],
        ["arrays", MAX_RESULT_ITEMS / 2, items],
        ["text", 1.5 * 1024 * 1024, bytes],
      ] as const
    ) {
      const result = await run(folder, "lms.ts", [{ fn, args: [n] }]);
      assert.equal(result.status, "output-limit", fn);
      assert.match("message" in result ? result.message : "", message);
    }
    // Many times what an exercise returns, but under the caps.
    for (const [fn, n] of [["keys", 10_000], ["arrays", 10_000], ["text", 512 * 1024]] as const) {
      const result = await run(folder, "lms.ts", [{ fn, args: [n] }]);
      assert.equal(
        fn === "text"
          ? (value(result) as string).length
          : Object.keys(value(result) as object).length,
        n,
      );
    }
  });
});

Deno.test("Sandbox.runParts() stops a part at its own limit and leaves the parts after it", async () => {
  const normal = join(TESTDATA, "honest", "normal");
  const predict = { fn: "predict", args: [[1], [2]] };
  const results = await (await sandbox()).runParts([
    part(normal, "lms.ts", [predict]),
    part(join(TESTDATA, "attacks", "probe"), "probe.ts", [{ fn: "spin", args: [] }], {
      timeMs: 1000,
    }),
    part(normal, "lms.ts", [predict]),
  ]);
  assert.equal(value(results[0]!), 2);
  assert.equal(results[1]?.status, "timeout");
  assert.ok(results[1] && "running" in results[1] && results[1].running === 0);
  assert.equal(results[2], undefined);
});

/** The `--v8-flags` of this file's sandboxed Deno while the parts run (they must time out). */
async function v8FlagsDuring(parts: Parameters<Sandbox["runParts"]>[0]): Promise<string> {
  let flags: string | undefined;
  let finished = false;
  // Opened first, so that its warm-up child is not the deno found below.
  const opened = await sandbox();
  const running = opened.runParts(parts).finally(() => finished = true);
  while (!finished && flags === undefined) {
    for (const bwrap of descendants(Deno.pid)) {
      if (bwrap.name !== "bwrap" || !commandLine(bwrap.pid).includes(home)) continue;
      for (const { pid, name } of descendants(bwrap.pid)) {
        const args = commandLine(pid).split("\0");
        if (name === "deno" && args.includes("/sandbox/main.js")) {
          flags = args.find((arg) => arg.startsWith("--v8-flags="));
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const results = await running;
  assert.equal(results[0]?.status, "timeout", JSON.stringify(results[0]));
  assert.ok(flags !== undefined, "the sandboxed deno never appeared");
  return flags;
}

Deno.test("Sandbox.runParts() compiles with V8's quick flags only when every part is quick", async () => {
  const spin = (jit?: "quick" | "full") => ({
    request: {
      submission: join(TESTDATA, "attacks", "probe"),
      entry: "probe.ts",
      cases: [[{ fn: "spin", args: [] }]],
      ...(jit ? { jit } : {}),
    },
    limits: { timeMs: 1000 },
  });
  const quick = "--v8-flags=--max-old-space-size=512,--single-threaded,--max-opt=2," +
    "--invocation-count-for-maglev=2000";
  assert.equal(await v8FlagsDuring([spin("quick")]), quick);
  assert.equal(await v8FlagsDuring([spin()]), "--v8-flags=--max-old-space-size=512");
  assert.equal(
    await v8FlagsDuring([spin("quick"), spin("full")]),
    "--v8-flags=--max-old-space-size=512",
  );
});

Deno.test("Sandbox.prepare() warms a profile once, and runs of that profile reuse it", async () => {
  const tempDir = await Deno.makeTempDir({ prefix: "sandbox-prepare-" });
  try {
    await using trusted = await openSandbox({ trusted: true, imports: [], tempDir });
    const [base] = [...Deno.readDirSync(tempDir)].map((entry) => join(tempDir, entry.name));
    const warmUps = () =>
      [...Deno.readDirSync(base)].filter((e) => e.name.startsWith("warm-")).length;
    assert.equal(warmUps(), 1, "opening warms the default profile");
    await trusted.prepare({ jit: "quick" });
    await trusted.prepare({ jit: "quick", memoryMb: 512 });
    assert.equal(warmUps(), 2);
    const result = await trusted.run({
      submission: join(TESTDATA, "honest", "normal"),
      entry: "lms.ts",
      cases: [[{ fn: "predict", args: [[1, 2], [3, 4]] }]],
      jit: "quick",
    });
    assert.equal(value(result), 11);
    assert.equal(warmUps(), 2, "the quick run reused the prepared profile");
    await trusted.prepare({ jit: "quick", memoryMb: 1024 });
    assert.equal(warmUps(), 3, "another heap limit is another profile");
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
});

Deno.test("Sandbox.runParts() gives each part all of its own standard error, and no more", async () => {
  const box = await sandbox();
  const probeFolder = join(TESTDATA, "attacks", "probe");
  const printing = (text: string) =>
    part(probeFolder, "probe.ts", [{ fn: "printError", args: [text] as never[] }]);
  // Standard error comes through its own pipe, in no fixed order with the frames: a run
  // ends as soon as its last frame is in, and must still have read all of it first.
  // The last part prints more than one read takes, so that its last bytes come late.
  const long = "θ".repeat(15_000);
  for (let round = 0; round < 10; round++) {
    const results = await box.runParts([printing("first"), printing(long)]);
    assert.deepEqual(
      results.map((result) => [result?.status, result?.stderr]),
      [["ok", "first\n"], ["ok", `${long}\n`]],
      `round ${round}`,
    );
  }
});

Deno.test("Sandbox.run() finishes a run whose code closed its standard error", async () => {
  const result = await probe("closeStderr");
  assert.equal(result.status, "ok");
  assert.equal(value(result), "closed");
});

Deno.test("Sandbox.runParts() leaves every part to run alone when the shared child cannot start", async () => {
  const box = await sandbox();
  const parts = [
    part(join(TESTDATA, "honest", "normal"), "lms.ts", []),
    part(join(TESTDATA, "attacks", "npm_outside_map"), "lms.ts", []),
  ];
  const shared = await box.runParts(parts);
  // Where Deno's npm cache holds the registry's documents of the packages, an npm import
  // outside the frozen lockfile stops Deno before the harness speaks, and no part can be
  // blamed: all are left to run alone. Where it does not (a cache filled from the lockfile
  // alone), Deno fails only when the part imports it, and the shared run tells the parts
  // apart itself. Either way each part ends as it would alone.
  if (shared.some((result) => result === undefined)) {
    assert.deepEqual(shared, [undefined, undefined]);
  }
  const alone = await Promise.all(parts.map(({ request }, i) => shared[i] ?? box.run(request)));
  assert.deepEqual(alone.map(({ status }) => status), ["ok", "load-error"]);
  assert.ok("message" in alone[1]);
  assert.match(
    alone[1].message,
    /^Your code imports npm:zod@4\.6\.7, which the course does not provide \(it provides: @tensorflow\/tfjs\)$/,
  );
});

Deno.test("Sandbox.close() removes the sandbox's private folders", async () => {
  await (await sandbox()).close();
  assert.deepEqual(await Array.fromAsync(Deno.readDir(home)), []);
});
