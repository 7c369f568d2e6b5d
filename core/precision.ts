/**
 * How close the grader may require a student's value to be to the reference core's, per
 * graded quantity, and how it recognises a different but equally good choice.
 *
 * The core computes in float32 (tfjs has no float64 on any backend; the cpu backend too
 * stores Float32Array), student code in float64 or float32. float32's unit roundoff is
 * u = 6e-8, so a value computed in k operations carries an error of about k·u times the
 * size of the terms it was made of. Each rule's `rtol` is that error with a wide margin,
 * still far below any real mistake; `scale` is the size of the terms (the absolute floor
 * is `rtol · scale`, see {@linkcode isClose}); the helpers below compute the usual scales.
 * With these margins the reference's own differences between backends (a few ulps) never
 * decide a test, so a class grades the same on cpu, wasm and webgpu.
 *
 * @module
 */
import { isClose } from "../course/tolerance.ts";
import type { Stump } from "./adaboost.ts";

/** One quantity's tolerance. */
export interface PrecisionRule {
  /** Relative tolerance, and the absolute floor per unit of scale. */
  rtol: number;
  /** What the scale is: the size of the terms the value is made of. */
  scale: string;
  /** Why this tolerance, in one line. */
  why: string;
}

/** The tolerance of every value the grader compares with the reference core. */
export const PRECISION = {
  "dual.value": {
    rtol: 1e-5,
    scale: "1",
    why: "at most a dozen float32 operations (~1e-6); values are of order one on the domains",
  },
  "dual.gradient": {
    rtol: 1e-5,
    scale: "1",
    why: "forward and reverse mode each round a dozen times; also the cross-check between them",
  },
  "lms.predict": {
    rtol: 1e-5,
    scale: "dotScale(theta, x) = Σⱼ |θⱼ xⱼ|",
    why: "a float32 dot product is accurate to n·u of Σ|θⱼxⱼ|, not of a result that cancels",
  },
  "lms.cost": {
    rtol: 1e-5,
    scale: "costScale(theta, X, y) = ½ Σᵢ (Σⱼ|θⱼxᵢⱼ| + |yᵢ|)²",
    why: "the residual h − y cancels, so its square is accurate relative to (|h| + |y|)²",
  },
  "lms.update": {
    rtol: 1e-5,
    scale: "updateScale(theta, X, y, alpha) = max|θ| + α Σᵢ (Σⱼ|θⱼxᵢⱼ| + |yᵢ|)·max|xᵢ|",
    why: "θⱼ plus a float32 sum of α·residual·xⱼ terms, each accurate to u of its size",
  },
  "lms.stochasticEpoch": {
    rtol: 1e-4,
    scale: "max(1, max|θ|) of the result",
    why: "n sequential float32 updates, each error carried into the next residual",
  },
  "adaboost.weightedError": {
    rtol: 1e-5,
    scale: "1",
    why: "a ratio of sums of non-negative weights, accurate to n·u; the value lies in [0, 1]",
  },
  "adaboost.learnerWeight": {
    rtol: 1e-5,
    scale: "1",
    why: "two float32 logarithms of ε and 1 − ε, the latter formed in float64 before rounding",
  },
  "adaboost.updateWeights": {
    rtol: 1e-5,
    scale: "1/n, the mean weight",
    why: "exp(±α) is accurate to |α|·u (α ≤ 11.6 after clamping), then one normalising sum",
  },
  "adaboost.decisionFunction": {
    rtol: 1e-5,
    scale: "Σₘ |αₘ|",
    why: "a float32 sum of ±αₘ cancels; accurate relative to the sum of magnitudes",
  },
  "softmax.probabilities": {
    rtol: 1e-5,
    scale: "1",
    why: "probabilities sum to 1; exp(z − max)/Σ is accurate to a few u of the largest term",
  },
  "softmax.logProbabilities": {
    rtol: 1e-5,
    scale: "max(1, maxᵢ |zᵢ|)",
    why: "z − max − log Σ cancels terms of size |z| (up to 1e4, whose float32 ulp is 1e-3)",
  },
  "softmax.crossEntropyGrad": {
    rtol: 1e-5,
    scale: "1",
    why: "softmax(z) − onehot: differences of probabilities, each accurate to a few u",
  },
  "autoencoder.reconstructionError": {
    rtol: 1e-5,
    scale: "Σᵢ (|xᵢⁱⁿ| + |xᵢᵒᵘᵗ|)²",
    why: "differences cancel, so the squares are accurate relative to the inputs' size",
  },
  "autoencoder.forward": {
    rtol: 1e-4,
    scale: "max(1, max |output|)",
    why: "layers of float32 dot products and activations; backends' tanh/sigmoid differ in ulps",
  },
} as const satisfies Record<string, PrecisionRule>;

