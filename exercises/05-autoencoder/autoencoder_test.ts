import * as m from "./autoencoder.ts";
import type { DenseLayer } from "./autoencoder.ts";
import {
  assertAllClose,
  assertClose,
  assertVector,
  callWithoutMutation,
  exported,
  fail,
  show,
} from "../../course/testing.ts";
import { anomalySample } from "../../fixtures/hep.ts";

const FILE = "autoencoder.ts";

/** A 2 → 2 layer whose second unit has a negative pre-activation: z = [3, −4] for x = [2, 1]. */
function layer(activation: DenseLayer["activation"]): DenseLayer {
  return { weights: [[1, -2], [0.5, 1]], bias: [0.5, -1], activation };
}

/** The README's worked example: a 2-3-2 network. */
const NET_2_3_2: DenseLayer[] = [
  { weights: [[1, -1, 0.5], [0.5, 1, -1]], bias: [0, 0.5, 1], activation: "relu" },
  { weights: [[1, 0], [-1, 1], [2, 1]], bias: [0.5, -2], activation: "linear" },
];

/**
 * The area under the ROC curve: the probability that a random signal event (label 1)
 * scores above a random background event (label 0), a tie counting ½. Exact, by ranks.
 */
function auc(scores: number[], labels: number[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const rank = new Array<number>(scores.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end < order.length && scores[order[end]] === scores[order[start]]) end++;
    // Tied events share the mean of their ranks (1-based), which counts a tie as ½.
    for (let k = start; k < end; k++) rank[order[k]] = (start + end + 1) / 2;
    start = end;
  }
  const signal = labels.filter((l) => l === 1).length;
  const background = labels.length - signal;
  const signalRanks = labels.reduce((sum, l, i) => (l === 1 ? sum + rank[i] : sum), 0);
  return (signalRanks - (signal * (signal + 1)) / 2) / (signal * background);
}

const data = anomalySample({
  seed: "05-autoencoder visible",
  background: 1000,
  mixture: 1000,
  signalFraction: 0.5,
});
const AUC_THRESHOLD = 0.85;
const BACKGROUND_AS_GIVEN = JSON.stringify(data.background);

let trained: Promise<unknown> | undefined;
/** Trains once on the background, shared by the score() tests. */
function trainedModel(): Promise<unknown> {
  const train = exported(m, "train", FILE);
  trained ??= Promise.resolve().then(() => train(data.background, { seed: 1 }));
  return trained;
}

async function scores(events: number[][]): Promise<number[]> {
  const score = exported(m, "score", FILE);
  const result = await score(await trainedModel(), events);
  assertVector(result, `score(model, ${events.length} events)`, events.length);
  return result;
}

Deno.test("reconstructionError() sums the squared differences", () => {
  const reconstructionError = exported(m, "reconstructionError", FILE);
  assertClose(
    callWithoutMutation("reconstructionError", reconstructionError, [1, 2, 3], [1, 0, 5]),
    8,
    "reconstructionError([1, 2, 3], [1, 0, 5])",
  );
  assertClose(
    reconstructionError([1, 2], [1, -0.5]),
    6.25,
    "reconstructionError([1, 2], [1, -0.5]) (the README's example)",
  );
});

Deno.test("reconstructionError() squares differences of either sign", () => {
  const reconstructionError = exported(m, "reconstructionError", FILE);
  assertClose(reconstructionError([0, 0], [1, 2]), 5, "reconstructionError([0, 0], [1, 2])");
  assertClose(reconstructionError([3, -1], [1, 1]), 8, "reconstructionError([3, -1], [1, 1])");
});

Deno.test("reconstructionError() is 0 for a perfect reconstruction", () => {
  const reconstructionError = exported(m, "reconstructionError", FILE);
  const x = [0.25, -1.5, 2];
  assertClose(reconstructionError(x, [...x]), 0, "reconstructionError(x, x)");
});

Deno.test("forward() computes z = x·W + b with W indexed [input][unit], then relu", () => {
  const forward = exported(m, "forward", FILE);
  const out = callWithoutMutation("forward", forward, [layer("relu")], [2, 1]);
  assertAllClose(
    out,
    [3, 0],
    "forward([relu layer W = [[1, -2], [0.5, 1]], b = [0.5, -1]], [2, 1]) " +
      "(z = [3, -4]; relu(-4) = 0)",
  );
});

