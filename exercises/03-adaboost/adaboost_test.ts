/**
 * Visible tests for adaboost.ts. Run them with `deno task check 03-adaboost`.
 *
 * Most numbers come from the worked example in README.md: six di-jet events, three of
 * them from a resonance near 1 TeV, boosted for three rounds.
 *
 * @module
 */
import * as m from "./adaboost.ts";
import type { Stump } from "./adaboost.ts";
import {
  assertAllClose,
  assertClose,
  assertVector,
  callWithoutMutation,
  exported,
  fail,
  show,
} from "../../course/testing.ts";
import { isClose } from "../../course/tolerance.ts";
import { createRng } from "../../fixtures/random.ts";

const FILE = "adaboost.ts";

// The worked example of README.md: the di-jet mass m_jj in GeV; +1 signal, −1 background.
/**
 * Deep-freezes a fixture shared by several tests: a function that writes into its input
 * throws where it does so, instead of changing what later tests see.
 */
function frozen<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    Object.values(value).forEach(frozen);
    Object.freeze(value);
  }
  return value;
}

const MASSES = frozen([650, 910, 990, 1030, 1180, 1420]);
const X = frozen(MASSES.map((mjj) => [mjj]));
const Y = frozen([-1, 1, 1, 1, -1, -1]);
/** The event weights at the start of rounds 1, 2 and 3. */
const W1 = frozen([1, 1, 1, 1, 1, 1].map((w) => w / 6));
const W2 = frozen([1 / 2, 1 / 10, 1 / 10, 1 / 10, 1 / 10, 1 / 10]);
const W3 = frozen([5 / 16, 1 / 16, 1 / 16, 1 / 16, 1 / 4, 1 / 4]);
/** The outputs of the stumps chosen in rounds 1, 2 and 3. */
const H1 = frozen([1, 1, 1, 1, -1, -1]); // signal where m_jj ≤ 1030 GeV
const H2 = frozen([-1, 1, 1, 1, 1, 1]); // signal where m_jj > 650 GeV
const H3 = frozen([-1, -1, -1, -1, -1, -1]); // background everywhere
/** α₁ = ½ ln 5, α₂ = ln 2, α₃ = ½ ln(13/3). */
const ALPHAS = [0.5 * Math.log(5), Math.log(2), 0.5 * Math.log(13 / 3)];

/** The output of a stump for one event, by the rule of the README. */
function predictStump(stump: Stump, x: number[]): number {
  return x[stump.feature] > stump.threshold ? stump.polarity : -stump.polarity;
}

/** The weighted error of a stump on the data: how tests judge fitStump's choice. */
function stumpError(stump: Stump, X: number[][], y: number[], w: number[]): number {
  let wrong = 0;
  let total = 0;
  X.forEach((x, i) => {
    total += w[i];
    if (predictStump(stump, x) !== y[i]) wrong += w[i];
  });
  return wrong / total;
}

/** Fails unless `stump` has a valid feature index, a numeric threshold and polarity ±1. */
function assertStump(stump: unknown, what: string, features: number): asserts stump is Stump {
  if (typeof stump !== "object" || stump === null) {
    fail(`${what} returned ${show(stump)}, but it must return { feature, threshold, polarity }`);
  }
  const { feature, threshold, polarity } = stump as Record<string, unknown>;
  if (!Number.isInteger(feature) || (feature as number) < 0 || (feature as number) >= features) {
    fail(`${what} returned feature ${show(feature)}: expected an index from 0 to ${features - 1}`);
  }
  if (typeof threshold !== "number" || Number.isNaN(threshold)) {
    fail(`${what} returned threshold ${show(threshold)}: expected a number (−Infinity is fine)`);
  }
  if (polarity !== 1 && polarity !== -1) {
    fail(`${what} returned polarity ${show(polarity)}: expected the number 1 or -1`);
  }
}

/** Fits a stump and fails unless its weighted error is the smallest possible, `best`. */
function assertBestStump(X: number[][], y: number[], w: number[], best: number, what: string) {
  const fitStump = exported(m, "fitStump", FILE);
  const stump = callWithoutMutation("fitStump", fitStump, X, y, w);
  assertStump(stump, what, X[0].length);
  const error = stumpError(stump, X, y, w);
  if (Math.abs(error - best) > 1e-9) {
    fail(
      `${what} returned ${show(stump)}, whose weighted error is ${error}; ` +
        `the best stump has weighted error ${best}. Did you try every feature, every cut ` +
        `and both polarities, and weigh each misclassified event by its wᵢ?`,
    );
  }
}

