/**
 * Charges a bug to the function that has it, not to the functions that call it.
 *
 * A student's `trainSoftmaxRegression` that calls the student's own `crossEntropyGrad`
 * fails its tests when `crossEntropyGrad` has a bug, however right its own code is. So once
 * a submission's cases are judged, every failing case of a group is run again, isolated:
 * with the functions it is built on (the suite's `builtOn`: what the lectures build it on)
 * that fail too replaced by the exercise driver's trusted stand-ins (see
 * `child/stand_ins.ts`). A failing case is rescued, and counts as passed, when:
 *
 * 1. its isolated run passes the same judge;
 * 2. its code called at least one stand-in, and only stand-ins swapped in for it: those of
 *    the functions it is built on that failed on their own (a function whose own tests all
 *    pass is never replaced, so a bug that only shows through a correct callee is still
 *    the caller's; and a function is never rescued through one it has no reason to call);
 * 3. its group does not lie on a cycle of "called the stand-in of" between groups: a
 *    `softmax` that returns `exp(logSoftmax(z))` and a `logSoftmax` that returns
 *    `log(softmax(z))` each pass with the other's stand-in, and neither computes anything.
 *
 * Cases that were stopped (a timeout, memory) are not run again: a second stop would cost
 * the class another time limit, for a rescue that rarely comes.
 *
 * Calls inside a module go to its own bindings, not to its exports, so the sandbox's
 * private copy of the submission is made swappable ({@linkcode swappableFiles}): in the
 * entry file and every file it imports statically, every `const` becomes a `let`, and an
 * exported swapper is appended after the student's last line (every line number of the
 * student's stays as it was) that points the function's binding, its aliases, and the
 * properties that hold it (a class's static method, an object of functions), at a
 * stand-in. A graded function the swapper cannot reach (a bound method, a wrapper that
 * calls it) keeps the student's code, and its callers' cases are judged as before. The
 * first run never sees any of this: it is the student's files, unchanged, but for the cases
 * that withhold a function (`HiddenCase.withheld`), which run beside it on such a copy, with
 * the driver's `withholding:<name>` swapped in for the student's function.
 *
 * @module
 */
import { listed } from "./report.ts";
import type { CaseRun } from "./score.ts";
import { type Masked, maskSource } from "./source_scan.ts";
import type { HiddenCase, Verdict } from "./suite.ts";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Files the swapper may go into: the module files a submission may hold. */
const MODULE = /(?<!\.d)\.(ts|js|mts|mjs)$/;

/**
 * The largest file that is made swappable, in characters: the exercises' modules are a few
 * kilobytes, and a larger file is left as it is (its functions keep the student's code).
 */
export const MAX_SWAPPABLE_CHARS = 256 * 1024;

/**
 * The most characters of a submission's files, together, that are made swappable: past it,
 * nothing is (the rewrite runs in the grader's own process, where its time is every
 * student's).
 */
export const MAX_SWAPPABLE_TOTAL = 1024 * 1024;

/**
 * The most `import` or `export` keywords of one file that are looked at: a module has a few,
 * and text of nothing but keywords must not cost the grader a pattern match at each.
 */
const MAX_STATEMENTS = 256;

/** An `import` or `export` keyword, found in a file's code (its strings and comments masked). */
const KEYWORD = /(?<![\w$.])(?:import|export)(?![\w$])/g;

/**
 * The statement at a keyword (`y`: there only), in the file's text with its strings kept:
 * `import … from "./x.ts"`, `export * from "./y.ts"`, `import "./z.ts"`; group 3 is a
 * `type` that loads nothing, group 4 the specifier. The blanks after the keyword are taken
 * atomically (a lookahead's capture), so that they and the words after them cannot be split
 * two ways.
 */
