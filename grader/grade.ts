/**
 * Grades submissions: draws each student's hidden cases from their seed, runs them on the
 * student's code in the sandbox, and scores what comes back in this (trusted) process.
 *
 * @module
 */
import { join } from "node:path";
import type { Exercise } from "../course/metadata.ts";
import { createRng } from "../fixtures/random.ts";
import { casesToIsolate, type IsolatedVerdict, rescued } from "./isolation.ts";
import type { SubmissionGrade } from "./report.ts";
import type { SandboxStatus } from "./sandbox.ts";
import { type CaseRun, judgeCases, scoreVerdicts } from "./score.ts";
import { WITHHOLDING_PREFIX } from "./child/calls.ts";
import type { HiddenCase, HiddenSuite, Verdict } from "./suite.ts";

/** How the sandboxed run of a submission's cases ended. */
export interface Execution {
  status: SandboxStatus;
  /** Why, in plain words, where the status is not `ok`. */
  message?: string;
  /** One per case, in order. */
  runs: CaseRun[];
  /** What the student's code printed, capped. */
  studentOutput?: string;
  /** How long its sandboxed runs took, start-up included, in milliseconds. */
  durationMs?: number;
}

/**
 * Run cases isolated (see `isolation.ts`): `swaps[i]` names the functions that case `i`
 * finds replaced by the trusted stand-ins of the exercise's driver.
 */
export interface Isolation {
  swaps: readonly (readonly string[])[];
}

/** How to run a submission's cases, besides the cases themselves. */
export interface RunOptions {
  /** Run the cases isolated (see `isolation.ts`). */
  isolation?: Isolation;
  /**
   * Called once the submission's module has loaded in the child, while its cases run, if
   * the executor can tell (the sandbox can): the grader then starts what judging will need
   * whatever the outputs (see `HiddenCase.prepare`). Never awaited.
   */
  onLoaded?: () => void;
}

/** Runs cases on a submission folder; the sandbox in production, a stand-in in tests. */
export type Executor = (
  submission: string,
  exercise: Exercise,
  cases: readonly HiddenCase[],
  options?: RunOptions,
) => Promise<Execution>;

/** Runs several submissions of one student (in one child, where it can); one execution each. */
export type BatchExecutor = (
  runs: readonly ({
    submission: string;
    exercise: Exercise;
    cases: readonly HiddenCase[];
  } & RunOptions)[],
) => Promise<Execution[]>;

/** What {@linkcode gradeSubmission} needs besides the submission. */
export interface GradeOptions {
  /** The exercise's hidden suite. */
  suite: HiddenSuite;
  /** The seed of this student's cases for this exercise. */
  seed: string;
  /** Runs the cases. */
  execute: Executor;
}

/**
 * Grades one student's submission of one exercise.
 *
 * @param submission `{ student, exercise, folder }`: the folder is
 *   `<submissions>/<student>/<exercise-id>`; it may be missing.
 * @param options The suite, the seed and the executor.
 * @returns The grade. A missing submission, code that does not load, a timeout or a crash
 *   give a grade with a status and a plain message, never an exception.
 */
export async function gradeSubmission(
  submission: { student: string; exercise: Exercise; folder: string },
  options: GradeOptions,
): Promise<SubmissionGrade> {
  const [grade] = await gradeStudent(
    submission.student,
    [{ exercise: submission.exercise, folder: submission.folder, ...options }],
    (runs) =>
      Promise.all(
        runs.map(({ submission, exercise, cases, ...run }) =>
          options.execute(submission, exercise, cases, run)
        ),
      ),
  );
  return grade;
}

/** One exercise of {@linkcode gradeStudent}: where the submission is, its suite and seed. */
export interface StudentExercise {
  exercise: Exercise;
  /** `<submissions>/<student>/<exercise-id>`; it may be missing. */
  folder: string;
  suite: HiddenSuite;
  seed: string;
}

/**
 * Grades one student's submissions of several exercises, running them together (one
 * sandboxed child for all of them, with `executeMany` of `execute.ts`).
 *
 * @param student The student's id.
 * @param exercises The exercises, each with its folder, suite and seed.
 * @param executeMany Runs the submissions that exist.
 * @returns One grade per exercise, in order; see {@linkcode gradeSubmission}.
 */
