/**
 * `deno task grade` charges a bug to the function that has it: every single-bug variant of
 * tests/variants/ loses points in its own group only. Most variants are the solution with
 * one mistake, so their other functions call the buggy one as the solution does; those
 * named `*_reused.ts` or `*_everywhere.ts` are written to. The callers' cases pass with
 * the grader's stand-ins, and say which function to fix.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EXERCISES } from "../course/metadata.ts";
import { ROOT, task, variants } from "./_workspace.ts";

/** The exercises whose drivers have stand-ins. */
const ISOLATED = ["02-lms", "03-adaboost", "04-softmax"];

interface Results {
  score: number;
  max_score: number;
  output: string;
  tests: { name: string; status: string; output: string; tags: string[] }[];
}

Deno.test("grade charges each single-bug variant of 02–04 to the function with the bug", async () => {
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
    const { code, stdout, stderr } = await task(
      ROOT,
      "grade",
      "--submissions",
      submissions,
      "--out",
      out,
      ...ISOLATED.flatMap((id) => ["--exercise", id]),
    );
    assert.equal(code, 0, stdout + stderr);

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
      for (const t of rescued) {
        assert.match(t.output, new RegExp(`in place of yours: fix your ${symbol}\\(\\) first\\.`));
      }
      if (/_(reused|everywhere)\.ts$/.test(name)) {
        assert.ok(rescued.length > 0, `${name}: no test passed with the grader's functions`);
        assert.match(results.output, /! \d+ tests? passed with the grader's/);
      }
    }
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});
