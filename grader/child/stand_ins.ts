/**
 * Swaps trusted stand-ins in for a student's own functions, case by case, inside the
 * sandbox.
 *
 * A student's `trainSoftmaxRegression` that calls the student's own `crossEntropyGrad`
 * fails its tests when `crossEntropyGrad` has a bug, though its own code may be right. To
 * tell the two apart the grader runs such a failing case again (see `grader/isolation.ts`)
 * with the functions of the student's other failing groups replaced by the exercise
 * driver's stand-ins (`standIn:<name>`, correct float64 implementations). Calls inside the
 * submission go to its own bindings (or to a class's static methods), not to the entry's
 * exports, so the grader's private copy of the submission ends each file with a swapper
 * that points those places at another function; the harness calls the entry's through
 * {@linkcode swapsFor} before each case. A method, named `Class.method` (01's `Dual.pow`),
 * is swapped on the exported class's prototype, where every instance finds it: no rewrite
 * is needed.
 *
 * The student's code shares the realm and could keep a stand-in it was handed and call it
 * later, from the case of the very function it stands in for. So each stand-in is wrapped:
 * the wrapper answers only while a case runs for which its name is swapped in, and throws
 * otherwise; every call, answered or refused, is recorded, and the grader rescues a case
 * only when the stand-ins it called were all swapped in for it and belong to failing
 * groups. The record is a null-prototype object written with plain property sets, which no
 * patched built-in can intercept.
 *
 * @module
 */
import {
  dataDescriptor,
  type DriverFunctions,
  STAND_IN_PREFIX,
  WITHHOLDING_PREFIX,
} from "./calls.ts";

// Captured when this module loads, before any student code; loops below index their arrays
// rather than iterate them, since student code may replace the array iterator.
const { create, keys, setPrototypeOf } = Object;
const { apply, defineProperty, getOwnPropertyDescriptor } = Reflect;
const { indexOf, startsWith, substring } = String.prototype;

/** The key of a name's stand-in among a driver's functions. */
export function standInKey(name: string): string {
  return STAND_IN_PREFIX + name;
}

/** The swaps of one isolated part. */
export interface Swaps {
  /**
   * Points the names of `names` at their stand-ins and every other swapped name back at the
   * student's function, for the case about to run.
   */
  enter(names: readonly string[]): void;
  /**
   * Ends the case: every stand-in refuses from now on.
   *
   * @returns The names whose stand-ins the case's code called, refused calls included.
   */
  leave(): string[];
  /** Points every swapped name back at the student's function. */
  restore(): void;
  /**
   * Which of `names` have no stand-in in place: nowhere to put one (a method each instance
   * holds as its own property, a frozen object of functions) or none to put.
   */
  unswapped(names: readonly string[]): string[];
}

/**
 * Prepares the swaps of an isolated part.
 *
 * @param exports The module's exports as they were when it loaded (what cases call).
 * @param swapper The swapper the grader appended to the entry file (see
 *   `grader/isolation.ts`): `(name, fn, replaced)` points every place of the submission
 *   that holds `replaced` under `name` at `fn`, and says how many it changed.
 * @param names Every name some case swaps: an export, or `Class.method` for a method of an
 *   exported class.
 * @param functions The driver's functions, with the stand-ins; a method's takes its
 *   receiver first.
 * @returns The swaps. A name that cannot be swapped (no stand-in, a function the swapper
 *   finds nowhere, a method the prototype will not let go) keeps the student's function:
 *   its cases then run as they did, and no stand-in is recorded for them.
 */
