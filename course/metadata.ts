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

const CHEAP = { timeMs: 10_000, memoryMb: 512 };

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
      { symbol: "Dual", title: "construction: re and eps", points: 1 },
      { symbol: "Dual.add", title: "sum rule", points: 1 },
      { symbol: "Dual.sub", title: "difference rule", points: 1 },
      { symbol: "Dual.mul", title: "product rule", points: 1 },
      { symbol: "Dual.div", title: "quotient rule", points: 1 },
      { symbol: "Dual.pow", title: "power rule", points: 1 },
      { symbol: "Dual.neg", title: "negation", points: 1 },
      { symbol: "sin", title: "sin(a + bε)", points: 1 },
      { symbol: "cos", title: "cos(a + bε)", points: 1 },
      { symbol: "exp", title: "exp(a + bε)", points: 1 },
      { symbol: "log", title: "log(a + bε)", points: 1 },
      { symbol: "derivative", title: "f'(x) by seeding ε", points: 2 },
      { symbol: "gradient", title: "∇f by one pass per variable", points: 2 },
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
      { symbol: "predict", title: "h(x) = θᵀx", points: 1 },
      { symbol: "cost", title: "J(θ) = ½ Σ (h(xᵢ) − yᵢ)²", points: 2 },
      { symbol: "lmsUpdate", title: "one LMS step", points: 2 },
      { symbol: "batchUpdate", title: "one batch gradient-descent step", points: 2 },
      { symbol: "stochasticEpoch", title: "one stochastic pass, in order", points: 3 },
    ],
  },
  {
    id: "03-adaboost",
    title: "AdaBoost: boosting decision stumps",
    entry: "adaboost.ts",
    tests: "adaboost_test.ts",
    limits: { timeMs: 20_000, memoryMb: 512 },
    showHiddenInputs: true,
    attempts: { perDay: 20 },
    groups: [
      { symbol: "weightedError", title: "εₘ, the weighted error", points: 2 },
      { symbol: "learnerWeight", title: "αₘ, the learner's weight", points: 1 },
      { symbol: "updateWeights", title: "reweighting the events", points: 2 },
      { symbol: "fitStump", title: "the best decision stump", points: 3 },
      { symbol: "trainAdaBoost", title: "the boosting loop", points: 3 },
      { symbol: "decisionFunction", title: "T(x) = Σₘ αₘ hₘ(x)", points: 2 },
    ],
  },
  {
    id: "04-softmax",
    title: "Softmax and cross-entropy",
    entry: "softmax.ts",
    tests: "softmax_test.ts",
    limits: { timeMs: 20_000, memoryMb: 512 },
    showHiddenInputs: true,
    attempts: { perDay: 20 },
    groups: [
      { symbol: "softmax", title: "stable softmax", points: 2 },
      { symbol: "logSoftmax", title: "stable log-softmax", points: 2 },
      { symbol: "crossEntropy", title: "cross-entropy from logits", points: 2 },
      { symbol: "crossEntropyGrad", title: "its gradient", points: 2 },
      { symbol: "trainSoftmaxRegression", title: "training by gradient descent", points: 3 },
      { symbol: "predictProba", title: "class probabilities", points: 1 },
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
      { symbol: "reconstructionError", title: "Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)²", points: 2 },
      { symbol: "forward", title: "a dense network's forward pass", points: 3 },
      { symbol: "score", title: "anomaly detection: AUC of score() after train()", points: 5 },
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
