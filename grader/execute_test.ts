// executeMany() on a real sandbox: one student's submissions share a child, and a stopped
// one costs only its own function's cases.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Exercise, exerciseById } from "../course/metadata.ts";
import { executeMany, sandboxExecutor } from "./execute.ts";
import { gradeSubmission } from "./grade.ts";
import { suite as lmsSuite } from "./suites/lms.ts";
import type { HiddenCase, Json } from "./suite.ts";

const home = Deno.makeTempDirSync({ prefix: "execute-test-" });
addEventListener("unload", () => Deno.removeSync(home, { recursive: true }));

/** An exercise like 02-lms with its own entry file and a short time limit. */
function exercise(entry: string, timeMs = 1500): Exercise {
  const lms = exerciseById("02-lms");
  return { ...lms, entry, limits: { ...lms.limits, timeMs } };
}

function call(symbol: string, fn: string, args: Json[]): HiddenCase {
  return { symbol, name: `${fn}(${args})`, calls: [{ fn, args }], judge: () => ({ pass: true }) };
}

async function submission(name: string, entry: string, source: string): Promise<string> {
  const folder = join(home, name);
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(join(folder, entry), source);
  return folder;
}

Deno.test("executeMany() runs a student's submissions in one child and restarts after a stop", async () => {
  const good = await submission("good", "a.ts", "export const twice = (x: number) => 2 * x;\n");
  const hangs = await submission(
    "hangs",
    "b.ts",
    "export const spin = (): never => { for (;;); };\nexport const half = (x: number) => x / 2;\n" +
      'console.log("b loaded");\n',
  );
  const later = await submission("later", "c.ts", "export const neg = (x: number) => -x;\n");
  await using executor = await sandboxExecutor();
  const [first, second, third, missing] = await executeMany(executor.sandbox, [
    { submission: good, exercise: exercise("a.ts"), cases: [call("twice", "twice", [3])] },
    {
      submission: hangs,
      exercise: exercise("b.ts"),
      cases: [
        call("half", "half", [1]),
        call("spin", "spin", []),
        call("spin", "spin", [1]),
        call("half", "half", [3]),
      ],
    },
    { submission: later, exercise: exercise("c.ts"), cases: [call("neg", "neg", [4])] },
    { submission: join(home, "nowhere"), exercise: exercise("d.ts"), cases: [call("f", "f", [])] },
  ]);

  const values = (runs: typeof first.runs) =>
    runs.map((run) =>
      run.kind === "results" ? run.results.map((r) => (r.ok ? r.value : r.error)) : run.reason
    );
  assert.equal(first.status, "ok");
  assert.deepEqual(values(first.runs), [[6]]);
  assert.equal(second.status, "timeout");
  assert.equal(
    second.message,
    "Your code ran for more than 1.5 s and was stopped (in a test of spin())",
  );
  assert.deepEqual(values(second.runs), [
    [0.5],
    "Your code ran for more than 1.5 s and was stopped",
    "not run: an earlier test of spin() was stopped (timeout)",
    [1.5],
  ]);
  assert.match(second.studentOutput ?? "", /b loaded/);
  assert.doesNotMatch(first.studentOutput ?? "", /b loaded/);
  assert.equal(third.status, "ok");
  assert.deepEqual(values(third.runs), [[-4]]);
  assert.equal(missing.status, "refused");
  for (const execution of [first, second, third]) assert.ok(execution.durationMs! > 0);
});

Deno.test("executeMany() runs again, alone, a submission stopped by what an earlier one left", async () => {
  // a.ts keeps 400 MiB alive after its case; b.ts needs 200 MiB for a moment, which fits in
  // the 512 MiB limit alone but not beside a.ts's.
  const keeps = await submission(
    "keeps",
    "a.ts",
    "const kept: Uint8Array[] = [];\n" +
      "export const f = () => kept.push(new Uint8Array(400 * 2 ** 20).fill(1));\n",
  );
  const innocent = await submission(
    "innocent",
    "b.ts",
    "export async function g() {\n" +
      "  const buffer = new Uint8Array(200 * 2 ** 20).fill(2);\n" +
      "  await new Promise((resolve) => setTimeout(resolve, 300));\n" +
      "  return buffer[7];\n" +
      "}\n",
  );
  await using executor = await sandboxExecutor();
  const [first, second] = await executeMany(executor.sandbox, [
    { submission: keeps, exercise: exercise("a.ts"), cases: [call("f", "f", [])] },
    { submission: innocent, exercise: exercise("b.ts"), cases: [call("g", "g", [])] },
  ]);
  const values = (runs: typeof first.runs) =>
    runs.map((run) => run.kind === "results" ? run.results.map((r) => r.ok && r.value) : run);
  assert.equal(first.status, "ok");
  assert.deepEqual(values(first.runs), [[1]]);
  assert.equal(second.status, "ok", second.message);
  assert.deepEqual(values(second.runs), [[2]]);
});

