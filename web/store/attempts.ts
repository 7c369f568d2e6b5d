/**
 * The attempt policy of an exercise (course/metadata.ts `attempts`): at most `perDay`
 * counted attempts in any 24 hours, and `cooldownMinutes` between two counted attempts.
 * A submission whose grading failed because of the machinery is not counted.
 *
 * @module
 */
import type { Exercise } from "../../course/metadata.ts";

/** A day, as the policy counts it: the 24 hours before now. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether a student may submit now, and if not, from when. */
export type AttemptVerdict =
  | { allowed: true; usedToday: number; perDay?: number }
  | { allowed: false; usedToday: number; perDay?: number; retryAt: Date; reason: string };

/**
 * How far back {@linkcode attemptVerdict} needs to see counted attempts.
 *
 * @param policy The exercise's attempt policy.
 * @returns A duration in milliseconds.
 */
export function attemptWindowMs(policy: Exercise["attempts"]): number {
  return Math.max(DAY_MS, (policy.cooldownMinutes ?? 0) * 60_000);
}

/**
 * Decides whether one more attempt is allowed.
 *
 * @param policy The exercise's attempt policy.
 * @param counted When the student's counted attempts at the exercise were made (at least
 *   those within {@linkcode attemptWindowMs} of `now`), in any order.
 * @param now The time of the new attempt.
 * @returns The verdict; a refusal says when the next attempt will be allowed, and why.
 *
 * @example Ten minutes of cool-down
 * ```ts
 * import { attemptVerdict } from "./attempts.ts";
 * import assert from "node:assert/strict";
 *
 * const last = new Date("2025-03-01T10:00:00Z");
 * const verdict = attemptVerdict({ cooldownMinutes: 10 }, [last], new Date("2025-03-01T10:04:00Z"));
 * assert.equal(verdict.allowed, false);
 * if (!verdict.allowed) assert.equal(verdict.retryAt.toISOString(), "2025-03-01T10:10:00.000Z");
 * ```
 */
export function attemptVerdict(
  policy: Exercise["attempts"],
  counted: readonly Date[],
  now: Date,
): AttemptVerdict {
  const times = counted.map((t) => t.getTime()).sort((a, b) => a - b);
  const today = times.filter((t) => t > now.getTime() - DAY_MS);
  const perDay = policy.perDay === undefined ? {} : { perDay: policy.perDay };
  const refusals: { retryAt: number; reason: string }[] = [];
  if (policy.perDay !== undefined && today.length >= policy.perDay) {
    refusals.push({
      // The attempt that has to leave the 24-hour window before one more fits.
      retryAt: today[today.length - policy.perDay] + DAY_MS,
      reason: `${policy.perDay} attempts in 24 hours are allowed, and all are used`,
    });
  }
  const last = times.at(-1);
  const cooldownMs = (policy.cooldownMinutes ?? 0) * 60_000;
  if (last !== undefined && now.getTime() < last + cooldownMs) {
    refusals.push({
      retryAt: last + cooldownMs,
      reason: `${policy.cooldownMinutes} minutes must pass between two attempts`,
    });
  }
  if (refusals.length === 0) return { allowed: true, usedToday: today.length, ...perDay };
  const binding = refusals.reduce((a, b) => (b.retryAt > a.retryAt ? b : a));
  const retryAt = new Date(binding.retryAt);
  return {
    allowed: false,
    usedToday: today.length,
    ...perDay,
    retryAt,
    reason: `${binding.reason}; try again at ${retryAt.toISOString()}`,
  };
}
