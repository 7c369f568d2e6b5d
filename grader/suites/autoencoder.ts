/**
 * The hidden tests of 05-autoencoder: the reconstruction error on hand-checkable events, the
 * forward pass through dense layers of every activation (negative pre-activations through
 * relu, negative outputs of linear layers, layers of different widths), and anomaly
 * detection: `train()` on hidden background events, then `score()` on a hidden mixture of
 * background and signal, judged by the area under the ROC curve against the reference
 * autoencoder's own AUC on the same events.
 *
 * The AUC is the exercise's leaderboard metric: every case that measures it returns it.
 *
 * @module
 */
import * as core from "../../core/autoencoder.ts";
import { auc } from "../../core/metrics.ts";
import { allCloseEnough, closeEnough } from "../../core/precision.ts";
import { anomalySample } from "../../fixtures/hep.ts";
import type { Rng } from "../../fixtures/random.ts";
import type {
  Call,
  CallResult,
  HiddenCase,
  HiddenSuite,
  Misconception,
  Verdict,
} from "../suite.ts";
import {
  anyNumber,
  callFailure,
  type ErrorSymptoms,
  type Failure,
  firstFailure,
  lazy,
  mutationFailure,
  numberArray,
  once,
  parse,
  show,
  showVector,
  unchangedFailure,
  valueCase,
  valueOf,
  wrongShape,
} from "./_judge.ts";

type Activation = core.DenseLayer["activation"];

/** A dense layer as plain data (a type, not an interface, so that it is JSON for a call). */
type Layer = { weights: number[][]; bias: number[]; activation: Activation };

/** The misconceptions this suite recognises. */
const MISCONCEPTIONS: Misconception[] = [
  {
    id: "reconstructionError-no-square",
    symbol: "reconstructionError",
    question:
      "Do you square each difference? |xᵢⁱⁿ − xᵢᵒᵘᵗ| and xᵢⁱⁿ − xᵢᵒᵘᵗ are not (xᵢⁱⁿ − xᵢᵒᵘᵗ)².",
  },
  {
    id: "reconstructionError-mean",
    symbol: "reconstructionError",
    question: "Do you divide by the number of features? The error is a sum, not a mean.",
  },
  {
    id: "reconstructionError-root",
    symbol: "reconstructionError",
    question: "Do you take a square root? The error is the sum of squares itself.",
  },
  {
    id: "reconstructionError-mutates-input",
    symbol: "reconstructionError",
    question: "Does reconstructionError() write into an array it was given? Leave both alone.",
  },
  {
    id: "forward-no-bias",
    symbol: "forward",
    question: "Do you add each unit's bias[j] to Σₖ aₖ·weights[k][j]?",
  },
  {
    id: "forward-activation-before-bias",
    symbol: "forward",
    question:
      "Is the bias added before the activation? A unit computes f(Σₖ aₖ·weights[k][j] + bias[j]), not f(Σₖ aₖ·weights[k][j]) + bias[j].",
  },
  {
    id: "forward-weights-transposed",
    symbol: "forward",
    question:
      "Which index of weights runs over the inputs? tfjs stores a Dense kernel as weights[input][unit].",
  },
  {
    id: "forward-relu-not-zero",
    symbol: "forward",
    question:
      "What does your relu make of a negative number? relu(z) = max(0, z): negatives give 0.",
  },
  {
    id: "forward-mutates-input",
    symbol: "forward",
    question:
      "Does forward() write into x or the layers? Build each layer's output as a new array.",
  },
  {
    id: "score-negated",
    symbol: "score",
    question:
      "Does a higher score mean more anomalous? Your AUC is below 0.5: background events score higher than signal.",
  },
  {
    id: "score-constant",
    symbol: "score",
    question:
      "Do all events get the same score? The score must depend on how well each event is reconstructed.",
  },
  {
    id: "score-untrained",
    symbol: "score",
    question:
      "Do your scores rank the events as Σᵢ xᵢ², their distance from the background's centre, does? A network that has learnt nothing rebuilds every event as about the same point and ranks them that way: does train() fit the network to the background, with the events as both input and target, and does score() use the trained network?",
  },
  {
    id: "score-mutates-input",
    symbol: "score",
    question:
      "Does train() change the events it was given (normalising or shuffling in place)? Copy them first.",
  },
];

