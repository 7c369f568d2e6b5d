/**
 * `GET /submissions/:id` is a submission's page for its owner and staff: its status, kept
 * live while it waits or runs (see `islands/LiveStatus.tsx`), then its score and tests. To
 * anyone else it does not exist.
 *
 * @module
 */
import { toGradescope } from "../../../grader/report.ts";
import { exerciseById } from "../../../course/metadata.ts";
import { Island } from "../../components/Island.tsx";
import LiveStatus from "../../islands/LiveStatus.tsx";
import { type Handlers, isStaff, requireSubmission } from "../../_middleware.ts";
import { renderPage } from "../../_render.tsx";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async GET(c) {
    const { submission, user } = await requireSubmission(c);
    const results = submission.result ? toGradescope(submission.result) : null;
    const exercise = exerciseById(submission.exercise);
    return renderPage(
      c,
      `Submission to ${exercise.id}`,
      <>
        <h1>{`${exercise.id}: ${exercise.title}`}</h1>
        <p class="meta">
          {isStaff(user) ? `By ${submission.student}, submitted ` : "Submitted "}
          <time datetime={submission.createdAt.toISOString()}>
            {submission.createdAt.toISOString().replace("T", " ").slice(0, 19)} UTC
          </time>
        </p>
        <Island
          of={LiveStatus}
          props={{
            id: submission.id,
            status: submission.status,
            score: submission.score,
            maxScore: submission.maxScore,
            summary: results?.output ?? null,
            tests: (results?.tests ?? []).map(({ name, status, score, max_score, output }) => ({
              name,
              status,
              score,
              max_score,
              output,
            })),
          }}
        />
        <p>
          <a href="/">Back to the front page</a>
        </p>
      </>,
    );
  },
};
