/**
 * Helpers shared by the hidden suites' judges: reading untrusted call results, phrasing
 * reasons for a student, recognising changed arguments and describing inputs.
 *
 * A judge sees only what the sandbox reported, so every value is validated before use and
 * a reason never quotes an expected value: at most the student's own output, briefly.
 *
 * @module
 */
import { z } from "zod";
import type { Call, CallResult, Verdict } from "../suite.ts";

/** Any JavaScript number, NaN and ±Infinity included (zod's `z.number()` refuses them). */
export const anyNumber = z.custom<number>((v) => typeof v === "number", "not a number");

/** An array of numbers. */
export const numberArray = z.array(anyNumber);

/** An array of arrays of numbers. */
export const numberMatrix = z.array(numberArray);

/** What a call reports with `returnArgs: true`. */
const withArgs = z.object({ result: z.unknown(), args: z.array(z.unknown()) });

/** Why one call of a case failed. */
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
 * The failure of a call that did not return a value, or `undefined` when it did.
 *
 * @param result What the child reported for the call, if anything.
 * @param fn The function called, for the reason.
 * @returns `"<fn>() threw: <error>"` or `"<fn>() did not return"`, or `undefined`.
 */
export function callFailure(result: CallResult | undefined, fn: string): Failure | undefined {
  if (!result) return { reason: `${fn}() did not return` };
  if (!result.ok) return { reason: `${fn}() threw: ${result.error}` };
  return undefined;
}

/**
 * A verdict from the failures of a case's calls: the first failure's reason, where it
 * happened, and the symptoms that every failing call shows.
 *
 * @param failures The failing calls, in order, with their positions.
 * @param total How many calls the case made.
 * @returns The verdict.
 */
export function verdictOf(
  failures: readonly { index: number; failure: Failure }[],
  total: number,
): Verdict {
  if (failures.length === 0) return { pass: true };
  const [first] = failures;
  const others = failures.length > 1 ? `; ${failures.length} of the ${total} inputs fail` : "";
  const where = total > 1 ? ` (input ${first.index + 1} of ${total}${others})` : "";
  const symptoms = failures
    .map(({ failure }) => failure.symptoms ?? [])
    .reduce((shared, next) => shared.filter((id) => next.includes(id)));
  return {
    pass: false,
    reason: first.failure.reason + where,
    ...(symptoms.length > 0 ? { symptoms } : {}),
  };
}

/**
 * Judges a case whose calls are checked one by one: a call that threw or did not return
 * fails with that reason, the others go through `check`.
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
  const failures: { index: number; failure: Failure }[] = [];
  for (let index = 0; index < calls.length; index++) {
    const result = results[index];
    const failed = callFailure(result, calls[index].fn);
    if (failed) {
      const symptoms = result && !result.ok ? errorSymptoms?.(result.error, index) : undefined;
      failures.push({ index, failure: symptoms ? { ...failed, symptoms } : failed });
      continue;
    }
    const failure = await check((result as { value: unknown }).value, index);
    if (failure) failures.push({ index, failure });
  }
  return verdictOf(failures, calls.length);
}

/**
 * Reads a value with a schema, or says what was wrong with it.
 *
 * @param schema What the value must be.
 * @param value The untrusted value.
 * @param fn The function that returned it, for the reason.
 * @param what What it should have been, in words: "an array of numbers".
 * @returns The parsed value, or a failure.
 */
export function parseValue<T>(
  schema: z.ZodType<T>,
  value: unknown,
  fn: string,
  what: string,
): { ok: true; data: T } | { ok: false; failure: Failure } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, failure: { reason: `${fn}() returned ${brief(value)}, not ${what}` } };
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
  if (!parsed.success) {
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
 * without the right output, so `check` is the check of the function's value cases.
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
  return await check((value as { result: unknown }).result);
}

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
 * A number for a person: integers and short decimals as they are, others to 4 significant
 * digits, and NaN, ±Infinity by name.
 *
 * @param x The number.
 * @returns Its text.
 */
export function showNumber(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x) || String(x).length <= 8) return String(x);
  return String(Number(x.toPrecision(4)));
}

/**
 * An array for a person, cut after `max` entries.
 *
 * @param values The numbers.
 * @param max How many entries to show.
 * @returns `[1, 2.5, −Infinity, … (12 entries)]`.
 */
export function showVector(values: readonly number[], max = 6): string {
  const shown = values.slice(0, max).map(showNumber);
  if (values.length > max) shown.push(`… (${values.length} entries)`);
  return `[${shown.join(", ")}]`;
}

/**
 * A matrix for a person, cut after `maxRows` rows.
 *
 * @param rows The rows.
 * @param maxRows How many rows to show.
 * @returns `[[1, 2], [3, 4], … (5 rows)]`.
 */
export function showMatrix(rows: readonly (readonly number[])[], maxRows = 4): string {
  const shown = rows.slice(0, maxRows).map((row) => showVector(row));
  if (rows.length > maxRows) shown.push(`… (${rows.length} rows)`);
  return `[${shown.join(", ")}]`;
}

/**
 * An untrusted value for a reason, short: a type, a number, or a cut JSON text.
 *
 * @param value What student code returned.
 * @returns A description of at most about 60 characters.
 */
export function brief(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number") return showNumber(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "number")) {
    return showVector(value as number[], 4);
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * Memoises an async computation: it runs on the first call only.
 *
 * @param compute What to compute.
 * @returns A function that returns the one result.
 */
export function lazy<T>(compute: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= compute());
}
