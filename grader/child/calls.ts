/**
 * Makes a case's calls on a student's module and encodes what they return.
 *
 * This runs inside the sandbox (through the harness) and, for the grader's own tests, in
 * process. Student code may return anything — a Proxy, an object whose getters throw, a
 * cyclic structure, a tensor — so results are copied defensively into plain JSON-able data
 * with caps on depth and size, and every failure becomes an `{ ok: false }` result.
 *
 * @module
 */
import type { Arg, Call, CallResult } from "../suite.ts";

/** Trusted functions an exercise's driver builds from the student's module. */
export type DriverFunctions = Record<string, (...args: never[]) => unknown>;

/** An exercise's driver: turns `{ $fn: name }` arguments into trusted functions. */
export type Driver = (module: Record<string, unknown>) => DriverFunctions;

// Captured when this module loads, before any student module can replace them: student
// code shares this realm, and patched globals must not garble the encoding of its results.
const { stringify, parse } = JSON;
const { keys: ownKeys, is: sameValue, hasOwn, defineProperty, setPrototypeOf, create } = Object;
const { isArray, from: arrayFrom } = Array;
const ArrayPrototype = Array.prototype;
const { isView } = ArrayBuffer;
const { isSafeInteger, isNaN } = Number;
const { apply, construct } = Reflect;
const { includes, startsWith, substring, toLowerCase } = String.prototype;
const lowerCase = (s: string) => apply(toLowerCase, s, []) as string;
const { min } = Math;
const stringIncludes = (text: string, part: string) => apply(includes, text, [part]) as boolean;
const clone = structuredClone;
const now = performance.now.bind(performance);

/**
 * The prefix of a stand-in's key among a driver's functions (see `stand_ins.ts`): a
 * stand-in answers only through the swaps that gate it, never as a `{ $fn }` argument or a
 * trusted call.
 */
export const STAND_IN_PREFIX = "standIn:";

/**
 * The prefix of a swap that withholds a student's function rather than standing in for it
 * (see `stand_ins.ts`): `withholding:crossEntropy` points the student's own `crossEntropy`
 * bindings, for one case, at the driver's function of that key, which answers nothing.
 * Like a stand-in, it is handed out by the swaps alone.
 */
export const WITHHOLDING_PREFIX = "withholding:";

const MAX_DEPTH = 8;
const MAX_ITEMS = 1_000_000;

/**
 * The harness's own words on why a call has no result: a value it cannot send, an export
 * that is not there. The grader shows them as they are, not as something the call threw.
 */
export class HarnessError extends Error {
  /** Creates the error, and marks it as this module's own (see {@linkcode isHarnessError}). */
  constructor(message: string) {
    super(message);
    apply(addHarnessError, harnessErrors, [this]);
  }
}

const harnessErrors = new WeakSet<object>();
const { add: addHarnessError, has: hasHarnessError } = WeakSet.prototype;
/**
 * Whether `thrown` is an {@linkcode HarnessError} of this module: an identity check, which no
 * value student code throws can intercept (`instanceof` asks a Proxy's `getPrototypeOf`
 * trap, and a trap that throws would escape the harness's own `catch`).
 */
const isHarnessError = (thrown: unknown): thrown is HarnessError =>
  apply(hasHarnessError, harnessErrors, [thrown]) as boolean;

/**
 * Copies a value into plain data: numbers (NaN, ±Infinity and −0 kept, see
 * {@linkcode toWire}), strings, booleans, null, arrays and plain objects of these.
 * Typed arrays become arrays; tensors, functions, symbols and cycles are refused with a
 * message for the student.
 *
 * @param value What student code returned.
 * @returns A plain copy.
 * @throws {HarnessError} If the value cannot be a result.
 */
