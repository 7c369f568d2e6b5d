import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { swapsFor } from "./child/stand_ins.ts";
import {
  casesToIsolate,
  importedModules,
  type IsolatedVerdict,
  MAX_SWAPPABLE_CHARS,
  MAX_SWAPPABLE_TOTAL,
  rescued,
  swappableFiles,
  swappableSource,
  textFiles,
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
  try {
    // Loaded with every file it imports: the folder is not needed after.
    const namespace = await import(pathToFileURL(join(dir, "entry.ts")).href);
    return { namespace, swapper };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
  "several declarators in one const": {
    "entry.ts": "export const STEP = 1,\n  inner = (x: number) => x + STEP;\n" +
      "export const outer = (x: number) => 2 * inner(x);",
  },
  "comments where a parser would skip them": {
    "entry.ts": "// export { old as inner }; kept for reference\nconst old = (x: number) => x;\n" +
      "export const /* h(x) */ inner = (x: number) => x + 1;\n" +
      "const twice = (x: number) => 2 * inner(x);\nexport { twice as outer /* the caller */ };\n" +
      'const s = "const inner = 1"; const r = /const inner/;',
  },
  "an export named by a string": {
    "entry.ts": "const h = (x: number) => x + 1;\nconst twice = (x: number) => 2 * h(x);\n" +
      "export { h as \"inner\", twice as 'outer' };",
  },
  "an alias the callers use": {
    "entry.ts": "export function inner(x: number) { return x + 1; }\nconst h = inner;\n" +
      "export const outer = (x: number) => 2 * h(x);",
  },
  "a template literal with a template inside it, above the function": {
    "entry.ts": 'const show = (v: number[]) => `${v.map((x) => `{${x}}`).join("")}`;\n' +
      "export const inner = (x: number) => x + 1;\n" +
      "export const outer = (x: number) => 2 * inner(x);",
  },
  "a declaration exported under another name, which the callers use": {
    "entry.ts": "function plusOne(x: number) { return x + 1; }\nexport const inner = plusOne;\n" +
      "export const outer = (x: number) => 2 * plusOne(x);",
  },
  "many local names before the alias": {
    "entry.ts": "function noise() {\n" +
      Array.from({ length: 60 }, (_, i) => `  let v${i} = ${i};\n`).join("") + "}\n" +
      "export function inner(x: number) { return x + 1; }\nconst h = inner;\n" +
      "export const outer = (x: number) => 2 * h(x);",
  },
  "TypeScript's const type parameters and a commented const enum": {
    "entry.ts": "function pair<A, const B>(a: A, b: B): [A, B] { return [a, b]; }\n" +
      "const /* the kinds of step, for my notes */ enum Kind { A }\n" +
      "export const inner = (x: number) => x + 1;\n" +
      "export const outer = (x: number) => 2 * pair(inner(x), 0)[0];",
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

Deno.test("importedModules() follows the entry's static imports of module files, and nothing else", () => {
  const files = new Map([
    [
      "entry.ts",
      'import { a } from "./a.ts";\nexport * from "./lib/b.ts";\nconst c = import("./c.ts");\n' +
      '// import { plot } from "./scratch.ts";\nimport type { V } from "./types.d.ts";\n' +
      'import type { W } from "./w.ts";\nconst s = \'import x from "./s.ts"\';\n' +
      'import {\n  e, // the helper\n  f,\n} from "./e.ts";',
    ],
    ["a.ts", 'import "../outside.ts";\nimport { b } from "./lib/b.ts";'],
    ["lib/b.ts", 'import { d } from "../d.js";\nimport x from "npm:zod";'],
    ["c.ts", ""],
    ["d.js", ""],
    ["e.ts", ""],
    ["scratch.ts", ""],
    ["types.d.ts", ""],
    ["w.ts", ""],
    ["s.ts", ""],
    ["notes.md", ""],
  ]);
  assert.deepEqual(importedModules(files, "entry.ts"), [
    "entry.ts",
    "a.ts",
    "lib/b.ts",
    "e.ts",
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

Deno.test("swapsFor() swaps a method on its class's prototype, where every instance finds it", () => {
  class Dual {
    constructor(readonly re: number, readonly eps = 0) {}
    neg(): Dual {
      return new Dual(-this.re, this.eps); // The student's bug: ε keeps its sign.
    }
    sub(o: Dual): Dual {
      const n = o.neg();
      return new Dual(this.re + n.re, this.eps + n.eps);
    }
  }
  const standIn = (x: Dual) => new Dual(-x.re, -x.eps);
  const swaps = swapsFor({ Dual }, "__swap_unused", ["Dual.neg"], { "standIn:Dual.neg": standIn });
  const difference = () => new Dual(5, 3).sub(new Dual(2, 1));
  assert.deepEqual(difference(), new Dual(3, 4), "the student's own bug");
  swaps.enter(["Dual.neg"]);
  assert.deepEqual(swaps.unswapped(["Dual.neg"]), [], "in place");
  assert.deepEqual(difference(), new Dual(3, 2));
  assert.deepEqual(swaps.leave(), ["Dual.neg"]);
  // Out of its cases, the stand-in refuses, and restore() puts the student's method back.
  assert.throws(() => difference(), /only in its own tests/);
  assert.deepEqual(swaps.leave(), ["Dual.neg"], "the refused call is recorded");
  swaps.restore();
  assert.deepEqual(difference(), new Dual(3, 4));
  assert.deepEqual(swaps.leave(), []);

  // A prototype that will not let its method go keeps the student's: nothing is recorded.
  class Frozen extends Dual {}
  Object.defineProperty(Frozen.prototype, "neg", {
    value: Dual.prototype.neg,
    writable: false,
    configurable: false,
  });
  const kept = swapsFor({ Dual: Frozen }, "__swap_unused", ["Dual.neg"], {
    "standIn:Dual.neg": standIn,
  });
  kept.enter(["Dual.neg"]);
  assert.deepEqual(kept.unswapped(["Dual.neg"]), ["Dual.neg"], "said, for the feedback");
  assert.deepEqual(new Frozen(5, 3).sub(new Frozen(2, 1)), new Dual(3, 4));
  assert.deepEqual(kept.leave(), []);
  // Nor a built-in's method, on a "class" pointed at its prototype.
  function Borrowed() {}
  Borrowed.prototype = Set.prototype;
  const builtIn = swapsFor({ Dual: Borrowed }, "__swap_unused", ["Dual.add"], {
    "standIn:Dual.add": standIn,
  });
  builtIn.enter(["Dual.add"]);
  assert.equal(new Set([1]).add(2).size, 2, "Set.prototype.add is left alone");
  assert.deepEqual(builtIn.leave(), []);
  // Neither a method that is not there nor an export that is not a class.
  for (const exports of [{ Dual }, { Dual: { prototype: Dual.prototype } }]) {
    const none = swapsFor(exports, "__swap_unused", ["Dual.abs", "Dual.neg", "Other.neg"], {
      "standIn:Dual.abs": standIn,
      "standIn:Other.neg": standIn,
    });
    none.enter(["Dual.abs", "Dual.neg", "Other.neg"]);
    assert.deepEqual(none.unswapped(["Dual.abs", "Dual.neg", "Other.neg"]), [
      "Dual.abs",
      "Dual.neg",
      "Other.neg",
    ]);
    assert.deepEqual(difference(), new Dual(3, 4));
    assert.deepEqual(none.leave(), []);
  }
});

/** A case of `symbol` whose verdict the test sets. */
function fakeCase(symbol: string): HiddenCase {
  return { symbol, name: `${symbol}(): a property`, calls: [], judge: () => ({ pass: true }) };
}

const RAN: CaseRun = { kind: "results", results: [] };
const PASS: Verdict = { pass: true };
const FAIL: Verdict = { pass: false, reason: "wrong" };

Deno.test("casesToIsolate() swaps the failing functions a failing case's function is built on", () => {
  const cases = ["a", "b", "b", "c", "d"].map(fakeCase);
  const runs: CaseRun[] = [RAN, RAN, RAN, RAN, { kind: "failed", reason: "timeout" }];
  const verdicts = [FAIL, FAIL, PASS, FAIL, FAIL];
  const builtOn = { a: [], b: ["a"], c: ["a", "b", "d"], d: ["a"] };
  assert.deepEqual(casesToIsolate(cases, runs, verdicts, builtOn), [
    { index: 1, swaps: ["a"] },
    { index: 3, swaps: ["a", "b", "d"] },
  ], "not a's (built on nothing), nor d's (stopped, not judged wrong)");
  assert.deepEqual(
    casesToIsolate(cases, runs, [PASS, FAIL, PASS, FAIL, PASS], builtOn),
    [{ index: 3, swaps: ["b"] }],
    "a function whose tests all pass is never replaced",
  );
  assert.deepEqual(casesToIsolate(cases, runs, verdicts, {}), []);
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
    "with the grader's lmsUpdate() in place of yours, which passes only with the grader's " +
      "predict(): fix your predict() first",
  );
  assert.equal(
    after[3].note,
    "with the grader's lmsUpdate() and predict() in place of yours: fix your predict() first",
  );
});

Deno.test("rescued() takes a still-failing case's symptoms from its isolated run, never its reason", () => {
  const cases = ["grad", "train", "train"].map(fakeCase);
  const first: Verdict = {
    pass: false,
    reason: "Climbs the loss",
    symptoms: ["wrong-sign"],
    metric: 0.5,
  };
  const after = rescued(cases, [FAIL, first, first], [
    {
      index: 1,
      swaps: ["grad"],
      // The student's code may throw what the grader's grad() returned: never shown.
      verdict: { pass: false, reason: "threw 0.0900, 0.2447", symptoms: ["ignores-options"] },
      called: ["grad"],
    },
    { index: 2, swaps: ["grad"], verdict: { pass: false, reason: "ignores epochs" }, called: [] },
  ]);
  assert.deepEqual(after[1], {
    pass: false,
    reason: "It fails with the grader's grad() in place of yours too. Climbs the loss",
    symptoms: ["ignores-options"],
    metric: 0.5,
  });
  assert.deepEqual(after[2], first, "a run that reached no stand-in tells nothing new");
});

Deno.test("rescued() names the failing functions a case's run had no stand-in of", () => {
  // A Dual whose methods are closures each instance holds: the grader's Dual.pow() has
  // nowhere to go where div() finds it, so div() is judged as it ran, and pointed at pow().
  const cases = ["Dual.mul", "Dual.pow", "Dual.div", "Dual.div", "Dual.div"].map(fakeCase);
  const after = rescued(cases, [FAIL, FAIL, FAIL, PASS, FAIL], [
    {
      index: 2,
      swaps: ["Dual.pow", "Dual.mul"],
      verdict: FAIL,
      called: [],
      unswapped: ["Dual.pow"],
    },
    // Everything swapped and nothing called: this div() uses neither; its bug is its own.
    { index: 4, swaps: ["Dual.pow", "Dual.mul"], verdict: FAIL, called: [] },
  ]);
  assert.equal(
    after[2].reason,
    "Your Dual.pow() fails tests of its own, and the grader could not put its own in its place " +
      "to check Dual.div() alone: if Dual.div() uses it, fix it first. wrong",
  );
  assert.equal(after[2].pass, false);
  assert.deepEqual(after[4], FAIL, "a function that calls none of them is told nothing more");
  assert.deepEqual(after.slice(0, 2), [FAIL, FAIL]);
  assert.deepEqual(after[3], PASS);
  const both = rescued(cases, [FAIL, FAIL, FAIL, PASS, FAIL], [{
    index: 2,
    swaps: ["Dual.pow", "Dual.mul"],
    verdict: FAIL,
    called: [],
    unswapped: ["Dual.pow", "Dual.mul"],
  }]);
  assert.match(both[2].reason ?? "", /^Your Dual.mul\(\) and Dual.pow\(\) fail tests of their own/);
  assert.deepEqual(
    rescued(cases, [FAIL, FAIL, FAIL, PASS, FAIL], [
      { index: 2, swaps: ["Dual.pow"], verdict: FAIL, unswapped: ["Dual.pow"] },
    ])[2],
    FAIL,
    "a case whose isolated run did not run says nothing more",
  );
});

Deno.test("textFiles() reads UTF-8 and UTF-16 with its byte-order mark, and leaves out the rest", () => {
  const utf16 = new Uint8Array([
    0xff,
    0xfe,
    ..."let x".split("").flatMap((c) => [c.charCodeAt(0), 0]),
  ]);
  const texts = textFiles(
    new Map([
      ["a.ts", new TextEncoder().encode("const π = 3;")],
      ["b.ts", utf16],
      ["c.ts", new Uint8Array([0xc3, 0x28])],
    ]),
  );
  assert.deepEqual([...texts], [["a.ts", "const π = 3;"], ["b.ts", "let x"]]);
});

Deno.test("swappableFiles() takes time linear in a hostile file's length", () => {
  // Each of these once cost a scan to the end of the text from every match: minutes for a
  // 256 KiB file. Now each runs in a fraction of a second (timed by `deno task bench`, not
  // here); a regression shows as a test that does not end.
  const hostile = [
    "const{ inner outer ",
    "export{ a as inner ",
    "import import ",
    "import '../aaaa",
    // Keywords in a template, each followed by blanks that a pattern could split two ways.
    "`import" + "\t ".repeat(20) + "import ",
    "import" + "\t ".repeat(20) + "from ",
    "(/[",
    "`${",
    "/* ",
    "a: ",
  ];
  for (const unit of hostile) {
    const text = unit.repeat(Math.ceil(MAX_SWAPPABLE_CHARS / unit.length)).slice(
      0,
      MAX_SWAPPABLE_CHARS,
    );
    const files = new Map([["entry.ts", text]]);
    const changed = swappableFiles(files, "entry.ts", ["inner", "outer"], "__swap_x");
    assert.ok(changed.get("entry.ts")!.includes("export function __swap_x("), unit);
  }
  const tooLarge = new Map([["entry.ts", "x".repeat(MAX_SWAPPABLE_CHARS + 1)]]);
  assert.equal(swappableFiles(tooLarge, "entry.ts", ["inner"], "__swap_x").size, 0);
  // Many files of the largest size: together they are too much to rewrite.
  const helpers = Array.from(
    { length: Math.ceil(MAX_SWAPPABLE_TOTAL / MAX_SWAPPABLE_CHARS) },
    (_, i): [string, string] => [`h${i}.ts`, "x".repeat(MAX_SWAPPABLE_CHARS)],
  );
  const many = new Map([["entry.ts", "export const inner = 1;"], ...helpers]);
  assert.equal(swappableFiles(many, "entry.ts", ["inner"], "__swap_x").size, 0);
});
