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
 * private copy of the submission is made swappable ({@linkcode swappableFiles}): in the
 * entry file and every file it imports, a `const` that holds a graded function becomes a
 * `let`, and an exported swapper is appended after the student's last line (every line
 * number of the student's stays as it was) that points the function's binding, and the
 * properties that hold it (a class's static method, an object of functions), at a
 * stand-in. A graded function the swapper cannot reach (a bound method, a wrapper that
 * calls it) keeps the student's code, and its callers' cases are judged as before. The
 * first run never sees any of this: it is the student's files, unchanged.
 *
 * @module
 */
import type { CaseRun } from "./score.ts";
import type { HiddenCase, Verdict } from "./suite.ts";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Files the swapper may go into: the module files a submission may hold. */
const MODULE = /\.(ts|js|mts|mjs)$/;

/** Words that cannot be a binding that holds a student's function. */
const NOT_HOLDERS = new Set(["this", "super", "new", "import", "typeof", "void", "delete"]);

/** The most objects per name that a swapper tries. */
const MAX_HOLDERS = 16;

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
 * The bindings whose property `name` the module reads (`Model.fitStump(…)`,
 * `SM?.softmax`): a class's static methods or an object of functions, which the module's own
 * code may call instead of the exported binding.
 */
function holders(source: string, name: string): string[] {
  const found = new Set<string>();
  const pattern = new RegExp(
    `(?<![\\w$.])([A-Za-z_$][\\w$]*)\\s*\\??\\.\\s*${escaped(name)}\\b`,
    "g",
  );
  for (const match of source.matchAll(pattern)) {
    if (!NOT_HOLDERS.has(match[1]) && found.size < MAX_HOLDERS) found.add(match[1]);
  }
  return [...found];
}

/**
 * The module files of a submission that its entry imports, directly or through other
 * files, by relative literal specifiers (`import … from "./linalg.ts"`, `export * from
 * "./model.ts"`, `import("./x.ts")`): the files whose code the entry's exports may run.
 *
 * @param files The submission's files by path relative to its folder, `/`-separated.
 * @param entry The entry file's path.
 * @returns The paths, the entry first.
 */
export function importedModules(files: ReadonlyMap<string, string>, entry: string): string[] {
  const found = [entry];
  const specifier = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"'\n]+)["']/g;
  for (let i = 0; i < found.length; i++) {
    const from = found[i].split("/").slice(0, -1);
    for (const match of (files.get(found[i]) ?? "").matchAll(specifier)) {
      const parts = [...from];
      for (const part of match[1].split("/")) {
        if (part === "..") parts.pop();
        else if (part !== ".") parts.push(part);
      }
      const path = parts.join("/");
      if (MODULE.test(path) && files.has(path) && !found.includes(path)) found.push(path);
    }
  }
  return found;
}

/**
 * Makes a module's graded bindings assignable from outside, and appends an exported
 * swapper that points a name at another function, everywhere this module holds the one it
 * replaces:
 *
 * - the module's own binding of the name (or of the local it exports under that name),
 *   a `const` that declares it made a `let` (the same binding, now assignable);
 * - the property of that name of each binding the module reads it from (`Model.fitStump`:
 *   a class's static method, an object of functions), where it holds that function;
 * - and, through `imports`, the same in the other files of the submission.
 *
 * `swapper(name, fn, replaced)` returns how many places it changed: 0 where the module
 * holds `replaced` nowhere it can reach. Only declarations of the given names change,
 * wherever `const <name>` appears (a `let` behaves as the `const` did unless something
 * assigns it), and every line of the student's stays where it was.
 *
 * @param source The file's text.
 * @param names The exported names to make swappable: identifiers.
 * @param swapper The appended function's name: an identifier no student could guess.
 * @param imports The other files' swappers to call, by specifier relative to this file.
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
 * assert.match(text, /if \(f === __swap_1_was\) \{ f = __swap_1_fn;/);
 * ```
 */
export function swappableSource(
  source: string,
  names: readonly string[],
  swapper: string,
  imports: readonly string[] = [],
): string {
  for (const name of [...names, swapper]) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`Cannot swap "${name}": not an identifier`);
  }
  const renamed = renamedExports(source);
  // Named after the swapper, so that none shadows a binding of the student's.
  const [name, fn, was, count] = ["name", "fn", "was", "count"].map((p) => `${swapper}_${p}`);
  const tries = (place: string) =>
    `      try { if (${place} === ${was}) { ${place} = ${fn}; ${count}++; } } catch {}`;
  let text = source;
  const cases: string[] = [];
  for (const exported of names) {
    const local = renamed.get(exported) ?? exported;
    const declared = escaped(local);
    text = text
      .replace(new RegExp(`\\bconst(\\s+${declared}\\b)`, "g"), "let$1")
      // `const { softmax, … } = Model`: the destructured binding is assignable too.
      .replace(
        new RegExp(`\\bconst(\\s*\\{[^{}=;]*\\b${declared}\\b[^{}=;]*\\}\\s*=)`, "g"),
        "let$1",
      );
    cases.push(
      `    case ${JSON.stringify(exported)}:`,
      tries(local),
      ...holders(source, local).map((holder) => tries(`${holder}.${local}`)),
      "      break;",
    );
  }
  const imported = imports.map((specifier, i) =>
    `import { ${swapper} as ${swapper}_${i} } from ${JSON.stringify(specifier)};`
  );
  return [
    `${text}\n;${imported.join(" ")}`,
    `export function ${swapper}(${name}, ${fn}, ${was}) {`,
    `  let ${count} = 0;`,
    `  switch (${name}) {`,
    ...cases,
    "  }",
    ...imports.map((_, i) =>
      `  try { ${count} += ${swapper}_${i}(${name}, ${fn}, ${was}); } catch {}`
    ),
    `  return ${count};`,
    "}",
    "",
  ].join("\n");
}

