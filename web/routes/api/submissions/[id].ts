/**
 * `GET /api/submissions/:id` shows a submission's status and test results to its owner and
 * to staff; to anyone else it does not exist. Besides SPEC §6's fields it gives `summary`,
 * the grader's feedback in a few lines (Gradescope's `output`), once graded.
 *
 * @module
 */
import { toGradescope } from "../../../../grader/report.ts";
import { json } from "../../../_http.ts";
import { type Handlers, requireSubmission } from "../../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async GET(c) {
    const { submission } = await requireSubmission(c);
    const results = submission.result ? toGradescope(submission.result) : null;
    return json(c, {
      id: submission.id,
      student: submission.student,
      exercise: submission.exercise,
      status: submission.status,
      score: submission.score,
      maxScore: submission.maxScore,
      tests: results?.tests ?? [],
      summary: results?.output ?? null,
    });
  },
};
