/**
 * `deno task check`, run as a student runs it: as a process, inside a student bundle.
 */
import assert from "node:assert/strict";
import { EXERCISES } from "../course/metadata.ts";
import { findExercise } from "../course/metadata.ts";
import { makeWorkspace, task } from "./_workspace.ts";

const LMS = "02-lms";
const SOLUTION = `solutions/${LMS}/lms.ts`;

async function solutionWith(edit: (source: string) => string): Promise<string> {
  return edit(await Deno.readTextFile(new URL(`../${SOLUTION}`, import.meta.url)));
}

/** Output a student should never see: stack traces of the framework itself. */
function assertNoFrameworkNoise(output: string): void {
  assert.doesNotMatch(output, /Stack backtrace|course\/visible_tests\.ts|at async /);
}

Deno.test("check fails every exercise of a fresh bundle with TODO messages", async () => {
  await using workspace = await makeWorkspace();
  const { code, stdout } = await task(workspace.root, "check");
  assert.equal(code, 1);
  for (const exercise of EXERCISES) {
    assert.match(stdout, new RegExp(`${exercise.id} · `));
    for (const group of exercise.groups) {
      assert.match(
        stdout,
        new RegExp(`· ${group.symbol.replace(".", "\\.")} .*not started \\(TODO\\)`),
      );
    }
  }
  assert.match(stdout, /0 of 5 exercises pass\./);
  assertNoFrameworkNoise(stdout);
});

Deno.test("check passes an exercise whose entry file is correct and exits 0", async () => {
  await using workspace = await makeWorkspace();
  await workspace.use(LMS, SOLUTION);
  const { code, stdout } = await task(workspace.root, "check", "lms");
  assert.equal(code, 0, stdout);
  assert.match(stdout, /5 of 5 functions pass/);
  assert.doesNotMatch(stdout, /01-dual-numbers/, "check <id> runs that exercise only");
});

Deno.test("check names file and line of a syntax error", async () => {
  await using workspace = await makeWorkspace();
  await workspace.write(
    LMS,
    await solutionWith((s) => s.replace(/\)\s*:\s*number\s*\{/, ": number {")),
  );
  const { code, stdout } = await task(workspace.root, "check", LMS);
  assert.equal(code, 1);
  assert.match(stdout, /lms\.ts:\d+:\d+\)/);
  assert.match(stdout, /No test could run until this is fixed/);
  assertNoFrameworkNoise(stdout);
});

Deno.test("check reports a misspelled export against that function only", async () => {
  await using workspace = await makeWorkspace();
  await workspace.write(
    LMS,
    await solutionWith((s) => s.replace("export function predict(", "export function Predict(")),
  );
  const { code, stdout } = await task(workspace.root, "check", LMS);
  assert.equal(code, 1);
  assert.match(stdout, /✗ predict/);
  assert.match(stdout, /does not export "predict": it exports "Predict"/);
  assert.match(stdout, /✓ lmsUpdate/);
});

Deno.test("check says a function may fail for an earlier one it calls", async () => {
  // A walkthrough as a student: lmsUpdate()'s sign flipped failed stochasticEpoch() too,
  // with stochasticEpoch()'s own hint on the order of the updates.
  await using workspace = await makeWorkspace();
  const source = await solutionWith((s) => s);
  const flipped = source.replace(
    "const step = alpha * (y - dot(theta, x));",
    "const step = alpha * (dot(theta, x) - y);",
  );
  assert.notEqual(flipped, source, "the solution's lmsUpdate() steps by α (y − h(x))");
  await workspace.write(LMS, flipped);
  const { code, stdout } = await task(workspace.root, "check", LMS);
  assert.equal(code, 1);
  assert.match(stdout, /✗ lmsUpdate/);
  assert.match(stdout, /✗ stochasticEpoch/);
  const epoch = stdout.slice(stdout.indexOf("✗ stochasticEpoch"));
  assert.match(
    epoch,
    /Note: lmsUpdate\(\) fails too: if stochasticEpoch\(\) calls it, fix it first\./,
  );
  const update = stdout.slice(stdout.indexOf("✗ lmsUpdate"), stdout.indexOf("✗ stochasticEpoch"));
  assert.doesNotMatch(update, /Note:/, "the first failing function has nothing before it");
});

