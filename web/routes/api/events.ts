/**
 * `GET /api/events` streams the status of a signed-in student's submissions as server-sent
 * events: the current state of those not yet graded first, then each change of any of
 * them, new ones included, until the client goes away.
 *
 * @module
 */
import { routeStream } from "../../events.ts";
import { type Handlers, requireUser } from "../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  GET(c) {
    const student = requireUser(c, "student");
    const { store } = c.get("portal");
    return routeStream(c, student.id, {
      student: student.id,
      read: () => store.listSubmissions(student.id),
      sendFinal: false,
      closeWhenFinal: false,
    });
  },
};