/** A small two-feature toy sample: a resonance in m_jj (GeV) and central jets in |Δη|. */
function toySample(n: number): { X: number[][]; y: number[] } {
  const rng = createRng("resonance");
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const signal = i % 2 === 0;
    const mjj = signal ? rng.normal(1000, 60) : 500 + rng.exponential(1 / 300);
    const deltaEta = Math.abs(signal ? rng.normal(0, 1) : rng.normal(0, 2));
    // Whole GeV and quarter units of Δη are exact in float32 too.
    X.push([Math.round(mjj), Math.round(deltaEta * 4) / 4]);
    y.push(signal ? 1 : -1);
  }
  return { X, y };
}

/** The share of events whose sign of T(x) = Σₘ αₘ hₘ(x) disagrees with the label. */
function trainingError(model: { stumps: Stump[]; alphas: number[] }, X: number[][], y: number[]) {
  const wrong = X.filter((x, i) => {
    const t = model.stumps.reduce((sum, s, k) => sum + model.alphas[k] * predictStump(s, x), 0);
    return t * y[i] <= 0;
  });
  return wrong.length / X.length;
}

/** Fails unless `model` has `rounds` valid stumps and `rounds` finite alphas. */
function assertModel(model: unknown, what: string, rounds: number, features: number) {
  if (typeof model !== "object" || model === null) {
    fail(`${what} returned ${show(model)}, but it must return { stumps, alphas }`);
  }
  const { stumps, alphas } = model as Record<string, unknown>;
  if (!Array.isArray(stumps) || stumps.length !== rounds) {
    fail(`${what} returned stumps ${show(stumps)}: expected an array of ${rounds} stumps`);
  }
  stumps.forEach((stump, k) => assertStump(stump, `${what} (stump ${k})`, features));
  assertVector(alphas, `${what} (alphas)`, rounds);
  const bad = alphas.findIndex((a) => !Number.isFinite(a));
  if (bad >= 0) {
    fail(
      `${what} returned alpha ${show(alphas[bad])} in round ${bad + 1}: every αₘ must be ` +
        `finite (clamp ε as learnerWeight does)`,
    );
  }
}

Deno.test("weightedError() is the misclassified share of the weight", () => {
  const weightedError = exported(m, "weightedError", FILE);
  assertClose(weightedError(W1, H1, Y), 1 / 6, "weightedError(w₁, h₁, y)");
  assertClose(weightedError(W2, H2, Y), 1 / 5, "weightedError(w₂, h₂, y)");
  assertClose(weightedError(W3, H3, Y), 3 / 16, "weightedError(w₃, h₃, y)");
});

Deno.test("weightedError() divides by Σ wᵢ when the weights do not sum to 1", () => {
  const weightedError = exported(m, "weightedError", FILE);
  const pred = [1, 1, -1, -1];
  const y = [1, -1, -1, 1];
  assertClose(weightedError([1, 2, 3, 4], pred, y), 0.6, "weightedError([1, 2, 3, 4], …)");
  assertClose(weightedError([5, 1, 1, 1, 4, 4], H3, Y), 3 / 16, "weightedError([5, 1, 1, …], …)");
});

Deno.test("weightedError() is 0 when every event is right and 1 when every event is wrong", () => {
  const weightedError = exported(m, "weightedError", FILE);
  assertClose(weightedError([0.2, 3, 1], [1, -1, 1], [1, -1, 1]), 0, "weightedError(all right)");
  assertClose(weightedError([0.2, 3, 1], [-1, 1, -1], [1, -1, 1]), 1, "weightedError(all wrong)");
});

Deno.test("weightedError() does not change its arguments", () => {
  const weightedError = exported(m, "weightedError", FILE);
  callWithoutMutation("weightedError", weightedError, [2, 1, 1], [1, 1, -1], [1, -1, -1]);
});

Deno.test("learnerWeight() is ½ ln((1 − ε)/ε)", () => {
  const learnerWeight = exported(m, "learnerWeight", FILE);
  assertClose(learnerWeight(1 / 6), ALPHAS[0], "learnerWeight(1/6)");
  assertClose(learnerWeight(1 / 5), ALPHAS[1], "learnerWeight(1/5)");
  assertClose(learnerWeight(3 / 16), ALPHAS[2], "learnerWeight(3/16)");
  assertClose(learnerWeight(0.25), 0.5 * Math.log(3), "learnerWeight(0.25)");
});

