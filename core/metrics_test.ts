import assert from "node:assert/strict";
import { createRng } from "../fixtures/random.ts";
import { ams, auc, rocCurve } from "./metrics.ts";

/** The AUC by definition: every (signal, background) pair, a tie counting ½. O(n²). */
function pairwiseAuc(scores: number[], labels: number[], weights: number[]): number {
  let right = 0;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      const pair = weights[i] * weights[j];
      total += pair;
      if (scores[i] > scores[j]) right += pair;
      else if (scores[i] === scores[j]) right += pair / 2;
    }
  }
  return right / total;
}

/** Random scores rounded to a few levels, so that many tie. */
function tiedSample(n: number, seed: string) {
  const rng = createRng(seed);
  const labels = Array.from({ length: n }, () => (rng.uniform() < 0.3 ? 1 : 0));
  const scores = labels.map((label) => Math.round(4 * (rng.normal() + label)) / 4);
  const weights = labels.map(() => rng.exponential(1));
  return { scores, labels, weights };
}

Deno.test("auc() is 1 for a perfect ranking, 0 for a reversed one and ½ for all ties", () => {
  assert.equal(auc([3, 2, 1, 0], [1, 1, 0, 0]), 1);
  assert.equal(auc([3, 2, 1, 0], [0, 0, 1, 1]), 0);
  assert.equal(auc([1, 1, 1, 1], [0, 1, 0, 1]), 0.5);
});

Deno.test("auc() counts a tied (signal, background) pair as ½, by hand", () => {
  // Pairs (s, b): (0.9, 0.5) right, (0.9, 0.1) right, (0.5, 0.5) tie, (0.5, 0.1) right.
  assert.equal(auc([0.9, 0.5, 0.5, 0.1], [1, 0, 1, 0]), 3.5 / 4);
});

Deno.test("auc() weighs each pair by the product of the events' weights", () => {
  // Right pairs: (s0, b2) 2·1; wrong: (s0, b1) 2·3, (s3, b1) 1·3, (s3, b2) 1·1.
  const value = auc([0.5, 0.9, 0.2, 0.1], [1, 0, 0, 1], [2, 3, 1, 1]);
  assert.equal(value, 2 / (2 * 3 + 2 * 1 + 1 * 3 + 1 * 1));
});

Deno.test("auc() equals the pairwise definition on tied, weighted samples", () => {
  for (const seed of ["a", "b", "c"]) {
    const { scores, labels, weights } = tiedSample(400, seed);
    const expected = pairwiseAuc(scores, labels, weights);
    assert.ok(Math.abs(auc(scores, labels, weights) - expected) < 1e-12);
    const unweighted = pairwiseAuc(scores, labels, labels.map(() => 1));
    assert.ok(Math.abs(auc(scores, labels) - unweighted) < 1e-12);
  }
});

Deno.test("auc() handles infinite scores and does not mutate its inputs", () => {
  const scores = [Infinity, 0, -Infinity, -Infinity];
  const labels = [1, 0, 1, 0];
  assert.equal(auc(scores, labels), 2.5 / 4);
  assert.deepEqual(scores, [Infinity, 0, -Infinity, -Infinity]);
  assert.deepEqual(labels, [1, 0, 1, 0]);
});

Deno.test("auc() takes well under a second for 10⁵ events", () => {
  const { scores, labels } = tiedSample(100_000, "large");
  const continuous = scores.map((s, i) => s + i * 1e-9);
  const start = performance.now();
  const value = auc(continuous, labels);
  const elapsed = performance.now() - start;
  assert.ok(value > 0.5 && value < 1);
  assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
});

Deno.test("auc() rejects mismatched lengths, bad labels, NaN scores and one-class samples", () => {
  assert.throws(() => auc([1, 2], [1]), TypeError);
  assert.throws(() => auc([1, 2], [1, 0], [1]), TypeError);
  assert.throws(() => auc([1, 2], [1, -1]), RangeError);
  assert.throws(() => auc([NaN, 2], [1, 0]), RangeError);
  assert.throws(() => auc([1, 2], [1, 0], [1, -1]), RangeError);
  assert.throws(() => auc([1, 2], [1, 1]), /no background weight/);
  assert.throws(() => auc([1, 2], [1, 0], [0, 1]), /no signal weight/);
});

Deno.test("rocCurve() steps through every distinct score, ties as one diagonal step", () => {
  const { fpr, tpr } = rocCurve([0.9, 0.5, 0.5, 0.1], [1, 0, 1, 0]);
  assert.deepEqual(fpr, [0, 0, 0.5, 1]);
  assert.deepEqual(tpr, [0, 0.5, 1, 1]);
});

Deno.test("rocCurve() integrates by the trapezoid rule to auc()", () => {
  const { scores, labels, weights } = tiedSample(300, "roc");
  const { fpr, tpr } = rocCurve(scores, labels, weights);
  let area = 0;
  for (let k = 1; k < fpr.length; k++) area += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2;
  assert.ok(Math.abs(area - auc(scores, labels, weights)) < 1e-12);
  assert.equal(fpr.at(-1), 1);
  assert.ok(Math.abs(tpr.at(-1)! - 1) < 1e-12);
});

Deno.test("ams() matches the HiggsML formula, by hand", () => {
  // (10 + 90 + 10) ln(1 + 10/100) − 10 = 110 · 0.0953102 − 10 = 0.484120
  assert.ok(Math.abs(ams(10, 90) - Math.sqrt(2 * 0.48411978)) < 1e-7);
  assert.equal(ams(0, 50), 0);
});

Deno.test("ams() tends to s/√b when s ≪ b and stays accurate there", () => {
  const s = 1e-3;
  const b = 1e6;
  assert.ok(Math.abs(ams(s, b) / (s / Math.sqrt(b + 10)) - 1) < 1e-6);
});

Deno.test("ams() rejects negative or non-finite weights", () => {
  assert.throws(() => ams(-1, 10), RangeError);
  assert.throws(() => ams(1, NaN), RangeError);
  assert.throws(() => ams(Infinity, 1), RangeError);
});
