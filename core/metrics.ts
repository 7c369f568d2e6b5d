/**
 * The course's figures of merit, in float64 plain TypeScript whatever the tfjs backend:
 * the ROC curve, the area under it, and the HiggsML approximate median significance.
 *
 * Labels are 1 for signal and 0 for background; a higher score means more signal-like.
 *
 * @module
 */

/** The regularisation term b_r of the HiggsML challenge's AMS. */
export const AMS_REGULARISATION = 10;

/** Cumulative weights after each distinct score, from the highest score down. */
interface Sweep {
  /** Background weight above the cut, after each group of tied scores. */
  fp: number[];
  /** Signal weight above the cut, after each group of tied scores. */
  tp: number[];
  /** The area under the unnormalised curve, ties counted as half. */
  area: number;
  /** The total background weight. */
  negatives: number;
  /** The total signal weight. */
  positives: number;
}

function sweep(
  what: string,
  scores: number[],
  labels: number[],
  weights: number[] | undefined,
): Sweep {
  const n = scores.length;
  if (labels.length !== n) {
    throw new TypeError(`Cannot compute ${what}: ${n} scores but ${labels.length} labels`);
  }
  if (weights && weights.length !== n) {
    throw new TypeError(`Cannot compute ${what}: ${n} scores but ${weights.length} weights`);
  }
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new RangeError(`Cannot compute ${what}: label "${labels[i]}" at ${i} is not 0 or 1`);
    }
    if (typeof scores[i] !== "number" || Number.isNaN(scores[i])) {
      throw new RangeError(`Cannot compute ${what}: score "${scores[i]}" at ${i} is not a number`);
    }
    const w = weights ? weights[i] : 1;
    if (!(w >= 0 && w < Infinity)) {
      throw new RangeError(`Cannot compute ${what}: weight "${w}" at ${i} is not finite and ≥ 0`);
    }
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a] || 0);

  const fp: number[] = [];
  const tp: number[] = [];
  let negatives = 0;
  let positives = 0;
  let area = 0;
  for (let start = 0; start < n;) {
    let groupNegatives = 0;
    let groupPositives = 0;
    let end = start;
    for (; end < n && scores[order[end]] === scores[order[start]]; end++) {
      const i = order[end];
      const w = weights ? weights[i] : 1;
      if (labels[i] === 1) groupPositives += w;
      else groupNegatives += w;
    }
    // A step of tied scores is a diagonal segment: the trapezoid counts each tied
    // (signal, background) pair as half a correctly ranked pair.
    area += groupNegatives * (positives + groupPositives / 2);
    negatives += groupNegatives;
    positives += groupPositives;
    fp.push(negatives);
    tp.push(positives);
    start = end;
  }
  if (positives === 0) throw new RangeError(`Cannot compute ${what}: no signal weight`);
  if (negatives === 0) throw new RangeError(`Cannot compute ${what}: no background weight`);
  return { fp, tp, area, negatives, positives };
}

/**
 * The area under the ROC curve: the probability that a random signal event scores above a
 * random background event, a tie counting ½, each event counted with its weight.
 *
 * Exact, in O(n log n): one sort, then one pass over the groups of tied scores.
 *
 * @param scores One score per event, higher meaning more signal-like.
 * @param labels 1 for signal, 0 for background.
 * @param weights Non-negative event weights.
 * @returns The area, in [0, 1].
 * @throws {TypeError} If the arrays differ in length.
 * @throws {RangeError} If a label is not 0 or 1, a score is NaN, a weight is negative or not
 *   finite, or either class has no weight.
 *
 * @example Three of the four (signal, background) pairs ranked right, one tied
 * ```ts
 * import { auc } from "./metrics.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(auc([0.9, 0.5, 0.5, 0.1], [1, 0, 1, 0]), 0.875);
 * ```
 */
export function auc(scores: number[], labels: number[], weights?: number[]): number {
  const { area, negatives, positives } = sweep("the AUC", scores, labels, weights);
  return area / (negatives * positives);
}

/**
 * The ROC curve: the background and signal efficiencies of the cut "score ≥ t" for every
 * distinct score t from the highest down, after the point (0, 0).
 *
 * @param scores One score per event, higher meaning more signal-like.
 * @param labels 1 for signal, 0 for background.
 * @param weights Non-negative event weights.
 * @returns `fpr` (background efficiency) and `tpr` (signal efficiency), from (0, 0) to
 *   (1, 1), both non-decreasing.
 * @throws {TypeError} If the arrays differ in length.
 * @throws {RangeError} As {@linkcode auc}.
 *
 * @example
 * ```ts
 * import { rocCurve } from "./metrics.ts";
 * import assert from "node:assert/strict";
 *
 * const { fpr, tpr } = rocCurve([0.9, 0.5, 0.5, 0.1], [1, 0, 1, 0]);
 * assert.deepEqual(fpr, [0, 0, 0.5, 1]);
 * assert.deepEqual(tpr, [0, 0.5, 1, 1]);
 * ```
 */
export function rocCurve(
  scores: number[],
  labels: number[],
  weights?: number[],
): { fpr: number[]; tpr: number[] } {
  const { fp, tp, negatives, positives } = sweep("the ROC curve", scores, labels, weights);
  return {
    fpr: [0, ...fp.map((f) => f / negatives)],
    tpr: [0, ...tp.map((t) => t / positives)],
  };
}

/**
 * The HiggsML approximate median significance
 * AMS = √(2((s + b + b_r) ln(1 + s/(b + b_r)) − s)) with b_r = 10.
 *
 * @param s The selected signal weight.
 * @param b The selected background weight.
 * @returns The significance, ≥ 0; about s/√b when s ≪ b.
 * @throws {RangeError} If `s` or `b` is negative or not finite.
 *
 * @example
 * ```ts
 * import { ams } from "./metrics.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ams(0, 100), 0);
 * assert.ok(Math.abs(ams(10, 90) - 0.98399) < 1e-5);
 * ```
 */
export function ams(s: number, b: number): number {
  for (const [name, value] of [["s", s], ["b", b]] as const) {
    if (!(value >= 0 && value < Infinity)) {
      throw new RangeError(`Cannot compute the AMS: ${name} = "${value}" is not finite and ≥ 0`);
    }
  }
  const background = b + AMS_REGULARISATION;
  // log1p keeps the logarithm accurate when s ≪ b; the bracket is ≥ 0 in exact arithmetic.
  const bracket = (s + background) * Math.log1p(s / background) - s;
  return Math.sqrt(2 * Math.max(bracket, 0));
}
