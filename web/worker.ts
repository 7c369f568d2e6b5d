/**
 * Grading workers: loops that take queued submissions from the store, grade them in the
 * sandbox and record the grades. `deno task start` runs them in-process and
 * `deno task worker` (`worker_main.ts`) runs them on their own, on any machine that shares
 * the portal's PostgreSQL database.
 *
 * Each job is graded in a private temporary folder laid out as the grader expects,
 * `<tmp>/<student>/<exercise>/<files>`, with every stored name checked again. What the
 * student's code does (fail, hang, crash, blow up) is a grade and costs an attempt; when the
 * grading machinery fails instead (the sandbox cannot start, the suite throws), the job is
 * handed back with {@linkcode Store.failJob}, to be tried again, and in the end to cost
 * nothing.
 *
 * @module
 */
import { join } from "node:path";
import { type Exercise, EXERCISES } from "../course/metadata.ts";
import { type SandboxExecutor, sandboxExecutor } from "../grader/execute.ts";
import { type Executor, gradeSubmission } from "../grader/grade.ts";
import type { SubmissionGrade } from "../grader/report.ts";
import { deriveSeed, loadCourseSecret } from "../grader/secret.ts";
import { SUITES } from "../grader/suites/mod.ts";
import { makeOwnedTempDir } from "../grader/temp_folders.ts";
import { type GradingJob, LEASE_MS, type Store } from "./store/mod.ts";

/** A student or exercise id that is safe as a folder name. */
const ID = /^[A-Za-z0-9._-]+$/;
/** A submitted file's name: no folders, no leading dot (as the store accepts them). */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** What a worker did with a submission. */
export interface WorkerEvent {
  /** The submission's id. */
  submission: string;
  student: string;
  exercise: string;
  /**
   * `running`: the worker took the job; `done`: its grade is recorded; `error`: this worker
   * could not grade it (see `reason` and `queue`).
   */
  status: "running" | "done" | "error";
  /** The recorded grade, when `done`. */
  grade?: SubmissionGrade;
  /** What went wrong, for staff, when `error`. */
  reason?: string;
  /**
   * What the queue did with the job, when `error`: it will be tried again (`requeued`), its
   * submission ended in `error` without costing an attempt (`failed`), or the lease had
   * run out and another worker holds the job (`stale`).
   */
  queue?: "requeued" | "failed" | "stale";
}

/** How {@linkcode gradeOneJob} ended: a {@linkcode WorkerEvent} that is not `running`. */
export type JobOutcome = WorkerEvent & { status: "done" | "error" };

/** Options of {@linkcode gradeOneJob}. */
export interface GradeJobOptions {
  /** Runs the cases: a sandbox executor's `execute`. */
  execute: Executor;
  /** The course secret, from which each student's hidden inputs are drawn. */
  secret: string;
  /**
   * The course's exercises.
   *
   * @default {EXERCISES}
   */
  exercises?: readonly Exercise[];
  /**
   * The lease's length; it is renewed every third of it while grading goes on.
   *
   * @default {300_000}
   */
  leaseMs?: number;
  /**
   * Where the private folder of the job's files is made.
   *
   * @default {the system's temporary folder}
   */
  tempDir?: string;
}

/** Options of {@linkcode runWorker}. */
export interface WorkerOptions extends Partial<Omit<GradeJobOptions, "execute" | "secret">> {
  /** Stops the loop: the job being graded is finished and recorded first. */
  signal: AbortSignal;
  /**
   * Who takes the jobs, for the queue's records.
   *
   * @default {"<hostname>-<pid>-<random>"}
   */
  workerId?: string;
  /**
   * Run student code without bubblewrap (see `grader/sandbox.ts`); only for code you trust.
   *
   * @default {false}
   */
  trusted?: boolean;
  /**
   * How long to wait before asking again when the queue is empty, in milliseconds.
   *
   * @default {1000}
   */
  pollMs?: number;
  /** Told of every job taken and how it ended; what it throws is logged and ignored. */
  onEvent?: (event: WorkerEvent) => void;
  /**
   * Runs the cases. When given, the worker opens no sandbox of its own and the caller
   * closes this one (several workers of a process can share one sandbox).
   *
   * @default {a sandbox executor opened for the worker's lifetime}
   */
  execute?: Executor;
  /**
   * The course secret.
   *
   * @default {`GRADER_SECRET`, else the secret file (see `grader/secret.ts`)}
   */
  secret?: string;
}

/**
 * Grades submissions from the store's queue until the signal aborts: takes a job, grades
 * it in the sandbox (opened once, for the worker's lifetime, unless `options.execute` is
 * given), records the grade, and asks again; when the queue is empty it waits `pollMs`.
 * A store that fails (the database is unreachable) is reported on standard error and
 * asked again after `pollMs`.
 *
 * @param store The portal's store.
 * @param options The signal that stops the worker, and how it works.
 * @returns When the signal has aborted and the job in hand is recorded.
 * @throws {SandboxUnavailableError} If the sandbox cannot be opened (bubblewrap is missing
 *   or broken); the message says how to fix it.
 *
 * @example A worker that stops when its queue is empty
 * ```ts
 * import { runWorker } from "./worker.ts";
 * import { openStore } from "./store/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dataDir = await Deno.makeTempDir();
 * const store = await openStore({ dataDir });
 * try {
 *   const stop = new AbortController();
 *   const execute = () => Promise.reject(new Error("no job expected"));
 *   const secret = "0123456789abcdef0123456789abcdef";
 *   setTimeout(() => stop.abort(), 50);
 *   await runWorker(store, { signal: stop.signal, execute, secret, pollMs: 10 });
 *   assert.ok(stop.signal.aborted);
 * } finally {
 *   await store.close();
 *   await Deno.remove(dataDir, { recursive: true });
 * }
 * ```
 */
