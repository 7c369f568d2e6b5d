/**
 * Hidden tests of 03-adaboost (`adaboost.ts`).
 *
 * Numbers are compared with the reference core (core/adaboost.ts) within the tolerances of
 * core/precision.ts. Where the answer is a choice, quality decides: a stump passes when its
 * weighted error is as small as the reference's best (`isEquallyGoodStump`); a trained
 * model passes when, replayed round by round from uniform weights with its own stumps,
 * every stump is a best stump for that round's weights and every αₘ is the learner weight
 * of its error, and when the area under the ROC curve of its T(x) on the training events is
 * as good as the reference model's (`isEquallyGoodModel`; training accuracy would be too
 * sensitive: tied stumps in round 1 lead equally good implementations down paths whose
 * accuracies differ by a few percent)
 * (`isEquallyGoodModel`). Any tie-breaking and any threshold between the same events pass.
 *
 * The expected values of one draw are computed together, one batched call of the core per
 * function (`weightedErrorMany`, …), the first time a case needs one; a model's replay
 * fits the best stumps of all its rounds in one `fitStumpMany`.
 *
 * @module
 */
import { z } from "zod";
import { resonanceSample } from "../../fixtures/hep.ts";
import { auc } from "../../core/metrics.ts";
import type { Rng } from "../../fixtures/random.ts";
import * as adaboost from "../../core/adaboost.ts";
import {
  closeEnough,
  isEquallyGoodModel,
  isEquallyGoodStump,
  PRECISION,
  stumpError,
} from "../../core/precision.ts";
import type { BuiltOn, HiddenCase, HiddenSuite, Json, Misconception } from "../suite.ts";
import {
  allNear,
  anyNumber,
  batched,
  callPerInput,
  describe,
  type Failure,
  near,
  noMutationCase,
  numberArray,
  once,
  round,
  show,
  showMatrix,
  showVector,
} from "./_judge.ts";
import { STAND_INS } from "../child/drivers/adaboost.ts";

type Stump = adaboost.Stump;
type Model = adaboost.BoostedModel;

const MISCONCEPTIONS: Misconception[] = [
  {
    id: "weightedError-not-normalised",
    symbol: "weightedError",
    question: "If every weight is doubled, does your εₘ stay the same? Do you divide by Σ wᵢ?",
  },
  {
    id: "weightedError-unweighted",
    symbol: "weightedError",
    question: "Does each misclassified event count with its weight wᵢ, or as 1?",
  },
  {
    id: "weightedError-complement",
    symbol: "weightedError",
    question: "Do you add up the weight of the misclassified events, or of the correct ones?",
  },
  {
    id: "weightedError-mutates-input",
    symbol: "weightedError",
    question: "Does weightedError() write into w, pred or y?",
  },
  {
    id: "learnerWeight-missing-half",
    symbol: "learnerWeight",
    question: "Your αₘ is exactly twice the expected value: is the ½ in front of the logarithm?",
  },
  {
    id: "learnerWeight-inverted",
    symbol: "learnerWeight",
    question: "Is it ln((1 − ε)/ε) or ln(ε/(1 − ε))? Which one is positive for a good learner?",
  },
  {
    id: "learnerWeight-not-clamped",
    symbol: "learnerWeight",
    question: "What does your αₘ come out as for ε = 0 or ε = 1? Is ε clamped first?",
  },
  {
    id: "updateWeights-not-renormalised",
    symbol: "updateWeights",
    question: "Your weights have the right proportions: do they sum to 1 afterwards?",
  },
  {
    id: "updateWeights-sign",
    symbol: "updateWeights",
    question:
      "Which sign does your exponent −α yᵢ predᵢ carry: does a misclassified event gain weight when α > 0?",
  },
  {
    id: "updateWeights-mutates-input",
    symbol: "updateWeights",
    question: "Does updateWeights() write the new weights into the array w it was given?",
  },
  {
    id: "fitStump-polarity-ignored",
    symbol: "fitStump",
    question: "Do you try polarity −1 too, a stump that predicts +1 below the cut?",
  },
  {
    id: "fitStump-unweighted",
    symbol: "fitStump",
    question: "Does your stump search count each event with its weight wᵢ, or as 1?",
  },
  {
    id: "fitStump-mutates-input",
    symbol: "fitStump",
    question: "Does fitStump() sort or otherwise change X, y or w in place?",
  },
  {
    id: "trainAdaBoost-weights-not-updated",
    symbol: "trainAdaBoost",
    question: "Every round returns the same stump: do the weights change between rounds?",
  },
  {
    id: "trainAdaBoost-mutates-input",
    symbol: "trainAdaBoost",
    question: "Does trainAdaBoost() change X or y?",
  },
  {
    id: "decisionFunction-unweighted",
    symbol: "decisionFunction",
    question: "Does a stump with α = 2 count as much as one with α = 0.5 in your T(x)?",
  },
  {
    id: "decisionFunction-sign-only",
    symbol: "decisionFunction",
    question: "Do you return T(x) itself, or only its sign?",
  },
  {
    id: "decisionFunction-cut-inclusive",
    symbol: "decisionFunction",
    question: "Where x[feature] equals the threshold, which side of the cut is the event on?",
  },
  {
    id: "decisionFunction-mutates-input",
    symbol: "decisionFunction",
    question: "Does decisionFunction() change the model or X?",
  },
];

