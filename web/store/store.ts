/**
 * The portal's storage: users and how they sign in, submissions, the grading queue, and the
 * views built on them (progress, leaderboards, the gradebook). Every query is written once
 * and runs on both engines: PGlite embedded in the portal (the default, in `DATA_DIR`) or
 * the PostgreSQL server named by `DATABASE_URL`.
 *
 * Times come from one clock (`options.now`) so that leases, expiries and attempt windows
 * agree across the queries of a process; machines sharing a server are assumed to keep
 * their clocks in sync (leases last half a minute, not milliseconds).
 *
 * @module
 */
import { type Exercise, EXERCISES } from "../../course/metadata.ts";
import type { SubmissionGrade } from "../../grader/report.ts";
import { type AttemptVerdict, attemptVerdict, attemptWindowMs, DAY_MS } from "./attempts.ts";
import type { Engine, Queryable } from "./engine.ts";
import { loadMigrations, migrate } from "./migrate.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { openPgliteEngine } from "./pglite_engine.ts";
import { openPostgresEngine } from "./postgres_engine.ts";
import {
  type ApiToken,
  ApiTokenSchema,
  AttemptSchema,
  type BestScore,
  BestScoreSchema,
  JobAttemptsSchema,
  type LeaderboardRow,
  LeaderboardRowSchema,
  type Lease,
  LeaseSchema,
  parseRecord,
  ProgressRowSchema,
  type Role,
  RoleSchema,
  SessionUserSchema,
  type Submission,
  SubmissionFileSchema,
  SubmissionGradeSchema,
  SubmissionSchema,
  type User,
  UserCredentialsSchema,
  UserIdSchema,
  UserSchema,
} from "./records.ts";
import { hashToken, newToken } from "./tokens.ts";

/**
 * How long a grading job's lease lasts unless renewed: workers renew it every third of
 * that while they grade, so a worker that dies gives its job back within half a minute.
 */
export const LEASE_MS = 30_000;

/**
 * The most submissions one student may have waiting or being graded at once: enough for every
 * exercise handed in together, too few for one student to fill the queue that everyone's
 * gradings wait in (each may take the exercise's whole time limit, two minutes for 05).
 */
export const MAX_PENDING = 5;

/** The most personal API tokens one user may hold: one a machine, and a few to spare. */
export const MAX_API_TOKENS = 10;

/**
 * How long a personal API token lasts: a term, and more
 * (`migrations/002_token_expiry_and_turns.sql`).
 */
export const API_TOKEN_TTL_MS = 180 * DAY_MS;
/** Sessions a PGlite store keeps in memory before it starts over. */
const MAX_CACHED_SESSIONS = 10_000;

/** Options of {@linkcode openStore}. */
export interface StoreOptions {
  /**
   * A PostgreSQL server's URL. When neither this nor `dataDir` is given, the environment
   * decides: `DATABASE_URL` if set, else PGlite in `DATA_DIR` (default `.data`).
   */
  databaseUrl?: string;
  /** The folder of the embedded PGlite database, used when `databaseUrl` is not given. */
  dataDir?: string;
  /**
   * Connections in the PostgreSQL pool.
   *
   * @default {10}
   */
  maxConnections?: number;
  /**
   * The clock.
   *
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * The course's exercises: ids, attempt policies, metrics, points.
   *
   * @default {EXERCISES}
   */
  exercises?: readonly Exercise[];
  /**
   * How long a session found by {@linkcode Store.sessionUser} is believed without asking
   * the database again, in milliseconds (0: always ask). Ending sessions through this store
   * (signing out, a new password, purging) takes effect at once; ending them through
   * another process sharing the database takes up to this long here.
   *
   * @default {Infinity on PGlite, whose folder lock makes this store its only user; 1000 on
   *   PostgreSQL}
   */
  sessionCacheMs?: number;
  /**
   * How many times a job is tried (a worker failed it, or its lease ran out) before its
   * submission ends in `error`, uncounted.
   *
   * @default {3}
   */
  maxJobAttempts?: number;
  /**
   * How long a job failed by a worker waits before it is tried again.
   *
   * @default {30_000}
   */
  retryDelayMs?: number;
}

/** A session as {@linkcode Store.sessionUser} keeps it for a while. */
interface CachedSession {
  user: User;
  expiresAt: Date;
  /** When it was read, on `performance.now()`'s clock. */
  cachedAt: number;
}

/** A new user. */
export interface NewUser {
  id: string;
  /** The display name; the id when left out. */
  name?: string;
  role: Role;
  /** Without one the user gets an invite code to choose a password. */
  password?: string;
}

/** What {@linkcode Store.submit} decided. */
export type SubmitOutcome =
  | { accepted: true; submission: Submission }
  /** Refused; `retryAt` where the attempt policy says when (the queue does not). */
  | { accepted: false; retryAt?: Date; reason: string };

/** A job a worker has leased: what to grade, and the lease that lets it report back. */
export interface GradingJob extends Lease {
  student: string;
  exercise: string;
  /** The submitted files by name. */
  files: Record<string, Uint8Array>;
}

/** A student's standing at one exercise. */
export interface Progress {
  exercise: string;
  /** Counted attempts, ever. */
  attempts: number;
  /** The best graded score, or `null` before the first grade. */
  bestScore: number | null;
  /** The exercise's points. */
  maxScore: number;
  lastSubmittedAt: Date | null;
  /** Submissions queued or being graded. */
  pending: number;
}

/** Which lease a worker reports on. */
export type LeaseRef = Pick<Lease, "submissionId" | "leaseToken">;

/** An id is already taken. */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/** The user a change is about does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

const USER_COLUMNS = `id, display_name AS "name", role, created_at AS "createdAt"`;
const SUBMISSION_COLUMNS = `id, student_id AS "student", exercise, created_at AS "createdAt",
  status, score, max_score AS "maxScore", metric, result, error,
  attempt_counted AS "attemptCounted", finished_at AS "finishedAt"`;
const TOKEN_COLUMNS = `id, user_id AS "userId", name, created_at AS "createdAt",
  last_used_at AS "lastUsedAt", expires_at AS "expiresAt"`;

/**
 * A grading job `j` that a worker may take at `$1`: queued and past its retry delay, or
 * leased under a lease that ran out, tried fewer than `$2` times.
 */
