/**
 * Hidden tests of 02-lms (`lms.ts`).
 *
 * Inputs lie on a grid of 0.01 (learning rates 0.001), so the shown inputs are exact.
 * Expected values come from the reference core (core/lms.ts) and are compared with the
 * tolerances of core/precision.ts. A misconception is recognised when a wrong result
 * equals what the mistake gives on that input: a mean where the lecture sums, no ½, the
 * error taken as h − y, the stochastic epoch in batch or reverse order, a mutated input.
 * The expected values of one draw are computed together, one batched call of the core per
 * function (`predictMany`, …), the first time a case needs one.
 *
 * @module
 */
import { z } from "zod";
import type { Rng } from "../../fixtures/random.ts";
import * as lms from "../../core/lms.ts";
import {
  allCloseEnough,
  closeEnough,
  costScale,
  dotScale,
  updateScale,
} from "../../core/precision.ts";
import type { BuiltOn, HiddenCase, HiddenSuite, Misconception } from "../suite.ts";
import {
  allNear,
  batched,
  callPerInput,
  type Failure,
  near,
  noMutationCase,
  round,
  show,
  showMatrix,
  showVector,
} from "./_judge.ts";
import { STAND_INS } from "../child/drivers/lms.ts";

const MISCONCEPTIONS: Misconception[] = [
  {
    id: "predict-intercept",
    symbol: "predict",
    question: "Does θ₀ enter h(x) exactly once, multiplied by x₀ = 1 like every other θⱼxⱼ?",
  },
  {
    id: "predict-mutates-input",
    symbol: "predict",
    question: "Does predict() write into θ or x?",
  },
  {
    id: "cost-mean",
    symbol: "cost",
    question:
      "Your J(θ) shrinks with the number of examples: does the lecture's J(θ) sum over the examples or average?",
  },
  {
    id: "cost-missing-half",
    symbol: "cost",
    question: "Your J(θ) is exactly twice the expected value on every input: is the ½ there?",
  },
  {
    id: "cost-mutates-input",
    symbol: "cost",
    question: "Does cost() write into θ, X or y?",
  },
  {
    id: "lmsUpdate-sign",
    symbol: "lmsUpdate",
    question: "Your step moves θ the wrong way: is the error y − h(x), or did you write h(x) − y?",
  },
  {
    id: "lmsUpdate-step-only",
    symbol: "lmsUpdate",
    question: "Do you return θ plus the step, or the step α (y − h(x)) x alone?",
  },
  {
    id: "lmsUpdate-mutates-input",
    symbol: "lmsUpdate",
    question: "Does lmsUpdate() write the new θ into the array it was given?",
  },
  {
    id: "batchUpdate-mean",
    symbol: "batchUpdate",
    question:
      "Your step is the right direction but too short by the number of examples: does the lecture sum the examples' steps or average them?",
  },
  {
    id: "batchUpdate-sequential",
    symbol: "batchUpdate",
    question:
      "Which θ measures the error of the second example: the one you were given, or one already updated?",
  },
  {
    id: "batchUpdate-sign",
    symbol: "batchUpdate",
    question: "Your step moves θ the wrong way: is each error yᵢ − h(xᵢ), or h(xᵢ) − yᵢ?",
  },
  {
    id: "batchUpdate-mutates-input",
    symbol: "batchUpdate",
    question: "Does batchUpdate() write into θ, X or y?",
  },
  {
    id: "stochasticEpoch-batch-order",
    symbol: "stochasticEpoch",
    question:
      "Your epoch equals one batch step: does each update start from the θ the previous update returned?",
  },
  {
    id: "stochasticEpoch-reverse-order",
    symbol: "stochasticEpoch",
    question: "In which order do you visit the examples: i = 0, 1, …, n − 1, as in the lecture?",
  },
  {
    id: "stochasticEpoch-skips-last",
    symbol: "stochasticEpoch",
    question: "Your epoch leaves the last example out: does your loop reach i = n − 1?",
  },
  {
    id: "stochasticEpoch-skips-first",
    symbol: "stochasticEpoch",
    question: "Your epoch leaves the first example out: does your loop start at i = 0?",
  },
  {
    id: "stochasticEpoch-mutates-input",
    symbol: "stochasticEpoch",
    question: "Does stochasticEpoch() (or the lmsUpdate() it calls) write into θ, X or y?",
  },
];

/** A regression problem: parameters, examples with x₀ = 1, targets and a learning rate. */
interface Problem {
  theta: number[];
  X: number[][];
  y: number[];
  alpha: number;
}

