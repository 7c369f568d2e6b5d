/**
 * The dual-numbers driver: trusted test functions for `derivative()` and `gradient()`, and
 * trusted forward mode through one student operation, built inside the sandbox from the
 * student's module.
 *
 * Two families are offered, over the same formulas as the reference core's `TEST_FUNCTIONS`
 * (core/dual.ts; a test keeps the two in step):
 *
 * - `trusted:<name>`, passed as `{ $fn: "trusted:x*y" }` where the student's code expects
 *   a function of dual numbers, uses only the student's `Dual` constructor and the
 *   `re`/`eps` of what it is given: every operation computes its value and derivative rule
 *   here, so `derivative()` and `gradient()` are tested independently of the student's
 *   arithmetic.
 * - `slope:<op>:<name>`, e.g. `slope:cos:-cos(2x)`, called itself (`trusted: true`),
 *   computes the function's gradient by forward mode with trusted code except for one
 *   operation, which is the student's own (`Dual.prototype.mul`, or the exported `cos`): a
 *   chain through that operation alone, which the student's `derivative()` and
 *   `gradient()` take no part in.
 *
 * And a stand-in for each operation, `standIn:<group>` for the groups of
 * {@linkcode STAND_INS} (`standIn:Dual.pow`, `standIn:cos`): the trusted operation, swapped
 * in for the student's own when a case of an operation built on it (a `div` written as
 * `this.mul(o.pow(-1))`) runs again isolated (see `grader/isolation.ts`). A method's
 * stand-in takes its receiver first.
 *
 * The arithmetic uses `Math` functions captured when this module loads, before any student
 * module can replace them, and no array iterator.
 *
 * Nothing here knows an expected value.
 *
 * @module
 */
import type { Driver, DriverFunctions } from "../calls.ts";
import { offerDriver } from "../driver_registry.ts";

// Captured before any student module loads; see the module comment.
const { sin, cos, exp, log } = Math;
const NativeTypeError = TypeError;
const { apply, construct } = Reflect;
const { create, entries } = Object;
const { isArray } = Array;

/** What the driver reads from a dual number. */
interface DualLike {
  readonly re: number;
  readonly eps: number;
}

/** The operations a formula is written over. */
interface Ops {
  add(a: DualLike, b: DualLike | number): DualLike;
  sub(a: DualLike, b: DualLike | number): DualLike;
  mul(a: DualLike, b: DualLike | number): DualLike;
  div(a: DualLike, b: DualLike | number): DualLike;
  pow(a: DualLike, p: number): DualLike;
  neg(a: DualLike): DualLike;
  sin(a: DualLike): DualLike;
  cos(a: DualLike): DualLike;
  exp(a: DualLike): DualLike;
  log(a: DualLike): DualLike;
}

/** An operation that can be the student's own in a `slope:<op>:<name>` function. */
export type Operation = keyof Ops;

/** Every operation, in the order of the exercise's groups. */
export const OPERATIONS: readonly Operation[] = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "neg",
  "sin",
  "cos",
  "exp",
  "log",
];

/** The formulas of core/dual.ts's `TEST_FUNCTIONS`, by name. */
const FORMULAS: Record<string, (o: Ops, xs: DualLike[]) => DualLike> = {
  "x^2": (o, [x]) => o.pow(x, 2),
  "x^3 - 2x + 1": (o, [x]) => o.add(o.sub(o.pow(x, 3), o.mul(x, 2)), 1),
  "sqrt(x)": (o, [x]) => o.pow(x, 0.5),
  "1/x": (o, [x]) => o.pow(x, -1),
  "sin(x)/x": (o, [x]) => o.div(o.sin(x), x),
  "exp(sin(x))*log(x)": (o, [x]) => o.mul(o.exp(o.sin(x)), o.log(x)),
  "-cos(2x)": (o, [x]) => o.neg(o.cos(o.mul(x, 2))),
  "x*y": (o, [x, y]) => o.mul(x, y),
  "x/y": (o, [x, y]) => o.div(x, y),
  "cos(x*y)": (o, [x, y]) => o.cos(o.mul(x, y)),
  "x^2*y - exp(-y)": (o, [x, y]) => o.sub(o.mul(o.pow(x, 2), y), o.exp(o.neg(y))),
  "x*y*z - log(x + z^2)": (o, [x, y, z]) =>
    o.sub(o.mul(o.mul(x, y), z), o.log(o.add(x, o.pow(z, 2)))),
};