const STATEMENT =
  /(import|export)(?=(\s*))\2(type(?![\w$]))?[^;"'`()]{0,400}?(?:\bfrom\s*)?["'](\.{1,2}\/[^"'\n]{1,500})["']/y;

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
 * (`export { fit as fitStump }`, `export { fit as "fitStump" }`): `{ fitStump: "fit" }`.
 * Clauses with `from` re-export another module's binding, which the other module's swapper
 * assigns: they are left out.
 */
function renamedExports({ code, literals }: Masked): Map<string, string> {
  const renamed = new Map<string, string>();
  // Bounded: an unclosed clause costs a kilobyte of scanning, not the rest of the file.
  for (const clause of code.matchAll(/\bexport\s*\{([^{}]{0,1000})\}(?!\s*from\b)/g)) {
    const from = clause.index + clause[0].indexOf("{") + 1;
    const text = literals.slice(from, from + clause[1].length);
    for (const item of text.split(",")) {
      const match = item.trim().match(
        /^(?:type\s+)?([A-Za-z_$][\w$]*)\s+as\s+(?:([A-Za-z_$][\w$]*)|"([\w$]+)"|'([\w$]+)')$/,
      );
      const exported = match && (match[2] ?? match[3] ?? match[4]);
      if (match && exported !== match[1]) renamed.set(exported!, match[1]);
    }
  }
  return renamed;
}

/**
 * The bindings whose property `name` the module reads (`Model.fitStump(…)`,
 * `SM?.softmax`): a class's static methods or an object of functions, which the module's own
 * code may call instead of the exported binding.
 */
function holders(code: string, name: string): string[] {
  const found = new Set<string>();
  const pattern = new RegExp(
    `(?<![\\w$.])([A-Za-z_$][\\w$]*)\\s*\\??\\.\\s*${escaped(name)}(?![\\w$])`,
    "g",
  );
  for (const match of code.matchAll(pattern)) {
    if (!NOT_HOLDERS.has(match[1]) && found.size < MAX_HOLDERS) found.add(match[1]);
  }
  return [...found];
}

/** The most other bindings a swapper tries for each name, as aliases of its function. */
const MAX_ALIASES = 200;

/** Words that an alias cannot be. */
const KEYWORDS = new Set(
  ("break case catch class const continue debugger default delete do else export extends " +
    "false finally for function if import in instanceof let new null return super switch " +
    "this throw true try typeof var void while with yield await of as type interface")
    .split(" "),
);

/**
 * The names the module binds at its top level that may hold one of its graded functions
 * under another name: those it declares or assigns there (`const h = predict`, `function
 * hypothesis() {…}`, `class Model {…}`), and a name assigned to another (`export const
 * predict = hypothesis`, whose callers may call `hypothesis`). Names inside functions and
 * blocks are not among them: at the module's level they do not exist.
 */
function moduleNames(code: string): string[] {
  const found = new Set<string>();
  const add = (name: string) => {
    if (!KEYWORDS.has(name) && found.size < MAX_ALIASES) found.add(name);
  };
  let depth = 0;
  let previousWord = "";
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === "{" || c === "(" || c === "[") {
      depth++;
      previousWord = "";
      i++;
      continue;
    }
    if (c === "}" || c === ")" || c === "]") {
      depth = Math.max(0, depth - 1);
      previousWord = "";
      i++;
      continue;
    }
    if (!/[A-Za-z_$]/.test(c) || (i > 0 && /[\w$.]/.test(code[i - 1]))) {
      if (!/\s/.test(c)) previousWord = c === "*" && previousWord === "function" ? "function" : "";
      i++;
      continue;
    }
    let end = i + 1;
    while (end < code.length && /[\w$]/.test(code[end])) end++;
    const name = code.slice(i, end);
    if (depth === 0) {
      if (previousWord === "function" || previousWord === "class") add(name);
      const rest = /^\s*(?::[^=;\n{}]{0,100})?=(?![=>])\s*([A-Za-z_$][\w$]*)?\s*([;,\n])?/.exec(
        code.slice(end, end + 200),
      );
      if (rest) {
        add(name);
        if (rest[1] !== undefined && rest[2] !== undefined) add(rest[1]);
      }
    }
    previousWord = name;
    i = end;
  }
  return [...found];
}

/**
 * Whether the `const` at `at` is TypeScript's, not a declaration: after `as`, or in an
 * open type-parameter list (`<const T>`, `<A, const B>`). Looks back at most 200
 * characters, one at a time.
 */
