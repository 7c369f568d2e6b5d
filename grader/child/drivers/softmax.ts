/**
 * The softmax driver (04-softmax): a trusted stand-in for every graded export, offered as
 * `standIn:<export>` (`standIn:softmax`, …, `standIn:predictProba`), and
 * `withholding:crossEntropy`, which answers nothing, for the tests of `crossEntropyGrad()`
 * that withhold the student's own `crossEntropy()`.
 *
 * A stand-in is a correct implementation, in float64, swapped in for one of the student's
 * other graded functions: a case of `trainSoftmaxRegression()` can then be judged with a
 * correct `crossEntropyGrad()` and `predictProba()` under it, so that a bug in one
 * function costs the points of that function alone and not those of every function that
 * calls it. Each stand-in builds only on this module's own functions, never on the
 * student's, and takes and returns what the exercise's README specifies: logits, weights
 * and events as arrays (typed arrays too), read by index and never changed, and a fresh
 * array for every result. Every exp() is taken of a logit minus the largest one, so logits
 * of ±1e4 stay finite and a −Infinity logit gets probability 0. Training is the
 * solution's: batch gradient descent on the mean cross-entropy from W = 0, with α = 0.5 and
 * 200 epochs unless `opts` says otherwise. Malformed input, a non-array where an array
 * belongs or lengths that disagree, is refused with a `TypeError`; an impossible value (no
 * finite logit, a label that is not a class, no events) with a `RangeError`, as the
 * reference core does.
 *
 * Nothing here knows an expected value of a hidden case: the stand-ins compute, they never
 * look an answer up.
 *
 * Student code shares this realm and may replace built-ins once it loads (`Math.exp`,
 * `Array.prototype.map`, the array iterator behind `Math.max(...z)`). What the stand-ins
 * need is captured when this module loads, before any student module, and the arithmetic
 * runs in index loops: no `map`, `reduce`, spread or iterator that a student could have
 * patched.
 *
 * @module
 */
import { type Driver, WITHHOLDING_PREFIX } from "../calls.ts";
import { offerDriver } from "../driver_registry.ts";
import { checkMatrix, checkVector, type Matrix, type Vector } from "./_arrays.ts";

// Captured before any student module loads; see the module comment.
const { exp, log } = Math;
const { isInteger, isFinite } = Number;
const NativeError = Error;
const NativeTypeError = TypeError;
const NativeRangeError = RangeError;

/** The graded exports of 04-softmax, in the order of the exercise's groups. */
export const STAND_INS = [
  "softmax",
  "logSoftmax",
  "crossEntropy",
  "crossEntropyGrad",
  "trainSoftmaxRegression",
  "predictProba",
] as const;

/** The learning rate of training when `opts.alpha` is not given, the solution's. */
const DEFAULT_ALPHA = 0.5;

/** The number of epochs of training when `opts.epochs` is not given, the solution's. */
const DEFAULT_EPOCHS = 200;

/** Refuses logits that are not a vector with at least one finite entry. */
function checkLogits(z: unknown, what: string): asserts z is Vector {
  checkVector(z, "z", what);
  if (z.length === 0) throw new NativeRangeError(`Cannot compute ${what} of no logits`);
  for (let k = 0; k < z.length; k++) if (isFinite(z[k])) return;
  throw new NativeRangeError(`Cannot compute ${what}: no logit is finite`);
}

/** Refuses anything but a whole number of at least `minimum`: a count, or a class index. */
function checkWhole(
  value: unknown,
  minimum: number,
  name: string,
  what: string,
): asserts value is number {
  if (typeof value !== "number") {
    throw new NativeTypeError(`Cannot compute ${what}: ${name} is a ${typeof value}, not a number`);
  }
  if (!isInteger(value) || value < minimum) {
    throw new NativeRangeError(
      `Cannot compute ${what} with ${name} "${value}": expected an integer ≥ ${minimum}`,
    );
  }
}

/** Refuses a label that is not the index of one of `classes` classes. */
function checkLabel(label: unknown, classes: number, what: string): asserts label is number {
  checkWhole(label, 0, "the label", what);
  if (label >= classes) {
    throw new NativeRangeError(
      `Cannot compute ${what} for label "${label}": expected 0…${classes - 1}`,
    );
  }
}

