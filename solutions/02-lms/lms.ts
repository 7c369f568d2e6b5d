/**
 * Least mean squares: linear regression fitted with the lecture's LMS update rule.
 *
 * Every feature vector carries the intercept feature x₀ = 1, so the model is
 * h_θ(x) = θ₀x₀ + θ₁x₁ + … = θᵀx and θ₀ is the intercept.
 *
 * @module
 */

/** θᵀx; every function below builds on it. */
function dot(theta: number[], x: number[]): number {
  if (theta.length !== x.length) {
    throw new TypeError(
      `Cannot compute θᵀx: θ has ${theta.length} entries but x has ${x.length}`,
    );
  }
  let sum = 0;
  for (let j = 0; j < theta.length; j++) sum += theta[j] * x[j];
  return sum;
}

/**
 * The prediction h_θ(x) = θᵀx.
 *
 * @param theta The parameters θ.
 * @param x A feature vector with x[0] = 1.
 * @returns θᵀx.
 * @throws {TypeError} If θ and x differ in length.
 *
 * @example
 * ```ts
 * import { predict } from "./lms.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(predict([1, 1], [1, 3]), 4);
 * ```
 */
export function predict(theta: number[], x: number[]): number {
  return dot(theta, x);
}

/**
 * The least-squares cost J(θ) = ½ Σᵢ (h_θ(x⁽ⁱ⁾) − y⁽ⁱ⁾)².
 *
 * @param theta The parameters θ.
 * @param X The feature vectors, one row per example.
 * @param y The targets, one per example.
 * @returns J(θ).
 */
export function cost(theta: number[], X: number[][], y: number[]): number {
  let sum = 0;
  for (let i = 0; i < X.length; i++) sum += (dot(theta, X[i]) - y[i]) ** 2;
  // A sum, not a mean; the ½ cancels the 2 of the square's derivative, which leaves the
  // LMS rule's plain (y − h)·x.
  return sum / 2;
}

/**
 * One LMS step on one example: θⱼ + α (y − h_θ(x)) xⱼ for every j.
 *
 * @param theta The parameters θ (left unchanged).
 * @param x A feature vector with x[0] = 1.
 * @param y Its target.
 * @param alpha The learning rate α.
 * @returns The new θ.
 *
 * @example
 * ```ts
 * import { lmsUpdate } from "./lms.ts";
 * import assert from "node:assert/strict";
 *
 * // h = 4 falls short of y = 7 by 3, so θ moves by 0.1 · 3 · (1, 3).
 * const [t0, t1] = lmsUpdate([1, 1], [1, 3], 7, 0.1);
 * assert.ok(Math.abs(t0 - 1.3) < 1e-12 && Math.abs(t1 - 1.9) < 1e-12);
 * ```
 */
export function lmsUpdate(theta: number[], x: number[], y: number, alpha: number): number[] {
  // The step is proportional to the error: a nearly right prediction barely moves θ.
  const step = alpha * (y - dot(theta, x));
  return theta.map((t, j) => t + step * x[j]);
}

/**
 * One step of batch gradient descent: θ + α Σᵢ (y⁽ⁱ⁾ − h_θ(x⁽ⁱ⁾)) x⁽ⁱ⁾.
 *
 * @param theta The parameters θ (left unchanged).
 * @param X The feature vectors, one row per example.
 * @param y The targets, one per example.
 * @param alpha The learning rate α.
 * @returns The new θ.
 */
export function batchUpdate(
  theta: number[],
  X: number[][],
  y: number[],
  alpha: number,
): number[] {
  // Every error is measured with the same θ; the summed step is applied once, at the end.
  const next = [...theta];
  for (let i = 0; i < X.length; i++) {
    const step = alpha * (y[i] - dot(theta, X[i]));
    for (let j = 0; j < next.length; j++) next[j] += step * X[i][j];
  }
  return next;
}

/**
 * One epoch of stochastic (incremental) gradient descent: an LMS step on each example,
 * for i = 0 … n−1 in order.
 *
 * @param theta The parameters θ (left unchanged).
 * @param X The feature vectors, one row per example.
 * @param y The targets, one per example.
 * @param alpha The learning rate α.
 * @returns θ after the last step.
 */
export function stochasticEpoch(
  theta: number[],
  X: number[][],
  y: number[],
  alpha: number,
): number[] {
  // Each step starts from the θ the previous step left, unlike the batch update.
  return X.reduce((current, x, i) => lmsUpdate(current, x, y[i], alpha), theta);
}