/**
 * The groups of 01-dual-numbers that have a stand-in: every operation, as its group is
 * named (`Dual.<method>`, or the exported function's name), in the order of
 * {@linkcode OPERATIONS}. The constructor has none (a stand-in builds the student's own dual
 * numbers), nor have `derivative` and `gradient`, which are tested through trusted
 * functions already.
 */
export const STAND_INS = [
  "Dual.add",
  "Dual.sub",
  "Dual.mul",
  "Dual.div",
  "Dual.pow",
  "Dual.neg",
  "sin",
  "cos",
  "exp",
  "log",
] as const;

/** The names of the formulas the driver offers. */
export const FORMULA_NAMES: readonly string[] = Object.keys(FORMULAS);

/**
 * The id of a trusted test function, for `{ $fn }`.
 *
 * @param name A name of core/dual.ts's `TEST_FUNCTIONS`.
 * @returns `trusted:<name>`.
 */
export function trustedFunction(name: string): string {
  return `trusted:${name}`;
}

/**
 * The id of {@linkcode trustedFunction}'s test function with its value withheld: it
 * returns 0 + f′·b ε, so only its ε part says anything, as `derivative()` and `gradient()`
 * should read it; differences of values (a finite difference, which never needs a dual
 * number) say nothing.
 *
 * @param name A name of core/dual.ts's `TEST_FUNCTIONS`.
 * @returns `withheld:<name>`.
 */
export function withheldFunction(name: string): string {
  return `withheld:${name}`;
}

/**
 * The id of the trusted forward-mode gradient of a test function through the student's
 * own `op`, called as `{ fn, trusted: true, args: [point] }`: one pass a variable, each
 * seeding ε = 1 on that variable with the student's `Dual` constructor, and the ε parts of
 * the results read back. The student's `derivative()` and `gradient()` take no part.
 *
 * @param op The student's operation.
 * @param name A name of core/dual.ts's `TEST_FUNCTIONS`.
 * @returns `slope:<op>:<name>`.
 */
export function slopeFunction(op: Operation, name: string): string {
  return `slope:${op}:${name}`;
}

/**
 * The id of the function that returns its argument, called as `{ fn: OPERAND, trusted: true,
 * args: [{ $ref }] }` after an operation: its operand, read again, to see whether the
 * operation changed it.
 */
export const OPERAND = "operand";

/** The operations that are methods of the student's `Dual`; the others are exports. */
const METHODS: Readonly<Record<Operation, boolean>> = {
  add: true,
  sub: true,
  mul: true,
  div: true,
  pow: true,
  neg: true,
  sin: false,
  cos: false,
  exp: false,
  log: false,
};

/** The formulas by name, listed while no student code has run. */
const FORMULA_LIST = entries(FORMULAS);

/**
 * Builds the trusted functions from the student's module.
 *
 * It is not exported: it is offered to the harness (see `driver_registry.ts`).
 *
 * @example `derivative()` of x² through a correct `Dual`
 * ```ts
 * import "./dual.ts";
 * import { offeredDriver } from "../driver_registry.ts";
 * import assert from "node:assert/strict";
 *
 * const driver = offeredDriver("dual")!;
 * class Dual {
 *   constructor(readonly re: number, readonly eps = 0) {}
 * }
 * const square = driver({ Dual })["trusted:x^2"] as (x: Dual) => Dual;
 * assert.deepEqual(square(new Dual(3, 1)), new Dual(9, 6));
 * ```
 */
