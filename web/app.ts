/**
 * The course portal's web app: the pages and the JSON routes of SPEC §6 on Hono, laid out
 * as Fresh lays out an app (`routes/` with pages in `.tsx` and `api/`, `islands/`,
 * `components/`, `static/`, `_middleware.ts`). {@linkcode createApp} returns the app
 * without a server, so tests call `app.fetch(request)` in memory and `server.ts` hands it
 * to `Deno.serve`. A failed page request gets an HTML page; a failed API request gets
 * JSON `{"error"}`; both come from the one error handler here.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { ConflictError, NotFoundError, type Store } from "./store/mod.ts";
import { Notifier, StreamLimiter } from "./events.ts";
import { HttpError, json } from "./_http.ts";
import {
  type AppEnv,
  authenticate,
  type Handlers,
  providePortal,
  sameOrigin,
} from "./_middleware.ts";
import { LeaderboardCache } from "./_leaderboard_cache.ts";
import type { SetupToken } from "./_setup.ts";
import { SignInLimiter } from "./_sign_in_limiter.ts";
import { handler as events } from "./routes/api/events.ts";
import { handler as gradesCsv } from "./routes/api/grades_csv.ts";
import { handler as leaderboard, renderLeaderboard } from "./routes/api/leaderboard.ts";
import { handler as progress } from "./routes/api/progress.ts";
import { handler as redeemInvite } from "./routes/api/invites/redeem.ts";
import { handler as roster } from "./routes/api/roster.ts";
import { handler as session } from "./routes/api/session.ts";
import { handler as setup } from "./routes/api/setup.ts";
import { handler as submission } from "./routes/api/submissions/[id].ts";
import { handler as submissionEvents } from "./routes/api/submissions/[id]/events.ts";
import { handler as submissions } from "./routes/api/submissions.ts";
import { handler as tokens } from "./routes/api/tokens.ts";
import { handler as token } from "./routes/api/tokens/[id].ts";
import { handler as users } from "./routes/api/users.ts";
import { handler as userInvite } from "./routes/api/users/[id]/invite.ts";
import { handler as userSignOut } from "./routes/api/users/[id]/sign_out.ts";
import { handler as index } from "./routes/index.tsx";
import { handler as setupPage } from "./routes/setup.tsx";
import { handler as submissionPage } from "./routes/submissions/[id].tsx";
import { Assets } from "./_assets.ts";
import { renderErrorPage } from "./_render.tsx";

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** The store. */
  store: Store;
  /**
   * The portal's own origin, such as `https://portal.example.org`: cookie-authenticated
   * changes must come from it, and an `https` origin makes the cookie `Secure`.
   */
  origin: string;
  /**
   * The clock of the sign-in limiter.
   *
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * Failed sign-ins allowed per client on one account in 15 minutes (five times as many per
   * account, ten times as many per client over all accounts).
   *
   * @default {10}
   */
  maxSignInFailures?: number;
  /**
   * The addresses of the reverse proxies in front of the portal, whose `X-Forwarded-For`
   * names the client for the sign-in limits (see `clientAddress`).
   *
   * @default {[]}
   */
  trustedProxies?: readonly string[];
  /**
   * The largest JSON or CSV request body, in bytes.
   *
   * @default {1048576}
   */
  maxJsonBytes?: number;
  /**
   * The largest submission (its whole multipart body), in bytes.
   *
   * @default {524288}
   */
  maxUploadBytes?: number;
  /**
   * Tells the event streams that a submission changed: publish the in-process workers'
   * events to it, and close it to end the streams when the server stops.
   *
   * @default {new Notifier()}
   */
  notifier?: Notifier;
  /**
   * The first start's one-time setup token (see `POST /api/setup`), made with
   * `SetupToken.create()` when the store has no instructor.
   *
   * @default {null}
   */
  setupToken?: SetupToken | null;
  /**
   * The pages' browser files: `web/static/` and the bundled islands (`Assets.load`).
   *
   * @default {Assets.none()}
   */
  assets?: Assets;
}

/** Route paths and their handlers (Fresh would find them by file name). */
const ROUTES: readonly [string, Handlers][] = [
  ["/", index],
  ["/setup", setupPage],
  ["/submissions/:id", submissionPage],
  ["/api/session", session],
  ["/api/invites/redeem", redeemInvite],
  ["/api/setup", setup],
  ["/api/users", users],
  ["/api/users/:id/invite", userInvite],
  ["/api/users/:id/sign-out", userSignOut],
  ["/api/roster", roster],
  ["/api/tokens", tokens],
  ["/api/tokens/:id", token],
  ["/api/submissions", submissions],
  ["/api/submissions/:id", submission],
  ["/api/submissions/:id/events", submissionEvents],
  ["/api/events", events],
  ["/api/progress", progress],
  ["/api/leaderboard", leaderboard],
  ["/api/grades.csv", gradesCsv],
];

