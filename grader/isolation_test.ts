import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { swapsFor } from "./child/stand_ins.ts";
import {
  casesToIsolate,
  importedModules,
  type IsolatedVerdict,
  rescued,
  swappableFiles,
  swappableSource,
} from "./isolation.ts";
import type { CaseRun } from "./score.ts";
import type { HiddenCase, Verdict } from "./suite.ts";

/** Writes `files` to a fresh folder, made swappable for `names`, and imports `entry.ts`. */
async function swappableModule(
  files: Record<string, string>,
  names: string[],
): Promise<{ namespace: Record<string, unknown>; swapper: string }> {
  const dir = await Deno.makeTempDir({ prefix: "isolation-test-" });
  const swapper = `__swap_${crypto.randomUUID().replaceAll("-", "")}`;
  const texts = new Map(Object.entries(files));
  for (const [path, text] of [...texts, ...swappableFiles(texts, "entry.ts", names, swapper)]) {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, path), text);
  }
  const namespace = await import(pathToFileURL(join(dir, "entry.ts")).href);
  return { namespace, swapper };
}

/** A caller `outer` of `inner`, in the style given; `inner` has a bug (+1). */
const STYLES: Record<string, Record<string, string>> = {
  "function declarations": {
    "entry.ts": "export function inner(x: number) { return x + 1; }\n" +
      "export function outer(x: number) { return 2 * inner(x); }",
  },
  "exported const arrows": {
    "entry.ts": "export const inner = (x: number): number => x + 1;\n" +
      "export const outer = (x: number): number => 2 * inner(x);\n// no newline at the end",
  },
  "locals exported under other names": {
    "entry.ts": "const plusOne = (x: number) => x + 1;\n" +
      "function twice(x: number) { return 2 * plusOne(x); }\n" +
      "export { plusOne as inner, twice as outer };",
  },
  "locals named like a swapper's parameters": {
    "entry.ts": "const fn = (x: number) => x + 1;\nconst name = (x: number) => 2 * fn(x);\n" +
      "export { fn as inner, name as outer };",
  },
  "a class's static methods called through exported consts": {
    "entry.ts": "export const inner = function (x: number) { return x + 1; };\n" +
      "class Model { static outer(x: number) { return 2 * inner(x); } }\n" +
      "export const outer = Model.outer;\n" + "export const enum Unused { A }",
  },
  "a class's static methods that call each other": {
    "entry.ts": "export class Model {\n  static inner(x: number) { return x + 1; }\n" +
      "  static outer(x: number) { return 2 * Model.inner(x); }\n}\n" +
      "export const inner = Model.inner;\nexport const outer = Model.outer;",
  },
  "an object of functions, destructured on export": {
    "entry.ts": "const M = {\n  inner: (x: number) => x + 1,\n" +
      "  outer: (x: number): number => 2 * M?.inner(x),\n};\n" +
      "export const { inner, outer } = M;",
  },
  "functions in helper files, re-exported": {
    "entry.ts": 'export { inner } from "./lib/inner.ts";\nexport * from "./outer.ts";',
    "outer.ts": 'import { inner } from "./lib/inner.ts";\n' +
      "export function outer(x: number) { return 2 * inner(x); }",
    "lib/inner.ts": "export function inner(x: number) { return x + 1; }",
  },
};

for (const [style, files] of Object.entries(STYLES)) {
  Deno.test(`swappableSource() makes a caller reach a stand-in: ${style}`, async () => {
    const { namespace, swapper } = await swappableModule(files, ["inner", "outer"]);
    const exports = { ...namespace };
    assert.equal((exports.outer as (x: number) => number)(1), 4, "the student's own bug");
    const swaps = swapsFor(exports, swapper, ["inner"], { "standIn:inner": (x: number) => x });
    swaps.enter(["inner"]);
    assert.equal((exports.outer as (x: number) => number)(1), 2);
    assert.deepEqual(swaps.leave(), ["inner"]);
    swaps.restore();
    assert.equal((exports.outer as (x: number) => number)(1), 4);
    swaps.enter(["inner"]);
    assert.equal((exports.outer as (x: number) => number)(1), 2, "swapped again");
  });
}

