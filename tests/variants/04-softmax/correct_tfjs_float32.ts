/**
 * A correct softmax exercise written with @tensorflow/tfjs: float32 tensors throughout,
 * training by tf.train.sgd on tf.losses.softmaxCrossEntropy (the mean over events), with
 * defaults alpha = 1 and epochs = 200.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

export function softmax(z: number[]): number[] {
  return tf.tidy(() => Array.from(tf.softmax(tf.tensor1d(z)).dataSync()));
}

export function logSoftmax(z: number[]): number[] {
  return tf.tidy(() => Array.from(tf.logSoftmax(tf.tensor1d(z)).dataSync()));
}

export function crossEntropy(z: number[], label: number): number {
  return tf.tidy(() => {
    const logits = tf.tensor1d(z);
    return tf.logSumExp(logits).sub(logits.gather([label]).squeeze()).dataSync()[0];
  });
}

export function crossEntropyGrad(z: number[], label: number): number[] {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.tensor1d([label], "int32"), z.length).squeeze().toFloat();
    return Array.from(tf.softmax(tf.tensor1d(z)).sub(onehot).dataSync());
  });
}

export function trainSoftmaxRegression(
  X: number[][],
  labels: number[],
  classes: number,
  opts: { alpha?: number; epochs?: number } = {},
): number[][] {
  const { alpha = 1, epochs = 200 } = opts;
  const W = tf.variable(tf.zeros([classes, X[0].length]));
  const inputs = tf.tensor2d(X);
  const targets = tf.oneHot(tf.tensor1d(labels, "int32"), classes);
  const optimizer = tf.train.sgd(alpha);
  for (let epoch = 0; epoch < epochs; epoch++) {
    optimizer.minimize(() =>
      tf.losses.softmaxCrossEntropy(targets, inputs.matMul(W, false, true)) as tf.Scalar
    );
  }
  const result = W.arraySync() as number[][];
  tf.dispose([W, inputs, targets]);
  optimizer.dispose();
  return result;
}

export function predictProba(W: number[][], x: number[]): number[] {
  return tf.tidy(() => {
    const logits = tf.tensor2d(W).matMul(tf.tensor2d([x]), false, true).squeeze([1]);
    return Array.from(tf.softmax(logits).dataSync());
  });
}