const sign = () => z.union([z.literal(1), z.literal(-1)]);
/** A threshold: any number but NaN (±Infinity gives the stumps that predict one class). */
const Threshold = z.custom<number>((v) => typeof v === "number" && !Number.isNaN(v));
const StumpSchema = z.object({ feature: z.number().int(), threshold: Threshold, polarity: sign() });
const ModelSchema = z.object({ stumps: z.array(StumpSchema), alphas: z.array(z.number()) });

/** Events, ±1 labels and non-negative weights. */
interface Weighted {
  X: number[][];
  y: number[];
  w: number[];
}

/** ±1 labels and a learner's ±1 outputs with their weights. */
interface Votes {
  w: number[];
  pred: number[];
  y: number[];
}

const plusMinus = (rng: Rng) => (rng.uniform() < 0.5 ? -1 : 1);
const size = (rng: Rng, low: number, high: number) => low + rng.int(high - low + 1);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** The reference core's batched functions for one draw: see {@linkcode batched}. */
function references() {
  return {
    weightedError: batched((inputs: Votes[]) => adaboost.weightedErrorMany(inputs)),
    learnerWeight: batched((errors: number[]) => adaboost.learnerWeightMany(errors)),
    updateWeights: batched((inputs: (Votes & { alpha: number })[]) =>
      adaboost.updateWeightsMany(inputs)
    ),
    fitStump: batched((inputs: Weighted[]) => adaboost.fitStumpMany(inputs)),
    decisionFunction: batched((inputs: { model: Model; X: number[][] }[]) =>
      adaboost.decisionFunctionMany(inputs)
    ),
  };
}

type References = ReturnType<typeof references>;

/** `n` weights on a grid of 0.01 that sum to 1: n positive whole parts of 100. */
function normalisedWeights(rng: Rng, n: number): number[] {
  const cuts = new Set<number>();
  while (cuts.size < n - 1) cuts.add(1 + rng.int(99));
  const edges = [0, ...[...cuts].sort((a, b) => a - b), 100];
  return edges.slice(1).map((edge, i) => (edge - edges[i]) / 100);
}

/** `n` positive weights on a grid of 0.01 that do not sum to 1. */
function unevenWeights(rng: Rng, n: number): number[] {
  const w = Array.from({ length: n }, () => round(rng.between(0.05, 4)));
  return Math.abs(sum(w) - 1) < 0.1 ? w.map((wi) => round(wi * 3)) : w;
}

/** Labels and outputs of a learner that gets about `wrongShare` of the events wrong. */
function drawVotes(rng: Rng, w: number[], wrongShare = 0.3): Votes {
  const y = w.map(() => plusMinus(rng));
  const pred = y.map((label) => (rng.uniform() < wrongShare ? -label : label));
  // At least one right and one wrong, so that every case can tell the two apart.
  pred[0] = y[0];
  pred[1] = -y[1];
  return { w, pred, y };
}

const describeVotes = ({ w, pred, y }: Votes) =>
  `w = ${showVector(w, 10)}, pred = ${showVector(pred, 10)}, y = ${showVector(y, 10)}`;

/**
 * Events on a grid of 0.01 (or whole numbers, to force tied values) whose labels follow a
 * random cut on one feature with polarity `polarity`, a fifth of them flipped.
 */
function drawEvents(
  rng: Rng,
  n: number,
  d: number,
  options: { polarity?: 1 | -1; whole?: boolean; noise?: number } = {},
): { X: number[][]; y: number[] } {
  const { noise = 0.2 } = options;
  const value = () => (options.whole ? rng.int(4) : round(rng.normal(0, 1)));
  const X = Array.from({ length: n }, () => Array.from({ length: d }, value));
  const feature = rng.int(d);
  const cut = options.whole ? 1.5 : round(rng.normal(0, 0.5));
  const polarity = options.polarity ?? plusMinus(rng);
  const y = X.map((x) => {
    const label = x[feature] > cut ? polarity : -polarity;
    return rng.uniform() < noise ? -label : label;
  });
  return { X, y };
}

