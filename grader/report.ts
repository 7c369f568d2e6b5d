/**
 * What a grading run writes: Gradescope's `results.json` per submission, the gradebook CSV
 * and a run summary.
 *
 * @module
 */
import type { Exercise } from "../course/metadata.ts";
import type { SandboxStatus } from "./sandbox.ts";
import type { GroupScore, Scored } from "./score.ts";

/**
 * How grading one submission ended: graded, not submitted, how its sandboxed run failed, or
 * `grader-error`: the grader itself failed (see `graderErrorGrades` in grade.ts).
 */
export type GradeStatus =
  | "graded"
  | "no-submission"
  | "grader-error"
  | Exclude<SandboxStatus, "ok">;

/** The grade of one student's submission of one exercise. */
export interface SubmissionGrade extends Scored {
  student: string;
  exercise: string;
  status: GradeStatus;
  /** Why the submission could not be graded normally, in plain words. */
  message?: string;
  /** What the student's code printed, capped. */
  studentOutput?: string;
  durationMs: number;
  /**
   * Where failing tests ran again with the grader's stand-ins (see `isolation.ts`): how
   * many ran, and how many of them that rescued.
   */
  isolated?: { tests: number; rescued: number };
  /**
   * The grader's own error, for the instructor, where the status is `grader-error`; never
   * shown to the student.
   */
  graderError?: string;
}

/** One test of Gradescope's results.json. */
export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: "passed" | "failed";
  output: string;
  visibility: "visible" | "hidden" | "after_due_date" | "after_published";
  tags: string[];
}

/** Gradescope's results.json. */
export interface GradescopeResults {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  output_format: "text";
  visibility: "visible";
  stdout_visibility: "hidden";
  tests: GradescopeTest[];
  leaderboard?: { name: string; value: number; order: "asc" | "desc" }[];
}

/**
 * Items in a sentence: "a", "a and b", "a, b and c".
 *
 * @param items The items.
 * @returns Them, listed.
 *
 * @example
 * ```ts
 * import { listed } from "./report.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(listed(["θ", "X", "y"]), "θ, X and y");
 * ```
 */
export function listed(items: readonly string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * Student-made text (a load error, an error a call threw) as plain text: terminal escape
 * sequences (CSI, and OSC, DCS and the like whole, links among them), control characters
 * other than newline and tab, and the invisible direction and zero-width marks removed, so
 * that it cannot redraw, reorder or hide what a reader sees of the report.
 *
 * @param text The text.
 * @returns The text without them.
 *
 * @example
 * ```ts
 * import { plainText } from "./report.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(plainText("\x1b[2JAll passed\x1b[8m\nreally\x07"), "All passed\nreally");
 * assert.equal(plainText("\x1b]8;;http://e\x07link\x1b]8;;\x07 \u202eexe.txt"), "link exe.txt");
 * ```
 */
export function plainText(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[\]P^_][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g,
    "",
  );
}

/**
 * Whether a group is not started: every one of its tests failed with the stub's own error
 * (`throw new Error("TODO: …")`), as `deno task check` says of it with a `·`.
 */
const notStarted = (group: GroupScore) =>
  group.cases.length > 0 &&
  group.cases.every((c) => !c.passed && /\bthrew: Error: TODO\b/.test(c.reason ?? ""));

const MARK = (group: GroupScore) =>
  group.score === group.points ? "✓" : notStarted(group) ? "·" : group.score === 0 ? "✗" : "~";

/**
 * Writes the plain-text feedback of one submission: the status, a line per group with its
 * points, and each misconception question. It says "all tests passed" only when every
 * test did.
 *
 * @param grade The submission's grade.
 * @returns Text for a student.
 */
export function feedbackText(grade: SubmissionGrade): string {
  const lines: string[] = [];
  if (grade.message) lines.push(plainText(grade.message), "");
  const tests = grade.groups.flatMap((g) => g.cases);
  const passed = tests.filter((t) => t.passed).length;
  if (grade.status !== "no-submission" && tests.length > 0) {
    lines.push(
      passed === tests.length
        ? `All ${tests.length} tests passed.`
        : `${passed} of ${tests.length} tests passed; ${tests.length - passed} failed.`,
    );
  }
  const width = Math.max(0, ...grade.groups.map((g) => g.symbol.length));
  for (const group of grade.groups) {
    lines.push(
      `${MARK(group)} ${
        group.symbol.padEnd(width)
      }  ${group.score}/${group.points}  ${group.title}${
        notStarted(group) ? " (not started)" : ""
      }`,
    );
    for (const question of group.questions) lines.push(`    ? ${question}`);
    const notes = new Map<string, number>();
    for (const { note } of group.cases) if (note) notes.set(note, (notes.get(note) ?? 0) + 1);
    for (const [note, count] of notes) {
      lines.push(`    ! ${count === 1 ? "1 test" : `${count} tests`} passed ${note}.`);
    }
  }
  if (grade.status === "grader-error") return lines.join("\n").trimEnd();
  lines.push(`Score: ${grade.score}/${grade.maxScore}`);
  if (grade.metric) lines.push(`${grade.metric.name}: ${grade.metric.value.toFixed(4)}`);
  return lines.join("\n");
}

