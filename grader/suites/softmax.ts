/**
 * The hidden tests of 04-softmax: values of softmax, its logarithm, the cross-entropy and
 * its gradient on random logits and on the edge cases (logits of ±1e4, −Infinity
 * entries, probabilities that underflow), class probabilities of random weights, and
 * training judged by the quality of the trained weights, never by their identity.
 *
 * Random logits are multiples of 1/8, so they and their differences are exact in float32:
 * the reference core (float32) then agrees with a float64 submission to a few ulps even
 * for logits of 1e4. Training data comes from `processSample()` and from well-separated
 * blobs; a trained W is judged by its accuracy and mean cross-entropy on the training
 * events against the reference's, with the margins of {@linkcode MODEL_MARGINS}, and one
 * trained with the student's own defaults by its cross-entropy alone
 * ({@linkcode DEFAULT_OPTIONS_MARGINS}).
 *
 * The expected values of one draw are computed together, one batched call of the core per
 * function (`softmaxMany`, …, every reference training in one `trainSoftmaxRegressionMany`),
 * the first time a case needs one.
 *
 * @module
 */
import * as core from "../../core/softmax.ts";
import {
  allCloseEnough,
  closeEnough,
  isEquallyGoodModel,
  MODEL_MARGINS,
  type Quantity,
} from "../../core/precision.ts";
import { processSample } from "../../fixtures/hep.ts";
import type { Rng } from "../../fixtures/random.ts";
import type {
  BuiltOn,
  Call,
  CallResult,
  HiddenCase,
  HiddenSuite,
  Misconception,
} from "../suite.ts";
import {
  anyNumber,
  batched,
  type CallCheck,
  type ErrorSymptoms,
  type Failure,
  judgeCalls,
  numberArray,
  numberMatrix,
  parse,
  show,
  showMatrix,
  showVector,
  unchangedFailure,
  valueCase,
  wrongShape,
} from "./_judge.ts";
import { STAND_INS } from "../child/drivers/softmax.ts";

/** The misconceptions this suite recognises. */
const MISCONCEPTIONS: Misconception[] = [
  {
    id: "softmax-no-max-shift",
    symbol: "softmax",
    question:
      "What is Math.exp(1e4), and Math.exp(-1e4)? Do you subtract max(z) from every logit before exponentiating?",
  },
  {
    id: "logSoftmax-log-of-softmax",
    symbol: "logSoftmax",
    question:
      "Do you take the log of a probability? Where softmax(z)ₖ underflows to 0 that gives −Infinity; zₖ − logSumExp(z) stays finite.",
  },
  {
    id: "logSoftmax-no-max-shift",
    symbol: "logSoftmax",
    question:
      "Does your log Σⱼ exp(zⱼ) overflow (or take log 0) for logits of ±1e4? Subtract max(z) inside and add it back outside.",
  },
  {
    id: "crossEntropy-ignores-label",
    symbol: "crossEntropy",
    question:
      "Does your loss change when only the label changes? It must pick out the true class's log-probability, not the largest one.",
  },
  {
    id: "crossEntropy-log-of-probability",
    symbol: "crossEntropy",
    question:
      "Do you compute −log of a probability? For a label whose probability underflows to 0 that is Infinity: use logSumExp(z) − z[label].",
  },
  {
    id: "crossEntropy-sign",
    symbol: "crossEntropy",
    question:
      "Is your loss ≤ 0? The cross-entropy is −log softmax(z)[label] ≥ 0: is the minus sign there?",
  },
  {
    id: "crossEntropyGrad-sign-flipped",
    symbol: "crossEntropyGrad",
    question:
      "Is your gradient onehot(label) − softmax(z)? The gradient of the loss is softmax(z) − onehot(label): negative only at the label.",
  },
  {
    id: "crossEntropyGrad-no-onehot",
    symbol: "crossEntropyGrad",
    question: "Do you subtract 1 at the label? Entries of the gradient must sum to 0.",
  },
  {
    id: "crossEntropyGrad-by-differences",
    symbol: "crossEntropyGrad",
    question:
      "Does crossEntropyGrad() differentiate crossEntropy() numerically? Two tests withhold your crossEntropy(): compute softmax(z) − onehot(label) from its formula.",
  },
  {
    id: "crossEntropyGrad-no-max-shift",
    symbol: "crossEntropyGrad",
    question:
      "Does the softmax inside your gradient overflow for logits of ±1e4? Subtract max(z) before exponentiating there too.",
  },
  {
    id: "trainSoftmaxRegression-wrong-sign",
    symbol: "trainSoftmaxRegression",
    question:
      "Does each step move W against the gradient? After training, your loss is higher than that of W = 0.",
  },
  {
    id: "trainSoftmaxRegression-ignores-options",
    symbol: "trainSoftmaxRegression",
    question: "Do opts.alpha and opts.epochs reach your training loop when they are given?",
  },
  {
    id: "predictProba-logits",
    symbol: "predictProba",
    question:
      "Do you return the logits W·x themselves? Probabilities come from softmax of them: positive, summing to 1.",
  },
  {
    id: "predictProba-no-max-shift",
    symbol: "predictProba",
    question:
      "What does your softmax of W·x give when a logit reaches 1e4? Subtract the largest logit before exponentiating.",
  },
  ...[
    "softmax",
    "logSoftmax",
    "crossEntropy",
    "crossEntropyGrad",
    "trainSoftmaxRegression",
    "predictProba",
  ]
    .map((symbol) => ({
      id: `${symbol}-mutates-input`,
      symbol,
      question:
        `Does ${symbol}() write into, sort or shuffle an array it was given? Build new arrays instead.`,
    })),
];