/**
 * How far below the reference autoencoder's AUC a submission may score, per case. Points
 * reward a working detector, the leaderboard ranks the best: a sound score of another kind
 * (a Gaussian model's Mahalanobis distance, a relu autoencoder of another shape) lands
 * 0.02–0.12 below the reference on some draws, so the tiers are wider than the 0.02 of
 * `MODEL_MARGINS.auc` in core/precision.ts, which judges trained models of 03 and 04.
 */
const AUC_MARGINS = [0.25, 0.15] as const;

/**
 * How far above the AUC of Σᵢ xᵢ² a score must reach to show that it learnt from the
 * background. Σᵢ xᵢ², an event's distance from the standardised background's centre, needs
 * no training; over 18 graded samples it reached 0.60–0.66, the reference 0.94–0.97, and
 * an autoencoder of the reference's shape after a single epoch 0.82–0.94. A fixed bar of
 * "better than chance" at 0.6 gave that untrained score half the group's points.
 */
const LEARNT_MARGIN = 0.05;

/** Scores that rank events alike: Spearman's ρ at least this. */
const SAME_RANKING = 0.98;

/** Sizes of the graded sample: a decent submission trains and scores in a few seconds. */
const GRADED = { background: 2000, mixture: 2000, signalFraction: 0.15 } as const;

/** Sizes of the sample that checks the shape of score()'s result. */
const SMALL = { background: 400, mixture: 300, signalFraction: 0.15 } as const;

// ---------------------------------------------------------------------------------------
// float64 forward passes, right and as the misconceptions compute them

interface PassVariant {
  bias?: "add" | "none" | "after";
  relu?: "max" | "abs" | "identity";
  transposed?: boolean;
}

const ACTIVATIONS: Record<Activation, (z: number) => number> = {
  relu: (z) => Math.max(0, z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  linear: (z) => z,
};

const RELU_VARIANTS = { max: ACTIVATIONS.relu, abs: Math.abs, identity: (z: number) => z };

/**
 * One event through the layers, as the variant computes it; `undefined` where the variant
 * reads a row of weights that does not exist (student code would throw there).
 */
function pass(layers: Layer[], x: number[], v: PassVariant = {}): number[] | undefined {
  let a = x;
  for (const { weights, bias, activation } of layers) {
    const f = activation === "relu" ? RELU_VARIANTS[v.relu ?? "max"] : ACTIVATIONS[activation];
    const next: number[] = [];
    for (let j = 0; j < bias.length; j++) {
      let z = v.bias === "add" || v.bias === undefined ? bias[j] : 0;
      for (let k = 0; k < a.length; k++) {
        const row = v.transposed ? weights[j] : weights[k];
        if (row === undefined) return undefined;
        z += a[k] * (row[v.transposed ? k : j] ?? NaN);
      }
      next.push(f(z) + (v.bias === "after" ? bias[j] : 0));
    }
    a = next;
  }
  return a;
}

const outputScale = (v: readonly number[]) =>
  Math.max(1, ...v.filter(Number.isFinite).map(Math.abs));

function forwardSymptoms(layers: Layer[], x: number[], actual: number[]): string[] {
  const like = (variant: PassVariant) => {
    const out = pass(layers, x, variant);
    return out !== undefined &&
      allCloseEnough("autoencoder.forward", actual, out, outputScale(out));
  };
  const transposed = pass(layers, x, { transposed: true });
  return [
    ...(like({ bias: "none" }) ? ["forward-no-bias"] : []),
    ...(like({ bias: "after" }) ? ["forward-activation-before-bias"] : []),
    ...(like({ transposed: true }) ||
        (transposed === undefined && actual.some((a) => !Number.isFinite(a)))
      ? ["forward-weights-transposed"]
      : []),
    ...(like({ relu: "abs" }) || like({ relu: "identity" }) ? ["forward-relu-not-zero"] : []),
  ];
}

// ---------------------------------------------------------------------------------------
// Inputs

const sixteenth = (x: number) => Math.round(x * 16) / 16;
const half = (x: number) => Math.round(x * 2) / 2;

function randomLayer(rng: Rng, inputs: number, units: number, activation: Activation): Layer {
  return {
    weights: Array.from(
      { length: inputs },
      () => Array.from({ length: units }, () => sixteenth(rng.normal(0, 0.8))),
    ),
    bias: Array.from({ length: units }, () => sixteenth(rng.normal(0, 0.5))),
    activation,
  };
}

function randomEvent(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => sixteenth(rng.normal(0, 1)));
}

