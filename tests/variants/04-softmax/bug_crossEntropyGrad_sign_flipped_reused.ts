// bug: crossEntropyGrad: returns onehot(label) − softmax(z), and trainSoftmaxRegression() steps along it
/**
 * Softmax regression built from its parts: crossEntropyGrad() calls softmax(), and
 * training takes one stochastic step per event along −crossEntropyGrad() of the logits.
 * The flipped gradient makes training climb the loss; the grader must charge it to
 * crossEntropyGrad() alone.
 *
 * @module
 */

export function softmax(z: number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((zk) => Math.exp(zk - max));
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
  return softmax(z).map((p, k) => (k === label ? 1 : 0) - p);
}

const logits = (W: number[][], x: number[]) =>
  W.map((wk) => wk.reduce((acc, wkj, j) => acc + wkj * x[j], 0));

export function predictProba(W: number[][], x: number[]): number[] {
  return softmax(logits(W, x));
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
      crossEntropyGrad(logits(W, x), labels[i]).forEach((g, k) => {
        x.forEach((xj, j) => step[k][j] -= g * xj);
      });
    });
    W = W.map((wk, k) => wk.map((wkj, j) => wkj + (alpha / X.length) * step[k][j]));
  }
  return W;
}