function inTypeSyntax(code: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && /\s/.test(code[k])) k--;
  if (k >= 1 && code[k] === "s" && code[k - 1] === "a" && !/[\w$]/.test(code[k - 2] ?? " ")) {
    return true;
  }
  for (let j = k; j >= Math.max(0, at - 200); j--) {
    const c = code[j];
    if (c === "<") return true;
    if (";{}()=>".includes(c)) return false;
  }
  return false;
}

/**
 * `const` made `let` wherever it declares something: the same bindings, now assignable
 * (a `let` behaves as a `const` does unless something assigns it). Left alone: `const
 * enum`, `as const` and `<const T>`, `<A, const B>` (TypeScript's), and `const` as a property
 * or method name.
 */
function constsMadeLet(source: string, code: string): string {
  let text = "";
  let at = 0;
  for (const match of code.matchAll(/(?<![\w$.])const(?![\w$])/g)) {
    // The next token, past any blank (a comment, masked): `enum`, `:` or `(`.
    let next = match.index + 5;
    while (next < code.length && /\s/.test(code[next])) next++;
    const after = code.slice(next, next + 5);
    if (/^(?:enum(?![\w$])|[:(])/.test(after) || inTypeSyntax(code, match.index)) continue;
    text += `${source.slice(at, match.index)}let`;
    at = match.index + 5;
  }
  return text + source.slice(at);
}

/**
 * The module files of a submission that its entry imports, directly or through other
 * files, by static imports with relative specifiers (`import … from "./linalg.ts"`,
 * `export * from "./model.ts"`, `import "./setup.ts"`): the files loaded with the entry,
 * whose code its exports may run. Imports in comments or strings, `import type` and
 * declaration files (`.d.ts`) are not followed, nor dynamic `import()`: a file that the
 * student's code loads later, or never, must stay so.
 *
 * @param files The submission's files by path relative to its folder, `/`-separated.
 * @param entry The entry file's path.
 * @param masks Each file's masks, made here where missing (see `source_scan.ts`).
 * @returns The paths, the entry first.
 */
export function importedModules(
  files: ReadonlyMap<string, string>,
  entry: string,
  masks = new Map<string, Masked>(),
): string[] {
  const found = [entry];
  for (let i = 0; i < found.length; i++) {
    const text = files.get(found[i]) ?? "";
    if (text.length > MAX_SWAPPABLE_CHARS) continue;
    const { code, literals } = maskOf(masks, found[i], text);
    const from = found[i].split("/").slice(0, -1);
    let statements = 0;
    // Keywords of the code only, not words in a string; `import type` loads nothing.
    for (const keyword of code.matchAll(KEYWORD)) {
      if (++statements > MAX_STATEMENTS) break;
      STATEMENT.lastIndex = keyword.index;
      const match = STATEMENT.exec(literals);
      if (match === null || match[3] !== undefined) continue;
      const parts = [...from];
      for (const part of match[4].split("/")) {
        if (part === "..") parts.pop();
        else if (part !== ".") parts.push(part);
      }
      const path = parts.join("/");
      if (MODULE.test(path) && files.has(path) && !found.includes(path)) found.push(path);
    }
  }
  return found;
}

/** A file's masks, from `masks` or made and kept there. */
function maskOf(masks: Map<string, Masked>, path: string, text: string): Masked {
  let masked = masks.get(path);
  if (masked === undefined) masks.set(path, masked = maskSource(text));
  return masked;
}

/**
 * Makes a module's graded bindings assignable from outside, and appends an exported
 * swapper that points a name at another function, everywhere this module holds the one it
 * replaces:
 *
 * - the module's own binding of the name (or of the local it exports under that name),
 *   and any other binding that holds the same function (`const h = predict`), every
 *   `const` of the module made a `let` (the same bindings, now assignable);
 * - the property of that name of each binding the module reads it from (`Model.fitStump`:
 *   a class's static method, an object of functions), where it holds that function;
 * - and, through `imports`, the same in the other files of the submission.
 *
 * `swapper(name, fn, replaced)` returns how many places it changed: 0 where the module
 * holds `replaced` nowhere it can reach. Comments and literals are never changed (see
 * `source_scan.ts`), and every line of the student's stays where it was.
 *
 * @param source The file's text.
 * @param names The exported names to make swappable: identifiers.
 * @param swapper The appended function's name: an identifier no student could guess.
 * @param imports The other files' swappers to call, by specifier relative to this file.
 * @param masked The file's masks, where they are made already.
 * @returns The new text: the student's lines, unchanged in number, then the swapper.
 * @throws {TypeError} If a name or the swapper is not an identifier.
 *
 * @example
 * ```ts
 * import { swappableSource } from "./isolation.ts";
 * import assert from "node:assert/strict";
 *
 * const text = swappableSource("export const f = (x: number) => x; // const\n", ["f"], "__s");
 * assert.ok(text.startsWith("export let f = (x: number) => x; // const\n"));
 * assert.match(text, /if \(f === __s_was\) \{ f = __s_fn;/);
 * ```
 */
export function swappableSource(
  source: string,
  names: readonly string[],
  swapper: string,
  imports: readonly string[] = [],
  masked: Masked = maskSource(source),
): string {
  for (const name of [...names, swapper]) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`Cannot swap "${name}": not an identifier`);
  }
  const renamed = renamedExports(masked);
  // Named after the swapper, so that none shadows a binding of the student's.
  const [name, fn, was, count] = ["name", "fn", "was", "count"].map((p) => `${swapper}_${p}`);
  const tries = (place: string) =>
    `      try { if (${place} === ${was}) { ${place} = ${fn}; ${count}++; } } catch {}`;
  const cases: string[] = [];
  const aliases = moduleNames(masked.code);
  for (const exported of names) {
    const local = renamed.get(exported) ?? exported;
    cases.push(
      `    case ${JSON.stringify(exported)}:`,
      tries(local),
      ...aliases.filter((alias) => alias !== local).map(tries),
      ...holders(masked.code, local).map((holder) => tries(`${holder}.${local}`)),
      "      break;",
    );
  }
  const imported = imports.map((specifier, i) =>
    `import { ${swapper} as ${swapper}_${i} } from ${JSON.stringify(specifier)};`
  );
  return [
    `${constsMadeLet(source, masked.code)}\n;${imported.join(" ")}`,
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
 * Files over {@linkcode MAX_SWAPPABLE_CHARS} are left as they are (an entry that large gets
 * no swapper: nothing is swapped).
 *
 * @param files The submission's files by path, `/`-separated, those that could be read as
 *   text (see `textFiles`).
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
  const changed = new Map<string, string>();
  const fits = (path: string) => (files.get(path)?.length ?? Infinity) <= MAX_SWAPPABLE_CHARS;
  if (!fits(entry)) return changed;
  let total = 0;
  for (const text of files.values()) total += text.length;
  if (total > MAX_SWAPPABLE_TOTAL) return changed;
  // Each file is masked once, for its imports and for its rewrite.
  const masks = new Map<string, Masked>();
  const rewrite = (path: string, imports: string[] = []) => {
    const text = files.get(path)!;
    return swappableSource(text, names, swapper, imports, maskOf(masks, path, text));
  };
  // The entry lies in the submission's folder itself: `./<path>` reaches any other file.
  const helpers = importedModules(files, entry, masks).slice(1).filter(fits);
  for (const path of helpers) changed.set(path, rewrite(path));
  changed.set(entry, rewrite(entry, helpers.map((path) => `./${path}`)));
  return changed;
}