export async function gradeStudent(
  student: string,
  exercises: readonly StudentExercise[],
  executeMany: BatchExecutor,
): Promise<SubmissionGrade[]> {
  const drawn = await Promise.all(exercises.map(async ({ exercise, folder, suite, seed }) => {
    const started = performance.now();
    const cases = await suite.cases(createRng(seed));
    // Anything at the entry's path goes to the sandbox, which refuses a link or a folder
    // with its own message; only nothing at all is "no submission".
    const present = exists(join(folder, exercise.entry));
    const missing = present
      ? undefined
      : isDirectory(folder)
      ? `No submission: ${exercise.entry} is missing from the ${exercise.id} folder`
      : "No submission";
    return { exercise, folder, suite, cases, missing, drawMs: performance.now() - started };
  }));
  const present = drawn.filter((d) => d.missing === undefined);
  const executing = performance.now();
  // Cases that withhold some of the student's functions run in a part of their own, on a
  // swappable copy; the others run on the student's files as they are.
  const parts = present.map(({ cases }) => ({
    plain: cases.flatMap((c, i) => (c.withheld?.length ? [] : [i])),
    withheld: cases.flatMap((c, i) => (c.withheld?.length ? [i] : [])),
  }));
  const partExecutions = await executeMany(
    present.flatMap(({ folder, exercise, cases }, p) => {
      const plain = parts[p].plain.map((i) => cases[i]);
      const withheld = parts[p].withheld.map((i) => cases[i]);
      return [
        { submission: folder, exercise, cases: plain, onLoaded: () => prepare(plain) },
        ...(withheld.length === 0 ? [] : [{
          submission: folder,
          exercise,
          cases: withheld,
          isolation: { swaps: withheld.map(withholding) },
        }]),
      ];
    }),
  );
  const executions: Execution[] = [];
  for (let p = 0, e = 0; p < present.length; p++) {
    const plain = partExecutions[e++];
    const withheld = parts[p].withheld.length > 0 ? partExecutions[e++] : undefined;
    executions.push(withheld ? merged(parts[p], plain, withheld) : plain);
  }
  const executedMs = performance.now() - executing;
  // Judged one at a time, so that each grade's duration is its own.
  const judged: {
    status: SubmissionGrade["status"];
    message?: string;
    studentOutput?: string;
    runs: CaseRun[];
    verdicts: Verdict[];
    ms: number;
    isolated?: { tests: number; rescued: number };
  }[] = [];
  for (const d of drawn) {
    const started = performance.now();
    if (d.missing !== undefined) {
      const runs: CaseRun[] = d.cases.map(() => ({ kind: "failed", reason: "no submission" }));
      judged.push({
        status: "no-submission",
        message: d.missing,
        runs,
        verdicts: await judgeCases(d.cases, runs),
        ms: d.drawMs + performance.now() - started,
      });
      continue;
    }
    const execution = executions[present.indexOf(d)];
    judged.push({
      status: execution.status === "ok" ? "graded" : execution.status,
      message: execution.message,
      studentOutput: execution.studentOutput,
      runs: execution.runs,
      verdicts: await judgeCases(d.cases, execution.runs),
      // Its own share of the shared child, and its own drawing and judging.
      ms: d.drawMs + (execution.durationMs ?? executedMs) + performance.now() - started,
    });
  }

  // A failing case of a function built on the student's other failing functions runs again
  // with trusted stand-ins for those: one bug costs its own function's points. Each
  // function's cases get a child of their own: nothing one function's code computed with
  // the stand-ins it was given (another function's answers, on inputs it has seen in its
  // feedback) can reach another's cases.
  const isolating = drawn.flatMap((d, k) => {
    const { runs, verdicts } = judged[k];
    const isolated = d.missing === undefined && d.suite.builtOn !== undefined
      ? casesToIsolate(d.cases, runs, verdicts, d.suite.builtOn)
      : [];
    if (isolated.length === 0) return [];
    const symbols = [...new Set(isolated.map(({ index }) => d.cases[index].symbol))];
    const groups = symbols.map((symbol) =>
      isolated.filter(({ index }) => d.cases[index].symbol === symbol)
    );
    return [{ k, isolated, groups }];
  });
  for (const { k, isolated, groups } of isolating) {
    const started = performance.now();
    const outcomes: IsolatedVerdict[] = [];
    for (const group of groups) {
      const cases = group.map(({ index }) => drawn[k].cases[index]);
      const [{ runs }] = await executeMany([{
        submission: drawn[k].folder,
        exercise: drawn[k].exercise,
        cases,
        // A withheld function stays withheld when the case runs again.
        isolation: {
          swaps: group.map(({ index, swaps }) => [
            ...swaps,
            ...withholding(drawn[k].cases[index]),
          ]),
        },
      }]);
      const verdicts = await judgeCases(cases, runs);
      group.forEach((c, i) => {
        const run = runs[i];
        outcomes.push({
          ...c,
          verdict: verdicts[i],
          ...(run.kind === "results"
            ? { called: run.standIns ?? [], unswapped: run.unswapped ?? [] }
            : {}),
        });
      });
    }
    const after = rescued(drawn[k].cases, judged[k].verdicts, outcomes);
    judged[k].isolated = {
      tests: isolated.length,
      rescued: after.filter((v, i) => v.pass && !judged[k].verdicts[i].pass).length,
    };
    judged[k].verdicts = after;
    judged[k].ms += performance.now() - started;
  }

  const grades: SubmissionGrade[] = [];
  drawn.forEach((d, k) => {
    const started = performance.now();
    const { status, message, studentOutput, verdicts, ms, isolated } = judged[k];
    const scored = scoreVerdicts(d.exercise, d.suite, d.cases, verdicts);
    grades.push({
      student,
      exercise: d.exercise.id,
      status,
      ...(message ? { message } : {}),
      ...(studentOutput ? { studentOutput } : {}),
      ...scored,
      durationMs: ms + (performance.now() - started),
      ...(isolated ? { isolated } : {}),
    });
  });
  return grades;
}

