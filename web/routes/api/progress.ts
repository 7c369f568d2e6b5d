/**
 * `GET /api/progress` gives a student their best score and attempts at every exercise.
 *
 * @module
 */
import { json } from "../../_http.ts";
import { type Handlers, requireUser } from "../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async GET(c) {
    const student = requireUser(c, "student");
    return json(c, { exercises: await c.get("portal").store.progress(student.id) });
  },
};
