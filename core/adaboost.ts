/**
 * Reference AdaBoost with decision stumps (exercise 03-adaboost), in tensors: the weighted
 * error εₘ, the learner weight αₘ = ½ ln((1 − εₘ)/εₘ), the reweighting
 * wᵢ ← wᵢ exp(−αₘ yᵢ hₘ(xᵢ)) / Σ, the best stump, training, and T(x) = Σₘ αₘ hₘ(x).
 *
 * Arithmetic runs in float32 tensors. Comparisons of a feature with a cut stay in float64:
 * they are exact logic, and rounding both sides to float32 would merge distinct values and
 * flip the events that lie within an ulp of the cut.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { scalarOf, vectorOf } from "./_tensors.ts";

/** A decision stump: predicts `polarity` where x[feature] > threshold, −polarity elsewhere. */
export interface Stump {
  /** The index of the feature it cuts on. */
  feature: number;
  /** The cut: events above it get `polarity`. */
  threshold: number;
  /** The label predicted above the cut. */
  polarity: 1 | -1;
}

/** A trained ensemble: the stumps hₘ and their weights αₘ. */
export interface BoostedModel {
  /** The stumps hₘ, in training order. */
  stumps: Stump[];
  /** Their weights αₘ. */
  alphas: number[];
}

/** The error αₘ is computed for at least, so that a perfect stump gets a finite say. */
const MIN_ERROR = 1e-10;

function checkLengths(what: string, ...arrays: [string, unknown[]][]): void {
  const [[firstName, first], ...rest] = arrays;
  for (const [name, array] of rest) {
    if (array.length !== first.length) {
      throw new TypeError(
        `Cannot compute ${what}: ${first.length} ${firstName} but ${array.length} ${name}`,
      );
    }
  }
}

/**
 * The stump's output on one event (a float64 comparison).
 *
 * @param stump The stump.
 * @param x The event.
 * @returns `polarity` where x[feature] > threshold, −polarity elsewhere.
 */
export function predictStump(stump: Stump, x: number[]): 1 | -1 {
  return x[stump.feature] > stump.threshold ? stump.polarity : stump.polarity === 1 ? -1 : 1;
}

/**
 * The weighted error εₘ = Σᵢ wᵢ [predᵢ ≠ yᵢ] / Σᵢ wᵢ.
 *
 * @param w Non-negative weights.
 * @param pred The learner's outputs, ±1.
 * @param y The labels, ±1.
 * @returns The error, in [0, 1].
 * @throws {TypeError} If the lengths differ.
 *
 * @example
 * ```ts
 * import { weightedError } from "./adaboost.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await weightedError([1, 1, 2], [1, -1, 1], [1, 1, 1]), 0.25);
 * ```
 */
export async function weightedError(w: number[], pred: number[], y: number[]): Promise<number> {
  checkLengths("the weighted error", ["weights", w], ["predictions", pred], ["labels", y]);
  return await scalarOf(() => {
    const weights = tf.tensor1d(w);
    const wrong = tf.notEqual(tf.tensor1d(pred), tf.tensor1d(y)).asType("float32");
    return tf.div(tf.sum(tf.mul(weights, wrong)), tf.sum(weights));
  });
}

/**
 * The learner weight αₘ = ½ ln((1 − εₘ)/εₘ), with εₘ clamped to [1e-10, 1 − 1e-10].
 *
 * ε and 1 − ε are formed and clamped in float64 before they become float32, where
 * 1 − 1e-10 would round to 1; the logarithms are taken in tensors.
 *
 * @param error The weighted error εₘ.
 * @returns αₘ.
 * @throws {RangeError} If `error` is NaN.
 */
export async function learnerWeight(error: number): Promise<number> {
  if (Number.isNaN(error)) throw new RangeError(`Cannot weigh a learner of error "${error}"`);
  const wrong = Math.min(Math.max(error, MIN_ERROR), 1 - MIN_ERROR);
  const right = Math.min(Math.max(1 - error, MIN_ERROR), 1 - MIN_ERROR);
  return await scalarOf(() =>
    tf.mul(0.5, tf.sub(tf.log(tf.scalar(right)), tf.log(tf.scalar(wrong))))
  );
}

/**
 * The new weights wᵢ exp(−α yᵢ predᵢ), divided by their sum.
 *
 * @param w The current weights.
 * @param pred The learner's outputs, ±1.
 * @param y The labels, ±1.
 * @param alpha The learner's weight αₘ.
 * @returns Weights that sum to 1.
 * @throws {TypeError} If the lengths differ.
 */
export async function updateWeights(
  w: number[],
  pred: number[],
  y: number[],
  alpha: number,
): Promise<number[]> {
  checkLengths("the new weights", ["weights", w], ["predictions", pred], ["labels", y]);
  return await vectorOf(() => {
    const margin = tf.mul(tf.tensor1d(y), tf.tensor1d(pred));
    const raw = tf.mul(tf.tensor1d(w), tf.exp(tf.mul(-alpha, margin)));
    return tf.div(raw, tf.sum(raw));
  });
}