/**
 * A square layer and an event whose pre-activations include a negative one (unit 0) and a
 * positive one (unit 1), so relu must zero one and keep the other.
 */
function signedLayer(rng: Rng, n: number, activation: Activation) {
  const layer = randomLayer(rng, n, n, activation);
  const x = randomEvent(rng, n);
  const xW = (j: number) => x.reduce((sum, xk, k) => sum + xk * layer.weights[k][j], 0);
  layer.bias[0] = sixteenth(-xW(0) - rng.between(0.25, 2));
  layer.bias[1] = sixteenth(-xW(1) + rng.between(0.25, 2));
  return { layers: [layer], x };
}

/** Layers input → wider → 2 (linear) → input, with random activations. */
function chain(rng: Rng) {
  const d = 3 + rng.int(3);
  const wide = d + 1 + rng.int(3);
  const pick = (options: Activation[]) => options[rng.int(options.length)];
  return {
    layers: [
      randomLayer(rng, d, wide, pick(["relu", "tanh"])),
      randomLayer(rng, wide, 2, "linear"),
      randomLayer(rng, 2, d, pick(["sigmoid", "linear", "tanh"])),
    ],
    x: randomEvent(rng, d),
  };
}

/** Hand-checkable events: halves in [−4, 4]. */
function halves(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => half(rng.between(-4, 4)));
}

const squares = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + (ai - b[i]) ** 2, 0);
const absolutes = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + Math.abs(ai - b[i]), 0);

/** A pair whose squared and absolute differences add up to different sums (one in a few). */
function errorPair(make: () => [number[], number[]]): [number[], number[]] {
  let pair = make();
  for (let tries = 0; tries < 100; tries++, pair = make()) {
    if (Math.abs(squares(...pair) - absolutes(...pair)) > 0.5) break;
  }
  return pair;
}

// ---------------------------------------------------------------------------------------
// Checks

async function checkError(value: unknown, input: number[], output: number[]) {
  const actual = parse(anyNumber, value);
  if (actual === undefined) return wrongShape("reconstructionError", value, "a number");
  const scale = input.reduce((s, a, i) => s + (Math.abs(a) + Math.abs(output[i])) ** 2, 0);
  const near = (candidate: number) =>
    closeEnough("autoencoder.reconstructionError", actual, candidate, scale);
  if (near(await core.reconstructionError(input, output))) return undefined;
  const sumSquares = squares(input, output);
  const signed = input.reduce((s, a, i) => s + a - output[i], 0);
  const symptoms = [
    ...(near(absolutes(input, output)) || near(signed) ? ["reconstructionError-no-square"] : []),
    ...(near(sumSquares / input.length) ? ["reconstructionError-mean"] : []),
    ...(near(Math.sqrt(sumSquares)) ? ["reconstructionError-root"] : []),
  ];
  return {
    reason: Number.isFinite(actual)
      ? "reconstructionError() is not Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)² for two hidden events"
      : `reconstructionError() returned ${show(actual)} for two events of finite numbers`,
    ...(symptoms.length ? { symptoms } : {}),
  };
}

async function checkForward(
  value: unknown,
  layers: Layer[],
  x: number[],
): Promise<Failure | undefined> {
  const actual = parse(numberArray, value);
  if (actual === undefined) return wrongShape("forward", value, "an array of numbers");
  const expected = await core.forward(layers, x);
  if (actual.length !== expected.length) {
    return {
      reason: `forward() returned ${actual.length} numbers, but the last layer has ` +
        `${expected.length} units`,
      ...symptomsOf(forwardSymptoms(layers, x, actual)),
    };
  }
  if (allCloseEnough("autoencoder.forward", actual, expected, outputScale(expected))) {
    return undefined;
  }
  const j = expected.findIndex((e, i) =>
    !closeEnough("autoencoder.forward", actual[i], e, outputScale(expected))
  );
  return {
    reason: Number.isFinite(actual[j])
      ? `forward() is wrong at unit ${j} of the last layer: unit j computes ` +
        "f(Σₖ aₖ·weights[k][j] + bias[j]) from the previous layer's output a"
      : `forward() returned ${show(actual[j])} at unit ${j} of the last layer, where ` +
        "the output is finite",
    ...symptomsOf(forwardSymptoms(layers, x, actual)),
  };
}

