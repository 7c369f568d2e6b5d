import assert from "node:assert/strict";
import { exerciseById } from "../course/metadata.ts";
import { type CaseRun, MAX_HIDDEN_REASON, scoreCases } from "./score.ts";
import type { HiddenCase, HiddenSuite } from "./suite.ts";

const lms = exerciseById("02-lms");

/** A case of `symbol` whose judge passes when the single result is 42. */
function answerCase(symbol: string, name = `${symbol}(): answers 42`): HiddenCase {
  return {
    symbol,
    name,
    calls: [{ fn: symbol, args: [] }],
    input: "nothing",
    judge: ([result]) =>
      result.ok && result.value === 42 ? { pass: true } : {
        pass: false,
        reason: "not 42",
        symptoms: result.ok && result.value === 84 ? ["double"] : [],
      },
  };
}

const suite: HiddenSuite = {
  exercise: "02-lms",
  cases: () => [],
  misconceptions: [{ id: "double", symbol: "cost", question: "Is the ½ there?" }],
};

const value = (v: unknown): CaseRun => ({
  kind: "results",
  results: [{ ok: true, value: v, ms: 1 }],
});

Deno.test("scoreCases() gives each group its share of points for the cases that pass", async () => {
  const cases = [answerCase("predict"), answerCase("cost", "a"), answerCase("cost", "b")];
  const scored = await scoreCases(lms, suite, cases, [value(42), value(42), value(0)]);
  const byGroup = Object.fromEntries(scored.groups.map((g) => [g.symbol, g.score]));
  assert.equal(byGroup.predict, 1);
  assert.equal(byGroup.cost, 1);
  assert.equal(byGroup.lmsUpdate, 0, "a group without cases earns nothing");
  assert.equal(scored.score, 2);
  assert.equal(scored.maxScore, 10);
});

Deno.test("scoreCases() asks about a misconception only when every failing case shows it", async () => {
  const cases = [answerCase("cost", "a"), answerCase("cost", "b"), answerCase("cost", "c")];
  const all = await scoreCases(lms, suite, cases, [value(84), value(84), value(42)]);
  assert.deepEqual(all.groups.find((g) => g.symbol === "cost")!.questions, ["Is the ½ there?"]);
  const some = await scoreCases(lms, suite, cases, [value(84), value(7), value(42)]);
  assert.deepEqual(some.groups.find((g) => g.symbol === "cost")!.questions, []);
});

Deno.test("scoreCases() fails a case whose run failed or whose judge throws, with a reason", async () => {
  const throwing: HiddenCase = {
    ...answerCase("predict"),
    judge: () => {
      throw new Error("judge could not read the output");
    },
  };
  const scored = await scoreCases(lms, suite, [throwing, answerCase("cost")], [
    value(42),
    { kind: "failed", reason: "Your code ran for more than 10 s and was stopped" },
  ]);
  const cases = scored.groups.flatMap((g) => g.cases);
  assert.deepEqual(cases.map((c) => [c.passed, c.reason]), [
    [false, "the result has an unexpected shape"],
    [false, "Your code ran for more than 10 s and was stopped"],
  ]);
  assert.equal(scored.score, 0);
});

Deno.test("scoreCases() shows inputs only where the exercise allows it", async () => {
  const hidden = { ...exerciseById("05-autoencoder") };
  const scored = await scoreCases(hidden, suite, [answerCase("forward")], [value(1)]);
  assert.equal(scored.groups.find((g) => g.symbol === "forward")!.cases[0].input, undefined);
  const shown = await scoreCases(lms, suite, [answerCase("predict")], [value(1)]);
  assert.equal(shown.groups[0].cases[0].input, "nothing");
});

Deno.test("scoreCases() cuts reasons short where hidden inputs stay hidden", async () => {
  const leaky: HiddenCase = {
    ...answerCase("forward"),
    judge: () => ({ pass: false, reason: `forward() threw: ${"1.2345, ".repeat(100)}\nmore` }),
  };
  const hidden = await scoreCases(exerciseById("05-autoencoder"), suite, [leaky], [value(0)]);
  const reason = hidden.groups.find((g) => g.symbol === "forward")!.cases[0].reason!;
  assert.ok(reason.length <= MAX_HIDDEN_REASON + 1, `${reason.length} characters`);
  assert.doesNotMatch(reason, /more/);
  const shown = await scoreCases(lms, suite, [{ ...leaky, symbol: "predict" }], [value(0)]);
  assert.match(shown.groups[0].cases[0].reason!, /\nmore$/);
});
