import * as m from "./lms.ts";
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

const FILE = "lms.ts";

/**
 * The README's worked example: three examples with x₀ = 1, θ = (1, 1), α = 0.1. Fresh
 * arrays on every call, so that code which changes its inputs cannot spoil another test.
 */
function workedExample(): { theta: number[]; X: number[][]; y: number[]; alpha: number } {
  return { theta: [1, 1], X: [[1, 1], [1, 2], [1, 3]], y: [3, 4, 7], alpha: 0.1 };
}

/** Whether `actual` has the length of `expected` and matches it within float32 accuracy. */
function allClose(actual: unknown, expected: readonly number[]): boolean {
  return Array.isArray(actual) && actual.length === expected.length &&
    expected.every((e, i) => isClose(actual[i], e));
}

/** Noiseless linear data, y = θ*ᵀx exactly, for the convergence tests. */
function linearData(): { X: number[][]; y: number[]; truth: number[] } {
  const rng = createRng("02-lms/convergence");
  const truth = [0.5, -2, 1.5];
  const X = Array.from({ length: 8 }, () => [1, rng.between(-1, 1), rng.between(-1, 1)]);
  const y = X.map((x) => x.reduce((sum, xj, j) => sum + truth[j] * xj, 0));
  return { X, y, truth };
}

Deno.test("predict() returns θᵀx", () => {
  const predict = exported(m, "predict", FILE);
  assertClose(predict([1, 1], [1, 1]), 2, "predict([1, 1], [1, 1])");
  assertClose(predict([1, 1], [1, 3]), 4, "predict([1, 1], [1, 3])");
  assertClose(predict([0.5, -2, 3], [1, 4, 2]), -1.5, "predict([0.5, -2, 3], [1, 4, 2])", {
    scale: 8,
  });
  assertClose(predict([2.5], [1]), 2.5, "predict([2.5], [1])");
});

Deno.test("predict() leaves θ and x unchanged", () => {
  const predict = exported(m, "predict", FILE);
  callWithoutMutation("predict", predict, [0.5, -2, 3], [1, 4, 2]);
});

Deno.test("cost() is half the sum of the squared errors", () => {
  const cost = exported(m, "cost", FILE);
  const { theta, X, y } = workedExample();
  // Errors h − y are −1, −1, −3: ½ (1 + 1 + 9) = 5.5.
  const j = cost(theta, X, y);
  const what = "cost([1, 1], [[1, 1], [1, 2], [1, 3]], [3, 4, 7])";
  if (typeof j === "number" && isClose(j, 11)) {
    fail(`${what} returned 11, expected 5.5: is the ½ in J(θ) = ½ Σᵢ (h(xᵢ) − yᵢ)² missing?`);
  }
  if (typeof j === "number" && (isClose(j, 11 / 3) || isClose(j, 11 / 6))) {
    fail(
      `${what} returned ${show(j)}, expected 5.5: J(θ) sums over the examples; it does not average`,
    );
  }
  assertClose(j, 5.5, what);
  assertClose(cost([0, 0], [[1, 2]], [3]), 4.5, "cost([0, 0], [[1, 2]], [3])");
});

Deno.test("cost() is 0 when θ fits every example exactly", () => {
  const cost = exported(m, "cost", FILE);
  assertClose(
    cost([1, 2], workedExample().X, [3, 5, 7]),
    0,
    "cost([1, 2], [[1, 1], [1, 2], [1, 3]], [3, 5, 7])",
  );
});

Deno.test("cost() leaves θ, X and y unchanged", () => {
  const cost = exported(m, "cost", FILE);
  const { theta, X, y } = workedExample();
  callWithoutMutation("cost", cost, theta, X, y);
});

Deno.test("lmsUpdate() moves θ by α (y − h(x)) x", () => {
  const lmsUpdate = exported(m, "lmsUpdate", FILE);
  const { theta, alpha } = workedExample();
  // h = 4, y − h = 3: θ = (1, 1) + 0.1 · 3 · (1, 3) = (1.3, 1.9).
  const what = "lmsUpdate([1, 1], [1, 3], 7, 0.1)";
  const next = lmsUpdate(theta, [1, 3], 7, alpha);
  if (allClose(next, [0.7, 0.1])) {
    fail(
      `${what} returned ${show(next)}, expected [1.3, 1.9]: θ moved away from the target; ` +
        `the rule adds α (y − h(x)) xⱼ, not α (h(x) − y) xⱼ`,
    );
  }
  assertAllClose(next, [1.3, 1.9], what);
  // h = 0.5 − 2 − 2 = −3.5, y − h = 4.5, step 0.05 · 4.5 = 0.225.
  assertAllClose(
    lmsUpdate([0.5, -1, 2], [1, 2, -1], 1, 0.05),
    [0.725, -0.55, 1.775],
    "lmsUpdate([0.5, -1, 2], [1, 2, -1], 1, 0.05)",
  );
});

Deno.test("lmsUpdate() leaves θ as it is when the prediction is exact", () => {
  const lmsUpdate = exported(m, "lmsUpdate", FILE);
  assertAllClose(lmsUpdate([1, 2], [1, 3], 7, 0.5), [1, 2], "lmsUpdate([1, 2], [1, 3], 7, 0.5)");
});

