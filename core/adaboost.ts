/**
 * Reference AdaBoost with decision stumps (exercise 03-adaboost), in tensors: the weighted
 * error εₘ, the learner weight αₘ = ½ ln((1 − εₘ)/εₘ), the reweighting
 * wᵢ ← wᵢ exp(−αₘ yᵢ hₘ(xᵢ)) / Σ, the best stump, training, and T(x) = Σₘ αₘ hₘ(x).
 *
 * Arithmetic runs in float32 tensors. Comparisons of a feature with a cut stay in float64:
 * they are exact logic, and rounding both sides to float32 would merge distinct values and
 * flip the events that lie within an ulp of the cut.
 *
 * Each function of one learner is written once, as a batched form (`weightedErrorMany`, …,
 * `fitStumpMany`) that computes many inputs of different sizes in one pass, so that the
 * cost of a tfjs operation, about 10 µs whatever its size, is paid once per batch instead
 * of once per input; the single form (`weightedError`, …) is its one-input case.
 * Inputs are stacked and padded with events of weight 0, which count nowhere.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { longest, padded, rowsOf, vectorOf } from "./_tensors.ts";

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
 * The weighted error εₘ = Σᵢ wᵢ [predᵢ ≠ yᵢ] / Σᵢ wᵢ: the one-input case of
 * {@linkcode weightedErrorMany}.
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
  return (await weightedErrorMany([{ w, pred, y }]))[0];
}

/**
 * The learner weight αₘ = ½ ln((1 − εₘ)/εₘ), with εₘ clamped to [1e-10, 1 − 1e-10]: the
 * one-error case of {@linkcode learnerWeightMany}.
 *
 * ε and 1 − ε are formed and clamped in float64 before they become float32, where
 * 1 − 1e-10 would round to 1; the logarithms are taken in tensors.
 *
 * @param error The weighted error εₘ.
 * @returns αₘ.
 * @throws {RangeError} If `error` is NaN.
 */
export async function learnerWeight(error: number): Promise<number> {
  return (await learnerWeightMany([error]))[0];
}

/**
 * The new weights wᵢ exp(−α yᵢ predᵢ), divided by their sum: the one-input case of
 * {@linkcode updateWeightsMany}.
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
  return (await updateWeightsMany([{ w, pred, y, alpha }]))[0];
}

/**
 * The stump of least weighted error, over every feature, every cut between distinct values
 * (a cut at each distinct value t: x > t) and both polarities.
 *
 * For each feature the events are ordered by value in float64; the errors of all cuts then
 * come from cumulative sums of the signal and background weight in tensors. Ties go to the
 * lowest feature, then the lowest threshold, then polarity +1: any stump of equal error is
 * as good (see `isEquallyGoodStump` in `precision.ts`). The one-input case of
 * {@linkcode fitStumpMany}.
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
  return (await fitStumpMany([{ X, y, w }]))[0];
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
 * The ensemble's output T(x) = Σₘ αₘ hₘ(x) for each event: the one-input case of
 * {@linkcode decisionFunctionMany}.
 *
 * @param model The stumps and their weights.
 * @param X The events, one row each.
 * @returns One score per event; its sign is the predicted label.
 * @throws {TypeError} If the model has more stumps than weights or fewer.
 */
export async function decisionFunction(model: BoostedModel, X: number[][]): Promise<number[]> {
  return (await decisionFunctionMany([{ model, X }]))[0];
}

/** Vectors of different lengths as one [count, longest] tensor, padded with 0. */
function stackRows(rows: readonly number[][]): tf.Tensor2D {
  return tf.tensor2d(padded(rows, rows.length, longest(rows)));
}

/** One input of {@linkcode weightedErrorMany} and {@linkcode updateWeightsMany}. */
export interface WeightedVotes {
  /** Non-negative weights. */
  w: number[];
  /** The learner's outputs, ±1. */
  pred: number[];
  /** The labels, ±1. */
  y: number[];
}

/**
 * {@linkcode weightedError} of many inputs in one pass.
 *
 * @param inputs The weights, outputs and labels of each.
 * @returns εₘ of each, in order.
 * @throws {TypeError} If an input's lengths differ.
 *
 * @example
 * ```ts
 * import { weightedErrorMany } from "./adaboost.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   await weightedErrorMany([{ w: [1, 1, 2], pred: [1, -1, 1], y: [1, 1, 1] }, { w: [1], pred: [1], y: [-1] }]),
 *   [0.25, 1],
 * );
 * ```
 */
