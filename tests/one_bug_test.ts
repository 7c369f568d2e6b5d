/**
 * `deno task grade` charges a bug to the function that has it: every single-bug variant of
 * tests/variants/ loses points in its own group only. Most variants are the solution with
 * one mistake, so their other functions call the buggy one as the solution does; those
 * named `*_reused.ts`, `*_everywhere.ts` or `*_class.ts` (static methods that call each
 * other through their class) are written to. The callers' cases pass with
 * the grader's stand-ins, and say which function to fix.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EXERCISES } from "../course/metadata.ts";
import { gradeClass, ROOT, variants } from "./_workspace.ts";

/** The exercises whose drivers have stand-ins. */
const ISOLATED = ["01-dual-numbers", "02-lms", "03-adaboost", "04-softmax"];

interface Results {
  score: number;
  max_score: number;
  output: string;
  tests: { name: string; status: string; output: string; tags: string[] }[];
}

Deno.test("grade charges each single-bug variant of 01–04 to the function with the bug", async () => {
  const submissions = await Deno.makeTempDir({ prefix: "one-bug-class-" });
  const out = await Deno.makeTempDir({ prefix: "one-bug-out-" });
  try {
    const students: { student: string; exercise: string; name: string; symbol: string }[] = [];
    for (const exercise of EXERCISES.filter((e) => ISOLATED.includes(e.id))) {
      for (const variant of await variants(exercise.id)) {
        if (!variant.bug) continue;
        const student = `s${students.length}`;
        await Deno.mkdir(join(submissions, student, exercise.id), { recursive: true });
        await Deno.copyFile(
          join(ROOT, variant.path),
          join(submissions, student, exercise.id, exercise.entry),
        );
        students.push({ student, exercise: exercise.id, name: variant.name, ...variant.bug });
      }
    }
    await gradeClass(submissions, out, ISOLATED);

    let rescuedTests = 0;
    for (const { student, exercise, name, symbol } of students) {
      const path = join(out, "results", student, `${exercise}.json`);
      const results = JSON.parse(await Deno.readTextFile(path)) as Results;
      const failed = results.tests.filter((t) => t.status !== "passed");
      assert.ok(failed.length > 0, `${name} passes every hidden test`);
      assert.deepEqual(
        failed.filter((t) => !t.tags.includes(symbol)).map((t) => `${t.name}: ${t.output}`),
        [],
        `${name}: a bug in ${symbol}() costs other functions' points`,
      );
      // Every rescued test names the function with the bug as the one to fix.
      const rescued = results.tests.filter((t) => t.output.startsWith("Passed with the grader's"));
      rescuedTests += rescued.length;
      for (const t of rescued) {
        assert.match(
          t.output,
          new RegExp(`in place of yours(, which [^:\\n]*)?: fix your ${symbol}\\(\\) first\\.`),
        );
      }
      if (/_(reused|everywhere|class)\.ts$/.test(name)) {
        assert.ok(rescued.length > 0, `${name}: no test passed with the grader's functions`);
        assert.match(results.output, /! \d+ tests? passed with the grader's/);
      }
    }
    const summary = JSON.parse(await Deno.readTextFile(join(out, "summary.json")));
    assert.equal(summary.isolation.rescued, rescuedTests);
    assert.ok(summary.isolation.tests >= rescuedTests);
    assert.ok(summary.isolation.submissions > 0 && summary.isolation.submissions < students.length);
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

/** 02-lms kept in a helper file that the entry re-exports; predict() leaves out θ₀. */
const HELPER_FILE = {
  "lms.ts": 'export * from "./lib/model.ts";\n',
  "lib/model.ts": `
const dot = (a: number[], b: number[]) => a.reduce((sum, ai, j) => sum + ai * b[j], 0);
export const predict = (theta: number[], x: number[]) => dot(theta.slice(1), x.slice(1));
export const cost = (theta: number[], X: number[][], y: number[]) =>
  X.reduce((sum, x, i) => sum + (predict(theta, x) - y[i]) ** 2, 0) / 2;
export function lmsUpdate(theta: number[], x: number[], y: number, alpha: number) {
  const step = alpha * (y - predict(theta, x));
  return theta.map((t, j) => t + step * x[j]);
}
export function batchUpdate(theta: number[], X: number[][], y: number[], alpha: number) {
  const steps = X.map((x, i) => alpha * (y[i] - predict(theta, x)));
  return theta.map((t, j) => t + X.reduce((sum, x, i) => sum + steps[i] * x[j], 0));
}
export const stochasticEpoch = (theta: number[], X: number[][], y: number[], alpha: number) =>
  X.reduce((t, x, i) => lmsUpdate(t, x, y[i], alpha), theta);
`,
};

Deno.test("grade charges a bug to its function when the functions live in a helper file", async () => {
  const submissions = await Deno.makeTempDir({ prefix: "one-bug-helper-" });
  const out = await Deno.makeTempDir({ prefix: "one-bug-helper-out-" });
  try {
    for (const [path, text] of Object.entries(HELPER_FILE)) {
      await Deno.mkdir(join(submissions, "helper", "02-lms", path, ".."), { recursive: true });
      await Deno.writeTextFile(join(submissions, "helper", "02-lms", path), text);
    }
    await gradeClass(submissions, out, ["02-lms"]);
    const results = JSON.parse(
      await Deno.readTextFile(join(out, "results", "helper", "02-lms.json")),
    ) as Results;
    assert.equal(results.score, 9, results.output);
    assert.ok(
      results.tests.filter((t) => t.tags.includes("predict")).every((t) => t.status === "failed"),
    );
    assert.match(
      results.output,
      /! 4 tests passed with the grader's predict\(\) in place of yours/,
    );
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});