Deno.test("swappableSource() keeps every line of the student's where it was", () => {
  const source = "// 1\nexport const f = (x: number) => x;\n/* 3\n4 */ export function g() {}\n";
  const text = swappableSource(source, ["f", "g"], "__swap_x", ["./helper.ts"]);
  const lines = text.split("\n");
  assert.deepEqual(lines.slice(0, 4), [
    "// 1",
    "export let f = (x: number) => x;",
    "/* 3",
    "4 */ export function g() {}",
  ]);
  assert.throws(() => swappableSource(source, ["f; evil()"], "__swap_x"), TypeError);
  assert.throws(() => swappableSource(source, ["f"], "__swap_x(){}"), TypeError);
});

Deno.test("a function the swapper cannot reach keeps the student's code: its callers keep it", async () => {
  const { namespace, swapper } = await swappableModule({
    "entry.ts": "function plusOne(x: number) { return x + 1; }\n" +
      "export const inner = (x: number) => plusOne(x);\n" +
      "export function outer(x: number) { return 2 * plusOne(x); }",
  }, ["inner", "outer"]);
  const exports = { ...namespace };
  const swaps = swapsFor(exports, swapper, ["inner"], { "standIn:inner": (x: number) => x });
  swaps.enter(["inner"]);
  assert.equal((exports.outer as (x: number) => number)(1), 4);
  assert.deepEqual(swaps.leave(), [], "no stand-in was reached");
});

Deno.test("importedModules() follows relative literal imports from the entry, and nothing else", () => {
  const files = new Map([
    [
      "entry.ts",
      'import { a } from "./a.ts";\nexport * from "./lib/b.ts";\nconst c = import("./c.ts");',
    ],
    ["a.ts", 'import "../outside.ts";\nimport { b } from "./lib/b.ts";'],
    ["lib/b.ts", 'import { d } from "../d.js";\nimport x from "npm:zod";'],
    ["c.ts", ""],
    ["d.js", ""],
    ["scratch.ts", 'import "./a.ts";'],
    ["notes.md", ""],
  ]);
  assert.deepEqual(importedModules(files, "entry.ts"), [
    "entry.ts",
    "a.ts",
    "lib/b.ts",
    "c.ts",
    "d.js",
  ]);
});

Deno.test("a stand-in kept by student code refuses outside the cases it is swapped in for", async () => {
  const { namespace, swapper } = await swappableModule({
    "entry.ts": "let kept: ((x: number) => number) | undefined;\n" +
      "export function inner(x: number) { return kept ? kept(x) : x + 1; }\n" +
      "export function outer(x: number) { kept ??= inner; return 2 * inner(x); }",
  }, ["inner", "outer"]);
  const exports = { ...namespace };
  const swaps = swapsFor(exports, swapper, ["inner"], { "standIn:inner": (x: number) => x });
  swaps.enter(["inner"]);
  assert.equal((exports.outer as (x: number) => number)(3), 6);
  assert.deepEqual(swaps.leave(), ["inner"]);
  // inner's own case: the stand-in outer kept is not swapped in for it.
  swaps.enter([]);
  assert.throws(() => (exports.inner as (x: number) => number)(3), /only in its own tests/);
  assert.deepEqual(swaps.leave(), ["inner"], "the refused call is recorded");
  // Between cases too.
  assert.throws(() => (exports.inner as (x: number) => number)(3), /only in its own tests/);
});

/** A case of `symbol` whose verdict the test sets. */
function fakeCase(symbol: string): HiddenCase {
  return { symbol, name: `${symbol}(): a property`, calls: [], judge: () => ({ pass: true }) };
}

const RAN: CaseRun = { kind: "results", results: [] };
const PASS: Verdict = { pass: true };
const FAIL: Verdict = { pass: false, reason: "wrong" };

