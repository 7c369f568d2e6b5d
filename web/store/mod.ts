/**
 * The portal's storage: one schema and one set of queries on PGlite (embedded, the default)
 * or PostgreSQL (`DATABASE_URL`). Open it with {@linkcode openStore}.
 *
 * @module
 */
export {
  ConflictError,
  type GradingJob,
  LEASE_MS,
  type LeaseRef,
  MAX_API_TOKENS,
  MAX_PENDING,
  type NewUser,
  NotFoundError,
  openStore,
  type Progress,
  Store,
  type StoreOptions,
  type SubmitOutcome,
} from "./store.ts";
export { DatabaseInUseError } from "./pglite_engine.ts";
export type {
  ApiToken,
  BestScore,
  LeaderboardRow,
  Lease,
  Role,
  Submission,
  SubmissionStatus,
  User,
} from "./records.ts";
export type { AttemptVerdict } from "./attempts.ts";
export type { Engine, Queryable, Row } from "./engine.ts";
