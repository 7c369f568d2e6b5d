/**
 * `POST /api/session` signs in with an id and password and sets the session cookie;
 * `DELETE /api/session` signs out: it ends the session, or revokes the personal token the
 * request came with.
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
import { type Attempt, signInKeys } from "../../_sign_in_limiter.ts";

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
    const client = clientAddress(c);
    // Counted before the password is checked, so that guesses sent together are counted too.
    const keys = signInKeys(client, id);
    const attempt = beginAttempt(c, keys, "sign-ins");
    const user = await portal.store.authenticate(id, password);
    if (!user) throw new HttpError(401, "Wrong id or password");
    attempt.succeeded();
    // The owner's typos are forgiven; the client's ceiling over all accounts is not.
    for (const key of keys.filter((key) => !key.startsWith("client:"))) {
      portal.signIns.forget(key);
    }
    return await startSession(c, user);
  },

  async DELETE(c) {
    requireUser(c);
    const { sessionToken, bearerToken } = c.get("state");
    if (sessionToken) await c.get("portal").store.deleteSession(sessionToken);
    // Signing out with a personal token revokes it: nothing else would end it.
    if (bearerToken) await c.get("portal").store.revokeApiTokenValue(bearerToken);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return json(c, { signedOut: true });
  },
};

/**
 * Starts an attempt to sign in, redeem an invite or set up the portal on the portal's
 * limiter (see `SignInLimiter.begin`): counted as a failure until it succeeds.
 *
 * @param c The request's context.
 * @param keys The attempt's keys (`signInKeys()`, `redeemKeys()`, `setupKeys()`).
 * @param what What is attempted, for the 429's message: "sign-ins", "attempts".
 * @returns The attempt, to call `succeeded()` on.
 * @throws {HttpError} 429 with `retryAt` if a key is blocked.
 */
export function beginAttempt(c: Context<AppEnv>, keys: readonly string[], what: string): Attempt {
  const attempt = c.get("portal").signIns.begin(keys);
  if (attempt.blockedUntil) {
    throw new HttpError(429, `Too many failed ${what}: try again later`, {
      retryAt: attempt.blockedUntil.toISOString(),
    });
  }
  return attempt;
}

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
 * The client's address: the connection's peer (`Deno.serve`'s connection info), or, where
 * the peer is one of the portal's trusted proxies (`TRUSTED_PROXIES`), the address that the
 * proxies' `X-Forwarded-For` names: the rightmost entry that is not itself a trusted proxy.
 * Entries to its left came from the client, which may write anything there; behind a proxy
 * that is not trusted, every client would be the proxy, and ten wrong passwords from anyone
 * would stop everyone's sign-in.
 *
 * @param c The request's context.
 * @returns The address; "unknown" in memory.
 *
 * @example
 * ```ts
 * import { clientAddress } from "./session.ts";
 * import assert from "node:assert/strict";
 *
 * const request = (peer: string, forwarded: string) => ({
 *   env: { remoteAddr: { hostname: peer } },
 *   req: { header: () => forwarded },
 *   get: () => ({ trustedProxies: ["10.0.0.2"] }),
 * });
 * // deno-lint-ignore no-explicit-any
 * const address = (peer: string, forwarded: string) => clientAddress(request(peer, forwarded) as any);
 * assert.equal(address("10.0.0.2", "6.6.6.6, 192.0.2.7"), "192.0.2.7");
 * assert.equal(address("10.0.0.2", "192.0.2.7, 10.0.0.2"), "192.0.2.7");
 * assert.equal(address("203.0.113.9", "192.0.2.7"), "203.0.113.9", "a header from anyone else");
 * ```
 */
export function clientAddress(c: Context<AppEnv>): string {
  const remote = (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
  const peer = remote?.hostname ?? "unknown";
  const { trustedProxies } = c.get("portal");
  if (!trustedProxies.includes(peer)) return network(peer);
  const hops = (c.req.header("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim())
    .filter((hop) => hop !== "");
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trustedProxies.includes(hops[i])) return network(hops[i].slice(0, 64));
  }
  return network(peer);
}

/**
 * The network a client's address stands for: an IPv4 address itself (an IPv4-mapped IPv6
 * address too), and an IPv6 address's /64, which one subscriber usually holds whole: keyed
 * by full address, such a client would count as 2⁶⁴ clients.
 *
 * @param address An address as `Deno.serve` or a proxy writes it.
 * @returns `a.b.c.d`, or the /64 as `x:x:x:x::/64`; anything else as it is.
 *
 * @example
 * ```ts
 * import { network } from "./session.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(network("192.0.2.7"), "192.0.2.7");
 * assert.equal(network("::ffff:192.0.2.7"), "192.0.2.7");
 * assert.equal(network("2001:db8:0:12::1"), "2001:db8:0:12::/64");
 * assert.equal(network("2001:db8::12:0:0:1"), "2001:db8:0:0::/64");
 * assert.equal(network("[2001:db8:a:b:c:d:e:f]"), "2001:db8:a:b::/64");
 * ```
 */
export function network(address: string): string {
  const bare = address.replace(/^\[(.*)\]$/, "$1");
  const mapped = bare.match(/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i);
  if (mapped) return mapped[1];
  if (!bare.includes(":") || !/^[0-9a-f:]+$/i.test(bare)) return address;
  const [head, tail] = bare.split("::", 2);
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined
    ? left
    : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  if (groups.length !== 8) return address;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "").toLowerCase()).join(":")}::/64`;
}