/** A quantity of {@linkcode PRECISION}. */
export type Quantity = keyof typeof PRECISION;

/**
 * Whether a student's value matches the reference within the quantity's tolerance.
 *
 * @param quantity The quantity, a key of {@linkcode PRECISION}.
 * @param actual The student's value.
 * @param expected The reference core's value.
 * @param scale The size of the terms, as the rule's `scale` says.
 * @returns `true` when they agree.
 *
 * @example float32 rounding of a logit of 1e4 is not a mistake
 * ```ts
 * import { closeEnough } from "./precision.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(closeEnough("softmax.logProbabilities", -10000.3, Math.fround(-10000.3), 1e4));
 * assert.ok(!closeEnough("softmax.probabilities", 0.5, 0.51));
 * ```
 */
export function closeEnough(
  quantity: Quantity,
  actual: number,
  expected: number,
  scale = 1,
): boolean {
  return isClose(actual, expected, { rtol: PRECISION[quantity].rtol, scale });
}

/**
 * {@linkcode closeEnough} for every element of two vectors of equal length.
 *
 * @param quantity The quantity, a key of {@linkcode PRECISION}.
 * @param actual The student's values.
 * @param expected The reference core's values.
 * @param scale The size of the terms, as the rule's `scale` says.
 * @returns `true` when the lengths match and every element agrees.
 */
export function allCloseEnough(
  quantity: Quantity,
  actual: readonly number[],
  expected: readonly number[],
  scale = 1,
): boolean {
  return Array.isArray(actual) && actual.length === expected.length &&
    expected.every((e, i) => closeEnough(quantity, actual[i], e, scale));
}

/**
 * The size of the terms of a dot product, Σⱼ |aⱼ bⱼ|: the scale of `lms.predict`.
 *
 * @param a One vector.
 * @param b The other, as long.
 * @returns The sum of the terms' magnitudes.
 */
export function dotScale(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, ai, j) => sum + Math.abs(ai * b[j]), 0);
}

/**
 * The scale of `lms.cost`: ½ Σᵢ (Σⱼ|θⱼxᵢⱼ| + |yᵢ|)².
 *
 * @param theta The parameters.
 * @param X The examples.
 * @param y The targets.
 * @returns The scale.
 */
export function costScale(theta: number[], X: number[][], y: number[]): number {
  return X.reduce((sum, x, i) => sum + 0.5 * (dotScale(theta, x) + Math.abs(y[i])) ** 2, 0);
}

/**
 * The scale of `lms.update` (`lmsUpdate` with one example, `batchUpdate` with all):
 * max|θ| + α Σᵢ (Σⱼ|θⱼxᵢⱼ| + |yᵢ|)·max|xᵢ|.
 *
 * @param theta The parameters.
 * @param X The examples.
 * @param y The targets.
 * @param alpha The learning rate.
 * @returns The scale.
 */
export function updateScale(theta: number[], X: number[][], y: number[], alpha: number): number {
  const maxAbs = (v: number[]) => v.reduce((m, vi) => Math.max(m, Math.abs(vi)), 0);
  const steps = X.reduce(
    (sum, x, i) => sum + (dotScale(theta, x) + Math.abs(y[i])) * maxAbs(x),
    0,
  );
  return maxAbs(theta) + Math.abs(alpha) * steps;
}

/**
 * The weighted error of a stump on weighted events, in float64: Σ w·[h(x) ≠ y] / Σ w.
 *
 * @param stump The stump: `polarity` where x[feature] > threshold, −polarity elsewhere.
 * @param data The events `X`, labels `y` (±1) and weights `w`.
 * @returns The error, in [0, 1].
 */