Deno.test("learnerWeight() is 0 at ε = ½ and negative for a learner worse than chance", () => {
  const learnerWeight = exported(m, "learnerWeight", FILE);
  assertClose(learnerWeight(0.5), 0, "learnerWeight(0.5)");
  assertClose(learnerWeight(0.75), -0.5 * Math.log(3), "learnerWeight(0.75)");
});

Deno.test("learnerWeight() clamps ε to [1e-10, 1 − 1e-10], so α stays finite at ε = 0 and 1", () => {
  const learnerWeight = exported(m, "learnerWeight", FILE);
  const limit = 0.5 * Math.log((1 - 1e-10) / 1e-10); // ≈ 11.51
  assertClose(learnerWeight(0), limit, "learnerWeight(0)");
  assertClose(learnerWeight(1), -limit, "learnerWeight(1)");
});

Deno.test("updateWeights() multiplies by exp(−α yᵢ hᵢ) and renormalises", () => {
  const updateWeights = exported(m, "updateWeights", FILE);
  assertAllClose(updateWeights(W1, H1, Y, ALPHAS[0]), W2, "updateWeights(w₁, h₁, y, ½ ln 5)");
  assertAllClose(updateWeights(W2, H2, Y, ALPHAS[1]), W3, "updateWeights(w₂, h₂, y, ln 2)");
  const w = [0.1, 0.2, 0.3, 0.4];
  const raw = [0.1 * 2, 0.2 / 2, 0.3 / 2, 0.4 * 2]; // e^{ln 2} = 2 up, e^{−ln 2} = ½ down
  const total = raw.reduce((a, b) => a + b, 0);
  assertAllClose(
    updateWeights(w, [1, 1, -1, -1], [-1, 1, -1, 1], Math.log(2)),
    raw.map((r) => r / total),
    "updateWeights([0.1, 0.2, 0.3, 0.4], [1, 1, -1, -1], [-1, 1, -1, 1], ln 2)",
  );
});

Deno.test("updateWeights() returns weights that sum to 1, even from unnormalised weights", () => {
  const updateWeights = exported(m, "updateWeights", FILE);
  const cases: [number[], number[], number[], number][] = [
    [[5, 1, 1, 1, 4, 4], H3, Y, ALPHAS[2]],
    [[2, 7, 1], [1, -1, 1], [1, 1, 1], 0.3],
    [[1, 1, 1], [1, 1, 1], [1, 1, 1], 11.5],
  ];
  for (const [w, pred, y, alpha] of cases) {
    const what = `updateWeights(${show(w)}, ${show(pred)}, ${show(y)}, ${alpha})`;
    const result = updateWeights(w, pred, y, alpha);
    assertVector(result, what, w.length);
    assertClose(result.reduce((a, b) => a + b, 0), 1, `the sum of ${what}`);
  }
  assertAllClose(
    updateWeights([2, 6], [1, -1], [1, 1], 0),
    [0.25, 0.75],
    "updateWeights(…, α = 0)",
  );
});

Deno.test("updateWeights() moves weight onto the misclassified events", () => {
  const updateWeights = exported(m, "updateWeights", FILE);
  const w = [0.1, 0.3, 0.2, 0.4];
  const pred = [1, -1, -1, 1];
  const y = [1, 1, -1, -1]; // events 1 and 3 are wrong
  const result = updateWeights(w, pred, y, 0.4);
  assertVector(result, "updateWeights([0.1, 0.3, 0.2, 0.4], …, 0.4)", 4);
  for (let i = 0; i < 4; i++) {
    const wrong = pred[i] !== y[i];
    if (wrong ? result[i] <= w[i] : result[i] >= w[i]) {
      fail(
        `updateWeights(${show(w)}, ${show(pred)}, ${show(y)}, 0.4) returned ${show(result)}: ` +
          `event ${i} is ${wrong ? "misclassified and must gain" : "right and must lose"} ` +
          `weight (${w[i]} before). Check the sign in exp(−α yᵢ hₘ(xᵢ))`,
      );
    }
  }
  // With α from ε, the misclassified events end up holding exactly half of the weight.
  const alpha = 0.5 * Math.log(0.7 / 0.3); // ε = (1 + 2)/10
  const half = updateWeights([1, 2, 3, 4], [-1, 1, -1, 1], [1, -1, -1, 1], alpha);
  assertVector(half, "updateWeights([1, 2, 3, 4], …)", 4);
  assertClose(
    half[0] + half[1],
    0.5,
    "the misclassified events' share after updateWeights([1, 2, 3, 4], [-1, 1, -1, 1], [1, -1, -1, 1], ½ ln(7/3))",
  );
});