function weightedErrorCases(rng: Rng, reference: References): HiddenCase[] {
  const common = (votes: Votes[]) => {
    const expectations = votes.map(reference.weightedError);
    return {
      fn: "weightedError",
      inputs: votes.map((v) => ({ args: [v.w, v.pred, v.y], text: describeVotes(v) })),
      schema: z.number(),
      shape: "a number",
      async check(actual: number, i: number): Promise<Failure | undefined> {
        const { w, pred, y } = votes[i];
        const expected = await expectations[i]();
        if (closeEnough("adaboost.weightedError", actual, expected)) return undefined;
        const wrong = w.map((_, k) => pred[k] !== y[k]);
        const mistakes: Record<string, number> = {
          "weightedError-not-normalised": sum(w.filter((_, k) => wrong[k])),
          "weightedError-unweighted": wrong.filter(Boolean).length / w.length,
          "weightedError-complement": 1 - expected,
        };
        const symptoms = Object.keys(mistakes).filter((id) =>
          !near(mistakes[id], expected) && near(actual, mistakes[id])
        );
        return { reason: `you returned ${show(actual)}`, symptoms };
      },
    };
  };
  const valueCase = (name: string, votes: Votes[]) =>
    callPerInput({ symbol: "weightedError", name: `weightedError(): ${name}`, ...common(votes) });
  const n = () => size(rng, 6, 10);
  return [
    valueCase(
      "uneven weights that sum to 1",
      Array.from({ length: 3 }, () => drawVotes(rng, normalisedWeights(rng, n()))),
    ),
    valueCase(
      "unnormalised weights",
      Array.from({ length: 4 }, () => drawVotes(rng, unevenWeights(rng, n()))),
    ),
    valueCase(
      "0 when every event is right, 1 when every event is wrong",
      [0, 1, 0].map((share) => drawVotes(rng, unevenWeights(rng, n()), share)).map((v, i) => ({
        ...v,
        pred: v.y.map((label) => (i === 1 ? -label : label)),
      })),
    ),
    noMutationCase({
      symbol: "weightedError",
      name: "weightedError(): does not change w, pred or y",
      ...common([drawVotes(rng, unevenWeights(rng, 8))]),
      argNames: ["w", "pred", "y"],
      misconception: "weightedError-mutates-input",
    }),
  ];
}

function learnerWeightCases(rng: Rng, reference: References): HiddenCase[] {
  const valueCase = (name: string, errors: number[]) => {
    const expectations = errors.map(reference.learnerWeight);
    return callPerInput({
      symbol: "learnerWeight",
      name: `learnerWeight(): ${name}`,
      fn: "learnerWeight",
      inputs: errors.map((e) => ({ args: [e], text: `ε = ${e}` })),
      schema: anyNumber,
      shape: "a number",
      async check(actual, i) {
        const expected = await expectations[i]();
        if (closeEnough("adaboost.learnerWeight", actual, expected)) return undefined;
        const symptoms: string[] = [];
        const e = errors[i];
        if (
          !Number.isFinite(actual) ||
          (e < 1e-10 || e > 1 - 1e-10) && near(actual, 0.5 * Math.log((1 - e) / e))
        ) {
          symptoms.push("learnerWeight-not-clamped");
        }
        if (near(actual, 2 * expected)) symptoms.push("learnerWeight-missing-half");
        if (near(actual, -expected)) symptoms.push("learnerWeight-inverted");
        return { reason: `you returned ${show(actual)}`, symptoms };
      },
    });
  };
  const error = (low: number, high: number) => round(rng.between(low, high), 3);
  return [
    valueCase("αₘ for errors below ½", Array.from({ length: 4 }, () => error(0.01, 0.49))),
    valueCase("0 at ε = ½ and negative above", [0.5, error(0.51, 0.99), error(0.51, 0.99)]),
    valueCase("ε = 0 and ε = 1 are clamped to a finite αₘ", [0, 1, 1e-12, 1 - 1e-12]),
    valueCase("tiny errors above the clamp", [error(0.001, 0.01), 1e-6, 1e-8]),
  ];
}