/** max z, by a loop: `Math.max(...z)` would go through the array iterator. */
function largest(z: Vector): number {
  let m = -Infinity;
  for (let k = 0; k < z.length; k++) if (z[k] > m || z[k] !== z[k]) m = z[k];
  return m;
}

/** log Σⱼ exp(zⱼ − m), of the largest logit m: finite, since its largest term is 1. */
function logSumShifted(z: Vector, m: number): number {
  let sum = 0;
  for (let j = 0; j < z.length; j++) sum += exp(z[j] - m);
  return log(sum);
}

/** softmax(z), of logits known to be valid. */
function probabilities(z: Vector): number[] {
  // Shifting every logit by the largest leaves the ratios unchanged and makes the largest
  // exp() exactly 1: nothing overflows for 1e4, and the sum never underflows to 0.
  const m = largest(z);
  const p: number[] = [];
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    p[k] = exp(z[k] - m);
    sum += p[k];
  }
  for (let k = 0; k < p.length; k++) p[k] /= sum;
  return p;
}

/** The logits W x, once W's rows and x are known to be vectors of one length. */
function logitsOf(W: Matrix, x: Vector): number[] {
  const z: number[] = [];
  for (let k = 0; k < W.length; k++) {
    const row = W[k];
    let sum = 0;
    for (let j = 0; j < row.length; j++) sum += row[j] * x[j];
    z[k] = sum;
  }
  return z;
}

/** softmax(z)ₖ = exp(zₖ − max z) / Σⱼ exp(zⱼ − max z). */
function softmax(z: Vector): number[] {
  checkLogits(z, "softmax(z)");
  return probabilities(z);
}

/** log softmax(z)ₖ = (zₖ − max z) − log Σⱼ exp(zⱼ − max z), finite wherever zₖ is. */
function logSoftmax(z: Vector): number[] {
  checkLogits(z, "log softmax(z)");
  const m = largest(z);
  const logSum = logSumShifted(z, m);
  // zₖ − m first: for logits near each other that difference is exact, where zₖ − (m + log Σ)
  // would round m + log Σ to the ulp of m (about 2e-12 at 1e4).
  const out: number[] = [];
  for (let k = 0; k < z.length; k++) out[k] = (z[k] - m) - logSum;
  return out;
}

/** The cross-entropy −log softmax(z)[label] = log Σⱼ exp(zⱼ) − z_label, from the logits. */
function crossEntropy(z: Vector, label: number): number {
  checkLogits(z, "the cross-entropy");
  checkLabel(label, z.length, "the cross-entropy");
  const m = largest(z);
  return logSumShifted(z, m) - (z[label] - m);
}

/** ∂L/∂z = softmax(z) − onehot(label). */
function crossEntropyGrad(z: Vector, label: number): number[] {
  checkLogits(z, "the cross-entropy's gradient");
  checkLabel(label, z.length, "the cross-entropy's gradient");
  const g = probabilities(z);
  g[label] -= 1;
  return g;
}

/** Refuses weights that are not rows as long as x, or no rows at all. */
function checkWeights(W: unknown, x: Vector, what: string): asserts W is Matrix {
  checkMatrix(W, "W", what);
  if (W.length === 0) throw new NativeRangeError(`Cannot compute ${what} of no classes`);
  for (let k = 0; k < W.length; k++) {
    if (W[k].length !== x.length) {
      throw new NativeTypeError(
        `Cannot compute ${what}: class ${k} has ${W[k].length} weights but x has ${x.length}`,
      );
    }
  }
}

/** The class probabilities softmax(W x). */
function predictProba(W: Matrix, x: Vector): number[] {
  const what = "softmax(Wx)";
  checkVector(x, "x", what);
  checkWeights(W, x, what);
  return probabilities(logitsOf(W, x));
}

