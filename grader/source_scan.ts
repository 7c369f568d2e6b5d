/**
 * Tells a module's code from its comments and literals, without parsing it.
 *
 * The grader rewrites a few tokens of a submission's private copy (see `isolation.ts`), and
 * a word in a comment (`// export { old as predict }`), a string or a regular expression is
 * not code. {@linkcode maskSource} blanks those out, keeping every other character, and
 * every line break, where it was: a match in the masked text is a match in the code, at the
 * same position of the original. It is a scanner, not a parser: it knows JavaScript's and
 * TypeScript's comments, strings, template literals (their `${…}` parts included, blanked
 * with them) and regular-expression literals (told from a division by the token before the
 * `/`). It runs in one pass, linear in the text's length whatever the text: every scan
 * that may end in nothing (a `/` that starts no regular expression) is bounded.
 *
 * @module
 */

/** The masks of one text, each as long as it. */
export interface Masked {
  /** Comments, strings, template literals and regular expressions blanked: the code. */
  code: string;
  /** Comments blanked only: the code and its literals (module specifiers, say). */
  literals: string;
}

/** Characters after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set([..."(,=:[!&|?{};+-*%<>~^"]);

/** Words after which a `/` starts a regular expression. */
const KEYWORDS_BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "case",
  "in",
  "of",
  "delete",
  "void",
  "throw",
  "new",
  "else",
  "do",
  "yield",
  "await",
]);

/** How deep templates may nest in each other's `${…}` before the scan stops looking. */
const MAX_NESTING = 32;

/** The longest regular-expression literal recognised, in characters. */
const MAX_REGEX = 160;

const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";
const isWord = (c: string) => /[\w$]/.test(c);

/**
 * Blanks a module's comments and literals.
 *
 * @param source The module's text.
 * @returns Its masks; blanked characters become spaces, line breaks stay.
 *
 * @example
 * ```ts
 * import { maskSource } from "./source_scan.ts";
 * import assert from "node:assert/strict";
 *
 * const { code, literals } = maskSource('const a = "x"; // b\nconst r = /c"/g;');
 * assert.equal(code, 'const a = " "; //  \nconst r = /  /g;');
 * assert.equal(literals, 'const a = "x"; //  \nconst r = /  /g;');
 * ```
 */
export function maskSource(source: string): Masked {
  const code: string[] = [];
  const literals: string[] = [];
  /** Copies `source[from, to)` into both masks, blanked in `code` (and in `literals` too). */
  const take = (from: number, to: number, blankCode: boolean, blankLiterals: boolean) => {
    const text = source.slice(from, to);
    const blank = blankCode || blankLiterals ? text.replace(/[^\n\r]/g, " ") : text;
    code.push(blankCode ? blank : text);
    literals.push(blankLiterals ? blank : text);
  };
  const n = source.length;
  let i = 0;
  let start = 0;
  /** The last character of code seen, and the last word, for telling a regex from `/`. */
  let previous = "";
  let word = "";
  const flush = (to: number) => {
    if (to > start) take(start, to, false, false);
  };
  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      flush(i);
      let j = i + 2;
      while (j < n && source[j] !== "\n") j++;
      take(i, i + 2, false, false);
      take(i + 2, j, true, true);
      i = start = j;
      continue;
    }
    if (c === "/" && next === "*") {
      flush(i);
      const end = source.indexOf("*/", i + 2);
      const j = end < 0 ? n : end + 2;
      take(i, j, true, true);
      i = start = j;
      continue;
    }
    if (c === '"' || c === "'") {
      flush(i + 1);
      let j = i + 1;
      while (j < n && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
      j = Math.min(j, n);
      take(i + 1, j, true, false);
      i = start = j;
      if (i < n && source[i] === c) i++;
      previous = c;
      word = "";
      continue;
    }
    if (c === "`") {
      flush(i + 1);
      const j = templateEnd(source, i);
      take(i + 1, j, true, false);
      i = start = j;
      if (i < n) i++;
      previous = "`";
      word = "";
      continue;
    }
    if (
      c === "/" &&
      (previous === "" || BEFORE_REGEX.has(previous) || KEYWORDS_BEFORE_REGEX.has(word))
    ) {
      // A regular expression ends on its line; and within MAX_REGEX characters, or the `/`
      // is taken for a division: a scan that could fail must not cost more than that, or a
      // line of a thousand `(/[` would cost a scan to its end each.
      let j = i + 1;
      let inClass = false;
      const limit = Math.min(n, i + MAX_REGEX);
      while (j < limit && source[j] !== "\n") {
        const d = source[j];
        if (d === "\\") j += 2;
        else if (d === "[") (inClass = true, j++);
        else if (d === "]") (inClass = false, j++);
        else if (d === "/" && !inClass) break;
        else j++;
      }
      if (j < limit && source[j] === "/") {
        flush(i + 1);
        take(i + 1, j, true, true);
        i = start = j;
        i++;
        previous = "/";
        word = "";
        continue;
      }
    }
    if (!isSpace(c)) {
      if (isWord(c)) {
        word = isWord(previous) ? word + c : c;
      } else {
        word = "";
      }
      previous = c;
    }
    i++;
  }
  flush(n);
  return { code: code.join(""), literals: literals.join("") };
}

/**
 * Where the template literal that opens at `open` ends: the index of its closing backtick,
 * or the text's length. Its `${…}` parts are code, scanned to their matching brace with the
 * strings, comments and templates inside them, so that a `}` or a backtick in a nested
 * literal ends nothing.
 */
function templateEnd(source: string, open: number, level = 0): number {
  // Templates nested this deep are no student's code: the rest of the text is one literal.
  if (level > MAX_NESTING) return source.length;
  let j = open + 1;
  while (j < source.length) {
    const d = source[j];
    if (d === "\\") j += 2;
    else if (d === "`") return j;
    else if (d === "$" && source[j + 1] === "{") j = codeEnd(source, j + 2, level + 1) + 1;
    else j++;
  }
  return source.length;
}

/** Where the code that starts at `from` inside a `${` ends: the index of its closing brace. */
function codeEnd(source: string, from: number, level: number): number {
  let depth = 0;
  let j = from;
  while (j < source.length) {
    const d = source[j];
    if (d === "`") {
      j = templateEnd(source, j, level) + 1;
    } else if (d === '"' || d === "'") {
      j++;
      while (j < source.length && source[j] !== d && source[j] !== "\n") {
        j += source[j] === "\\" ? 2 : 1;
      }
      j++;
    } else if (d === "/" && source[j + 1] === "/") {
      while (j < source.length && source[j] !== "\n") j++;
    } else if (d === "/" && source[j + 1] === "*") {
      const end = source.indexOf("*/", j + 2);
      j = end < 0 ? source.length : end + 2;
    } else if (d === "{") {
      depth++;
      j++;
    } else if (d === "}") {
      if (depth === 0) return j;
      depth--;
      j++;
    } else {
      j++;
    }
  }
  return source.length;
}
