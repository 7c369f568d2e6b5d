-- Personal API tokens expire (180 days after they are made: a term, and more); those made
-- before this migration expire 180 days after they were made.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
UPDATE api_tokens SET expires_at = created_at + interval '180 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX api_tokens_expires_at ON api_tokens (expires_at);

-- When a submission's last try at grading ended without a grade (the machinery failed, or
-- its worker's lease ran out): a student's turn in the queue comes after it, as after a
-- grading that finished.
ALTER TABLE submissions ADD COLUMN tried_at timestamptz;