export function encodeValue(value: unknown): unknown {
  let items = 0;
  const seen = new Set<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (++items > MAX_ITEMS) throw new HarnessError("the result is too large");
    if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") {
      return v;
    }
    if (v === undefined) return undefined;
    if (typeof v === "bigint") return Number(v);
    if (typeof v !== "object") throw new HarnessError(`the result contains a ${typeof v}`);
    if (depth > MAX_DEPTH) throw new HarnessError("the result is nested too deeply");
    if (seen.has(v)) throw new HarnessError("the result contains a cycle");
    seen.add(v);
    try {
      if (isView(v) && !(v instanceof DataView)) {
        return arrayFrom(v as unknown as ArrayLike<number>, Number);
      }
      if (isArray(v)) {
        const length = v.length;
        if (!isSafeInteger(length) || length > MAX_ITEMS) {
          throw new HarnessError("the result is too large");
        }
        // Filled with no prototype: no setter a student put on Array.prototype sees it.
        const out = bare(new Array(length));
        for (let i = 0; i < length; i++) out[i] = walk(v[i], depth + 1);
        return setPrototypeOf(out, ArrayPrototype);
      }
      if ("dataSync" in v && "shape" in v) {
        throw new HarnessError(
          "the result is a tfjs tensor; return plain numbers (tensor.arraySync())",
        );
      }
      if (v instanceof Promise) throw new HarnessError("the result is a Promise; await it");
      const out: Record<string, unknown> = {};
      const keys = ownKeys(v);
      for (let i = 0; i < keys.length; i++) {
        setOwn(out, keys[i], walk((v as Record<string, unknown>)[keys[i]], depth + 1));
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, 0);
}

/**
 * Writes an encoded value as JSON that keeps NaN, ±Infinity, −0 and undefined, which
 * plain JSON would lose: they become `{"$num": "NaN" | "Infinity" | "-Infinity" | "-0"}`
 * and `{"$undefined": true}`.
 */
export function toWire(value: unknown): string {
  let marked: unknown;
  try {
    marked = withMarkers(value, 0);
  } catch (error) {
    if (!(error instanceof PlainJsonDiffers)) throw error;
    return stringify(value, (_key, v) => marker(v) ?? v);
  }
  return stringify(marked);
}

/**
 * {@linkcode toWire} for the harness, whose realm student code shares: the same text, written
 * without anything a student could have replaced. Native `JSON.stringify` asks every object
 * and array for a `toJSON` method, inherited ones included, so an `Object.prototype.toJSON`
 * defined by student code could rewrite a frame, and {@linkcode withMarkers} copies with
 * `Array.prototype.map`. This walks plain data (what {@linkcode encodeValue} makes, and
 * frames of it) with functions captured when this module loaded, in index loops, and lets
 * `JSON.stringify` see nothing but strings, which have no `toJSON` to ask.
 *
 * @param value Plain data: numbers, strings, booleans, null, undefined, arrays and objects.
 * @returns Its wire text.
 *
 * @example
 * ```ts
 * import { fromWire, safeToWire, toWire } from "./calls.ts";
 * import assert from "node:assert/strict";
 *
 * const frame = { type: "case", results: [{ ok: true, value: [NaN, -0, 1.5, "π"], ms: 2 }] };
 * assert.equal(safeToWire(frame), toWire(frame));
 * assert.deepEqual(fromWire(safeToWire(frame)), frame);
 * ```
 */
export function safeToWire(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "number": {
      const special = marker(value);
      return special === undefined
        ? `${value}`
        : `{"$num":${stringify((special as { $num: string }).$num)}}`;
    }
    case "string":
      return stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return '{"$undefined":true}';
    case "object":
      break;
    default:
      return "null";
  }
  if (isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) text += (i === 0 ? "" : ",") + safeToWire(value[i]);
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const names = ownKeys(record);
  let text = "{";
  for (let i = 0; i < names.length; i++) {
    text += `${i === 0 ? "" : ","}${stringify(names[i])}:${safeToWire(record[names[i]])}`;
  }
  return `${text}}`;
}

/** Thrown by {@linkcode withMarkers} where only a replacer sees what JSON would write. */
class PlainJsonDiffers extends Error {}

