/**
 * The middleware of every route: who is asking (a session cookie or an API token), and the
 * cross-site request check for cookie-authenticated changes.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Notifier, StreamLimiter } from "./events.ts";
import type { LeaderboardCache } from "./_leaderboard_cache.ts";
import type { Role, Store, Submission, User } from "./store/mod.ts";
import { HttpError } from "./_http.ts";
import type { SetupToken } from "./_setup.ts";
import type { SignInLimiter } from "./_sign_in_limiter.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "session";

/** What the portal's handlers share: the store, the origin, the clock, the limits, the notifier. */
export interface Portal {
  store: Store;
  /** The portal's own origin, such as `https://portal.example.org`. */
  origin: string;
  now: () => Date;
  signIns: SignInLimiter;
  /** The largest JSON or CSV body accepted, in bytes. */
  maxJsonBytes: number;
  /** The largest submission accepted (the whole multipart body), in bytes. */
  maxUploadBytes: number;
  /** Tells the event streams that a submission changed. */
  notifier: Notifier;
  /** The event streams each user has open. */
  streams: StreamLimiter;
  /** Addresses of the reverse proxies whose `X-Forwarded-For` names the client. */
  trustedProxies: readonly string[];
  /** The first start's one-time setup token, or `null` when there is none. */
  setup: SetupToken | null;
  /** The leaderboards' answers, kept until a grade is recorded. */
  leaderboards: LeaderboardCache;
}

/** The request state every handler reads. */
export interface State {
  /** The signed-in user, or `null`. */
  user: User | null;
  /** How the user was recognised. */
  via: "cookie" | "bearer" | null;
  /** The session token, when a session cookie signed the user in. */
  sessionToken: string | null;
  /** The personal API token, when a bearer token signed the user in. */
  bearerToken: string | null;
}

/** The Hono environment of the portal's app. */
export interface AppEnv {
  Variables: { state: State; portal: Portal };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Puts the portal into every request's context.
 *
 * @param portal The store, origin, clock and limits.
 * @returns The middleware.
 */
export function providePortal(portal: Portal): MiddlewareHandler<AppEnv> {
  return async function providePortalMiddleware(c, next) {
    c.set("portal", portal);
    await next();
  };
}

/**
 * Recognises the user: `Authorization: Bearer <token>` first, else the session cookie.
 * An unknown token or an expired session leaves the user `null`.
 *
 * @returns The middleware.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticateMiddleware(c, next) {
    const { store } = c.get("portal");
    const state: State = { user: null, via: null, sessionToken: null, bearerToken: null };
    const authorization = c.req.header("authorization");
    const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const cookie = getCookie(c, SESSION_COOKIE);
    if (bearer) {
      state.user = await store.apiTokenUser(bearer);
      if (state.user) Object.assign(state, { via: "bearer", bearerToken: bearer });
    } else if (cookie) {
      const session = await store.sessionUser(cookie);
      if (session) {
        Object.assign(state, { user: session.user, via: "cookie", sessionToken: cookie });
      }
    }
    c.set("state", state);
    await next();
  };
}

/**
 * Refuses cross-site changes: a state-changing request authenticated by cookie must carry
 * an `Origin` equal to the portal's; any other state-changing request that carries an
 * `Origin` (a sign-in from a page) must carry the portal's too. Bearer requests need none.
 *
 * @returns The middleware.
 */
export function sameOrigin(): MiddlewareHandler<AppEnv> {
  return async function sameOriginMiddleware(c, next) {
    if (!SAFE_METHODS.has(c.req.method) && c.get("state").via !== "bearer") {
      const origin = c.req.header("origin");
      const needed = c.get("state").via === "cookie" || origin !== undefined;
      if (needed && origin !== c.get("portal").origin) {
        throw new HttpError(403, "Cross-site request refused: the Origin is not the portal's");
      }
    }
    await next();
  };
}

/**
 * The signed-in user, with one of the given roles where any are given.
 *
 * @param c The request's context.
 * @param roles The roles allowed; any role when none are given.
 * @returns The user.
 * @throws {HttpError} 401 if nobody is signed in, 403 if the role is not allowed.
 */
export function requireUser(c: Context<AppEnv>, ...roles: Role[]): User {
  const { user } = c.get("state");
  if (!user) throw new HttpError(401, "Not signed in");
  if (roles.length > 0 && !roles.includes(user.role)) {
    throw new HttpError(403, `Not allowed: this is for ${roles.join(" or ")} accounts`);
  }
  return user;
}

/**
 * {@linkcode requireUser}, for what a personal token may not do: a token is for `deno task
 * submit`, and one that could make tokens or invite codes would outlive its own revocation
 * (a leaked token could become a session and a password).
 *
 * @param c The request's context.
 * @param action What is refused, for the message: "make tokens".
 * @param roles The roles allowed, if not every one.
 * @returns The user signed in with a session cookie.
 * @throws {HttpError} 401 if no one is signed in, 403 for a personal token or another role.
 */
export function requireSession(c: Context<AppEnv>, action: string, ...roles: Role[]): User {
  const user = requireUser(c, ...roles);
  if (c.get("state").via === "bearer") {
    throw new HttpError(403, `A personal token cannot ${action}: sign in to do it`);
  }
  return user;
}

/**
 * Whether a user is course staff (a teaching assistant or an instructor).
 *
 * @param user The user.
 * @returns Whether they are staff.
 */
export function isStaff(user: User): boolean {
  return user.role === "ta" || user.role === "instructor";
}

/**
 * The submission named by the route's `:id`, for its owner or staff; to anyone else it does
 * not exist, exactly as an unknown id does.
 *
 * @param c The request's context.
 * @returns The submission and the signed-in user.
 * @throws {HttpError} 401 if nobody is signed in, 404 if it is unknown or someone else's.
 */
export async function requireSubmission(
  c: Context<AppEnv>,
): Promise<{ submission: Submission; user: User }> {
  const user = requireUser(c);
  const id = c.req.param("id") ?? "";
  const submission = await c.get("portal").store.getSubmission(id);
  if (!submission || (submission.student !== user.id && !isStaff(user))) {
    throw new HttpError(404, `Unknown submission "${id}"`);
  }
  return { submission, user };
}

/** A route's handler of one method. */
export type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;

/** A route file's handlers, by method (Fresh's shape). */
export type Handlers = Partial<Record<"GET" | "POST" | "DELETE", Handler>>;
