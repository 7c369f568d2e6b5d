// deno-lint-ignore-file no-unused-vars -- the parameters are yours to use
/**
 * AdaBoost: adaptive boosting of decision stumps.
 *
 * Each round fits a stump to the weighted events, gives it a say αₘ that grows as its
 * weighted error εₘ shrinks, and moves weight onto the events it got wrong. The ensemble
 * votes with T(x) = Σₘ αₘ hₘ(x). Read README.md, then replace every TODO.
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

/**
 * The weighted error εₘ = Σᵢ wᵢ [predᵢ ≠ yᵢ] / Σᵢ wᵢ.
 *
 * @param w The event weights, non-negative, not necessarily normalised.
 * @param pred The weak learner's outputs, −1 or +1.
 * @param y The labels, −1 or +1.
 * @returns The share of the weight that is misclassified, in [0, 1].
 */
export function weightedError(w: number[], pred: number[], y: number[]): number {
  // TODO: add up the weights of the misclassified events and divide by the total weight
  throw new Error("TODO: implement weightedError");
}

/**
 * The learner's weight αₘ = ½ ln((1 − εₘ)/εₘ), with εₘ clamped to [1e-10, 1 − 1e-10].
 *
 * @param error The weighted error εₘ.
 * @returns αₘ: positive for a learner better than chance, 0 at ε = ½, negative below.
 */
export function learnerWeight(error: number): number {
  // TODO: clamp the error, then return ½ ln((1 − ε)/ε)
  throw new Error("TODO: implement learnerWeight");
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
  // TODO: multiply each weight by exp(−α yᵢ predᵢ), then divide every weight by their sum
  throw new Error("TODO: implement updateWeights");
}

/**
 * The decision stump with the least weighted error.
 *
 * @param X The events, one row each.
 * @param y The labels, −1 or +1.
 * @param w The event weights.
 * @returns A stump whose weighted error is the smallest (any one of them, if several tie).
 */
export function fitStump(X: number[][], y: number[], w: number[]): Stump {
  // TODO: try every feature, every cut and both polarities; keep the least weighted error
  throw new Error("TODO: implement fitStump");
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
  // TODO: each round: fit a stump, compute εₘ and αₘ, record both, update the weights
  throw new Error("TODO: implement trainAdaBoost");
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
  // TODO: for each event, add up αₘ times the output of stump m
  throw new Error("TODO: implement decisionFunction");
}
