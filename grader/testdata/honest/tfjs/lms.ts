import * as tf from "@tensorflow/tfjs";

/** θᵀx computed with tfjs, in float32. */
export function predict(theta: number[], x: number[]): number {
  return tf.tidy(() => tf.dot(tf.tensor1d(theta), tf.tensor1d(x)).arraySync() as number);
}

export function tensor(): tf.Tensor {
  return tf.tensor([1, 2, 3]);
}
