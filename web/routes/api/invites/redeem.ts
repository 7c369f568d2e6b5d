/**
 * `POST /api/invites/redeem` redeems a one-time invite code: the user chooses a password
 * and is signed in. Failed codes count toward the sign-in limiter, so that codes cannot be
 * guessed.
 *
 * @module
 */
import { z } from "zod";
import { HttpError, MAX_PUBLIC_JSON_BYTES, readJson } from "../../../_http.ts";
import type { Handlers } from "../../../_middleware.ts";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../../../store/passwords.ts";
import { redeemKeys } from "../../../_sign_in_limiter.ts";
import { beginAttempt, clientAddress, startSession } from "../session.ts";

/** The redeeming body. */
export const RedeemSchema = z.object({
  code: z.string().min(1).max(256),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH),
});

/** The route's handlers, by method. */
export const handler: Handlers = {
  async POST(c) {
    const portal = c.get("portal");
    const { code, password } = await readJson(c.req.raw, RedeemSchema, MAX_PUBLIC_JSON_BYTES);
    // Counted before the code is looked up (after the password is hashed), so that codes
    // sent together are counted too.
    const attempt = beginAttempt(c, redeemKeys(clientAddress(c), code), "attempts");
    const user = await portal.store.redeemInvite(code, password);
    if (!user) throw new HttpError(404, "Unknown invite code");
    attempt.succeeded();
    return await startSession(c, user);
  },
};
