/**
 * A correct AdaBoost with a sorted sweep for the stump search: thresholds are midpoints
 * between neighbouring values plus ±Infinity, ties go to the last stump found, and
 * polarity −1 is tried first.
 *
 * @module
 */

export interface Stump {
  feature: number;
  threshold: number;
  polarity: 1 | -1;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function weightedError(w: number[], pred: number[], y: number[]): number {
  return sum(w.filter((_, i) => pred[i] !== y[i])) / sum(w);
}

export function learnerWeight(error: number): number {
  const e = Math.max(1e-10, Math.min(1 - 1e-10, error));
  return Math.log((1 - e) / e) / 2;
}

export function updateWeights(w: number[], pred: number[], y: number[], alpha: number): number[] {
  const raw = w.map((wi, i) => wi * Math.exp(pred[i] === y[i] ? -alpha : alpha));
  const total = sum(raw);
  return raw.map((r) => r / total);
}

const predict = (s: Stump, x: number[]) => (x[s.feature] > s.threshold ? s.polarity : -s.polarity);

export function fitStump(X: number[][], y: number[], w: number[]): Stump {
  let best: Stump = { feature: 0, threshold: -Infinity, polarity: 1 };
  let bestError = Infinity;
  const consider = (feature: number, threshold: number, errorPlus: number, total: number) => {
    for (const [polarity, error] of [[-1, total - errorPlus], [1, errorPlus]] as const) {
      if (error <= bestError) {
        bestError = error;
        best = { feature, threshold, polarity };
      }
    }
  };
  const total = sum(w);
  for (let f = 0; f < X[0].length; f++) {
    const order = X.map((_, i) => i).sort((a, b) => X[a][f] - X[b][f]);
    // Threshold −Infinity: every event is predicted +1, so the negatives are wrong.
    let errorPlus = sum(w.filter((_, i) => y[i] !== 1));
    consider(f, -Infinity, errorPlus, total);
    order.forEach((i, rank) => {
      errorPlus += y[i] === 1 ? w[i] : -w[i];
      const next = order[rank + 1];
      if (next === undefined) consider(f, Infinity, errorPlus, total);
      else if (X[next][f] !== X[i][f]) consider(f, (X[i][f] + X[next][f]) / 2, errorPlus, total);
    });
  }
  return best;
}

export function trainAdaBoost(
  X: number[][],
  y: number[],
  rounds: number,
): { stumps: Stump[]; alphas: number[] } {
  const model = { stumps: [] as Stump[], alphas: [] as number[] };
  let w = X.map(() => 1 / X.length);
  while (model.stumps.length < rounds) {
    const stump = fitStump(X, y, w);
    const pred = X.map((x) => predict(stump, x));
    const alpha = learnerWeight(weightedError(w, pred, y));
    model.stumps.push(stump);
    model.alphas.push(alpha);
    w = updateWeights(w, pred, y, alpha);
  }
  return model;
}

export function decisionFunction(
  model: { stumps: Stump[]; alphas: number[] },
  X: number[][],
): number[] {
  return X.map((x) => sum(model.stumps.map((s, m) => model.alphas[m] * predict(s, x))));
}