/**
 * Training budget that any reasonable default must match: 80 batch steps, α = 0.5. Every
 * reference training of a draw runs 80 or 20 epochs (the defaults and the larger budget,
 * or the explicit options, the base budget and the mutation case): the core trains each
 * epoch count in one batched pass, so two counts cost two passes where five cost five.
 */
const DEFAULT_BUDGET = { alpha: 0.5, epochs: 80 } as const;

// ---------------------------------------------------------------------------------------
// Inputs

const eighth = (x: number) => Math.round(x * 8) / 8;

function randomLogits(rng: Rng, K: number, sd = 3): number[] {
  return Array.from({ length: K }, () => eighth(rng.normal(0, sd)));
}

/** K logits near ±1e4: 1e4 or −1e4 minus or plus multiples of 1/8, at least one +1e4. */
function hugeLogits(rng: Rng, K: number): number[] {
  const z = Array.from({ length: K }, () => {
    const sign = rng.uniform() < 0.5 ? 1 : -1;
    return sign * (1e4 - eighth(rng.between(0, 4)));
  });
  z[rng.int(K)] = 1e4;
  return z;
}

/** Logits whose probabilities mostly underflow: a few near 0, others 800–1200 below. */
function underflowLogits(rng: Rng, K: number): number[] {
  return rng.shuffle(
    Array.from(
      { length: K },
      (_, k) => k < 2 ? eighth(rng.normal(0, 2)) : -Math.round(rng.between(800, 1200)),
    ),
  );
}

/** Logits with one or two −Infinity entries, never at `keep`. */
function withMinusInfinity(rng: Rng, z: number[], keep = -1): number[] {
  const out = [...z];
  const candidates = rng.shuffle(z.map((_, k) => k).filter((k) => k !== keep));
  const most = keep >= 0 ? candidates.length : candidates.length - 1;
  for (const k of candidates.slice(0, Math.min(1 + rng.int(2), most))) out[k] = -Infinity;
  return out;
}

function argmax(z: readonly number[]): number {
  return z.reduce((best, zk, k) => (zk > z[best] ? k : best), 0);
}

/** A label that is not the largest logit, so a loss that ignores the label is wrong. */
function labelNotArgmax(rng: Rng, z: readonly number[]): number {
  const others = z.map((_, k) => k).filter((k) => k !== argmax(z) && Number.isFinite(z[k]));
  return others.length > 0 ? others[rng.int(others.length)] : argmax(z);
}

/** Training data: events [1, x₁, x₂] around K well-separated centres on a circle. */
function blobs(rng: Rng, K: number, perClass: number): { X: number[][]; labels: number[] } {
  const turn = rng.between(0, 2 * Math.PI);
  const centres = Array.from({ length: K }, (_, k) => {
    const angle = turn + (2 * Math.PI * k) / K;
    return [3 * Math.cos(angle), 3 * Math.sin(angle)];
  });
  const labels = rng.shuffle(Array.from({ length: K * perClass }, (_, i) => i % K));
  const X = labels.map((label) => [
    1,
    eighth(centres[label][0] + rng.normal(0, 0.6)),
    eighth(centres[label][1] + rng.normal(0, 0.6)),
  ]);
  return { X, labels };
}

interface TrainingData {
  X: number[][];
  labels: number[];
  classes: number;
  /** What the data is, for a person. */
  text: string;
}

function blobData(rng: Rng, K: number, perClass: number): TrainingData {
  return {
    ...blobs(rng, K, perClass),
    classes: K,
    text: `${K * perClass} events [1, x₁, x₂] in ${K} well-separated blobs`,
  };
}

function processData(rng: Rng, n: number): TrainingData {
  const seed = `hidden-${rng.int(1e9)}`;
  const { X, labels, classes } = processSample(n, { seed });
  return {
    X,
    labels,
    classes: classes.length,
    text: `processSample(${n}, { seed: "${seed}" }) (${classes.length} classes)`,
  };
}

// ---------------------------------------------------------------------------------------
// float64 versions of the expected values and of the misconceptions' transforms

function naiveSoftmax(z: readonly number[]): number[] {
  const e = z.map(Math.exp);
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((ek) => ek / sum);
}

function logSumExp(z: readonly number[]): number {
  const max = Math.max(...z);
  return max + Math.log(z.reduce((sum, zk) => sum + Math.exp(zk - max), 0));
}

function stableSoftmax(z: readonly number[]): number[] {
  const lse = logSumExp(z);
  return z.map((zk) => Math.exp(zk - lse));
}

const logitScale = (z: readonly number[]) =>
  Math.max(1, ...z.filter(Number.isFinite).map(Math.abs));

const hasNonFinite = (v: readonly number[]) => v.some((x) => !Number.isFinite(x));

