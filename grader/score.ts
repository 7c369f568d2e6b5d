/**
 * Scores one submission from its judged cases: partial credit per group, misconceptions
 * recognised across a group's failures, the leaderboard metric.
 *
 * This is the trusted side of the boundary: it sees the cases (with their expected
 * values inside the judges) and what came back from the sandbox, and it alone decides the
 * score. Nothing the child sends can raise a score except outputs the judges accept.
 *
 * @module
 */
import type { Exercise } from "../course/metadata.ts";
import type { CallResult, HiddenCase, HiddenSuite, Verdict } from "./suite.ts";

/** How the sandboxed run of one case ended. */
export type CaseRun =
  /**
   * `standIns`: in an isolated run, the stand-ins its code called; `unswapped`, those of its
   * swaps that had no stand-in in place (see `isolation.ts`).
   */
  | { kind: "results"; results: CallResult[]; standIns?: string[]; unswapped?: string[] }
  /** The case never returned: the child was stopped, crashed, or never reached it. */
  | { kind: "failed"; reason: string };

/** One judged case, as reports show it. */
export interface CaseOutcome {
  symbol: string;
  name: string;
  passed: boolean;
  /** Why it failed, for the student; never an expected value. */
  reason?: string;
  /** The inputs, where the exercise allows showing them. */
  input?: string;
  metric?: number;
  /** How a passing case passed, where that is worth knowing (see `isolation.ts`). */
  note?: string;
}

/** One graded group. */
export interface GroupScore {
  symbol: string;
  title: string;
  points: number;
  score: number;
  cases: CaseOutcome[];
  /** Questions about misconceptions that every failing case of the group shows. */
  questions: string[];
}

/** The scored cases of one submission. */
export interface Scored {
  score: number;
  maxScore: number;
  groups: GroupScore[];
  /** The exercise's ranked metric, where it has one and a case measured it. */
  metric?: { name: string; value: number; higherIsBetter: boolean };
}

/**
 * Judges every case and scores the submission.
 *
 * @param exercise The exercise's metadata.
 * @param suite Its hidden suite (for the misconceptions).
 * @param cases The cases that were run.
 * @param runs How each case's run ended, in the same order.
 * @returns Scores per group and in total.
 */
export async function scoreCases(
  exercise: Exercise,
  suite: HiddenSuite,
  cases: readonly HiddenCase[],
  runs: readonly CaseRun[],
): Promise<Scored> {
  return scoreVerdicts(exercise, suite, cases, await judgeCases(cases, runs));
}

/**
 * Judges every case. A judge that throws fails its case.
 *
 * @param cases The cases that were run.
 * @param runs How each case's run ended, in the same order.
 * @returns One verdict per case.
 */
export async function judgeCases(
  cases: readonly HiddenCase[],
  runs: readonly CaseRun[],
): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (let i = 0; i < cases.length; i++) {
    verdicts.push(await judgeSafely(cases[i], runs[i]));
  }
  return verdicts;
}

/**
 * Scores judged cases: partial credit per group, the misconceptions every failing case
 * of a group shows, the leaderboard metric.
 *
 * @param exercise The exercise's metadata.
 * @param suite Its hidden suite (for the misconceptions).
 * @param cases The cases.
 * @param verdicts Their verdicts, in the same order.
 * @returns Scores per group and in total.
 */
export function scoreVerdicts(
  exercise: Exercise,
  suite: HiddenSuite,
  cases: readonly HiddenCase[],
  verdicts: readonly Verdict[],
): Scored {
  const groups: GroupScore[] = exercise.groups.map((group) => {
    const members = cases.flatMap((c, i) => (c.symbol === group.symbol ? [i] : []));
    const outcomes = members.map((i): CaseOutcome => ({
      symbol: cases[i].symbol,
      name: cases[i].name,
      passed: verdicts[i].pass,
      ...(verdicts[i].pass ? {} : { reason: shownReason(exercise, verdicts[i].reason) }),
      ...(exercise.showHiddenInputs && cases[i].input ? { input: cases[i].input } : {}),
      ...(verdicts[i].metric !== undefined ? { metric: verdicts[i].metric } : {}),
      ...(verdicts[i].pass && verdicts[i].note ? { note: verdicts[i].note } : {}),
    }));
    const passed = outcomes.filter((o) => o.passed).length;
    const failing = members.filter((i) => !verdicts[i].pass);
    const questions = failing.length === 0 ? [] : suite.misconceptions
      .filter((m) => m.symbol === group.symbol)
      .filter((m) => failing.every((i) => verdicts[i].symptoms?.includes(m.id)))
      .map((m) => m.question);
    const score = outcomes.length === 0 ? 0 : group.points * passed / outcomes.length;
    return {
      symbol: group.symbol,
      title: group.title,
      points: group.points,
      score: roundPoints(score),
      cases: outcomes,
      questions,
    };
  });

  const measured = verdicts.map((v) => v.metric).filter((m): m is number =>
    typeof m === "number" && Number.isFinite(m)
  );
  const scored: Scored = {
    score: roundPoints(groups.reduce((sum, g) => sum + g.score, 0)),
    maxScore: groups.reduce((sum, g) => sum + g.points, 0),
    groups,
  };
  if (exercise.metric && measured.length > 0) {
    scored.metric = { ...exercise.metric, value: measured[0] };
  }
  return scored;
}

async function judgeSafely(testCase: HiddenCase, run: CaseRun): Promise<Verdict> {
  if (run.kind === "failed") return { pass: false, reason: run.reason };
  if (run.results.length !== testCase.calls.length) {
    return { pass: false, reason: "the test did not finish" };
  }
  try {
    const verdict = await testCase.judge(run.results);
    return { ...verdict, pass: verdict.pass === true };
  } catch {
    // A judge that cannot read the output (a shape no schema foresaw) fails the case.
    return { pass: false, reason: "the result has an unexpected shape" };
  }
}

/** The longest reason shown for an exercise that keeps its hidden inputs hidden. */
export const MAX_HIDDEN_REASON = 200;

/**
 * A failure's reason as the student sees it. Where the exercise keeps its hidden inputs
 * hidden, student code could smuggle them out in an error message it throws, so the reason
 * is cut to its first line and {@linkcode MAX_HIDDEN_REASON} characters.
 */
function shownReason(exercise: Exercise, reason = "wrong result"): string {
  if (exercise.showHiddenInputs) return reason;
  const line = reason.split("\n", 1)[0];
  return line.length > MAX_HIDDEN_REASON ? `${line.slice(0, MAX_HIDDEN_REASON)}…` : line;
}

/** Rounds to hundredths of a point, so that sums of fractions print cleanly. */
export function roundPoints(points: number): number {
  return Math.round(points * 100) / 100;
}