const symptomsOf = (symptoms: string[]) => (symptoms.length ? { symptoms } : {});

/** The ranks of `values`, 0 for the smallest, ties sharing their mean rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const rank = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    for (let k = start; k < end; k++) rank[order[k]] = (start + end - 1) / 2;
    start = end;
  }
  return rank;
}

/**
 * Spearman's rank correlation of two equally long lists: 1 when they order the items
 * alike, 0 for a constant list.
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (a.length - 1) / 2;
  let [cov, va, vb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) ** 2;
    vb += (rb[i] - mean) ** 2;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

// ---------------------------------------------------------------------------------------
// Cases

const showPair = ([input, output]: number[][]) =>
  `input ${showVector(input)}, output ${showVector(output)}`;

function reconstructionErrorCases(rng: Rng): HiddenCase[] {
  const random = Array.from({ length: 4 }, () =>
    errorPair(() => {
      const n = 3 + rng.int(4);
      return [halves(rng, n), halves(rng, n)];
    }));
  const steps = [0.5, 1.5, 2, 2.5, 3];
  const signs = Array.from({ length: 3 }, () =>
    errorPair(() => {
      const input = halves(rng, 4);
      const d = input.map((_, i) => (i % 2 === 0 ? 1 : -1) * steps[rng.int(steps.length)]);
      return [input, input.map((xi, i) => xi + d[i])];
    }));
  const perfect = Array.from({ length: 2 }, () => {
    const input = Array.from({ length: 3 + rng.int(4) }, () => rng.normal(0, 2));
    return [input, [...input]];
  });
  // Two features off by 0.5 and 1, so that a constant 0 is no answer to this case.
  const near = (() => {
    const input = halves(rng, 4 + rng.int(3));
    const [a, b] = rng.shuffle(input.map((_, i) => i));
    return [input, input.map((xi, i) => (i === a ? xi + 0.5 : i === b ? xi - 1 : xi))];
  })();
  const make = (name: string, pairs: number[][][]) => {
    const calls = pairs.map((args): Call => ({ fn: "reconstructionError", args }));
    return valueCase(
      "reconstructionError",
      name,
      calls,
      pairs.map(showPair).join("; "),
      (value, i) => checkError(value, pairs[i][0], pairs[i][1]),
    );
  };
  const mutated = [halves(rng, 4), halves(rng, 4)];
  const mutationCall: Call = { fn: "reconstructionError", args: mutated, returnArgs: true };
  return [
    make("sum of squared differences of two events", random),
    make("squares differences of either sign", signs),
    make("is 0 for a perfect reconstruction, small for a near one", [...perfect, near]),
    valueCase(
      "reconstructionError",
      "leaves both events unchanged",
      [mutationCall],
      showPair(mutated),
      (value) =>
        unchangedFailure(
          mutationCall,
          value,
          ["input", "output"],
          "reconstructionError-mutates-input",
          (result) => checkError(result, mutated[0], mutated[1]),
        ),
    ),
  ];
}

interface Network {
  layers: Layer[];
  x: number[];
}

function forwardCases(rng: Rng): HiddenCase[] {
  const n = () => 3 + rng.int(3);
  const square = (activation: Activation) =>
    Array.from({ length: 3 }, () => signedLayer(rng, n(), activation));
  const make = (name: string, nets: Network[]) => {
    const calls = nets.map(({ layers, x }): Call => ({ fn: "forward", args: [layers, x] }));
    // Where a layer is wider than its input, weights read as [unit][input] run past the end.
    const thrown: ErrorSymptoms = (_error, i) =>
      pass(nets[i].layers, nets[i].x, { transposed: true }) === undefined
        ? ["forward-weights-transposed"]
        : [];
    return valueCase(
      "forward",
      name,
      calls,
      nets.map(({ layers, x }) =>
        `${
          layers.map((l) => `${l.weights.length}→${l.bias.length} ${l.activation}`).join(", ")
        } on x = ${showVector(x)}`
      ).join("; "),
      (value, i) => checkForward(value, nets[i].layers, nets[i].x),
      thrown,
    );
  };
  // Square layers: a mistake in the indexing changes the values here, not whether it runs.
  const width = n();
  const mutated = {
    layers: [randomLayer(rng, width, width, "tanh"), randomLayer(rng, width, width, "linear")],
    x: randomEvent(rng, width),
  };
  const mutationCall: Call = {
    fn: "forward",
    args: [mutated.layers, mutated.x],
    returnArgs: true,
  };
  return [
    make("relu layer: negative pre-activations give 0", square("relu")),
    make("linear layer: negative outputs stay negative", square("linear")),
    make("sigmoid layer", square("sigmoid")),
    make("tanh layer", square("tanh")),
    make("chains layers of different widths", Array.from({ length: 3 }, () => chain(rng))),
    valueCase(
      "forward",
      "leaves the layers and x unchanged",
      [mutationCall],
      `${mutated.layers.length} layers on x = ${showVector(mutated.x)}`,
      (value) =>
        unchangedFailure(
          mutationCall,
          value,
          ["layers", "x"],
          "forward-mutates-input",
          (result) => checkForward(result, mutated.layers, mutated.x),
        ),
    ),
  ];
}

/** train(background, { seed }), then score(model, mixture). */
function scoreCalls(sample: { background: number[][]; mixture: number[][] }, seed: number): Call[] {
  return [
    // The model is opaque (a tfjs model, say): it stays in the sandbox, nothing is read back.
    { fn: "train", args: [sample.background, { seed }], read: [] },
    { fn: "score", args: [{ $ref: 0 }, sample.mixture] },
  ];
}

