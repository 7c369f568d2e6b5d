import * as core from "../../core/autoencoder.ts";
import * as solution from "../../solutions/05-autoencoder/autoencoder.ts";
import * as mahalanobis from "../../tests/variants/05-autoencoder/correct_mahalanobis.ts";
import { runCalls } from "../child/calls.ts";
import { numberTexts, testSuite } from "./_check_suite.ts";
import assert from "node:assert/strict";
import { spearman, suite } from "./autoencoder.ts";

const squaredDifferences = (a: number[], b: number[]) =>
  a.reduce((sum, ai, i) => sum + (ai - b[i]) ** 2, 0);

/** The reference core as a submission: its AUC is the one the suite compares with. */
const reference = { train: core.train, score: core.score };

testSuite({
  suite,
  seeds: ["alice", "bob", "carol"],
  maxInput: 999,
  // Training dominates the run time: the reference trains once per seed, a submission twice.
  slow: { symbols: ["score"], seeds: 2 },
  metric: { symbol: "score", cases: 3, min: 0.9 },
  bugs: {
    "bug_forward_activation_before_bias.ts": "forward-activation-before-bias",
    "bug_forward_no_bias.ts": "forward-no-bias",
    "bug_forward_relu_as_abs.ts": "forward-relu-not-zero",
    "bug_forward_weights_transposed.ts": "forward-weights-transposed",
    "bug_reconstructionError_abs_instead_of_square.ts": "reconstructionError-no-square",
    "bug_score_negated.ts": "score-negated",
  },
  // Written on the Mahalanobis variant, whose training is fast.
  mutants: [
    {
      name: "reconstructionError_mean",
      symbol: "reconstructionError",
      misconception: "reconstructionError-mean",
      module: {
        ...mahalanobis,
        reconstructionError: (a: number[], b: number[]) => squaredDifferences(a, b) / a.length,
      },
    },
    {
      name: "reconstructionError_root",
      symbol: "reconstructionError",
      misconception: "reconstructionError-root",
      module: {
        ...mahalanobis,
        reconstructionError: (a: number[], b: number[]) => Math.sqrt(squaredDifferences(a, b)),
      },
    },
    {
      name: "reconstructionError_zeroes_output",
      symbol: "reconstructionError",
      misconception: "reconstructionError-mutates-input",
      module: {
        ...mahalanobis,
        reconstructionError: (a: number[], b: number[]) => {
          const error = squaredDifferences(a, b);
          b.fill(0);
          return error;
        },
      },
    },
    {
      name: "forward_zeroes_x",
      symbol: "forward",
      misconception: "forward-mutates-input",
      module: {
        ...mahalanobis,
        forward: (layers: Parameters<typeof solution.forward>[0], x: number[]) => {
          const out = solution.forward(layers, [...x]);
          x.fill(0);
          return out;
        },
      },
    },
    {
      name: "train_zeroes_background",
      symbol: "score",
      misconception: "score-mutates-input",
      module: {
        ...mahalanobis,
        train: async (background: number[][]) => {
          const model = await mahalanobis.train(background);
          background.forEach((row) => row.fill(0));
          return model;
        },
      },
    },
    {
      // The lazy score: an event's distance from the origin, no training at all.
      name: "score_distance_from_centre",
      symbol: "score",
      misconception: "score-untrained",
      module: {
        ...mahalanobis,
        train: () => Promise.resolve({}),
        score: (_model: unknown, events: number[][]) =>
          Promise.resolve(events.map((x) => x.reduce((sum, xi) => sum + xi * xi, 0))),
      },
    },
    {
      name: "score_constant",
      symbol: "score",
      misconception: "score-constant",
      module: {
        ...mahalanobis,
        train: () => Promise.resolve({}),
        score: (_model: unknown, events: number[][]) => Promise.resolve(events.map(() => 1)),
      },
    },
  ],
  expectedTexts: async (c) =>
    c.symbol === "score"
      ? numberTexts((await c.judge(await runCalls(reference, c.calls))).metric ?? [], [2, 3, 4])
      : numberTexts((await runCalls(solution, c.calls)).map((r) => r.ok && r.value), [2, 3, 4]),
});

Deno.test("spearman() is 1 for the same order, −1 for the reverse, 0 for a constant", () => {
  assert.equal(spearman([1, 5, 2, 9], [10, 50, 20, 90]), 1);
  assert.equal(spearman([1, 5, 2, 9], [-1, -5, -2, -9]), -1);
  assert.equal(spearman([1, 5, 2, 9], [3, 3, 3, 3]), 0);
  // Ties share their mean rank: [0.5, 0.5, 2] against [0, 1, 2].
  assert.ok(Math.abs(spearman([1, 1, 2], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-12);
});
