// deno-lint-ignore-file no-unused-vars -- the parameters are yours to use
/**
 * Softmax and cross-entropy: the multi-class generalisation of the logistic model.
 *
 * With one weight vector w_k per class, p(c_k | x) = exp(w_k·x) / Σⱼ exp(wⱼ·x). Read
 * README.md, then replace every TODO.
 *
 * @module
 */

/**
 * softmax(z)_k = exp(z_k) / Σⱼ exp(zⱼ).
 *
 * @param z The logits; at least one is finite, others may be −Infinity.
 * @returns Probabilities that sum to 1, finite even for |z_k| up to 1e4.
 */
export function softmax(z: number[]): number[] {
  // TODO: subtract max(z) from every logit, exponentiate, divide by the sum
  throw new Error("TODO: implement softmax");
}

/**
 * log softmax(z)_k = z_k − log Σⱼ exp(zⱼ), finite wherever z_k is.
 *
 * @param z The logits; at least one is finite.
 * @returns The log-probabilities.
 */
export function logSoftmax(z: number[]): number[] {
  // TODO: compute log Σⱼ exp(zⱼ) stably (log-sum-exp with the max), subtract it from each z_k
  throw new Error("TODO: implement logSoftmax");
}

/**
 * The cross-entropy −log softmax(z)[label], computed from the logits.
 *
 * @param z The logits.
 * @param label The true class, an index into z.
 * @returns The loss, ≥ 0.
 */
export function crossEntropy(z: number[], label: number): number {
  // TODO: return −log softmax(z)[label] without ever taking the log of a probability
  throw new Error("TODO: implement crossEntropy");
}

/**
 * The gradient of {@linkcode crossEntropy} with respect to the logits: softmax(z) − onehot(label).
 *
 * @param z The logits.
 * @param label The true class.
 * @returns ∂L/∂z_k for every k.
 */
export function crossEntropyGrad(z: number[], label: number): number[] {
  // TODO: return softmax(z) with 1 subtracted at the label
  throw new Error("TODO: implement crossEntropyGrad");
}

/**
 * Softmax regression by gradient descent on the cross-entropy.
 *
 * @param X The events, one row each, x[0] = 1.
 * @param labels The class of each event, 0 … classes − 1.
 * @param classes The number of classes K.
 * @param opts `alpha`, the learning rate, and `epochs`, the number of passes over the data;
 *   choose sensible defaults.
 * @returns W, one row of weights per class: W[k] has the length of a row of X.
 */
export function trainSoftmaxRegression(
  X: number[][],
  labels: number[],
  classes: number,
  opts?: { alpha?: number; epochs?: number },
): number[][] {
  // TODO: start from W = 0; each epoch, move every W[k] against the gradient of the loss
  throw new Error("TODO: implement trainSoftmaxRegression");
}

/**
 * The class probabilities softmax(W x).
 *
 * @param W One row of weights per class.
 * @param x The features, x[0] = 1.
 * @returns p(c_k | x) for every class k.
 */
export function predictProba(W: number[][], x: number[]): number[] {
  // TODO: compute the logits z_k = W[k]·x and return their softmax
  throw new Error("TODO: implement predictProba");
}
