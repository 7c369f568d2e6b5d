/**
 * `GET /api/submissions/:id/events` streams a submission's status as server-sent events to
 * its owner and to staff: its current state first, then each change, closing after `done`
 * or `error`. To anyone else it does not exist.
 *
 * @module
 */
import { routeStream } from "../../../../events.ts";
import { type Handlers, requireSubmission } from "../../../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async GET(c) {
    const { submission, user } = await requireSubmission(c);
    const { store } = c.get("portal");
    return routeStream(c, user.id, {
      student: submission.student,
      read: async () => {
        const current = await store.getSubmission(submission.id);
        return current ? [current] : [];
      },
      sendFinal: true,
      closeWhenFinal: true,
    });
  },
};