/**
 * Draws a problem of `n` examples and `d` parameters, the targets near a random line, and
 * a learning rate small enough (α·|x|² ≤ ½) that an epoch never diverges.
 */
function drawProblem(rng: Rng, n: number, d: number, featureSd = 1.5): Problem {
  const theta = Array.from({ length: d }, () => round(rng.normal(0, 1)));
  const truth = Array.from({ length: d }, () => rng.normal(0, 2));
  const X = Array.from(
    { length: n },
    () => [1, ...Array.from({ length: d - 1 }, () => round(rng.normal(0, featureSd)))],
  );
  const y = X.map((x) => round(dot(truth, x) + rng.normal(0, 0.5)));
  const largest = Math.max(...X.map((x) => dot(x, x)));
  const alpha = Math.max(0.001, round(Math.min(rng.between(0.01, 0.06), 0.5 / largest), 3));
  return { theta, X, y, alpha };
}

/** A problem whose targets are exactly θᵀx (on a grid of 1e-4). */
function drawExactFit(rng: Rng, n: number, d: number): Problem {
  const problem = drawProblem(rng, n, d);
  return { ...problem, y: problem.X.map((x) => round(dot(problem.theta, x), 4)) };
}

/**
 * A perfect fit with one target moved by r = ±0.5 or ±1, so that the cases of perfect fits
 * cannot be passed by an answer that ignores the data (J(θ) = 0, or θ returned as it came).
 */
function offByOne(rng: Rng, fit: Problem): Problem {
  const k = rng.int(fit.y.length);
  const r = (rng.uniform() < 0.5 ? -1 : 1) * (rng.uniform() < 0.5 ? 0.5 : 1);
  return { ...fit, y: fit.y.map((yi, i) => (i === k ? round(yi + r, 4) : yi)) };
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, ai, j) => sum + ai * b[j], 0);
}

const size = (rng: Rng, low: number, high: number) => low + rng.int(high - low + 1);

const describeProblem = ({ theta, X, y, alpha }: Problem, withAlpha = true) =>
  `θ = ${showVector(theta)}, X = ${showMatrix(X)}, y = ${showVector(y)}` +
  (withAlpha ? `, α = ${alpha}` : "");

/** The problem with a learning rate scaled by `factor`: the update of a mean step. */
const scaledAlpha = (p: Problem, factor: number): Problem => ({ ...p, alpha: p.alpha * factor });

/** The reference core's batched functions for one draw: see {@linkcode batched}. */
function references() {
  return {
    predict: batched((pairs: { theta: number[]; x: number[] }[]) => lms.predictMany(pairs)),
    cost: batched((problems: Problem[]) => lms.costMany(problems)),
    lmsUpdate: batched((problems: Problem[]) =>
      lms.lmsUpdateMany(
        problems.map((p) => ({ theta: p.theta, x: p.X[0], y: p.y[0], alpha: p.alpha })),
      )
    ),
    batchUpdate: batched((problems: Problem[]) => lms.batchUpdateMany(problems)),
    stochasticEpoch: batched((problems: Problem[]) => lms.stochasticEpochMany(problems)),
  };
}

type References = ReturnType<typeof references>;

function vectorProblem(actual: number[]): string {
  return `you returned [${actual.map(show).join(", ")}]`;
}

