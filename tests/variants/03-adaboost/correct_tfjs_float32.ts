/**
 * A correct AdaBoost written with @tensorflow/tfjs tensors: every quantity is computed in
 * float32, and ties between stumps go to the first in tf.argMin's order.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

export interface Stump {
  feature: number;
  threshold: number;
  polarity: 1 | -1;
}

const MIN_ERROR = 1e-10;

export function weightedError(w: number[], pred: number[], y: number[]): number {
  return tf.tidy(() => {
    const weights = tf.tensor1d(w);
    const wrong = tf.notEqual(tf.tensor1d(pred), tf.tensor1d(y)).toFloat();
    return weights.mul(wrong).sum().div(weights.sum()).dataSync()[0];
  });
}

export function learnerWeight(error: number): number {
  return tf.tidy(() => {
    // 1 − 1e-10 rounds to 1 in float32, so clamp ε and 1 − ε separately.
    const e = tf.scalar(error);
    const right = tf.scalar(1).sub(e).clipByValue(MIN_ERROR, 1);
    const wrong = e.clipByValue(MIN_ERROR, 1);
    return right.log().sub(wrong.log()).mul(0.5).dataSync()[0];
  });
}

export function updateWeights(w: number[], pred: number[], y: number[], alpha: number): number[] {
  return tf.tidy(() => {
    const margin = tf.tensor1d(y).mul(tf.tensor1d(pred));
    const raw = tf.tensor1d(w).mul(margin.mul(-alpha).exp());
    return Array.from(raw.div(raw.sum()).dataSync());
  });
}

/** The stumps' outputs, one row per stump and one column per event. */
function stumpOutputs(stumps: Stump[], X: number[][]): tf.Tensor2D {
  return tf.tidy(() =>
    tf.stack(stumps.map((s) => {
      const column = tf.tensor1d(X.map((x) => x[s.feature]));
      return tf.where(column.greater(s.threshold), tf.scalar(s.polarity), tf.scalar(-s.polarity));
    })) as tf.Tensor2D
  );
}

export function fitStump(X: number[][], y: number[], w: number[]): Stump {
  const d = X[0].length;
  const errors = tf.tidy(() => {
    const weights = tf.tensor1d(w);
    const labels = tf.tensor1d(y);
    const total = weights.sum();
    const perFeature = [];
    for (let f = 0; f < d; f++) {
      const values = tf.tensor1d(X.map((x) => x[f]));
      // above[t][i]: event i lies above the cut at the t-th event's value.
      const above = values.expandDims(0).greater(values.expandDims(1));
      const pred = tf.where(above, tf.scalar(1), tf.scalar(-1));
      const wrong = pred.notEqual(labels).toFloat();
      const errorPlus = wrong.matMul(weights.expandDims(1)).squeeze([1]);
      perFeature.push(tf.concat([errorPlus, total.sub(errorPlus)]));
    }
    return tf.stack(perFeature).div(total).dataSync();
  });
  const n = X.length;
  let best = 0;
  errors.forEach((e, k) => {
    if (e < errors[best]) best = k;
  });
  const feature = Math.floor(best / (2 * n));
  const k = best % (2 * n);
  return { feature, threshold: X[k % n][feature], polarity: k < n ? 1 : -1 };
}

export function trainAdaBoost(
  X: number[][],
  y: number[],
  rounds: number,
): { stumps: Stump[]; alphas: number[] } {
  const stumps: Stump[] = [];
  const alphas: number[] = [];
  let w = new Array<number>(X.length).fill(1 / X.length);
  for (let m = 0; m < rounds; m++) {
    const stump = fitStump(X, y, w);
    const outputs = stumpOutputs([stump], X);
    const pred = Array.from(outputs.dataSync());
    outputs.dispose();
    const alpha = learnerWeight(weightedError(w, pred, y));
    stumps.push(stump);
    alphas.push(alpha);
    w = updateWeights(w, pred, y, alpha);
  }
  return { stumps, alphas };
}

export function decisionFunction(
  model: { stumps: Stump[]; alphas: number[] },
  X: number[][],
): number[] {
  return tf.tidy(() => {
    const votes = stumpOutputs(model.stumps, X);
    return Array.from(tf.tensor2d([model.alphas]).matMul(votes).dataSync());
  });
}
