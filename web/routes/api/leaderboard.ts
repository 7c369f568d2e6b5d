/**
 * `GET /api/leaderboard?exercise=ID` ranks the students' best submissions of an exercise,
 * by display name: a student id never leaves the portal here.
 *
 * @module
 */
import { z } from "zod";
import { EXERCISES } from "../../../course/metadata.ts";
import { HttpError, json, parse } from "../../_http.ts";
import { type Handlers, requireUser } from "../../_middleware.ts";

/** The query: which exercise. */
export const LeaderboardQuerySchema = z.object({ exercise: z.string().min(1).max(100) });

/** The route's handlers, by method. */
export const handler: Handlers = {
  async GET(c) {
    requireUser(c);
    const { exercise } = parse(LeaderboardQuerySchema, { exercise: c.req.query("exercise") });
    if (!EXERCISES.some((e) => e.id === exercise)) {
      throw new HttpError(404, `Unknown exercise "${exercise}"`);
    }
    const rows = await c.get("portal").store.leaderboard(exercise);
    return json(c, {
      rows: rows.map((row) => ({
        rank: row.rank,
        name: row.name,
        score: row.score,
        ...(row.metric === null ? {} : { metric: row.metric }),
        at: row.at,
      })),
    });
  },
};
