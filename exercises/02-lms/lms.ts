// deno-lint-ignore-file no-unused-vars -- the parameters are yours to use
/**
 * Least mean squares: linear regression fitted with the lecture's LMS update rule.
 *
 * Every feature vector carries the intercept feature x₀ = 1, so the model is
 * h_θ(x) = θᵀx. Read README.md, then replace every TODO. Never change the arrays you are
 * given: return new ones.
 *
 * @module
 */

/**
 * The prediction h_θ(x) = θᵀx.
 *
 * @param theta The parameters θ.
 * @param x A feature vector with x[0] = 1.
 * @returns θᵀx.
 */
export function predict(theta: number[], x: number[]): number {
  // TODO: return Σⱼ θⱼ xⱼ
  throw new Error("TODO: implement predict");
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
  // TODO: sum the squared errors over all examples and halve the sum
  throw new Error("TODO: implement cost");
}

/**
 * One LMS step on one example: θⱼ + α (y − h_θ(x)) xⱼ for every j.
 *
 * @param theta The parameters θ (left unchanged).
 * @param x A feature vector with x[0] = 1.
 * @param y Its target.
 * @param alpha The learning rate α.
 * @returns The new θ.
 */
export function lmsUpdate(theta: number[], x: number[], y: number, alpha: number): number[] {
  // TODO: return a new array with θⱼ + α (y − h_θ(x)) xⱼ for every j
  throw new Error("TODO: implement lmsUpdate");
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
  // TODO: add α (y⁽ⁱ⁾ − h_θ(x⁽ⁱ⁾)) x⁽ⁱ⁾ of every example to θ, all errors measured with the θ given
  throw new Error("TODO: implement batchUpdate");
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
  // TODO: apply lmsUpdate to example 0, 1, …, n−1 in turn, each step starting from the last θ
  throw new Error("TODO: implement stochasticEpoch");
}
