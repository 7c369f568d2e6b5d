// deno-lint-ignore-file no-unused-vars -- the parameters are yours to use
/**
 * 05-autoencoder: an autoencoder's reconstruction error as an anomaly score.
 *
 * Read README.md first. Check your work with `deno task check 05-autoencoder`.
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

/**
 * The reconstruction error E = Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)².
 *
 * @param input The event fed to the network.
 * @param output The network's reconstruction of it.
 * @returns The sum of the squared differences.
 */
export function reconstructionError(input: number[], output: number[]): number {
  // TODO: sum the squared differences between input and output, entry by entry
  throw new Error("TODO: implement reconstructionError");
}

/**
 * Passes one event through a stack of dense layers.
 *
 * @param layers The layers, input side first.
 * @param x The event.
 * @returns The last layer's output.
 */
export function forward(layers: DenseLayer[], x: number[]): number[] {
  // TODO: for each layer, compute z = x·W + b, apply the activation, and feed it on
  throw new Error("TODO: implement forward");
}

/**
 * Trains an autoencoder on background-only events.
 *
 * @param background The training events (standardised features).
 * @param opts `epochs` (passes over the data) and `seed` (for reproducible initial weights);
 *   the defaults are yours to choose.
 * @returns The trained model, in any form that {@linkcode score} understands.
 */
export function train(
  background: number[][],
  opts?: { epochs?: number; seed?: number },
): Promise<unknown> {
  // TODO: build an autoencoder with a bottleneck and fit it to reproduce the background
  throw new Error("TODO: implement train");
}

/**
 * Scores events by how badly the trained autoencoder reconstructs them.
 *
 * @param model What {@linkcode train} returned.
 * @param events The events to score.
 * @returns One anomaly score per event: higher is more anomalous.
 */
export function score(model: unknown, events: number[][]): Promise<number[]> {
  // TODO: return each event's reconstruction error under the trained model
  throw new Error("TODO: implement score");
}
