/**
 * Runs an exercise's visible tests in a child `deno test` and explains the outcome per
 * graded group: which functions pass, which fail and why.
 *
 * The child runs with no permissions and without type checking (a student's type slip
 * should not hide which functions work). Its JUnit report gives the results; its streamed
 * output names the test that was running when a time limit stopped it; its error block
 * gives file and line when the student's module does not load.
 *
 * @module
 */
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Exercise, TestGroup } from "./metadata.ts";
import { type JunitCase, parseJunit } from "./junit.ts";

/** How one visible test ended. */
export type TestStatus = "passed" | "failed" | "todo" | "timeout" | "not-run";

/** One visible test. */
export interface TestOutcome {
  name: string;
  status: TestStatus;
  /** Why it failed, in the student's terms. */
  message?: string;
}

/** The tests of one graded group. */
export interface GroupOutcome {
  group: TestGroup;
  /** `todo` when every failure is the stub's TODO error. */
  status: "passed" | "failed" | "todo" | "not-run";
  tests: TestOutcome[];
}

/** The outcome of one exercise's visible tests. */
export interface ExerciseOutcome {
  exercise: Exercise;
  status: "passed" | "failed" | "load-error" | "timeout" | "missing";
  groups: GroupOutcome[];
  /** Tests whose name matches no group of the metadata. */
  ungrouped: TestOutcome[];
  /** Why the student's module did not load, with file and line. */
  loadError?: string;
  /**
   * The tests that were running when the time limit stopped a run, in order. After each,
   * the tests of the other functions run again without that function's, up to
   * {@linkcode MAX_RERUNS} times, so that one hang hides no other function's result.
   */
  hungTests?: string[];
  durationMs: number;
}

/** Options for {@linkcode runVisibleTests}. */
export interface RunOptions {
  /**
   * The folder that holds `exercises/`.
   *
   * @default {the folder above this module}
   */
  root?: string;
  /**
   * Wall-clock limit for the whole run, in milliseconds.
   *
   * @default {the exercise's `limits.timeMs`}
   */
  timeMs?: number;
}

const DEFAULT_ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * Runs the visible tests of one exercise.
 *
 * @param exercise The exercise, from the metadata.
 * @param options Where the exercises live and how long to wait.
 * @returns The outcome per group.
 */
export async function runVisibleTests(
  exercise: Exercise,
  options: RunOptions = {},
): Promise<ExerciseOutcome> {
  const root = options.root ?? DEFAULT_ROOT;
  const timeMs = options.timeMs ?? exercise.limits.timeMs;
  const folder = join(root, "exercises", exercise.id);
  const started = performance.now();
  const outcome = (partial: Partial<ExerciseOutcome>): ExerciseOutcome => ({
    exercise,
    status: "failed",
    groups: [],
    ungrouped: [],
    durationMs: performance.now() - started,
    ...partial,
  });

  for (const file of [exercise.entry, exercise.tests]) {
    try {
      await Deno.stat(join(folder, file));
    } catch {
      return outcome({
        status: "missing",
        loadError: `${relative(root, join(folder, file))} is missing`,
      });
    }
  }

  // Tests of functions that hung in an earlier run, as that run streamed them.
  const kept: TestOutcome[] = [];
  const hungTests: string[] = [];
  const excluded: TestGroup[] = [];
  for (let run = 0;; run++) {
    const only = run === 0 ? undefined : exercise.groups.filter((g) => !excluded.includes(g));
    const { timedOut, stdout, output, cases } = only?.length === 0
      ? { timedOut: false, stdout: "", output: "", cases: [] }
      : await runTests(folder, exercise.tests, timeMs, only);
    if (timedOut) {
      const streamed = streamedResults(stdout);
      const hung = streamed.find((t) => t.status === "timeout");
      if (hung) hungTests.push(hung.name);
      const group = hung && groupOf(exercise, hung.name);
      if (group === undefined || excluded.includes(group) || run === MAX_RERUNS) {
        return outcome({
          status: "timeout",
          hungTests,
          ...grouped(exercise, [...kept, ...streamed]),
        });
      }
      excluded.push(group);
      kept.push(...streamed.filter((t) => groupOf(exercise, t.name) === group));
      continue;
    }
    if (cases.length === 0 && run === 0) {
      // No test ran: the student's module (or the test module) did not load.
      return outcome({
        status: "load-error",
        loadError: loadErrorOf(output, folder) ?? "The tests did not run: " + lastLines(output),
      });
    }
    const tests = [...kept, ...cases.map(toOutcome)];
    const groups = grouped(exercise, tests);
    if (hungTests.length > 0) return outcome({ status: "timeout", hungTests, ...groups });
    const passed = tests.every((t) => t.status === "passed");
    return outcome({ status: passed ? "passed" : "failed", ...groups });
  }
}

/**
 * How many times the tests run again after a hang, each time without the functions that
 * hung: a run costs up to the exercise's time limit.
 */
const MAX_RERUNS = 2;

/**
 * The group a test belongs to, by its name ("cost(): …"): the longest symbol first, so that
 * "Dual.mul()" is not taken for the constructor "Dual".
 */