/** Whether `actual` matches a transform's values, NaN and infinities included. */
function matches(actual: readonly number[], transform: readonly number[], scale: number) {
  return allCloseEnough("softmax.logProbabilities", actual, transform, scale);
}

// ---------------------------------------------------------------------------------------
// Checks of one call's value

interface VectorCheck {
  fn: string;
  quantity: Quantity;
  scale: number;
  /** What the entries are: "probabilities". */
  entries: string;
  /** How to compute a right entry, for the reason. */
  rule: string;
  symptoms: (actual: number[]) => string[];
}

function checkVector(value: unknown, expected: readonly number[], c: VectorCheck) {
  const actual = parse(numberArray, value);
  if (actual === undefined) return wrongShape(c.fn, value, "an array of numbers");
  if (actual.length !== expected.length) {
    return {
      reason:
        `${c.fn}() returned ${actual.length} ${c.entries}; there are ${expected.length} classes`,
    };
  }
  if (allCloseEnough(c.quantity, actual, expected, c.scale)) return undefined;
  const k = expected.findIndex((e, i) => !closeEnough(c.quantity, actual[i], e, c.scale));
  const symptoms = c.symptoms(actual);
  const found = Number.isFinite(actual[k]) || !Number.isFinite(expected[k])
    ? `is wrong at index ${k}`
    : `returned ${show(actual[k])} at index ${k}, where the value is finite`;
  return { reason: `${c.fn}() ${found}: ${c.rule}`, ...(symptoms.length ? { symptoms } : {}) };
}

function softmaxSymptoms(id: string, logits: readonly number[]) {
  return (actual: number[]) =>
    hasNonFinite(actual) && hasNonFinite(naiveSoftmax(logits)) ? [id] : [];
}

/** The reference core's batched functions for one draw: see {@linkcode batched}. */
function references() {
  return {
    softmax: batched((zs: number[][]) => core.softmaxMany(zs)),
    logSoftmax: batched((zs: number[][]) => core.logSoftmaxMany(zs)),
    crossEntropy: batched((inputs: core.LabelledLogits[]) => core.crossEntropyMany(inputs)),
    crossEntropyGrad: batched((inputs: core.LabelledLogits[]) => core.crossEntropyGradMany(inputs)),
    predictProba: batched((inputs: { W: number[][]; x: number[] }[]) =>
      core.predictProbaMany(inputs)
    ),
    /** The evaluation of the reference's W trained on the data with the options. */
    training: batched(
      async (problems: { data: TrainingData; opts: core.SoftmaxTrainingOptions }[]) => {
        const Ws = await core.trainSoftmaxRegressionMany(
          problems.map(({ data, opts }) => ({ ...data, opts })),
        );
        return await core.evaluateSoftmaxMany(
          problems.map(({ data }, i) => ({ W: Ws[i], X: data.X, labels: data.labels })),
        );
      },
    ),
  };
}

type References = ReturnType<typeof references>;

/** A getter of an expected value, from the draw's batch. */
type Expected<T> = () => Promise<T>;

async function checkSoftmax(
  value: unknown,
  z: number[],
  expected: Expected<number[]>,
): Promise<Failure | undefined> {
  return checkVector(value, await expected(), {
    fn: "softmax",
    quantity: "softmax.probabilities",
    scale: 1,
    entries: "probabilities",
    rule: "softmax(z)ₖ = exp(zₖ − max z) / Σⱼ exp(zⱼ − max z), a number in [0, 1]",
    symptoms: softmaxSymptoms("softmax-no-max-shift", z),
  });
}

async function checkLogSoftmax(
  value: unknown,
  z: number[],
  expected: Expected<number[]>,
): Promise<Failure | undefined> {
  const scale = logitScale(z);
  return checkVector(value, await expected(), {
    fn: "logSoftmax",
    quantity: "softmax.logProbabilities",
    scale,
    entries: "log-probabilities",
    rule: "log softmax(z)ₖ = zₖ − logSumExp(z), finite wherever zₖ is",
    symptoms: (actual) => [
      ...(matches(actual, stableSoftmax(z).map(Math.log), scale)
        ? ["logSoftmax-log-of-softmax"]
        : []),
      ...(matches(
          actual,
          z.map((zk) => zk - Math.log(z.reduce((s, v) => s + Math.exp(v), 0))),
          scale,
        )
        ? ["logSoftmax-no-max-shift"]
        : []),
    ],
  });
}

async function checkCrossEntropy(
  value: unknown,
  z: number[],
  label: number,
  expected: Expected<number>,
): Promise<Failure | undefined> {
  const actual = parse(anyNumber, value);
  if (actual === undefined) return wrongShape("crossEntropy", value, "a number");
  const scale = logitScale(z);
  if (closeEnough("softmax.logProbabilities", actual, await expected(), scale)) return undefined;
  const lse = logSumExp(z);
  const otherLabel = z.some((zk, k) =>
    k !== label && Number.isFinite(zk) &&
    closeEnough("softmax.logProbabilities", actual, lse - zk, scale)
  );
  const symptoms = [
    ...(otherLabel ? ["crossEntropy-ignores-label"] : []),
    ...(closeEnough("softmax.logProbabilities", actual, -(lse - z[label]), scale) && actual !== 0
      ? ["crossEntropy-sign"]
      : []),
    ...(Number.isFinite(actual) ? [] : ["crossEntropy-log-of-probability"]),
  ];
  return {
    reason: Number.isFinite(actual)
      ? `crossEntropy() is wrong for label ${label}: the loss is −log softmax(z)[label] = ` +
        "logSumExp(z) − z[label]"
      : `crossEntropy() returned ${show(actual)} for label ${label}, where the loss is ` +
        "finite: compute it from the logits, logSumExp(z) − z[label]",
    ...(symptoms.length ? { symptoms } : {}),
  };
}

