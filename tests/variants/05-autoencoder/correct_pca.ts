/**
 * 05-autoencoder without tfjs, in a functional style: the optimal linear autoencoder is
 * principal component analysis, so train() builds its encoder and decoder from the top
 * eigenvectors of the background's covariance (Jacobi rotations) and score() runs them
 * through forward().
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

const BOTTLENECK = 3;

const sum = (values: number[]): number => values.reduce((s, v) => s + v, 0);

/** Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)². */
export const reconstructionError = (input: number[], output: number[]): number =>
  sum(input.map((x, i) => (x - output[i]) ** 2));

const activations: Record<DenseLayer["activation"], (z: number) => number> = {
  relu: (z) => (z < 0 ? 0 : z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: (z) => Math.tanh(z),
  linear: (z) => z,
};

const applyLayer = (a: number[], { weights, bias, activation }: DenseLayer): number[] =>
  bias.map((b, unit) => activations[activation](b + sum(a.map((ak, k) => ak * weights[k][unit]))));

/** The layers applied in turn. */
export const forward = (layers: DenseLayer[], x: number[]): number[] =>
  layers.reduce(applyLayer, x);

/** Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix. */
function eigen(matrix: number[][]): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v = matrix.map((_, i) => matrix.map((_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 50; sweep++) {
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-15) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (const m of [a, v]) {
          for (const row of m) {
            [row[p], row[q]] = [c * row[p] - s * row[q], s * row[p] + c * row[q]];
          }
        }
        for (let k = 0; k < n; k++) {
          [a[p][k], a[q][k]] = [c * a[p][k] - s * a[q][k], s * a[p][k] + c * a[q][k]];
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]), vectors: v };
}

/** A linear 6 → 3 → 6 autoencoder: projection onto the top principal components. */
export function train(
  background: number[][],
  _opts: { epochs?: number; seed?: number } = {},
): Promise<unknown> {
  const n = background.length;
  const features = background[0].map((_, j) => j);
  const mean = features.map((j) => sum(background.map((x) => x[j])) / n);
  const covariance = features.map((i) =>
    features.map((j) => sum(background.map((x) => (x[i] - mean[i]) * (x[j] - mean[j]))) / n)
  );
  const { values, vectors } = eigen(covariance);
  const top = features.sort((i, j) => values[j] - values[i]).slice(0, BOTTLENECK);
  const encoder = vectors.map((row) => top.map((c) => row[c]));
  const decoder = top.map((c) => vectors.map((row) => row[c]));
  const layers: DenseLayer[] = [
    {
      weights: encoder,
      bias: top.map((_, u) => -sum(mean.map((m, k) => m * encoder[k][u]))),
      activation: "linear",
    },
    { weights: decoder, bias: mean, activation: "linear" },
  ];
  return Promise.resolve(layers);
}

/** Each event's reconstruction error through the linear autoencoder. */
export const score = (model: unknown, events: number[][]): Promise<number[]> =>
  Promise.resolve(events.map((x) => reconstructionError(x, forward(model as DenseLayer[], x))));
