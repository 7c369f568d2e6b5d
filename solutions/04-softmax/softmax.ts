/**
 * Softmax and cross-entropy: the multi-class generalisation of the logistic model.
 *
 * With K classes and one weight vector w_k per class, p(c_k | x) = exp(w_k·x) / Σⱼ exp(wⱼ·x).
 * The logits z_k = w_k·x are shifted by their maximum before exponentiating, which changes
 * nothing mathematically and keeps every exp() finite.
 *
 * @module
 */

/**
 * log Σⱼ exp(zⱼ), computed without overflow.
 *
 * @param z The logits; at least one is finite.
 * @returns The log of the softmax's normalisation.
 */
function logSumExp(z: number[]): number {
  const max = Math.max(...z);
  // exp(zⱼ − max) ≤ 1 and the largest term is exactly 1, so the sum lies in [1, K]: it
  // neither overflows (z = 1e4) nor underflows to 0, and −Infinity entries add 0.
  const sum = z.reduce((acc, zj) => acc + Math.exp(zj - max), 0);
  return max + Math.log(sum);
}

/**
 * softmax(z)_k = exp(z_k) / Σⱼ exp(zⱼ).
 *
 * @param z The logits; at least one is finite, others may be −Infinity.
 * @returns Probabilities that sum to 1.
 */
export function softmax(z: number[]): number[] {
  // Shifting every logit by the same constant leaves the ratios unchanged; shifting by the
  // maximum makes the largest exp() exactly 1, so none overflows.
  const max = Math.max(...z);
  const e = z.map((zk) => Math.exp(zk - max));
  const sum = e.reduce((acc, ek) => acc + ek, 0);
  return e.map((ek) => ek / sum);
}

/**
 * log softmax(z)_k = z_k − log Σⱼ exp(zⱼ), finite wherever z_k is, even where softmax(z)_k
 * underflows to 0.
 *
 * @param z The logits; at least one is finite.
 * @returns The log-probabilities.
 */
export function logSoftmax(z: number[]): number[] {
  const lse = logSumExp(z);
  return z.map((zk) => zk - lse);
}

/**
 * The cross-entropy −log softmax(z)[label], computed from the logits.
 *
 * @param z The logits.
 * @param label The true class, an index into z.
 * @returns The loss, ≥ 0.
 */
export function crossEntropy(z: number[], label: number): number {
  return logSumExp(z) - z[label];
}

/**
 * The gradient of {@linkcode crossEntropy} with respect to the logits: softmax(z) − onehot(label).
 *
 * @param z The logits.
 * @param label The true class.
 * @returns ∂L/∂z_k for every k; the entries sum to 0.
 */
export function crossEntropyGrad(z: number[], label: number): number[] {
  return softmax(z).map((p, k) => p - (k === label ? 1 : 0));
}

/**
 * The class probabilities softmax(W x).
 *
 * @param W One row of weights per class.
 * @param x The features, x[0] = 1.
 * @returns p(c_k | x) for every class k.
 */
export function predictProba(W: number[][], x: number[]): number[] {
  return softmax(W.map((wk) => wk.reduce((acc, wkj, j) => acc + wkj * x[j], 0)));
}

/**
 * Softmax regression by batch gradient descent on the mean cross-entropy, from W = 0:
 * w_k := w_k + α (1/n) Σᵢ ([yᵢ = k] − p(c_k | xᵢ)) xᵢ, the logistic rule for every class.
 *
 * @param X The events, one row each, x[0] = 1.
 * @param labels The class of each event, 0 … classes − 1.
 * @param classes The number of classes K.
 * @param opts `alpha`, the learning rate, `@default {0.5}`; `epochs`, the number of passes,
 *   `@default {200}` (on standardised features, 200 full steps of α = 0.5 are well past
 *   where the loss flattens: more only costs time).
 * @returns W, one row of weights per class.
 */
export function trainSoftmaxRegression(
  X: number[][],
  labels: number[],
  classes: number,
  opts: { alpha?: number; epochs?: number } = {},
): number[][] {
  const { alpha = 0.5, epochs = 200 } = opts;
  const d = X[0].length;
  let W = Array.from({ length: classes }, () => new Array<number>(d).fill(0));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const step = W.map((wk) => wk.map(() => 0));
    X.forEach((x, i) => {
      predictProba(W, x).forEach((pk, k) => {
        const residual = (k === labels[i] ? 1 : 0) - pk; // [yᵢ = k] − p(c_k | xᵢ)
        x.forEach((xj, j) => step[k][j] += residual * xj);
      });
    });
    W = W.map((wk, k) => wk.map((wkj, j) => wkj + (alpha / X.length) * step[k][j]));
  }
  return W;
}
