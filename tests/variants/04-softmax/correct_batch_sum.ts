/**
 * A correct softmax exercise in a functional style: batch gradient descent on the summed
 * cross-entropy (the lecture's batch rule, θ := θ + α Σᵢ (yᵢ − h(xᵢ)) xᵢ, for every class),
 * with defaults alpha = 0.01 and epochs = 300.
 *
 * @module
 */

const dot = (a: number[], b: number[]) => a.reduce((s, ai, j) => s + ai * b[j], 0);

const logSumExp = (z: number[]) => {
  const max = Math.max(...z);
  return max + Math.log(z.map((zk) => Math.exp(zk - max)).reduce((a, b) => a + b, 0));
};

export const softmax = (z: number[]): number[] => logSoftmax(z).map(Math.exp);

export const logSoftmax = (z: number[]): number[] => {
  const lse = logSumExp(z);
  return z.map((zk) => zk - lse);
};

export const crossEntropy = (z: number[], label: number): number => -logSoftmax(z)[label];

export const crossEntropyGrad = (z: number[], label: number): number[] =>
  softmax(z).map((p, k) => (k === label ? p - 1 : p));

export const predictProba = (W: number[][], x: number[]): number[] =>
  softmax(W.map((wk) => dot(wk, x)));

export function trainSoftmaxRegression(
  X: number[][],
  labels: number[],
  classes: number,
  { alpha = 0.01, epochs = 300 }: { alpha?: number; epochs?: number } = {},
): number[][] {
  let W = Array.from({ length: classes }, () => X[0].map(() => 0));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const grads = X.map((x, i) => crossEntropyGrad(W.map((wk) => dot(wk, x)), labels[i]));
    W = W.map((wk, k) =>
      wk.map((wkj, j) => wkj - alpha * grads.reduce((s, g, i) => s + g[k] * X[i][j], 0))
    );
  }
  return W;
}
