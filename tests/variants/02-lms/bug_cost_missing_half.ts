// bug: cost: the ½ in front of the sum of squared errors is left out
export const predict = (theta: number[], x: number[]): number =>
  theta.reduce((sum, t, j) => sum + t * x[j], 0);

export const cost = (theta: number[], X: number[][], y: number[]): number =>
  X.map((x, i) => x.reduce((h, xj, j) => h + theta[j] * xj, 0) - y[i])
    .reduce((sum, e) => sum + e * e, 0);

export const lmsUpdate = (theta: number[], x: number[], y: number, alpha: number): number[] => {
  const error = y - x.reduce((h, xj, j) => h + theta[j] * xj, 0);
  return theta.map((t, j) => t + alpha * error * x[j]);
};

export const batchUpdate = (
  theta: number[],
  X: number[][],
  y: number[],
  alpha: number,
): number[] => {
  const errors = X.map((x, i) => y[i] - x.reduce((h, xj, j) => h + theta[j] * xj, 0));
  return theta.map((t, j) => t + alpha * errors.reduce((sum, e, i) => sum + e * X[i][j], 0));
};

export const stochasticEpoch = (
  theta: number[],
  X: number[][],
  y: number[],
  alpha: number,
): number[] =>
  X.reduce((t, x, i) => {
    const error = y[i] - x.reduce((h, xj, j) => h + t[j] * xj, 0);
    return t.map((tj, j) => tj + alpha * error * x[j]);
  }, theta);
