/**
 * `POST /api/tokens` issues a personal API token for `deno task submit`; `GET /api/tokens`
 * lists the user's tokens (never the tokens themselves), for revoking one with
 * `DELETE /api/tokens/:id`. A user holds at most `MAX_API_TOKENS`; each lasts
 * `API_TOKEN_TTL_MS` (180 days).
 *
 * @module
 */
import { z } from "zod";
import { json, readJson } from "../../_http.ts";
import { type Handlers, requireSession, requireUser } from "../../_middleware.ts";
import type { TokenSummary } from "../../islands/TokenForm.tsx";
import type { ApiToken } from "../../store/mod.ts";

/** The token's body: an optional name that tells a user's tokens apart. */
export const NewTokenSchema = z.object({ name: z.string().min(1).max(100).optional() });

/**
 * A token as its owner sees it listed, here and on the front page: never the token itself.
 *
 * @param token The token's record.
 * @returns Its id, name and dates (ISO 8601).
 */
export function tokenSummary(token: ApiToken): TokenSummary {
  return {
    id: token.id,
    name: token.name,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    expiresAt: token.expiresAt.toISOString(),
  };
}

/** The route's handlers, by method. */
export const handler: Handlers = {
  async GET(c) {
    const user = requireUser(c);
    const tokens = await c.get("portal").store.listApiTokens(user.id);
    return json(c, { tokens: tokens.map(tokenSummary) });
  },
  async POST(c) {
    const user = requireSession(c, "make tokens");
    const portal = c.get("portal");
    const { name } = await readJson(c.req.raw, NewTokenSchema, portal.maxJsonBytes);
    const { token, record } = await portal.store.createApiToken(user.id, { name });
    return json(c, { token, id: record.id, expiresAt: record.expiresAt }, 201);
  },
};
