/**
 * `POST /api/users/:id/invite` issues a fresh one-time invite code for an existing user
 * (instructors only), for a lost code or a forgotten password: it replaces any unredeemed code
 * of theirs, and redeeming it (`POST /api/invites/redeem`) sets the new password and ends every
 * session and personal token of the user. An unknown id is not found.
 *
 * @module
 */
import { json } from "../../../../_http.ts";
import { type Handlers, requireUser } from "../../../../_middleware.ts";

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    requireUser(c, "instructor");
    const id = c.req.param("id") ?? "";
    const { code, expiresAt } = await c.get("portal").store.createInvite(id);
    return json(c, { id, inviteCode: code, expiresAt: expiresAt.toISOString() }, 201);
  },
};