async function checkGradient(
  value: unknown,
  z: number[],
  label: number,
  expected: Expected<number[]>,
): Promise<Failure | undefined> {
  const p = stableSoftmax(z);
  const gradient = p.map((pk, k) => pk - (k === label ? 1 : 0));
  return checkVector(value, await expected(), {
    fn: "crossEntropyGrad",
    quantity: "softmax.crossEntropyGrad",
    scale: 1,
    entries: "derivatives",
    rule: "∂L/∂zₖ = softmax(z)ₖ − [k = label]",
    symptoms: (actual) => [
      ...softmaxSymptoms("crossEntropyGrad-no-max-shift", z)(actual),
      ...(allCloseEnough("softmax.crossEntropyGrad", actual, gradient.map((g) => -g))
        ? ["crossEntropyGrad-sign-flipped"]
        : []),
      ...(allCloseEnough("softmax.crossEntropyGrad", actual, p)
        ? ["crossEntropyGrad-no-onehot"]
        : []),
    ],
  });
}

async function checkPredictProba(
  value: unknown,
  { W, x }: { W: number[][]; x: number[] },
  expected: Expected<number[]>,
): Promise<Failure | undefined> {
  const z = W.map((wk) => wk.reduce((sum, wkj, j) => sum + wkj * x[j], 0));
  return checkVector(value, await expected(), {
    fn: "predictProba",
    quantity: "softmax.probabilities",
    scale: 1,
    entries: "probabilities",
    rule: "predictProba(W, x) = softmax(z) with zₖ = W[k]·x",
    // A student's predictProba() that calls an unstable softmax() of theirs is not charged
    // for it: the grader runs it again with its own softmax() (see isolation.ts).
    symptoms: (actual) => [
      ...softmaxSymptoms("predictProba-no-max-shift", z)(actual),
      ...(matches(actual, z, logitScale(z)) ? ["predictProba-logits"] : []),
    ],
  });
}

/** A trained W, checked for its shape and finiteness. */
function readWeights(
  value: unknown,
  data: TrainingData,
): { ok: true; W: number[][] } | { ok: false; failure: Failure } {
  const fn = "trainSoftmaxRegression";
  const W = parse(numberMatrix, value);
  if (W === undefined) {
    return { ok: false, failure: wrongShape(fn, value, "an array of weight rows") };
  }
  const d = data.X[0].length;
  const problem = W.length !== data.classes
    ? `${W.length} rows for ${data.classes} classes`
    : W.some((row) => row.length !== d)
    ? `a row of ${W.find((row) => row.length !== d)?.length} weights for events of ${d} features`
    : W.some(hasNonFinite)
    ? "a weight that is NaN or infinite"
    : undefined;
  return problem
    ? { ok: false, failure: { reason: `${fn}() returned ${problem}` } }
    : { ok: true, W };
}

const describeOptions = (opts?: { alpha: number; epochs: number }) =>
  opts ? `{ alpha: ${opts.alpha}, epochs: ${opts.epochs} }` : "its default options";

/**
 * How far above the reference's mean cross-entropy a model trained with the student's own
 * default options may land. The SPEC leaves the defaults to the student, so any reasonable
 * choice (SGD or batch, a mean or a summed loss, another learning rate) must pass: over 300
 * draws, four correct variants always ended 0.12 nats or more *below* 80 batch steps, and
 * a wrong sign hundreds of nats above. Accuracy is not judged here: training does not
 * minimise it, and on processSample() events, whose classes overlap, correct variants land
 * from 15 points above the reference's to 10 below (an 8-point margin failed correct code
 * on about 1 draw in 300).
 */
const DEFAULT_OPTIONS_MARGINS = { crossEntropy: 0.1 } as const;

/**
 * Judges a trained W against the reference's training on the same data: its accuracy
 * (where `margins` has an accuracy margin) and its mean cross-entropy.
 */
