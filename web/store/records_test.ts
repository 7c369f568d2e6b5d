import assert from "node:assert/strict";
import type { SubmissionGrade } from "../../grader/report.ts";
import {
  parseRecord,
  SubmissionGradeSchema,
  SubmissionSchema,
  UserIdSchema,
  UserSchema,
} from "./records.ts";

const grade: SubmissionGrade = {
  student: "ada",
  exercise: "05-autoencoder",
  status: "graded",
  score: 1.5,
  maxScore: 2,
  groups: [{
    symbol: "reconstructionError",
    title: "mean squared error per row",
    points: 2,
    score: 1.5,
    cases: [
      { symbol: "reconstructionError", name: "a", passed: true },
      { symbol: "reconstructionError", name: "b", passed: false, reason: "wrong", input: "[1]" },
    ],
    questions: ["Did you average over the features?"],
  }],
  metric: { name: "AUC", value: 0.93, higherIsBetter: true },
  durationMs: 120,
};

Deno.test("parseRecord() returns a record that matches its schema", () => {
  const row = { id: "ada", name: "Ada", role: "student", createdAt: new Date(0) };
  assert.deepEqual(parseRecord(UserSchema, row, 'user "ada"'), row);
});

Deno.test("parseRecord() names the record and every bad field", () => {
  assert.throws(
    () => parseRecord(UserSchema, { id: "a d", name: "", role: "dean" }, 'user "a d"'),
    (error: Error) =>
      error instanceof TypeError &&
      error.message.startsWith('Cannot read user "a d": the stored record is malformed') &&
      ["id", "name", "role", "createdAt"].every((field) => error.message.includes(field)),
  );
});

Deno.test("SubmissionGradeSchema keeps a grader's SubmissionGrade through JSON", () => {
  const copy = JSON.parse(JSON.stringify(grade));
  assert.deepEqual(parseRecord(SubmissionGradeSchema, copy, "a grade"), grade);
  assert.throws(
    () => parseRecord(SubmissionGradeSchema, { ...copy, score: null }, "a grade"),
    /score/,
  );
});

Deno.test("SubmissionSchema accepts a queued submission without a result", () => {
  const row = {
    id: "5f0c",
    student: "ada",
    exercise: "05-autoencoder",
    createdAt: new Date(0),
    status: "queued",
    score: null,
    maxScore: null,
    metric: null,
    result: null,
    error: null,
    attemptCounted: true,
    finishedAt: null,
  };
  assert.deepEqual(parseRecord(SubmissionSchema, row, "a submission"), row);
  assert.throws(
    () => parseRecord(SubmissionSchema, { ...row, status: "lost" }, "a submission"),
    /status/,
  );
});

Deno.test("UserIdSchema refuses '.' and '..', which are not folder names", () => {
  for (const id of [".", ".."]) assert.equal(UserIdSchema.safeParse(id).success, false, id);
  for (const id of ["ada", "a.b", "..ada", "x_y-1"]) {
    assert.ok(UserIdSchema.safeParse(id).success, id);
  }
});