const driver: Driver = (module) => {
  const make = (re: number, eps: number): DualLike => {
    const Dual = module.Dual;
    if (typeof Dual !== "function") throw new NativeTypeError('dual.ts does not export "Dual"');
    return construct(Dual, [re, eps]) as DualLike;
  };
  // A number operand is the constant a + 0ε.
  const re = (x: DualLike | number): number => typeof x === "number" ? x : x.re;
  const eps = (x: DualLike | number): number => typeof x === "number" ? 0 : x.eps;
  const trusted: Ops = {
    add: (x, o) => make(re(x) + re(o), eps(x) + eps(o)),
    sub: (x, o) => make(re(x) - re(o), eps(x) - eps(o)),
    mul: (x, o) => make(re(x) * re(o), re(x) * eps(o) + eps(x) * re(o)),
    div: (x, o) => make(re(x) / re(o), (eps(x) * re(o) - re(x) * eps(o)) / (re(o) * re(o))),
    pow: (x, p) => make(re(x) ** p, p * re(x) ** (p - 1) * eps(x)),
    neg: (x) => make(-re(x), -eps(x)),
    sin: (x) => make(sin(re(x)), eps(x) * cos(re(x))),
    cos: (x) => make(cos(re(x)), -eps(x) * sin(re(x))),
    exp: (x) => make(exp(re(x)), eps(x) * exp(re(x))),
    log: (x) => make(log(re(x)), eps(x) / re(x)),
  };
  const students = (op: Operation): Ops[Operation] => {
    if (METHODS[op]) {
      return ((x: DualLike, ...rest: unknown[]) => {
        const method = (x as unknown as Record<string, unknown>)[op];
        if (typeof method !== "function") {
          throw new NativeTypeError(`The Dual has no method "${op}"`);
        }
        return apply(method, x, rest) as DualLike;
      }) as Ops[Operation];
    }
    return ((x: DualLike) => {
      const fn = module[op];
      if (typeof fn !== "function") throw new NativeTypeError(`dual.ts does not export "${op}"`);
      return apply(fn, undefined, [x]) as DualLike;
    }) as Ops[Operation];
  };
  // The student's module has loaded by now and may have patched built-ins: a table with no
  // prototype (no setter of Object.prototype's sees a function stored in it), filled in
  // index loops.
  const functions: DriverFunctions = create(null);
  functions[OPERAND] = (x: unknown) => x;
  for (let i = 0; i < STAND_INS.length; i++) {
    functions[`standIn:${STAND_INS[i]}`] = trusted[OPERATIONS[i]];
  }
  for (let f = 0; f < FORMULA_LIST.length; f++) {
    const name = FORMULA_LIST[f][0];
    const formula = FORMULA_LIST[f][1];
    // derivative() passes one dual number, gradient() an array of them.
    functions[trustedFunction(name)] = (xs: DualLike | DualLike[]) =>
      formula(trusted, isArray(xs) ? xs : [xs]);
    functions[withheldFunction(name)] = (xs: DualLike | DualLike[]) =>
      make(0, eps(formula(trusted, isArray(xs) ? xs : [xs])));
    for (let k = 0; k < OPERATIONS.length; k++) {
      const op = OPERATIONS[k];
      const ops = { ...trusted, [op]: students(op) };
      functions[slopeFunction(op, name)] = (point: number | number[]) => {
        const xs = isArray(point) ? point : [point];
        const slopes: number[] = [];
        for (let i = 0; i < xs.length; i++) {
          const seeded: DualLike[] = [];
          for (let j = 0; j < xs.length; j++) seeded[j] = make(xs[j], i === j ? 1 : 0);
          slopes[i] = eps(formula(ops, seeded));
        }
        return slopes;
      };
    }
  }
  return functions;
};

offerDriver("dual", driver);
