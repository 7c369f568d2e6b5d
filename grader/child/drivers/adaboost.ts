/**
 * The AdaBoost driver (03-adaboost): a trusted stand-in for every graded export, offered
 * as `standIn:<export>` (`standIn:weightedError`, …, `standIn:decisionFunction`).
 *
 * A stand-in is a correct implementation, in float64, swapped in for one of the student's
 * other graded functions: a case of `trainAdaBoost()` can then be judged with a correct
 * `fitStump()` and `updateWeights()` under it, so that a bug in one function costs the
 * points of that function alone and not those of every function that calls it. Each
 * stand-in builds only on this module's own functions, never on the student's (the
 * training loop is the solution's: weights 1/n, then each round the best stump, its
 * weighted error, its αₘ and the reweighting), and takes and returns what the exercise's
 * README specifies: vectors and rows as arrays (typed arrays too), read by index and never
 * changed, and fresh arrays and objects for every result. Malformed input, a non-array
 * where an array belongs or lengths that disagree, is refused with a `TypeError`; an
 * impossible value (no events, a round count that is not a whole number, an error of NaN)
 * with a `RangeError`, as the reference core does.
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
const { exp, log, min, max } = Math;
const { isArray } = Array;
const { isInteger } = Number;
const NativeTypeError = TypeError;
const NativeRangeError = RangeError;

/** The graded exports of 03-adaboost, in the order of the exercise's groups. */
export const STAND_INS = [
  "weightedError",
  "learnerWeight",
  "updateWeights",
  "fitStump",
  "trainAdaBoost",
  "decisionFunction",
] as const;

/** A decision stump: `polarity` where x[feature] > threshold, −polarity elsewhere. */
interface Stump {
  feature: number;
  threshold: number;
  polarity: 1 | -1;
}

/** A trained ensemble: the stumps hₘ and their weights αₘ. */
interface Model {
  stumps: Stump[];
  alphas: number[];
}

/** The error αₘ is computed for at least, so that a perfect stump gets a finite say. */
const MIN_ERROR = 1e-10;

/** Refuses two arrays that differ in length; the names say what their entries are. */
function checkSameLength(
  what: string,
  first: ArrayLike<unknown>,
  firstName: string,
  other: ArrayLike<unknown>,
  otherName: string,
): void {
  if (first.length !== other.length) {
    throw new NativeTypeError(
      `Cannot compute ${what}: ${first.length} ${firstName} but ${other.length} ${otherName}`,
    );
  }
}

/** Refuses weights, outputs and labels that are not vectors of one length. */
function checkVotes(w: Vector, pred: Vector, y: Vector, what: string): void {
  checkVector(w, "w", what);
  checkVector(pred, "pred", what);
  checkVector(y, "y", what);
  checkSameLength(what, w, "weights", pred, "predictions");
  checkSameLength(what, w, "weights", y, "labels");
}

/** Refuses events that are not rows of one length, or labels not one an event. */
function checkEvents(X: Matrix, y: Vector, what: string): void {
  checkMatrix(X, "X", what);
  checkVector(y, "y", what);
  checkSameLength(what, X, "events", y, "labels");
  for (let i = 1; i < X.length; i++) {
    if (X[i].length !== X[0].length) {
      throw new NativeTypeError(
        `Cannot compute ${what}: event ${i} has ${X[i].length} features but event 0 has ${
          X[0].length
        }`,
      );
    }
  }
}

/** εₘ = Σᵢ wᵢ [predᵢ ≠ yᵢ] / Σᵢ wᵢ, of weights that need not sum to 1. */
function errorOf(w: Vector, pred: Vector, y: Vector): number {
  let wrong = 0;
  let total = 0;
  for (let i = 0; i < w.length; i++) {
    total += w[i];
    if (pred[i] !== y[i]) wrong += w[i];
  }
  return wrong / total;
}

/** αₘ = ½ ln((1 − εₘ)/εₘ), with ε and 1 − ε each clamped to [1e-10, 1 − 1e-10]. */
function sayOf(error: number): number {
  // Clamping 1 − ε by itself, rather than forming 1 − clamp(ε), keeps α(1 − ε) = −α(ε).
  const clamp = (e: number) => min(max(e, MIN_ERROR), 1 - MIN_ERROR);
  return 0.5 * (log(clamp(1 - error)) - log(clamp(error)));
}

