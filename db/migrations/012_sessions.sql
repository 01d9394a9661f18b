-- 012_sessions.sql - web sign-in sessions (db/sessions.c). The browser holds
-- a random session id; only its SHA-256 is stored, so a copy of this table
-- signs no one in. A session belongs to the token it was opened with: it
-- dies with it (revocation deletes the rows; the lookup also joins the live
-- token), and ends at expires_at or after an idle gap (checked on lookup).
CREATE TABLE sessions (
    id_hash      text PRIMARY KEY CHECK (length(id_hash) = 64),
    token_id     bigint NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_token ON sessions (token_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
