/**
 * Grades submissions: draws each student's hidden cases from their seed, runs them on the
 * student's code in the sandbox, and scores what comes back in this (trusted) process.
 *
 * @module
 */
import { join } from "node:path";
import type { Exercise } from "../course/metadata.ts";
import { createRng } from "../fixtures/random.ts";
import type { SubmissionGrade } from "./report.ts";
import type { SandboxStatus } from "./sandbox.ts";
import { type CaseRun, scoreCases } from "./score.ts";
import type { HiddenCase, HiddenSuite } from "./suite.ts";

/** How the sandboxed run of a submission's cases ended. */
export interface Execution {
  status: SandboxStatus;
  /** Why, in plain words, where the status is not `ok`. */
  message?: string;
  /** One per case, in order. */
  runs: CaseRun[];
  /** What the student's code printed, capped. */
  studentOutput?: string;
}

/** Runs cases on a submission folder; the sandbox in production, a stand-in in tests. */
export type Executor = (
  submission: string,
  exercise: Exercise,
  cases: readonly HiddenCase[],
) => Promise<Execution>;

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
  const { student, exercise, folder } = submission;
  const started = performance.now();
  const cases = await options.suite.cases(createRng(options.seed));
  const grade = async (
    status: SubmissionGrade["status"],
    runs: CaseRun[],
    message?: string,
    studentOutput?: string,
  ): Promise<SubmissionGrade> => {
    const scored = await scoreCases(exercise, options.suite, cases, runs);
    return {
      student,
      exercise: exercise.id,
      status,
      ...(message ? { message } : {}),
      ...(studentOutput ? { studentOutput } : {}),
      ...scored,
      durationMs: performance.now() - started,
    };
  };

  // Anything at the entry's path goes to the sandbox, which refuses a link or a folder
  // with its own message; only nothing at all is "no submission".
  if (!(await exists(join(folder, exercise.entry)))) {
    const reason = "no submission";
    const message = (await isDirectory(folder))
      ? `No submission: ${exercise.entry} is missing from the ${exercise.id} folder`
      : "No submission";
    return grade("no-submission", cases.map(() => ({ kind: "failed", reason })), message);
  }

  const execution = await options.execute(folder, exercise, cases);
  const status = execution.status === "ok" ? "graded" : execution.status;
  return grade(status, execution.runs, execution.message, execution.studentOutput);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isDirectory;
  } catch {
    return false;
  }
}
