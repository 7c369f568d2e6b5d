import { testSuite } from "./_check_suite.ts";
import { suite } from "./lms.ts";

testSuite({
  suite,
  bugs: {
    "bug_predict_intercept_skipped_everywhere.ts": "predict-intercept",
    "bug_batchUpdate_mean_instead_of_sum.ts": "batchUpdate-mean",
    "bug_cost_mean_instead_of_sum.ts": "cost-mean",
    "bug_cost_missing_half.ts": "cost-missing-half",
    "bug_lmsUpdate_mutates_theta.ts": "lmsUpdate-mutates-input",
    "bug_lmsUpdate_sign_flipped.ts": "lmsUpdate-sign",
    "bug_stochasticEpoch_batch_order.ts": "stochasticEpoch-batch-order",
  },
  mutants: [
    {
      // A walkthrough's bug: divided by n instead of 2. On an input of one example it is
      // twice J(θ), as a missing ½ is: only the larger inputs tell the two apart.
      name: "cost_divides_by_n",
      symbol: "cost",
      misconception: "cost-mean",
      replace: [["return sum / 2;", "return sum / X.length;"]],
    },
    {
      name: "stochasticEpoch_reverse_order",
      symbol: "stochasticEpoch",
      misconception: "stochasticEpoch-reverse-order",
      replace: [["return X.reduce((current", "return X.reduceRight((current"]],
    },
    {
      name: "predict_skips_intercept",
      symbol: "predict",
      misconception: "predict-intercept",
      replace: [[
        "for (let j = 0; j < theta.length; j++)",
        "for (let j = 1; j < theta.length; j++)",
      ]],
    },
    {
      name: "lmsUpdate_step_only",
      symbol: "lmsUpdate",
      misconception: "lmsUpdate-step-only",
      replace: [[
        "return theta.map((t, j) => t + step * x[j]);",
        "return theta.map((_, j) => step * x[j]);",
      ]],
    },
    {
      name: "batchUpdate_sequential",
      symbol: "batchUpdate",
      misconception: "batchUpdate-sequential",
      replace: [[
        "const step = alpha * (y[i] - dot(theta, X[i]));",
        "const step = alpha * (y[i] - dot(next, X[i]));",
      ]],
    },
  ],
});