Deno.test("updateWeights() does not change its arguments", () => {
  const updateWeights = exported(m, "updateWeights", FILE);
  callWithoutMutation("updateWeights", updateWeights, W1, H1, Y, ALPHAS[0]);
});

Deno.test("fitStump() finds a stump with the least weighted error in each round of the example", () => {
  assertBestStump(X, Y, W1, 1 / 6, "fitStump(X, y, w₁) (round 1)");
  assertBestStump(X, Y, W2, 1 / 5, "fitStump(X, y, w₂) (round 2)");
});

Deno.test("fitStump() uses polarity −1 when signal lies below the cut", () => {
  // Signal at low m_jj only: no stump with polarity +1 does better than ε = ½.
  assertBestStump(
    [[400], [500], [600], [700], [800], [900]],
    [1, 1, 1, -1, -1, -1],
    W1,
    0,
    "fitStump(…)",
  );
});

Deno.test("fitStump() considers the cut below (or above) every event, which predicts one class", () => {
  assertBestStump(X, Y, W3, 3 / 16, "fitStump(X, y, w₃) (round 3)");
  assertBestStump([[7], [7], [7]], [1, -1, 1], [1, 1, 1], 1 / 3, "fitStump([[7], [7], [7]], …)");
});

Deno.test("fitStump() accepts weights that do not sum to 1", () => {
  assertBestStump(X, Y, [5, 1, 1, 1, 4, 4], 3 / 16, "fitStump(X, y, [5, 1, 1, 1, 4, 4])");
  assertBestStump(X, Y, [30, 6, 6, 6, 6, 6], 1 / 5, "fitStump(X, y, [30, 6, 6, 6, 6, 6])");
});

Deno.test("fitStump() searches every feature", () => {
  // |Δη| (feature 1) separates the classes perfectly; m_jj (feature 0) does not.
  const X2 = [[650, 3.5], [910, 0.25], [990, 1], [1030, 0.5], [1180, 2.25], [1420, 1.5]];
  assertBestStump(X2, [-1, 1, 1, 1, -1, -1], W1, 0, "fitStump([[650, 3.5], …], …)");
  // The number of jets (feature 0) cuts worse than m_jj (feature 1) in rounds 1 and 2.
  const X3 = [[2, 650], [3, 910], [2, 990], [2, 1030], [4, 1180], [3, 1420]];
  assertBestStump(X3, Y, W1, 1 / 6, "fitStump([[2, 650], [3, 910], …], y, w₁)");
  assertBestStump(X3, Y, W2, 1 / 5, "fitStump([[2, 650], [3, 910], …], y, w₂)");
});

Deno.test("fitStump() accepts any of several equally good stumps", () => {
  // Many cuts tie here; any of them is right.
  assertBestStump([[1], [2], [3], [4]], [1, -1, 1, -1], [1, 1, 1, 1], 1 / 4, "fitStump([[1], …])");
  assertBestStump(
    [[3], [1], [4], [1], [5]],
    [1, 1, -1, -1, 1],
    [1, 1, 1, 1, 1],
    2 / 5,
    "fitStump([[3], …])",
  );
});

Deno.test("fitStump() does not change its arguments", () => {
  // assertBestStump passes copies and checks them; this covers uneven weights as well.
  assertBestStump(X, Y, W3, 3 / 16, "fitStump(X, y, w₃)");
});

Deno.test("trainAdaBoost() returns one stump and one finite α per round", () => {
  const trainAdaBoost = exported(m, "trainAdaBoost", FILE);
  const { X: toyX, y: toyY } = toySample(40);
  for (const rounds of [1, 4]) {
    assertModel(
      trainAdaBoost(toyX, toyY, rounds),
      `trainAdaBoost(toy sample, ${rounds})`,
      rounds,
      2,
    );
  }
});

Deno.test("trainAdaBoost() reproduces α₁ and α₂ of the worked example", () => {
  const trainAdaBoost = exported(m, "trainAdaBoost", FILE);
  const model = trainAdaBoost(X, Y, 2);
  assertModel(model, "trainAdaBoost(X, y, 2)", 2, 1);
  const expected = ALPHAS.slice(0, 2);
  if (!expected.every((alpha, k) => isClose(model.alphas[k], alpha))) {
    fail(
      `trainAdaBoost(X, y, 2) returned alphas ${show(model.alphas)}, expected ${show(expected)}: ` +
        `½ ln 5 from ε₁ = 1/6 on the uniform weights 1/6, then ln 2 from ε₂ = 1/5 on the ` +
        `updated weights. Do the weights start at 1/N and change after every round?`,
    );
  }
});