/**
 * Builds the portal's app.
 *
 * @param options The store, the portal's origin, the clock, the size limits and the notifier.
 * @returns The Hono app; serve it with `Deno.serve(app.fetch)`.
 *
 * @example Asking who is signed in, in memory
 * ```ts
 * import { createApp } from "./app.ts";
 * import { openStore } from "./store/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dataDir = await Deno.makeTempDir();
 * const store = await openStore({ dataDir });
 * try {
 *   const app = createApp({ store, origin: "http://localhost:8000" });
 *   const response = await app.fetch(new Request("http://localhost:8000/api/progress"));
 *   assert.equal(response.status, 401);
 *   assert.deepEqual(await response.json(), { error: "Not signed in" });
 * } finally {
 *   await store.close();
 *   await Deno.remove(dataDir, { recursive: true });
 * }
 * ```
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const now = options.now ?? (() => new Date());
  const app = new Hono<AppEnv>();
  app.use(providePortal({
    store: options.store,
    origin: new URL(options.origin).origin,
    now,
    signIns: new SignInLimiter({ maxFailures: options.maxSignInFailures, now }),
    maxJsonBytes: options.maxJsonBytes ?? 1024 * 1024,
    maxUploadBytes: options.maxUploadBytes ?? 512 * 1024,
    notifier: options.notifier ?? new Notifier(),
    streams: new StreamLimiter(),
    trustedProxies: options.trustedProxies ?? [],
    setup: options.setupToken ?? null,
    leaderboards: new LeaderboardCache(options.store, {
      render: (exercise) => renderLeaderboard(options.store, exercise),
    }),
  }));
  // No route takes a NUL character, and no database stores one: a URL that decodes to one is
  // refused here, before any handler would pass it to a query.
  app.use(async (c, next) => {
    if (/%00/i.test(c.req.url)) throw new HttpError(400, "Invalid request: a NUL character");
    await next();
  });
  app.use(authenticate());
  app.use(sameOrigin());
  const assets = options.assets ?? Assets.none();
  app.get("/static/*", (c) => serveAsset(c, assets));
  app.get("/islands/*", (c) => serveAsset(c, assets));
  for (const [path, handlers] of ROUTES) {
    for (const [method, handle] of Object.entries(handlers)) {
      app.on(method, path, (c) => handle(c));
    }
  }
  app.notFound((c) => {
    const message = `No route for ${c.req.method} ${c.req.path}`;
    return isPage(c) ? renderErrorPage(c, 404, message) : json(c, { error: message }, 404);
  });
  app.onError((error, c) => {
    if (error instanceof HttpError && isPage(c)) {
      return renderErrorPage(c, error.status, error.message);
    }
    if (error instanceof HttpError) {
      const retryAt = error.details.retryAt;
      if (typeof retryAt === "string") {
        const seconds = Math.ceil((Date.parse(retryAt) - now().getTime()) / 1000);
        c.header("retry-after", String(Math.max(0, seconds)));
      }
      return json(c, { error: error.message, ...error.details }, error.status);
    }
    if (error instanceof ConflictError) return json(c, { error: error.message }, 409);
    if (error instanceof NotFoundError) return json(c, { error: error.message }, 404);
    if (error instanceof RangeError) return json(c, { error: error.message }, 400);
    console.error(error);
    if (isPage(c)) return renderErrorPage(c, 500, "Internal error");
    return json(c, { error: "Internal error" }, 500);
  });
  return app;
}

/** Whether a request is for a page (a `GET` outside `/api/`), which fails with a page. */
function isPage(c: Context<AppEnv>): boolean {
  return c.req.method === "GET" && !c.req.path.startsWith("/api/");
}

/** Sends one of the browser files, or 304 when the browser's copy is current. */
function serveAsset(c: Context<AppEnv>, assets: Assets): Response {
  const asset = assets.get(c.req.path);
  if (!asset) throw new HttpError(404, `No file ${c.req.path}`);
  const headers = {
    "content-type": asset.type,
    "etag": asset.etag,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
  };
  if (c.req.header("if-none-match") === asset.etag) return c.body(null, 304, headers);
  return c.body(asset.body, 200, headers);
}
