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
import { longest, paddedTensor2d, paddedTensor3d, rowsOf, vectorOf } from "./_tensors.ts";

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
  return paddedTensor2d(rows, rows.length, longest(rows));
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
 * The ranking of an events array by each feature is kept while the array lives and reused
 * while its values are unchanged: the inputs of the rounds of one training share their
 * events, with new weights.
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
  const count = inputs.length;
  const N = Math.max(...inputs.map(({ X }) => X.length));
  const F = Math.max(...inputs.map(({ X }) => X[0].length));
  const rankings = inputs.map(({ X }) => rankingOf(X));
  // Each input's signal and background weights, as the float32 products w·[y = 1] and
  // w − w·[y = 1]: in their own order, and in order of rank by each feature (a padded rank
  // is a padded event, of weight 0).
  const weights = new Float32Array(count * N);
  const background = new Float32Array(count * N);
  const signalRanked = new Float32Array(count * F * N);
  const backgroundRanked = new Float32Array(count * F * N);
  inputs.forEach(({ X, y, w }, p) => {
    const n = X.length;
    const signal = w.map((wi, i) => wi * (Math.fround(y[i]) === 1 ? 1 : 0));
    weights.set(w, p * N);
    background.set(w.map((wi, i) => Math.fround(wi) - Math.fround(signal[i])), p * N);
    const { order } = rankings[p];
    for (let f = 0; f < X[0].length; f++) {
      for (let k = 0; k < n; k++) {
        signalRanked[(p * F + f) * N + k] = signal[order[f * n + k]];
        backgroundRanked[(p * F + f) * N + k] = background[p * N + order[f * n + k]];
      }
    }
  });
  // errors[p][0][f][k]: the error of polarity +1 with the cut after rank k by feature f;
  // errors[p][1][f][k]: that of polarity −1.
  const errors = await vectorOf(() => {
    const signalBelow = tf.cumsum(tf.tensor3d(signalRanked, [count, F, N]), 2);
    const backgroundBelow = tf.cumsum(tf.tensor3d(backgroundRanked, [count, F, N]), 2);
    const total = (t: Float32Array) =>
      tf.reshape(tf.sum(tf.tensor2d(t, [count, N]), 1), [count, 1, 1]);
    // Polarity +1 errs on signal at or below the cut and background above it.
    const plus = tf.add(signalBelow, tf.sub(total(background), backgroundBelow));
    const minus = tf.sub(total(weights), plus);
    // Side by side per input, not per cut: the wasm backend's concat copies one run of
    // values per outer index, and a run per cut costs more than the arithmetic.
    return tf.concat([tf.expandDims(plus, 1), tf.expandDims(minus, 1)], 1);
  });
  return inputs.map(({ X }, p) => {
    const { order, cut } = rankings[p];
    const n = X.length;
    const base = p * 2 * F * N;
    // A cut between equal values is no stump; padded ranks and features are never visited.
    const errorOf = (f: number, k: number, polarity: number) =>
      cut[f * n + k] ? errors[base + (polarity * F + f) * N + k] : Infinity;
    let best = { f: 0, k: 0, polarity: 0, error: errorOf(0, 0, 0) };
    for (let f = 0; f < X[0].length; f++) {
      for (let k = 0; k < n; k++) {
        for (let polarity = 0; polarity < 2; polarity++) {
          const error = errorOf(f, k, polarity);
          if (error < best.error) best = { f, k, polarity, error };
        }
      }
    }
    return {
      feature: best.f,
      threshold: X[order[best.f * n + best.k]][best.f],
      polarity: best.polarity === 0 ? 1 : -1,
    };
  });
}

/** The events in order of each feature's value, and where a cut between them can go. */
interface Ranking {
  /** A copy of the events' values, row by row, to tell whether they changed since. */
  values: Float64Array;
  /** order[f·n + k]: the event of rank k by feature f, for n events. */
  order: Int32Array;
  /**
   * cut[f·n + k]: 1 where a cut after rank k by feature f separates distinct values (the
   * last rank always does: everything lies at or below it).
   */
  cut: Uint8Array;
}

/**
 * The ranking of each events array seen, kept while the array lives: the grader fits the
 * stumps of every round of a training to the same events, with new weights each time.
 */
const rankings = new WeakMap<readonly number[][], Ranking>();

/**
 * The ranking of X's events by each feature (in float64, ties in event order), from the
 * cache where X's values have not changed since it was made.
 */
function rankingOf(X: readonly number[][]): Ranking {
  const n = X.length;
  const F = X[0].length;
  const cached = rankings.get(X);
  if (cached && cached.values.length === n * F && X.every((x, i) => sameRow(x, cached, i, F))) {
    return cached;
  }
  const values = new Float64Array(n * F);
  X.forEach((x, i) => {
    for (let f = 0; f < F; f++) values[i * F + f] = x[f];
  });
  const order = new Int32Array(F * n);
  const cut = new Uint8Array(F * n);
  for (let f = 0; f < F; f++) {
    const ranks = Array.from({ length: n }, (_, i) => i).sort((a, b) => X[a][f] - X[b][f]);
    order.set(ranks, f * n);
    ranks.forEach((i, k) => {
      cut[f * n + k] = k === n - 1 || X[ranks[k + 1]][f] !== X[i][f] ? 1 : 0;
    });
  }
  const ranking = { values, order, cut };
  rankings.set(X, ranking);
  return ranking;
}

/** Whether row i of the events still holds the values a ranking was made of. */
function sameRow(x: readonly number[], { values }: Ranking, i: number, F: number): boolean {
  for (let f = 0; f < F; f++) {
    if (x[f] !== values[i * F + f]) return false;
  }
  return true;
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
    X.map((x) => model.stumps.map((stump) => predictStump(stump, x)))
  );
  const flat = await vectorOf(() =>
    tf.sum(
      tf.mul(
        paddedTensor3d(votes, N, M),
        paddedTensor3d(inputs.map(({ model }) => [model.alphas]), 1, M),
      ),
      2,
    )
  );
  return rowsOf(flat, N, inputs.map(({ X }) => X.length));
}
