/**
 * `POST /api/users/:id/sign-out` ends every session of a user and revokes their personal
 * tokens (instructors only), for an account whose password or token may have leaked: what
 * `deno task admin sign-out` does, while the portal runs. An unknown id is not found. It
 * needs a session, not a personal token.
 *
 * @module
 */
import { json } from "../../../../_http.ts";
import { type Handlers, requireSession } from "../../../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    requireSession(c, "sign users out", "instructor");
    const id = c.req.param("id") ?? "";
    const { sessions, tokens } = await c.get("portal").store.signOutEverywhere(id);
    return json(c, { id, sessions, tokens });
  },
};
