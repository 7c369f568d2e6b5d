/**
 * Reference softmax regression (exercise 04-softmax), in tensors: softmax(z)ₖ =
 * exp(zₖ − max z) / Σⱼ exp(zⱼ − max z), its logarithm, the cross-entropy −log softmax(z)_y
 * from logits and its gradient softmax(z) − onehot(y), and training by batch gradient
 * descent.
 *
 * Subtracting max z changes nothing mathematically and keeps every exponent ≤ 0, so
 * nothing overflows for logits of 1e4 and −Infinity entries give probability 0.
 *
 * Each function is written once, as a batched form (`softmaxMany`, …,
 * `trainSoftmaxRegressionMany`) that computes many inputs of different sizes in one pass,
 * so that the cost of a tfjs operation, about 10 µs whatever its size, is paid once per
 * batch instead of once per input; the single form (`softmax`, …) is its one-input case.
 *
 * Inputs are stacked and padded: a padded logit is −Infinity (probability 0,
 * log-probability −Infinity, no effect on the others), a padded feature or event is 0.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { longest, paddedTensor2d, paddedTensor3d, rowsOf, vectorOf } from "./_tensors.ts";
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
 * The probabilities softmax(z): the one-vector case of {@linkcode softmaxMany}.
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
  return (await softmaxMany([z]))[0];
}

/**
 * The log-probabilities log softmax(z), without forming the probabilities: the one-vector
 * case of {@linkcode logSoftmaxMany}.
 *
 * @param z The logits, at least one finite.
 * @returns log softmax(z), −Infinity where zₖ is.
 * @throws {RangeError} If no logit is finite.
 */
export async function logSoftmax(z: number[]): Promise<number[]> {
  return (await logSoftmaxMany([z]))[0];
}

/**
 * The cross-entropy −log softmax(z)_label, from the logits: the one-input case of
 * {@linkcode crossEntropyMany}.
 *
 * @param z The logits, at least one finite.
 * @param label The true class.
 * @returns The loss, ≥ 0.
 * @throws {RangeError} If no logit is finite or `label` is not a class.
 */
export async function crossEntropy(z: number[], label: number): Promise<number> {
  return (await crossEntropyMany([{ z, label }]))[0];
}

/**
 * The gradient of the cross-entropy with respect to the logits, softmax(z) − onehot(label):
 * the one-input case of {@linkcode crossEntropyGradMany}.
 *
 * @param z The logits, at least one finite.
 * @param label The true class.
 * @returns One component per logit; they sum to 0.
 * @throws {RangeError} If no logit is finite or `label` is not a class.
 */
export async function crossEntropyGrad(z: number[], label: number): Promise<number[]> {
  return (await crossEntropyGradMany([{ z, label }]))[0];
}

/**
 * The class probabilities softmax(W x) of one event: the one-input case of
 * {@linkcode predictProbaMany}.
 *
 * @param W One row of weights per class.
 * @param x The event, x₀ = 1.
 * @returns The probabilities.
 * @throws {TypeError} If a row of W and x differ in length.
 * @throws {RangeError} If W has no rows.
 */
export async function predictProba(W: number[][], x: number[]): Promise<number[]> {
  return (await predictProbaMany([{ W, x }]))[0];
}

function checkWeights(W: number[][], x: number[]): void {
  if (W.length === 0) throw new RangeError("Cannot compute softmax(Wx) of no classes");
  W.forEach((row, k) => {
    if (row.length !== x.length) {
      throw new TypeError(
        `Cannot compute softmax(Wx): class ${k} has ${row.length} weights but x has ${x.length}`,
      );
    }
  });
}