Deno.test("trainAdaBoost() classifies all six events of the worked example after three rounds", () => {
  const trainAdaBoost = exported(m, "trainAdaBoost", FILE);
  const model = trainAdaBoost(X, Y, 3);
  assertModel(model, "trainAdaBoost(X, y, 3)", 3, 1);
  assertAllClose(model.alphas, ALPHAS, "trainAdaBoost(X, y, 3).alphas");
  const error = trainingError(model, X, Y);
  if (error > 0) {
    fail(`trainAdaBoost(X, y, 3) returned ${show(model)}: its training error is ${error}`);
  }
});

Deno.test("trainAdaBoost() lowers the training error well below a single stump's", () => {
  const trainAdaBoost = exported(m, "trainAdaBoost", FILE);
  const { X: toyX, y: toyY } = toySample(40);
  const single = trainingError(trainAdaBoost(toyX, toyY, 1), toyX, toyY);
  const model = trainAdaBoost(toyX, toyY, 20);
  assertModel(model, "trainAdaBoost(toy sample, 20)", 20, 2);
  const boosted = trainingError(model, toyX, toyY);
  if (!(boosted <= 0.05 && boosted < single)) {
    fail(
      `trainAdaBoost(toy sample, 20) has training error ${boosted} (one stump: ${single}); ` +
        `expected at most 0.05. Does each round fit its stump to the updated weights?`,
    );
  }
});

Deno.test("trainAdaBoost() keeps every α finite on perfectly separable events", () => {
  const trainAdaBoost = exported(m, "trainAdaBoost", FILE);
  const model = trainAdaBoost([[1], [2], [3], [4]], [-1, -1, 1, 1], 3);
  assertModel(model, "trainAdaBoost([[1], [2], [3], [4]], [-1, -1, 1, 1], 3)", 3, 1);
  const error = trainingError(model, [[1], [2], [3], [4]], [-1, -1, 1, 1]);
  if (error > 0) fail(`trainAdaBoost(separable events, 3) misclassifies a share ${error}`);
});

Deno.test("trainAdaBoost() does not change its arguments", () => {
  const trainAdaBoost = exported(m, "trainAdaBoost", FILE);
  callWithoutMutation("trainAdaBoost", trainAdaBoost, X, Y, 3);
});

Deno.test("decisionFunction() sums αₘ hₘ(x) over the stumps", () => {
  const decisionFunction = exported(m, "decisionFunction", FILE);
  const model = {
    stumps: [
      { feature: 0, threshold: 1030, polarity: -1 },
      { feature: 0, threshold: 650, polarity: 1 },
      { feature: 0, threshold: -Infinity, polarity: -1 },
    ] satisfies Stump[],
    alphas: ALPHAS,
  };
  const [a1, a2, a3] = ALPHAS;
  assertAllClose(
    callWithoutMutation("decisionFunction", decisionFunction, model, X),
    [a1 - a2 - a3, a1 + a2 - a3, a1 + a2 - a3, a1 + a2 - a3, -a1 + a2 - a3, -a1 + a2 - a3],
    "decisionFunction(worked example, X)",
  );
});

Deno.test("decisionFunction() weights each vote by its α and reads each stump's feature", () => {
  const decisionFunction = exported(m, "decisionFunction", FILE);
  const model = {
    stumps: [
      { feature: 1, threshold: 1.5, polarity: -1 },
      { feature: 0, threshold: 900, polarity: 1 },
    ] satisfies Stump[],
    alphas: [2, 0.5],
  };
  const events = [[1000, 0.5], [1000, 2], [800, 1.5], [900, 3]];
  assertAllClose(decisionFunction(model, events), [2.5, -1.5, 1.5, -2.5], "decisionFunction(…)");
});

Deno.test("decisionFunction() does not change its arguments", () => {
  const decisionFunction = exported(m, "decisionFunction", FILE);
  const model = { stumps: [{ feature: 0, threshold: 2, polarity: 1 }] as Stump[], alphas: [0.7] };
  callWithoutMutation("decisionFunction", decisionFunction, model, [[1], [3]]);
});
