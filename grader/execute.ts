/**
 * Runs a submission's hidden cases in the sandbox so that one bad function costs only its
 * own points.
 *
 * A run that is stopped — a loop that never ends, memory that grows without bound, a
 * crash — fails the case that was running, with a plain reason, and the other cases of the
 * same function are not tried again (they would most likely do the same). The cases of
 * the other functions then run in a fresh child, up to {@linkcode MAX_RESTARTS} times.
 *
 * A student's submissions of several exercises share one child ({@linkcode executeMany}):
 * starting Deno costs more than running most exercises' cases, and all the code in the
 * child is the same student's.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError } from "../course/cli.ts";
import type { Exercise } from "../course/metadata.ts";
import { isFunctionArg, toWire } from "./child/calls.ts";
import type { BatchExecutor, Execution, Executor, RunOptions } from "./grade.ts";
import {
  openSandbox,
  type RunLimits,
  type Sandbox,
  type SandboxRequest,
  type SandboxResult,
  SandboxUnavailableError,
} from "./sandbox.ts";
import type { CaseRun } from "./score.ts";
import type { HiddenCase } from "./suite.ts";

export { SandboxUnavailableError };

/** How many fresh children a submission gets after its run is stopped. */
export const MAX_RESTARTS = 3;

/** How a run ends when the sandbox stopped it. */
const STOPPED = new Set<SandboxResult["status"]>(["timeout", "memory", "crash", "output-limit"]);

/** The most of the student's printing kept for feedback, in characters. */
const MAX_STUDENT_OUTPUT = 8_000;

/**
 * The child driver of a run, where the exercise has one (`grader/child/drivers/<stem>.ts`)
 * and the run needs it: its calls take trusted functions, or it is isolated (the driver's
 * stand-ins). Otherwise the child does not load it.
 */
function driverOf({ exercise, units, isolation }: Plan, pending: number[]): string | undefined {
  const needed = isolation !== undefined ||
    pending.some((u) =>
      units[u].calls.some((call) => call.trusted === true || call.args.some(isFunctionArg))
    );
  if (!needed) return undefined;
  const stem = exercise.entry.replace(/\.ts$/, "");
  const path = fileURLToPath(new URL(`./child/drivers/${stem}.ts`, import.meta.url));
  return existsSync(path) ? stem : undefined;
}

/** An executor bound to an open sandbox; close it when grading is over. */
export interface SandboxExecutor extends AsyncDisposable {
  /** Runs one submission. */
  execute: Executor;
  /** Runs several submissions of one student in one child. */
  executeMany: BatchExecutor;
  sandbox: Sandbox;
}

/**
 * Opens the sandbox (a warm-up run proves it works here) and returns an executor on it.
 *
 * @param options `trusted: true` runs without bubblewrap; `exercises`, those whose runs
 *   to warm up now rather than at their first run (see `Sandbox.prepare`).
 * @returns The executor.
 * @throws {SandboxUnavailableError} If bubblewrap is missing or broken; the message says how
 *   to install it.
 */