/**
 * Makes a submission's files swappable for an isolated run: the entry and every module file
 * it imports get a swapper ({@linkcode swappableSource}), and the entry's calls the others',
 * so that one call of the entry's swapper reaches a graded function wherever the student
 * keeps it: exported from the entry, re-exported from a helper file, or a static method.
 *
 * @param files The submission's files by path, `/`-separated.
 * @param entry The entry file's name: it lies in the submission's folder itself.
 * @param names The exported names to make swappable.
 * @param swapper The swappers' name.
 * @returns The new text of each file that changes.
 */
export function swappableFiles(
  files: ReadonlyMap<string, string>,
  entry: string,
  names: readonly string[],
  swapper: string,
): Map<string, string> {
  // The entry lies in the submission's folder itself: `./<path>` reaches any other file.
  const [first, ...helpers] = importedModules(files, entry);
  const changed = new Map<string, string>();
  for (const path of helpers) changed.set(path, swappableSource(files.get(path)!, names, swapper));
  changed.set(
    first,
    swappableSource(files.get(first)!, names, swapper, helpers.map((path) => `./${path}`)),
  );
  return changed;
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
  /** Cases that fail with correct stand-ins too: their own bug, better told that way. */
  const stillFailing: IsolatedVerdict[] = [];
  for (const outcome of isolated) {
    const { index, swaps, verdict, called } = outcome;
    if (called === undefined || called.length === 0) continue;
    if (!called.every((name) => swaps.includes(name))) continue;
    if (!verdict.pass) stillFailing.push(outcome);
    else if (!onCycle(cases[index].symbol)) rescues.set(index, called);
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
  // A case that fails with the grader's functions under it too has a bug of its own, and the
  // isolated run tells it without the others' in the way: its reason and its symptoms (a
  // training that ignores its options, not one that climbs through a flipped gradient).
  for (const { index, verdict, called = [] } of stillFailing) {
    const used = [...called].sort().map((name) => `${name}()`);
    result[index] = {
      pass: false,
      reason: `With the grader's ${listed(used)} in place of yours it still fails: ${
        verdict.reason ?? "wrong result"
      }`,
      ...(verdict.symptoms ? { symptoms: verdict.symptoms } : {}),
      // The leaderboard ranks what the student's own code reached.
      ...(verdicts[index].metric !== undefined ? { metric: verdicts[index].metric } : {}),
    };
  }
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