Deno.test("lmsUpdate() returns a new θ and leaves its inputs unchanged", () => {
  const lmsUpdate = exported(m, "lmsUpdate", FILE);
  const { theta, alpha } = workedExample();
  const next = callWithoutMutation("lmsUpdate", lmsUpdate, theta, [1, 3], 7, alpha);
  assertVector(next, "lmsUpdate([1, 1], [1, 3], 7, 0.1)", 2);
});

Deno.test("batchUpdate() adds the summed, not averaged, step of every example", () => {
  const batchUpdate = exported(m, "batchUpdate", FILE);
  const { theta, X, y, alpha } = workedExample();
  // With θ = (1, 1) the errors y − h are 1, 1, 3:
  // Σᵢ (y − h) x = 1·(1, 1) + 1·(1, 2) + 3·(1, 3) = (5, 12), so θ = (1, 1) + 0.1·(5, 12).
  const what = "batchUpdate([1, 1], [[1, 1], [1, 2], [1, 3]], [3, 4, 7], 0.1)";
  const next = batchUpdate(theta, X, y, alpha);
  if (allClose(next, [1 + 0.5 / 3, 1 + 1.2 / 3])) {
    fail(
      `${what} returned ${show(next)}, expected [1.5, 2.2]: the steps were averaged; ` +
        `the lecture's batch rule sums them, θ + α Σᵢ (yᵢ − h(xᵢ)) xᵢ`,
    );
  }
  if (allClose(next, [1.381, 1.873])) {
    fail(
      `${what} returned ${show(next)}, expected [1.5, 2.2]: θ changed between examples; ` +
        `a batch step measures every error with the θ it was given`,
    );
  }
  assertAllClose(next, [1.5, 2.2], what);
});

Deno.test("batchUpdate() on one example is one LMS step", () => {
  const batchUpdate = exported(m, "batchUpdate", FILE);
  assertAllClose(
    batchUpdate([0.5, -1, 2], [[1, 2, -1]], [1], 0.05),
    [0.725, -0.55, 1.775],
    "batchUpdate([0.5, -1, 2], [[1, 2, -1]], [1], 0.05)",
  );
});

Deno.test("batchUpdate() leaves θ, X and y unchanged", () => {
  const batchUpdate = exported(m, "batchUpdate", FILE);
  const { theta, X, y, alpha } = workedExample();
  callWithoutMutation("batchUpdate", batchUpdate, theta, X, y, alpha);
});

Deno.test("batchUpdate() repeated 60 times recovers θ of noiseless linear data within 1e-4", () => {
  const batchUpdate = exported(m, "batchUpdate", FILE);
  const { X, y, truth } = linearData();
  let theta = [0, 0, 0];
  for (let step = 0; step < 60; step++) theta = batchUpdate(theta, X, y, 0.1);
  assertAllClose(theta, truth, "60 batch steps with α = 0.1 from θ = (0, 0, 0)", { rtol: 1e-4 });
});

Deno.test("stochasticEpoch() updates θ after each example, in order", () => {
  const stochasticEpoch = exported(m, "stochasticEpoch", FILE);
  const { theta, X, y, alpha } = workedExample();
  // i = 0: h = 2,    y − h = 1,    θ = (1.1, 1.1)
  // i = 1: h = 3.3,  y − h = 0.7,  θ = (1.17, 1.24)
  // i = 2: h = 4.89, y − h = 2.11, θ = (1.381, 1.873)
  const what = "stochasticEpoch([1, 1], [[1, 1], [1, 2], [1, 3]], [3, 4, 7], 0.1)";
  const next = stochasticEpoch(theta, X, y, alpha);
  if (allClose(next, [1.5, 2.2])) {
    fail(
      `${what} returned ${show(next)}, expected [1.381, 1.873]: that is one batch step; ` +
        `each LMS step must start from the θ the previous step left`,
    );
  }
  if (allClose(next, [1.203, 1.693])) {
    fail(
      `${what} returned ${show(next)}, expected [1.381, 1.873]: ` +
        `the examples were taken from last to first; go i = 0, 1, …, n − 1`,
    );
  }
  assertAllClose(next, [1.381, 1.873], what);
});

Deno.test("stochasticEpoch() on one example is one LMS step", () => {
  const stochasticEpoch = exported(m, "stochasticEpoch", FILE);
  assertAllClose(
    stochasticEpoch([1, 1], [[1, 3]], [7], 0.1),
    [1.3, 1.9],
    "stochasticEpoch([1, 1], [[1, 3]], [7], 0.1)",
  );
});

Deno.test("stochasticEpoch() leaves θ, X and y unchanged", () => {
  const stochasticEpoch = exported(m, "stochasticEpoch", FILE);
  const { theta, X, y, alpha } = workedExample();
  callWithoutMutation("stochasticEpoch", stochasticEpoch, theta, X, y, alpha);
});

Deno.test("stochasticEpoch() repeated 60 times recovers θ of noiseless linear data within 1e-4", () => {
  const stochasticEpoch = exported(m, "stochasticEpoch", FILE);
  const { X, y, truth } = linearData();
  let theta = [0, 0, 0];
  for (let epoch = 0; epoch < 60; epoch++) theta = stochasticEpoch(theta, X, y, 0.1);
  assertAllClose(theta, truth, "60 stochastic epochs with α = 0.1 from θ = (0, 0, 0)", {
    rtol: 1e-4,
  });
});
