/**
 * The course's exercises: one typed table, validated with zod when this module loads.
 *
 * Every tool reads exercises from here: `deno task check` (groups, hints, time limits),
 * `deno task release`, the grader (points, limits, what feedback may show) and the portal
 * (titles, attempt policy, leaderboards). A malformed entry fails at import time with a
 * message naming the field, so a typo never reaches a student.
 *
 * @module
 */
import { z } from "zod";

const symbol = z.string().regex(
  /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$/,
  "a symbol is an export name, or Class.method",
);

/** One graded test group: the tests of one export (or one method of an exported class). */
export const TestGroupSchema = z.object({
  /** The export under test; visible and hidden test names start with `<symbol>()`. */
  symbol,
  /** What the group checks, in a few words. */
  title: z.string().min(1),
  /** Points for the group; partial credit is the share of its tests that pass. */
  points: z.number().positive(),
  /** Leading questions first, then more direct hints; shown by `deno task check` on failure. */
  hints: z.array(z.string().min(1)).default([]),
});

/** One exercise. */
export const ExerciseSchema = z.object({
  id: z.string().regex(/^\d\d-[a-z0-9-]+$/, "an id looks like 04-softmax"),
  title: z.string().min(1),
  /** The file a student fills in, in `exercises/<id>/`; solutions use the same name. */
  entry: z.string().regex(/^[a-z][a-z0-9_]*\.ts$/),
  /** The visible tests, beside the entry file. */
  tests: z.string().regex(/^[a-z][a-z0-9_]*_test\.ts$/),
  groups: z.array(TestGroupSchema).min(1),
  limits: z.object({
    /** Wall-clock limit for one run of the exercise's tests, in milliseconds. */
    timeMs: z.number().int().positive(),
    /** Memory limit for the process running student code, in MiB. */
    memoryMb: z.number().int().positive(),
    /**
     * How the grader's sandbox compiles the student's code: `"quick"` where the hidden
     * cases run in milliseconds (a third less processor time per child), `"full"` where
     * they train for seconds. See `jit` in `grader/sandbox.ts`.
     */
    jit: z.enum(["quick", "full"]).default("full"),
  }),
  /** Whether feedback on a failed hidden test may show its inputs (never its expected value). */
  showHiddenInputs: z.boolean(),
  /** A ranked metric, where the exercise has a leaderboard. */
  metric: z.object({ name: z.string(), higherIsBetter: z.boolean() }).optional(),
  /** How often a student may submit; a failure of the grading machinery costs no attempt. */
  attempts: z.object({
    perDay: z.number().int().positive().optional(),
    cooldownMinutes: z.number().nonnegative().optional(),
  }),
});

export type TestGroup = z.infer<typeof TestGroupSchema>;
export type Exercise = z.infer<typeof ExerciseSchema>;

/**
 * Validates a table of exercises: each entry against the schema, then ids, entry files and
 * symbols for uniqueness.
 *
 * @param table The raw table.
 * @returns The validated exercises, in course order.
 * @throws {TypeError} If an entry is malformed or an id or symbol repeats.
 */
export function parseExercises(table: unknown): Exercise[] {
  const parsed = z.array(ExerciseSchema).safeParse(table);
  if (!parsed.success) {
    throw new TypeError(`Invalid exercise metadata: ${z.prettifyError(parsed.error)}`);
  }
  const ids = new Set<string>();
  for (const exercise of parsed.data) {
    if (ids.has(exercise.id)) {
      throw new TypeError(`Invalid exercise metadata: id "${exercise.id}" appears twice`);
    }
    ids.add(exercise.id);
    const symbols = new Set<string>();
    for (const group of exercise.groups) {
      if (symbols.has(group.symbol)) {
        throw new TypeError(
          `Invalid exercise metadata: "${exercise.id}" has two groups for "${group.symbol}"`,
        );
      }
      symbols.add(group.symbol);
    }
  }
  return parsed.data;
}

const CHEAP = { timeMs: 10_000, memoryMb: 512, jit: "quick" } as const;