/** The scores of a train-then-score case, or the verdict that there are none. */
function readScores(
  results: CallResult[],
  calls: Call[],
  events: number,
): { ok: true; scores: number[] } | { ok: false; verdict: Verdict } {
  const fail = (failure: Failure) => ({ ok: false as const, verdict: { pass: false, ...failure } });
  const failed = firstFailure(calls, results);
  if (failed) return fail({ reason: failed });
  const scores = parse(numberArray, valueOf(results[1]));
  if (scores === undefined) {
    return fail(wrongShape("score", valueOf(results[1]), "an array of numbers"));
  }
  if (scores.length !== events) {
    return fail({ reason: `score() returned ${scores.length} scores for ${events} events` });
  }
  const bad = scores.findIndex((s) => !Number.isFinite(s));
  if (bad >= 0) {
    return fail({ reason: `score() returned ${show(scores[bad])} for event ${bad}` });
  }
  return { ok: true, scores };
}

function scoreCases(rng: Rng): HiddenCase[] {
  const seed = rng.int(1000);
  // The mixture's labels are hidden, and anomalySample() is in every student's bundle: the
  // samples come from a cryptographic stream with a 128-bit seed of this student's, so that
  // no code can find the sample from its events (a red team searched 30 bits of seed in
  // 80 s and scored an AUC of 1) nor solve for the stream.
  const secret = () => Array.from({ length: 4 }, () => rng.int(2 ** 32).toString(16)).join("-");
  const [smallSeed, gradedSeed] = [`small-${secret()}`, `graded-${secret()}`];
  // The samples are drawn when a run or a judge first needs them: a missing submission's
  // tests need only their names, and drawing 4 000 events from the cryptographic stream
  // took it 45 ms.
  const small = lazy(() => anomalySample({ seed: smallSeed, ...SMALL, secure: true }));
  const graded = lazy(() => {
    const sample = anomalySample({ seed: gradedSeed, ...GRADED, secure: true });
    // Σᵢ xᵢ² on the same events: what a score reaches without learning from the background.
    const distances = sample.mixture.map((x) => x.reduce((sum, xi) => sum + xi * xi, 0));
    return { ...sample, distances, untrainedAuc: auc(distances, sample.labels) };
  });
  const referenceAuc = once(async () => {
    const { background, mixture, labels } = graded();
    const model = await core.train(background, { seed });
    return auc(await core.score(model, mixture), labels);
  });
  const describe = (sizes: typeof SMALL | typeof GRADED) =>
    `train() on ${sizes.background} hidden background events ({ seed: ${seed} }), ` +
    `then score() on a hidden mixture of ${sizes.mixture} events, ` +
    `${Math.round(sizes.mixture * sizes.signalFraction)} of them signal`;

  const aucCase = (
    name: string,
    judge: (value: number) => Promise<string | undefined> | string | undefined,
    prepare?: () => unknown,
  ): HiddenCase => {
    const calls = lazy(() => scoreCalls(graded(), seed));
    return {
      symbol: "score",
      name: `score(): ${name}`,
      get calls() {
        return calls();
      },
      input: describe(GRADED),
      ...(prepare ? { prepare } : {}),
      judge: async (results) => {
        const { mixture, labels, distances } = graded();
        const read = readScores(results, calls(), mixture.length);
        if (!read.ok) return read.verdict;
        const value = auc(read.scores, labels);
        const reason = await judge(value);
        if (reason === undefined) return { pass: true, metric: value };
        const symptoms = [
          ...(value < 0.5 ? ["score-negated"] : []),
          ...(read.scores.every((s) => s === read.scores[0]) ? ["score-constant"] : []),
          ...(spearman(read.scores, distances) >= SAME_RANKING ? ["score-untrained"] : []),
        ];
        return { pass: false, reason, metric: value, ...symptomsOf(symptoms) };
      },
    };
  };
  const reached = (value: number) =>
    `score() reaches an AUC of ${value.toFixed(3)} on the hidden mixture`;

  // train() returns an opaque model: leaving the background alone earns nothing on its
  // own, so the same run must also give one finite score per event, and not a constant.
  const shapeCalls = lazy((): Call[] => {
    const [trainCall, scoreCall] = scoreCalls(small(), seed);
    return [{ ...trainCall, returnArgs: true }, scoreCall];
  });
  return [
    {
      symbol: "score",
      name: "score(): one finite score per event, not all equal, and train() leaves the " +
        "background unchanged",
      get calls() {
        return shapeCalls();
      },
      input: describe(SMALL),
      judge: (results) => {
        const failed = callFailure(shapeCalls()[0], results[0]);
        const changed = failed ? { reason: failed } : mutationFailure(
          shapeCalls()[0],
          (results[0] as { value: unknown }).value,
          ["background", "opts"],
          "score-mutates-input",
        );
        if (changed) return { pass: false, ...changed };
        const read = readScores(results, shapeCalls(), SMALL.mixture);
        if (!read.ok) return read.verdict;
        // The same score for every event is a constant, not a score.
        return read.scores.some((s) => s !== read.scores[0]) ? { pass: true } : {
          pass: false,
          reason: "score() gives every event the same score",
          symptoms: ["score-constant"],
        };
      },
    },
    aucCase(
      `learns from the background: an AUC at least ${LEARNT_MARGIN} above that of Σᵢ xᵢ², ` +
        "the distance from the background's centre",
      (value) =>
        value >= graded().untrainedAuc + LEARNT_MARGIN
          ? undefined
          : `${reached(value)}, and Σᵢ xᵢ², which needs no training, reaches ` +
            `${graded().untrainedAuc.toFixed(3)} on the same events: ` +
            "fit the autoencoder to the background and score each event by its reconstruction " +
            "error, higher for more anomalous events",
    ),
    ...AUC_MARGINS.map((margin) =>
      aucCase(
        `AUC within ${margin} of the reference autoencoder`,
        async (value) =>
          value >= await referenceAuc() - margin ? undefined : `${reached(value)}, more than ` +
            `${margin} below the reference autoencoder trained on the same background`,
        // Seconds of training, the same whatever the student's scores: started while the
        // student's own training runs.
        referenceAuc,
      )
    ),
  ];
}

/** The hidden suite of 05-autoencoder. */
export const suite: HiddenSuite = {
  exercise: "05-autoencoder",
  misconceptions: MISCONCEPTIONS,
  cases(rng: Rng): HiddenCase[] {
    return [
      ...reconstructionErrorCases(rng.fork("reconstructionError")),
      ...forwardCases(rng.fork("forward")),
      ...scoreCases(rng.fork("score")),
    ];
  },
};