/** The marker of a value plain JSON would lose, if it is one. */
function marker(v: unknown): { $num: string } | { $undefined: true } | undefined {
  if (typeof v === "number") {
    if (isNaN(v)) return { $num: "NaN" };
    if (v === Infinity) return { $num: "Infinity" };
    if (v === -Infinity) return { $num: "-Infinity" };
    if (sameValue(v, -0)) return { $num: "-0" };
  }
  if (v === undefined) return { $undefined: true };
  return undefined;
}

/**
 * `value` with every value plain JSON would lose replaced by its marker: `value` itself
 * where nothing needs one (most results and requests, written by native JSON at full
 * speed), copies only along the paths to those that do.
 *
 * @throws {PlainJsonDiffers} For a `toJSON` method, or nesting too deep to look through
 *   (a cycle, say): the caller falls back to a replacer.
 */
function withMarkers(value: unknown, depth: number): unknown {
  if (value === null || (typeof value !== "object" && typeof value !== "undefined")) {
    return typeof value === "number" ? (marker(value) ?? value) : value;
  }
  if (value === undefined) return { $undefined: true };
  if (depth > MAX_DEPTH * 4) throw new PlainJsonDiffers();
  if (isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      // Most items are numbers JSON writes as they are: finite (v − v is 0, not NaN), and
      // not −0. They need no call.
      if (typeof v === "number" && v - v === 0 && (v !== 0 || 1 / v > 0)) continue;
      const item = withMarkers(v, depth + 1);
      if (item !== v) {
        copy ??= arrayFrom(value);
        copy[i] = item;
      }
    }
    return copy ?? value;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") throw new PlainJsonDiffers();
  const record = value as Record<string, unknown>;
  const keys = ownKeys(record);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const entry = withMarkers(record[keys[i]], depth + 1);
    if (entry !== record[keys[i]]) {
      if (copy === undefined) {
        copy = {};
        for (let k = 0; k < keys.length; k++) setOwn(copy, keys[k], record[keys[k]]);
      }
      setOwn(copy, keys[i], entry);
    }
  }
  return copy ?? value;
}

/** Sets an own data property, as JSON.parse makes them: a key `__proto__` stays a key. */
function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  defineProperty(record, key, dataDescriptor(value));
}

/**
 * A descriptor of a plain data property, with no prototype: `defineProperty` reads `get`
 * and `set` from a descriptor, inherited ones too, and a getter a student put on
 * Object.prototype would be handed the value (or make the definition throw).
 *
 * @param value The property's value.
 * @returns The descriptor.
 */
export function dataDescriptor(value: unknown): PropertyDescriptor {
  const descriptor = create(null) as PropertyDescriptor;
  descriptor.value = value;
  descriptor.writable = true;
  descriptor.enumerable = true;
  descriptor.configurable = true;
  return descriptor;
}

const SPECIAL_NUMBERS: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  "-Infinity": -Infinity,
  "-0": -0,
};

/** Reads JSON written by {@linkcode toWire}. */
export function fromWire(text: string): unknown {
  const value = parse(text);
  // Without a marker (or an escape that could spell one) there is nothing to revive.
  const marked = stringIncludes(text, "$num") || stringIncludes(text, "$undefined") ||
    stringIncludes(text, "\\u");
  return marked ? revive(value) : value;
}

/**
 * Replaces the markers of {@linkcode toWire} in freshly parsed JSON, in place: only a
 * changed entry is written.
 */
function revive(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item = revive(v[i]);
      if (!sameValue(item, v[i])) v[i] = item;
    }
    return v;
  }
  const record = v as Record<string, unknown>;
  const keys = ownKeys(record);
  if (
    keys.length === 1 && typeof record.$num === "string" && hasOwn(SPECIAL_NUMBERS, record.$num)
  ) {
    return SPECIAL_NUMBERS[record.$num];
  }
  if (keys.length === 1 && record.$undefined === true) return undefined;
  for (let i = 0; i < keys.length; i++) {
    const entry = revive(record[keys[i]]);
    if (!sameValue(entry, record[keys[i]])) {
      setOwn(record, keys[i], entry);
    }
  }
  return record;
}

