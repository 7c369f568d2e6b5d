// bug: learnerWeight: uses α = ln((1 − ε)/ε) without the ½, and trainAdaBoost() calls it
/**
 * AdaBoost with every step its own function: trainAdaBoost() calls fitStump(),
 * weightedError(), learnerWeight() and updateWeights(), as the exercise's TODOs suggest.
 * The bug in learnerWeight() gives every round a wrong α; the grader must charge it to
 * learnerWeight() alone.
 *
 * @module
 */

export interface Stump {
  feature: number;
  threshold: number;
  polarity: 1 | -1;
}

const predictOne = ({ feature, threshold, polarity }: Stump, x: number[]): 1 | -1 =>
  x[feature] > threshold ? polarity : (-polarity as 1 | -1);

export const weightedError = (w: number[], pred: number[], y: number[]): number => {
  let wrong = 0;
  let total = 0;
  w.forEach((wi, i) => {
    total += wi;
    if (pred[i] !== y[i]) wrong += wi;
  });
  return wrong / total;
};

export const learnerWeight = (error: number): number => {
  const e = Math.min(Math.max(error, 1e-10), 1 - 1e-10);
  return Math.log((1 - e) / e);
};

export const updateWeights = (w: number[], pred: number[], y: number[], alpha: number) => {
  const raw = w.map((wi, i) => wi * Math.exp(-alpha * y[i] * pred[i]));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((wi) => wi / total);
};

export const fitStump = (X: number[][], y: number[], w: number[]): Stump => {
  let best: Stump = { feature: 0, threshold: -Infinity, polarity: 1 };
  let bestError = Infinity;
  for (let feature = 0; feature < X[0].length; feature++) {
    for (const threshold of new Set(X.map((x) => x[feature]))) {
      for (const polarity of [1, -1] as const) {
        const stump = { feature, threshold, polarity };
        const error = weightedError(w, X.map((x) => predictOne(stump, x)), y);
        if (error < bestError) [best, bestError] = [stump, error];
      }
    }
  }
  return best;
};

export const trainAdaBoost = (X: number[][], y: number[], rounds: number) => {
  const stumps: Stump[] = [];
  const alphas: number[] = [];
  let w = X.map(() => 1 / X.length);
  for (let m = 0; m < rounds; m++) {
    const stump = fitStump(X, y, w);
    const pred = X.map((x) => predictOne(stump, x));
    const alpha = learnerWeight(weightedError(w, pred, y));
    stumps.push(stump);
    alphas.push(alpha);
    w = updateWeights(w, pred, y, alpha);
  }
  return { stumps, alphas };
};

export const decisionFunction = (model: { stumps: Stump[]; alphas: number[] }, X: number[][]) =>
  X.map((x) => model.stumps.reduce((t, stump, m) => t + model.alphas[m] * predictOne(stump, x), 0));