/**
 * A submission's files as text, for {@linkcode swappableFiles}: UTF-8, or UTF-16 with its
 * byte-order mark, as Deno reads them (a rewritten file is written back as UTF-8, which
 * Deno reads the same). A file in no such encoding is left out, never written back garbled.
 *
 * @param contents The files' bytes by path.
 * @returns Their texts.
 */
export function textFiles(contents: ReadonlyMap<string, Uint8Array>): Map<string, string> {
  const texts = new Map<string, string>();
  for (const [path, bytes] of contents) {
    const encoding = bytes[0] === 0xff && bytes[1] === 0xfe
      ? "utf-16le"
      : bytes[0] === 0xfe && bytes[1] === 0xff
      ? "utf-16be"
      : "utf-8";
    try {
      texts.set(path, new TextDecoder(encoding, { fatal: true }).decode(bytes));
    } catch {
      // Not text in that encoding.
    }
  }
  return texts;
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
 * the functions it is built on that fail a case of their own.
 *
 * @param cases The submission's cases.
 * @param runs How each ran.
 * @param verdicts Each one's verdict.
 * @param builtOn For each graded function, those it is built on (`HiddenSuite.builtOn`).
 * @returns The cases, in order; none when no function built on another fails with it.
 */
export function casesToIsolate(
  cases: readonly HiddenCase[],
  runs: readonly CaseRun[],
  verdicts: readonly Verdict[],
  builtOn: Readonly<Record<string, readonly string[]>>,
): IsolatedCase[] {
  const failing = new Set(cases.flatMap((c, i) => verdicts[i].pass ? [] : [c.symbol]));
  return cases.flatMap((testCase, index) => {
    if (verdicts[index].pass || runs[index].kind !== "results") return [];
    const swaps = (builtOn[testCase.symbol] ?? []).filter((name) =>
      name !== testCase.symbol && failing.has(name)
    );
    return swaps.length === 0 ? [] : [{ index, swaps }];
  });
}

/** A case's verdict when run isolated, and the stand-ins its code called. */
export interface IsolatedVerdict extends IsolatedCase {
  verdict: Verdict;
  /** The stand-ins called, refused calls included; undefined if it did not run. */
  called?: readonly string[];
  /** Those of `swaps` that had no stand-in in place (nowhere to put one). */
  unswapped?: readonly string[];
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
  // isolated run's symptoms tell which without the others' in the way (a training that
  // ignores its options, not one that climbs through a flipped gradient). Its reason stays
  // the first run's: the isolated run's quotes what the student's code returned with the
  // grader's functions at hand, and the student's code can return what they computed (the
  // expected values of the hidden inputs) or throw it.
  for (const { index, verdict, called = [] } of stillFailing) {
    const used = [...called].sort().map((name) => `${name}()`);
    const { symptoms: _, ...first } = verdicts[index];
    result[index] = {
      ...first,
      reason: `It fails with the grader's ${listed(used)} in place of yours too. ${
        first.reason ?? "Wrong result"
      }`,
      ...(verdict.symptoms ? { symptoms: verdict.symptoms } : {}),
    };
  }
  // A case whose isolated run reached no stand-in is judged as it ran: its function calls
  // none of those it is built on, or calls them where no stand-in could be put (a method that
  // each instance holds as its own property, a frozen object of functions). In the second
  // case its reason names those, which fail on their own: the likelier place of the bug.
  for (const { index, swaps, called, unswapped = [] } of isolated) {
    if (called === undefined || called.length > 0 || result[index].pass) continue;
    const names = swaps.filter((name) => unswapped.includes(name)).sort().map((n) => `${n}()`);
    if (names.length === 0) continue;
    const [own, it, its] = names.length === 1
      ? ["fails tests of its own", "it", "its"]
      : ["fail tests of their own", "them", "their"];
    result[index] = {
      ...result[index],
      reason: `Your ${listed(names)} ${own}, and the grader could not put its own in ${its} ` +
        `place to check ${cases[index].symbol}() alone: if ${cases[index].symbol}() uses ${it}, ` +
        `fix ${it} first. ${result[index].reason ?? "Wrong result"}`,
    };
  }
  for (const [index, called] of rescues) {
    const used = [...called].sort().map((name) => `${name}()`);
    const fix = [...new Set(called.flatMap((name) => [...rootsOf(name, new Set())]))]
      .sort().map((name) => `${name}()`);
    // Where the functions replaced have no bug of their own (they pass with the grader's
    // functions under them in turn), say so: the student's own tests of them passed.
    const through = fix.length > 0 && fix.every((name) => !used.includes(name))
      ? `, which ${used.length === 1 ? "passes" : "pass"} only with the grader's ${listed(fix)}`
      : "";
    result[index] = {
      pass: true,
      note: `with the grader's ${listed(used)} in place of yours${through}: fix your ${
        listed(fix.length > 0 ? fix : used)
      } first`,
      // The leaderboard ranks what the student's own code reached.
      ...(verdicts[index].metric !== undefined ? { metric: verdicts[index].metric } : {}),
    };
  }
  return result;
}