function updateWeightsCases(rng: Rng, reference: References): HiddenCase[] {
  type Input = Votes & { alpha: number };
  const text = (v: Input) => `${describeVotes(v)}, α = ${v.alpha}`;
  const inputs = (vs: Input[]) =>
    vs.map((v) => ({ args: [v.w, v.pred, v.y, v.alpha], text: text(v) }));
  const scale = (v: Input) => 1 / v.w.length;
  const mistakes = async (v: Input, actual: number[], expected: number[]) => {
    const symptoms: string[] = [];
    const total = sum(actual);
    if (
      total > 0 && !near(total, 1) &&
      allNear(actual.map((a) => a / total), expected, scale(v))
    ) {
      symptoms.push("updateWeights-not-renormalised");
    }
    const flipped = await adaboost.updateWeights(v.w, v.pred, v.y, -v.alpha);
    if (v.alpha !== 0 && allNear(actual, flipped, scale(v))) symptoms.push("updateWeights-sign");
    return symptoms;
  };
  const common = (vs: Input[]) => {
    const expectations = vs.map(reference.updateWeights);
    return {
      fn: "updateWeights",
      inputs: inputs(vs),
      schema: numberArray,
      shape: "an array of numbers",
      async check(actual: number[], i: number): Promise<Failure | undefined> {
        const v = vs[i];
        const expected = await expectations[i]();
        if (
          actual.length === expected.length &&
          expected.every((e, k) => closeEnough("adaboost.updateWeights", actual[k], e, scale(v)))
        ) {
          return undefined;
        }
        return {
          reason: `you returned ${describe(actual)}`,
          symptoms: await mistakes(v, actual, expected),
        };
      },
    };
  };
  const valueCase = (name: string, vs: Input[]) =>
    callPerInput({ symbol: "updateWeights", name: `updateWeights(): ${name}`, ...common(vs) });
  const propertyCase = (
    name: string,
    vs: Input[],
    holds: (actual: number[], v: Input) => string | undefined,
  ) =>
    callPerInput({
      symbol: "updateWeights",
      name: `updateWeights(): ${name}`,
      fn: "updateWeights",
      inputs: inputs(vs),
      schema: numberArray,
      shape: "an array of numbers",
      async check(actual, i) {
        const v = vs[i];
        const reason = actual.length !== v.w.length
          ? `you returned ${actual.length} weights for ${v.w.length} events`
          : actual.some((a) => !Number.isFinite(a) || a < 0)
          ? `you returned ${describe(actual)}, not finite non-negative weights`
          : holds(actual, v);
        if (reason === undefined) return undefined;
        const expected = await adaboost.updateWeights(v.w, v.pred, v.y, v.alpha);
        return { reason, symptoms: await mistakes(v, actual, expected) };
      },
    });
  const draw = (w: number[], alpha: number): Input => ({ ...drawVotes(rng, w), alpha });
  const alpha = (high = 1.5) => round(rng.between(0.1, high));
  const n = () => size(rng, 6, 10);
  return [
    valueCase(
      "new weights from uniform weights",
      Array.from({ length: 3 }, () => {
        const k = n();
        return draw(Array(k).fill(round(1 / k, 4)), alpha());
      }),
    ),
    valueCase(
      "uneven, unnormalised weights",
      Array.from({ length: 3 }, () => draw(unevenWeights(rng, n()), alpha())),
    ),
    propertyCase(
      "the result sums to 1",
      Array.from({ length: 3 }, () => draw(unevenWeights(rng, 10), alpha(4))),
      (actual) => {
        const total = sum(actual);
        return closeEnough("adaboost.updateWeights", total, 1)
          ? undefined
          : `your weights sum to ${show(total)}`;
      },
    ),
    propertyCase(
      "misclassified events gain weight relative to correct ones",
      Array.from({ length: 3 }, () => draw(unevenWeights(rng, n()), alpha())),
      (actual, v) => {
        const ratios = actual.map((a, k) => a / v.w[k]);
        const right = ratios.filter((_, k) => v.pred[k] === v.y[k]);
        const wrong = ratios.filter((_, k) => v.pred[k] !== v.y[k]);
        return Math.min(...wrong) > Math.max(...right)
          ? undefined
          : "with α > 0 a misclassified event's weight must grow relative to a correct one's";
      },
    ),
    valueCase(
      "α = 0 only renormalises",
      Array.from({ length: 2 }, () => draw(unevenWeights(rng, n()), 0)),
    ),
    noMutationCase({
      symbol: "updateWeights",
      name: "updateWeights(): does not change w, pred or y",
      ...common([draw(unevenWeights(rng, 8), alpha())]),
      argNames: ["w", "pred", "y", "α"],
      misconception: "updateWeights-mutates-input",
    }),
  ];
}

/**
 * The least weighted error in float64, by brute force, over the stumps of some polarities
 * whose thresholds are the events' values (and −Infinity, unless `valuesOnly`).
 */
function bruteForceError(data: Weighted, polarities: (1 | -1)[], valuesOnly = false): number {
  return Math.min(
    ...everyStump(data, polarities, valuesOnly).map((stump) => stumpError(stump, data)),
  );
}

/** Every stump that cuts at an event's value (or below them all), with these polarities. */
function everyStump(data: Weighted, polarities: (1 | -1)[], valuesOnly = false): Stump[] {
  const stumps: Stump[] = [];
  for (let feature = 0; feature < data.X[0].length; feature++) {
    const values = new Set(data.X.map((x) => x[feature]));
    for (const threshold of valuesOnly ? values : [-Infinity, ...values]) {
      for (const polarity of polarities) stumps.push({ feature, threshold, polarity });
    }
  }
  return stumps;
}