function predictCases(rng: Rng, reference: References): HiddenCase[] {
  const random = Array.from({ length: 4 }, () => drawProblem(rng, 1, size(rng, 2, 5)));
  const interceptOnly = Array.from({ length: 3 }, (_, i) => {
    const { theta } = drawProblem(rng, 1, size(rng, 2, 4));
    const x = theta.map((_, j) => (j === 0 ? 1 : j === i ? round(rng.normal(0, 2)) : 0));
    return { theta, x };
  });
  const large = Array.from({ length: 3 }, () => drawProblem(rng, 1, size(rng, 3, 5), 1000));
  const inputs = (pairs: { theta: number[]; x: number[] }[]) =>
    pairs.map(({ theta, x }) => ({
      args: [theta, x],
      text: `θ = ${showVector(theta)}, x = ${showVector(x)}`,
    }));
  const check = (pairs: { theta: number[]; x: number[] }[]) => {
    const expectations = pairs.map(reference.predict);
    return async (actual: number, i: number): Promise<Failure | undefined> => {
      const { theta, x } = pairs[i];
      const expected = await expectations[i]();
      const scale = dotScale(theta, x);
      if (closeEnough("lms.predict", actual, expected, scale)) return undefined;
      const withoutIntercept = dot(theta.slice(1), x.slice(1));
      const symptoms = near(actual, withoutIntercept, scale) ||
          near(actual, withoutIntercept + 2 * theta[0], scale)
        ? ["predict-intercept"]
        : [];
      return { reason: `you returned ${show(actual)}`, symptoms };
    };
  };
  const valueCase = (name: string, pairs: { theta: number[]; x: number[] }[]) =>
    callPerInput({
      symbol: "predict",
      name: `predict(): ${name}`,
      fn: "predict",
      inputs: inputs(pairs),
      schema: z.number(),
      shape: "a number",
      check: check(pairs),
    });
  const toPair = (p: Problem) => ({ theta: p.theta, x: p.X[0] });
  const unchangedCase = (pairs: { theta: number[]; x: number[] }[]) =>
    noMutationCase({
      symbol: "predict",
      name: "predict(): does not change θ or x",
      fn: "predict",
      inputs: inputs(pairs),
      argNames: ["θ", "x"],
      misconception: "predict-mutates-input",
      schema: z.number(),
      shape: "a number",
      check: check(pairs),
    });
  return [
    valueCase("θᵀx on random inputs", random.map(toPair)),
    valueCase("the intercept θ₀ with x₀ = 1 and most features 0", interceptOnly),
    valueCase("features in the thousands", large.map(toPair)),
    unchangedCase(Array.from({ length: 2 }, () => toPair(drawProblem(rng, 1, 3)))),
  ];
}

const problemArgs = (p: Problem, withAlpha: boolean) =>
  withAlpha ? [p.theta, p.X, p.y, p.alpha] : [p.theta, p.X, p.y];

function costCases(rng: Rng, reference: References): HiddenCase[] {
  const inputs = (problems: Problem[]) =>
    problems.map((p) => ({ args: problemArgs(p, false), text: describeProblem(p, false) }));
  const check = (problems: Problem[]) => {
    const expectations = problems.map(reference.cost);
    return async (actual: number, i: number): Promise<Failure | undefined> => {
      const { theta, X, y } = problems[i];
      const expected = await expectations[i]();
      const scale = costScale(theta, X, y);
      if (closeEnough("lms.cost", actual, expected, scale)) return undefined;
      const symptoms: string[] = [];
      // With one example a mean is the sum: ½Σ/n passes there, and Σ/n (a mean without
      // the ½) is twice J(θ), as a missing ½ is. Both questions then fit; the group's other
      // inputs tell which one stays.
      const n = X.length;
      if (
        (n > 1 && near(actual, expected / n, scale)) || near(actual, (2 * expected) / n, scale)
      ) {
        symptoms.push("cost-mean");
      }
      if (near(actual, 2 * expected, scale)) symptoms.push("cost-missing-half");
      return { reason: `you returned ${show(actual)}`, symptoms };
    };
  };
  const valueCase = (name: string, problems: Problem[]) =>
    callPerInput({
      symbol: "cost",
      name: `cost(): ${name}`,
      fn: "cost",
      inputs: inputs(problems),
      schema: z.number(),
      shape: "a number",
      check: check(problems),
    });
  const unchangedCase = (problems: Problem[]) =>
    noMutationCase({
      symbol: "cost",
      name: "cost(): does not change θ, X or y",
      fn: "cost",
      inputs: inputs(problems),
      argNames: ["θ", "X", "y"],
      misconception: "cost-mutates-input",
      schema: z.number(),
      shape: "a number",
      check: check(problems),
    });
  return [
    valueCase(
      "J(θ) on random data",
      Array.from({ length: 3 }, () => drawProblem(rng, size(rng, 4, 8), size(rng, 2, 4))),
    ),
    valueCase(
      "a single example",
      Array.from({ length: 3 }, () => drawProblem(rng, 1, size(rng, 2, 4))),
    ),
    valueCase(
      "0 for a perfect fit, ½ r² when one target is off by r",
      [
        ...Array.from({ length: 2 }, () => drawExactFit(rng, size(rng, 3, 6), 3)),
        offByOne(rng, drawExactFit(rng, size(rng, 3, 6), 3)),
      ],
    ),
    unchangedCase([drawProblem(rng, 4, 3)]),
  ];
}

/**
 * A case of an update (`lmsUpdate`, `batchUpdate` or `stochasticEpoch`) on some problems;
 * with `unchanged`, a case that also checks that no argument changed.
 */
