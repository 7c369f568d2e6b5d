/**
 * The least-mean-squares driver (02-lms): a trusted stand-in for every graded export,
 * offered as `standIn:<export>` (`standIn:predict`, …, `standIn:stochasticEpoch`).
 *
 * A stand-in is a correct implementation, in float64, swapped in for one of the student's
 * other graded functions: a case of `stochasticEpoch()` can then be judged with a correct
 * `lmsUpdate()` under it, so that a bug in one function costs the points of that function
 * alone and not those of every function that calls it. Each stand-in builds only on this
 * module's own functions, never on the student's, and takes and returns what the exercise's
 * README specifies: vectors and rows as arrays (typed arrays too), read by index and never
 * changed, and a fresh array for every θ it returns. Malformed input, a non-array where an
 * array belongs or lengths that disagree, is refused with a `TypeError`.
 *
 * Nothing here knows an expected value of a hidden case: the stand-ins compute, they never
 * look an answer up.
 *
 * Student code shares this realm and may replace built-ins once it loads (`Math.exp`,
 * `Array.prototype.map`, the array iterator). What the stand-ins need is captured when this
 * module loads, before any student module, and the arithmetic runs in index loops: no
 * `map`, `reduce`, spread or iterator that a student could have patched.
 *
 * @module
 */
import type { Driver } from "../calls.ts";
import { offerDriver } from "../driver_registry.ts";
import { checkMatrix, checkVector, type Matrix, type Vector } from "./_arrays.ts";

// Captured before any student module loads; see the module comment.
const NativeTypeError = TypeError;

/** The graded exports of 02-lms, in the order of the exercise's groups. */
export const STAND_INS = [
  "predict",
  "cost",
  "lmsUpdate",
  "batchUpdate",
  "stochasticEpoch",
] as const;

/** Refuses examples and targets that differ in number. */
function checkTargets(X: Matrix, y: Vector, what: string): void {
  if (X.length !== y.length) {
    throw new NativeTypeError(
      `Cannot compute ${what}: ${X.length} examples but ${y.length} targets`,
    );
  }
}

/** θᵀx, once θ and x are known to be vectors. */
function dot(theta: Vector, x: Vector, what: string): number {
  if (theta.length !== x.length) {
    throw new NativeTypeError(
      `Cannot compute ${what}: θ has ${theta.length} entries but x has ${x.length}`,
    );
  }
  let sum = 0;
  for (let j = 0; j < theta.length; j++) sum += theta[j] * x[j];
  return sum;
}

/** A fresh plain copy of a vector. */
function copy(v: Vector): number[] {
  const out: number[] = [];
  for (let j = 0; j < v.length; j++) out[j] = v[j];
  return out;
}

/** The prediction h_θ(x) = θᵀx. */
function predict(theta: Vector, x: Vector): number {
  checkVector(theta, "θ", "h(x)");
  checkVector(x, "x", "h(x)");
  return dot(theta, x, "h(x)");
}

/** The cost J(θ) = ½ Σᵢ (h_θ(x⁽ⁱ⁾) − y⁽ⁱ⁾)²: a sum, not a mean. */
function cost(theta: Vector, X: Matrix, y: Vector): number {
  checkVector(theta, "θ", "J(θ)");
  checkMatrix(X, "X", "J(θ)");
  checkVector(y, "y", "J(θ)");
  checkTargets(X, y, "J(θ)");
  let sum = 0;
  for (let i = 0; i < X.length; i++) {
    const residual = dot(theta, X[i], "J(θ)") - y[i];
    sum += residual * residual;
  }
  return sum / 2;
}

/** One LMS step on one example: a new θ with θⱼ + α (y − h_θ(x)) xⱼ. */
function lmsUpdate(theta: Vector, x: Vector, y: number, alpha: number): number[] {
  checkVector(theta, "θ", "the LMS update");
  checkVector(x, "x", "the LMS update");
  const step = alpha * (y - dot(theta, x, "the LMS update"));
  const next: number[] = [];
  for (let j = 0; j < theta.length; j++) next[j] = theta[j] + step * x[j];
  return next;
}

/** One batch step: θ + α Σᵢ (y⁽ⁱ⁾ − h_θ(x⁽ⁱ⁾)) x⁽ⁱ⁾, every residual measured with the θ given. */
function batchUpdate(theta: Vector, X: Matrix, y: Vector, alpha: number): number[] {
  const what = "the batch update";
  checkVector(theta, "θ", what);
  checkMatrix(X, "X", what);
  checkVector(y, "y", what);
  checkTargets(X, y, what);
  const sum: number[] = [];
  for (let j = 0; j < theta.length; j++) sum[j] = 0;
  for (let i = 0; i < X.length; i++) {
    const x = X[i];
    const residual = y[i] - dot(theta, x, what);
    for (let j = 0; j < theta.length; j++) sum[j] += residual * x[j];
  }
  const next: number[] = [];
  for (let j = 0; j < theta.length; j++) next[j] = theta[j] + alpha * sum[j];
  return next;
}

/** One stochastic epoch: the LMS step on example 0, 1, …, n − 1, each from the θ before. */
function stochasticEpoch(theta: Vector, X: Matrix, y: Vector, alpha: number): number[] {
  const what = "the stochastic epoch";
  checkVector(theta, "θ", what);
  checkMatrix(X, "X", what);
  checkVector(y, "y", what);
  checkTargets(X, y, what);
  const current = copy(theta);
  for (let i = 0; i < X.length; i++) {
    const x = X[i];
    const step = alpha * (y[i] - dot(current, x, what));
    for (let j = 0; j < current.length; j++) current[j] += step * x[j];
  }
  return current;
}

/**
 * Offers the stand-ins; the student's module is not used.
 *
 * It is not exported: it is offered to the harness (see `driver_registry.ts`).
 *
 * @example The README's worked example
 * ```ts
 * import "./lms.ts";
 * import { offeredDriver } from "../driver_registry.ts";
 * import assert from "node:assert/strict";
 *
 * const standIns = offeredDriver("lms")!({});
 * const cost = standIns["standIn:cost"] as (t: number[], X: number[][], y: number[]) => number;
 * assert.equal(cost([1, 1], [[1, 1], [1, 2], [1, 3]], [3, 4, 7]), 5.5);
 * ```
 */
const driver: Driver = () => ({
  "standIn:predict": predict,
  "standIn:cost": cost,
  "standIn:lmsUpdate": lmsUpdate,
  "standIn:batchUpdate": batchUpdate,
  "standIn:stochasticEpoch": stochasticEpoch,
});

offerDriver("lms", driver);