/** The options of training, read once: the defaults where a field is not given. */
function trainingOptions(opts: unknown): { alpha: number; epochs: number } {
  if (opts === undefined || opts === null) return { alpha: DEFAULT_ALPHA, epochs: DEFAULT_EPOCHS };
  if (typeof opts !== "object") {
    throw new NativeTypeError("Cannot compute softmax regression: opts is not an object");
  }
  const { alpha = DEFAULT_ALPHA, epochs = DEFAULT_EPOCHS } = opts as {
    alpha?: unknown;
    epochs?: unknown;
  };
  if (typeof alpha !== "number") {
    throw new NativeTypeError(
      `Cannot compute softmax regression: opts.alpha is a ${typeof alpha}, not a number`,
    );
  }
  checkWhole(epochs, 0, "opts.epochs", "softmax regression");
  return { alpha, epochs };
}

/**
 * Softmax regression by batch gradient descent on the mean cross-entropy, from W = 0:
 * W[k] := W[k] + α (1/n) Σᵢ ([yᵢ = k] − p(c_k | xᵢ)) xᵢ, the logistic rule for every class.
 */
function trainSoftmaxRegression(
  X: Matrix,
  labels: Vector,
  classes: number,
  opts?: { alpha?: number; epochs?: number },
): number[][] {
  const what = "softmax regression";
  checkMatrix(X, "X", what);
  checkVector(labels, "labels", what);
  if (labels.length !== X.length) {
    throw new NativeTypeError(`Cannot train on ${X.length} events with ${labels.length} labels`);
  }
  checkWhole(classes, 1, "the number of classes", what);
  const { alpha, epochs } = trainingOptions(opts);
  if (X.length === 0) throw new NativeRangeError("Cannot train on no events");
  const n = X.length;
  const d = X[0].length;
  for (let i = 1; i < n; i++) {
    if (X[i].length !== d) {
      throw new NativeTypeError(
        `Cannot train on event ${i} of ${X[i].length} features: event 0 has ${d}`,
      );
    }
  }
  for (let i = 0; i < n; i++) checkLabel(labels[i], classes, what);
  const W: number[][] = [];
  const step: number[][] = [];
  for (let k = 0; k < classes; k++) {
    W[k] = [];
    step[k] = [];
    for (let j = 0; j < d; j++) W[k][j] = 0;
  }
  const rate = alpha / n;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let k = 0; k < classes; k++) for (let j = 0; j < d; j++) step[k][j] = 0;
    for (let i = 0; i < n; i++) {
      const x = X[i];
      const p = probabilities(logitsOf(W, x));
      for (let k = 0; k < classes; k++) {
        const residual = (k === labels[i] ? 1 : 0) - p[k]; // [yᵢ = k] − p(c_k | xᵢ)
        for (let j = 0; j < d; j++) step[k][j] += residual * x[j];
      }
    }
    for (let k = 0; k < classes; k++) for (let j = 0; j < d; j++) W[k][j] += rate * step[k][j];
  }
  return W;
}

/**
 * What stands, in two of `crossEntropyGrad()`'s tests, where the student's own
 * `crossEntropy()` was: it answers nothing, so a gradient taken by finite differences of
 * `crossEntropy()` cannot pass, and softmax(z) − onehot(label) computed from its formula
 * does not notice.
 */
function withheldCrossEntropy(): never {
  throw new NativeError(
    "crossEntropy() is withheld in this test: crossEntropyGrad() must not need its values",
  );
}

/**
 * Offers the stand-ins, and the withheld `crossEntropy()`; the student's module is not used.
 *
 * It is not exported: it is offered to the harness (see `driver_registry.ts`).
 *
 * @example softmax stays finite for logits of 1e4
 * ```ts
 * import "./softmax.ts";
 * import { offeredDriver } from "../driver_registry.ts";
 * import assert from "node:assert/strict";
 *
 * const standIns = offeredDriver("softmax")!({});
 * const softmax = standIns["standIn:softmax"] as (z: number[]) => number[];
 * assert.deepEqual(softmax([1e4, 1e4, -Infinity]), [0.5, 0.5, 0]);
 * ```
 */
const driver: Driver = () => ({
  "standIn:softmax": softmax,
  "standIn:logSoftmax": logSoftmax,
  "standIn:crossEntropy": crossEntropy,
  "standIn:crossEntropyGrad": crossEntropyGrad,
  "standIn:trainSoftmaxRegression": trainSoftmaxRegression,
  "standIn:predictProba": predictProba,
  [`${WITHHOLDING_PREFIX}crossEntropy`]: withheldCrossEntropy,
});

offerDriver("softmax", driver);
