/**
 * Reference least mean squares (exercise 02-lms), in tensors: h_θ(x) = θᵀx, the cost
 * J(θ) = ½ Σᵢ (h_θ(x⁽ⁱ⁾) − y⁽ⁱ⁾)², and the LMS update θⱼ := θⱼ + α (y⁽ⁱ⁾ − h_θ(x⁽ⁱ⁾)) xⱼ⁽ⁱ⁾,
 * one example at a time, over a batch, and as an in-order stochastic epoch.
 *
 * Every feature vector carries the intercept x₀ = 1. Results are float32, returned as plain
 * numbers; see `precision.ts` for the tolerances.
 *
 * Each function is written once, as a batched form (`predictMany`, `costMany`, …) that
 * computes many problems of different sizes in one pass; the single form (`predict`,
 * `cost`, …) is its one-problem case. The problems are stacked, padded with zeros (a zero
 * feature or a zero example changes no product, sum or update) to at least one example and
 * one feature, so that no reduction runs over zero elements, and the cost of a tfjs
 * operation, about 10 µs whatever its size, is paid once per batch instead of once per
 * problem. A problem with no examples is answered without its padding: J = 0 and θ
 * unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { longest, paddedTensor2d, paddedTensor3d, rowsOf, vectorOf } from "./_tensors.ts";

function checkShapes(what: string, theta: number[], X: number[][], y?: number[]): void {
  X.forEach((x, i) => {
    if (x.length !== theta.length) {
      throw new TypeError(
        `Cannot compute ${what}: example ${i} has ${x.length} features but θ has ${theta.length}`,
      );
    }
  });
  if (y && y.length !== X.length) {
    throw new TypeError(`Cannot compute ${what}: ${X.length} examples but ${y.length} targets`);
  }
}

/**
 * The hypothesis h_θ(x) = θᵀx: the one-pair case of {@linkcode predictMany}.
 *
 * @param theta The parameters θ.
 * @param x One feature vector, x₀ = 1.
 * @returns θᵀx.
 * @throws {TypeError} If the lengths differ.
 *
 * @example
 * ```ts
 * import { predict } from "./lms.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await predict([1, 2], [1, 3]), 7);
 * ```
 */
export async function predict(theta: number[], x: number[]): Promise<number> {
  return (await predictMany([{ theta, x }]))[0];
}

/**
 * The cost J(θ) = ½ Σᵢ (h_θ(x⁽ⁱ⁾) − y⁽ⁱ⁾)²: the one-problem case of {@linkcode costMany}.
 *
 * @param theta The parameters θ.
 * @param X The examples, one row each.
 * @param y The targets.
 * @returns J(θ).
 * @throws {TypeError} If the shapes disagree.
 */
export async function cost(theta: number[], X: number[][], y: number[]): Promise<number> {
  return (await costMany([{ theta, X, y }]))[0];
}

/**
 * One LMS update on one example, θⱼ + α (y − h_θ(x)) xⱼ for every j: the one-problem case
 * of {@linkcode lmsUpdateMany}.
 *
 * @param theta The parameters θ.
 * @param x The example, x₀ = 1.
 * @param y Its target.
 * @param alpha The learning rate α.
 * @returns The new θ.
 * @throws {TypeError} If the lengths differ.
 */
export async function lmsUpdate(
  theta: number[],
  x: number[],
  y: number,
  alpha: number,
): Promise<number[]> {
  return (await lmsUpdateMany([{ theta, x, y, alpha }]))[0];
}

/**
 * One batch gradient-descent step, θ + α Σᵢ (y⁽ⁱ⁾ − h_θ(x⁽ⁱ⁾)) x⁽ⁱ⁾: the one-problem case
 * of {@linkcode batchUpdateMany}.
 *
 * @param theta The parameters θ.
 * @param X The examples, one row each.
 * @param y The targets.
 * @param alpha The learning rate α.
 * @returns The new θ.
 * @throws {TypeError} If the shapes disagree.
 */
