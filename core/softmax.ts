/**
 * Reference softmax regression (exercise 04-softmax), in tensors: softmax(z)ₖ =
 * exp(zₖ − max z) / Σⱼ exp(zⱼ − max z), its logarithm, the cross-entropy −log softmax(z)_y
 * from logits and its gradient softmax(z) − onehot(y), and training by batch gradient
 * descent.
 *
 * Subtracting max z changes nothing mathematically and keeps every exponent ≤ 0, so
 * nothing overflows for logits of 1e4 and −Infinity entries give probability 0.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { scalarOf, vectorOf } from "./_tensors.ts";
import { coreReady } from "./backend.ts";

/** Options of {@linkcode trainSoftmaxRegression}. */
export interface SoftmaxTrainingOptions {
  /**
   * The learning rate α of each step on the mean cross-entropy.
   *
   * @default {0.5}
   */
  alpha?: number;
  /**
   * The number of full-batch steps.
   *
   * @default {500}
   */
  epochs?: number;
}

/** How good a trained W is on labelled data. */
export interface SoftmaxEvaluation {
  /** The mean cross-entropy, in nats. */
  crossEntropy: number;
  /** The share of events whose most probable class is their label. */
  accuracy: number;
}

function checkLogits(what: string, z: number[]): void {
  if (z.length === 0) throw new RangeError(`Cannot compute ${what} of no logits`);
  if (!z.some(Number.isFinite)) {
    throw new RangeError(`Cannot compute ${what} of [${z}]: no logit is finite`);
  }
}

function checkLabel(what: string, z: number[], label: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= z.length) {
    throw new RangeError(`Cannot compute ${what} for label "${label}": expected 0…${z.length - 1}`);
  }
}

/** log softmax along the last axis: z − max z − log Σ exp(z − max z). */
function logSoftmaxTensor(z: tf.Tensor): tf.Tensor {
  const shifted = tf.sub(z, tf.max(z, -1, true));
  return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
}

/** softmax along the last axis: exp(z − max z) / Σ exp(z − max z). */
function softmaxTensor(z: tf.Tensor): tf.Tensor {
  const e = tf.exp(tf.sub(z, tf.max(z, -1, true)));
  return tf.div(e, tf.sum(e, -1, true));
}

/**
 * The probabilities softmax(z).
 *
 * @param z The logits, at least one finite.
 * @returns Probabilities that sum to 1.
 * @throws {RangeError} If no logit is finite.
 *
 * @example
 * ```ts
 * import { softmax } from "./softmax.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(await softmax([1e4, 1e4, -Infinity]), [0.5, 0.5, 0]);
 * ```
 */
export async function softmax(z: number[]): Promise<number[]> {
  checkLogits("softmax", z);
  return await vectorOf(() => softmaxTensor(tf.tensor1d(z)));
}

/**
 * The log-probabilities log softmax(z), without forming the probabilities.
 *
 * @param z The logits, at least one finite.
 * @returns log softmax(z), −Infinity where zₖ is.
 * @throws {RangeError} If no logit is finite.
 */
export async function logSoftmax(z: number[]): Promise<number[]> {
  checkLogits("log softmax", z);
  return await vectorOf(() => logSoftmaxTensor(tf.tensor1d(z)));
}

/**
 * The cross-entropy −log softmax(z)_label, from the logits.
 *
 * @param z The logits, at least one finite.
 * @param label The true class.
 * @returns The loss, ≥ 0.
 * @throws {RangeError} If no logit is finite or `label` is not a class.
 */
export async function crossEntropy(z: number[], label: number): Promise<number> {
  checkLogits("the cross-entropy", z);
  checkLabel("the cross-entropy", z, label);
  return await scalarOf(() => tf.neg(tf.gather(logSoftmaxTensor(tf.tensor1d(z)), [label])));
}

/**
 * The gradient of the cross-entropy with respect to the logits, softmax(z) − onehot(label).
 *
 * @param z The logits, at least one finite.
 * @param label The true class.
 * @returns One component per logit; they sum to 0.
 * @throws {RangeError} If no logit is finite or `label` is not a class.
 */
