/**
 * Reads the JUnit XML report that `deno test --junit-path` writes.
 *
 * Deno's report is regular (one `<testcase>` element per test, a `<failure>` child when it
 * failed), so a small, strict reader is enough and spares the student bundle an XML
 * dependency.
 *
 * @module
 */

/** One test case from the report. */
export interface JunitCase {
  name: string;
  /** The test file, as Deno names it (`./lms_test.ts`). */
  file: string;
  line: number;
  /** Ran and did not fail: a skipped test has not passed. */
  passed: boolean;
  /** Did not run: left out by `--filter`, or ignored. */
  skipped?: true;
  /** The failure's one-line message, where it failed. */
  message?: string;
  /** The failure's full text (message and stack), where it failed. */
  detail?: string;
}

const ENTITIES: Record<string, string> = {
  quot: '"',
  amp: "&",
  lt: "<",
  gt: ">",
  apos: "'",
};

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, code: string) => {
    if (code.startsWith("#x")) return String.fromCodePoint(parseInt(code.slice(2), 16));
    if (code.startsWith("#")) return String.fromCodePoint(parseInt(code.slice(1), 10));
    return ENTITIES[code] ?? whole;
  });
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/([A-Za-z_:][\w:.-]*)="([^"]*)"/g)) {
    out[match[1]] = decode(match[2]);
  }
  return out;
}

/**
 * Parses a JUnit report written by `deno test`.
 *
 * @param xml The report's text.
 * @returns Its test cases, in report order.
 * @throws {SyntaxError} If the text is not a JUnit report.
 *
 * @example A passing, a failing and a filtered test
 * ```ts
 * import { parseJunit } from "./junit.ts";
 * import assert from "node:assert/strict";
 *
 * const cases = parseJunit(`<testsuites><testsuite name="./a_test.ts">
 *   <testcase name="f() works" classname="./a_test.ts" line="3"></testcase>
 *   <testcase name="g() fails" classname="./a_test.ts" line="4">
 *     <failure message="Uncaught Error: TODO: implement g">Error: TODO</failure>
 *   </testcase>
 *   <testcase name="h() left out" classname="./a_test.ts" line="5"><skipped/></testcase>
 *   </testsuite></testsuites>`);
 * assert.deepEqual(cases.map((c) => c.passed), [true, false, false]);
 * assert.equal(cases[2].skipped, true);
 * assert.equal(cases[1].message, "Uncaught Error: TODO: implement g");
 * ```
 */
export function parseJunit(xml: string): JunitCase[] {
  if (!/<testsuites[\s>]/.test(xml)) {
    throw new SyntaxError("Cannot read the test report: it has no <testsuites> element");
  }
  const cases: JunitCase[] = [];
  const pattern = /<testcase\s([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(pattern)) {
    const attrs = attributes(match[1]);
    const body = match[3] ?? "";
    const failure = body.match(/<failure(\s[^>]*)?>([\s\S]*?)<\/failure>|<failure(\s[^>]*)?\/>/);
    const skipped = /<skipped(\s[^>]*)?\/?>/.test(body);
    const testCase: JunitCase = {
      name: attrs.name ?? "",
      file: attrs.classname ?? "",
      line: Number(attrs.line ?? 0),
      passed: failure === null && !skipped,
      ...(skipped ? { skipped: true as const } : {}),
    };
    if (failure) {
      const failureAttrs = attributes(failure[1] ?? failure[3] ?? "");
      testCase.message = failureAttrs.message ?? "";
      testCase.detail = decode(failure[2] ?? "");
    }
    cases.push(testCase);
  }
  return cases;
}