/**
 * A group's points split among its `n` tests in ten-thousandths, the remainder to the first
 * ones, so that the tests' `max_score`s add up to the group's points exactly (3 tests of 1
 * point: 0.3334, 0.3333 and 0.3333, not three 0.3333).
 */
function shares(points: number, n: number): number[] {
  const units = Math.round(points * 10000);
  const base = Math.floor(units / n);
  return Array.from({ length: n }, (_, i) => (base + (i < units - base * n ? 1 : 0)) / 10000);
}

/**
 * Converts a grade to Gradescope's results.json: one test per hidden case, each worth its
 * share of its group's points.
 *
 * @param grade The submission's grade.
 * @returns The results object.
 */
export function toGradescope(grade: SubmissionGrade): GradescopeResults {
  const tests: GradescopeTest[] = grade.groups.flatMap((group, g) => {
    const split = shares(group.points, group.cases.length);
    return group.cases.map((testCase, c): GradescopeTest => {
      const share = split[c];
      const output = [
        testCase.passed
          ? (testCase.note ? `Passed ${testCase.note}.` : "Passed.")
          : `Failed: ${plainText(testCase.reason ?? "")}`,
        // With no submission there is nothing the inputs could help find.
        ...(testCase.input && grade.status !== "no-submission" ? [`Input: ${testCase.input}`] : []),
        ...(!testCase.passed ? group.questions : []),
      ].join("\n");
      return {
        name: testCase.name,
        number: `${g + 1}.${c + 1}`,
        score: testCase.passed ? share : 0,
        max_score: share,
        status: testCase.passed ? "passed" : "failed",
        output,
        visibility: "visible",
        tags: [group.symbol],
      };
    });
  });
  const results: GradescopeResults = {
    score: grade.score,
    max_score: grade.maxScore,
    execution_time: Math.round(grade.durationMs) / 1000,
    output: feedbackText(grade),
    output_format: "text",
    visibility: "visible",
    stdout_visibility: "hidden",
    tests,
  };
  if (grade.metric) {
    results.leaderboard = [{
      name: grade.metric.name,
      value: grade.metric.value,
      order: grade.metric.higherIsBetter ? "desc" : "asc",
    }];
  }
  return results;
}

/**
 * Writes the gradebook: header `student,<exercise ids…>,total`, one row per student in
 * id order, points with at most two decimals. A submission the grader itself failed on
 * (`grader-error`) has an empty cell, and so has its student's total: a gradebook reads
 * that as "not graded yet", never as a 0 the student earned.
 *
 * @param exercises The graded exercises, in column order.
 * @param grades Every grade of the run.
 * @returns CSV text ending in a newline.
 */
export function gradesCsv(
  exercises: readonly Exercise[],
  grades: readonly SubmissionGrade[],
): string {
  const students = [...new Set(grades.map((g) => g.student))].sort();
  const byKey = new Map(grades.map((g) => [`${g.student}\n${g.exercise}`, g]));
  const rows = [["student", ...exercises.map((e) => e.id), "total"].join(",")];
  for (const student of students) {
    const own = exercises.map((e) => byKey.get(`${student}\n${e.id}`));
    const scores = own.map((g) => g?.score ?? 0);
    const failed = own.some((g) => g?.status === "grader-error");
    const total = Math.round(scores.reduce((a, b) => a + b, 0) * 100) / 100;
    rows.push([
      csvField(student),
      ...own.map((g) => g?.status === "grader-error" ? "" : String(g?.score ?? 0)),
      failed ? "" : String(total),
    ].join(","));
  }
  return rows.join("\n") + "\n";
}

/** What a spreadsheet reads as the start of a formula (see {@linkcode csvField}). */
const FORMULA_LEAD = /^[=+\-@\t\r]/;

/**
 * The students and exercises of a gradebook {@linkcode gradesCsv} wrote: its header's
 * exercise ids and each row's student, read back as {@linkcode csvField} wrote them.
 *
 * @param text The gradebook's text.
 * @returns Its exercises and students, in order.
 *
 * @example
 * ```ts
 * import { readGradebook } from "./report.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(readGradebook("student,02-lms,total\nada,10,10\n'-b2,0,0\n"), {
 *   exercises: ["02-lms"],
 *   students: ["ada", "-b2"],
 * });
 * ```
 */
export function readGradebook(text: string): { exercises: string[]; students: string[] } {
  const [header = "", ...rows] = text.split("\n").filter((line) => line.length > 0);
  const unquote = (field: string) =>
    field.startsWith("'") && FORMULA_LEAD.test(field.slice(1)) ? field.slice(1) : field;
  return {
    exercises: header.split(",").slice(1, -1),
    students: rows.map((row) => unquote(row.slice(0, row.indexOf(",")))),
  };
}

/**
 * A CSV field. A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` as a
 * formula, and a student id may start with `-` (`-B2` would show another cell): such a
 * field keeps its text behind a leading `'`, which spreadsheets show as text and hide.
 */
function csvField(text: string): string {
  const safe = FORMULA_LEAD.test(text) ? `'${text}` : text;
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
