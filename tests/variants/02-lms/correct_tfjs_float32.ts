/**
 * A correct lms.ts on tfjs tensors, so every number is float32: it passes only if the
 * visible tests accept float32 accuracy.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

export function predict(theta: number[], x: number[]): number {
  return tf.tidy(() => tf.dot(tf.tensor1d(theta), tf.tensor1d(x)).dataSync()[0]);
}

export function cost(theta: number[], X: number[][], y: number[]): number {
  return tf.tidy(() => {
    const errors = tf.sub(
      tf.matMul(tf.tensor2d(X), tf.tensor2d(theta, [theta.length, 1])),
      tf.tensor2d(y, [y.length, 1]),
    );
    return tf.mul(0.5, tf.sum(tf.square(errors))).dataSync()[0];
  });
}

export function lmsUpdate(theta: number[], x: number[], y: number, alpha: number): number[] {
  return tf.tidy(() => {
    const t = tf.tensor1d(theta);
    const xs = tf.tensor1d(x);
    const error = tf.sub(y, tf.dot(t, xs));
    return Array.from(tf.add(t, tf.mul(tf.mul(alpha, error), xs)).dataSync());
  });
}

export function batchUpdate(theta: number[], X: number[][], y: number[], alpha: number): number[] {
  return tf.tidy(() => {
    const t = tf.tensor2d(theta, [theta.length, 1]);
    const features = tf.tensor2d(X);
    const errors = tf.sub(tf.tensor2d(y, [y.length, 1]), tf.matMul(features, t));
    const step = tf.matMul(features, errors, true, false);
    return Array.from(tf.add(t, tf.mul(alpha, step)).dataSync());
  });
}

export function stochasticEpoch(
  theta: number[],
  X: number[][],
  y: number[],
  alpha: number,
): number[] {
  let current = theta;
  for (let i = 0; i < X.length; i++) current = lmsUpdate(current, X[i], y[i], alpha);
  return current;
}