/**
 * Whether the weights of a draw matter: no stump that is best with every event weighed
 * alike is as good as the best with the draw's weights. Where they do not, a `fitStump()`
 * that ignores `w` passes, by chance.
 */
function weightsMatter(data: Weighted): boolean {
  const alike = { ...data, w: data.w.map(() => 1) };
  const bestAlike = bruteForceError(alike, [1, -1]);
  const best = bruteForceError(data, [1, -1]);
  return everyStump(data, [1, -1]).every((stump) =>
    !isEquallyGoodStump(stump, alike, bestAlike) || !isEquallyGoodStump(stump, data, best)
  );
}

const showStump = (s: Stump) =>
  `{ feature: ${s.feature}, threshold: ${show(s.threshold)}, polarity: ${s.polarity} }`;

const describeWeighted = ({ X, y, w }: Weighted) =>
  `X = ${showMatrix(X)}, y = ${showVector(y, 8)}, w = ${
    w.every((wi) => wi === 1 / w.length) ? `1/${w.length} each` : showVector(w, 8)
  }`;

function fitStumpCases(rng: Rng, reference: References): HiddenCase[] {
  const inputs = (sets: Weighted[]) =>
    sets.map((s) => ({ args: [s.X, s.y, s.w], text: describeWeighted(s) }));
  const common = (sets: Weighted[]) => {
    const stumps = sets.map(reference.fitStump);
    return {
      fn: "fitStump",
      inputs: inputs(sets),
      schema: StumpSchema,
      shape: "a stump { feature, threshold, polarity: 1 | -1 }",
      async check(stump: Stump, i: number): Promise<Failure | undefined> {
        const data = sets[i];
        const bestError = stumpError(await stumps[i](), data);
        if (isEquallyGoodStump(stump, data, bestError)) return undefined;
        if (stump.feature < 0 || stump.feature >= data.X[0].length) {
          return { reason: `your stump's feature ${stump.feature} does not exist` };
        }
        const tolerance = PRECISION["adaboost.weightedError"].rtol;
        const error = stumpError(stump, data);
        const symptoms: string[] = [];
        // Polarity +1 alone, with a cut at each event's value, cannot reach the best.
        const bestPlus = bruteForceError(data, [1], true);
        if (
          stump.polarity === 1 && bestPlus > bestError + tolerance && error >= bestPlus - tolerance
        ) {
          symptoms.push("fitStump-polarity-ignored");
        }
        const uniform = { ...data, w: data.w.map(() => 1) };
        if (isEquallyGoodStump(stump, uniform, bruteForceError(uniform, [1, -1]))) {
          symptoms.push("fitStump-unweighted");
        }
        return {
          reason: `your stump ${showStump(stump)} misclassifies more weight than the best stump`,
          symptoms,
        };
      },
    };
  };
  const valueCase = (name: string, sets: Weighted[]) =>
    callPerInput({ symbol: "fitStump", name: `fitStump(): ${name}`, ...common(sets) });
  const events = (n: number, d: number, w: (n: number) => number[], options = {}): Weighted => {
    const { X, y } = drawEvents(rng, n, d, options);
    return { X, y, w: w(n) };
  };
  const uniform = (n: number) => Array(n).fill(1 / n);
  const uneven = (n: number) => unevenWeights(rng, n);
  return [
    valueCase(
      "as good as the best stump on random events",
      Array.from({ length: 3 }, () => events(size(rng, 12, 20), size(rng, 2, 3), uniform)),
    ),
    valueCase(
      "uneven, unnormalised weights",
      // Drawn until the weights change which stumps are best: a fitStump() that ignored w
      // passed this case on two course secrets of five (a sweep of lazy students).
      Array.from({ length: 3 }, () => {
        let drawn = events(size(rng, 12, 20), size(rng, 2, 3), uneven);
        for (let tries = 1; tries < 100 && !weightsMatter(drawn); tries++) {
          drawn = events(size(rng, 12, 20), size(rng, 2, 3), uneven);
        }
        return drawn;
      }),
    ),
    valueCase(
      "signal below the cut needs polarity −1",
      Array.from({ length: 3 }, () => events(size(rng, 12, 20), 2, uneven, { polarity: -1 })),
    ),
    valueCase(
      "tied feature values",
      Array.from({ length: 3 }, () => events(size(rng, 12, 20), 2, uneven, { whole: true })),
    ),
    valueCase(
      "every event of one class",
      [1, -1, 1].map((label) => {
        const { X } = drawEvents(rng, size(rng, 6, 10), 2);
        return { X, y: X.map(() => label), w: uneven(X.length) };
      }),
    ),
    noMutationCase({
      symbol: "fitStump",
      name: "fitStump(): does not change X, y or w",
      // Three draws: one stump returned whatever the events can be the best on one by
      // chance (a blind class's constant { feature: 0, threshold: 0, polarity: 1 } was).
      ...common([events(10, 2, uneven), events(12, 3, uneven), events(14, 2, uneven)]),
      argNames: ["X", "y", "w"],
      misconception: "fitStump-mutates-input",
    }),
  ];
}