function checkTraining(X: number[][], labels: number[], classes: number): void {
  if (labels.length !== X.length) {
    throw new TypeError(`Cannot train on ${X.length} events with ${labels.length} labels`);
  }
  if (X.length === 0) throw new RangeError("Cannot train on no events");
  const ragged = X.findIndex((x) => x.length !== X[0].length);
  if (ragged >= 0) {
    throw new TypeError(
      `Cannot train on event ${ragged} of ${X[ragged].length} features: event 0 has ${X[0].length}`,
    );
  }
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
 * W ← W − α (P − Y)ᵀ X / n, with P the probabilities and Y the one-hot labels. The
 * one-problem case of {@linkcode trainSoftmaxRegressionMany}.
 *
 * @param X The events, one row each, x₀ = 1.
 * @param labels The class of each event.
 * @param classes The number of classes K.
 * @param opts `alpha` and `epochs`.
 * @returns W, one row of weights per class.
 * @throws {TypeError} If `labels` and `X` differ in length or events in features.
 * @throws {RangeError} If there are no events or a label is not a class.
 */
export async function trainSoftmaxRegression(
  X: number[][],
  labels: number[],
  classes: number,
  opts: SoftmaxTrainingOptions = {},
): Promise<number[][]> {
  return (await trainSoftmaxRegressionMany([{ X, labels, classes, opts }]))[0];
}

/**
 * How well W classifies labelled events, the metrics a trained model is judged by: the
 * one-model case of {@linkcode evaluateSoftmaxMany}.
 *
 * @param W One row of weights per class.
 * @param X The events, one row each, x₀ = 1.
 * @param labels The class of each event.
 * @returns The mean cross-entropy and the accuracy.
 * @throws {TypeError} If `labels` and `X` differ in length, or a row of W and an event in
 * features.
 * @throws {RangeError} If there are no events or a label is not a class.
 */
export async function evaluateSoftmax(
  W: number[][],
  X: number[][],
  labels: number[],
): Promise<SoftmaxEvaluation> {
  return (await evaluateSoftmaxMany([{ W, X, labels }]))[0];
}

/** Logit vectors stacked into [count, K], padded with −Infinity to the longest. */
function stackLogits(zs: readonly number[][]): { z: tf.Tensor2D; K: number } {
  const K = longest(zs);
  return { z: paddedTensor2d(zs, zs.length, K, -Infinity), K };
}

/**
 * The one-hot rows of each problem's labels, [count, n, K] row-major; a row past a
 * problem's last label is all 0.
 */
function oneHotValues(labels: readonly (readonly number[])[], n: number, K: number): Uint8Array {
  const values = new Uint8Array(labels.length * n * K);
  labels.forEach((problem, p) =>
    problem.forEach((label, i) => values[(p * n + i) * K + label] = 1)
  );
  return values;
}

/**
 * What each problem adds to its logits, [count, K]: 0 for its own classes and −Infinity
 * (probability 0) for the padded ones; undefined where no problem is padded.
 */
function classPadding(classes: readonly number[], K: number): tf.Tensor2D | undefined {
  if (classes.every((count) => count === K)) return undefined;
  return paddedTensor2d(
    classes.map((count) => new Array(count).fill(0)),
    classes.length,
    K,
    -Infinity,
  );
}

/** Runs a stacked per-logit computation and cuts each row back to its own length. */
async function perLogit(
  zs: readonly number[][],
  compute: (z: tf.Tensor2D, K: number) => tf.Tensor,
): Promise<number[][]> {
  if (zs.length === 0) return [];
  let K = 0;
  const flat = await vectorOf(() => {
    const stacked = stackLogits(zs);
    K = stacked.K;
    return compute(stacked.z, K);
  });
  return rowsOf(flat, K, zs.map((z) => z.length));
}

/**
 * {@linkcode softmax} of many logit vectors in one pass.
 *
 * @param zs The logit vectors, each with at least one finite logit.
 * @returns The probabilities of each, in order.
 * @throws {RangeError} If a vector has no finite logit.
 *
 * @example
 * ```ts
 * import { softmaxMany } from "./softmax.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(await softmaxMany([[0, 0], [1e4, 1e4, -Infinity]]), [[0.5, 0.5], [0.5, 0.5, 0]]);
 * ```
 */
export async function softmaxMany(zs: readonly number[][]): Promise<number[][]> {
  zs.forEach((z) => checkLogits("softmax", z));
  return await perLogit(zs, (z) => softmaxTensor(z));
}

/**
 * {@linkcode logSoftmax} of many logit vectors in one pass.
 *
 * @param zs The logit vectors, each with at least one finite logit.
 * @returns The log-probabilities of each, in order.
 * @throws {RangeError} If a vector has no finite logit.
 */
export async function logSoftmaxMany(zs: readonly number[][]): Promise<number[][]> {
  zs.forEach((z) => checkLogits("log softmax", z));
  return await perLogit(zs, (z) => logSoftmaxTensor(z));
}

/** One input of {@linkcode crossEntropyMany} and {@linkcode crossEntropyGradMany}. */
export interface LabelledLogits {
  z: number[];
  label: number;
}

/**
 * {@linkcode crossEntropy} of many (logits, label) pairs in one pass.
 *
 * @param inputs The logits and the true class of each.
 * @returns The loss of each, in order.
 * @throws {RangeError} If a vector has no finite logit or a label is not a class.
 */
export async function crossEntropyMany(inputs: readonly LabelledLogits[]): Promise<number[]> {
  inputs.forEach(({ z, label }) => {
    checkLogits("the cross-entropy", z);
    checkLabel("the cross-entropy", z, label);
  });
  if (inputs.length === 0) return [];
  return await vectorOf(() => {
    const { z, K } = stackLogits(inputs.map((input) => input.z));
    const picked = inputs.map(({ label }, i) => i * K + label);
    return tf.neg(tf.gather(tf.reshape(logSoftmaxTensor(z), [-1]), picked));
  });
}

/**
 * {@linkcode crossEntropyGrad} of many (logits, label) pairs in one pass.
 *
 * @param inputs The logits and the true class of each.
 * @returns The gradient of each, in order.
 * @throws {RangeError} If a vector has no finite logit or a label is not a class.
 */
export async function crossEntropyGradMany(
  inputs: readonly LabelledLogits[],
): Promise<number[][]> {
  inputs.forEach(({ z, label }) => {
    checkLogits("the cross-entropy's gradient", z);
    checkLabel("the cross-entropy's gradient", z, label);
  });
  const labels = inputs.map(({ label }) => label);
  return await perLogit(
    inputs.map(({ z }) => z),
    (z, K) =>
      tf.sub(
        softmaxTensor(z),
        tf.tensor2d(oneHotValues([labels], labels.length, K), [labels.length, K], "float32"),
      ),
  );
}

/**
 * {@linkcode predictProba} of many (W, x) pairs in one pass.
 *
 * @param inputs The weights and the event of each.
 * @returns The class probabilities of each, in order.
 * @throws {TypeError} If a row of a W and its x differ in length.
 */
export async function predictProbaMany(
  inputs: readonly { W: number[][]; x: number[] }[],
): Promise<number[][]> {
  inputs.forEach(({ W, x }) => checkWeights(W, x));
  if (inputs.length === 0) return [];
  const classes = inputs.map(({ W }) => W.length);
  const K = Math.max(...classes);
  const d = longest(inputs.map(({ x }) => x));
  const flat = await vectorOf(() => {
    const W = paddedTensor3d(inputs.map((input) => input.W), K, d);
    const x = paddedTensor3d(inputs.map((input) => [input.x]), 1, d);
    const logits = tf.sum(tf.mul(W, x), 2);
    const padding = classPadding(classes, K);
    return softmaxTensor(padding ? tf.add(logits, padding) : logits);
  });
  return rowsOf(flat, K, classes);
}

/** One problem of {@linkcode trainSoftmaxRegressionMany}. */
export interface SoftmaxTrainingProblem {
  /** The events, one row each, x₀ = 1. */
  X: number[][];
  /** The class of each event. */
  labels: number[];
  /** The number of classes K. */
  classes: number;
  /** `alpha` and `epochs`, with the defaults of {@linkcode trainSoftmaxRegression}. */
  opts?: SoftmaxTrainingOptions;
}

/**
 * {@linkcode trainSoftmaxRegression} of many problems: the problems with the same number
 * of epochs take each step together, in one pass.
 *
 * @param problems The events, labels, classes and options of each problem.
 * @returns W of each problem, in order.
 * @throws {TypeError} If a problem's labels and events differ in number.
 * @throws {RangeError} If a problem has no events or a label is not a class.
 *
 * @example
 * ```ts
 * import { trainSoftmaxRegressionMany } from "./softmax.ts";
 * import assert from "node:assert/strict";
 *
 * const [W] = await trainSoftmaxRegressionMany([
 *   { X: [[1, -2], [1, 2]], labels: [0, 1], classes: 2, opts: { epochs: 50 } },
 * ]);
 * assert.ok(W[1][1] > W[0][1]);
 * ```
 */
export async function trainSoftmaxRegressionMany(
  problems: readonly SoftmaxTrainingProblem[],
): Promise<number[][][]> {
  problems.forEach(({ X, labels, classes }) => checkTraining(X, labels, classes));
  const settings = problems.map(({ opts = {} }) => ({
    alpha: opts.alpha ?? 0.5,
    epochs: opts.epochs ?? 500,
  }));
  const trained: number[][][] = new Array(problems.length);
  for (const epochs of new Set(settings.map((s) => s.epochs))) {
    const members = problems.flatMap((_, p) => settings[p].epochs === epochs ? [p] : []);
    const Ws = await trainTogether(
      members.map((p) => problems[p]),
      members.map((p) => settings[p].alpha),
      epochs,
    );
    members.forEach((p, i) => trained[p] = Ws[i]);
  }
  return trained;
}

/**
 * Batch gradient descent on problems stacked and padded, each with its own α.
 *
 * Only problems with the same number of epochs share a pass. One pass for all, keeping each
 * problem's W at its own epoch, was slower: a batched matMul or softmax costs more with
 * every problem in it, so the problems carried past their epochs paid for steps thrown
 * away; and padding a problem to larger ones changes the last bits of its float32 results.
 */
async function trainTogether(
  problems: readonly SoftmaxTrainingProblem[],
  alphas: readonly number[],
  epochs: number,
): Promise<number[][][]> {
  const count = problems.length;
  const n = Math.max(...problems.map(({ X }) => X.length));
  const d = longest(problems.map(({ X }) => X[0]));
  const K = Math.max(...problems.map(({ classes }) => classes));
  await coreReady();
  const data = paddedTensor3d(problems.map(({ X }) => X), n, d);
  const fixed = tf.tidy(() => {
    const padding = classPadding(problems.map(({ classes }) => classes), K);
    const targets = oneHotValues(problems.map(({ labels }) => labels), n, K);
    return {
      // The step's factor α/n rides on a scaled copy of the data: five operations an epoch,
      // where each operation's fixed cost outweighs its arithmetic on a course-sized problem.
      scaled: tf.mul(
        data,
        tf.tensor3d(alphas.map((alpha, p) => alpha / problems[p].X.length), [count, 1, 1]),
      ),
      targets: tf.tensor3d(targets, [count, n, K], "float32"),
      // A padded class's logit is −Infinity, so its probability and its step are 0; a padded
      // event's data is 0, so it adds nothing to a step.
      padding: padding && tf.expandDims(padding, 1),
    };
  });
  let W = tf.zeros([count, K, d]) as tf.Tensor3D;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const next = tf.tidy(() => {
        const logits = tf.matMul(data, W, false, true);
        const P = tf.softmax(fixed.padding ? tf.add(logits, fixed.padding) : logits);
        return tf.sub(
          W,
          tf.matMul(tf.sub(P, fixed.targets), fixed.scaled, true, false),
        ) as tf.Tensor3D;
      });
      W.dispose();
      W = next;
    }
    const flat = Array.from(await W.data());
    return problems.map(({ X, classes }, p) =>
      rowsOf(flat.slice(p * K * d, (p + 1) * K * d), d, new Array(classes).fill(X[0].length))
    );
  } finally {
    W.dispose();
    data.dispose();
    tf.dispose(fixed);
  }
}