export function stumpError(
  stump: Stump,
  data: { X: number[][]; y: number[]; w: number[] },
): number {
  const { X, y, w } = data;
  let wrong = 0;
  let total = 0;
  for (let i = 0; i < X.length; i++) {
    const prediction = X[i][stump.feature] > stump.threshold ? stump.polarity : -stump.polarity;
    total += w[i];
    if (prediction !== y[i]) wrong += w[i];
  }
  return wrong / total;
}

/**
 * Whether a student's stump is as good as the reference's best: its weighted error is at
 * most the best error plus the `adaboost.weightedError` tolerance. A different feature,
 * threshold or polarity that ties (or differs only by float32 rounding) is accepted.
 *
 * @param stump The student's stump.
 * @param data The events `X`, labels `y` (±1) and weights `w` it was fitted to.
 * @param bestError The reference's least weighted error ({@linkcode stumpError} of its stump).
 * @returns `true` when the stump is equally good.
 *
 * @example Two different cuts, the same error
 * ```ts
 * import { isEquallyGoodStump } from "./precision.ts";
 * import assert from "node:assert/strict";
 *
 * const data = { X: [[0, 5], [1, 6], [2, 7]], y: [-1, 1, 1], w: [1, 1, 1] };
 * assert.ok(isEquallyGoodStump({ feature: 1, threshold: 5, polarity: 1 }, data, 0));
 * assert.ok(!isEquallyGoodStump({ feature: 0, threshold: 1, polarity: 1 }, data, 0));
 * ```
 */
export function isEquallyGoodStump(
  stump: Stump,
  data: { X: number[][]; y: number[]; w: number[] },
  bestError: number,
): boolean {
  const features = data.X[0]?.length ?? 0;
  const valid = Number.isInteger(stump.feature) && stump.feature >= 0 &&
    stump.feature < features && (stump.polarity === 1 || stump.polarity === -1) &&
    typeof stump.threshold === "number" && !Number.isNaN(stump.threshold);
  return valid &&
    stumpError(stump, data) <= bestError + PRECISION["adaboost.weightedError"].rtol;
}

/** How a trained model's metric may fall short of the reference model's. */
export interface ModelMargin {
  /** Whether a higher value of the metric is better. */
  higherIsBetter: boolean;
  /** How much worse than the reference still counts as equally good, in the metric's units. */
  margin: number;
  /** Why this margin, in one line. */
  why: string;
}

/** The metrics a trained model is judged by, against the reference model's. */
export const MODEL_MARGINS = {
  auc: {
    higherIsBetter: true,
    margin: 0.02,
    why: "about two standard errors of an AUC on the graded mixtures (10³ events, 10 % signal)",
  },
  accuracy: {
    higherIsBetter: true,
    margin: 0.02,
    why: "other learning rates, orders or tie-breaks land within a few events of 100–500",
  },
  crossEntropy: {
    higherIsBetter: false,
    margin: 0.02,
    why: "mean cross-entropy in nats: a model that is as good stops within 0.02 of the optimum",
  },
} as const satisfies Record<string, ModelMargin>;

/**
 * Whether a student's trained model is as good as the reference's, judged by a metric on
 * the same data: at most the metric's margin worse. Identity of weights is never required.
 *
 * @param metric A key of {@linkcode MODEL_MARGINS}.
 * @param student The student model's metric.
 * @param reference The reference model's metric.
 * @param margin How much worse counts as equally good; the metric's stated margin unless a
 *   judge states its own (e.g. for options the student chose).
 * @returns `true` when the student's model is equally good (or better).
 *
 * @example
 * ```ts
 * import { isEquallyGoodModel } from "./precision.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isEquallyGoodModel("auc", 0.905, 0.91));
 * assert.ok(!isEquallyGoodModel("crossEntropy", 0.9, 0.6));
 * ```
 */
export function isEquallyGoodModel(
  metric: keyof typeof MODEL_MARGINS,
  student: number,
  reference: number,
  margin: number = MODEL_MARGINS[metric].margin,
): boolean {
  const { higherIsBetter } = MODEL_MARGINS[metric];
  if (typeof student !== "number" || Number.isNaN(student)) return false;
  return higherIsBetter ? student >= reference - margin : student <= reference + margin;
}