const READY_JOB = `((j.lease_token IS NULL AND j.run_after <= $1)
  OR (j.lease_token IS NOT NULL AND j.leased_until <= $1 AND j.attempts < $2))`;

/** A submitted file's name: no folders, no leading dot. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/**
 * Opens the store and brings its schema up to date.
 *
 * @param options Which database, the clock, the course and the queue's retry policy.
 * @returns The store; close it when done.
 * @throws {Error} If the database cannot be opened or migrated.
 *
 * @example An embedded store in a temporary folder
 * ```ts
 * import { openStore } from "./store.ts";
 * import assert from "node:assert/strict";
 *
 * const dataDir = await Deno.makeTempDir();
 * const store = await openStore({ dataDir });
 * try {
 *   const { inviteCode } = await store.createUser({ id: "ada", name: "Ada", role: "student" });
 *   assert.equal((await store.redeemInvite(inviteCode!, "analytical engine"))?.name, "Ada");
 *   assert.equal((await store.authenticate("ada", "analytical engine"))?.role, "student");
 * } finally {
 *   await store.close();
 *   await Deno.remove(dataDir, { recursive: true });
 * }
 * ```
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const engine = await openEngine(options);
  try {
    await migrate(engine, await loadMigrations());
  } catch (error) {
    await engine.close();
    throw error;
  }
  const store = new Store(engine, options);
  // Only one process can open an embedded database, so a lease found in it now was left by
  // a process that is gone (killed, say): its job is free to take at once, not when the
  // lease runs out.
  if (engine.kind === "pglite") await store.releaseLeases();
  return store;
}

function openEngine(options: StoreOptions): Promise<Engine> {
  const pool = { maxConnections: options.maxConnections };
  if (options.databaseUrl !== undefined) return openPostgresEngine(options.databaseUrl, pool);
  if (options.dataDir !== undefined) return openPgliteEngine(options.dataDir);
  const url = Deno.env.get("DATABASE_URL");
  if (url) return openPostgresEngine(url, pool);
  return openPgliteEngine(Deno.env.get("DATA_DIR") || ".data");
}

/** The store; obtain one from {@linkcode openStore}. */
export class Store {
  /** The database, for tools and tests that need plain SQL. */
  readonly engine: Engine;
  readonly #now: () => Date;
  readonly #exercises: ReadonlyMap<string, Exercise>;
  readonly #maxJobAttempts: number;
  readonly #retryDelayMs: number;
  #gradesRecorded = 0;
  /** Sessions looked up lately, by token hash (see `sessionCacheMs`). */
  readonly #sessions = new Map<string, CachedSession>();
  readonly #sessionCacheMs: number;
  /** Moves on every ending of sessions, so that a lookup that raced one is not kept. */
  #sessionsEnded = 0;

  /**
   * Wraps an engine whose schema is up to date; {@linkcode openStore} does both.
   *
   * @param engine The migrated database.
   * @param options The clock, the course and the queue's retry policy.
   */
  constructor(engine: Engine, options: StoreOptions = {}) {
    this.engine = engine;
    this.#now = options.now ?? (() => new Date());
    this.#exercises = new Map((options.exercises ?? EXERCISES).map((e) => [e.id, e]));
    this.#maxJobAttempts = options.maxJobAttempts ?? 3;
    this.#retryDelayMs = options.retryDelayMs ?? 30_000;
    this.#sessionCacheMs = options.sessionCacheMs ?? (engine.kind === "pglite" ? Infinity : 1000);
  }

  /**
   * How many grades this store has recorded since it opened. A view built on grades (the
   * portal's cached leaderboards) is stale once this has moved; grades recorded by other
   * processes sharing a PostgreSQL database do not move it.
   */
  get gradesRecorded(): number {
    return this.#gradesRecorded;
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.engine.close();
  }

  // Users and signing in

  /**
   * Creates a user.
   *
   * @param user The id, display name, role and, optionally, password.
   * @param options `inviteTtlMs`: how long the invite code stays valid (14 days).
   * @returns The user, and an invite code (shown once, stored hashed) when no password was
   *   given.
   * @throws {RangeError} If the id, name, role or password is not acceptable.
   * @throws {ConflictError} If the id is taken.
   */
  async createUser(
    user: NewUser,
    options: { inviteTtlMs?: number } = {},
  ): Promise<{ user: User; inviteCode?: string }> {
    const { id, name, role } = validNewUser(user);
    const passwordHash = user.password === undefined ? null : await hashPassword(user.password);
    return await this.engine.transaction(async (tx) => {
      const created = await this.#insertUser(tx, { id, name, role, passwordHash });
      if (!created) throw new ConflictError(`Cannot create user "${id}": the id is taken`);
      if (passwordHash !== null) return { user: created };
      const invite = await this.#insertInvite(tx, id, options.inviteTtlMs);
      return { user: created, inviteCode: invite.code };
    });
  }

  /**
   * Creates the students of a roster who do not exist yet, each with an invite code.
   *
   * @param rows The roster's students; an id that exists (or repeats) is left as it is.
   * @param options `inviteTtlMs`: how long the invite codes stay valid (14 days).
   * @returns The students created with their codes, and the ids that already existed.
   * @throws {RangeError} If an id or name is not acceptable; nobody is created then.
   */
  async importRoster(
    rows: readonly { id: string; name?: string }[],
    options: { inviteTtlMs?: number } = {},
  ): Promise<{ created: { user: User; inviteCode: string }[]; existing: string[] }> {
    const students = rows.map((row) => validNewUser({ ...row, role: "student" }));
    return await this.engine.transaction(async (tx) => {
      const created: { user: User; inviteCode: string }[] = [];
      const existing: string[] = [];
      for (const student of students) {
        const user = await this.#insertUser(tx, { ...student, passwordHash: null });
        if (!user) {
          existing.push(student.id);
          continue;
        }
        const invite = await this.#insertInvite(tx, user.id, options.inviteTtlMs);
        created.push({ user, inviteCode: invite.code });
      }
      return { created, existing };
    });
  }