function groupOf(exercise: Exercise, name: string): TestGroup | undefined {
  return [...exercise.groups].sort((a, b) => b.symbol.length - a.symbol.length)
    .find((g) => name.startsWith(`${g.symbol}()`));
}

/** One `deno test` of the visible tests (of the groups `only`, if given), stopped at `timeMs`. */
async function runTests(
  folder: string,
  tests: string,
  timeMs: number,
  only?: readonly TestGroup[],
): Promise<{ timedOut: boolean; stdout: string; output: string; cases: JunitCase[] }> {
  const reportDir = await Deno.makeTempDir({ prefix: "check-" });
  const reportPath = join(reportDir, "report.xml");
  // Deno's filter is a regular expression without look-around: it names the groups that
  // run. Tests that match no group (the exercise's own extras) do not run again.
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const filter = only === undefined
    ? []
    : [`--filter=/^(?:${only.map((g) => escape(g.symbol)).join("|")})\\(\\)/`];
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--no-check",
        "--no-prompt",
        `--junit-path=${reportPath}`,
        ...filter,
        tests,
      ],
      cwd: folder,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeMs);
    const [stdout, stderr] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    await child.status;
    clearTimeout(timer);
    let cases: JunitCase[] = [];
    if (!timedOut) {
      try {
        cases = parseJunit(await Deno.readTextFile(reportPath)).filter((c) => !c.skipped);
      } catch {
        // No report: the test module did not load; the caller says why.
      }
    }
    return { timedOut, stdout, output: stdout + "\n" + stderr, cases };
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
}

function toOutcome(testCase: JunitCase): TestOutcome {
  if (testCase.passed) return { name: testCase.name, status: "passed" };
  const message = studentMessage(testCase.message ?? "");
  const status = /^TODO\b/.test(message) ? "todo" : "failed";
  return { name: testCase.name, status, message };
}

/** Turns a failure message into the student's terms: no "Uncaught", no error class noise. */
function studentMessage(raw: string): string {
  let message = raw.replace(/^Uncaught (\(in promise\) )?/, "");
  message = message.replace(/^(AssertionError|Error): /, "");
  if (/^(TypeError|RangeError|ReferenceError|SyntaxError): /.test(message)) {
    return `your code threw ${message}`;
  }
  if (
    raw.startsWith("Uncaught ") && !/^\w*Error\b/.test(raw.slice(9)) && message === raw.slice(9)
  ) {
    // `throw "oops"` or `throw {…}`: Deno prints the value itself.
    return `your code threw ${message}, which is not an Error; throw new Error("…") instead`;
  }
  return message;
}

/** Reads the pretty reporter's `name ... ok` lines; the last unfinished test timed out. */
function streamedResults(stdout: string): TestOutcome[] {
  const tests: TestOutcome[] = [];
  for (const line of stdout.split("\n")) {
    const match = line.match(/^(.+?) \.\.\.( (ok|FAILED|ignored)\b.*)?$/);
    if (!match) continue;
    const result = match[3];
    tests.push({
      name: match[1],
      status: result === undefined ? "timeout" : result === "ok" ? "passed" : "failed",
    });
  }
  return tests;
}

function grouped(
  exercise: Exercise,
  tests: TestOutcome[],
): Pick<ExerciseOutcome, "groups" | "ungrouped"> {
  const members = new Map<TestGroup, TestOutcome[]>(exercise.groups.map((g) => [g, []]));
  const ungrouped: TestOutcome[] = [];
  for (const test of tests) {
    const group = groupOf(exercise, test.name);
    if (group) members.get(group)!.push(test);
    else ungrouped.push(test);
  }
  const groups = exercise.groups.map((group): GroupOutcome => {
    const own = members.get(group)!;
    let status: GroupOutcome["status"] = "passed";
    if (own.length === 0 || own.every((t) => t.status === "not-run")) status = "not-run";
    else if (own.some((t) => t.status === "failed" || t.status === "timeout")) status = "failed";
    else if (own.some((t) => t.status === "todo")) status = "todo";
    return { group, status, tests: own };
  });
  return { groups, ungrouped };
}

/** Finds Deno's `error: …` block and its `at file:///…:line:col`, relative to the exercise. */
function loadErrorOf(output: string, folder: string): string | undefined {
  const start = output.search(/^error: (?!Test failed)/m);
  const uncaught = output.match(
    /^\.\/\S+ \(uncaught error\)\n(error: [\s\S]*?)\n(?:This error|$)/m,
  );
  const block = uncaught?.[1] ?? (start >= 0 ? output.slice(start) : undefined);
  if (block === undefined) return undefined;
  const lines = block.split("\n");
  const headline = lines[0].replace(/^error: (\(in promise\) )?/, "").replace(/^Uncaught /, "");
  const at = block.match(/at (file:\/\/\S+?):(\d+):(\d+)/);
  const prefix = `file://${folder.endsWith("/") ? folder : folder + "/"}`;
  const clean = (text: string) => text.replaceAll(prefix, "").replaceAll(`${folder}/`, "");
  if (!at) return clean(headline);
  const where = `${clean(at[1])}:${at[2]}:${at[3]}`;
  return `${clean(headline).replace(/ at \S+:\d+:\d+$/, "")} (${where})`;
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-5).join("\n");
}