/** wᵢ exp(−α yᵢ predᵢ), divided by their sum. */
function reweigh(w: Vector, pred: Vector, y: Vector, alpha: number): number[] {
  const raw: number[] = [];
  let total = 0;
  for (let i = 0; i < w.length; i++) {
    raw[i] = w[i] * exp(-alpha * y[i] * pred[i]);
    total += raw[i];
  }
  // Renormalised, the weights stay a distribution instead of shrinking or growing
  // geometrically round after round.
  for (let i = 0; i < raw.length; i++) raw[i] /= total;
  return raw;
}

/** The stump's output on one event. */
function stumpOutput(stump: Stump, x: Vector): number {
  return x[stump.feature] > stump.threshold ? stump.polarity : -stump.polarity;
}

/** The outputs of a stump on every event. */
function outputs(stump: Stump, X: Matrix): number[] {
  const pred: number[] = [];
  for (let i = 0; i < X.length; i++) pred[i] = stumpOutput(stump, X[i]);
  return pred;
}

/**
 * The stump of least weighted error, by brute force: every feature, every event's value
 * of it as the threshold (the largest value puts every event below the cut: the stumps
 * that predict one class everywhere) and both polarities, each error counted exactly.
 * The first of tied stumps wins.
 */
function bestStump(X: Matrix, y: Vector, w: Vector): Stump {
  let best: Stump = { feature: 0, threshold: X[0][0], polarity: 1 };
  let bestError = Infinity;
  for (let feature = 0; feature < X[0].length; feature++) {
    for (let t = 0; t < X.length; t++) {
      const threshold = X[t][feature];
      let wrongPlus = 0;
      let wrongMinus = 0;
      for (let i = 0; i < X.length; i++) {
        const above = X[i][feature] > threshold ? 1 : -1;
        if (above !== y[i]) wrongPlus += w[i];
        if (-above !== y[i]) wrongMinus += w[i];
      }
      if (wrongPlus < bestError) {
        bestError = wrongPlus;
        best = { feature, threshold, polarity: 1 };
      }
      if (wrongMinus < bestError) {
        bestError = wrongMinus;
        best = { feature, threshold, polarity: -1 };
      }
    }
  }
  return best;
}

/** The weighted error εₘ = Σᵢ wᵢ [predᵢ ≠ yᵢ] / Σᵢ wᵢ. */
function weightedError(w: Vector, pred: Vector, y: Vector): number {
  checkVotes(w, pred, y, "the weighted error");
  return errorOf(w, pred, y);
}

/** The learner's weight αₘ = ½ ln((1 − εₘ)/εₘ), ε clamped to [1e-10, 1 − 1e-10]. */
function learnerWeight(error: number): number {
  if (typeof error !== "number") {
    throw new NativeTypeError(
      `Cannot weigh a learner: the error is a ${typeof error}, not a number`,
    );
  }
  if (error !== error) throw new NativeRangeError('Cannot weigh a learner of error "NaN"');
  return sayOf(error);
}

/** The new weights wᵢ exp(−α yᵢ predᵢ) / Σ, summing to 1. */
function updateWeights(w: Vector, pred: Vector, y: Vector, alpha: number): number[] {
  checkVotes(w, pred, y, "the new weights");
  return reweigh(w, pred, y, alpha);
}

/** A stump of least weighted error. */
function fitStump(X: Matrix, y: Vector, w: Vector): Stump {
  const what = "the best stump";
  checkEvents(X, y, what);
  checkVector(w, "w", what);
  checkSameLength(what, X, "events", w, "weights");
  if (X.length === 0) throw new NativeRangeError("Cannot fit a stump to no events");
  if (X[0].length === 0) throw new NativeRangeError("Cannot fit a stump to events of no features");
  return bestStump(X, y, w);
}