/** The course's exercises, in the order students meet them. */
export const EXERCISES: readonly Exercise[] = parseExercises([
  {
    id: "01-dual-numbers",
    title: "Dual numbers: forward-mode automatic differentiation",
    entry: "dual.ts",
    tests: "dual_test.ts",
    limits: CHEAP,
    showHiddenInputs: true,
    attempts: { perDay: 20 },
    groups: [
      {
        symbol: "Dual",
        title: "construction: re and eps",
        points: 1,
        hints: [
          "What should new Dual(5) store as its ε part, and why is that right for a constant?",
          "Assign this.re and this.eps in the constructor, with eps defaulting to 0.",
        ],
      },
      {
        symbol: "Dual.add",
        title: "sum rule",
        points: 1,
        hints: [
          "What is (a + bε) + (c + dε)? And what are c and d when o is a plain number?",
          "Turn a plain number c into new Dual(c, 0), add part by part, and return a new Dual instead of changing this.",
        ],
      },
      {
        symbol: "Dual.sub",
        title: "difference rule",
        points: 1,
        hints: [
          "Can you write x − y with operations you already have?",
          "x − y = x + (−y): convert a plain number to a Dual, then this.add(other.neg()).",
        ],
      },
      {
        symbol: "Dual.mul",
        title: "product rule",
        points: 1,
        hints: [
          "Multiply (a + bε)(c + dε) out: which of the four terms does ε² = 0 remove?",
          "The ε part has two terms, ad + bc; with one missing, (2 + ε)(2 + ε) comes out as 4 + 2ε instead of 4 + 4ε.",
        ],
      },
      {
        symbol: "Dual.div",
        title: "quotient rule",
        points: 1,
        hints: [
          "What is 1/(c + dε)? Multiply (c + dε)(1/c − (d/c²)ε) out to check your guess.",
          "x/y = x·y⁻¹, i.e. this.mul(other.pow(-1)); written out, the ε part is (bc − ad)/c², with a minus sign.",
        ],
      },
      {
        symbol: "Dual.pow",
        title: "power rule",
        points: 1,
        hints: [
          "By the chain rule, where does b, the ε part of the base, go in (a + bε)ᵖ?",
          "aᵖ + p·aᵖ⁻¹·b·ε: (3 + 2ε)² must give 9 + 12ε, not 9 + 6ε. The ** operator handles non-integer and negative p.",
        ],
      },
      {
        symbol: "Dual.neg",
        title: "negation",
        points: 1,
        hints: [
          "What is −1·(a + bε)?",
          "Negate both parts and return a new Dual.",
        ],
      },
      {
        symbol: "sin",
        title: "sin(a + bε)",
        points: 1,
        hints: [
          "f(a + bε) = f(a) + f'(a)·b·ε: what is f' for sin?",
          "sin(a + bε) = sin a + b·cos a·ε.",
        ],
      },
      {
        symbol: "cos",
        title: "cos(a + bε)",
        points: 1,
        hints: [
          "What is the derivative of cos, sign included?",
          "cos(a + bε) = cos a − b·sin a·ε, as in the lecture.",
        ],
      },
      {
        symbol: "exp",
        title: "exp(a + bε)",
        points: 1,
        hints: [
          "Which function is its own derivative?",
          "exp(a + bε) = eᵃ + b·eᵃ·ε.",
        ],
      },
      {
        symbol: "log",
        title: "log(a + bε)",
        points: 1,
        hints: [
          "What is the derivative of ln a, and where does b go?",
          "log(a + bε) = ln a + (b/a)·ε, with Math.log for ln.",
        ],
      },
      {
        symbol: "derivative",
        title: "f'(x) by seeding ε",
        points: 2,
        hints: [
          "What must the ε part of the input be, so that the ε part of f's result is f'(x) itself?",
          "Return f(new Dual(x, 1)).eps.",
        ],
      },
      {
        symbol: "gradient",
        title: "∇f by one pass per variable",
        points: 2,
        hints: [
          "If every variable gets ε = 1 in the same pass, what does the ε part of f hold? Try x·y at (2, 3).",
          "One pass per variable i: give xs[j] an ε part of 1 when j === i and 0 otherwise, evaluate f, keep its eps.",
        ],
      },
    ],
  },
  {
    id: "02-lms",
    title: "Least mean squares: the LMS update rule",
    entry: "lms.ts",
    tests: "lms_test.ts",
    limits: CHEAP,
    showHiddenInputs: true,
    attempts: { perDay: 20 },
    groups: [
      {
        symbol: "predict",
        title: "h(x) = θᵀx",
        points: 1,
        hints: [
          "θᵀx is a sum of products: which entries do you multiply together?",
          "Sum theta[j] * x[j] over every j; x[0] = 1 already, so θ₀ needs no special case.",
        ],
      },
      {
        symbol: "cost",
        title: "J(θ) = ½ Σ (h(xᵢ) − yᵢ)²",
        points: 2,
        hints: [
          "Is J(θ) a sum or a mean over the examples? And what stands in front of it?",
          "Add (h(xᵢ) − yᵢ)² over all examples and halve the total: ½ Σ, not Σ, and not a mean.",
        ],
      },
      {
        symbol: "lmsUpdate",
        title: "one LMS step",
        points: 2,
        hints: [
          "If the prediction is too small (y > h(x)), which way must θ move?",
          "Return a new array θⱼ + α (y − h(x)) xⱼ, e.g. with theta.map; theta[j] += … changes the caller's θ.",
        ],
      },
      {
        symbol: "batchUpdate",
        title: "one batch gradient-descent step",
        points: 2,
        hints: [
          "Which θ measures the error of the second example: the one you were given, or one already changed?",
          "Compute every error yᵢ − h(xᵢ) with the θ given, sum α (yᵢ − h(xᵢ)) xᵢ (do not average), and add the sum to a copy of θ.",
        ],
      },
      {
        symbol: "stochasticEpoch",
        title: "one stochastic pass, in order",
        points: 3,
        hints: [
          "Does the update for example i start from the θ that the update for example i − 1 produced?",
          "Call lmsUpdate for i = 0, 1, …, n − 1 in turn, each time on the θ the previous call returned.",
        ],
      },
    ],
  },
  {
    id: "03-adaboost",
    title: "AdaBoost: boosting decision stumps",
    entry: "adaboost.ts",
    tests: "adaboost_test.ts",
    limits: { timeMs: 20_000, memoryMb: 512, jit: "quick" },
    showHiddenInputs: true,
    attempts: { perDay: 20 },
    groups: [
      {
        symbol: "weightedError",
        title: "εₘ, the weighted error",
        points: 2,
        hints: [
          "If the weights sum to 4 instead of 1, should the error change?",
          "Add up wᵢ over the events where pred[i] !== y[i], then divide by the sum of all wᵢ.",
        ],
      },
      {
        symbol: "learnerWeight",
        title: "αₘ, the learner's weight",
        points: 1,
        hints: [
          "What is ln((1 − ε)/ε) at ε = 0, and what does the clamp do about it?",
          "Clamp ε to [1e-10, 1 − 1e-10] first, then return 0.5 * Math.log((1 − ε) / ε); at ε = ½ the result is 0.",
        ],
      },
      {
        symbol: "updateWeights",
        title: "reweighting the events",
        points: 2,
        hints: [
          "For a misclassified event yᵢ·predᵢ = −1: which sign of the exponent makes its weight grow when α > 0?",
          "Multiply each wᵢ by Math.exp(−alpha * y[i] * pred[i]), then divide every weight by the new sum so they add up to 1.",
        ],
      },
      {
        symbol: "fitStump",
        title: "the best decision stump",
        points: 3,
        hints: [
          "Which stump wins round 1 of the README's example, and what is its polarity?",
          "Loop over every feature, every data value of that feature as threshold, and both polarities; predict polarity where x[feature] > threshold, −polarity elsewhere; keep the least weighted error.",
          "The stumps that predict one class everywhere count too: a threshold at the largest value (or −Infinity) gives them.",
        ],
      },
      {
        symbol: "trainAdaBoost",
        title: "the boosting loop",
        points: 3,
        hints: [
          "After round 1 of the README's example, which weights does round 2 fit its stump to?",
          "Start from wᵢ = 1/N; each round: fitStump on the current weights, its predictions, ε = weightedError, α = learnerWeight(ε), record stump and α, then w = updateWeights(w, pred, y, α).",
        ],
      },
      {
        symbol: "decisionFunction",
        title: "T(x) = Σₘ αₘ hₘ(x)",
        points: 2,
        hints: [
          "Does a stump with α = 2 count as much as one with α = 0.5?",
          "For each event add alphas[m] times the output of stumps[m] (polarity where x[feature] > threshold, −polarity elsewhere).",
        ],
      },
    ],
  },
  {
    id: "04-softmax",
    title: "Softmax and cross-entropy",
    entry: "softmax.ts",
    tests: "softmax_test.ts",
    limits: { timeMs: 20_000, memoryMb: 512, jit: "quick" },
    showHiddenInputs: true,
    attempts: { perDay: 20 },
    groups: [
      {
        symbol: "softmax",
        title: "stable softmax",
        points: 2,
        hints: [
          "What is Math.exp(1e4), and what is Infinity / Infinity?",
          "softmax(z − c) = softmax(z) for any constant c: subtract max(z) from every logit before Math.exp, then divide by the sum.",
        ],
      },
      {
        symbol: "logSoftmax",
        title: "stable log-softmax",
        points: 2,
        hints: [
          "softmax([0, -1000])[1] underflows to 0: what is its true logarithm?",
          "Return z_k − logSumExp(z), with logSumExp(z) = m + log Σⱼ exp(zⱼ − m) and m = max(z); never take the log of a probability.",
        ],
      },
      {
        symbol: "crossEntropy",
        title: "cross-entropy from logits",
        points: 2,
        hints: [
          "Which entry of log softmax(z) does the true label pick out?",
          "Return logSumExp(z) − z[label], computed with the maximum subtracted, so huge logits give a finite loss.",
        ],
      },
      {
        symbol: "crossEntropyGrad",
        title: "its gradient",
        points: 2,
        hints: [
          "What is the derivative of log Σⱼ exp(zⱼ) with respect to z_k?",
          "Return softmax(z) with 1 subtracted at the label: only that entry is negative, and the entries sum to 0.",
        ],
      },
      {
        symbol: "trainSoftmaxRegression",
        title: "training by gradient descent",
        points: 3,
        hints: [
          "Does each step move W against the gradient, and do opts.alpha and opts.epochs reach your loop?",
          "Start from W = 0 (classes rows of X[0].length zeros); each epoch, for every event, W[k] += α ([label = k] − p_k) x for every class k (batch or stochastic).",
          "Build new arrays for W and never reorder or change X and labels.",
        ],
      },
      {
        symbol: "predictProba",
        title: "class probabilities",
        points: 1,
        hints: [
          "What are the logits of x for the weights W?",
          "Compute z_k = W[k]·x for every row k and return softmax(z).",
        ],
      },
    ],
  },
  {
    id: "05-autoencoder",
    title: "Autoencoders for anomaly detection",
    entry: "autoencoder.ts",
    tests: "autoencoder_test.ts",
    limits: { timeMs: 120_000, memoryMb: 2048 },
    showHiddenInputs: false,
    metric: { name: "AUC", higherIsBetter: true },
    attempts: { perDay: 10, cooldownMinutes: 5 },
    groups: [
      {
        symbol: "reconstructionError",
        title: "Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)²",
        points: 2,
        hints: [
          "What should the error be when the output is [0, 0] and the input [1, 2], or the other way round? Can a difference of either sign ever lower the sum?",
          "Square each difference (xᵢⁱⁿ − xᵢᵒᵘᵗ)² and add them up: no absolute value, no mean, no square root.",
        ],
      },
      {
        symbol: "forward",
        title: "a dense network's forward pass",
        points: 3,
        hints: [
          "Redo the README's 2-3-2 example on paper: which index of weights runs over the inputs, and which over the units?",
          "Is the bias added before or after the activation? What does relu make of −0.5, and what does linear?",
          "Unit j of a layer is f(Σₖ aₖ·weights[k][j] + bias[j]), where a is the previous layer's output (x for the first layer).",
        ],
      },
      {
        symbol: "score",
        title: "anomaly detection: AUC of score() after train()",
        points: 5,
        hints: [
          "Does a higher score mean more anomalous? An AUC below 0.5 means your score points the wrong way.",
          "Does your network have a bottleneck narrower than the six features? Without one it can learn to copy any event, signal included.",
          "Fit the model with the background as both input and target (loss: mean squared error), then score each event by its reconstruction error; a few dozen epochs on a small network are enough.",
        ],
      },
    ],
  },
]);