/** The AUC of a model's T(x), evaluated by trusted code, on labelled events. */
function modelAuc(model: Model, X: number[][], y: number[]): number {
  const T = X.map((x) =>
    model.stumps.reduce((t, stump, m) => t + model.alphas[m] * adaboost.predictStump(stump, x), 0)
  );
  return auc(T, y.map((label) => (label === 1 ? 1 : 0)));
}

/** Whether every round repeats the first stump and its α: weights that never changed. */
function repeatsFirstRound(model: Model): boolean {
  const [first, ...rest] = model.stumps;
  return rest.length > 0 &&
    rest.every((s) =>
      s.feature === first.feature && s.threshold === first.threshold &&
      s.polarity === first.polarity
    ) &&
    model.alphas.every((a) => near(a, model.alphas[0]));
}

/**
 * How far below the reference model's AUC on its training events a trained model may land
 * and still count as equally good, on the quality case (6 rounds, 160 events). Ties broken
 * another way (the first or the last of equally good cuts, float32 or float64 sums) send
 * training down another path: over 2000 draws, three correct implementations landed up to
 * 0.034 below the reference, and a model whose weights never change 0.043 or more below
 * (the replay cases fail it in any case). `MODEL_MARGINS.auc` is for 10³ events: too tight
 * here, where it failed correct code on 0.3 to 0.55 % of the draws.
 */
const PATH_AUC_MARGIN = 0.045;

/** A training problem: events, labels, rounds. */
interface Training {
  X: number[][];
  y: number[];
  rounds: number;
  /** How to make the events, where a listing would be too long to show. */
  source?: string;
}

/**
 * Replays a student's model from uniform weights, with its own stumps and αs: each stump
 * must be a best stump for its round's weights (`stumps`), each α the learner weight of
 * its stump's error (`alphas`).
 */
async function replay(
  model: Model,
  { X, y }: Training,
  check: "stumps" | "alphas",
): Promise<string | undefined> {
  if (model.stumps.length === 0) return undefined;
  // Each round's weights, from uniform, reweighted with the model's own stumps and αs.
  const preds = model.stumps.map((stump) => X.map((x) => adaboost.predictStump(stump, x)));
  const weights = [X.map(() => 1 / X.length)];
  for (let m = 0; m + 1 < model.stumps.length; m++) {
    weights.push(await adaboost.updateWeights(weights[m], preds[m], y, model.alphas[m]));
  }
  if (check === "stumps") {
    const best = await adaboost.fitStumpMany(weights.map((w) => ({ X, y, w })));
    const wrong = model.stumps.findIndex((stump, m) => {
      const data = { X, y, w: weights[m] };
      return !isEquallyGoodStump(stump, data, stumpError(best[m], data));
    });
    return wrong < 0
      ? undefined
      : `the stump of round ${wrong + 1}, ${
        showStump(model.stumps[wrong])
      }, is not a best stump for that round's weights`;
  }
  const alphas = await adaboost.learnerWeightMany(
    await adaboost.weightedErrorMany(weights.map((w, m) => ({ w, pred: preds[m], y }))),
  );
  const wrong = alphas.findIndex((alpha, m) =>
    !closeEnough("adaboost.learnerWeight", model.alphas[m], alpha)
  );
  return wrong < 0
    ? undefined
    : `the α of round ${wrong + 1}, ${
      show(model.alphas[wrong])
    }, is not ½ ln((1 − εₘ)/εₘ) of its stump's weighted error`;
}

