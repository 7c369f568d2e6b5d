/**
 * `GET /api/submissions/:id/events` streams a submission's status as server-sent events to
 * its owner and to staff: its current state first, then each change, closing after `done`
 * or `error`. To anyone else it does not exist.
 *
 * @module
 */
import { statusStream } from "../../../../events.ts";
import { HttpError } from "../../../../_http.ts";
import { type Handlers, isStaff, requireUser } from "../../../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async GET(c) {
    const user = requireUser(c);
    const id = c.req.param("id") ?? "";
    const { store, notifier } = c.get("portal");
    const submission = await store.getSubmission(id);
    if (!submission || (submission.student !== user.id && !isStaff(user))) {
      throw new HttpError(404, `Unknown submission "${id}"`);
    }
    return statusStream({
      notifier,
      student: submission.student,
      read: async () => {
        const current = await store.getSubmission(id);
        return current ? [current] : [];
      },
      sendFinal: true,
      closeWhenFinal: true,
    });
  },
};