export async function batchUpdate(
  theta: number[],
  X: number[][],
  y: number[],
  alpha: number,
): Promise<number[]> {
  return (await batchUpdateMany([{ theta, X, y, alpha }]))[0];
}

/**
 * One stochastic epoch, the LMS update with example 0, then 1, …, then n − 1, each
 * starting from the θ the previous one returned: the one-problem case of
 * {@linkcode stochasticEpochMany}.
 *
 * @param theta The parameters θ.
 * @param X The examples, one row each.
 * @param y The targets.
 * @param alpha The learning rate α.
 * @returns θ after the n updates.
 * @throws {TypeError} If the shapes disagree.
 */
export async function stochasticEpoch(
  theta: number[],
  X: number[][],
  y: number[],
  alpha: number,
): Promise<number[]> {
  return (await stochasticEpochMany([{ theta, X, y, alpha }]))[0];
}

/** One problem of {@linkcode costMany}: parameters, examples and targets. */
export interface CostProblem {
  theta: number[];
  X: number[][];
  y: number[];
}

/** One problem of {@linkcode batchUpdateMany} and {@linkcode stochasticEpochMany}. */
export interface UpdateProblem extends CostProblem {
  alpha: number;
}

/** Problems stacked and zero-padded to the most examples and parameters among them. */
function stack(problems: readonly CostProblem[]) {
  const n = longest(problems.map((p) => p.X));
  const d = longest(problems.map((p) => p.theta));
  return {
    n,
    d,
    theta: paddedTensor2d(problems.map((p) => p.theta), problems.length, d),
    X: paddedTensor3d(problems.map((p) => p.X), n, d),
    y: paddedTensor2d(problems.map((p) => p.y), problems.length, n),
  };
}

/** Xθ for each problem: [problems, examples]. */
const predictions = (X: tf.Tensor3D, theta: tf.Tensor2D) =>
  tf.sum(tf.mul(X, tf.expandDims(theta, 1)), 2) as tf.Tensor2D;

/**
 * {@linkcode predict} of many (θ, x) pairs in one pass.
 *
 * @param pairs The parameters and the feature vector of each pair.
 * @returns θᵀx for each pair, in order.
 * @throws {TypeError} If a pair's lengths differ.
 *
 * @example
 * ```ts
 * import { predictMany } from "./lms.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(await predictMany([{ theta: [1, 2], x: [1, 3] }, { theta: [2], x: [4] }]), [7, 8]);
 * ```
 */
export async function predictMany(
  pairs: readonly { theta: number[]; x: number[] }[],
): Promise<number[]> {
  pairs.forEach(({ theta, x }) => checkShapes("h(x)", theta, [x]));
  if (pairs.length === 0) return [];
  return await vectorOf(() => {
    const { X, theta } = stack(pairs.map((p) => ({ theta: p.theta, X: [p.x], y: [0] })));
    return predictions(X, theta);
  });
}

/**
 * {@linkcode cost} of many problems in one pass.
 *
 * @param problems Each problem's θ, X and y.
 * @returns J(θ) of each problem, in order.
 * @throws {TypeError} If a problem's shapes disagree.
 */
export async function costMany(problems: readonly CostProblem[]): Promise<number[]> {
  problems.forEach(({ theta, X, y }) => checkShapes("J(θ)", theta, X, y));
  if (problems.length === 0) return [];
  const costs = await vectorOf(() => {
    const { X, theta, y } = stack(problems);
    return tf.mul(0.5, tf.sum(tf.square(tf.sub(predictions(X, theta), y)), 1));
  });
  // An empty sum is 0 whatever θ is, where its padded example would give ½ (0·θ)², NaN
  // for an infinite θ.
  return problems.map((p, i) => p.X.length === 0 ? 0 : costs[i]);
}

/** The batch update of each stacked problem: θ + α Σᵢ (yᵢ − θᵀxᵢ) xᵢ, [problems, d]. */
function updateMany(
  theta: tf.Tensor2D,
  X: tf.Tensor3D,
  y: tf.Tensor2D,
  alpha: tf.Tensor2D,
): tf.Tensor2D {
  const residuals = tf.sub(y, predictions(X, theta));
  const steps = tf.sum(tf.mul(tf.expandDims(residuals, 2), X), 1);
  return tf.add(theta, tf.mul(alpha, steps));
}

