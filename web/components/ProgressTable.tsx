/**
 * A student's progress: per exercise, the best score, the attempts used and the latest
 * submission, linked to its page.
 *
 * @module
 */
import type { Exercise } from "../../course/metadata.ts";
import type { Progress, Submission } from "../store/mod.ts";
import { points } from "./TestResults.tsx";

/** The props of {@linkcode ProgressTable}. */
export interface ProgressTableProps {
  exercises: readonly Exercise[];
  progress: readonly Progress[];
  /** The student's latest submission per exercise, where there is one. */
  latest: ReadonlyMap<string, Submission>;
}

/**
 * Renders the table.
 *
 * @param props The course's exercises, the student's progress and latest submissions.
 * @returns The table.
 */
export function ProgressTable({ exercises, progress, latest }: ProgressTableProps) {
  return (
    <table class="progress">
      <caption>Your best scores</caption>
      <thead>
        <tr>
          <th scope="col">Exercise</th>
          <th scope="col">Best score</th>
          <th scope="col">Attempts</th>
          <th scope="col">Latest submission</th>
        </tr>
      </thead>
      <tbody>
        {progress.map((row) => {
          const exercise = exercises.find((e) => e.id === row.exercise);
          const last = latest.get(row.exercise);
          return (
            <tr key={row.exercise}>
              <th scope="row">
                {row.exercise}
                {exercise && <span class="hint">{` ${exercise.title}`}</span>}
              </th>
              <td class="number">
                {row.bestScore === null
                  ? "–"
                  : `${points(row.bestScore)} / ${points(row.maxScore)}`}
              </td>
              <td class="number">{row.attempts}</td>
              <td>
                {last
                  ? <a href={`/submissions/${encodeURIComponent(last.id)}`}>{last.status}</a>
                  : "none yet"}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