Deno.test("check stops an infinite loop at the time limit and names the test", async () => {
  await using workspace = await makeWorkspace();
  await workspace.write(
    LMS,
    await solutionWith((s) =>
      s.replace(
        /export function cost\(([^)]*)\): number \{/,
        "export function cost($1): number {\n  while (true) { /* spin */ }",
      )
    ),
  );
  const { code, stdout } = await task(workspace.root, "check", LMS);
  assert.equal(code, 1);
  assert.match(stdout, /✗ cost/);
  assert.match(stdout, /did not finish within 10 s and was stopped/);
  assert.match(stdout, /stopped after 10 s while running "cost\(\)/);
  // The other functions' tests ran again without cost()'s: the hang hides none of them, as
  // the grader charges a hang to its own function only.
  for (const symbol of ["predict", "lmsUpdate", "batchUpdate", "stochasticEpoch"]) {
    assert.match(stdout, new RegExp(`✓ ${symbol} `), stdout);
  }
  assertNoFrameworkNoise(stdout);
});

Deno.test("check runs the tests of every function that does not hang, after two hangs", async () => {
  await using workspace = await makeWorkspace();
  // The first statement of each function spins (batchUpdate's signature spans lines).
  const spin = (name: string) => (s: string) =>
    s.replace(
      new RegExp(`export function ${name}\\([^]*?\\): number(\\[\\])? \\{`),
      (header) => `${header}\n  while (true) { /* spin */ }`,
    );
  const source = await solutionWith((s) => spin("batchUpdate")(spin("cost")(s)));
  assert.equal(source.match(/spin/g)?.length, 2);
  await workspace.write(LMS, source);
  const { code, stdout } = await task(workspace.root, "check", LMS);
  assert.equal(code, 1);
  assert.match(stdout, /✗ cost/);
  assert.match(stdout, /✗ batchUpdate/);
  assert.match(stdout, /while running "cost\(\)[^"]*", then "batchUpdate\(\)/);
  for (const symbol of ["predict", "lmsUpdate"]) assert.match(stdout, new RegExp(`✓ ${symbol} `));
  // stochasticEpoch() passes or fails on its own: it calls none of the two.
  assert.match(stdout, /✓ stochasticEpoch /);
  assert.match(stdout, /3 of 5 functions pass/);
});

Deno.test("check explains a thrown value that is not an Error", async () => {
  await using workspace = await makeWorkspace();
  await workspace.write(
    LMS,
    await solutionWith((s) =>
      s.replace(
        /export function predict\(([^)]*)\): number \{/,
        'export function predict($1): number {\n  throw "nope";',
      )
    ),
  );
  const { code, stdout } = await task(workspace.root, "check", LMS);
  assert.equal(code, 1);
  assert.match(stdout, /your code threw "nope", which is not an Error/);
});

Deno.test("check reports a module that throws while loading", async () => {
  await using workspace = await makeWorkspace();
  await workspace.write(
    LMS,
    'throw new Error("broken at import");\n' + await solutionWith((s) => s),
  );
  const { code, stdout } = await task(workspace.root, "check", LMS);
  assert.equal(code, 1);
  assert.match(stdout, /broken at import \(lms\.ts:1:7\)/);
});

Deno.test("check rejects an unknown exercise with exit status 2 and the list", async () => {
  await using workspace = await makeWorkspace();
  const { code, stderr } = await task(workspace.root, "check", "06-transformers");
  assert.equal(code, 2);
  assert.match(stderr, /Unknown exercise "06-transformers"/);
  assert.match(stderr, /01-dual-numbers, 02-lms/);
});

Deno.test("check --watch re-runs the exercise when its file is saved", async () => {
  await using workspace = await makeWorkspace();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "check", LMS, "--watch"],
    cwd: workspace.root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const waitFor = async (pattern: RegExp) => {
    while (!pattern.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`check --watch exited; output so far:\n${seen}`);
      seen += value;
    }
  };
  try {
    await waitFor(/not started \(TODO\)[\s\S]*Watching 02-lms/);
    seen = "";
    await workspace.use(LMS, SOLUTION);
    await waitFor(/5 of 5 functions pass[\s\S]*Watching 02-lms/);
    // An atomic save, as many editors do it: write a new file, rename it over the old one.
    seen = "";
    const stub = await Deno.readTextFile(new URL("../exercises/02-lms/lms.ts", import.meta.url));
    await Deno.writeTextFile(`${workspace.entry(LMS)}.tmp`, stub);
    await Deno.rename(`${workspace.entry(LMS)}.tmp`, workspace.entry(LMS));
    await waitFor(/not started \(TODO\)[\s\S]*Watching 02-lms/);
  } finally {
    // SIGTERM, not SIGKILL: `deno task` passes SIGTERM on to the watcher it started, while a
    // killed task runner would leave the watcher running.
    child.kill("SIGTERM");
    await reader.cancel();
    await child.status;
  }
  assert.deepEqual(await processesIn(workspace.root), [], "check --watch left a process behind");
});

/** The processes whose working directory is `folder` (Linux's /proc). */
async function processesIn(folder: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if ((await Deno.realPath(`/proc/${entry.name}/cwd`)) === folder) found.push(entry.name);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

Deno.test("findExercise() accepts an id, its number or its name", () => {
  assert.equal(findExercise("04-softmax")?.id, "04-softmax");
  assert.equal(findExercise("4")?.id, "04-softmax");
  assert.equal(findExercise("softmax")?.id, "04-softmax");
  assert.equal(findExercise("exercises/02-lms/")?.id, "02-lms");
  assert.equal(findExercise("9"), undefined);
});
