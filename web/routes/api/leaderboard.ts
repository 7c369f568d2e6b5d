/**
 * `GET /api/leaderboard?exercise=ID` ranks the students' best submissions of an exercise,
 * by display name: a student id never leaves the portal here. Answers come from the
 * portal's leaderboard cache (`web/_leaderboard_cache.ts`), made by {@linkcode renderLeaderboard}.
 *
 * @module
 */
import { z } from "zod";
import { EXERCISES } from "../../../course/metadata.ts";
import { HttpError, jsonText, parse, safeJson } from "../../_http.ts";
import { type Handlers, requireUser } from "../../_middleware.ts";
import type { Store } from "../../store/mod.ts";

/** The name shown for a student whose display name is their id. */
export const ANONYMOUS = "(a student without a display name)";

/** The query: which exercise. */
export const LeaderboardQuerySchema = z.object({ exercise: z.string().min(1).max(100) });

/**
 * Makes an exercise's answer: `{rows: [{rank, name, score, metric?, at}]}`.
 *
 * @param store The store.
 * @param exercise The exercise id.
 * @returns The JSON body.
 */
export async function renderLeaderboard(store: Store, exercise: string): Promise<string> {
  const rows = await store.leaderboard(exercise);
  return safeJson({
    rows: rows.map((row) => ({
      rank: row.rank,
      // A student created without a display name has their id as one: never shown here.
      name: row.name === row.student ? ANONYMOUS : row.name,
      score: row.score,
      ...(row.metric === null ? {} : { metric: row.metric }),
      at: row.at,
    })),
  });
}

/** The route's handlers, by method. */
export const handler: Handlers = {
  async GET(c) {
    requireUser(c);
    const { exercise } = parse(LeaderboardQuerySchema, { exercise: c.req.query("exercise") });
    if (!EXERCISES.some((e) => e.id === exercise)) {
      throw new HttpError(404, `Unknown exercise "${exercise}"`);
    }
    return jsonText(c, await c.get("portal").leaderboards.get(exercise));
  },
};
