/**
 * The class at a glance, for staff: every student's best graded score per exercise and
 * their total, as the gradebook counts them.
 *
 * @module
 */
import type { Exercise } from "../../course/metadata.ts";
import type { BestScore, User } from "../store/mod.ts";
import { points } from "./TestResults.tsx";

/** The props of {@linkcode ClassTable}. */
export interface ClassTableProps {
  exercises: readonly Exercise[];
  students: readonly User[];
  scores: readonly BestScore[];
}

/**
 * Renders the table.
 *
 * @param props The exercises, the students and their best scores.
 * @returns The table.
 */
export function ClassTable({ exercises, students, scores }: ClassTableProps) {
  const best = new Map(scores.map((s) => [`${s.student}\u0000${s.exercise}`, s.score]));
  return (
    <table class="class">
      <caption>{`${students.length} students: best graded scores`}</caption>
      <thead>
        <tr>
          <th scope="col">Student</th>
          {exercises.map((e) => <th scope="col" key={e.id}>{e.id}</th>)}
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {students.map((student) => {
          const cells = exercises.map((e) => best.get(`${student.id}\u0000${e.id}`));
          const total = cells.reduce<number>((sum, score) => sum + (score ?? 0), 0);
          return (
            <tr key={student.id}>
              <th scope="row">
                {student.name} <span class="hint">{student.id}</span>
              </th>
              {cells.map((score, i) => (
                <td class="number" key={exercises[i].id}>
                  {score === undefined ? "–" : points(score)}
                </td>
              ))}
              <td class="number">{points(total)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
