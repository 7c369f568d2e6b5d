/**
 * `POST /api/users` creates a user (instructors only); without a password the answer
 * carries a one-time invite code.
 *
 * @module
 */
import { z } from "zod";
import { json, readJson } from "../../_http.ts";
import { type Handlers, requireUser } from "../../_middleware.ts";

/** The new user's body. */
export const NewUserSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "an id has 1 to 64 letters, digits, . _ -"),
  name: z.string().max(200).optional(),
  role: z.enum(["student", "ta", "instructor"]),
  password: z.string().min(1).max(1024).optional(),
});

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    requireUser(c, "instructor");
    const portal = c.get("portal");
    const body = await readJson(c.req.raw, NewUserSchema, portal.maxJsonBytes);
    const { user, inviteCode } = await portal.store.createUser(body);
    return json(c, { user: { id: user.id, name: user.name, role: user.role }, inviteCode }, 201);
  },
};