function updateCase(options: {
  symbol: "lmsUpdate" | "batchUpdate" | "stochasticEpoch";
  name: string;
  problems: Problem[];
  /** Registers a problem with the draw's batch and returns the getter of its new θ. */
  expected(p: Problem): () => Promise<number[]>;
  /** Misconceptions and what each would give. */
  mistakes: Record<string, (p: Problem, expected: number[]) => Promise<number[]> | number[]>;
  /** The arguments' names and the misconception of a changed argument. */
  unchanged?: { argNames: string[]; misconception: string };
}): HiddenCase {
  const { symbol, name, problems, expected, mistakes, unchanged } = options;
  const single = symbol === "lmsUpdate";
  const args = (p: Problem) => single ? [p.theta, p.X[0], p.y[0], p.alpha] : problemArgs(p, true);
  const text = (p: Problem) =>
    single
      ? `θ = ${showVector(p.theta)}, x = ${showVector(p.X[0])}, y = ${p.y[0]}, α = ${p.alpha}`
      : describeProblem(p);
  const expectations = problems.map(expected);
  const common = {
    symbol,
    name: `${symbol}(): ${name}`,
    fn: symbol,
    inputs: problems.map((p) => ({ args: args(p), text: text(p) })),
    schema: z.array(z.number()),
    shape: "an array of numbers",
    async check(actual: number[], i: number): Promise<Failure | undefined> {
      const p = problems[i];
      if (actual.length !== p.theta.length) {
        return {
          reason: `${symbol}() returned ${actual.length} numbers for a θ of ${p.theta.length}`,
        };
      }
      const want = await expectations[i]();
      const ok = symbol === "stochasticEpoch"
        ? allCloseEnough("lms.stochasticEpoch", actual, want, epochScale(want))
        : allCloseEnough("lms.update", actual, want, updateScale(p.theta, p.X, p.y, p.alpha));
      if (ok) return undefined;
      const scale = symbol === "stochasticEpoch"
        ? epochScale(want)
        : updateScale(p.theta, p.X, p.y, p.alpha);
      const symptoms: string[] = [];
      for (const [id, mistaken] of Object.entries(mistakes)) {
        if (allNear(actual, await mistaken(p, want), scale)) symptoms.push(id);
      }
      return { reason: vectorProblem(actual), symptoms };
    },
  };
  return unchanged ? noMutationCase({ ...common, ...unchanged }) : callPerInput(common);
}

/** The scale of `lms.stochasticEpoch`: max(1, max|θ|) of the result. */
const epochScale = (theta: number[]) => Math.max(1, ...theta.map(Math.abs));

/** θ − (θ' − θ): the step taken backwards. */
const reversedStep = (p: Problem, expected: number[]) => p.theta.map((t, j) => 2 * t - expected[j]);

function lmsUpdateCases(rng: Rng, reference: References): HiddenCase[] {
  const expected = reference.lmsUpdate;
  const mistakes = {
    "lmsUpdate-sign": reversedStep,
    "lmsUpdate-step-only": (p: Problem, e: number[]) => e.map((v, j) => v - p.theta[j]),
  };
  const one = () => drawProblem(rng, 1, size(rng, 2, 5));
  return [
    updateCase({
      symbol: "lmsUpdate",
      name: "one step on random examples",
      problems: Array.from({ length: 4 }, one),
      expected,
      mistakes,
    }),
    updateCase({
      symbol: "lmsUpdate",
      name: "no step when the prediction is exact, a step when the target is off",
      problems: [
        ...Array.from({ length: 3 }, () => drawExactFit(rng, 1, size(rng, 2, 4))),
        offByOne(rng, drawExactFit(rng, 1, size(rng, 2, 4))),
      ],
      expected,
      mistakes,
    }),
    updateCase({
      symbol: "lmsUpdate",
      name: "small and large learning rates",
      problems: [0.001, 0.5, 1].map((alpha) => ({ ...one(), alpha })),
      expected,
      mistakes,
    }),
    updateCase({
      symbol: "lmsUpdate",
      name: "does not change θ or x",
      problems: Array.from({ length: 2 }, one),
      expected,
      mistakes,
      unchanged: { argNames: ["θ", "x", "y", "α"], misconception: "lmsUpdate-mutates-input" },
    }),
  ];
}