export async function weightedErrorMany(inputs: readonly WeightedVotes[]): Promise<number[]> {
  inputs.forEach(({ w, pred, y }) =>
    checkLengths("the weighted error", ["weights", w], ["predictions", pred], ["labels", y])
  );
  if (inputs.length === 0) return [];
  return await vectorOf(() => {
    const weights = stackRows(inputs.map(({ w }) => w));
    const pred = stackRows(inputs.map(({ pred }) => pred));
    const wrong = tf.notEqual(pred, stackRows(inputs.map(({ y }) => y)));
    return tf.div(tf.sum(tf.mul(weights, wrong.asType("float32")), 1), tf.sum(weights, 1));
  });
}

/**
 * {@linkcode learnerWeight} of many errors in one pass.
 *
 * @param errors The weighted errors εₘ.
 * @returns αₘ of each, in order.
 * @throws {RangeError} If an error is NaN.
 */
export async function learnerWeightMany(errors: readonly number[]): Promise<number[]> {
  const bad = errors.find(Number.isNaN);
  if (bad !== undefined) throw new RangeError(`Cannot weigh a learner of error "${bad}"`);
  if (errors.length === 0) return [];
  const clamp = (e: number) => Math.min(Math.max(e, MIN_ERROR), 1 - MIN_ERROR);
  return await vectorOf(() =>
    tf.mul(
      0.5,
      tf.sub(
        tf.log(tf.tensor1d(errors.map((e) => clamp(1 - e)))),
        tf.log(tf.tensor1d(errors.map(clamp))),
      ),
    )
  );
}

/**
 * {@linkcode updateWeights} of many inputs in one pass.
 *
 * @param inputs The weights, outputs, labels and learner weight α of each.
 * @returns The new weights of each, in order.
 * @throws {TypeError} If an input's lengths differ.
 */
export async function updateWeightsMany(
  inputs: readonly (WeightedVotes & { alpha: number })[],
): Promise<number[][]> {
  inputs.forEach(({ w, pred, y }) =>
    checkLengths("the new weights", ["weights", w], ["predictions", pred], ["labels", y])
  );
  if (inputs.length === 0) return [];
  const width = longest(inputs.map(({ w }) => w));
  const flat = await vectorOf(() => {
    const margin = tf.mul(
      stackRows(inputs.map(({ y }) => y)),
      stackRows(inputs.map(({ pred }) => pred)),
    );
    const alphas = tf.tensor2d(inputs.map(({ alpha }) => [-alpha]));
    const raw = tf.mul(
      stackRows(inputs.map(({ w }) => w)),
      tf.exp(tf.mul(alphas, margin)),
    );
    return tf.div(raw, tf.sum(raw, 1, true));
  });
  return rowsOf(flat, width, inputs.map(({ w }) => w.length));
}

/** One input of {@linkcode fitStumpMany}: events, labels and weights. */
export interface WeightedEvents {
  X: number[][];
  y: number[];
  w: number[];
}

/**
 * {@linkcode fitStump} of many inputs in one pass, with the same ties.
 *
 * @param inputs The events, labels and weights of each.
 * @returns The best stump of each, in order.
 * @throws {TypeError} If an input's lengths differ.
 * @throws {RangeError} If an input has no events or no features.
 *
 * @example
 * ```ts
 * import { fitStumpMany } from "./adaboost.ts";
 * import assert from "node:assert/strict";
 *
 * const a = { X: [[2, 5], [0, 6], [3, 7]], y: [-1, 1, 1], w: [1, 1, 1] };
 * const b = { X: [[1], [2]], y: [1, -1], w: [0.5, 0.5] };
 * assert.deepEqual(await fitStumpMany([a, b]), [
 *   { feature: 1, threshold: 5, polarity: 1 },
 *   { feature: 0, threshold: 1, polarity: -1 },
 * ]);
 * ```
 */