export async function sandboxExecutor(
  options: { trusted?: boolean; exercises?: readonly Exercise[] } = {},
): Promise<SandboxExecutor> {
  const sandbox = await openSandbox({ trusted: options.trusted ?? false });
  try {
    await Promise.all(
      (options.exercises ?? []).map(({ limits }) =>
        sandbox.prepare({ jit: limits.jit, memoryMb: limits.memoryMb })
      ),
    );
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const execute: Executor = (submission, exercise, cases, options) =>
    executeCases(sandbox, submission, exercise, cases, options);
  return {
    execute,
    executeMany: (runs) => executeMany(sandbox, runs),
    sandbox,
    [Symbol.asyncDispose]: () => sandbox.close(),
  };
}

/**
 * {@linkcode sandboxExecutor} for a command: a sandbox that cannot open (bubblewrap missing
 * or broken) is the command's {@linkcode UsageError}, so the command exits with status 2
 * and a message that says how to install bubblewrap.
 *
 * @param options As {@linkcode sandboxExecutor} takes them.
 * @returns The executor.
 * @throws {UsageError} If the sandbox cannot open.
 */
export async function commandSandboxExecutor(
  options: { trusted: boolean; exercises?: readonly Exercise[] },
): Promise<SandboxExecutor> {
  try {
    return await sandboxExecutor(options);
  } catch (error) {
    if (error instanceof SandboxUnavailableError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * One submission to run: its folder, its exercise and its cases; run isolated, `swaps[i]`
 * of its `isolation` names the functions that case `i` finds replaced by the driver's
 * stand-ins (see `isolation.ts`).
 */
export interface SubmissionRun extends RunOptions {
  submission: string;
  exercise: Exercise;
  cases: readonly HiddenCase[];
}

/**
 * Runs the cases of one submission, restarting after a stopped run.
 *
 * @param sandbox An open sandbox.
 * @param submission The submission's folder.
 * @param exercise The exercise (entry file, limits).
 * @param cases The cases to run.
 * @param options Run them isolated (see `isolation.ts`); what to call once the module
 *   has loaded.
 * @returns One run per case, and how the whole ended.
 */
export async function executeCases(
  sandbox: Sandbox,
  submission: string,
  exercise: Exercise,
  cases: readonly HiddenCase[],
  options: RunOptions = {},
): Promise<Execution> {
  return await finish(sandbox, plan({ submission, exercise, cases, ...options }));
}

/**
 * Runs several submissions of one student in one sandboxed child, one after another (the
 * child's start-up is paid once), then finishes each as {@linkcode executeCases} would:
 * a submission whose run was stopped goes on in fresh children of its own, and the
 * submissions after it share a new child. A submission stopped after others ran in the same
 * child runs again first in a new one, so that nothing another submission left running can
 * cost it points.
 *
 * @param sandbox An open sandbox.
 * @param runs The student's submissions, with their cases.
 * @returns One execution per submission, in order.
 */
export async function executeMany(
  sandbox: Sandbox,
  runs: readonly SubmissionRun[],
): Promise<Execution[]> {
  if (runs.length <= 1) {
    return await Promise.all(runs.map((run) => finish(sandbox, plan(run))));
  }
  const plans = runs.map(plan);
  const results = await sandbox.runParts(plans.map((p) => ({
    request: request(p, p.units.map((_, u) => u)),
    limits: limitsOf(p.exercise),
    onLoaded: p.onLoaded,
  })));
  if (results.every((result) => result === undefined)) {
    // The shared child did not start: each submission alone tells whose fault it was.
    return await Promise.all(plans.map((p) => finish(sandbox, p)));
  }
  const executions: Execution[] = new Array(runs.length);
  const rest: number[] = [];
  const first = results.findIndex((result) => result !== undefined && result.status !== "refused");
  for (let i = 0; i < runs.length; i++) {
    const result = results[i];
    // A submission stopped after others ran in the same child may have been stopped by what
    // they left behind (a timer, memory), and one that ended with the built-ins changed may
    // have computed with another's patches: it runs again, first in a fresh child, and only
    // that run counts.
    if (
      result === undefined ||
      (i > first && (STOPPED.has(result.status) || result.tainted === true))
    ) {
      rest.push(i);
    } else {
      executions[i] = await finish(sandbox, plans[i], result);
    }
  }
  const after = await executeMany(sandbox, rest.map((i) => runs[i]));
  rest.forEach((i, k) => executions[i] = after[k]);
  return executions;
}

/** A submission's cases, those with identical calls (and swaps) merged into one unit. */
interface Plan extends SubmissionRun {
  units: {
    calls: HiddenCase["calls"];
    symbol: string;
    members: number[];
    swaps?: readonly string[];
  }[];
}

function plan(run: SubmissionRun): Plan {
  // Cases with identical calls (several verdicts on one training run, say) run once. JSON
  // finds the candidates fast, but writes NaN and ±Infinity as null and −0 as 0: only calls
  // that the wire format writes alike are the same.
  const units: Plan["units"] = [];
  const byJson = new Map<string, number[]>();
  run.cases.forEach((testCase, i) => {
    const swaps = run.isolation?.swaps[i];
    const json = JSON.stringify([testCase.calls, swaps]);
    const candidates = byJson.get(json) ?? [];
    const same = candidates.find((u) =>
      units[u].calls === testCase.calls || toWire(units[u].calls) === toWire(testCase.calls)
    );
    if (same === undefined) {
      byJson.set(json, [...candidates, units.length]);
      units.push({
        calls: testCase.calls,
        symbol: testCase.symbol,
        members: [i],
        ...(swaps ? { swaps } : {}),
      });
    } else {
      units[same].members.push(i);
    }
  });
  return { ...run, units };
}

function request(p: Plan, pending: number[]): SandboxRequest {
  const { submission, exercise, units, isolation } = p;
  return {
    submission,
    entry: exercise.entry,
    driver: driverOf(p, pending),
    cases: pending.map((u) => units[u].calls),
    jit: exercise.limits.jit,
    ...(isolation ? { isolation: { swaps: pending.map((u) => units[u].swaps ?? []) } } : {}),
  };
}

function limitsOf(exercise: Exercise): RunLimits {
  return { timeMs: exercise.limits.timeMs, memoryMb: exercise.limits.memoryMb };
}

/**
 * Runs a plan's units to the end: the first run's result may be given (from a shared
 * child); a stopped run fails its case, skips the other cases of the same function and
 * goes on in a fresh child.
 */
async function finish(sandbox: Sandbox, p: Plan, given?: SandboxResult): Promise<Execution> {
  const { units } = p;
  const runs: (CaseRun | undefined)[] = new Array(units.length).fill(undefined);
  let pending = units.map((_, u) => u);
  let first: Pick<Execution, "status" | "message"> = { status: "ok" };
  let output = "";
  let durationMs = 0;

  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > MAX_RESTARTS) {
      for (const u of pending) {
        runs[u] = { kind: "failed", reason: "not run: your code was stopped too many times" };
      }
      break;
    }
    const result = attempt === 0 && given !== undefined ? given : (await sandbox.runParts([{
      request: request(p, pending),
      limits: limitsOf(p.exercise),
      onLoaded: p.onLoaded,
    }]))[0]!;
    durationMs += result.durationMs;
    output += result.stdout + result.stderr;
    result.cases.forEach((results, k) => {
      const swaps = result.swaps?.[k];
      runs[pending[k]] = {
        kind: "results",
        results,
        ...(swaps ? { standIns: swaps.standIns } : {}),
        ...(swaps?.unswapped.length ? { unswapped: swaps.unswapped } : {}),
      };
    });
    const unfinished = pending.slice(result.cases.length);
    if (result.status === "ok") {
      for (const u of unfinished) runs[u] = { kind: "failed", reason: "the test did not finish" };
      break;
    }
    const stopped = result.running !== undefined ? pending[result.running] : undefined;
    if (first.status === "ok") {
      // The submission's message names the function whose test was stopped: a student
      // reading "ran for more than 10 s" should not have to search the tests for it.
      const where = stopped !== undefined && STOPPED.has(result.status)
        ? ` (in a test of ${units[stopped].symbol}())`
        : "";
      first = { status: result.status, message: `${result.message}${where}` };
    }

    if (stopped === undefined || result.status === "refused" || result.status === "load-error") {
      // Nothing ran, or nothing can: every remaining case fails for the same reason.
      for (const u of unfinished) runs[u] = { kind: "failed", reason: result.message };
      break;
    }
    runs[stopped] = { kind: "failed", reason: result.message };
    const symbol = units[stopped].symbol;
    const next: number[] = [];
    for (const u of unfinished) {
      if (u === stopped) continue;
      if (units[u].symbol === symbol) {
        runs[u] = {
          kind: "failed",
          reason: `not run: an earlier test of ${symbol}() was stopped (${result.status})`,
        };
      } else {
        next.push(u);
      }
    }
    pending = next;
  }

  const caseRuns: CaseRun[] = new Array(p.cases.length);
  units.forEach((unit, u) => {
    for (const i of unit.members) {
      caseRuns[i] = runs[u] ?? { kind: "failed", reason: "the test did not run" };
    }
  });
  return {
    ...first,
    runs: caseRuns,
    durationMs,
    ...(output.trim() ? { studentOutput: output.slice(0, MAX_STUDENT_OUTPUT) } : {}),
  };
}
