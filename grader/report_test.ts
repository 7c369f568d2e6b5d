import assert from "node:assert/strict";
import { z } from "zod";
import { exerciseById } from "../course/metadata.ts";
import { graderErrorGrades } from "./grade.ts";
import { feedbackText, gradesCsv, type SubmissionGrade, toGradescope } from "./report.ts";

/** Gradescope's results.json, as its autograder documentation specifies it. */
const GradescopeSchema = z.object({
  score: z.number(),
  max_score: z.number(),
  execution_time: z.number(),
  output: z.string(),
  visibility: z.enum(["visible", "hidden", "after_due_date", "after_published"]),
  tests: z.array(z.object({
    name: z.string(),
    score: z.number(),
    max_score: z.number(),
    status: z.enum(["passed", "failed"]),
    output: z.string(),
    visibility: z.enum(["visible", "hidden", "after_due_date", "after_published"]),
  })),
  leaderboard: z.array(z.object({
    name: z.string(),
    value: z.number(),
    order: z.enum(["asc", "desc"]),
  })).optional(),
});

const grade: SubmissionGrade = {
  student: "chen",
  exercise: "02-lms",
  status: "graded",
  score: 9,
  maxScore: 10,
  durationMs: 1234,
  groups: [
    {
      symbol: "predict",
      title: "h(x) = θᵀx",
      points: 1,
      score: 1,
      questions: [],
      cases: [{ symbol: "predict", name: "predict(): θᵀx", passed: true }],
    },
    {
      symbol: "cost",
      title: "J(θ)",
      points: 2,
      score: 1,
      questions: ["Is the ½ there?"],
      cases: [
        { symbol: "cost", name: "cost(): value", passed: false, reason: "wrong value" },
        { symbol: "cost", name: "cost(): no mutation", passed: true },
      ],
    },
  ],
};

Deno.test("toGradescope() writes a valid results.json with one test per case", () => {
  const results = GradescopeSchema.parse(toGradescope(grade));
  assert.equal(results.tests.length, 3);
  assert.deepEqual(results.tests.map((t) => t.score), [1, 0, 1]);
  assert.equal(results.tests[1].output, "Failed: wrong value\nIs the ½ there?");
  assert.equal(results.execution_time, 1.234);
  assert.equal(results.leaderboard, undefined);
});

Deno.test("toGradescope() shows a failing test's inputs, except where nothing was submitted", () => {
  const failing = { symbol: "cost", name: "cost(): value", passed: false, input: "θ = [1, 2]" };
  const withInputs: SubmissionGrade = {
    ...grade,
    groups: [{ ...grade.groups[1], cases: [{ ...failing, reason: "wrong value" }] }],
  };
  assert.match(toGradescope(withInputs).tests[0].output, /^Input: θ = \[1, 2\]$/m);
  const missing: SubmissionGrade = {
    ...withInputs,
    status: "no-submission",
    groups: [{ ...grade.groups[1], cases: [{ ...failing, reason: "no submission" }] }],
  };
  assert.equal(toGradescope(missing).tests[0].output, "Failed: no submission\nIs the ½ there?");
});

Deno.test("toGradescope() adds a leaderboard entry where the exercise has a metric", () => {
  const ranked = { ...grade, metric: { name: "AUC", value: 0.93, higherIsBetter: true } };
  const results = GradescopeSchema.parse(toGradescope(ranked));
  assert.deepEqual(results.leaderboard, [{ name: "AUC", value: 0.93, order: "desc" }]);
});

Deno.test("feedbackText() never says all passed when a test failed", () => {
  const text = feedbackText(grade);
  assert.match(text, /2 of 3 tests passed; 1 failed\./);
  assert.doesNotMatch(text, /[Aa]ll .*passed/);
  const perfect = feedbackText({
    ...grade,
    score: 3,
    groups: grade.groups.map((g) => ({
      ...g,
      score: g.points,
      questions: [],
      cases: g.cases.map((c) => ({ ...c, passed: true })),
    })),
  });
  assert.match(perfect, /All 3 tests passed\./);
});

Deno.test("feedbackText() and toGradescope() keep terminal escapes in student text out of the report", () => {
  const spoof = "\x1b[2J\x1b[HAll 3 tests passed.\x1b[8m";
  const hostile: SubmissionGrade = {
    ...grade,
    message: `Your code does not load: Error: ${spoof}`,
    groups: grade.groups.map((g) => ({
      ...g,
      cases: g.cases.map((c) => c.passed ? c : { ...c, reason: `cost() threw: ${spoof}` }),
    })),
  };
  const text = feedbackText(hostile);
  assert.ok(text.startsWith("Your code does not load: Error: All 3 tests passed.\n"), text);
  assert.ok(!text.includes("\x1b"), text);
  assert.equal(
    toGradescope(hostile).tests[1].output,
    "Failed: cost() threw: All 3 tests passed.\nIs the ½ there?",
  );
});

