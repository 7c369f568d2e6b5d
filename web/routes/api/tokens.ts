/**
 * `POST /api/tokens` issues a personal API token for `deno task submit`.
 *
 * @module
 */
import { z } from "zod";
import { json, readJson } from "../../_http.ts";
import { type Handlers, requireUser } from "../../_middleware.ts";

/** The token's body: an optional name that tells a user's tokens apart. */
export const NewTokenSchema = z.object({ name: z.string().min(1).max(100).optional() });

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    const user = requireUser(c);
    const portal = c.get("portal");
    const { name } = await readJson(c.req.raw, NewTokenSchema, portal.maxJsonBytes);
    const { token } = await portal.store.createApiToken(user.id, { name });
    return json(c, { token }, 201);
  },
};