/** Describes a thrown value for the student, whatever was thrown. */
export function describeThrown(thrown: unknown): string {
  try {
    if (thrown instanceof Error) {
      return `${thrown.name}: ${String(thrown.message).slice(0, 500)}`;
    }
    if (typeof thrown === "string") {
      return `threw the string ${stringify(thrown.slice(0, 200))} (not an Error)`;
    }
    return `threw ${typeof thrown === "object" ? "an object" : String(thrown)} (not an Error)`;
  } catch {
    return "threw a value that cannot be described";
  }
}

/**
 * Makes the calls of one case, in order, and reports each one's encoded result.
 *
 * @param module The student's module namespace.
 * @param calls The case's calls.
 * @param functions Trusted functions for `{ $fn }` arguments.
 * @returns One result per call.
 */
export async function runCalls(
  module: Record<string, unknown>,
  calls: readonly Call[],
  functions: DriverFunctions = {},
): Promise<CallResult[]> {
  // Student code shares the realm and runs between these calls: nothing here iterates an
  // array, spreads one or calls a method a student could have replaced (a patched `map`
  // is handed every argument, a trusted function's among them), and a call's fields and
  // markers are read only where they are its own, never from a patched Object.prototype.
  const raw: unknown[] = bare([]);
  const results: CallResult[] = bare([]);
  for (let c = 0; c < calls.length; c++) {
    const call = calls[c];
    const started = now();
    // Exactly one raw value per call, whatever happens, so `$ref` indices stay aligned.
    raw[c] = undefined;
    try {
      const args: unknown[] = bare([]);
      for (let i = 0; i < call.args.length; i++) {
        args[i] = resolveArg(call.args[i], raw, functions);
      }
      const on = own(call, "on");
      let value: unknown;
      if (typeof on === "number") {
        const receiver = raw[on] as Record<string, unknown> | null | undefined;
        const method = receiver?.[call.fn];
        if (typeof method !== "function") {
          throw new TypeError(`the result has no method "${call.fn}"`);
        }
        value = await apply(method, receiver, args);
      } else if (own(call, "trusted") === true) {
        // A driver's function answers at once: its result is not awaited, which would ask
        // it for a `then` that student code may have put on Object.prototype.
        value = apply(trustedFunction(functions, call.fn), undefined, args);
      } else {
        const target = module[call.fn];
        if (typeof target !== "function") {
          throw new HarnessError(
            target === undefined
              ? missingExport(module, call.fn)
              : `the module exports "${call.fn}" as a ${typeof target}, not a function`,
          );
        }
        value = own(call, "construct") === true
          ? construct(target, args)
          : await apply(target, undefined, args);
      }
      raw[c] = value;
      const read = own(call, "read") as string[] | undefined;
      let reported = value;
      if (isArray(read)) {
        const picked: Record<string, unknown> = {};
        for (let k = 0; k < read.length; k++) {
          setOwn(picked, read[k], (value as Record<string, unknown>)?.[read[k]]);
        }
        reported = picked;
      }
      // Trusted functions and earlier results (an opaque model, say) are not the call's
      // own inputs: their `{ $fn }` / `{ $ref }` markers stand in for them.
      let report = reported;
      if (own(call, "returnArgs") === true) {
        const argsAfter: unknown[] = bare([]);
        for (let i = 0; i < args.length; i++) {
          argsAfter[i] = isMarker(call.args[i]) ? call.args[i] : args[i];
        }
        report = { result: reported, args: argsAfter };
      }
      results[c] = { ok: true, value: encodeValue(report), ms: now() - started };
    } catch (thrown) {
      const error = isHarnessError(thrown) ? thrown.message : describeThrown(thrown);
      results[c] = { ok: false, error, ms: now() - started };
    }
  }
  // Written: an array like any other from here.
  return setPrototypeOf(results, ArrayPrototype) as CallResult[];
}

/**
 * Why the module has no export `name`, with the export it most likely meant: one that
 * differs only in case or by a letter in three, up to two ("stochasticEpok"), else the
 * names it has.
 */
