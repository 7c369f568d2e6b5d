/**
 * Helpers the hidden suites share: reading untrusted results, describing inputs and
 * outputs for a person, spotting changed arguments, and turning per-input checks into a
 * verdict whose reason never holds an expected value.
 *
 * A judge sees only what the sandbox reported, so every value is validated before use and
 * a reason never quotes an expected value: at most the student's own output, briefly.
 *
 * @module
 */
import { z } from "zod";
import { listed } from "../report.ts";
import type { Call, CallResult, HiddenCase, Json, Verdict } from "../suite.ts";

// ---------------------------------------------------------------------------------------
// Schemas

/** Any JavaScript number, NaN and ±Infinity included (zod's `z.number()` refuses them). */
export const anyNumber = z.custom<number>((v) => typeof v === "number", "not a number");

/** An array of numbers, NaN and ±Infinity included. */
export const numberArray = z.array(anyNumber);

/** An array of arrays of numbers, NaN and ±Infinity included. */
export const numberMatrix = z.array(numberArray);

/** What a call reports with `returnArgs: true`. */
const withArgs = z.object({ result: z.unknown(), args: z.array(z.unknown()) });

/**
 * Parses an untrusted value with a zod schema.
 *
 * @param schema The expected shape.
 * @param value The value.
 * @returns The typed value, or `undefined` when it has another shape.
 */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The failure of a value of the wrong shape; where it holds NaN, with where NaN comes from.
 *
 * @param fn The function that returned it.
 * @param value The untrusted value.
 * @param shape What it should have been, in words: "an array of numbers".
 * @returns `<fn>() returned <value>, expected <shape>`.
 *
 * @example
 * ```ts
 * import { wrongShape } from "./_judge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   wrongShape("predict", NaN, "a number").reason,
 *   "predict() returned NaN, expected a number (NaN comes from arithmetic on undefined, " +
 *     "such as an index one past an array's end, or from 0/0)",
 * );
 * ```
 */
export function wrongShape(fn: string, value: unknown, shape: string): Failure {
  const nan = holdsNaN(value)
    ? " (NaN comes from arithmetic on undefined, such as an index one past an array's end, " +
      "or from 0/0)"
    : "";
  return { reason: `${fn}() returned ${describe(value)}, expected ${shape}${nan}` };
}

/** Whether a value is NaN or an array (of arrays) holding one; untrusted, so looked at safely. */
function holdsNaN(value: unknown, depth = 0): boolean {
  if (typeof value === "number") return Number.isNaN(value);
  if (!Array.isArray(value) || depth > 2) return false;
  for (let i = 0; i < Math.min(value.length, 100_000); i++) {
    if (holdsNaN(value[i], depth + 1)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Describing values for a person

/**
 * A number for a person: integers and short decimals as they are, others to four
 * significant digits, and NaN, ±Infinity by name.
 *
 * @param x The number.
 * @returns Its short form.
 *
 * @example
 * ```ts
 * import { show } from "./_judge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(show(0.123456789), "0.1235");
 * assert.equal(show(-2.25), "-2.25");
 * assert.equal(show(123456), "123456");
 * assert.equal(show(1e-12), "1e-12");
 * ```
 */
export function show(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x) || String(x).length <= 8) return String(x);
  return String(Number(x.toPrecision(4)));
}

/**
 * A vector for a person, cut after `max` entries.
 *
 * @param values The numbers.
 * @param max How many entries to show.
 * @returns `[1, 2.5, -Infinity, … (12 entries)]`.
 */
export function showVector(values: readonly number[], max = 6): string {
  const shown = values.slice(0, max).map(show);
  if (values.length > max) shown.push(`… (${values.length} entries)`);
  return `[${shown.join(", ")}]`;
}

/**
 * A matrix for a person, cut after `options.rows` rows of `options.entries` entries.
 *
 * @param rows The rows.
 * @param options How much to show.
 * @returns `[[1, 2], [3, 4], … (5 rows)]`.
 */
export function showMatrix(
  rows: readonly (readonly number[])[],
  options: {
    /** How many rows to show. @default {3} */
    rows?: number;
    /** How many entries of each row to show. @default {4} */
    entries?: number;
  } = {},
): string {
  const { rows: maxRows = 3, entries = 4 } = options;
  const shown = rows.slice(0, maxRows).map((row) => showVector(row, entries));
  if (rows.length > maxRows) shown.push(`… (${rows.length} rows)`);
  return `[${shown.join(", ")}]`;
}

/**
 * A short description of an untrusted value, for a reason: a number in short form, NaN,
 * `undefined`, or its kind and size.
 *
 * @param value What student code returned.
 * @returns The description.
 */
export function describe(value: unknown): string {
  if (typeof value === "number") return show(value);
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return "a string";
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === "number")) return `an array of ${value.length} entries`;
    return showVector(value, 4);
  }
  return "an object";
}

