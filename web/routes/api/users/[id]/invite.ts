/**
 * `POST /api/users/:id/invite` issues a fresh one-time invite code for an existing user
 * (instructors only), for a lost code or a forgotten password: it replaces any unredeemed code
 * of theirs, and redeeming it (`POST /api/invites/redeem`) sets the new password and ends every
 * session and personal token of the user. An unknown id is not found. It needs a session:
 * a personal token cannot issue codes (a leaked one would become a password). Another
 * instructor's account is recovered by the course operator (`deno task admin invite`), so
 * that no instructor can take over another's.
 *
 * @module
 */
import { HttpError, json } from "../../../../_http.ts";
import { type Handlers, requireSession } from "../../../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    const instructor = requireSession(c, "issue invite codes", "instructor");
    const id = c.req.param("id") ?? "";
    const { store } = c.get("portal");
    const user = await store.getUser(id);
    if (user?.role === "instructor" && user.id !== instructor.id) {
      throw new HttpError(
        403,
        "Another instructor's invite code is the course operator's to issue: " +
          "deno task admin invite <id>",
      );
    }
    const { code, expiresAt } = await store.createInvite(id);
    return json(c, { id, inviteCode: code, expiresAt: expiresAt.toISOString() }, 201);
  },
};
