/**
 * Reference least mean squares (exercise 02-lms), in tensors: h_θ(x) = θᵀx, the cost
 * J(θ) = ½ Σᵢ (h_θ(x⁽ⁱ⁾) − y⁽ⁱ⁾)², and the LMS update θⱼ := θⱼ + α (y⁽ⁱ⁾ − h_θ(x⁽ⁱ⁾)) xⱼ⁽ⁱ⁾,
 * one example at a time, over a batch, and as an in-order stochastic epoch.
 *
 * Every feature vector carries the intercept x₀ = 1. Results are float32, returned as plain
 * numbers; see `precision.ts` for the tolerances. Sums over no examples are answered
 * without tensors: tfjs-backend-webgpu 4.22 returns a recycled buffer's stale contents for
 * a reduction over zero elements.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { scalarOf, vectorOf } from "./_tensors.ts";

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

/** θ + α Xᵀ(y − Xθ): the batch update, which for one row is the LMS rule. */
function update(theta: tf.Tensor1D, X: tf.Tensor2D, y: tf.Tensor1D, alpha: number): tf.Tensor1D {
  const residuals = tf.sub(y, tf.dot(X, theta) as tf.Tensor1D);
  return tf.add(theta, tf.mul(alpha, tf.dot(residuals, X))) as tf.Tensor1D;
}

/**
 * The hypothesis h_θ(x) = θᵀx.
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
  checkShapes("h(x)", theta, [x]);
  return await scalarOf(() => tf.dot(tf.tensor1d(theta), tf.tensor1d(x)));
}

/**
 * The cost J(θ) = ½ Σᵢ (h_θ(x⁽ⁱ⁾) − y⁽ⁱ⁾)².
 *
 * @param theta The parameters θ.
 * @param X The examples, one row each.
 * @param y The targets.
 * @returns J(θ).
 * @throws {TypeError} If the shapes disagree.
 */
export async function cost(theta: number[], X: number[][], y: number[]): Promise<number> {
  checkShapes("J(θ)", theta, X, y);
  if (X.length === 0) return 0;
  return await scalarOf(() => {
    const residuals = tf.sub(tf.dot(tf.tensor2d(X), tf.tensor1d(theta)), tf.tensor1d(y));
    return tf.mul(0.5, tf.sum(tf.square(residuals)));
  });
}

/**
 * One LMS update on one example: θⱼ + α (y − h_θ(x)) xⱼ for every j.
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
  checkShapes("the LMS update", theta, [x]);
  return await vectorOf(() =>
    update(tf.tensor1d(theta), tf.tensor2d([x]), tf.tensor1d([y]), alpha)
  );
}

/**
 * One batch gradient-descent step: θ + α Σᵢ (y⁽ⁱ⁾ − h_θ(x⁽ⁱ⁾)) x⁽ⁱ⁾.
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
  checkShapes("the batch update", theta, X, y);
  if (X.length === 0) return [...theta];
  return await vectorOf(() => update(tf.tensor1d(theta), tf.tensor2d(X), tf.tensor1d(y), alpha));
}

/**
 * One stochastic epoch: the LMS update with example 0, then 1, …, then n − 1, each
 * starting from the θ the previous one returned.
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
  checkShapes("the stochastic epoch", theta, X, y);
  if (X.length === 0) return [...theta];
  return await vectorOf(() =>
    X.reduce(
      (t, x, i) => update(t, tf.tensor2d([x]), tf.tensor1d([y[i]]), alpha),
      tf.tensor1d(theta),
    )
  );
}