/**
 * The grades of a student whose grading failed in the grader itself (a bug in a judge, a
 * full disk): not the student's doing, so not a mark. Each exercise gets the status
 * `grader-error`, no points and a message that says so; `grades.csv` leaves its cells
 * empty, and `deno task grade` names the student and the error and exits with status 1, so
 * that the instructor grades them again.
 *
 * @param student The student's id.
 * @param exercises The exercises that were being graded.
 * @param error What the grader threw.
 * @returns One grade per exercise, in order.
 *
 * @example
 * ```ts
 * import { graderErrorGrades } from "./grade.ts";
 * import { exerciseById } from "../course/metadata.ts";
 * import assert from "node:assert/strict";
 *
 * const [grade] = graderErrorGrades("ada", [exerciseById("02-lms")], new Error("ENOSPC"));
 * assert.equal(grade.status, "grader-error");
 * assert.equal(grade.score, 0);
 * assert.match(grade.message!, /not a mark/);
 * ```
 */
export function graderErrorGrades(
  student: string,
  exercises: readonly Exercise[],
  error: unknown,
): SubmissionGrade[] {
  return exercises.map((exercise) => ({
    student,
    exercise: exercise.id,
    status: "grader-error",
    message: "The grader failed while grading this submission, through no fault of your code: " +
      "this is not a mark. Your instructor has been told and will grade it again.",
    score: 0,
    maxScore: exercise.groups.reduce((sum, group) => sum + group.points, 0),
    groups: [],
    durationMs: 0,
    graderError: error instanceof Error ? error.message : String(error),
  }));
}

/** The swaps that withhold a case's `withheld` functions (see `stand_ins.ts`). */
function withholding(testCase: HiddenCase): string[] {
  return (testCase.withheld ?? []).map((name) => `${WITHHOLDING_PREFIX}${name}`);
}

/**
 * One execution of a submission whose cases ran in two parts, the plain ones and those
 * that withhold functions: the runs back in the cases' order; the status and message of
 * the first part that was stopped; both parts' time and printing.
 */
function merged(
  parts: { plain: number[]; withheld: number[] },
  plain: Execution,
  withheld: Execution,
): Execution {
  const runs: CaseRun[] = [];
  parts.plain.forEach((i, k) => (runs[i] = plain.runs[k]));
  parts.withheld.forEach((i, k) => (runs[i] = withheld.runs[k]));
  const first = plain.status === "ok" ? withheld : plain;
  const output = [plain.studentOutput, withheld.studentOutput].filter(Boolean).join("\n");
  return {
    status: first.status,
    ...(first.message ? { message: first.message } : {}),
    runs,
    ...(plain.durationMs !== undefined || withheld.durationMs !== undefined
      ? { durationMs: (plain.durationMs ?? 0) + (withheld.durationMs ?? 0) }
      : {}),
    ...(output ? { studentOutput: output } : {}),
  };
}

/**
 * Starts each case's {@linkcode HiddenCase.prepare}: the reference's own work (the
 * autoencoder's training, seconds of it) then runs in this process while the student's code
 * runs in its child, rather than after it. A failure is the judge's to report, when it
 * asks for the same work.
 */
function prepare(cases: readonly HiddenCase[]): void {
  for (const testCase of cases) {
    try {
      Promise.resolve(testCase.prepare?.()).catch(() => {});
    } catch {
      // Reported by the judge.
    }
  }
}

// Synchronous: one system call on a local folder costs less than an async operation's round trip.
function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.lstatSync(path).isDirectory;
  } catch {
    return false;
  }
}
