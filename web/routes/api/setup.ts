/**
 * `POST /api/setup` creates the first instructor with the one-time setup token that the
 * server printed on its first start, and signs them in. Once any instructor exists, or once
 * the token is used or expired, the route answers 404.
 *
 * @module
 */
import { z } from "zod";
import { HttpError, MAX_PUBLIC_JSON_BYTES, readJson } from "../../_http.ts";
import type { Handlers } from "../../_middleware.ts";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../../store/passwords.ts";
import { NewUserSchema } from "./users.ts";
import { setupKeys } from "../../_sign_in_limiter.ts";
import { beginAttempt, clientAddress, startSession } from "./session.ts";

/** The setup body. */
export const SetupSchema = z.object({
  token: z.string().min(1).max(256),
  id: NewUserSchema.shape.id,
  password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH),
  name: z.string().max(200).optional(),
});

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    const portal = c.get("portal");
    const notFound = () => new HttpError(404, "No setup is pending");
    const { setup } = portal;
    if (!setup) throw notFound();
    const { token, id, password, name } = await readJson(
      c.req.raw,
      SetupSchema,
      MAX_PUBLIC_JSON_BYTES,
    );
    const attempt = beginAttempt(c, setupKeys(clientAddress(c)), "attempts");
    if (!await setup.consume(token, portal.now())) throw notFound();
    attempt.succeeded();
    try {
      if ((await portal.store.listUsers({ role: "instructor" })).length > 0) throw notFound();
      const { user } = await portal.store.createUser({ id, name, role: "instructor", password });
      return await startSession(c, user, 201);
    } catch (error) {
      setup.release();
      throw error;
    }
  },
};
