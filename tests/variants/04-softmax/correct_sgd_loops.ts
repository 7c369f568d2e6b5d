/**
 * A correct softmax exercise in plain loops: stochastic gradient descent, one update per
 * event in order, with defaults alpha = 0.05 and epochs = 50.
 *
 * @module
 */

function maxOf(z: number[]): number {
  let max = -Infinity;
  for (const zk of z) if (zk > max) max = zk;
  return max;
}

export function softmax(z: number[]): number[] {
  const max = maxOf(z);
  const out = new Array<number>(z.length);
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    out[k] = Math.exp(z[k] - max);
    sum += out[k];
  }
  for (let k = 0; k < z.length; k++) out[k] /= sum;
  return out;
}

function logSumExp(z: number[]): number {
  const max = maxOf(z);
  let sum = 0;
  for (const zk of z) sum += Math.exp(zk - max);
  return max + Math.log(sum);
}

export function logSoftmax(z: number[]): number[] {
  const lse = logSumExp(z);
  const out = new Array<number>(z.length);
  for (let k = 0; k < z.length; k++) out[k] = z[k] - lse;
  return out;
}

export function crossEntropy(z: number[], label: number): number {
  return logSumExp(z) - z[label];
}

export function crossEntropyGrad(z: number[], label: number): number[] {
  const g = softmax(z);
  g[label] -= 1;
  return g;
}

export function predictProba(W: number[][], x: number[]): number[] {
  const z = new Array<number>(W.length);
  for (let k = 0; k < W.length; k++) {
    z[k] = 0;
    for (let j = 0; j < x.length; j++) z[k] += W[k][j] * x[j];
  }
  return softmax(z);
}

export function trainSoftmaxRegression(
  X: number[][],
  labels: number[],
  classes: number,
  opts?: { alpha?: number; epochs?: number },
): number[][] {
  const alpha = opts?.alpha ?? 0.05;
  const epochs = opts?.epochs ?? 50;
  const d = X[0].length;
  const W: number[][] = [];
  for (let k = 0; k < classes; k++) W.push(new Array<number>(d).fill(0));
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < X.length; i++) {
      const p = predictProba(W, X[i]);
      for (let k = 0; k < classes; k++) {
        const residual = (k === labels[i] ? 1 : 0) - p[k];
        for (let j = 0; j < d; j++) W[k][j] += alpha * residual * X[i][j];
      }
    }
  }
  return W;
}