/** One model of {@linkcode evaluateSoftmaxMany}: its weights and labelled events. */
export interface SoftmaxModelData {
  W: number[][];
  X: number[][];
  labels: number[];
}

/**
 * {@linkcode evaluateSoftmax} of many models in one pass.
 *
 * @param models The weights and the labelled events of each.
 * @returns The mean cross-entropy and the accuracy of each, in order.
 * @throws {TypeError} If a model's labels and events differ in number.
 * @throws {RangeError} If a model has no events or a label is not a class.
 */
export async function evaluateSoftmaxMany(
  models: readonly SoftmaxModelData[],
): Promise<SoftmaxEvaluation[]> {
  models.forEach(({ W, X, labels }) => {
    checkTraining(X, labels, W.length);
    X.forEach((x) => checkWeights(W, x));
  });
  if (models.length === 0) return [];
  const n = Math.max(...models.map(({ X }) => X.length));
  const d = longest(models.map(({ X }) => X[0]));
  const classes = models.map(({ W }) => W.length);
  const K = Math.max(...classes);
  const flat = await vectorOf(() => {
    const X = paddedTensor3d(models.map((m) => m.X), n, d);
    const W = paddedTensor3d(models.map((m) => m.W), K, d);
    // A padded class's logit is −Infinity; a padded event is left out of both means.
    const logits = tf.matMul(X, W, false, true);
    const padding = classPadding(classes, K);
    const logP = logSoftmaxTensor(padding ? tf.add(logits, tf.expandDims(padding, 1)) : logits);
    const isLabel = tf.tensor3d(
      oneHotValues(models.map((m) => m.labels), n, K),
      [models.length, n, K],
      "bool",
    );
    const picked = tf.sum(tf.where(isLabel, logP, tf.zerosLike(logP)), [1, 2]);
    const predicted = tf.oneHot(tf.argMax(logP, 2), K).asType("bool");
    const right = tf.sum(tf.logicalAnd(predicted, isLabel).asType("float32"), [1, 2]);
    const events = tf.tensor1d(models.map((m) => m.X.length));
    return tf.stack([tf.neg(tf.div(picked, events)), tf.div(right, events)], 1);
  });
  return models.map((_, i) => ({ crossEntropy: flat[2 * i], accuracy: flat[2 * i + 1] }));
}
