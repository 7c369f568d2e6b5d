// bug: updateWeights: multiplies by exp(+α y h), and the class's trainAdaBoost() calls it as AdaBoost.updateWeights()
/**
 * AdaBoost as a class of static methods that call each other through the class, exported
 * as plain constants. A sign error in updateWeights() sends every round after the first to
 * the wrong events; the grader must charge it to updateWeights() alone, which needs its
 * stand-in in place of the class's own static method.
 *
 * @module
 */

export interface Stump {
  feature: number;
  threshold: number;
  polarity: 1 | -1;
}

export class AdaBoost {
  static predictOne(stump: Stump, x: number[]): 1 | -1 {
    return x[stump.feature] > stump.threshold ? stump.polarity : stump.polarity === 1 ? -1 : 1;
  }

  static weightedError(w: number[], pred: number[], y: number[]): number {
    let wrong = 0;
    let total = 0;
    for (let i = 0; i < w.length; i++) {
      total += w[i];
      if (pred[i] !== y[i]) wrong += w[i];
    }
    return wrong / total;
  }

  static learnerWeight(error: number): number {
    const e = Math.min(Math.max(error, 1e-10), 1 - 1e-10);
    return 0.5 * Math.log((1 - e) / e);
  }

  static updateWeights(w: number[], pred: number[], y: number[], alpha: number): number[] {
    const raw = w.map((wi, i) => wi * Math.exp(alpha * y[i] * pred[i]));
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((wi) => wi / total);
  }

  static fitStump(X: number[][], y: number[], w: number[]): Stump {
    let best: Stump = { feature: 0, threshold: -Infinity, polarity: 1 };
    let bestError = Infinity;
    for (let feature = 0; feature < X[0].length; feature++) {
      for (const threshold of new Set(X.map((x) => x[feature]))) {
        for (const polarity of [1, -1] as const) {
          const stump = { feature, threshold, polarity };
          const pred = X.map((x) => AdaBoost.predictOne(stump, x));
          const error = AdaBoost.weightedError(w, pred, y);
          if (error < bestError) [best, bestError] = [stump, error];
        }
      }
    }
    return best;
  }

  static trainAdaBoost(X: number[][], y: number[], rounds: number) {
    const stumps: Stump[] = [];
    const alphas: number[] = [];
    let w = X.map(() => 1 / X.length);
    for (let m = 0; m < rounds; m++) {
      const stump = AdaBoost.fitStump(X, y, w);
      const pred = X.map((x) => AdaBoost.predictOne(stump, x));
      const alpha = AdaBoost.learnerWeight(AdaBoost.weightedError(w, pred, y));
      stumps.push(stump);
      alphas.push(alpha);
      w = AdaBoost.updateWeights(w, pred, y, alpha);
    }
    return { stumps, alphas };
  }

  static decisionFunction(model: { stumps: Stump[]; alphas: number[] }, X: number[][]) {
    return X.map((x) =>
      model.stumps.reduce((t, stump, m) => t + model.alphas[m] * AdaBoost.predictOne(stump, x), 0)
    );
  }
}

export const weightedError = AdaBoost.weightedError;
export const learnerWeight = AdaBoost.learnerWeight;
export const updateWeights = AdaBoost.updateWeights;
export const fitStump = AdaBoost.fitStump;
export const trainAdaBoost = AdaBoost.trainAdaBoost;
export const decisionFunction = AdaBoost.decisionFunction;