Deno.test("casesToIsolate() swaps the other failing groups that have stand-ins, for failing cases that ran", () => {
  const cases = ["a", "b", "b", "c", "d"].map(fakeCase);
  const runs: CaseRun[] = [RAN, RAN, RAN, RAN, { kind: "failed", reason: "timeout" }];
  const verdicts = [FAIL, FAIL, PASS, FAIL, FAIL];
  assert.deepEqual(casesToIsolate(cases, runs, verdicts, ["a", "b", "c", "d"]), [
    { index: 0, swaps: ["b", "c", "d"] },
    { index: 1, swaps: ["a", "c", "d"] },
    { index: 3, swaps: ["a", "b", "d"] },
  ]);
  assert.deepEqual(casesToIsolate(cases, runs, verdicts, ["a"]), [
    { index: 1, swaps: ["a"] },
    { index: 3, swaps: ["a"] },
  ]);
  assert.deepEqual(casesToIsolate(cases, runs, [FAIL, PASS, PASS, PASS, PASS], ["a", "b"]), []);
});

Deno.test("rescued() passes a case its isolated run passes through failing groups' stand-ins only", () => {
  const cases = ["grad", "train", "train", "train", "train"].map(fakeCase);
  const verdicts = [FAIL, FAIL, FAIL, FAIL, FAIL];
  const isolated: IsolatedVerdict[] = [
    { index: 0, swaps: ["train"], verdict: FAIL, called: [] },
    { index: 1, swaps: ["grad"], verdict: PASS, called: ["grad"] },
    { index: 2, swaps: ["grad"], verdict: FAIL, called: ["grad"] },
    { index: 3, swaps: ["grad"], verdict: PASS, called: [] },
    { index: 4, swaps: ["grad"], verdict: PASS, called: ["grad", "softmax"] },
  ];
  const after = rescued(cases, verdicts, isolated);
  assert.deepEqual(after.map((v) => v.pass), [false, true, false, false, false]);
  assert.equal(after[1].note, "with the grader's grad() in place of yours: fix your grad() first");
});

Deno.test("rescued() rescues no group on a cycle of stand-in calls", () => {
  const cases = ["softmax", "logSoftmax", "crossEntropy"].map(fakeCase);
  const after = rescued(cases, [FAIL, FAIL, FAIL], [
    { index: 0, swaps: ["logSoftmax", "crossEntropy"], verdict: PASS, called: ["logSoftmax"] },
    { index: 1, swaps: ["softmax", "crossEntropy"], verdict: PASS, called: ["softmax"] },
    { index: 2, swaps: ["softmax", "logSoftmax"], verdict: PASS, called: ["logSoftmax"] },
  ]);
  assert.deepEqual(after.map((v) => v.pass), [false, false, true]);
});

Deno.test("rescued() names the function to fix behind a chain of rescues", () => {
  const cases = ["predict", "lmsUpdate", "stochasticEpoch", "stochasticEpoch"].map(fakeCase);
  const after = rescued(cases, [FAIL, FAIL, FAIL, FAIL], [
    { index: 1, swaps: ["predict", "stochasticEpoch"], verdict: PASS, called: ["predict"] },
    { index: 2, swaps: ["predict", "lmsUpdate"], verdict: PASS, called: ["lmsUpdate"] },
    { index: 3, swaps: ["predict", "lmsUpdate"], verdict: PASS, called: ["lmsUpdate", "predict"] },
  ]);
  assert.deepEqual(after.map((v) => v.pass), [false, true, true, true]);
  assert.equal(
    after[2].note,
    "with the grader's lmsUpdate() in place of yours: fix your predict() first",
  );
  assert.equal(
    after[3].note,
    "with the grader's lmsUpdate() and predict() in place of yours: fix your predict() first",
  );
});

Deno.test("rescued() tells a case that fails with stand-ins too by its isolated run", () => {
  const cases = ["grad", "train", "train"].map(fakeCase);
  const first: Verdict = { pass: false, reason: "Climbs the loss", symptoms: ["wrong-sign"] };
  const after = rescued(cases, [FAIL, first, first], [
    {
      index: 1,
      swaps: ["grad"],
      verdict: { pass: false, reason: "ignores epochs", symptoms: ["ignores-options"], metric: 1 },
      called: ["grad"],
    },
    { index: 2, swaps: ["grad"], verdict: { pass: false, reason: "ignores epochs" }, called: [] },
  ]);
  assert.deepEqual(after[1], {
    pass: false,
    reason: "With the grader's grad() in place of yours it still fails: ignores epochs",
    symptoms: ["ignores-options"],
  });
  assert.deepEqual(after[2], first, "a run that reached no stand-in tells nothing new");
});
