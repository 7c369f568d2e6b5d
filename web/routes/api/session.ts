/**
 * `POST /api/session` signs in with an id and password and sets the session cookie;
 * `DELETE /api/session` signs out.
 *
 * @module
 */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { HttpError, json, MAX_PUBLIC_JSON_BYTES, readJson } from "../../_http.ts";
import { type AppEnv, type Handlers, requireUser, SESSION_COOKIE } from "../../_middleware.ts";
import type { User } from "../../store/mod.ts";

/** The sign-in body. */
export const SignInSchema = z.object({
  id: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    const portal = c.get("portal");
    const { id, password } = await readJson(c.req.raw, SignInSchema, MAX_PUBLIC_JSON_BYTES);
    const client = clientAddress(c.env);
    const keys = [`id:${id}`, `client:${client}`];
    // Counted before the password is checked, so that guesses sent together are counted too.
    const attempt = portal.signIns.begin(keys);
    if (attempt.blockedUntil) {
      throw new HttpError(429, "Too many failed sign-ins: try again later", {
        retryAt: attempt.blockedUntil.toISOString(),
      });
    }
    const user = await portal.store.authenticate(id, password);
    if (!user) throw new HttpError(401, "Wrong id or password");
    attempt.succeeded();
    portal.signIns.forget(`id:${id}`);
    return await startSession(c, user);
  },

  async DELETE(c) {
    requireUser(c);
    const { sessionToken } = c.get("state");
    if (sessionToken) await c.get("portal").store.deleteSession(sessionToken);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return json(c, { signedOut: true });
  },
};

/**
 * Signs a user in: starts a session and sets its cookie.
 *
 * @param c The request's context.
 * @param user The user.
 * @param status The response's status.
 * @returns The response, `{user: {id, name, role}}`.
 */
export async function startSession(
  c: Context<AppEnv>,
  user: User,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const portal = c.get("portal");
  const session = await portal.store.createSession(user.id);
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: portal.origin.startsWith("https:"),
    path: "/",
    expires: session.expiresAt,
  });
  return json(c, { user: { id: user.id, name: user.name, role: user.role } }, status);
}

/**
 * The client's address from `Deno.serve`'s connection info.
 *
 * @param env The request's environment (`c.env`).
 * @returns The address; "unknown" in memory.
 */
export function clientAddress(env: unknown): string {
  const remote = (env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
  return remote?.hostname ?? "unknown";
}
