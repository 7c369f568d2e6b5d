/**
 * `DELETE /api/tokens/:id` revokes one of the user's personal API tokens at once; another
 * user's, or an unknown id, is not found.
 *
 * @module
 */
import { HttpError, json } from "../../../_http.ts";
import { type Handlers, requireUser } from "../../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async DELETE(c) {
    const user = requireUser(c);
    const id = c.req.param("id") ?? "";
    if (!(await c.get("portal").store.revokeApiToken(user.id, id))) {
      throw new HttpError(404, "No such token of yours");
    }
    return json(c, { revoked: true });
  },
};