/**
 * The `input` text of a case: the inputs numbered, one a line.
 *
 * @param texts One description per input.
 * @returns The text.
 */
export function describeInputs(texts: readonly string[]): string {
  return texts.length === 1 ? texts[0] : texts.map((t, i) => `${i + 1}: ${t}`).join("\n");
}

/**
 * Rounds to a grid, so an input's description shows it exactly.
 *
 * @param x The number.
 * @param decimals How many decimals to keep.
 * @returns The rounded number.
 */
export function round(x: number, decimals = 2): number {
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

// ---------------------------------------------------------------------------------------
// Calls that failed

/**
 * The name of a call's target for a reason: `cost()`, `new Dual()`, `Dual.mul()`.
 *
 * @param call The call.
 * @param receiver The class whose method a call with `on` reaches.
 * @returns The name.
 */
export function callName(call: Call, receiver = "Dual"): string {
  if (call.construct) return `${call.fn}()`;
  return call.on === undefined ? `${call.fn}()` : `${receiver}.${call.fn}()`;
}

/**
 * Why a call failed: `cost() threw: Error: …`, `cost() returned a value the grader cannot
 * read: the result contains a function`, or `… did not return` when the child reported
 * nothing for it (a crash or a timeout).
 *
 * @param call The call.
 * @param result What the child reported, if anything.
 * @returns The reason, or `undefined` when the call returned.
 */
export function callFailure(call: Call, result: CallResult | undefined): string | undefined {
  if (result === undefined) return `${callName(call)} did not return`;
  if (result.ok) return undefined;
  const error = String(result.error).slice(0, 300);
  // The harness's own words for a value it could not send ("the result contains a
  // function") or a function it could not find; what a call threw opens with its name or
  // "threw".
  if (error.startsWith("the result ")) {
    return `${callName(call)} returned a value the grader cannot read: ${error}`;
  }
  if (error.startsWith("the module ")) return `${callName(call)} cannot be called: ${error}`;
  return `${callName(call)} threw: ${error}`;
}

/**
 * The first failure among some calls of a case.
 *
 * @param calls The case's calls.
 * @param results What the child reported.
 * @param indices Which calls to look at (all by default).
 * @returns The reason, or `undefined` when every call returned.
 */
export function firstFailure(
  calls: readonly Call[],
  results: readonly CallResult[],
  indices: readonly number[] = calls.map((_, i) => i),
): string | undefined {
  for (const i of indices) {
    const failure = callFailure(calls[i], results[i]);
    if (failure) return failure;
  }
  return undefined;
}

/** The value a call returned; call only after {@linkcode firstFailure} found none. */
export function valueOf(result: CallResult | undefined): unknown {
  return result?.ok ? result.value : undefined;
}

// ---------------------------------------------------------------------------------------
// Verdicts

/** What is wrong with one input of a case. */
export interface Failure {
  /** In plain words, for the student; never an expected value. */
  reason: string;
  /** Misconception ids that this wrong output matches. */
  symptoms?: string[];
}

/**
 * Checks the value one call returned.
 *
 * @param value What the call returned (untrusted).
 * @param index The call's position in the case.
 * @returns The failure, or `undefined` when the value is right.
 */
export type CallCheck = (
  value: unknown,
  index: number,
) => Failure | undefined | Promise<Failure | undefined>;

/**
 * Symptoms of a call that threw.
 *
 * @param error The error the child reported.
 * @param index The call's position in the case.
 * @returns Misconception ids that the error matches.
 */
export type ErrorSymptoms = (error: string, index: number) => string[];

/**
 * Combines the checks of a case's inputs: it passes when every input passes; otherwise the
 * reason is the first failure's, with where it happened, and the symptoms are those every
 * failing input shows.
 *
 * @param checks One check per input, in the order of the case's `input` text: a failure,
 *   or `undefined` where the input passed.
 * @returns The verdict.
 *
 * @example
 * ```ts
 * import { verdictOf } from "./_judge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(verdictOf([undefined, { reason: "you returned 2" }]), {
 *   pass: false,
 *   reason: "You returned 2 (input 2 of 2)",
 * });
 * ```
 */
export function verdictOf(checks: readonly (Failure | undefined)[]): Verdict {
  const failures = checks.flatMap((failure, index) => (failure ? [{ index, failure }] : []));
  if (failures.length === 0) return { pass: true };
  const total = checks.length;
  const [first] = failures;
  const others = failures.length === 1
    ? ""
    : failures.length === total
    ? `; all ${total} fail`
    : `; ${failures.length} of the ${total} inputs fail`;
  const where = total > 1 ? ` (input ${first.index + 1} of ${total}${others})` : "";
  const symptoms = failures
    .map(({ failure }) => failure.symptoms ?? [])
    .reduce((shared, next) => shared.filter((id) => next.includes(id)));
  return {
    pass: false,
    reason: sentence(first.failure.reason) + where,
    ...(symptoms.length > 0 ? { symptoms } : {}),
  };
}

/**
 * A reason as a sentence: a capital first letter, unless it opens with a call `fn()` or a
 * symbol of the lectures (θ is not Θ).
 */
function sentence(reason: string): string {
  return /^[a-z]/.test(reason) && !/^[\w.]+\(/.test(reason)
    ? reason.charAt(0).toUpperCase() + reason.slice(1)
    : reason;
}

/**
 * Judges a case whose calls are checked one by one, one call per input: a call that threw
 * or did not return fails with that reason, the others go through `check`.
 *
 * @param results What the child reported, one per call (untrusted).
 * @param calls The case's calls.
 * @param check Checks one call's value.
 * @param errorSymptoms Symptoms of a call that threw, where a misconception makes code throw.
 * @returns The verdict: passed when every call passed.
 */
export async function judgeCalls(
  results: readonly CallResult[],
  calls: readonly Call[],
  check: CallCheck,
  errorSymptoms?: ErrorSymptoms,
): Promise<Verdict> {
  const checks: (Failure | undefined)[] = [];
  for (let index = 0; index < calls.length; index++) {
    const result = results[index];
    const failed = callFailure(calls[index], result);
    if (failed) {
      const symptoms = result && !result.ok ? errorSymptoms?.(result.error, index) : undefined;
      checks.push(symptoms ? { reason: failed, symptoms } : { reason: failed });
      continue;
    }
    checks.push(await check((result as { value: unknown }).value, index));
  }
  return verdictOf(checks);
}

// ---------------------------------------------------------------------------------------
// Changed arguments

/**
 * Deep equality of plain data, where NaN equals NaN and 0 equals −0.
 *
 * @param a One value.
 * @param b The other.
 * @returns `true` when they hold the same data.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") {
    return a === b || (Number.isNaN(a) && Number.isNaN(b));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((ai, i) => sameValue(ai, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length &&
      keys.every((key) =>
        Object.hasOwn(b, key) &&
        sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])
      );
  }
  return a === b;
}

/**
 * Whether a call left its JSON arguments as they were sent: it must have been made with
 * `returnArgs: true`.
 *
 * @param call The call, with the arguments as sent.
 * @param value What it reported: `{ result, args }`.
 * @param names The arguments' names, for the reason.
 * @param symptom The misconception id of a changed argument.
 * @returns A failure naming the first changed argument, or `undefined`.
 */
export function mutationFailure(
  call: Call,
  value: unknown,
  names: readonly string[],
  symptom: string,
): Failure | undefined {
  const parsed = withArgs.safeParse(value);
  if (!parsed.success || parsed.data.args.length !== call.args.length) {
    return { reason: `${call.fn}() could not be checked for changes to its arguments` };
  }
  const changed = call.args.findIndex((arg, j) => !sameValue(parsed.data.args[j], arg));
  if (changed < 0) return undefined;
  return {
    reason: `${call.fn}() changed its argument ${names[changed] ?? `#${changed + 1}`}: ` +
      "build new arrays instead of writing into (or sorting, shuffling) the ones you were given",
    symptoms: [symptom],
  };
}

/**
 * Judges a call made with `returnArgs: true` whose arguments must stay as sent: first that
 * none changed, then that its result is right. Leaving the inputs alone earns nothing
 * without the right output, so `check` is the check of the function's value cases; its
 * reason then opens with the arguments left unchanged ("the arguments θ and x are
 * unchanged, but this test also needs the right result: you returned 3"), since the test's
 * name promises only that.
 *
 * @param call The call, with the arguments as sent.
 * @param value What it reported: `{ result, args }`.
 * @param names The arguments' names, for the reason.
 * @param symptom The misconception id of a changed argument.
 * @param check Checks the call's result (untrusted).
 * @returns The failure of a changed argument or of a wrong result, or `undefined`.
 */
export async function unchangedFailure(
  call: Call,
  value: unknown,
  names: readonly string[],
  symptom: string,
  check: (result: unknown) => Failure | undefined | Promise<Failure | undefined>,
): Promise<Failure | undefined> {
  const changed = mutationFailure(call, value, names, symptom);
  if (changed) return changed;
  const wrong = await check((value as { result: unknown }).result);
  // The test's name promises unchanged inputs: say that they were, and what failed instead.
  return wrong && {
    ...wrong,
    reason: `${theArguments(names)} unchanged, but this test also needs the right result: ` +
      wrong.reason,
  };
}

/**
 * Arguments as the subject of a sentence: "the argument v is", "the arguments θ, X and y
 * are" (a name opens no sentence: f is not F).
 */
function theArguments(names: readonly string[]): string {
  return names.length === 1 ? `the argument ${names[0]} is` : `the arguments ${listed(names)} are`;
}

// ---------------------------------------------------------------------------------------
// Misconceptions and expected values

/**
 * Whether a wrong value matches what a misconception would give, a little looser than a
 * grading comparison (the misconception's value is computed in float64 from the inputs).
 *
 * @param actual The student's value.
 * @param candidate The misconception's value.
 * @param scale The size of the terms.
 * @returns `true` when they agree to about 1e-4.
 */
export function near(actual: number, candidate: number, scale = 1): boolean {
  if (!Number.isFinite(candidate) || !Number.isFinite(actual)) return Object.is(actual, candidate);
  return Math.abs(actual - candidate) <= 1e-4 * Math.max(Math.abs(candidate), scale);
}

/** {@linkcode near} for every entry of two vectors of equal length. */
export function allNear(
  actual: readonly number[],
  candidate: readonly number[],
  scale = 1,
): boolean {
  return actual.length === candidate.length && candidate.every((c, i) => near(actual[i], c, scale));
}

/**
 * Caches an async computation, so a case's expected values are computed once however many
 * submissions it judges.
 *
 * @param compute The computation.
 * @returns A function that runs it on first use and returns the same promise after.
 */
export function once<T>(compute: () => Promise<T>): () => Promise<T> {
  return lazy(compute);
}

/**
 * Computes a value on first use and keeps it: a draw's costly inputs, which a missing
 * submission's tests never need.
 *
 * @param compute The computation.
 * @returns A function that runs it on first use and returns the same value after.
 *
 * @example
 * ```ts
 * import { lazy } from "./_judge.ts";
 * import assert from "node:assert/strict";
 *
 * let runs = 0;
 * const value = lazy(() => ++runs);
 * assert.equal(runs, 0);
 * assert.equal(value() + value(), 2);
 * ```
 */
export function lazy<T>(compute: () => T): () => T {
  let computed: { value: T } | undefined;
  return () => (computed ??= { value: compute() }).value;
}

/**
 * Batches a reference computation over every case of one draw: each input registered
 * returns a getter of its expected value, and the first getter called computes, in one
 * batched call of the core, every input registered so far (a draw registers all of its
 * inputs before any case is judged). Inputs registered after that start a new batch.
 *
 * @param compute The core's batched function: one output per input, in order.
 * @returns A function that registers one input and returns the getter of its output.
 *
 * @example
 * ```ts
 * import { batched } from "./_judge.ts";
 * import assert from "node:assert/strict";
 *
 * let calls = 0;
 * const square = batched(async (xs: number[]) => (calls++, xs.map((x) => x * x)));
 * const [two, three] = [square(2), square(3)];
 * assert.deepEqual([await three(), await two(), calls], [9, 4, 1]);
 * ```
 */
export function batched<I, O>(
  compute: (inputs: I[]) => Promise<O[]>,
): (input: I) => () => Promise<O> {
  let batch: { inputs: I[]; outputs?: Promise<O[]> } = { inputs: [] };
  return (input) => {
    if (batch.outputs !== undefined) batch = { inputs: [] };
    const own = batch;
    const index = own.inputs.push(input) - 1;
    return async () => (await (own.outputs ??= compute(own.inputs)))[index];
  };
}

// ---------------------------------------------------------------------------------------
// Cases of one call per input

/** One input of a {@linkcode callPerInput} case: the call's arguments and their description. */
export interface CallInput {
  args: Json[];
  text: string;
}

/** What {@linkcode callPerInput} and {@linkcode noMutationCase} need to know. */
export interface PerInputOptions<T> {
  /** The group. */
  symbol: string;
  /** The case's name. */
  name: string;
  /** The export called. */
  fn: string;
  /** One call per input. */
  inputs: CallInput[];
  /** The result's shape. */
  schema: z.ZodType<T>;
  /** What the result should be, for the reason when it has another shape: "a number". */
  shape: string;
  /** Judges input `i`'s parsed result. */
  check(actual: T, i: number): Failure | undefined | Promise<Failure | undefined>;
}

/**
 * A case that calls one export once per input and checks each result.
 *
 * @param options The group, the case's name, the export, the inputs and the check.
 * @returns The case.
 */
export function callPerInput<T>(options: PerInputOptions<T>): HiddenCase {
  const check = shapedCheck(options);
  return perInputCase(options, false, () => check);
}

/**
 * A case that calls one export once per input and checks that no argument changed and that
 * the result is right: leaving the inputs alone earns nothing without the right output.
 *
 * @param options As for {@linkcode callPerInput} (use the check of the export's value
 *   cases), with the arguments' names for the reason and the misconception id to report
 *   for a changed argument.
 * @returns The case.
 */
export function noMutationCase<T>(
  options: PerInputOptions<T> & { argNames: string[]; misconception: string },
): HiddenCase {
  const { argNames, misconception } = options;
  const check = shapedCheck(options);
  return perInputCase(
    options,
    true,
    (calls) => (value, i) =>
      unchangedFailure(calls[i], value, argNames, misconception, (result) => check(result, i)),
  );
}

/**
 * A case of calls whose every result `check` judges, named `<symbol>(): <name>`.
 *
 * @param symbol The export under test.
 * @param name The property the case checks.
 * @param calls The calls the child makes.
 * @param input The inputs as feedback may show them.
 * @param check The check of call `i`'s result.
 * @param errorSymptoms What a thrown error says about a likely misconception, if anything.
 * @returns The case.
 */
export function valueCase(
  symbol: string,
  name: string,
  calls: Call[],
  input: string,
  check: CallCheck,
  errorSymptoms?: ErrorSymptoms,
): HiddenCase {
  return {
    symbol,
    name: `${symbol}(): ${name}`,
    calls,
    input,
    judge: (results) => judgeCalls(results, calls, check, errorSymptoms),
  };
}

/** The case of {@linkcode callPerInput} or {@linkcode noMutationCase}, given its check. */
function perInputCase<T>(
  options: PerInputOptions<T>,
  returnArgs: boolean,
  checkOf: (calls: Call[]) => CallCheck,
): HiddenCase {
  const { symbol, name, fn, inputs } = options;
  const calls: Call[] = inputs.map((input) =>
    returnArgs ? { fn, args: input.args, returnArgs } : { fn, args: input.args }
  );
  const check = checkOf(calls);
  return {
    symbol,
    name,
    calls,
    input: describeInputs(inputs.map((input) => input.text)),
    judge: (results) => judgeCalls(results, calls, check),
  };
}

/** `options.check` behind a check of the result's shape. */
function shapedCheck<T>(options: PerInputOptions<T>): CallCheck {
  const { fn, schema, shape, check } = options;
  return (value, i) => {
    const actual = parse(schema, value);
    return actual === undefined ? wrongShape(fn, value, shape) : check(actual, i);
  };
}
