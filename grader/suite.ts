/**
 * The shape of an exercise's hidden tests.
 *
 * A hidden suite draws its cases from a seeded generator. Each case is a list of calls that
 * the sandboxed child makes on the student's module, and a judge that runs in the trusted
 * grader on what came back. The child never sees an expected value; the judge treats every
 * result as untrusted data (validate its shape with zod before reading it).
 *
 * @module
 */
import type { Rng } from "../fixtures/random.ts";

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * An argument of a call: a JSON value (numbers may be NaN, ±Infinity or −0: the wire
 * format keeps them), the value an earlier call of the same case returned, or a trusted
 * function that the exercise's driver builds inside the child.
 */
export type Arg = Json | { $ref: number } | { $fn: string };

/** One call on the student's module, made inside the sandbox. */
export interface Call {
  /**
   * An export of the student's module, a method name when `on` is set, or with `trusted`
   * a function of the exercise's driver.
   */
  fn: string;
  args: Arg[];
  /** Call `fn` as a method of the value returned by call number `on` of the same case. */
  on?: number;
  /** Call the export with `new` (a class). */
  construct?: boolean;
  /**
   * Call the driver's trusted function `fn` (which may use the student's module inside),
   * not an export: a property of one of the student's operations measured without the
   * student's other code in the way.
   */
  trusted?: boolean;
  /** Report these properties of the result instead of the result itself. */
  read?: string[];
  /**
   * Report `{ result, args }`: the (read) result and the JSON arguments as they are after
   * the call, so a judge can tell whether the student's code mutated its inputs.
   */
  returnArgs?: boolean;
}

/** What the child reports for one call. Untrusted: validate before use. */
export type CallResult =
  | { ok: true; value: unknown; ms: number }
  | { ok: false; error: string; ms: number };

/** A judge's verdict on one case. */
export interface Verdict {
  pass: boolean;
  /** Why it failed, in plain words; never the expected value of a hidden case. */
  reason?: string;
  /** Ids of the suite's misconceptions that this wrong output matches. */
  symptoms?: string[];
  /** A ranked figure (e.g. AUC) measured by this case, for the leaderboard. */
  metric?: number;
  /** Said of a passing case too: how it passed, where that is worth knowing. */
  note?: string;
}

/** One hidden test: a property of one graded function, checked on one or more inputs. */
export interface HiddenCase {
  /** The group it belongs to: a symbol of the exercise's metadata. */
  symbol: string;
  /** Says which property it checks: "cos(a + bε): derivative part". */
  name: string;
  calls: Call[];
  /** The inputs, written for a person; shown only where the exercise allows it. */
  input?: string;
  /**
   * Judges the results, one per call, in order.
   *
   * @param results What the child reported (untrusted).
   * @returns The verdict.
   */
  judge(results: CallResult[]): Verdict | Promise<Verdict>;
  /**
   * Starts, ahead of judging, work the judge will need whatever the student's outputs are
   * (the reference's own training): the grader calls it once the student's module has
   * loaded, so that the work overlaps the child's, and again if a fresh child loads it.
   * Optional, and only a head start: the judge must get the same result whether or not it
   * was called (a cached promise).
   */
  prepare?(): unknown;
  /**
   * Functions of the student's own that this case withholds: their bindings inside the
   * student's module answer nothing while it runs (the driver's `withholding:<name>`), so
   * that a function the exercise asks to compute from its formula cannot be computed from
   * another's values (04's `crossEntropyGrad()` by finite differences of `crossEntropy()`).
   * Such cases run in a part of their own, on a swappable copy (see `isolation.ts`).
   */
  withheld?: readonly string[];
}

/** A known misunderstanding, detected when a group's wrong outputs all show it. */
export interface Misconception {
  id: string;
  symbol: string;
  /** A question the student can check, never a value: "Is the ½ there?" */
  question: string;
}

/**
 * For each graded function of an exercise whose driver offers stand-ins for `Names`, the
 * functions it is built on (see {@linkcode HiddenSuite.builtOn}): every name a stand-in.
 */
export type BuiltOn<Names extends readonly string[]> = Record<
  Names[number],
  readonly Names[number][]
>;

/** An exercise's hidden tests. */
export interface HiddenSuite {
  exercise: string;
  /**
   * Draws the cases. The same `rng` seed gives the same cases.
   *
   * @param rng The seeded generator for this student and exercise.
   * @returns The cases, each tagged with its group.
   */
  cases(rng: Rng): HiddenCase[] | Promise<HiddenCase[]>;
  misconceptions: Misconception[];
  /**
   * For each graded function, the graded functions the lectures build it on (see
   * `isolation.ts`): a failing case of the function is run again with the exercise driver's
   * stand-ins in place of those of them that fail too. Nothing else is replaced, so a
   * function is never rescued through one it has no reason to call (a softmax computed as
   * predictProba(I, z), with predictProba left wrong on purpose).
   */
  builtOn?: Readonly<Record<string, readonly string[]>>;
}
