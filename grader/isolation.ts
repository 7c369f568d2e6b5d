/**
 * Charges a bug to the function that has it, not to the functions that call it.
 *
 * A student's `trainSoftmaxRegression` that calls the student's own `crossEntropyGrad`
 * fails its tests when `crossEntropyGrad` has a bug, however right its own code is. So once
 * a submission's cases are judged, every failing case of a group is run again, isolated:
 * with the functions of the submission's other failing groups replaced by the exercise
 * driver's trusted stand-ins (see `child/stand_ins.ts`). A failing case is rescued, and
 * counts as passed, when:
 *
 * 1. its isolated run passes the same judge;
 * 2. its code called at least one stand-in, and only stand-ins swapped in for it: those of
 *    other groups that failed on their own (a function whose own tests all pass is never
 *    replaced, so a bug that only shows through a correct callee is still the caller's);
 * 3. its group does not lie on a cycle of "called the stand-in of" between groups: a
 *    `softmax` that returns `exp(logSoftmax(z))` and a `logSoftmax` that returns
 *    `log(softmax(z))` each pass with the other's stand-in, and neither computes anything.
 *
 * Cases that were stopped (a timeout, memory) are not run again: a second stop would cost
 * the class another time limit, for a rescue that rarely comes.
 *
 * Calls inside a module go to its own bindings, not to its exports, so the sandbox's
 * private copy of the entry file is made swappable ({@linkcode swappableSource}): a
 * `const` that holds a graded function becomes a `let`, and an exported swapper that
 * assigns those bindings is appended after the student's last line, so every line number
 * of the student's stays as it was. A graded function the swapper cannot reach (one
 * imported from a helper file and re-exported, say) keeps the student's code, and its
 * callers' cases are judged as before. The first run never sees any of this: it is the
 * student's file, unchanged.
 *
 * @module
 */
import type { CaseRun } from "./score.ts";
import type { HiddenCase, Verdict } from "./suite.ts";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Escapes a string for a regular expression. */
function escaped(text: string): string {
  return text.replace(/[$\\^.*+?()[\]{}|]/g, "\\$&");
}

/**
 * The local bindings behind exported names, where a module renames them on export
 * (`export { fit as fitStump }`): `{ fitStump: "fit" }`. Clauses with `from` re-export
 * another module's binding, which this module cannot assign: they are left out.
 */
function renamedExports(source: string): Map<string, string> {
  const renamed = new Map<string, string>();
  for (const clause of source.matchAll(/\bexport\s*\{([^}]*)\}(?!\s*from\b)/g)) {
    for (const item of clause[1].split(",")) {
      const match = item.trim().match(/^(?:type\s+)?([A-Za-z_$][\w$]*)\s+as\s+([A-Za-z_$][\w$]*)$/);
      if (match && match[1] !== match[2]) renamed.set(match[2], match[1]);
    }
  }
  return renamed;
}

/**
 * Makes an entry module's graded bindings assignable from outside: each `const` that
 * declares one becomes a `let` (the same binding, now assignable), and an exported
 * function named `swapper` is appended that assigns the binding behind an exported name
 * and says whether it could. Only declarations of the given names change, wherever
 * `const <name>` appears (a `let` behaves as the `const` did unless something assigns it).
 *
 * @param source The entry file's text.
 * @param names The exported names to make swappable: identifiers.
 * @param swapper The appended function's name: an identifier no student could guess.
 * @returns The new text: the student's lines, unchanged in number, then the swapper.
 * @throws {TypeError} If a name or the swapper is not an identifier.
 *
 * @example
 * ```ts
 * import { swappableSource } from "./isolation.ts";
 * import assert from "node:assert/strict";
 *
 * const text = swappableSource("export const f = (x: number) => x;\n", ["f"], "__swap_1");
 * assert.ok(text.startsWith("export let f = (x: number) => x;\n"));
 * assert.match(text, /case "f": f = __swap_1_fn; return true;/);
 * ```
 */
export function swappableSource(
  source: string,
  names: readonly string[],
  swapper: string,
): string {
  for (const name of [...names, swapper]) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`Cannot swap "${name}": not an identifier`);
  }
  const renamed = renamedExports(source);
  // Parameters named after the swapper: no binding of the student's can be shadowed by them.
  const [nameParameter, fnParameter] = [`${swapper}_name`, `${swapper}_fn`];
  let text = source;
  const cases: string[] = [];
  for (const name of names) {
    const local = renamed.get(name) ?? name;
    text = text.replace(new RegExp(`\\bconst(\\s+${escaped(local)}\\b)`, "g"), "let$1");
    cases.push(`    case ${JSON.stringify(name)}: ${local} = ${fnParameter}; return true;`);
  }
  return `${text}\n;export function ${swapper}(${nameParameter}, ${fnParameter}) {\n` +
    `  switch (${nameParameter}) {\n${cases.join("\n")}\n  }\n  return false;\n}\n`;
}

