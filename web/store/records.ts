/**
 * What the store keeps and returns: a zod schema per stored record, checked on every read, so
 * that a row written by an older version or edited by hand fails with a message naming the
 * record and the field instead of surfacing later as `undefined`.
 *
 * @module
 */
import { z } from "zod";
import type { SubmissionGrade } from "../../grader/report.ts";

/** A user id: letters, digits, `.`, `_` and `-` (the same ids as submission folders). */
export const UserIdSchema = z.string().regex(
  /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$/,
  "an id has 1 to 64 letters, digits, '.', '_' or '-', and is not '.' or '..'",
);

/** Who a user is to the course. */
export const RoleSchema = z.enum(["student", "ta", "instructor"]);
export type Role = z.infer<typeof RoleSchema>;

/** A user, without credentials. */
export const UserSchema = z.object({
  id: UserIdSchema,
  /** The display name: what leaderboards show instead of the id. */
  name: z.string().min(1),
  role: RoleSchema,
  createdAt: z.date(),
});
export type User = z.infer<typeof UserSchema>;

/** A user with the password hash, for signing in; it never leaves the store. */
export const UserCredentialsSchema = UserSchema.extend({ passwordHash: z.string().nullable() });

/** A signed-in session's user, with the session's expiry. */
export const SessionUserSchema = UserSchema.extend({ expiresAt: z.date() });

/** A personal API token, as its owner may list it (the token itself is never stored). */
export const ApiTokenSchema = z.object({
  id: z.string().min(1),
  userId: UserIdSchema,
  name: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

const CaseOutcomeSchema = z.object({
  symbol: z.string(),
  name: z.string(),
  passed: z.boolean(),
  reason: z.string().optional(),
  input: z.string().optional(),
  metric: z.number().optional(),
});

const GroupScoreSchema = z.object({
  symbol: z.string(),
  title: z.string(),
  points: z.number(),
  score: z.number(),
  cases: z.array(CaseOutcomeSchema),
  questions: z.array(z.string()),
});

/** The grader's result for one submission (grader/report.ts `SubmissionGrade`). */
export const SubmissionGradeSchema: z.ZodType<SubmissionGrade> = z.object({
  student: z.string(),
  exercise: z.string(),
  status: z.enum([
    "graded",
    "no-submission",
    "grader-error",
    "refused",
    "load-error",
    "timeout",
    "memory",
    "crash",
    "output-limit",
  ]),
  message: z.string().optional(),
  studentOutput: z.string().optional(),
  score: z.number(),
  maxScore: z.number(),
  groups: z.array(GroupScoreSchema),
  metric: z.object({ name: z.string(), value: z.number(), higherIsBetter: z.boolean() })
    .optional(),
  durationMs: z.number(),
});

/** Where a submission is: waiting, being graded, graded, or failed by the machinery. */
export const SubmissionStatusSchema = z.enum(["queued", "running", "done", "error"]);
export type SubmissionStatus = z.infer<typeof SubmissionStatusSchema>;

/** A submission, without its files. */
export const SubmissionSchema = z.object({
  id: z.string().min(1),
  student: UserIdSchema,
  exercise: z.string(),
  createdAt: z.date(),
  status: SubmissionStatusSchema,
  score: z.number().nullable(),
  maxScore: z.number().nullable(),
  metric: z.number().nullable(),
  /** The grade, once status is `done`. */
  result: SubmissionGradeSchema.nullable(),
  /** Why grading failed, once status is `error`. */
  error: z.string().nullable(),
  /** Whether it uses one of the student's attempts (not when the machinery failed). */
  attemptCounted: z.boolean(),
  finishedAt: z.date().nullable(),
});
export type Submission = z.infer<typeof SubmissionSchema>;

/** One file of a submission. */
export const SubmissionFileSchema = z.object({
  name: z.string().min(1),
  content: z.instanceof(Uint8Array),
});

/** A counted attempt, as the attempt policy sees it. */
export const AttemptSchema = z.object({ at: z.date() });

/** How often a grading job has been tried. */
export const JobAttemptsSchema = z.object({
  submissionId: z.string().min(1),
  attempts: z.number().int().nonnegative(),
});

/** A grading job as a worker holds it, without the files. */
export const LeaseSchema = z.object({
  submissionId: z.string().min(1),
  /** Proves the lease: only its holder can renew it or finish the job. */
  leaseToken: z.string().min(1),
  workerId: z.string(),
  /** 1 for the first try; grows each time an expired or failed job is taken again. */
  attempt: z.number().int().positive(),
  leasedUntil: z.date(),
});
export type Lease = z.infer<typeof LeaseSchema>;

/** One row of an exercise's leaderboard. */
export const LeaderboardRowSchema = z.object({
  rank: z.number().int().positive(),
  /** The student's id: for the portal to mark "you", never to show to others. */
  student: UserIdSchema,
  /** The display name, which is what others see. */
  name: z.string(),
  score: z.number(),
  metric: z.number().nullable(),
  /** When the ranked submission was made. */
  at: z.date(),
  submissionId: z.string(),
});
export type LeaderboardRow = z.infer<typeof LeaderboardRowSchema>;

/** A student's submissions of one exercise, summed up. */
export const ProgressRowSchema = z.object({
  exercise: z.string(),
  /** Counted attempts, ever. */
  attempts: z.number().int().nonnegative(),
  /** The best graded score, or `null` before the first grade. */
  bestScore: z.number().nullable(),
  lastSubmittedAt: z.date().nullable(),
  /** Submissions queued or being graded. */
  pending: z.number().int().nonnegative(),
});

/** One cell of the gradebook: a student's best score at an exercise. */
export const BestScoreSchema = z.object({
  student: UserIdSchema,
  exercise: z.string(),
  score: z.number(),
});
export type BestScore = z.infer<typeof BestScoreSchema>;

/**
 * Checks a row read from the database against its schema.
 *
 * @param schema The record's schema.
 * @param row The row.
 * @param what The record, for the message, such as `submission "5f0c…"`.
 * @returns The typed record.
 * @throws {TypeError} If the row does not match, naming the record and each bad field.
 *
 * @example A role the portal does not know
 * ```ts
 * import { parseRecord, UserSchema } from "./records.ts";
 * import assert from "node:assert/strict";
 *
 * const row = { id: "ada", name: "Ada", role: "dean", createdAt: new Date() };
 * assert.throws(() => parseRecord(UserSchema, row, 'user "ada"'), /Cannot read user "ada"/);
 * ```
 */
export function parseRecord<T>(schema: z.ZodType<T>, row: unknown, what: string): T {
  const parsed = schema.safeParse(row);
  if (!parsed.success) {
    throw new TypeError(
      `Cannot read ${what}: the stored record is malformed\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