Deno.test("forward() keeps negative values with a linear activation", () => {
  const forward = exported(m, "forward", FILE);
  assertAllClose(
    forward([layer("linear")], [2, 1]),
    [3, -4],
    "forward([linear layer W = [[1, -2], [0.5, 1]], b = [0.5, -1]], [2, 1])",
  );
});

Deno.test("forward() applies the sigmoid 1 / (1 + e^(−z))", () => {
  const forward = exported(m, "forward", FILE);
  assertAllClose(
    forward([layer("sigmoid")], [2, 1]),
    [1 / (1 + Math.exp(-3)), 1 / (1 + Math.exp(4))],
    "forward([sigmoid layer W = [[1, -2], [0.5, 1]], b = [0.5, -1]], [2, 1]) (z = [3, -4])",
  );
});

Deno.test("forward() applies tanh", () => {
  const forward = exported(m, "forward", FILE);
  assertAllClose(
    forward([layer("tanh")], [2, 1]),
    [Math.tanh(3), Math.tanh(-4)],
    "forward([tanh layer W = [[1, -2], [0.5, 1]], b = [0.5, -1]], [2, 1]) (z = [3, -4])",
  );
});

Deno.test("forward() chains layers: the README's 2-3-2 network", () => {
  const forward = exported(m, "forward", FILE);
  const out = callWithoutMutation("forward", forward, NET_2_3_2, [1, 2]);
  assertAllClose(
    out,
    [1, -0.5],
    "forward(the README's 2-3-2 network, [1, 2]) (hidden layer: z = [2, 1.5, -0.5] → [2, 1.5, 0])",
  );
});

Deno.test("forward() returns one value per unit of the last layer", () => {
  const forward = exported(m, "forward", FILE);
  const wide: DenseLayer = {
    weights: [[1, 0, -1, 2], [0, 1, 1, -1], [1, 1, 0, 0]],
    bias: [0, 0, 0, 1],
    activation: "linear",
  };
  assertAllClose(
    forward([wide], [1, 2, 3]),
    [4, 5, 1, 1],
    "forward([linear 3 → 4 layer], [1, 2, 3])",
  );
  const narrow: DenseLayer = { weights: [[1], [2], [3]], bias: [-1], activation: "linear" };
  assertAllClose(
    forward([wide, { weights: [[1], [1], [1], [1]], bias: [0], activation: "relu" }], [1, 2, 3]),
    [11],
    "forward([linear 3 → 4, relu 4 → 1], [1, 2, 3])",
  );
  assertAllClose(forward([narrow], [1, 1, 1]), [5], "forward([linear 3 → 1 layer], [1, 1, 1])");
});

Deno.test(`score() after train() on background ranks signal above background (AUC > ${AUC_THRESHOLD})`, async () => {
  const result = await scores(data.mixture);
  const area = auc(result, data.labels);
  if (!(area > AUC_THRESHOLD)) {
    fail(
      `the AUC of score() on the test mixture is ${area.toFixed(3)}, expected above ` +
        `${AUC_THRESHOLD}` +
        (area < 0.5
          ? ": signal scores lower than background; is a higher score more anomalous?"
          : ": does the network have a bottleneck, and is it trained long enough?"),
    );
  }
});

Deno.test("score() returns one finite number per event", async () => {
  const events = data.mixture.slice(0, 20);
  const result = await scores(events);
  const bad = result.findIndex((s) => !Number.isFinite(s));
  if (bad >= 0) fail(`score() returned ${show(result[bad])} for event ${bad}: expected a number`);
  const single = await scores([data.mixture[0]]);
  assertClose(single[0], result[0], "score(model, [event 0]) versus scoring it in a batch", {
    rtol: 1e-3,
  });
});

Deno.test("score() leaves the events and train() leaves the background unchanged", async () => {
  await trainedModel();
  if (JSON.stringify(data.background) !== BACKGROUND_AS_GIVEN) {
    fail("train() changed the background events: functions must not mutate their inputs");
  }
  const events = data.mixture.slice(0, 10);
  const copy = structuredClone(events);
  await scores(events);
  if (JSON.stringify(copy) !== JSON.stringify(events)) {
    fail("score() changed the events it scored: functions must not mutate their inputs");
  }
});