async function checkTrained(
  value: unknown,
  data: TrainingData,
  reference: Expected<core.SoftmaxEvaluation>,
  against: string,
  opts?: { alpha: number; epochs: number },
  margins: { accuracy?: number; crossEntropy: number } = {
    accuracy: MODEL_MARGINS.accuracy.margin,
    crossEntropy: MODEL_MARGINS.crossEntropy.margin,
  },
): Promise<Failure | undefined> {
  const read = readWeights(value, data);
  if (!read.ok) return read.failure;
  const { accuracy, crossEntropy } = await core.evaluateSoftmax(read.W, data.X, data.labels);
  const best = await reference();
  const symptoms = crossEntropy > Math.log(data.classes)
    ? ["trainSoftmaxRegression-wrong-sign"]
    : [];
  const trained = `trainSoftmaxRegression() with ${describeOptions(opts)}`;
  if (
    margins.accuracy !== undefined &&
    !isEquallyGoodModel("accuracy", accuracy, best.accuracy, margins.accuracy)
  ) {
    return {
      reason: `${trained} classifies ${(accuracy * 100).toFixed(1)}% of the training events ` +
        `correctly, fewer than ${against} (margin ${margins.accuracy * 100} points)`,
      ...(symptoms.length ? { symptoms } : {}),
    };
  }
  if (!isEquallyGoodModel("crossEntropy", crossEntropy, best.crossEntropy, margins.crossEntropy)) {
    return {
      reason: `${trained} leaves a mean cross-entropy of ${crossEntropy.toFixed(3)} nats on the ` +
        `training events, higher than ${against} (margin ${margins.crossEntropy})`,
      ...(symptoms.length ? { symptoms } : {}),
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Cases

/**
 * A case whose calls must leave their arguments unchanged and return the right result:
 * `check` is the check of the function's value cases, given call `i`'s result.
 */
function mutationCase(
  symbol: string,
  args: unknown[][],
  names: string[],
  check: CallCheck,
): HiddenCase {
  const calls: Call[] = args.map((a) => ({
    fn: symbol,
    args: a as Call["args"],
    returnArgs: true,
  }));
  return valueCase(
    symbol,
    "leaves its arguments unchanged",
    calls,
    args.map((a) => a.map(showArg).join(", ")).join("; "),
    (value, i) =>
      unchangedFailure(
        calls[i],
        value,
        names,
        `${symbol}-mutates-input`,
        (result) => check(result, i),
      ),
  );
}

/** Weights and logits are shown in full up to 4 classes of 6 features. */
const WIDE = { rows: 4, entries: 6 };

function showArg(arg: unknown): string {
  if (typeof arg === "number") return show(arg);
  if (Array.isArray(arg) && arg.every(Array.isArray)) return showMatrix(arg as number[][], WIDE);
  if (Array.isArray(arg)) return showVector(arg as number[]);
  return JSON.stringify(arg);
}

const showLogits = (zs: number[][]) => zs.map((z) => `z = ${showVector(z)}`).join("; ");
const showLabelled = (inputs: { z: number[]; label: number }[]) =>
  inputs.map(({ z, label }) => `z = ${showVector(z)}, label ${label}`).join("; ");

function softmaxCases(rng: Rng, reference: References): HiddenCase[] {
  const random = Array.from({ length: 4 }, () => randomLogits(rng, 2 + rng.int(5)));
  const huge = [
    hugeLogits(rng, 3),
    [1e4, 1e4 - eighth(rng.between(0.5, 3)), 1e4 - eighth(rng.between(0.5, 3))],
    [-1e4, -1e4 + eighth(rng.between(0.5, 3)), -1e4 + eighth(rng.between(0.5, 3))],
  ];
  const infinite = Array.from({ length: 3 }, () => withMinusInfinity(rng, randomLogits(rng, 4)));
  const base = randomLogits(rng, 4);
  const shift = (rng.uniform() < 0.5 ? 1 : -1) * Math.round(rng.between(750, 1000));
  const shifted = [base, base.map((zk) => zk + shift)];
  const check = (zs: number[][]) => {
    const expected = zs.map(reference.softmax);
    return (value: unknown, i: number) => checkSoftmax(value, zs[i], expected[i]);
  };
  const calls = (zs: number[][]) => zs.map((z): Call => ({ fn: "softmax", args: [z] }));
  const unchanged = (zs: number[][]) =>
    mutationCase("softmax", zs.map((z) => [z]), ["z"], check(zs));
  return [
    valueCase(
      "softmax",
      "probabilities of random logits",
      calls(random),
      showLogits(random),
      check(random),
    ),
    valueCase(
      "softmax",
      "stays finite for logits of ±1e4",
      calls(huge),
      showLogits(huge),
      check(huge),
    ),
    valueCase(
      "softmax",
      "gives probability 0 to −Infinity logits",
      calls(infinite),
      showLogits(infinite),
      check(infinite),
    ),
    valueCase(
      "softmax",
      "is unchanged by adding a large constant to every logit",
      calls(shifted),
      showLogits(shifted),
      check(shifted),
    ),
    unchanged([withMinusInfinity(rng, randomLogits(rng, 4)), randomLogits(rng, 3)]),
  ];
}

function logSoftmaxCases(rng: Rng, reference: References): HiddenCase[] {
  const random = Array.from({ length: 4 }, () => randomLogits(rng, 2 + rng.int(5)));
  const underflow = Array.from({ length: 3 }, () => underflowLogits(rng, 3 + rng.int(3)));
  const huge = [hugeLogits(rng, 3), hugeLogits(rng, 4), [-1e4, -1e4 + eighth(rng.between(0.5, 3))]];
  const infinite = Array.from({ length: 3 }, () => withMinusInfinity(rng, randomLogits(rng, 4)));
  const check = (zs: number[][]) => {
    const expected = zs.map(reference.logSoftmax);
    return (value: unknown, i: number) => checkLogSoftmax(value, zs[i], expected[i]);
  };
  const calls = (zs: number[][]) => zs.map((z): Call => ({ fn: "logSoftmax", args: [z] }));
  const unchanged = (zs: number[][]) =>
    mutationCase("logSoftmax", zs.map((z) => [z]), ["z"], check(zs));
  return [
    valueCase(
      "logSoftmax",
      "log-probabilities of random logits",
      calls(random),
      showLogits(random),
      check(random),
    ),
    valueCase(
      "logSoftmax",
      "stays finite where softmax underflows to 0",
      calls(underflow),
      showLogits(underflow),
      check(underflow),
    ),
    valueCase(
      "logSoftmax",
      "stays finite for logits of ±1e4",
      calls(huge),
      showLogits(huge),
      check(huge),
    ),
    valueCase(
      "logSoftmax",
      "is −Infinity exactly where the logit is −Infinity",
      calls(infinite),
      showLogits(infinite),
      check(infinite),
    ),
    unchanged([withMinusInfinity(rng, randomLogits(rng, 4)), randomLogits(rng, 3)]),
  ];
}

function crossEntropyCases(rng: Rng, reference: References): HiddenCase[] {
  const labelled = (z: number[]) => ({ z, label: labelNotArgmax(rng, z) });
  const random = Array.from({ length: 4 }, () => labelled(randomLogits(rng, 3 + rng.int(4))));
  const one = randomLogits(rng, 3 + rng.int(3));
  const everyLabel = one.map((_, label) => ({ z: one, label }));
  const huge = [labelled(hugeLogits(rng, 3)), labelled(hugeLogits(rng, 4)), labelled([1e4, -1e4])];
  const infinite = Array.from({ length: 3 }, () => {
    const z = randomLogits(rng, 4);
    const label = rng.int(4);
    return { z: withMinusInfinity(rng, z, label), label };
  });
  const calls = (inputs: { z: number[]; label: number }[]) =>
    inputs.map(({ z, label }): Call => ({ fn: "crossEntropy", args: [z, label] }));
  const check = (inputs: { z: number[]; label: number }[]) => {
    const expected = inputs.map(reference.crossEntropy);
    return (value: unknown, i: number) =>
      checkCrossEntropy(value, inputs[i].z, inputs[i].label, expected[i]);
  };
  const make = (name: string, inputs: { z: number[]; label: number }[]) =>
    valueCase("crossEntropy", name, calls(inputs), showLabelled(inputs), check(inputs));
  const mutated = labelled(withMinusInfinity(rng, randomLogits(rng, 4)));
  const mutatedExpected = reference.crossEntropy(mutated);
  return [
    make("loss for random logits and labels", random),
    make("depends on the label: every label of one event", everyLabel),
    make("stays finite for logits of ±1e4", huge),
    make("is finite when other classes have −Infinity logits", infinite),
    mutationCase(
      "crossEntropy",
      [[mutated.z, mutated.label]],
      ["z", "label"],
      (value) => checkCrossEntropy(value, mutated.z, mutated.label, mutatedExpected),
    ),
  ];
}

function crossEntropyGradCases(rng: Rng, reference: References): HiddenCase[] {
  const labelled = (z: number[]) => ({ z, label: rng.int(z.length) });
  const random = Array.from({ length: 4 }, () => labelled(randomLogits(rng, 3 + rng.int(4))));
  const signs = Array.from({ length: 3 }, () => labelled(randomLogits(rng, 3 + rng.int(3), 1.5)));
  const calls = (inputs: { z: number[]; label: number }[]) =>
    inputs.map(({ z, label }): Call => ({ fn: "crossEntropyGrad", args: [z, label] }));
  const check = (inputs: { z: number[]; label: number }[]) => {
    const expected = inputs.map(reference.crossEntropyGrad);
    return (value: unknown, i: number) =>
      checkGradient(value, inputs[i].z, inputs[i].label, expected[i]);
  };
  const make = (name: string, inputs: { z: number[]; label: number }[], judge = check(inputs)) =>
    valueCase("crossEntropyGrad", name, calls(inputs), showLabelled(inputs), judge, byDifferences);
  // Two tests withhold the student's own crossEntropy() (see the driver): a gradient taken
  // by finite differences of it, which no input can tell from the formula's, fails them.
  const withheld = (testCase: HiddenCase): HiddenCase => ({
    ...testCase,
    name: `${testCase.name}, with crossEntropy() withheld`,
    withheld: ["crossEntropy"],
  });
  const huge = [
    labelled(hugeLogits(rng, 3)),
    labelled(hugeLogits(rng, 4)),
    labelled([-1e4, -1e4 + eighth(rng.between(0.5, 3))]),
  ];
  const mutated = labelled(randomLogits(rng, 4));
  const checkSigns = check(signs);
  const mutatedExpected = reference.crossEntropyGrad(mutated);
  return [
    withheld(make("gradient for random logits and labels", random)),
    // A student's crossEntropyGrad() that calls an unstable softmax() of theirs is not
    // charged for it: the grader runs it again with its own softmax() (see isolation.ts).
    make("stays finite for logits of ±1e4", huge),
    withheld(make("sums to 0 and is negative only at the label", signs, async (value, i) => {
      const failure = await checkSigns(value, i);
      const property = failure && gradientSignFailure(value, signs[i].label);
      return property ? { ...failure, reason: property } : failure;
    })),
    mutationCase(
      "crossEntropyGrad",
      [[mutated.z, mutated.label]],
      ["z", "label"],
      (value) => checkGradient(value, mutated.z, mutated.label, mutatedExpected),
    ),
  ];
}

/** A call that needed the withheld crossEntropy() computed the gradient from its values. */
const byDifferences: ErrorSymptoms = (error) =>
  error.includes("crossEntropy() is withheld in this test")
    ? ["crossEntropyGrad-by-differences"]
    : [];

/** What is wrong with the sign pattern of a gradient, from the student's own output. */
function gradientSignFailure(value: unknown, label: number): string | undefined {
  const g = parse(numberArray, value);
  if (g === undefined || label >= g.length) return undefined;
  const sum = g.reduce((a, b) => a + b, 0);
  if (!(Math.abs(sum) <= 1e-5 * g.length)) {
    return `crossEntropyGrad() returns entries that sum to ${show(sum)}; the entries of ` +
      "softmax(z) − onehot(label) sum to 0";
  }
  const wrongSign = g.findIndex((gk, k) => (k === label ? !(gk < 0) : !(gk >= 0)));
  if (wrongSign < 0) return undefined;
  return `crossEntropyGrad() has the wrong sign at index ${wrongSign}: only the label's entry, ` +
    "p − 1, is negative; every other entry is a probability ≥ 0";
}

function predictProbaCases(rng: Rng, reference: References): HiddenCase[] {
  const weights = (K: number, d: number, sd: number) =>
    Array.from({ length: K }, () => Array.from({ length: d }, () => eighth(rng.normal(0, sd))));
  const event = (
    d: number,
  ) => [1, ...Array.from({ length: d - 1 }, () => eighth(rng.normal(0, 1)))];
  const pair = (K: number, d: number, sd = 1) => ({ W: weights(K, d, sd), x: event(d) });
  const random = Array.from({ length: 3 }, () => pair(2 + rng.int(4), 2 + rng.int(4)));
  const uneven = [pair(5, 3), pair(2, 5)];
  const calls = (inputs: { W: number[][]; x: number[] }[]) =>
    inputs.map(({ W, x }): Call => ({ fn: "predictProba", args: [W, x] }));
  const make = (name: string, inputs: { W: number[][]; x: number[] }[]) => {
    const expected = inputs.map(reference.predictProba);
    return valueCase(
      "predictProba",
      name,
      calls(inputs),
      inputs.map(({ W, x }) => `W = ${showMatrix(W, WIDE)}, x = ${showVector(x)}`).join("; "),
      (value, i) => checkPredictProba(value, inputs[i], expected[i]),
    );
  };
  // Logits near ±1e4: the intercept column carries them, the features move them by a few units.
  const large = (K: number, d: number) => {
    const { W, x } = pair(K, d);
    const huge = hugeLogits(rng, K);
    return { W: W.map((wk, k) => [huge[k], ...wk.slice(1)]), x };
  };
  const mutated = pair(3, 3);
  const mutatedExpected = reference.predictProba(mutated);
  return [
    make("softmax(W x) for random weights", random),
    make("one probability per class when classes and features differ in number", uneven),
    make("stays finite when the logits W·x reach ±1e4", [large(3, 3), large(4, 2)]),
    mutationCase(
      "predictProba",
      [[mutated.W, mutated.x]],
      ["W", "x"],
      (value) => checkPredictProba(value, mutated, mutatedExpected),
    ),
  ];
}

function trainingCases(rng: Rng, references: References): HiddenCase[] {
  const fn = "trainSoftmaxRegression";
  const trainCall = (data: TrainingData, opts?: { alpha: number; epochs: number }): Call => ({
    fn,
    args: opts ? [data.X, data.labels, data.classes, opts] : [data.X, data.labels, data.classes],
  });
  const reference = (data: TrainingData, opts: { alpha: number; epochs: number }) =>
    references.training({ data, opts });
  const showTraining = (data: TrainingData, opts?: { alpha: number; epochs: number }) =>
    `${data.text}, ${describeOptions(opts)}`;
  const sameBudget =
    "batch gradient descent on the mean cross-entropy with the same alpha and epochs reaches";
  const defaultAgainst = `${DEFAULT_BUDGET.epochs} steps of batch gradient descent with ` +
    `α = ${DEFAULT_BUDGET.alpha} on the mean cross-entropy reach`;

  const defaults = (name: string, data: TrainingData): HiddenCase => {
    const calls = [trainCall(data)];
    const best = reference(data, DEFAULT_BUDGET);
    return valueCase(
      fn,
      name,
      calls,
      showTraining(data),
      (value) =>
        checkTrained(value, data, best, defaultAgainst, undefined, DEFAULT_OPTIONS_MARGINS),
    );
  };
  const explicit = [
    {
      data: blobData(rng, 3, 30),
      opts: { alpha: [0.02, 0.05][rng.int(2)], epochs: 20 },
    },
    {
      data: processData(rng, 60),
      opts: { alpha: [0.01, 0.02][rng.int(2)], epochs: 20 },
    },
  ];
  const explicitBest = explicit.map(({ data, opts }) => reference(data, opts));
  const budget = processData(rng, 24);
  // 4α·n = 0.8: a step on the summed loss (sum instead of mean) stays stable.
  const base = { alpha: 0.005, epochs: 20 };
  const budgets = [base, { alpha: base.alpha, epochs: 4 * base.epochs }, {
    alpha: 4 * base.alpha,
    epochs: base.epochs,
  }];
  const budgetCalls = budgets.map((opts) => trainCall(budget, opts));
  const mutated = blobData(rng, 3, 10);
  const mutationOpts = { alpha: 0.05, epochs: 20 };
  const mutationCall: Call = { ...trainCall(mutated, mutationOpts), returnArgs: true };
  const mutationBest = reference(mutated, mutationOpts);

  return [
    defaults(
      "with its default options fits well-separated blobs",
      blobData(rng, 3 + rng.int(2), 6),
    ),
    defaults("with its default options learns processSample() events", processData(rng, 24)),
    valueCase(
      fn,
      "with explicit { alpha, epochs } trains at least as well as batch gradient descent",
      explicit.map(({ data, opts }) => trainCall(data, opts)),
      explicit.map(({ data, opts }) => showTraining(data, opts)).join("; "),
      (value, i) =>
        checkTrained(
          value,
          explicit[i].data,
          explicitBest[i],
          sameBudget,
          explicit[i].opts,
        ),
    ),
    {
      symbol: fn,
      name: `${fn}(): more epochs or a larger alpha lower the loss`,
      calls: budgetCalls,
      input: budgets.map((opts) => showTraining(budget, opts)).join("; "),
      judge: (results) => judgeBudgets(results, budgetCalls, budget, budgets),
    },
    {
      symbol: fn,
      name: `${fn}(): leaves its arguments unchanged`,
      calls: [mutationCall],
      input: showTraining(mutated, mutationOpts),
      judge: (results) =>
        judgeCalls(
          results,
          [mutationCall],
          (value) =>
            unchangedFailure(
              mutationCall,
              value,
              ["X", "labels", "classes", "opts"],
              `${fn}-mutates-input`,
              (result) =>
                checkTrained(
                  result,
                  mutated,
                  mutationBest,
                  sameBudget,
                  mutationOpts,
                ),
            ),
        ),
    },
  ];
}

/** Judges the loss after training with a base budget, 4× the epochs and 4× alpha. */
async function judgeBudgets(
  results: CallResult[],
  calls: Call[],
  data: TrainingData,
  budgets: { alpha: number; epochs: number }[],
) {
  const losses: number[] = [];
  const verdict = await judgeCalls(results, calls, async (value) => {
    const read = readWeights(value, data);
    if (!read.ok) return read.failure;
    losses.push((await core.evaluateSoftmax(read.W, data.X, data.labels)).crossEntropy);
    return undefined;
  });
  if (!verdict.pass) return verdict;
  const [base, longer, faster] = losses;
  const symptoms = [
    ...(losses.some((loss) => loss > Math.log(data.classes))
      ? ["trainSoftmaxRegression-wrong-sign"]
      : []),
    ...(losses.every((loss) => Math.abs(loss - base) <= 1e-9)
      ? ["trainSoftmaxRegression-ignores-options"]
      : []),
  ];
  const show = (i: number) => `${describeOptions(budgets[i])} (${losses[i].toFixed(4)} nats)`;
  const failure = !(longer < base - 1e-3)
    ? `the mean cross-entropy after ${show(1)} is not below the one after ${show(0)}: does ` +
      "opts.epochs set the number of passes, and does each step go against the gradient?"
    : !(faster < base - 1e-3)
    ? `the mean cross-entropy after ${show(2)} is not below the one after ${show(0)}: does ` +
      "opts.alpha set the learning rate?"
    : undefined;
  return failure
    ? {
      pass: false,
      reason: `trainSoftmaxRegression(): ${failure}`,
      ...(symptoms.length ? { symptoms } : {}),
    }
    : { pass: true };
}

/** The hidden suite of 04-softmax. */
export const suite: HiddenSuite = {
  exercise: "04-softmax",
  misconceptions: MISCONCEPTIONS,
  builtOn: {
    // softmax = exp(logSoftmax) is as good a start as the other way round.
    softmax: ["logSoftmax"],
    logSoftmax: ["softmax"],
    crossEntropy: ["logSoftmax", "softmax"],
    crossEntropyGrad: ["softmax"],
    trainSoftmaxRegression: [
      "softmax",
      "logSoftmax",
      "crossEntropy",
      "crossEntropyGrad",
      "predictProba",
    ],
    predictProba: ["softmax", "logSoftmax"],
  } satisfies BuiltOn<typeof STAND_INS>,
  cases(rng: Rng): HiddenCase[] {
    const reference = references();
    return [
      ...softmaxCases(rng.fork("softmax"), reference),
      ...logSoftmaxCases(rng.fork("logSoftmax"), reference),
      ...crossEntropyCases(rng.fork("crossEntropy"), reference),
      ...crossEntropyGradCases(rng.fork("crossEntropyGrad"), reference),
      ...trainingCases(rng.fork("trainSoftmaxRegression"), reference),
      ...predictProbaCases(rng.fork("predictProba"), reference),
    ];
  },
};
