-- The portal's first schema: people and how they sign in, submissions and their files, and
-- the grading queue. Times are written by the application's clock; ids are text so that a
-- malformed id in a URL finds nothing instead of failing a cast.

CREATE TABLE users (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  role text NOT NULL CHECK (role IN ('student', 'ta', 'instructor')),
  -- NULL until the user sets a password (by redeeming an invite).
  password_hash text,
  created_at timestamptz NOT NULL
);

-- One-time codes that let a new user choose a password; only their SHA-256 is stored.
CREATE TABLE invites (
  code_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  redeemed_at timestamptz
);
CREATE INDEX invites_user_id ON invites (user_id);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Personal tokens for `deno task submit`.
CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

CREATE TABLE submissions (
  id text PRIMARY KEY,
  student_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  exercise text NOT NULL,
  created_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'error')),
  score double precision,
  max_score double precision,
  -- The exercise's ranked metric, where it has one; the leaderboard sorts on it.
  metric double precision,
  -- The grader's SubmissionGrade, once status is 'done'.
  result jsonb,
  -- Why grading failed, once status is 'error'.
  error text,
  -- False when the grading machinery (not the student's code) failed: no attempt is used.
  attempt_counted boolean NOT NULL,
  finished_at timestamptz
);
CREATE INDEX submissions_student_exercise ON submissions (student_id, exercise, created_at);
CREATE INDEX submissions_exercise_done ON submissions (exercise) WHERE status = 'done';

CREATE TABLE submission_files (
  submission_id text NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  name text NOT NULL,
  content bytea NOT NULL,
  PRIMARY KEY (submission_id, name)
);

-- The grading queue: one row per submission waiting for, or under, grading. A worker leases
-- a row (lease_token, leased_until); a lease that runs out lets another worker take it, and
-- only the holder of the current token can finish the job, which deletes the row.
CREATE TABLE grading_jobs (
  submission_id text PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
  enqueued_at timestamptz NOT NULL,
  run_after timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  worker_id text,
  lease_token text,
  leased_until timestamptz,
  last_error text,
  CHECK ((lease_token IS NULL) = (leased_until IS NULL))
);
CREATE INDEX grading_jobs_order ON grading_jobs (enqueued_at, submission_id);