export function swapsFor(
  exports: Record<string, unknown>,
  swapper: string,
  names: readonly string[],
  functions: DriverFunctions,
): Swaps {
  const assign = exports[swapper];
  const active: Record<string, true> = create(null);
  let called: Record<string, true> = create(null);
  const wrappers: Record<string, (...args: unknown[]) => unknown> = create(null);
  /** What each swapped name's places hold now: the student's function, or its wrapper. */
  const inPlace: Record<string, unknown> = create(null);
  /** The student's own function of each swapped name. */
  const own: Record<string, unknown> = create(null);
  /** Each swapped method's prototype and property descriptor. */
  const methods: Record<string, Method> = create(null);
  /** The export each swapped name points elsewhere: itself, or a withheld one's. */
  const exportOf: Record<string, string> = create(null);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    // `withholding:f` swaps the driver's function of that key in for the student's `f`.
    const withheld = apply(startsWith, name, [WITHHOLDING_PREFIX]) as boolean;
    const exported = withheld
      ? apply(substring, name, [WITHHOLDING_PREFIX.length]) as string
      : name;
    const standIn = functions[withheld ? name : standInKey(name)];
    if (typeof standIn !== "function") continue;
    const method = methodOf(exports, exported);
    if (method !== undefined) {
      methods[name] = method;
      own[name] = method.descriptor.value;
    } else if (typeof exports[exported] === "function") {
      own[name] = exports[exported];
    } else {
      continue;
    }
    exportOf[name] = exported;
    inPlace[name] = own[name];
    const isMethod = method !== undefined;
    wrappers[name] = function standInFor(this: unknown, ...args: unknown[]): unknown {
      called[name] = true;
      if (active[name] !== true) {
        throw new Error(`The grader's ${exported}() stands in for yours only in its own tests`);
      }
      if (!isMethod) return apply(standIn, undefined, args);
      const withReceiver: unknown[] = setPrototypeOf([this], null);
      for (let k = 0; k < args.length; k++) withReceiver[k + 1] = args[k];
      return apply(standIn, undefined, withReceiver);
    };
  }
  const point = (name: string, target: unknown): void => {
    if (inPlace[name] === target) return;
    let changed: unknown = 0;
    try {
      const method = methods[name];
      if (method !== undefined) {
        const { prototype, key, descriptor } = method;
        const replaced = dataDescriptor(target);
        replaced.writable = descriptor.writable;
        replaced.enumerable = descriptor.enumerable;
        replaced.configurable = descriptor.configurable;
        changed = defineProperty(prototype, key, replaced) ? 1 : 0;
      } else if (typeof assign === "function") {
        changed = apply(assign, undefined, [exportOf[name], target, inPlace[name]]);
      }
    } catch {
      // Counted as nothing changed.
    }
    if (typeof changed === "number" && changed > 0) inPlace[name] = target;
    else if (target !== own[name]) delete wrappers[name];
  };
  const swapped = keys(wrappers);
  return {
    enter(names) {
      for (let i = 0; i < swapped.length; i++) delete active[swapped[i]];
      for (let i = 0; i < names.length; i++) if (names[i] in wrappers) active[names[i]] = true;
      for (let i = 0; i < swapped.length; i++) {
        const name = swapped[i];
        if (name in wrappers) point(name, active[name] ? wrappers[name] : own[name]);
      }
    },
    leave() {
      for (let i = 0; i < swapped.length; i++) delete active[swapped[i]];
      const names = keys(called);
      called = create(null);
      return names;
    },
    restore() {
      for (let i = 0; i < swapped.length; i++) {
        delete active[swapped[i]];
        point(swapped[i], own[swapped[i]]);
      }
    },
    unswapped(names) {
      const missing: string[] = [];
      for (let i = 0; i < names.length; i++) {
        if (!(names[i] in wrappers)) missing[missing.length] = names[i];
      }
      return missing;
    },
  };
}

/** A method swapped on its class's prototype. */
interface Method {
  prototype: object;
  key: string;
  /** Its own property descriptor as the module left it. */
  descriptor: PropertyDescriptor;
}

/**
 * Method `Class.method` of an exported class, where it is a plain function property of the
 * class's prototype that can be replaced; otherwise undefined.
 */
function methodOf(exports: Record<string, unknown>, name: string): Method | undefined {
  const dot = apply(indexOf, name, ["."]) as number;
  if (dot <= 0) return undefined;
  const owner = exports[apply(substring, name, [0, dot]) as string];
  if (typeof owner !== "function") return undefined;
  const prototype: unknown = owner.prototype;
  if (prototype === null || typeof prototype !== "object") return undefined;
  // The class's own prototype, never a built-in's it was pointed at (Set.prototype).
  const constructor = getOwnPropertyDescriptor(prototype, "constructor");
  if (constructor?.value !== owner) return undefined;
  const key = apply(substring, name, [dot + 1]) as string;
  const descriptor = getOwnPropertyDescriptor(prototype, key);
  if (descriptor === undefined || typeof descriptor.value !== "function") return undefined;
  if (descriptor.configurable !== true && descriptor.writable !== true) return undefined;
  return { prototype, key, descriptor };
}