function missingExport(module: Record<string, unknown>, name: string): string {
  const names = ownKeys(module);
  let nearest: string | undefined;
  // Two letters off in a long name, fewer in a short one: "g" is not a misspelt "f".
  let best = min(2, (name.length / 3) | 0) + 1;
  const wanted = lowerCase(name);
  for (let i = 0; i < names.length; i++) {
    // Lengths that differ by `best` or more are that far apart at least: no table needed
    // (an export's name may be a megabyte long).
    const gap = names[i].length - name.length;
    if (gap >= best || -gap >= best) continue;
    const distance = editDistance(lowerCase(names[i]), wanted);
    if (distance < best) [nearest, best] = [names[i], distance];
  }
  // A name is shown up to 80 characters: the feedback is the student's, not a copy of it.
  const quote = (s: string) => stringify(s.length > 80 ? apply(substring, s, [0, 80]) + "…" : s);
  if (nearest !== undefined) {
    return `the module does not export "${name}": it exports ${quote(nearest)}; ` +
      "export the function under the name the README gives, spelled exactly so";
  }
  let listed = "";
  for (let i = 0; i < names.length && i < 8; i++) listed += (i ? ", " : "") + quote(names[i]);
  return `the module does not export "${name}"` +
    (names.length === 0 ? ": it exports nothing" : `: it exports ${listed}`) +
    (names.length > 8 ? ` and ${names.length - 8} more` : "");
}

/**
 * Levenshtein's distance between two strings, by their UTF-16 code units (in arrays
 * without a prototype, like the results: see {@linkcode bare}).
 */
function editDistance(a: string, b: string): number {
  let row: number[] = bare([]);
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const next: number[] = bare([]);
    next[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      next[j] = min(row[j] + 1, next[j - 1] + 1, substitution);
    }
    row = next;
  }
  return row[b.length];
}

/**
 * An array with no prototype: writing an element past its end consults no setter that
 * student code put on Array.prototype (which could catch or change a result on its way to
 * the grader). `isArray` still holds, and `Reflect.apply` takes it as arguments.
 */
function bare<T>(array: T[]): T[] {
  return setPrototypeOf(array, null) as T[];
}

/** A field of a call or an argument where it is its own, else undefined. */
function own(object: object, key: string): unknown {
  return hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/** The driver's trusted function `name`: never a stand-in, which only its swaps hand out. */
function trustedFunction(functions: DriverFunctions, name: string): (...a: unknown[]) => unknown {
  const fn = hasOwn(functions, name) && !apply(startsWith, name, [STAND_IN_PREFIX]) &&
      !apply(startsWith, name, [WITHHOLDING_PREFIX])
    ? functions[name]
    : undefined;
  if (typeof fn !== "function") throw new Error(`Unknown trusted function "${name}"`);
  return fn as (...a: unknown[]) => unknown;
}

/** Whether an argument is the value an earlier call returned, `{ $ref }`. */
function isRefArg(arg: Arg): arg is { $ref: number } {
  return arg !== null && typeof arg === "object" && !isArray(arg) &&
    typeof own(arg, "$ref") === "number";
}

/**
 * Whether an argument is a trusted function of the exercise's driver, `{ $fn }`: an own
 * property, so that a `$fn` a student put on Object.prototype makes no plain argument one.
 *
 * @param arg An argument of a call.
 * @returns Whether the child resolves it with the driver.
 */
export function isFunctionArg(arg: Arg): arg is { $fn: string } {
  return arg !== null && typeof arg === "object" && !isArray(arg) &&
    typeof own(arg, "$fn") === "string";
}

function isMarker(arg: Arg): boolean {
  return isRefArg(arg) || isFunctionArg(arg);
}

function resolveArg(arg: Arg, raw: unknown[], functions: DriverFunctions): unknown {
  if (isRefArg(arg)) return raw[arg.$ref];
  if (isFunctionArg(arg)) return trustedFunction(functions, arg.$fn);
  // A fresh deep copy, so that a student mutating an input cannot affect a later call.
  return clone(arg);
}
