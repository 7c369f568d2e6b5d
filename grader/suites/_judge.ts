/**
 * Helpers the hidden suites share: reading untrusted results, describing inputs and
 * outputs for a person, spotting mutated arguments, and turning per-input checks into a
 * verdict whose reason never holds an expected value.
 *
 * @module
 */
import type { z } from "zod";
import type { Call, CallResult, HiddenCase, Json, Verdict } from "../suite.ts";

/**
 * A number for a person: at most four significant digits, no exponent for ordinary sizes.
 *
 * @param x The number.
 * @returns Its short form.
 *
 * @example
 * ```ts
 * import { show } from "./_judge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(show(0.123456), "0.1235");
 * assert.equal(show(-2), "-2");
 * assert.equal(show(1e-12), "1e-12");
 * ```
 */
export function show(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}

/**
 * An input vector for a person, exactly (inputs lie on a grid), its first entries only
 * when it is long.
 *
 * @param v The vector.
 * @param max How many entries to show at most.
 * @returns `[0.5, -1, … (20 entries)]`.
 */
export function showVector(v: readonly number[], max = 6): string {
  const shown = v.slice(0, max).map(String).join(", ");
  return v.length > max ? `[${shown}, … (${v.length} entries)]` : `[${shown}]`;
}

/**
 * An input matrix for a person, its first rows only when it is long.
 *
 * @param m The rows.
 * @param maxRows How many rows to show at most.
 * @returns `[[1, 0.5], [1, -2], … (12 rows)]`.
 */
export function showMatrix(m: readonly number[][], maxRows = 3): string {
  const shown = m.slice(0, maxRows).map((row) => showVector(row, 4)).join(", ");
  return m.length > maxRows ? `[${shown}, … (${m.length} rows)]` : `[${shown}]`;
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
    const shown = value.slice(0, 4).map(show).join(", ");
    return value.length > 4 ? `[${shown}, … (${value.length} entries)]` : `[${shown}]`;
  }
  return "an object";
}

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
 * Why a call failed: `cost() threw: Error: …`, or `… did not return` when the child
 * reported nothing for it (a crash or a timeout).
 *
 * @param call The call.
 * @param result What the child reported, if anything.
 * @returns The reason, or `undefined` when the call returned.
 */