export async function runWorker(store: Store, options: WorkerOptions): Promise<void> {
  const { signal } = options;
  const pollMs = options.pollMs ?? 1000;
  const workerId = options.workerId ?? defaultWorkerId();
  const secret = options.secret ??
    (await loadCourseSecret({ value: Deno.env.get("GRADER_SECRET") })).secret;
  let owned: SandboxExecutor | undefined;
  let execute = options.execute;
  if (execute === undefined) {
    owned = await sandboxExecutor({ trusted: options.trusted ?? false });
    execute = owned.execute;
  }
  const jobOptions: GradeJobOptions = {
    execute,
    secret,
    exercises: options.exercises,
    leaseMs: options.leaseMs,
    tempDir: options.tempDir,
  };
  const emit = (event: WorkerEvent) => {
    try {
      options.onEvent?.(event);
    } catch (error) {
      console.error(`Worker "${workerId}" cannot report an event: ${messageOf(error)}`);
    }
  };
  try {
    while (!signal.aborted) {
      try {
        const job = await store.claimJob(workerId, { leaseMs: options.leaseMs ?? LEASE_MS });
        if (job === null) {
          await sleep(pollMs, signal);
          continue;
        }
        emit({ ...describe(job), status: "running" });
        emit(await gradeOneJob(store, job, jobOptions));
      } catch (error) {
        console.error(`Worker "${workerId}" cannot use the store: ${messageOf(error)}`);
        await sleep(pollMs, signal);
      }
    }
  } finally {
    await owned?.[Symbol.asyncDispose]();
  }
}

/**
 * Grades one leased job and reports to the store: the grade with
 * {@linkcode Store.completeJob}, or, when the grading machinery fails, the reason with
 * {@linkcode Store.failJob}. The lease is renewed while grading goes on; the job's
 * temporary folder is removed whatever happens.
 *
 * @param store The store the job came from.
 * @param job The job, from {@linkcode Store.claimJob}.
 * @param options The executor, the course secret, the exercises, the lease's length.
 * @returns `done` with the grade, or `error` with the reason and what the queue did.
 * @throws {Error} Only if the store fails while the outcome is being recorded.
 */
export async function gradeOneJob(
  store: Store,
  job: GradingJob,
  options: GradeJobOptions,
): Promise<JobOutcome> {
  const leaseMs = options.leaseMs ?? LEASE_MS;
  let renewal: Promise<unknown> = Promise.resolve();
  const renewer = setInterval(() => {
    // A failed renewal is not fatal: a lease taken over shows when the grade is recorded.
    renewal = renewal.then(() => store.renewLease(job, { leaseMs })).catch(() => false);
  }, leaseMs / 3);
  let folder: string | undefined;
  let outcome: JobOutcome;
  try {
    // A copy of the student's files: marked as this process's, so that a later worker
    // removes it if this one is killed outright.
    folder = await makeOwnedTempDir({ dir: options.tempDir, prefix: "grading-job-" });
    const grade = await gradeIn(folder, job, options);
    clearInterval(renewer);
    await renewal;
    outcome = await store.completeJob(job, grade) ? { ...describe(job), status: "done", grade } : {
      ...describe(job),
      status: "error",
      reason: `Cannot record the grade of submission "${job.submissionId}": the lease ran ` +
        "out and another worker took the job",
      queue: "stale",
    };
  } catch (error) {
    clearInterval(renewer);
    await renewal;
    const reason = `Cannot grade submission "${job.submissionId}" ` +
      `(${job.student}/${job.exercise}): ${messageOf(error)}`;
    outcome = {
      ...describe(job),
      status: "error",
      reason,
      queue: await store.failJob(job, reason),
    };
  } finally {
    clearInterval(renewer);
    if (folder !== undefined) {
      await Deno.remove(folder, { recursive: true }).catch((error) =>
        console.error(`Cannot remove "${folder}": ${messageOf(error)}`)
      );
    }
  }
  return outcome;
}

/** Writes the job's files under `root` and grades them. */
async function gradeIn(
  root: string,
  job: GradingJob,
  options: GradeJobOptions,
): Promise<SubmissionGrade> {
  const exercise = (options.exercises ?? EXERCISES).find((e) => e.id === job.exercise);
  const suite = SUITES[job.exercise];
  if (exercise === undefined || suite === undefined) {
    throw new RangeError(`the exercise "${job.exercise}" is not in this grader's course`);
  }
  if (!isPlainId(job.student)) {
    throw new RangeError(`the student id "${job.student}" is not a plain name`);
  }
  const folder = join(root, job.student, exercise.id);
  await Deno.mkdir(folder, { recursive: true });
  for (const [name, content] of Object.entries(job.files)) {
    if (!FILE_NAME.test(name)) {
      throw new RangeError(`the stored file name "${name}" is not a plain file name`);
    }
    await Deno.writeFile(join(folder, name), content, { createNew: true, mode: 0o600 });
  }
  return await gradeSubmission({ student: job.student, exercise, folder }, {
    suite,
    seed: await deriveSeed(options.secret, job.student, exercise.id),
    execute: options.execute,
  });
}

/** Whether an id names a folder of its own: `.` and `..` match {@linkcode ID} but do not. */
function isPlainId(id: string): boolean {
  return ID.test(id) && id !== "." && id !== "..";
}

function describe(job: GradingJob): Pick<WorkerEvent, "submission" | "student" | "exercise"> {
  return { submission: job.submissionId, student: job.student, exercise: job.exercise };
}

function defaultWorkerId(): string {
  return `${Deno.hostname()}-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Waits `ms`, or less if the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