export async function fitStumpMany(inputs: readonly WeightedEvents[]): Promise<Stump[]> {
  for (const { X, y, w } of inputs) {
    checkLengths("the best stump", ["events", X], ["labels", y], ["weights", w]);
    if (X.length === 0 || (X[0]?.length ?? 0) === 0) {
      throw new RangeError(
        `Cannot fit a stump to ${X.length} events of ${X[0]?.length ?? 0} features`,
      );
    }
  }
  if (inputs.length === 0) return [];
  const N = Math.max(...inputs.map(({ X }) => X.length));
  const F = Math.max(...inputs.map(({ X }) => X[0].length));
  // Per input: order[f][k], the event of rank k by feature f (padded ranks are the padded
  // events, of weight 0), and whether a cut after it separates distinct values (the last
  // real rank always can: everything lies below; a padded rank or feature never can).
  const orders = inputs.map(({ X }) =>
    Array.from({ length: F }, (_, f) => {
      const ranks = Array.from({ length: X.length }, (_, i) => i);
      if (f < X[0].length) ranks.sort((a, b) => X[a][f] - X[b][f]);
      return [...ranks, ...Array.from({ length: N - X.length }, (_, k) => X.length + k)];
    })
  );
  const cuts = inputs.map(({ X }, p) =>
    orders[p].map((ranks, f) =>
      ranks.map((i, k) =>
        f < X[0].length && k < X.length &&
        (k === X.length - 1 || X[ranks[k + 1]][f] !== X[i][f])
      )
    )
  );
  const errors = await vectorOf(() => {
    const weights = stackRows(inputs.map(({ w }) => w));
    const isSignal = tf.equal(
      stackRows(inputs.map(({ y }) => y)),
      1,
    );
    const signal = tf.mul(weights, isSignal.asType("float32"));
    const background = tf.sub(weights, signal);
    // Ranks as indices into all inputs' events, flattened.
    const ranks = tf.tensor3d(
      orders.map((order, p) => order.map((ranks) => ranks.map((i) => p * N + i))),
      [inputs.length, F, N],
      "int32",
    );
    const signalBelow = tf.cumsum(tf.gather(tf.reshape(signal, [-1]), ranks), 2);
    const backgroundBelow = tf.cumsum(tf.gather(tf.reshape(background, [-1]), ranks), 2);
    const total = (t: tf.Tensor) => tf.reshape(tf.sum(t, 1), [inputs.length, 1, 1]);
    // Polarity +1 errs on signal at or below the cut and background above it.
    const plus = tf.add(signalBelow, tf.sub(total(background), backgroundBelow));
    const minus = tf.sub(total(weights), plus);
    const valid = tf.tensor3d(cuts, [inputs.length, F, N], "bool");
    const infinite = tf.fill([inputs.length, F, N], Infinity);
    return tf.stack([tf.where(valid, plus, infinite), tf.where(valid, minus, infinite)], 3);
  });
  return inputs.map(({ X }, p) => {
    const base = p * F * N * 2;
    let best = -1;
    for (let f = 0; f < X[0].length; f++) {
      for (let k = 0; k < X.length; k++) {
        for (let polarity = 0; polarity < 2; polarity++) {
          const at = base + (f * N + k) * 2 + polarity;
          if (best < 0 || errors[at] < errors[best]) best = at;
        }
      }
    }
    const offset = best - base;
    const feature = Math.floor(offset / (2 * N));
    const rank = Math.floor(offset / 2) % N;
    return {
      feature,
      threshold: X[orders[p][feature][rank]][feature],
      polarity: offset % 2 === 0 ? 1 : -1,
    };
  });
}

/**
 * {@linkcode decisionFunction} of many (model, events) pairs in one pass.
 *
 * @param inputs The model and the events of each.
 * @returns T(x) of each event of each input, in order.
 * @throws {TypeError} If a model has more stumps than weights or fewer.
 */
export async function decisionFunctionMany(
  inputs: readonly { model: BoostedModel; X: number[][] }[],
): Promise<number[][]> {
  inputs.forEach(({ model }) =>
    checkLengths("T(x)", ["stumps", model.stumps], ["weights", model.alphas])
  );
  if (inputs.length === 0) return [];
  const N = longest(inputs.map(({ X }) => X));
  const M = longest(inputs.map(({ model }) => model.stumps));
  // The votes are float64 comparisons; a padded stump or event votes 0 with weight 0.
  const votes = inputs.map(({ model, X }) =>
    padded(X.map((x) => model.stumps.map((stump) => predictStump(stump, x))), N, M)
  );
  const alphas = inputs.map(({ model }) => padded([model.alphas], 1, M));
  const flat = await vectorOf(() =>
    tf.sum(tf.mul(tf.tensor3d(votes, [inputs.length, N, M]), tf.tensor3d(alphas)), 2)
  );
  return rowsOf(flat, N, inputs.map(({ X }) => X.length));
}