function trainAdaBoostCases(rng: Rng): HiddenCase[] {
  const text = ({ X, y, rounds, source }: Training) =>
    `${source ?? `X = ${showMatrix(X)}, y = ${showVector(y, 8)}`}, rounds = ${rounds}`;
  const inputs = (ts: Training[]) => ts.map((t) => ({ args: [t.X, t.y, t.rounds], text: text(t) }));
  const common = (
    ts: Training[],
    judge: (model: Model, t: Training, i: number) => Promise<string | undefined>,
  ) => ({
    fn: "trainAdaBoost",
    inputs: inputs(ts),
    schema: ModelSchema,
    shape: "{ stumps, alphas } with valid stumps and finite αs",
    async check(model: Model, i: number): Promise<Failure | undefined> {
      const t = ts[i];
      const { stumps, alphas } = model;
      if (stumps.length !== t.rounds || alphas.length !== t.rounds) {
        return {
          reason:
            `you returned ${stumps.length} stumps and ${alphas.length} αs for ${t.rounds} rounds`,
        };
      }
      const reason = await judge(model, t, i);
      if (reason === undefined) return undefined;
      return {
        reason,
        symptoms: repeatsFirstRound(model) ? ["trainAdaBoost-weights-not-updated"] : [],
      };
    },
  });
  const modelCase = (
    name: string,
    ts: Training[],
    judge: (model: Model, t: Training, i: number) => Promise<string | undefined>,
  ) =>
    callPerInput({
      symbol: "trainAdaBoost",
      name: `trainAdaBoost(): ${name}`,
      ...common(ts, judge),
    });
  /** Each round's stump a best stump for its weights, and each α its learner weight. */
  const replayed = async (model: Model, t: Training) =>
    (await replay(model, t, "stumps")) ?? (await replay(model, t, "alphas"));
  const small = () => {
    const { X, y } = drawEvents(rng, size(rng, 16, 24), size(rng, 2, 3));
    return { X, y, rounds: size(rng, 3, 6) };
  };
  const boosted = Array.from({ length: 2 }, small);
  // One feature's cut separates the classes: εₘ = 0 in every round, so αₘ is finite only
  // through learnerWeight()'s clamp. A student's trainAdaBoost() that calls a learnerWeight()
  // without it is not charged for that (see isolation.ts).
  const separable = () => {
    const { X, y } = drawEvents(rng, size(rng, 16, 24), size(rng, 2, 3), { noise: 0 });
    return { X, y, rounds: size(rng, 2, 4) };
  };
  // Unrounded features: fewer tied stumps, so fewer ways for equally good paths to part.
  const quality = [0].map((): Training => {
    const seed = `adaboost-${rng.int(1e9)}`;
    return {
      ...resonanceSample(160, { seed }),
      rounds: 6,
      source: `X, y = resonanceSample(160, { seed: "${seed}" }) of fixtures/hep.ts`,
    };
  });
  const referenceAuc = once(() =>
    Promise.all(
      quality.map(async (t) =>
        modelAuc(await adaboost.trainAdaBoost(t.X, t.y, t.rounds), t.X, t.y)
      ),
    )
  );
  return [
    modelCase(
      "each round's stump is a best stump for that round's weights",
      boosted,
      (model, t) => replay(model, t, "stumps"),
    ),
    modelCase(
      "each αₘ is ½ ln((1 − εₘ)/εₘ) of its stump's weighted error",
      boosted,
      (model, t) => replay(model, t, "alphas"),
    ),
    modelCase(
      "one round is a best stump for uniform weights and its α",
      [small(), small()].map((t) => ({ ...t, rounds: 1 })),
      replayed,
    ),
    modelCase(
      "one stump and one α per round: none for 0 rounds, finite ones on separable events",
      [{ ...small(), rounds: 0 }, { ...small(), rounds: 5 }, separable(), separable()],
      (model, t, i) => i < 2 ? Promise.resolve(undefined) : replayed(model, t),
    ),
    modelCase(
      "separates the training events as well as the reference model",
      quality,
      async (model, t, i) => {
        const reached = modelAuc(model, t.X, t.y);
        return isEquallyGoodModel("auc", reached, (await referenceAuc())[i], PATH_AUC_MARGIN)
          ? undefined
          : `the area under the ROC curve of your T(x) on the training events is ${
            show(reached)
          }, too low after ${t.rounds} rounds`;
      },
    ),
    noMutationCase({
      symbol: "trainAdaBoost",
      name: "trainAdaBoost(): does not change X or y",
      ...common([small()], replayed),
      argNames: ["X", "y", "rounds"],
      misconception: "trainAdaBoost-mutates-input",
    }),
  ];
}