/**
 * The stump of least weighted error, over every feature, every cut between distinct values
 * (a cut at each distinct value t: x > t) and both polarities.
 *
 * For each feature the events are ordered by value in float64; the errors of all cuts then
 * come from cumulative sums of the signal and background weight in tensors. Ties go to the
 * lowest feature, then the lowest threshold, then polarity +1: any stump of equal error is
 * as good (see `isEquallyGoodStump` in `precision.ts`).
 *
 * @param X The events, one row each.
 * @param y The labels, ±1.
 * @param w Non-negative weights.
 * @returns The best stump; its threshold is one of the events' values.
 * @throws {TypeError} If the lengths differ.
 * @throws {RangeError} If there are no events or no features.
 *
 * @example The second feature separates the classes at 5
 * ```ts
 * import { fitStump } from "./adaboost.ts";
 * import assert from "node:assert/strict";
 *
 * const stump = await fitStump([[2, 5], [0, 6], [3, 7]], [-1, 1, 1], [1, 1, 1]);
 * assert.deepEqual(stump, { feature: 1, threshold: 5, polarity: 1 });
 * ```
 */
export async function fitStump(X: number[][], y: number[], w: number[]): Promise<Stump> {
  checkLengths("the best stump", ["events", X], ["labels", y], ["weights", w]);
  const n = X.length;
  const features = X[0]?.length ?? 0;
  if (n === 0 || features === 0) {
    throw new RangeError(`Cannot fit a stump to ${n} events of ${features} features`);
  }
  // order[f][k]: the event of rank k by feature f; cut[f][k]: whether a cut after it
  // separates distinct values (the last rank always can: everything lies below).
  const order = Array.from({ length: features }, (_, f) => {
    const ranks = Array.from({ length: n }, (_, i) => i);
    return ranks.sort((a, b) => X[a][f] - X[b][f]);
  });
  const cut = order.map((ranks, f) =>
    ranks.map((i, k) => k === n - 1 || X[ranks[k + 1]][f] !== X[i][f])
  );
  const errors = await vectorOf(() => {
    const weights = tf.tensor1d(w);
    const signal = tf.mul(weights, tf.equal(tf.tensor1d(y), 1).asType("float32"));
    const background = tf.sub(weights, signal);
    const ranks = tf.tensor2d(order, [features, n], "int32");
    const signalBelow = tf.cumsum(tf.gather(signal, ranks), 1);
    const backgroundBelow = tf.cumsum(tf.gather(background, ranks), 1);
    // Polarity +1 errs on signal at or below the cut and background above it.
    const plus = tf.add(signalBelow, tf.sub(tf.sum(background), backgroundBelow));
    const minus = tf.sub(tf.sum(weights), plus);
    const valid = tf.tensor2d(cut, [features, n], "bool");
    const infinite = tf.fill([features, n], Infinity);
    return tf.stack([tf.where(valid, plus, infinite), tf.where(valid, minus, infinite)], 2);
  });
  let best = 0;
  for (let i = 1; i < errors.length; i++) if (errors[i] < errors[best]) best = i;
  const feature = Math.floor(best / (2 * n));
  const rank = Math.floor(best / 2) % n;
  return {
    feature,
    threshold: X[order[feature][rank]][feature],
    polarity: best % 2 === 0 ? 1 : -1,
  };
}

/**
 * AdaBoost for `rounds` rounds from uniform weights 1/n: fit the best stump, weigh it,
 * reweight the events.
 *
 * @param X The events, one row each.
 * @param y The labels, ±1.
 * @param rounds The number of stumps M.
 * @returns The stumps and their weights, in training order.
 * @throws {TypeError} If the lengths differ.
 * @throws {RangeError} If `rounds` is not a non-negative integer.
 */
export async function trainAdaBoost(
  X: number[][],
  y: number[],
  rounds: number,
): Promise<BoostedModel> {
  if (!Number.isInteger(rounds) || rounds < 0) {
    throw new RangeError(`Cannot train for "${rounds}" rounds: expected an integer ≥ 0`);
  }
  const model: BoostedModel = { stumps: [], alphas: [] };
  let w = X.map(() => 1 / X.length);
  for (let m = 0; m < rounds; m++) {
    const stump = await fitStump(X, y, w);
    const pred = X.map((x) => predictStump(stump, x));
    const alpha = await learnerWeight(await weightedError(w, pred, y));
    model.stumps.push(stump);
    model.alphas.push(alpha);
    w = await updateWeights(w, pred, y, alpha);
  }
  return model;
}

/**
 * The ensemble's output T(x) = Σₘ αₘ hₘ(x) for each event.
 *
 * @param model The stumps and their weights.
 * @param X The events, one row each.
 * @returns One score per event; its sign is the predicted label.
 * @throws {TypeError} If the model has more stumps than weights or fewer.
 */
export async function decisionFunction(model: BoostedModel, X: number[][]): Promise<number[]> {
  checkLengths("T(x)", ["stumps", model.stumps], ["weights", model.alphas]);
  if (X.length === 0) return [];
  if (model.stumps.length === 0) return X.map(() => 0);
  const votes = X.map((x) => model.stumps.map((stump) => predictStump(stump, x)));
  return await vectorOf(() => tf.dot(tf.tensor2d(votes), tf.tensor1d(model.alphas)));
}
