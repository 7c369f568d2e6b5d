// bug: softmax: exponentiates the logits without subtracting their maximum, and crossEntropyGrad() and predictProba() call it
/**
 * Softmax regression in which softmax() overflows for large logits, and the functions
 * built on it, crossEntropyGrad() and predictProba(), call it. Their own code is right;
 * the grader must charge the overflow to softmax() alone.
 *
 * @module
 */

export function softmax(z: number[]): number[] {
  const e = z.map((zk) => Math.exp(zk));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((ek) => ek / sum);
}

function logSumExp(z: number[]): number {
  const max = Math.max(...z);
  return max + Math.log(z.reduce((acc, zk) => acc + Math.exp(zk - max), 0));
}

export function logSoftmax(z: number[]): number[] {
  const lse = logSumExp(z);
  return z.map((zk) => zk - lse);
}

export function crossEntropy(z: number[], label: number): number {
  return logSumExp(z) - z[label];
}

export function crossEntropyGrad(z: number[], label: number): number[] {
  return softmax(z).map((p, k) => p - (k === label ? 1 : 0));
}

export function predictProba(W: number[][], x: number[]): number[] {
  return softmax(W.map((wk) => wk.reduce((acc, wkj, j) => acc + wkj * x[j], 0)));
}

export function trainSoftmaxRegression(
  X: number[][],
  labels: number[],
  classes: number,
  opts: { alpha?: number; epochs?: number } = {},
): number[][] {
  const { alpha = 0.5, epochs = 200 } = opts;
  let W = Array.from({ length: classes }, () => new Array<number>(X[0].length).fill(0));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const step = W.map((wk) => wk.map(() => 0));
    X.forEach((x, i) => {
      predictProba(W, x).forEach((p, k) => {
        const residual = (k === labels[i] ? 1 : 0) - p;
        x.forEach((xj, j) => step[k][j] += residual * xj);
      });
    });
    W = W.map((wk, k) => wk.map((wkj, j) => wkj + (alpha / X.length) * step[k][j]));
  }
  return W;
}
