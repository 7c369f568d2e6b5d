/**
 * Assertions for the exercises' visible tests.
 *
 * Each failure message is written for a student: it names the function and the inputs,
 * shows what came back and what was expected, and never dumps framework internals. Tests
 * import the student's module as a namespace (`import * as lms from "./lms.ts"`) and reach
 * every export through {@linkcode exported}, so a missing or misspelled export fails only
 * the tests of that export, with a message that says so.
 *
 * @module
 */
import { AssertionError } from "node:assert";
import { isClose, type Tolerance } from "./tolerance.ts";

/** Formats a value for a message: numbers in full precision, arrays and objects compactly. */
export function show(value: unknown): string {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): string => {
    if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
    if (typeof v === "string") return JSON.stringify(v);
    if (typeof v === "function") return `[function ${v.name || "anonymous"}]`;
    if (v === null || typeof v !== "object") return String(v);
    if (seen.has(v)) return "[circular]";
    seen.add(v);
    if (depth > 3) return Array.isArray(v) ? "[…]" : "{…}";
    if (Array.isArray(v)) {
      const items = v.slice(0, 12).map((x) => walk(x, depth + 1));
      if (v.length > 12) items.push(`… ${v.length - 12} more`);
      return `[${items.join(", ")}]`;
    }
    const entries = Object.entries(v).slice(0, 12).map(([k, x]) => `${k}: ${walk(x, depth + 1)}`);
    const name = v.constructor && v.constructor !== Object ? `${v.constructor.name} ` : "";
    return `${name}{ ${entries.join(", ")} }`;
  };
  return walk(value, 0);
}

/** Fails the current test with `message`, without a diff or a stack from this module. */
export function fail(message: string): never {
  const error = new AssertionError({ message });
  error.stack = `AssertionError: ${message}`;
  throw error;
}

/**
 * Returns the export `name` of a student's module, failing the test with a clear message
 * when it is missing or not a function or class.
 *
 * @param module The student's module namespace.
 * @param name The export's name.
 * @param file The entry file, for the message.
 * @returns The export, typed as the module declares it.
 */
export function exported<M extends object, K extends keyof M & string>(
  module: M,
  name: K,
  file: string,
): M[K] {
  const value = (module as Record<string, unknown>)[name];
  if (value === undefined) {
    const near = Object.keys(module).find((k) => k.toLowerCase() === name.toLowerCase());
    fail(
      `${file} does not export "${name}"` +
        (near ? `: it exports "${near}"; names are case-sensitive` : `: is it spelled exactly so?`),
    );
  }
  if (typeof value !== "function") {
    fail(`${file} exports "${name}" as a ${typeof value}, but it must be a function`);
  }
  return value as M[K];
}

/**
 * Asserts that a number is within tolerance of the expected value.
 *
 * @param actual What the student's code returned.
 * @param expected The correct value.
 * @param what The call that produced it, e.g. `"predict([1, 2], [1, 3])"`.
 * @param tolerance How close is close enough (float32 accuracy by default).
 */
export function assertClose(
  actual: unknown,
  expected: number,
  what: string,
  tolerance?: Tolerance,
): void {
  if (typeof actual !== "number") {
    fail(`${what} returned ${show(actual)} (${typeOf(actual)}), but it must return a number`);
  }
  if (!isClose(actual, expected, tolerance)) {
    fail(`${what} returned ${show(actual)}, expected ${show(expected)}`);
  }
}

/**
 * Asserts that a vector has the expected length and every entry is within tolerance.
 *
 * @param actual What the student's code returned.
 * @param expected The correct vector.
 * @param what The call that produced it.
 * @param tolerance How close is close enough (float32 accuracy by default).
 */
export function assertAllClose(
  actual: unknown,
  expected: readonly number[],
  what: string,
  tolerance?: Tolerance,
): void {
  assertVector(actual, what, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!isClose(actual[i], expected[i], tolerance)) {
      fail(
        `${what} returned ${show(actual)}, expected ${show(expected)} ` +
          `(entry ${i} differs: ${show(actual[i])} instead of ${show(expected[i])})`,
      );
    }
  }
}

/**
 * Asserts that a value is a plain array of numbers, of length `length` where given.
 *
 * @param actual The value.
 * @param what The call that produced it.
 * @param length The required length.
 */
export function assertVector(
  actual: unknown,
  what: string,
  length?: number,
): asserts actual is number[] {
  if (!Array.isArray(actual)) {
    const hint = isTensorLike(actual) ? ": convert a tensor with .arraySync()" : "";
    fail(
      `${what} returned ${show(actual)} (${typeOf(actual)}), but it must return number[]${hint}`,
    );
  }
  if (length !== undefined && actual.length !== length) {
    fail(`${what} returned ${actual.length} numbers, expected ${length}`);
  }
  const bad = actual.findIndex((x) => typeof x !== "number");
  if (bad >= 0) {
    fail(`${what} returned ${show(actual)}: entry ${bad} is ${typeOf(actual[bad])}, not a number`);
  }
}

/**
 * Calls `fn` on deep copies of `args` and fails if it changed any of them.
 *
 * @param name The function's name, for the message.
 * @param fn The function under test.
 * @param args Its arguments (copied; the originals are never passed).
 * @returns What `fn` returned.
 */
export function callWithoutMutation<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => R,
  ...args: A
): R {
  const copies = structuredClone(args);
  const result = fn(...copies);
  for (let i = 0; i < args.length; i++) {
    if (JSON.stringify(copies[i]) !== JSON.stringify(args[i])) {
      fail(
        `${name}() changed its argument ${i + 1} from ${show(args[i])} to ${show(copies[i])}: ` +
          `functions must not mutate their inputs; build a new array instead`,
      );
    }
  }
  return result;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (isTensorLike(value)) return "a tensor";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function isTensorLike(value: unknown): boolean {
  return typeof value === "object" && value !== null && "dataSync" in value && "shape" in value;
}