function decisionFunctionCases(rng: Rng, reference: References): HiddenCase[] {
  type Input = { model: Model; X: number[][] };
  const drawModel = (d: number, options: { polarity?: 1 | -1; negative?: boolean } = {}): Model => {
    const m = size(rng, 3, 5);
    return {
      stumps: Array.from({ length: m }, () => ({
        feature: rng.int(d),
        threshold: round(rng.normal(0, 1)),
        polarity: options.polarity ?? plusMinus(rng),
      })),
      alphas: Array.from(
        { length: m },
        () => round(rng.between(0.05, 1.5) * (options.negative && rng.uniform() < 0.4 ? -1 : 1)),
      ),
    };
  };
  const drawX = (n: number, d: number) =>
    Array.from({ length: n }, () => Array.from({ length: d }, () => round(rng.normal(0, 1))));
  const text = ({ model, X }: Input) =>
    `stumps = [${model.stumps.map(showStump).join(", ")}], alphas = ${
      showVector(model.alphas)
    }, X = ${showMatrix(X)}`;
  const inputs = (is: Input[]) =>
    is.map((v) => ({ args: [v.model as unknown as Json, v.X], text: text(v) }));
  const common = (is: Input[]) => {
    const expectations = is.map(reference.decisionFunction);
    return {
      fn: "decisionFunction",
      inputs: inputs(is),
      schema: numberArray,
      shape: "an array of numbers",
      async check(actual: number[], i: number): Promise<Failure | undefined> {
        const { model, X } = is[i];
        const expected = await expectations[i]();
        const scale = sum(model.alphas.map(Math.abs));
        if (
          actual.length === expected.length &&
          expected.every((e, k) => closeEnough("adaboost.decisionFunction", actual[k], e, scale))
        ) {
          return undefined;
        }
        if (actual.length !== expected.length) {
          return { reason: `you returned ${actual.length} scores for ${X.length} events` };
        }
        const votes = (x: number[], inclusive = false) =>
          model.stumps.map((
            s,
          ) => ((inclusive ? x[s.feature] >= s.threshold : x[s.feature] > s.threshold)
            ? s.polarity
            : -s.polarity)
          );
        const mistakes: Record<string, number[]> = {
          "decisionFunction-unweighted": X.map((x) => sum(votes(x))),
          "decisionFunction-cut-inclusive": X.map((x) =>
            sum(votes(x, true).map((v, m) => v * model.alphas[m]))
          ),
        };
        const symptoms = Object.keys(mistakes).filter((id) =>
          !allNear(mistakes[id], expected, scale) && allNear(actual, mistakes[id], scale)
        );
        // The sign of a T(x) that cancels to rounding noise may come out either way.
        const noise = PRECISION["adaboost.decisionFunction"].rtol * scale;
        if (
          actual.every((a, k) =>
            Math.abs(expected[k]) <= noise ? Math.abs(a) <= 1 : a === Math.sign(expected[k])
          )
        ) {
          symptoms.push("decisionFunction-sign-only");
        }
        return { reason: `you returned ${describe(actual)}`, symptoms };
      },
    };
  };
  const valueCase = (name: string, is: Input[]) =>
    callPerInput({
      symbol: "decisionFunction",
      name: `decisionFunction(): ${name}`,
      ...common(is),
    });
  const random = (options = {}) => {
    const d = size(rng, 2, 3);
    return { model: drawModel(d, options), X: drawX(size(rng, 4, 8), d) };
  };
  return [
    valueCase("T(x) for random models and events", Array.from({ length: 3 }, () => random())),
    valueCase(
      "stumps of polarity −1 and negative αₘ",
      Array.from({ length: 3 }, () => random({ polarity: -1, negative: true })),
    ),
    valueCase(
      "an event exactly at a threshold is below the cut",
      Array.from({ length: 3 }, () => {
        const input = random();
        // Put one event exactly on every stump's cut.
        const X = input.X.map((x, k) => {
          const stump = input.model.stumps[k % input.model.stumps.length];
          return x.map((v, f) => (f === stump.feature ? stump.threshold : v));
        });
        return { ...input, X };
      }),
    ),
    valueCase(
      "one stump gives ±α₁",
      Array.from({ length: 2 }, () => {
        const { model, X } = random();
        return { model: { stumps: model.stumps.slice(0, 1), alphas: model.alphas.slice(0, 1) }, X };
      }),
    ),
    noMutationCase({
      symbol: "decisionFunction",
      name: "decisionFunction(): does not change the model or X",
      ...common([random()]),
      argNames: ["model", "X"],
      misconception: "decisionFunction-mutates-input",
    }),
  ];
}

/** The hidden suite of 03-adaboost. */
export const suite: HiddenSuite = {
  exercise: "03-adaboost",
  misconceptions: MISCONCEPTIONS,
  builtOn: {
    weightedError: [],
    learnerWeight: [],
    updateWeights: [],
    fitStump: ["weightedError"],
    // A stump's predictions may come from decisionFunction() of a one-stump model.
    trainAdaBoost: [
      "weightedError",
      "learnerWeight",
      "updateWeights",
      "fitStump",
      "decisionFunction",
    ],
    decisionFunction: [],
  } satisfies BuiltOn<typeof STAND_INS>,
  cases(rng) {
    const reference = references();
    return [
      ...weightedErrorCases(rng.fork("weightedError"), reference),
      ...learnerWeightCases(rng.fork("learnerWeight"), reference),
      ...updateWeightsCases(rng.fork("updateWeights"), reference),
      ...fitStumpCases(rng.fork("fitStump"), reference),
      ...trainAdaBoostCases(rng.fork("trainAdaBoost")),
      ...decisionFunctionCases(rng.fork("decisionFunction"), reference),
    ];
  },
};