  /**
   * Looks a user up.
   *
   * @param id The user's id.
   * @returns The user, or `null` if there is none with that id.
   */
  async getUser(id: string): Promise<User | null> {
    if (!UserIdSchema.safeParse(id).success) return null;
    const [row] = await this.engine.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [
      id,
    ]);
    return row ? parseRecord(UserSchema, row, `user "${id}"`) : null;
  }

  /**
   * Lists users by id.
   *
   * @param options Only users of this role, where given.
   * @returns The users.
   */
  async listUsers(options: { role?: Role } = {}): Promise<User[]> {
    const rows = await this.engine.query(
      `SELECT ${USER_COLUMNS} FROM users WHERE $1::text IS NULL OR role = $1::text ORDER BY id`,
      [options.role ?? null],
    );
    return rows.map((row) => parseRecord(UserSchema, row, `user "${row.id}"`));
  }

  /**
   * Checks an id and password. An unknown id costs as much time as a wrong password, so the
   * answer's timing does not tell which ids exist.
   *
   * @param id The user's id.
   * @param password The password, as typed.
   * @returns The user, or `null` for an unknown id, a wrong password, or a user who has not
   *   chosen a password yet.
   */
  async authenticate(id: string, password: string): Promise<User | null> {
    const [row] = UserIdSchema.safeParse(id).success
      ? await this.engine.query(
        `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE id = $1`,
        [id],
      )
      : [];
    const record = row ? parseRecord(UserCredentialsSchema, row, `user "${id}"`) : null;
    const matches = await verifyPassword(password, record?.passwordHash ?? await decoyHash());
    if (!matches || !record?.passwordHash) return null;
    const { passwordHash: _, ...user } = record;
    return user;
  }

  /**
   * Signs a user out everywhere: ends their sessions and revokes their API tokens (for an
   * account whose password or token may have leaked; `deno task admin sign-out`,
   * `POST /api/users/:id/sign-out`).
   *
   * @param id The user's id.
   * @returns How many sessions ended and tokens were revoked.
   * @throws {NotFoundError} If there is no such user.
   */
  async signOutEverywhere(id: string): Promise<{ sessions: number; tokens: number }> {
    const ended = await this.engine.transaction(async (tx) => {
      const [user] = await tx.query("SELECT id FROM users WHERE id = $1 FOR UPDATE", [id]);
      if (!user) throw new NotFoundError(`Cannot sign "${id}" out: no such user`);
      return await this.#endAccess(tx, id);
    });
    this.#forgetSessions((session) => session.user.id === id);
    return ended;
  }

  /**
   * Sets a user's password, signs them out everywhere and revokes their API tokens.
   *
   * @param id The user's id.
   * @param password The new password.
   * @throws {RangeError} If the password is too short or too long.
   * @throws {NotFoundError} If there is no such user.
   */
  async setPassword(id: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.engine.transaction(async (tx) => {
      const updated = await tx.query(
        "UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING id",
        [id, passwordHash],
      );
      if (updated.length === 0) {
        throw new NotFoundError(`Cannot set the password of "${id}": no such user`);
      }
      await this.#endAccess(tx, id);
    });
    this.#forgetSessions((session) => session.user.id === id);
  }

  /**
   * Issues a new invite code for a user, replacing any unredeemed one: for a lost code or a
   * forgotten password (`POST /api/users/:id/invite`, `deno task admin invite`).
   *
   * @param userId The user.
   * @param options `ttlMs`: how long the code stays valid (14 days).
   * @returns The code (shown once) and its expiry.
   * @throws {NotFoundError} If there is no such user.
   */
  async createInvite(
    userId: string,
    options: { ttlMs?: number } = {},
  ): Promise<{ code: string; expiresAt: Date }> {
    return await this.engine.transaction(async (tx) => {
      const [user] = await tx.query("SELECT id FROM users WHERE id = $1", [userId]);
      if (!user) throw new NotFoundError(`Cannot invite "${userId}": no such user`);
      return await this.#insertInvite(tx, userId, options.ttlMs);
    });
  }

  /**
   * Redeems an invite code: the user chooses a password. A code works once. As a new
   * password does ({@linkcode Store.setPassword}), it ends the user's sessions and revokes
   * their API tokens: a code issued again for a lost password locks out whoever held the old
   * one.
   *
   * @param code The code from the invite.
   * @param password The chosen password.
   * @returns The user, or `null` if the code is unknown, expired or already used.
   * @throws {RangeError} If the password is too short or too long.
   */
  async redeemInvite(code: string, password: string): Promise<User | null> {
    const passwordHash = await hashPassword(password);
    const codeHash = await hashToken(code);
    const user = await this.engine.transaction(async (tx) => {
      const [invite] = await tx.query(
        `UPDATE invites SET redeemed_at = $2
        WHERE code_hash = $1 AND redeemed_at IS NULL AND expires_at > $2
        RETURNING user_id AS "userId"`,
        [codeHash, this.#now()],
      );
      if (!invite) return null;
      const [row] = await tx.query(
        `UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [invite.userId, passwordHash],
      );
      const redeemed = parseRecord(UserSchema, row, `user "${invite.userId}"`);
      await this.#endAccess(tx, redeemed.id);
      return redeemed;
    });
    if (user) this.#forgetSessions((session) => session.user.id === user.id);
    return user;
  }

  /**
   * Starts a session for a signed-in user.
   *
   * @param userId The user.
   * @param options `ttlMs`: how long the session lasts (7 days).
   * @returns The session token (for the cookie; stored hashed) and its expiry.
   */
  async createSession(
    userId: string,
    options: { ttlMs?: number } = {},
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken();
    const now = this.#now();
    const expiresAt = new Date(now.getTime() + (options.ttlMs ?? 7 * DAY_MS));
    await this.engine.query(
      "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
      [await hashToken(token), userId, now, expiresAt],
    );
    return { token, expiresAt };
  }

  /**
   * Finds the user of a session.
   *
   * @param token The session token.
   * @returns The user and the session's expiry, or `null` if the session is unknown or over.
   */
  async sessionUser(token: string): Promise<{ user: User; expiresAt: Date } | null> {
    const tokenHash = await hashToken(token);
    const now = this.#now();
    const known = this.#sessions.get(tokenHash);
    if (
      known && known.expiresAt > now && performance.now() - known.cachedAt < this.#sessionCacheMs
    ) {
      return { user: known.user, expiresAt: known.expiresAt };
    }
    const cachedAt = performance.now();
    const ended = this.#sessionsEnded;
    const [row] = await this.engine.query(
      `SELECT u.id, u.display_name AS "name", u.role, u.created_at AS "createdAt",
        s.expires_at AS "expiresAt"
      FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [tokenHash, now],
    );
    if (!row) return null;
    const { expiresAt, ...user } = parseRecord(SessionUserSchema, row, `session of "${row.id}"`);
    if (this.#sessionCacheMs > 0 && ended === this.#sessionsEnded) {
      // A bound on memory: forgetting costs one query per session, never a wrong answer.
      if (this.#sessions.size >= MAX_CACHED_SESSIONS) this.#sessions.clear();
      this.#sessions.set(tokenHash, { user, expiresAt, cachedAt });
    }
    return { user, expiresAt };
  }

  /**
   * Ends a session (signing out). Ending an unknown session does nothing.
   *
   * @param token The session token.
   */
  async deleteSession(token: string): Promise<void> {
    const tokenHash = await hashToken(token);
    await this.engine.query("DELETE FROM sessions WHERE token_hash = $1", [tokenHash]);
    this.#sessionsEnded++;
    this.#sessions.delete(tokenHash);
  }

  /**
   * Deletes sessions, unredeemed invites and API tokens that have expired.
   *
   * @returns How many of each were deleted.
   */
  async purgeExpired(): Promise<{ sessions: number; invites: number; tokens: number }> {
    const now = this.#now();
    this.#forgetSessions((session) => session.expiresAt <= now);
    return await this.engine.transaction(async (tx) => ({
      sessions: (await tx.query(
        "DELETE FROM sessions WHERE expires_at <= $1 RETURNING user_id",
        [now],
      )).length,
      invites: (await tx.query(
        "DELETE FROM invites WHERE redeemed_at IS NULL AND expires_at <= $1 RETURNING user_id",
        [now],
      )).length,
      tokens: (await tx.query(
        "DELETE FROM api_tokens WHERE expires_at <= $1 RETURNING user_id",
        [now],
      )).length,
    }));
  }

  /**
   * Issues a personal API token (for `deno task submit`).
   *
   * @param userId The token's owner.
   * @param options `name`: tells the user's tokens apart ("deno task submit").
   * @returns The token (shown once; stored hashed) and its record.
   * @throws {ConflictError} If the user holds {@linkcode MAX_API_TOKENS} already.
   * @throws {NotFoundError} If there is no such user.
   */
  async createApiToken(
    userId: string,
    options: { name?: string } = {},
  ): Promise<{ token: string; record: ApiToken }> {
    const token = newToken();
    const tokenHash = await hashToken(token);
    const row = await this.engine.transaction(async (tx) => {
      // The user's row, locked: two requests at once cannot both take the last place.
      const [user] = await tx.query("SELECT id FROM users WHERE id = $1 FOR UPDATE", [userId]);
      if (!user) throw new NotFoundError(`Cannot make a token for "${userId}": no such user`);
      const [{ held }] = await tx.query(
        `SELECT count(*)::int AS "held" FROM api_tokens WHERE user_id = $1 AND expires_at > $2`,
        [userId, this.#now()],
      );
      if (Number(held) >= MAX_API_TOKENS) {
        throw new ConflictError(
          `You have ${MAX_API_TOKENS} personal tokens, the most one may hold: revoke one ` +
            "you no longer use before making another",
        );
      }
      const now = this.#now();
      const [inserted] = await tx.query(
        `INSERT INTO api_tokens (id, token_hash, user_id, name, created_at, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${TOKEN_COLUMNS}`,
        [
          crypto.randomUUID(),
          tokenHash,
          userId,
          options.name ?? "deno task submit",
          now,
          addMs(now, API_TOKEN_TTL_MS),
        ],
      );
      return inserted;
    });
    return { token, record: parseRecord(ApiTokenSchema, row, `API token of "${userId}"`) };
  }

  /**
   * Finds the user of an API token, and notes that the token was used.
   *
   * @param token The token from an `Authorization: Bearer` header.
   * @returns The user, or `null` for an unknown, revoked or expired token.
   */
  async apiTokenUser(token: string): Promise<User | null> {
    const [row] = await this.engine.query(
      `UPDATE api_tokens t SET last_used_at = $2 FROM users u
      WHERE t.token_hash = $1 AND u.id = t.user_id AND t.expires_at > $2
      RETURNING u.id, u.display_name AS "name", u.role, u.created_at AS "createdAt"`,
      [await hashToken(token), this.#now()],
    );
    return row ? parseRecord(UserSchema, row, `user "${row.id}"`) : null;
  }

  /**
   * Lists a user's API tokens, newest first.
   *
   * @param userId The owner.
   * @returns The tokens' records (never the tokens).
   */
  async listApiTokens(userId: string): Promise<ApiToken[]> {
    const rows = await this.engine.query(
      `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`,
      [userId],
    );
    return rows.map((row) => parseRecord(ApiTokenSchema, row, `API token "${row.id}"`));
  }

  /**
   * Revokes one of a user's API tokens.
   *
   * @param userId The owner.
   * @param tokenId The token's record id.
   * @returns Whether the user had that token.
   */
  async revokeApiToken(userId: string, tokenId: string): Promise<boolean> {
    const rows = await this.engine.query(
      "DELETE FROM api_tokens WHERE user_id = $1 AND id = $2 RETURNING id",
      [userId, tokenId],
    );
    return rows.length > 0;
  }

  /**
   * Revokes the API token given, whoever holds it: what signing out with a token does.
   *
   * @param token The token itself, from an `Authorization: Bearer` header.
   * @returns Whether it was a token.
   */
  async revokeApiTokenValue(token: string): Promise<boolean> {
    const rows = await this.engine.query(
      "DELETE FROM api_tokens WHERE token_hash = $1 RETURNING id",
      [await hashToken(token)],
    );
    return rows.length > 0;
  }

  // Submissions

  /**
   * Stores a submission and queues it for grading, if the exercise's attempt policy allows
   * one more attempt now. The check and the insert are one transaction that locks the
   * student's row, so simultaneous submissions cannot both take the last attempt.
   *
   * @param submission The student, the exercise id, and the files by name.
   * @returns The stored submission (status `queued`), or the refusal with when to retry.
   * @throws {RangeError} If the exercise is unknown, or there are no files or a file name is
   *   not a plain name.
   * @throws {NotFoundError} If there is no such student.
   */
  async submit(submission: {
    student: string;
    exercise: string;
    files: Readonly<Record<string, Uint8Array>>;
  }): Promise<SubmitOutcome> {
    const { student, files } = submission;
    const exercise = this.#exercise(submission.exercise);
    const what = `${student}/${exercise.id}`;
    const names = Object.keys(files);
    if (names.length === 0) throw new RangeError(`Cannot store "${what}": it has no files`);
    const badName = names.find((name) => !FILE_NAME.test(name));
    if (badName !== undefined) {
      throw new RangeError(
        `Cannot store "${what}": "${badName}" is not a plain file name (letters, digits, ` +
          "'.', '_', '-'; no leading dot)",
      );
    }
    return await this.engine.transaction(async (tx): Promise<SubmitOutcome> => {
      const [user] = await tx.query("SELECT id FROM users WHERE id = $1 FOR UPDATE", [student]);
      if (!user) throw new NotFoundError(`Cannot store "${what}": no such user`);
      const now = this.#now();
      const verdict = await this.#attemptVerdict(tx, student, exercise, now);
      if (!verdict.allowed) {
        return { accepted: false, retryAt: verdict.retryAt, reason: verdict.reason };
      }
      const [{ pending }] = await tx.query(
        `SELECT count(*)::int AS "pending" FROM submissions
        WHERE student_id = $1 AND status IN ('queued', 'running')`,
        [student],
      );
      if (Number(pending) >= MAX_PENDING) {
        return {
          accepted: false,
          reason: `${MAX_PENDING} of your submissions are waiting to be graded or being ` +
            "graded: submit again once one of them is graded",
        };
      }
      const id = crypto.randomUUID();
      const [row] = await tx.query(
        `INSERT INTO submissions (id, student_id, exercise, created_at, status, attempt_counted)
        VALUES ($1, $2, $3, $4, 'queued', true) RETURNING ${SUBMISSION_COLUMNS}`,
        [id, student, exercise.id, now],
      );
      for (const name of names.sort()) {
        await tx.query(
          "INSERT INTO submission_files (submission_id, name, content) VALUES ($1, $2, $3)",
          [id, name, files[name]],
        );
      }
      await tx.query(
        "INSERT INTO grading_jobs (submission_id, enqueued_at, run_after) VALUES ($1, $2, $2)",
        [id, now],
      );
      return {
        accepted: true,
        submission: parseRecord(SubmissionSchema, row, `submission "${id}"`),
      };
    });
  }

  /**
   * Tells whether a student may submit an exercise now.
   *
   * @param student The student's id.
   * @param exercise The exercise id.
   * @returns The verdict, with the attempts used in the last 24 hours.
   * @throws {RangeError} If the exercise is unknown.
   */
  async attemptStatus(student: string, exercise: string): Promise<AttemptVerdict> {
    return await this.#attemptVerdict(
      this.engine,
      student,
      this.#exercise(exercise),
      this.#now(),
    );
  }

  /**
   * Looks a submission up.
   *
   * @param id The submission's id.
   * @returns The submission without its files, or `null` if there is none with that id.
   */
  async getSubmission(id: string): Promise<Submission | null> {
    const [row] = await this.engine.query(
      `SELECT ${SUBMISSION_COLUMNS} FROM submissions WHERE id = $1`,
      [id],
    );
    return row ? parseRecord(SubmissionSchema, row, `submission "${id}"`) : null;
  }

  /**
   * Reads a submission's files.
   *
   * @param id The submission's id.
   * @returns The files by name (none for an unknown id).
   */
  async getSubmissionFiles(id: string): Promise<Record<string, Uint8Array>> {
    return await this.#files(this.engine, id);
  }

  /**
   * Lists a student's submissions, newest first.
   *
   * @param student The student's id.
   * @param options Only this exercise's, where given.
   * @returns The submissions without their files.
   */
  async listSubmissions(
    student: string,
    options: { exercise?: string } = {},
  ): Promise<Submission[]> {
    const rows = await this.engine.query(
      `SELECT ${SUBMISSION_COLUMNS} FROM submissions
      WHERE student_id = $1 AND ($2::text IS NULL OR exercise = $2::text)
      ORDER BY created_at DESC, id`,
      [student, options.exercise ?? null],
    );
    return rows.map((row) => parseRecord(SubmissionSchema, row, `submission "${row.id}"`));
  }

  // The grading queue

  /**
   * Ends every lease at once, so that their jobs can be taken again now; each keeps its
   * count of tries. {@linkcode openStore} does this on an embedded database, which no other
   * process can have open.
   *
   * @returns How many leases ended.
   */
  async releaseLeases(): Promise<number> {
    const rows = await this.engine.query(
      `UPDATE grading_jobs SET leased_until = $1
        WHERE lease_token IS NOT NULL AND leased_until > $1
        RETURNING submission_id`,
      [this.#now()],
    );
    return rows.length;
  }

  /**
   * Leases the oldest job that is ready: queued (and past its retry delay), or running under
   * a lease that has run out. `FOR UPDATE SKIP LOCKED` hands each job to one worker even when
   * many ask at once. A job whose lease ran out `maxJobAttempts` times is not taken again: its
   * submission ends in `error` and costs no attempt.
   *
   * @param workerId Who takes it, for the record.
   * @param options `leaseMs`: the lease's length (30 s). Renew it with
   *   {@linkcode Store.renewLease} for longer work.
   * @returns The job, or `null` when none is ready.
   */
  async claimJob(workerId: string, options: { leaseMs?: number } = {}): Promise<GradingJob | null> {
    const leaseMs = positiveMs(options.leaseMs ?? LEASE_MS, "leaseMs");
    return await this.engine.transaction(async (tx) => {
      const now = this.#now();
      const abandoned = await tx.query(
        `WITH dead AS (
          SELECT submission_id FROM grading_jobs
          WHERE lease_token IS NOT NULL AND leased_until <= $1 AND attempts >= $2
          FOR UPDATE SKIP LOCKED
        )
        DELETE FROM grading_jobs j USING dead WHERE j.submission_id = dead.submission_id
        RETURNING j.submission_id AS "submissionId", j.attempts AS "attempts"`,
        [now, this.#maxJobAttempts],
      );
      for (const row of abandoned) {
        const job = parseRecord(JobAttemptsSchema, row, `grading job "${row.submissionId}"`);
        await this.#endInError(
          tx,
          job.submissionId,
          `grading was interrupted ${job.attempts} times (a worker stopped or lost its lease)`,
          now,
        );
      }
      // Students take turns: a job's turn comes when it was queued, but not before its
      // student's last grading (or try at one) ended, and after every other student's while
      // one of its student's is being graded. A student who queued many hanging submissions
      // then holds a classmate up by one grading, not by all of them. A try whose lease ran
      // out ended then.
      await tx.query(
        `UPDATE submissions s SET tried_at = j.leased_until FROM grading_jobs j
        WHERE j.submission_id = s.id AND j.lease_token IS NOT NULL AND j.leased_until <= $1
          AND (s.tried_at IS NULL OR s.tried_at < j.leased_until)`,
        [now],
      );
      const [leased] = await tx.query(
        `WITH ready AS (
          SELECT j.submission_id, s.student_id, j.enqueued_at
          FROM grading_jobs j JOIN submissions s ON s.id = j.submission_id
          WHERE ${READY_JOB}
        ),
        turns AS (
          SELECT r.submission_id,
            EXISTS (
              SELECT 1 FROM grading_jobs g JOIN submissions s ON s.id = g.submission_id
              WHERE s.student_id = r.student_id AND g.lease_token IS NOT NULL
                AND g.leased_until > $1
            ) AS busy,
            greatest(r.enqueued_at, (
              SELECT max(greatest(s.finished_at, s.tried_at)) FROM submissions s
              WHERE s.student_id = r.student_id
            )) AS due
          FROM ready r
        ),
        next AS (
          -- Readiness is checked again here, on the row locked: a job another worker took
          -- while this query ran is then passed over (PostgreSQL re-checks a locked row's
          -- conditions, those of this query level only).
          SELECT j.submission_id FROM grading_jobs j JOIN turns t USING (submission_id)
          WHERE ${READY_JOB}
          ORDER BY t.busy, t.due, j.enqueued_at, j.submission_id
          LIMIT 1
          FOR UPDATE OF j SKIP LOCKED
        )
        UPDATE grading_jobs j
        SET lease_token = $3, worker_id = $4, leased_until = $5, attempts = j.attempts + 1
        FROM next WHERE j.submission_id = next.submission_id
        RETURNING j.submission_id AS "submissionId", j.lease_token AS "leaseToken",
          j.worker_id AS "workerId", j.attempts AS "attempt", j.leased_until AS "leasedUntil"`,
        [now, this.#maxJobAttempts, crypto.randomUUID(), workerId, addMs(now, leaseMs)],
      );
      if (!leased) return null;
      const lease = parseRecord(LeaseSchema, leased, `grading job "${leased.submissionId}"`);
      const [row] = await tx.query(
        `UPDATE submissions SET status = 'running' WHERE id = $1 RETURNING ${SUBMISSION_COLUMNS}`,
        [lease.submissionId],
      );
      const submission = parseRecord(SubmissionSchema, row, `submission "${lease.submissionId}"`);
      return {
        ...lease,
        student: submission.student,
        exercise: submission.exercise,
        files: await this.#files(tx, lease.submissionId),
      };
    });
  }

  /**
   * Extends a lease, for grading that takes longer than one lease.
   *
   * @param lease The job's lease.
   * @param options `leaseMs`: the lease's new length, from now (30 s).
   * @returns Whether the lease was still this worker's (if not, stop: another worker has
   *   the job).
   */
  async renewLease(lease: LeaseRef, options: { leaseMs?: number } = {}): Promise<boolean> {
    const leaseMs = positiveMs(options.leaseMs ?? LEASE_MS, "leaseMs");
    const rows = await this.engine.query(
      `UPDATE grading_jobs SET leased_until = $3
      WHERE submission_id = $1 AND lease_token = $2 RETURNING submission_id`,
      [lease.submissionId, lease.leaseToken, addMs(this.#now(), leaseMs)],
    );
    return rows.length > 0;
  }

  /**
   * Records a job's grade. Only the current lease's holder can, and only once: a worker
   * whose lease ran out and was taken over, or that reports twice, changes nothing.
   *
   * @param lease The job's lease.
   * @param grade The grader's result (timeouts and crashes of the student's code included:
   *   they are grades, and count as attempts).
   * @returns Whether this call recorded the grade.
   * @throws {TypeError} If the grade is malformed or is not for the job's student and
   *   exercise; nothing is recorded then.
   */
  async completeJob(lease: LeaseRef, grade: SubmissionGrade): Promise<boolean> {
    const checked = SubmissionGradeSchema.safeParse(grade);
    if (!checked.success) {
      throw new TypeError(
        `Cannot record the grade of submission "${lease.submissionId}": ${checked.error.message}`,
      );
    }
    const recorded = await this.engine.transaction(async (tx) => {
      const released = await tx.query(
        `DELETE FROM grading_jobs WHERE submission_id = $1 AND lease_token = $2
        RETURNING submission_id`,
        [lease.submissionId, lease.leaseToken],
      );
      if (released.length === 0) return false;
      const [row] = await tx.query(
        `UPDATE submissions SET status = 'done', score = $2, max_score = $3, metric = $4,
          result = $5, error = NULL, finished_at = $6
        WHERE id = $1 RETURNING student_id AS "student", exercise`,
        [
          lease.submissionId,
          checked.data.score,
          checked.data.maxScore,
          checked.data.metric?.value ?? null,
          checked.data,
          this.#now(),
        ],
      );
      if (row?.student !== grade.student || row?.exercise !== grade.exercise) {
        throw new TypeError(
          `Cannot record the grade of submission "${lease.submissionId}": it is a grade of ` +
            `"${grade.student}/${grade.exercise}", not of "${row?.student}/${row?.exercise}"`,
        );
      }
      return true;
    });
    if (recorded) this.#gradesRecorded++;
    return recorded;
  }

  /**
   * Reports that grading failed because of the machinery (the sandbox could not start, the
   * worker ran out of memory…), not because of the student's code. The job is tried again
   * after `retryDelayMs`, up to `maxJobAttempts` tries; after the last, the submission ends
   * in `error` and costs the student no attempt.
   *
   * @param lease The job's lease.
   * @param reason What went wrong, for staff.
   * @returns `requeued`, `failed` (for good), or `stale` when the lease was no longer this
   *   worker's (nothing changed).
   */
  async failJob(lease: LeaseRef, reason: string): Promise<"requeued" | "failed" | "stale"> {
    return await this.engine.transaction(async (tx) => {
      const now = this.#now();
      const [row] = await tx.query(
        `SELECT submission_id AS "submissionId", attempts FROM grading_jobs
        WHERE submission_id = $1 AND lease_token = $2 FOR UPDATE`,
        [lease.submissionId, lease.leaseToken],
      );
      if (!row) return "stale";
      const job = parseRecord(JobAttemptsSchema, row, `grading job "${lease.submissionId}"`);
      if (job.attempts < this.#maxJobAttempts) {
        await tx.query(
          `UPDATE grading_jobs SET lease_token = NULL, worker_id = NULL, leased_until = NULL,
            run_after = $2, last_error = $3
          WHERE submission_id = $1`,
          [lease.submissionId, addMs(now, this.#retryDelayMs), reason],
        );
        await tx.query("UPDATE submissions SET status = 'queued', tried_at = $2 WHERE id = $1", [
          lease.submissionId,
          now,
        ]);
        return "requeued";
      }
      await tx.query("DELETE FROM grading_jobs WHERE submission_id = $1", [lease.submissionId]);
      await this.#endInError(tx, lease.submissionId, reason, now);
      return "failed";
    });
  }

  // Views

  /**
   * A student's progress at every exercise of the course, in course order.
   *
   * @param student The student's id.
   * @returns One entry per exercise, with zero attempts where there is no submission.
   */
  async progress(student: string): Promise<Progress[]> {
    const rows = await this.engine.query(
      `SELECT exercise,
        count(*) FILTER (WHERE attempt_counted)::int AS "attempts",
        max(score) FILTER (WHERE status = 'done') AS "bestScore",
        max(created_at) AS "lastSubmittedAt",
        count(*) FILTER (WHERE status IN ('queued', 'running'))::int AS "pending"
      FROM submissions WHERE student_id = $1 GROUP BY exercise`,
      [student],
    );
    const byExercise = new Map(
      rows.map((row) => {
        const parsed = parseRecord(ProgressRowSchema, row, `progress of "${student}"`);
        return [parsed.exercise, parsed];
      }),
    );
    return [...this.#exercises.values()].map((exercise) => ({
      exercise: exercise.id,
      attempts: byExercise.get(exercise.id)?.attempts ?? 0,
      bestScore: byExercise.get(exercise.id)?.bestScore ?? null,
      maxScore: exercise.groups.reduce((sum, group) => sum + group.points, 0),
      lastSubmittedAt: byExercise.get(exercise.id)?.lastSubmittedAt ?? null,
      pending: byExercise.get(exercise.id)?.pending ?? 0,
    }));
  }

  /**
   * An exercise's leaderboard: each student's best graded submission — by the exercise's
   * metric where it has one (in its direction), else by score — ranked, with ties going to
   * the earlier submission. Only students are ranked.
   *
   * @param exercise The exercise id.
   * @returns The rows, best first; `student` is for marking the viewer's own row, never for
   *   showing to others.
   * @throws {RangeError} If the exercise is unknown.
   */
  async leaderboard(exercise: string): Promise<LeaderboardRow[]> {
    const { id, metric } = this.#exercise(exercise);
    const rows = await this.engine.query(
      `WITH candidates AS (
        SELECT s.id, s.student_id, u.display_name, s.score, s.metric, s.created_at,
          CASE WHEN $2::boolean THEN s.metric * $3::float8 ELSE s.score END AS sort_key
        FROM submissions s JOIN users u ON u.id = s.student_id
        WHERE s.exercise = $1 AND s.status = 'done' AND u.role = 'student'
      ),
      best AS (
        SELECT DISTINCT ON (student_id) * FROM candidates WHERE sort_key IS NOT NULL
        ORDER BY student_id, sort_key DESC, created_at, id
      )
      SELECT (row_number() OVER (ORDER BY sort_key DESC, created_at, id))::int AS "rank",
        student_id AS "student", display_name AS "name", score, metric,
        created_at AS "at", id AS "submissionId"
      FROM best ORDER BY "rank"`,
      [id, metric !== undefined, metric?.higherIsBetter === false ? -1 : 1],
    );
    return rows.map((row) => parseRecord(LeaderboardRowSchema, row, `leaderboard row of "${id}"`));
  }

  /**
   * The gradebook's cells: every student's best graded score per exercise.
   *
   * @returns One entry per student and exercise with a graded submission, by student and
   *   exercise; students and exercises without one are absent (they score 0).
   */
  async bestScores(): Promise<BestScore[]> {
    const rows = await this.engine.query(
      `SELECT s.student_id AS "student", s.exercise, max(s.score) AS "score"
      FROM submissions s JOIN users u ON u.id = s.student_id
      WHERE s.status = 'done' AND u.role = 'student'
      GROUP BY s.student_id, s.exercise ORDER BY s.student_id, s.exercise`,
    );
    return rows.map((row) => parseRecord(BestScoreSchema, row, `best score of "${row.student}"`));
  }

  // Helpers

  #forgetSessions(which: (session: CachedSession) => boolean): void {
    this.#sessionsEnded++;
    for (const [tokenHash, session] of this.#sessions) {
      if (which(session)) this.#sessions.delete(tokenHash);
    }
  }

  #exercise(id: string): Exercise {
    const exercise = this.#exercises.get(id);
    if (!exercise) {
      const known = [...this.#exercises.keys()].join(", ");
      throw new RangeError(`Unknown exercise "${id}": expected one of ${known}`);
    }
    return exercise;
  }

  async #insertUser(
    tx: Queryable,
    user: { id: string; name: string; role: Role; passwordHash: string | null },
  ): Promise<User | null> {
    const [row] = await tx.query(
      `INSERT INTO users (id, display_name, role, password_hash, created_at)
      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [user.id, user.name, user.role, user.passwordHash, this.#now()],
    );
    return row ? parseRecord(UserSchema, row, `user "${user.id}"`) : null;
  }

  async #insertInvite(
    tx: Queryable,
    userId: string,
    ttlMs = 14 * DAY_MS,
  ): Promise<{ code: string; expiresAt: Date }> {
    const code = newToken();
    const now = this.#now();
    const expiresAt = addMs(now, positiveMs(ttlMs, "inviteTtlMs"));
    await tx.query("DELETE FROM invites WHERE user_id = $1 AND redeemed_at IS NULL", [userId]);
    await tx.query(
      `INSERT INTO invites (code_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
      [await hashToken(code), userId, now, expiresAt],
    );
    return { code, expiresAt };
  }

  async #attemptVerdict(
    on: Queryable,
    student: string,
    exercise: Exercise,
    now: Date,
  ): Promise<AttemptVerdict> {
    const rows = await on.query(
      `SELECT created_at AS "at" FROM submissions
      WHERE student_id = $1 AND exercise = $2 AND attempt_counted AND created_at > $3`,
      [student, exercise.id, addMs(now, -attemptWindowMs(exercise.attempts))],
    );
    const counted = rows.map((row) =>
      parseRecord(AttemptSchema, row, `an attempt of "${student}/${exercise.id}"`).at
    );
    return attemptVerdict(exercise.attempts, counted, now);
  }

  /** Ends a user's sessions and revokes their API tokens; how many of each. */
  async #endAccess(tx: Queryable, id: string): Promise<{ sessions: number; tokens: number }> {
    return {
      sessions: (await tx.query("DELETE FROM sessions WHERE user_id = $1 RETURNING user_id", [
        id,
      ])).length,
      tokens: (await tx.query("DELETE FROM api_tokens WHERE user_id = $1 RETURNING user_id", [
        id,
      ])).length,
    };
  }

  async #files(on: Queryable, id: string): Promise<Record<string, Uint8Array>> {
    const rows = await on.query(
      "SELECT name, content FROM submission_files WHERE submission_id = $1 ORDER BY name",
      [id],
    );
    return Object.fromEntries(rows.map((row) => {
      const file = parseRecord(SubmissionFileSchema, row, `a file of submission "${id}"`);
      return [file.name, file.content];
    }));
  }

  async #endInError(tx: Queryable, id: string, reason: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE submissions SET status = 'error', error = $2, attempt_counted = false,
        finished_at = $3
      WHERE id = $1`,
      [id, reason, now],
    );
  }
}

let decoy: Promise<string> | undefined;

/** A real hash to verify against when a user is unknown, so that it takes as long. */
function decoyHash(): Promise<string> {
  decoy ??= hashPassword(newToken());
  return decoy;
}

function validNewUser(user: NewUser): { id: string; name: string; role: Role } {
  if (!UserIdSchema.safeParse(user.id).success) {
    throw new RangeError(
      `Cannot create user "${user.id}": an id has 1 to 64 letters, digits, '.', '_' or '-'`,
    );
  }
  if (!RoleSchema.safeParse(user.role).success) {
    throw new RangeError(
      `Cannot create user "${user.id}": the role is "${user.role}", not student, ta or instructor`,
    );
  }
  const name = (user.name ?? "").trim() || user.id;
  if (name.length > 200) {
    throw new RangeError(`Cannot create user "${user.id}": the name is longer than 200 characters`);
  }
  return { id: user.id, name, role: user.role };
}

function positiveMs(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(`Cannot use ${what} "${ms}": expected a positive number of milliseconds`);
  }
  return ms;
}

function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms);
}
