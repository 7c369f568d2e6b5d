/**
 * Formats the outcome of an exercise's visible tests as a plain summary for a terminal.
 *
 * @module
 */
import type { ExerciseOutcome, GroupOutcome } from "./visible_tests.ts";

/** Options for {@linkcode formatOutcome}. */
export interface FormatOptions {
  /**
   * Colour the marks with ANSI escapes.
   *
   * @default {false}
   */
  color?: boolean;
}

const MARKS = { passed: "✓", failed: "✗", todo: "·", "not-run": "-" } as const;

/**
 * Formats one exercise's outcome: a line per graded group, the first failure of each failing
 * group with its reason, a note naming the failing groups before it (which it may call),
 * and the group's first hint, then a count.
 *
 * @param outcome The outcome from `runVisibleTests`.
 * @param options Formatting options.
 * @returns Lines of text ending in a newline.
 */
export function formatOutcome(outcome: ExerciseOutcome, options: FormatOptions = {}): string {
  const paint = (code: number, text: string) =>
    options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  const { exercise } = outcome;
  const lines = [paint(1, `${exercise.id} · ${exercise.title}`)];

  if (outcome.status === "missing" || outcome.status === "load-error") {
    lines.push(`  ${paint(31, "✗")} ${outcome.loadError}`);
    lines.push("  No test could run until this is fixed.");
    return lines.join("\n") + "\n";
  }

  const width = Math.max(...exercise.groups.map((g) => g.symbol.length));
  // Functions build on the ones before them (stochasticEpoch on lmsUpdate): a failure may be
  // an earlier function's, which the grader tells apart and these tests cannot.
  const failedBefore: string[] = [];
  for (const group of outcome.groups) {
    const mark = MARKS[group.status];
    const color = group.status === "passed" ? 32 : group.status === "failed" ? 31 : 33;
    const name = group.group.symbol.padEnd(width);
    lines.push(`  ${paint(color, mark)} ${name}  ${describe(group)}`);
    if (group.status === "failed") {
      const first = group.tests.find((t) => t.status === "failed" || t.status === "timeout")!;
      const reason = first.status === "timeout"
        ? `did not finish within ${exercise.limits.timeMs / 1000} s and was stopped: ` +
          "is there a loop that never ends?"
        : first.message;
      lines.push(`      ${first.name}`);
      lines.push(...indent(reason ?? "", 8));
      if (failedBefore.length > 0) {
        const them = failedBefore.map((symbol) => `${symbol}()`);
        const list = them.length === 1
          ? them[0]
          : `${them.slice(0, -1).join(", ")} and ${them.at(-1)}`;
        lines.push(
          `      ${paint(36, "Note:")} ${list} ${them.length === 1 ? "fails" : "fail"} too: if ` +
            `${group.group.symbol}() calls ${them.length === 1 ? "it" : "them"}, fix ` +
            `${them.length === 1 ? "it" : "them"} first.`,
        );
      }
      const hint = group.group.hints[0];
      if (hint) lines.push(`      ${paint(36, "Hint:")} ${hint}`);
      failedBefore.push(group.group.symbol);
    }
  }
  for (const test of outcome.ungrouped.filter((t) => t.status !== "passed")) {
    lines.push(`  ${paint(31, "✗")} ${test.name}`, ...indent(test.message ?? "", 8));
  }

  const groupsPassed = outcome.groups.filter((g) => g.status === "passed").length;
  const tests = outcome.groups.flatMap((g) => g.tests).concat(outcome.ungrouped);
  const testsPassed = tests.filter((t) => t.status === "passed").length;
  let summary = `  ${groupsPassed} of ${outcome.groups.length} functions pass ` +
    `(${testsPassed} of ${tests.length} tests)`;
  if (outcome.status === "timeout") {
    const hung = (outcome.hungTests ?? []).map((name) => `"${name}"`);
    summary += `; stopped after ${exercise.limits.timeMs / 1000} s` +
      (hung.length === 0 ? "" : ` while running ${hung.join(", then ")}`);
  }
  lines.push(summary);
  return lines.join("\n") + "\n";
}

function describe(group: GroupOutcome): string {
  const passed = group.tests.filter((t) => t.status === "passed").length;
  switch (group.status) {
    case "passed":
      return `${group.group.title} (${passed}/${group.tests.length})`;
    case "todo":
      return `${group.group.title}: not started (TODO)`;
    case "not-run":
      return `${group.group.title}: not run`;
    case "failed":
      return `${group.group.title} (${passed}/${group.tests.length})`;
  }
}

function indent(text: string, spaces: number): string[] {
  const pad = " ".repeat(spaces);
  return text.split("\n").slice(0, 6).map((line) => pad + line);
}
