// bug: forward: implements relu as |z|, so negative pre-activations come out positive instead of 0
/**
 * 05-autoencoder without tfjs: plain loops, and the Mahalanobis distance from the
 * background's mean as the anomaly score. Like an autoencoder's bottleneck, the inverse
 * covariance punishes events that break the background's correlations.
 *
 * @module
 */

/** One fully connected layer: z = x·W + b, then the activation, unit by unit. */
export interface DenseLayer {
  /** The kernel W, indexed [input][unit] as in a tfjs Dense layer. */
  weights: number[][];
  /** The bias b, one per unit. */
  bias: number[];
  /** The activation applied to z. */
  activation: "relu" | "sigmoid" | "tanh" | "linear";
}

interface Gaussian {
  mean: number[];
  inverseCovariance: number[][];
}

/** Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)². */
export function reconstructionError(input: number[], output: number[]): number {
  let sum = 0;
  for (let i = 0; i < input.length; i++) {
    const d = input[i] - output[i];
    sum += d * d;
  }
  return sum;
}

function activate(activation: DenseLayer["activation"], z: number): number {
  switch (activation) {
    case "relu":
      return Math.abs(z);
    case "sigmoid":
      return 1 / (1 + Math.exp(-z));
    case "tanh":
      return Math.tanh(z);
    case "linear":
      return z;
  }
}

/** The layers applied in turn, z = x·W + b then the activation. */
export function forward(layers: DenseLayer[], x: number[]): number[] {
  let a = x.slice();
  for (const layer of layers) {
    const next: number[] = [];
    for (let j = 0; j < layer.bias.length; j++) {
      let z = layer.bias[j];
      for (let k = 0; k < a.length; k++) z += a[k] * layer.weights[k][j];
      next.push(activate(layer.activation, z));
    }
    a = next;
  }
  return a;
}

/** The inverse of a symmetric positive-definite matrix, by Gauss–Jordan elimination. */
function invert(matrix: number[][]): number[][] {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    }
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const p = a[col][col];
    for (let c = 0; c < 2 * n; c++) a[col][c] /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col];
      for (let c = 0; c < 2 * n; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row) => row.slice(n));
}

/** Fits a Gaussian to the background: its mean and inverse covariance. */
export function train(
  background: number[][],
  _opts: { epochs?: number; seed?: number } = {},
): Promise<unknown> {
  const n = background.length;
  const f = background[0].length;
  const mean = new Array<number>(f).fill(0);
  for (const x of background) for (let j = 0; j < f; j++) mean[j] += x[j] / n;
  const covariance = Array.from({ length: f }, () => new Array<number>(f).fill(0));
  for (const x of background) {
    for (let i = 0; i < f; i++) {
      for (let j = 0; j < f; j++) covariance[i][j] += ((x[i] - mean[i]) * (x[j] - mean[j])) / n;
    }
  }
  // A small ridge keeps the inverse finite if a feature is constant.
  for (let i = 0; i < f; i++) covariance[i][i] += 1e-9;
  const model: Gaussian = { mean, inverseCovariance: invert(covariance) };
  return Promise.resolve(model);
}

/** The squared Mahalanobis distance (x − μ)ᵀ Σ⁻¹ (x − μ) of each event. */
export function score(model: unknown, events: number[][]): Promise<number[]> {
  const { mean, inverseCovariance } = model as Gaussian;
  return Promise.resolve(events.map((x) => {
    const d = x.map((v, j) => v - mean[j]);
    let s = 0;
    for (let i = 0; i < d.length; i++) {
      for (let j = 0; j < d.length; j++) s += d[i] * inverseCovariance[i][j] * d[j];
    }
    return s;
  }));
}
