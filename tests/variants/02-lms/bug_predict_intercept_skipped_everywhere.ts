// bug: predict: leaves out θ₀x₀, and every other function computes h_θ(x) by calling predict()
/**
 * LMS written the way the lecture builds it up: every function that needs h_θ(x) calls
 * predict(), and stochasticEpoch() calls lmsUpdate(). A bug in predict() shows in all of
 * them; the grader must charge it to predict() alone.
 *
 * @module
 */

export function predict(theta: number[], x: number[]): number {
  let h = 0;
  for (let j = 1; j < theta.length; j++) h += theta[j] * x[j];
  return h;
}

export function cost(theta: number[], X: number[][], y: number[]): number {
  let sum = 0;
  for (let i = 0; i < X.length; i++) sum += (predict(theta, X[i]) - y[i]) ** 2;
  return sum / 2;
}

export function lmsUpdate(theta: number[], x: number[], y: number, alpha: number): number[] {
  const step = alpha * (y - predict(theta, x));
  return theta.map((t, j) => t + step * x[j]);
}

export function batchUpdate(theta: number[], X: number[][], y: number[], alpha: number): number[] {
  const next = [...theta];
  for (let i = 0; i < X.length; i++) {
    const step = alpha * (y[i] - predict(theta, X[i]));
    for (let j = 0; j < next.length; j++) next[j] += step * X[i][j];
  }
  return next;
}

export function stochasticEpoch(
  theta: number[],
  X: number[][],
  y: number[],
  alpha: number,
): number[] {
  let current = theta;
  for (let i = 0; i < X.length; i++) current = lmsUpdate(current, X[i], y[i], alpha);
  return current;
}