/** AdaBoost for `rounds` rounds from weights 1/n: the stumps and their αₘ, in order. */
function trainAdaBoost(X: Matrix, y: Vector, rounds: number): Model {
  checkEvents(X, y, "AdaBoost");
  if (typeof rounds !== "number") {
    throw new NativeTypeError(`Cannot train AdaBoost: rounds is a ${typeof rounds}, not a number`);
  }
  if (!isInteger(rounds) || rounds < 0) {
    throw new NativeRangeError(`Cannot train for "${rounds}" rounds: expected an integer ≥ 0`);
  }
  const stumps: Stump[] = [];
  const alphas: number[] = [];
  if (rounds === 0) return { stumps, alphas };
  if (X.length === 0) throw new NativeRangeError("Cannot train AdaBoost on no events");
  if (X[0].length === 0) {
    throw new NativeRangeError("Cannot train AdaBoost on events of no features");
  }
  let w: number[] = [];
  for (let i = 0; i < X.length; i++) w[i] = 1 / X.length;
  for (let m = 0; m < rounds; m++) {
    const stump = bestStump(X, y, w);
    const pred = outputs(stump, X);
    const alpha = sayOf(errorOf(w, pred, y));
    stumps[m] = stump;
    alphas[m] = alpha;
    w = reweigh(w, pred, y, alpha);
  }
  return { stumps, alphas };
}

/** T(x) = Σₘ αₘ hₘ(x) for every event. */
function decisionFunction(model: Model, X: Matrix): number[] {
  const what = "T(x)";
  if (typeof model !== "object" || model === null) {
    throw new NativeTypeError("Cannot compute T(x): the model is not an object");
  }
  const { stumps, alphas } = model;
  if (!isArray(stumps)) {
    throw new NativeTypeError("Cannot compute T(x): the model's stumps are not an array");
  }
  checkVector(alphas, "the model's alphas", what);
  checkSameLength(what, stumps, "stumps", alphas, "weights");
  for (let m = 0; m < stumps.length; m++) {
    if (typeof stumps[m] !== "object" || stumps[m] === null) {
      throw new NativeTypeError(`Cannot compute T(x): stump ${m} is not an object`);
    }
  }
  checkMatrix(X, "X", what);
  // Each stump's fields are read once, so that a getter cannot answer differently per event.
  const features: number[] = [];
  const thresholds: number[] = [];
  const polarities: number[] = [];
  for (let m = 0; m < stumps.length; m++) {
    features[m] = stumps[m].feature;
    thresholds[m] = stumps[m].threshold;
    polarities[m] = stumps[m].polarity;
  }
  const T: number[] = [];
  for (let i = 0; i < X.length; i++) {
    const x = X[i];
    let sum = 0;
    for (let m = 0; m < stumps.length; m++) {
      sum += alphas[m] * (x[features[m]] > thresholds[m] ? polarities[m] : -polarities[m]);
    }
    T[i] = sum;
  }
  return T;
}

/**
 * Offers the stand-ins; the student's module is not used.
 *
 * It is not exported: it is offered to the harness (see `driver_registry.ts`).
 *
 * @example Round 1 of the README's worked example
 * ```ts
 * import "./adaboost.ts";
 * import { offeredDriver } from "../driver_registry.ts";
 * import assert from "node:assert/strict";
 *
 * const standIns = offeredDriver("adaboost")!({});
 * const fitStump = standIns["standIn:fitStump"] as (
 *   X: number[][],
 *   y: number[],
 *   w: number[],
 * ) => { feature: number; threshold: number; polarity: number };
 * const X = [[650], [910], [990], [1030], [1180], [1420]];
 * const stump = fitStump(X, [-1, 1, 1, 1, -1, -1], [1, 1, 1, 1, 1, 1]);
 * assert.deepEqual(stump, { feature: 0, threshold: 1030, polarity: -1 });
 * ```
 */
const driver: Driver = () => ({
  "standIn:weightedError": weightedError,
  "standIn:learnerWeight": learnerWeight,
  "standIn:updateWeights": updateWeights,
  "standIn:fitStump": fitStump,
  "standIn:trainAdaBoost": trainAdaBoost,
  "standIn:decisionFunction": decisionFunction,
});

offerDriver("adaboost", driver);