/** A case to run again isolated: which one, and whose stand-ins it gets. */
export interface IsolatedCase {
  /** Its index among the submission's cases. */
  index: number;
  /** The names swapped for their stand-ins while it runs. */
  swaps: string[];
}

/**
 * The failing cases worth running again isolated, each with its swaps: the stand-ins of
 * the other groups that failed a case of their own.
 *
 * @param cases The submission's cases.
 * @param runs How each ran.
 * @param verdicts Each one's verdict.
 * @param standIns The names the exercise's driver has a stand-in for.
 * @returns The cases, in order; none when fewer than two groups fail.
 */
export function casesToIsolate(
  cases: readonly HiddenCase[],
  runs: readonly CaseRun[],
  verdicts: readonly Verdict[],
  standIns: readonly string[],
): IsolatedCase[] {
  const failing = new Set(cases.flatMap((c, i) => verdicts[i].pass ? [] : [c.symbol]));
  const replaceable = standIns.filter((name) => failing.has(name));
  return cases.flatMap((testCase, index) => {
    if (verdicts[index].pass || runs[index].kind !== "results") return [];
    const swaps = replaceable.filter((name) => name !== testCase.symbol);
    return swaps.length === 0 ? [] : [{ index, swaps }];
  });
}

/** A case's verdict when run isolated, and the stand-ins its code called. */
export interface IsolatedVerdict extends IsolatedCase {
  verdict: Verdict;
  /** The stand-ins called, refused calls included; undefined if it did not run. */
  called?: readonly string[];
}

/**
 * The verdicts after isolation: each failing case that its isolated run rescues (see the
 * module's rules) passes, with a note that names the functions that failed it.
 *
 * @param cases The submission's cases.
 * @param verdicts Their verdicts from the first run.
 * @param isolated The isolated runs' verdicts.
 * @returns The verdicts, the rescued ones replaced.
 */
export function rescued(
  cases: readonly HiddenCase[],
  verdicts: readonly Verdict[],
  isolated: readonly IsolatedVerdict[],
): Verdict[] {
  // group → the groups whose stand-ins its isolated cases called.
  const edges = new Map<string, Set<string>>();
  for (const { index, called = [] } of isolated) {
    const symbol = cases[index].symbol;
    const targets = edges.get(symbol) ?? new Set<string>();
    for (const name of called) targets.add(name);
    edges.set(symbol, targets);
  }
  const onCycle = (start: string): boolean => {
    const seen = new Set<string>();
    const stack = [...(edges.get(start) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (next === start) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(edges.get(next) ?? []));
    }
    return false;
  };
  const rescues = new Map<number, readonly string[]>();
  for (const { index, swaps, verdict, called } of isolated) {
    if (!verdict.pass || called === undefined || called.length === 0) continue;
    if (!called.every((name) => swaps.includes(name))) continue;
    if (onCycle(cases[index].symbol)) continue;
    rescues.set(index, called);
  }
  // Where the bugs are: a group that still fails a case is one; a rescued case's are those
  // of the groups whose stand-ins rescued it (lmsUpdate's, when stochasticEpoch passed with
  // the grader's lmsUpdate and lmsUpdate itself with the grader's predict: predict).
  const roots = new Map<string, Set<string>>();
  const rootsOf = (symbol: string, seen: Set<string>): Set<string> => {
    const known = roots.get(symbol);
    if (known !== undefined) return known;
    const found = new Set<string>();
    if (seen.has(symbol)) return found;
    seen.add(symbol);
    cases.forEach((c, i) => {
      if (c.symbol !== symbol || verdicts[i].pass) return;
      const called = rescues.get(i);
      if (called === undefined) found.add(symbol);
      else for (const name of called) for (const root of rootsOf(name, seen)) found.add(root);
    });
    roots.set(symbol, found);
    return found;
  };
  const result = [...verdicts];
  for (const [index, called] of rescues) {
    const used = [...called].sort().map((name) => `${name}()`);
    const fix = [...new Set(called.flatMap((name) => [...rootsOf(name, new Set())]))]
      .sort().map((name) => `${name}()`);
    result[index] = {
      pass: true,
      note: `with the grader's ${listed(used)} in place of yours: fix your ${
        listed(fix.length > 0 ? fix : used)
      } first`,
      // The leaderboard ranks what the student's own code reached.
      ...(verdicts[index].metric !== undefined ? { metric: verdicts[index].metric } : {}),
    };
  }
  return result;
}

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