export async function crossEntropyGrad(z: number[], label: number): Promise<number[]> {
  checkLogits("the cross-entropy's gradient", z);
  checkLabel("the cross-entropy's gradient", z, label);
  return await vectorOf(() =>
    tf.sub(softmaxTensor(tf.tensor1d(z)), tf.oneHot(label, z.length).asType("float32"))
  );
}

/**
 * The class probabilities softmax(W x) of one event.
 *
 * @param W One row of weights per class.
 * @param x The event, x₀ = 1.
 * @returns The probabilities.
 * @throws {TypeError} If a row of W and x differ in length.
 */
export async function predictProba(W: number[][], x: number[]): Promise<number[]> {
  W.forEach((row, k) => {
    if (row.length !== x.length) {
      throw new TypeError(
        `Cannot compute softmax(Wx): class ${k} has ${row.length} weights but x has ${x.length}`,
      );
    }
  });
  return await vectorOf(() => softmaxTensor(tf.dot(tf.tensor2d(W), tf.tensor1d(x))));
}

function checkTraining(X: number[][], labels: number[], classes: number): void {
  if (labels.length !== X.length) {
    throw new TypeError(`Cannot train on ${X.length} events with ${labels.length} labels`);
  }
  if (X.length === 0) throw new RangeError("Cannot train on no events");
  const bad = labels.findIndex((label) =>
    !Number.isInteger(label) || label < 0 || label >= classes
  );
  if (bad >= 0) {
    throw new RangeError(
      `Cannot train with label "${labels[bad]}" at ${bad}: expected 0…${classes - 1}`,
    );
  }
}

/**
 * Softmax regression by batch gradient descent on the mean cross-entropy, from W = 0:
 * W ← W − α (P − Y)ᵀ X / n, with P the probabilities and Y the one-hot labels.
 *
 * @param X The events, one row each, x₀ = 1.
 * @param labels The class of each event.
 * @param classes The number of classes K.
 * @param opts `alpha` and `epochs`.
 * @returns W, one row of weights per class.
 * @throws {TypeError} If `labels` and `X` differ in length.
 * @throws {RangeError} If there are no events or a label is not a class.
 */
export async function trainSoftmaxRegression(
  X: number[][],
  labels: number[],
  classes: number,
  opts: SoftmaxTrainingOptions = {},
): Promise<number[][]> {
  checkTraining(X, labels, classes);
  const { alpha = 0.5, epochs = 500 } = opts;
  await coreReady();
  const data = tf.tensor2d(X);
  // The step's factor α/n rides on a scaled copy of the data: five operations an epoch,
  // where each operation's fixed cost outweighs its arithmetic on a course-sized problem.
  const scaled = tf.mul(data, alpha / X.length);
  const targets = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), classes).asType("float32"));
  let W = tf.zeros([classes, X[0].length]) as tf.Tensor2D;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const next = tf.tidy(() => {
        const P = tf.softmax(tf.matMul(data, W, false, true));
        return tf.sub(W, tf.matMul(tf.sub(P, targets), scaled, true, false)) as tf.Tensor2D;
      });
      W.dispose();
      W = next;
    }
    return (await W.array()) as number[][];
  } finally {
    W.dispose();
    data.dispose();
    scaled.dispose();
    targets.dispose();
  }
}

/**
 * How well W classifies labelled events: the metrics a trained model is judged by.
 *
 * @param W One row of weights per class.
 * @param X The events, one row each, x₀ = 1.
 * @param labels The class of each event.
 * @returns The mean cross-entropy and the accuracy.
 * @throws {TypeError} If `labels` and `X` differ in length.
 * @throws {RangeError} If there are no events or a label is not a class.
 */
export async function evaluateSoftmax(
  W: number[][],
  X: number[][],
  labels: number[],
): Promise<SoftmaxEvaluation> {
  checkTraining(X, labels, W.length);
  const [loss, accuracy] = await vectorOf(() => {
    const logP = logSoftmaxTensor(tf.matMul(tf.tensor2d(X), tf.tensor2d(W), false, true));
    const y = tf.tensor1d(labels, "int32");
    const picked = tf.sum(tf.mul(logP, tf.oneHot(y, W.length).asType("float32")), 1);
    const right = tf.equal(tf.argMax(logP, 1), y).asType("float32");
    return tf.stack([tf.neg(tf.mean(picked)), tf.mean(right)]);
  });
  return { crossEntropy: loss, accuracy };
}
