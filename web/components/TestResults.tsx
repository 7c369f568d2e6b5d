/**
 * A graded submission's tests as a table: each test's name, outcome, points and feedback
 * (which never holds a hidden test's expected value; see `grader/report.ts`).
 *
 * @module
 */
import type { GradescopeTest } from "../../grader/report.ts";

/** One test as pages show it: the fields of Gradescope's results that a student reads. */
export type TestRow = Pick<GradescopeTest, "name" | "status" | "score" | "max_score" | "output">;

/**
 * Renders the tests.
 *
 * @param props The tests, in grading order.
 * @returns The table, or nothing when there are no tests.
 */
export function TestResults({ tests }: { tests: readonly TestRow[] }) {
  if (tests.length === 0) return null;
  const passed = tests.filter((test) => test.status === "passed").length;
  return (
    <table class="tests">
      <caption>{`${passed} of ${tests.length} tests passed`}</caption>
      <thead>
        <tr>
          <th scope="col">Test</th>
          <th scope="col">Outcome</th>
          <th scope="col">Points</th>
          <th scope="col">Feedback</th>
        </tr>
      </thead>
      <tbody>
        {tests.map((test, i) => (
          <tr key={i} class={test.status}>
            <td>{test.name}</td>
            <td>{test.status}</td>
            <td class="number">{`${points(test.score)} / ${points(test.max_score)}`}</td>
            <td class="feedback">{test.output}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Writes points with at most two decimals.
 *
 * @param value The points.
 * @returns The text.
 */
export function points(value: number): string {
  return String(Math.round(value * 100) / 100);
}