/**
 * Looks an exercise up by id.
 *
 * @param id An exercise id such as `"04-softmax"`.
 * @returns The exercise.
 * @throws {RangeError} If no exercise has that id.
 */
export function exerciseById(id: string): Exercise {
  const exercise = EXERCISES.find((e) => e.id === id);
  if (!exercise) {
    const known = EXERCISES.map((e) => e.id).join(", ");
    throw new RangeError(`Unknown exercise "${id}": expected one of ${known}`);
  }
  return exercise;
}

/**
 * Finds an exercise as a student or an instructor names it on the command line (`deno task
 * check`, `deno task submit`, `deno task grade --exercise`): by its id, its number or its
 * name.
 *
 * @param query `"02-lms"`, `"02"`, `"2"`, `"lms"` or `"exercises/02-lms/"`.
 * @returns The matching exercise, or `undefined`.
 *
 * @example
 * ```ts
 * import { findExercise } from "./metadata.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(findExercise("02")?.id, "02-lms");
 * assert.equal(findExercise("lms")?.id, "02-lms");
 * assert.equal(findExercise("99"), undefined);
 * ```
 */
export function findExercise(query: string): Exercise | undefined {
  const q = query.replace(/\/+$/, "").replace(/^exercises\//, "").toLowerCase();
  return EXERCISES.find((e) => e.id === q) ??
    EXERCISES.find((e) => /^\d+$/.test(q) && Number(e.id.slice(0, 2)) === Number(q)) ??
    EXERCISES.find((e) => e.id.slice(3) === q);
}