/** Runs a stacked computation of new θs and cuts each problem's θ to its own length. */
async function thetas(
  problems: readonly UpdateProblem[],
  compute: (stacked: ReturnType<typeof stack>, alpha: tf.Tensor2D) => tf.Tensor2D,
): Promise<number[][]> {
  if (problems.length === 0) return [];
  let d = 0;
  const flat = await vectorOf(() => {
    const stacked = stack(problems);
    d = stacked.d;
    return compute(stacked, tf.tensor2d(problems.map((p) => [p.alpha])));
  });
  // No examples, no step: θ itself, not θ + α (0·θ) rounded to float32.
  return rowsOf(flat, d, problems.map((p) => p.theta.length)).map((theta, i) =>
    problems[i].X.length === 0 ? [...problems[i].theta] : theta
  );
}

/**
 * {@linkcode lmsUpdate} of many problems in one pass.
 *
 * @param problems Each problem's θ, example x, target y and learning rate α.
 * @returns The new θ of each problem, in order.
 * @throws {TypeError} If a problem's lengths differ.
 */
export async function lmsUpdateMany(
  problems: readonly { theta: number[]; x: number[]; y: number; alpha: number }[],
): Promise<number[][]> {
  problems.forEach(({ theta, x }) => checkShapes("the LMS update", theta, [x]));
  return await thetas(
    problems.map((p) => ({ theta: p.theta, X: [p.x], y: [p.y], alpha: p.alpha })),
    ({ theta, X, y }, alpha) => updateMany(theta, X, y, alpha),
  );
}

/**
 * {@linkcode batchUpdate} of many problems in one pass.
 *
 * @param problems Each problem's θ, X, y and learning rate α.
 * @returns The new θ of each problem, in order.
 * @throws {TypeError} If a problem's shapes disagree.
 */
export async function batchUpdateMany(problems: readonly UpdateProblem[]): Promise<number[][]> {
  problems.forEach(({ theta, X, y }) => checkShapes("the batch update", theta, X, y));
  return await thetas(problems, ({ theta, X, y }, alpha) => updateMany(theta, X, y, alpha));
}

/**
 * {@linkcode stochasticEpoch} of many problems in one pass: step i updates every problem
 * with its example i (a padded example changes nothing).
 *
 * @param problems Each problem's θ, X, y and learning rate α.
 * @returns θ after each problem's epoch, in order.
 * @throws {TypeError} If a problem's shapes disagree.
 *
 * @example
 * ```ts
 * import { stochasticEpochMany } from "./lms.ts";
 * import assert from "node:assert/strict";
 *
 * // θ = [0, 0] → [1.5, 3] after example 0 → [1.25, 3] after example 1; θ = [1] → [2].
 * const problems = [
 *   { theta: [0, 0], X: [[1, 2], [1, 0]], y: [3, 1], alpha: 0.5 },
 *   { theta: [1], X: [[1]], y: [3], alpha: 0.5 },
 * ];
 * assert.deepEqual(await stochasticEpochMany(problems), [[1.25, 3], [2]]);
 * ```
 */
export async function stochasticEpochMany(
  problems: readonly UpdateProblem[],
): Promise<number[][]> {
  problems.forEach(({ theta, X, y }) => checkShapes("the stochastic epoch", theta, X, y));
  return await thetas(problems, ({ theta, X, y, n }, alpha) => {
    const examples = tf.unstack(X, 1) as tf.Tensor2D[];
    // Each step's targets and residuals as [problems, 1], the shape that scales an example.
    const targets = tf.split(y, n, 1);
    let t = theta;
    for (let i = 0; i < n; i++) {
      const residuals = tf.sub(targets[i], tf.sum(tf.mul(examples[i], t), 1, true));
      t = tf.add(t, tf.mul(tf.mul(alpha, residuals), examples[i]));
    }
    return t;
  });
}
