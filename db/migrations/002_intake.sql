-- 002_intake.sql - what the ingest pipeline and the API need: who a mention's
-- requester is (demand counts each once), the idea's matching key, and
-- stored answers for Idempotency-Key retries.

ALTER TABLE mentions ADD COLUMN requester_key text NOT NULL DEFAULT '';
CREATE INDEX mentions_idea_requester ON mentions (idea_id, requester_key) WHERE NOT deleted;
CREATE INDEX mentions_parent ON mentions (source, parent_external_id)
    WHERE parent_external_id IS NOT NULL;

ALTER TABLE ideas ADD COLUMN norm_title text NOT NULL DEFAULT '';
CREATE INDEX ideas_norm_title ON ideas (norm_title) WHERE status <> 'merged';

-- A retried POST with the same Idempotency-Key gets the first answer back.
CREATE TABLE idempotency_keys (
    token_id      bigint NOT NULL REFERENCES api_tokens (id),
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash  text NOT NULL,
    status        integer NOT NULL,
    response      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);