Deno.test("gradesCsv() writes one row per student with zeros for missing exercises", () => {
  const exercises = [exerciseById("01-dual-numbers"), exerciseById("02-lms")];
  const csv = gradesCsv(exercises, [grade, { ...grade, student: "ada", score: 10 }]);
  assert.equal(csv, "student,01-dual-numbers,02-lms,total\nada,0,10,10\nchen,0,9,9\n");
});

Deno.test("gradesCsv() writes a student id a spreadsheet would take for a formula as text", () => {
  const exercises = [exerciseById("02-lms")];
  const csv = gradesCsv(exercises, [{ ...grade, student: "-B2" }, { ...grade, student: "b-2" }]);
  assert.equal(csv, "student,02-lms,total\n'-B2,9,9\nb-2,9,9\n");
});

Deno.test("a grader error is no mark: its cell and its student's total stay empty, its feedback says so", () => {
  const exercises = [exerciseById("01-dual-numbers"), exerciseById("02-lms")];
  const [failed] = graderErrorGrades("ada", [exerciseById("01-dual-numbers")], new Error("EIO"));
  const csv = gradesCsv(exercises, [grade, { ...grade, student: "ada", score: 10 }, failed]);
  assert.equal(csv, "student,01-dual-numbers,02-lms,total\nada,,10,\nchen,0,9,9\n");

  const results = GradescopeSchema.parse(toGradescope(failed));
  assert.deepEqual(results.tests, []);
  assert.match(results.output, /^The grader failed .* not a mark\./);
  assert.doesNotMatch(results.output, /EIO|Score/, "the grader's own error is the instructor's");
});

Deno.test("feedbackText() marks a function still throwing the stub's TODO error as not started", () => {
  const todo = (name: string) => ({
    symbol: "cost",
    name,
    passed: false,
    reason: "cost() threw: Error: TODO: implement cost (input 1 of 3; all 3 fail)",
  });
  const stub: SubmissionGrade = {
    ...grade,
    score: 1,
    groups: [grade.groups[0], {
      ...grade.groups[1],
      score: 0,
      cases: [todo("cost(): value"), todo("cost(): no mutation")],
    }],
  };
  const lines = feedbackText(stub).split("\n");
  assert.ok(lines.includes("✓ predict  1/1  h(x) = θᵀx"), lines.join("\n"));
  assert.ok(lines.includes("· cost     0/2  J(θ) (not started)"), lines.join("\n"));
  // A function that throws its own error is wrong, not unstarted.
  const own = feedbackText({
    ...stub,
    groups: [grade.groups[0], {
      ...stub.groups[1],
      cases: [{ ...todo("cost(): value"), reason: "cost() threw: Error: shapes differ" }],
    }],
  });
  assert.match(own, /^✗ cost {5}0\/2 {2}J\(θ\)$/m);
});

Deno.test("toGradescope() splits a group's points so that its tests add up to them exactly", () => {
  const cases = (n: number, passed: number) =>
    Array.from({ length: n }, (_, i) => ({
      symbol: "fitStump",
      name: `fitStump(): test ${i + 1}`,
      passed: i < passed,
    }));
  const thirds: SubmissionGrade = {
    ...grade,
    exercise: "03-adaboost",
    score: 13 / 3,
    maxScore: 13,
    groups: [
      { symbol: "fitStump", title: "", points: 1, score: 1 / 3, questions: [], cases: cases(3, 1) },
      { symbol: "fitStump", title: "", points: 3, score: 1, questions: [], cases: cases(6, 2) },
      { symbol: "fitStump", title: "", points: 9, score: 3, questions: [], cases: cases(7, 0) },
    ],
  };
  const { tests } = toGradescope(thirds);
  assert.deepEqual(tests.slice(0, 3).map((t) => t.max_score), [0.3334, 0.3333, 0.3333]);
  const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 1e4) / 1e4;
  assert.equal(sum(tests.map((t) => t.max_score)), 13);
  assert.equal(sum(tests.slice(3, 9).map((t) => t.max_score)), 3);
  assert.equal(sum(tests.slice(9).map((t) => t.max_score)), 9);
  assert.equal(sum(tests.map((t) => t.score)), 0.3334 + 0.5 + 0.5);
});