Deno.test("executeMany() runs a student's later submission apart once an earlier one patched a built-in", async () => {
  const clean = await submission("clean", "c.ts", "export const h = () => 0;\n");
  const patches = await submission(
    "patches",
    "a.ts",
    "// deno-lint-ignore no-explicit-any\n" +
      "(Array.prototype as any).sum = function () { return 42; };\n" +
      "// deno-lint-ignore no-explicit-any\n" +
      "export const f = () => ([1, 2] as any).sum();\n",
  );
  // for…in also walks the enumerable properties a patch adds to Array.prototype.
  const victim = await submission(
    "victim",
    "b.ts",
    "export function g(xs: number[]) {\n  let n = 0;\n  for (const _ in xs) n++;\n  return n;\n}\n",
  );
  await using executor = await sandboxExecutor();
  const executions = await executeMany(executor.sandbox, [
    { submission: clean, exercise: exercise("c.ts"), cases: [call("h", "h", [])] },
    { submission: patches, exercise: exercise("a.ts"), cases: [call("f", "f", [])] },
    { submission: victim, exercise: exercise("b.ts"), cases: [call("g", "g", [[5, 6, 7]])] },
  ]);
  const values = executions.map((e) =>
    e.runs.map((run) => run.kind === "results" && run.results[0].ok && run.results[0].value)
  );
  assert.deepEqual(values, [[0], [42], [3]]);
});

Deno.test("executeMany() merges only cases whose calls are the same, NaN, ±Infinity and −0 told apart", async () => {
  const echo = await submission(
    "echo",
    "e.ts",
    "export const show = (x: unknown) => Object.is(x, -0) ? '-0' : String(x);\n" +
      "export const count = (() => { let n = 0; return () => ++n; })();\n",
  );
  const args: Json[] = [null, NaN, Infinity, -Infinity, 0, -0];
  await using executor = await sandboxExecutor();
  const [execution] = await executeMany(executor.sandbox, [{
    submission: echo,
    exercise: exercise("e.ts"),
    cases: [
      ...args.map((arg) => call("show", "show", [arg])),
      // Identical calls run once, and every case gets that one run's results.
      call("count", "count", []),
      call("count", "count", []),
    ],
  }]);
  assert.equal(execution.status, "ok");
  assert.deepEqual(
    execution.runs.map((run) => run.kind === "results" && run.results.map((r) => r.ok && r.value)),
    [["null"], ["NaN"], ["Infinity"], ["-Infinity"], ["0"], ["-0"], [1], [1]],
  );
});

Deno.test("gradeSubmission() on the sandbox executor (the portal's path) charges a bug to its function", async () => {
  const lms = exerciseById("02-lms");
  const folder = await submission("everywhere", lms.entry, "");
  await Deno.copyFile(
    new URL(
      "../tests/variants/02-lms/bug_predict_intercept_skipped_everywhere.ts",
      import.meta.url,
    ),
    join(folder, lms.entry),
  );
  await using executor = await sandboxExecutor();
  const grade = await gradeSubmission(
    { student: "s1", exercise: lms, folder },
    { suite: lmsSuite, seed: "portal", execute: executor.execute },
  );
  const scores = Object.fromEntries(grade.groups.map((g) => [g.symbol, g.score]));
  assert.deepEqual(scores, {
    predict: 0,
    cost: 2,
    lmsUpdate: 2,
    batchUpdate: 2,
    stochasticEpoch: 3,
  });
  const notes = grade.groups.flatMap((g) => g.cases.flatMap((c) => c.note ?? []));
  assert.ok(notes.length > 0 && notes.every((note) => note.endsWith("fix your predict() first")));
});

Deno.test("gradeSubmission() starts the cases' prepare() once the module loads, before judging", async () => {
  const entry = "prep.ts";
  const good = await submission("prepared", entry, "export const twice = (x: number) => 2 * x;\n");
  const broken = await submission("unprepared", entry, "export const twice = (;\n");
  const events: string[] = [];
  // The reference's own work, cached as the suites cache it: prepare() starts it, and the
  // judge awaits the same promise, whether or not prepare() ran.
  const once = <T>(compute: () => Promise<T>) => {
    let cached: Promise<T> | undefined;
    return () => (cached ??= compute());
  };
  const cases = (): HiddenCase[] => {
    const expected = once(() => {
      events.push("reference");
      return Promise.resolve(6);
    });
    const failing = once(() => {
      events.push("failing reference");
      return Promise.reject(new Error("the reference failed"));
    });
    return [
      {
        ...call("twice", "twice", [3]),
        prepare: expected,
        judge: async ([r]) => {
          events.push("judge");
          return { pass: r.ok && r.value === await expected() };
        },
      },
      {
        ...call("twice", "twice", [4]),
        prepare: failing,
        judge: async () => ({ pass: (await failing()) === 8 }),
      },
      {
        ...call("twice", "twice", [5]),
        prepare: () => {
          throw new Error("thrown at once");
        },
        judge: ([r]) => ({ pass: r.ok && r.value === 10 }),
      },
    ];
  };
  const suite = { exercise: "prep", misconceptions: [], cases };
  const ex: Exercise = {
    ...exercise(entry),
    groups: [{ symbol: "twice", title: "doubles", points: 3, hints: [] }],
  };
  await using executor = await sandboxExecutor();

  const grade = await gradeSubmission(
    { student: "s", exercise: ex, folder: good },
    { suite, seed: "prep", execute: executor.execute },
  );
  assert.deepEqual(events, ["reference", "failing reference", "judge"]);
  assert.equal(grade.status, "graded");
  assert.deepEqual(grade.groups[0].cases.map((c) => c.passed), [true, false, true]);

  // Code that does not load is not worth the reference's work.
  events.length = 0;
  const unloaded = await gradeSubmission(
    { student: "s", exercise: ex, folder: broken },
    { suite, seed: "prep", execute: executor.execute },
  );
  assert.equal(unloaded.status, "load-error");
  assert.deepEqual(events, []);
});
