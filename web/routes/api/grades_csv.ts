/**
 * `GET /api/grades.csv` is the gradebook for staff: every student's best score per exercise,
 * in the columns of `deno task grade` (`student,<exercise ids…>,total`).
 *
 * @module
 */
import { EXERCISES } from "../../../course/metadata.ts";
import { gradesCsv, type SubmissionGrade } from "../../../grader/report.ts";
import { type Handlers, requireUser } from "../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async GET(c) {
    requireUser(c, "ta", "instructor");
    const { store } = c.get("portal");
    const [students, best] = await Promise.all([
      store.listUsers({ role: "student" }),
      store.bestScores(),
    ]);
    const scores = new Map(best.map((cell) => [`${cell.student}\n${cell.exercise}`, cell.score]));
    // Every student gets a cell per exercise, so that one without a graded submission still
    // has a row of zeros, as in the grader's gradebook.
    const grades = students.flatMap((student) =>
      EXERCISES.map((exercise): SubmissionGrade => ({
        student: student.id,
        exercise: exercise.id,
        status: "graded",
        score: scores.get(`${student.id}\n${exercise.id}`) ?? 0,
        maxScore: exercise.groups.reduce((sum, group) => sum + group.points, 0),
        groups: [],
        durationMs: 0,
      }))
    );
    return c.body(gradesCsv(EXERCISES, grades), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="grades.csv"',
    });
  },
};
