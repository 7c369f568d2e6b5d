// bug: decisionFunction: adds up the stumps' votes hₘ(x) without weighting them by αₘ
/**
 * AdaBoost: adaptive boosting of decision stumps.
 *
 * Each round fits a stump to the weighted events, gives it a say αₘ that grows as its
 * weighted error εₘ shrinks, and shifts weight onto the events it got wrong, so that the
 * next stump concentrates on them. The ensemble votes with T(x) = Σₘ αₘ hₘ(x).
 *
 * @module
 */

/** A decision stump: predicts `polarity` where x[feature] > threshold, −polarity elsewhere. */
export interface Stump {
  /** The index of the feature the stump cuts on. */
  feature: number;
  /** The cut: events above it get `polarity`. */
  threshold: number;
  /** The label predicted above the cut, +1 or −1. */
  polarity: 1 | -1;
}

/** The smallest error αₘ is computed for, so that a perfect or a perfectly wrong stump gets a finite say. */
const MIN_ERROR = 1e-10;

/**
 * The weighted error εₘ = Σᵢ wᵢ [predᵢ ≠ yᵢ] / Σᵢ wᵢ.
 *
 * @param w The event weights, non-negative, not necessarily normalised.
 * @param pred The weak learner's outputs, −1 or +1.
 * @param y The labels, −1 or +1.
 * @returns The share of the weight that is misclassified, in [0, 1].
 */
export function weightedError(w: number[], pred: number[], y: number[]): number {
  let wrong = 0;
  let total = 0;
  for (let i = 0; i < w.length; i++) {
    total += w[i];
    if (pred[i] !== y[i]) wrong += w[i];
  }
  return wrong / total;
}

/**
 * The learner's weight αₘ = ½ ln((1 − εₘ)/εₘ), with εₘ clamped to [1e-10, 1 − 1e-10].
 *
 * @param error The weighted error εₘ.
 * @returns αₘ: positive for a learner better than chance, 0 at ε = ½, negative below.
 */
export function learnerWeight(error: number): number {
  const e = Math.min(Math.max(error, MIN_ERROR), 1 - MIN_ERROR);
  return 0.5 * Math.log((1 - e) / e);
}

/**
 * Reweights the events: wᵢ·exp(−α yᵢ predᵢ), divided by the sum.
 *
 * @param w The current weights.
 * @param pred The weak learner's outputs, −1 or +1.
 * @param y The labels, −1 or +1.
 * @param alpha The learner's weight αₘ.
 * @returns The new weights, summing to 1.
 */
export function updateWeights(w: number[], pred: number[], y: number[], alpha: number): number[] {
  const raw = w.map((wi, i) => wi * Math.exp(-alpha * y[i] * pred[i]));
  // Renormalising keeps the weights a distribution: without it they shrink or grow
  // geometrically round after round until they underflow to 0 or overflow to Infinity.
  const total = raw.reduce((sum, wi) => sum + wi, 0);
  return raw.map((wi) => wi / total);
}

/**
 * The stump's output hₘ(x) for one event.
 *
 * @param stump The stump.
 * @param x The event's features.
 * @returns +1 or −1.
 */
function predictStump(stump: Stump, x: number[]): 1 | -1 {
  return x[stump.feature] > stump.threshold ? stump.polarity : stump.polarity === 1 ? -1 : 1;
}

/**
 * The decision stump with the least weighted error.
 *
 * Every distinct cut on feature f is x[f] > t for t one of the data values of f (the largest
 * value leaves every event below the cut, giving the stumps that predict one class
 * everywhere); both polarities are tried.
 *
 * @param X The events, one row each.
 * @param y The labels, −1 or +1.
 * @param w The event weights.
 * @returns A stump whose weighted error is the smallest.
 */
export function fitStump(X: number[][], y: number[], w: number[]): Stump {
  const total = w.reduce((sum, wi) => sum + wi, 0);
  let best: Stump = { feature: 0, threshold: -Infinity, polarity: 1 };
  let bestError = Infinity;
  for (let feature = 0; feature < X[0].length; feature++) {
    for (const threshold of new Set(X.map((x) => x[feature]))) {
      // The error of polarity +1; polarity −1 flips every prediction, so its error is the rest.
      let wrong = 0;
      for (let i = 0; i < X.length; i++) {
        if ((X[i][feature] > threshold ? 1 : -1) !== y[i]) wrong += w[i];
      }
      for (const [polarity, error] of [[1, wrong], [-1, total - wrong]] as const) {
        if (error < bestError) {
          bestError = error;
          best = { feature, threshold, polarity };
        }
      }
    }
  }
  return best;
}

/**
 * Trains AdaBoost for a fixed number of rounds, starting from uniform weights 1/n.
 *
 * @param X The events, one row each.
 * @param y The labels, −1 or +1.
 * @param rounds The number of stumps M.
 * @returns The stumps hₘ and their weights αₘ, in training order.
 */
export function trainAdaBoost(
  X: number[][],
  y: number[],
  rounds: number,
): { stumps: Stump[]; alphas: number[] } {
  const stumps: Stump[] = [];
  const alphas: number[] = [];
  let w = X.map(() => 1 / X.length);
  for (let m = 0; m < rounds; m++) {
    const stump = fitStump(X, y, w);
    const pred = X.map((x) => predictStump(stump, x));
    const alpha = learnerWeight(weightedError(w, pred, y));
    stumps.push(stump);
    alphas.push(alpha);
    w = updateWeights(w, pred, y, alpha);
  }
  return { stumps, alphas };
}

/**
 * The ensemble's output T(x) = Σₘ αₘ hₘ(x) for each event; its sign is the predicted label.
 *
 * @param model The stumps and their weights.
 * @param X The events, one row each.
 * @returns One score per event.
 */
export function decisionFunction(
  model: { stumps: Stump[]; alphas: number[] },
  X: number[][],
): number[] {
  return X.map((x) => model.stumps.reduce((sum, stump) => sum + predictStump(stump, x), 0));
}