function batchUpdateCases(rng: Rng, reference: References): HiddenCase[] {
  const expected = reference.batchUpdate;
  const mistakes = {
    "batchUpdate-mean": (p: Problem) => {
      const mean = scaledAlpha(p, 1 / p.X.length);
      return lms.batchUpdate(mean.theta, mean.X, mean.y, mean.alpha);
    },
    "batchUpdate-sequential": (p: Problem) => lms.stochasticEpoch(p.theta, p.X, p.y, p.alpha),
    "batchUpdate-sign": reversedStep,
  };
  const data = () => drawProblem(rng, size(rng, 4, 8), size(rng, 2, 4));
  return [
    updateCase({
      symbol: "batchUpdate",
      name: "one step on random data",
      problems: Array.from({ length: 3 }, data),
      expected,
      mistakes,
    }),
    updateCase({
      symbol: "batchUpdate",
      name: "a single example is one LMS step",
      problems: Array.from({ length: 3 }, () => drawProblem(rng, 1, size(rng, 2, 4))),
      expected,
      mistakes,
    }),
    updateCase({
      symbol: "batchUpdate",
      name: "θ stays put for a perfect fit and moves when one target is off",
      problems: [
        ...Array.from({ length: 2 }, () => drawExactFit(rng, size(rng, 3, 6), 3)),
        offByOne(rng, drawExactFit(rng, size(rng, 3, 6), 3)),
      ],
      expected,
      mistakes,
    }),
    updateCase({
      symbol: "batchUpdate",
      name: "does not change θ, X or y",
      problems: [data()],
      expected,
      mistakes,
      unchanged: { argNames: ["θ", "X", "y", "α"], misconception: "batchUpdate-mutates-input" },
    }),
  ];
}

function stochasticEpochCases(rng: Rng, reference: References): HiddenCase[] {
  const expected = reference.stochasticEpoch;
  const mistakes = {
    "stochasticEpoch-batch-order": (p: Problem) => lms.batchUpdate(p.theta, p.X, p.y, p.alpha),
    "stochasticEpoch-reverse-order": (p: Problem) =>
      lms.stochasticEpoch(p.theta, p.X.toReversed(), p.y.toReversed(), p.alpha),
    "stochasticEpoch-skips-last": (p: Problem) =>
      lms.stochasticEpoch(p.theta, p.X.slice(0, -1), p.y.slice(0, -1), p.alpha),
    "stochasticEpoch-skips-first": (p: Problem) =>
      lms.stochasticEpoch(p.theta, p.X.slice(1), p.y.slice(1), p.alpha),
  };
  const data = (n: number) => drawProblem(rng, n, size(rng, 2, 4));
  return [
    updateCase({
      symbol: "stochasticEpoch",
      name: "one epoch, in order, on random data",
      problems: Array.from({ length: 3 }, () => data(size(rng, 4, 8))),
      expected,
      mistakes,
    }),
    updateCase({
      symbol: "stochasticEpoch",
      name: "a single example is one LMS step",
      problems: Array.from({ length: 3 }, () => data(1)),
      expected,
      mistakes,
    }),
    updateCase({
      symbol: "stochasticEpoch",
      name: "a longer epoch of 25 examples",
      problems: Array.from({ length: 2 }, () => data(25)),
      expected,
      mistakes,
    }),
    updateCase({
      symbol: "stochasticEpoch",
      name: "does not change θ, X or y",
      problems: [data(5)],
      expected,
      mistakes,
      unchanged: {
        argNames: ["θ", "X", "y", "α"],
        misconception: "stochasticEpoch-mutates-input",
      },
    }),
  ];
}

/** The hidden suite of 02-lms. */
export const suite: HiddenSuite = {
  exercise: "02-lms",
  misconceptions: MISCONCEPTIONS,
  builtOn: {
    predict: [],
    cost: ["predict"],
    lmsUpdate: ["predict"],
    // A batch step is the sum of the LMS steps every example would take from θ.
    batchUpdate: ["predict", "lmsUpdate"],
    stochasticEpoch: ["predict", "lmsUpdate"],
  } satisfies BuiltOn<typeof STAND_INS>,
  cases(rng) {
    const reference = references();
    return [
      ...predictCases(rng.fork("predict"), reference),
      ...costCases(rng.fork("cost"), reference),
      ...lmsUpdateCases(rng.fork("lmsUpdate"), reference),
      ...batchUpdateCases(rng.fork("batchUpdate"), reference),
      ...stochasticEpochCases(rng.fork("stochasticEpoch"), reference),
    ];
  },
};