export function callFailure(call: Call, result: CallResult | undefined): string | undefined {
  if (result === undefined) return `${callName(call)} did not return`;
  if (!result.ok) return `${callName(call)} threw: ${String(result.error).slice(0, 300)}`;
  return undefined;
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

/** Whether two JSON-like values are equal, numbers compared with `Object.is`. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === "number" || typeof b === "number") return Object.is(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((v, i) => sameJson(v, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length &&
      keys.every((k) =>
        sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
      );
  }
  return a === b;
}

/**
 * Which argument a call changed, from a `returnArgs` report.
 *
 * @param sent The JSON arguments the call was made with.
 * @param report The untrusted `{ result, args }` the child reported.
 * @returns The index of the first changed argument, `-1` when none changed, or `null` when
 *   the report is malformed.
 */
export function changedArgument(sent: readonly Json[], report: unknown): number | null {
  if (!report || typeof report !== "object" || !("args" in report)) return null;
  const after = (report as { args: unknown }).args;
  if (!Array.isArray(after) || after.length !== sent.length) return null;
  return sent.findIndex((arg, i) => !sameJson(arg, after[i]));
}

/** One input of a case, checked. */
export interface InputCheck {
  ok: boolean;
  /** What is wrong, for a person; never an expected value. */
  problem?: string;
  /** Misconceptions this wrong output matches. */
  symptoms?: string[];
}

/**
 * Combines the checks of a case's inputs: it passes when every input passes; otherwise the
 * reason counts the wrong inputs and describes the first, and the symptoms are those every
 * wrong input shows.
 *
 * @param checks One check per input, in the order of the case's `input` text.
 * @returns The verdict.
 */
export function verdictOf(checks: readonly InputCheck[]): Verdict {
  const wrong = checks.map((check, i) => ({ ...check, i })).filter((c) => !c.ok);
  if (wrong.length === 0) return { pass: true };
  const first = wrong[0];
  const reason = checks.length === 1
    ? `${capitalise(first.problem ?? "the result is wrong")}`
    : `Wrong for ${wrong.length} of ${checks.length} inputs; input ${first.i + 1}: ${
      first.problem ?? "the result is wrong"
    }`;
  const symptoms = (first.symptoms ?? []).filter((id) =>
    wrong.every((c) => c.symptoms?.includes(id))
  );
  return symptoms.length > 0 ? { pass: false, reason, symptoms } : { pass: false, reason };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

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
  let cached: Promise<T> | undefined;
  return () => (cached ??= compute());
}

/** One input of a {@linkcode callPerInput} case: the call's arguments and their description. */
export interface CallInput {
  args: Json[];
  text: string;
}

/**
 * A case that calls one export once per input and checks each result.
 *
 * @param options The group `symbol`, the case `name`, the export `fn`, the `inputs`, the
 *   result's `schema`, and `check`, which judges input `i`'s parsed result.
 * @returns The case.
 */
export function callPerInput<T>(options: {
  symbol: string;
  name: string;
  fn: string;
  inputs: CallInput[];
  schema: z.ZodType<T>;
  /** What the result should be, for the reason when it has another shape: "a number". */
  shape: string;
  check(actual: T, i: number): InputCheck | Promise<InputCheck>;
}): HiddenCase {
  const { symbol, name, fn, inputs, schema, shape, check } = options;
  const calls: Call[] = inputs.map((input) => ({ fn, args: input.args }));
  return {
    symbol,
    name,
    calls,
    input: describeInputs(inputs.map((input) => input.text)),
    async judge(results) {
      const failure = firstFailure(calls, results);
      if (failure) return { pass: false, reason: failure };
      const checks: InputCheck[] = [];
      for (let i = 0; i < inputs.length; i++) {
        const value = valueOf(results[i]);
        const actual = parse(schema, value);
        checks.push(
          actual === undefined
            ? { ok: false, problem: `${fn}() returned ${describe(value)}, expected ${shape}` }
            : await check(actual, i),
        );
      }
      return verdictOf(checks);
    },
  };
}

/**
 * A case that calls one export once per input and checks that no argument changed and that
 * the result is right: leaving the inputs alone earns nothing without the right output.
 *
 * @param options The group `symbol`, the case `name`, the export `fn`, the `inputs`, the
 *   arguments' names for the reason, the misconception id to report for a changed
 *   argument, and the result's `schema`, `shape` and `check`, as in
 *   {@linkcode callPerInput} (use the check of the export's value cases).
 * @returns The case.
 */
export function noMutationCase<T>(options: {
  symbol: string;
  name: string;
  fn: string;
  inputs: CallInput[];
  argNames: string[];
  misconception: string;
  schema: z.ZodType<T>;
  /** What the result should be, for the reason when it has another shape: "a number". */
  shape: string;
  check(actual: T, i: number): InputCheck | Promise<InputCheck>;
}): HiddenCase {
  const { symbol, name, fn, inputs, argNames, misconception, schema, shape, check } = options;
  const calls: Call[] = inputs.map((input) => ({ fn, args: input.args, returnArgs: true }));
  return {
    symbol,
    name,
    calls,
    input: describeInputs(inputs.map((input) => input.text)),
    async judge(results) {
      const failure = firstFailure(calls, results);
      if (failure) return { pass: false, reason: failure };
      const checks: InputCheck[] = [];
      for (let i = 0; i < inputs.length; i++) {
        const report = valueOf(results[i]);
        const changed = changedArgument(inputs[i].args, report);
        if (changed === null) {
          checks.push({ ok: false, problem: `the arguments of ${fn}() could not be read back` });
        } else if (changed !== -1) {
          checks.push({
            ok: false,
            problem: `${fn}() changed its argument ${argNames[changed] ?? changed + 1}; ` +
              "build a new array instead of writing into the one you were given",
            symptoms: [misconception],
          });
        } else {
          const value = (report as { result?: unknown }).result;
          const actual = parse(schema, value);
          checks.push(
            actual === undefined
              ? { ok: false, problem: `${fn}() returned ${describe(value)}, expected ${shape}` }
              : await check(actual, i),
          );
        }
      }
      return verdictOf(checks);
    },
  };
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
