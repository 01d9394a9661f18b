-- 001_core.sql - the core schema: ideas, the mentions that voice them, how
-- each mention was linked, connector state, webhook deliveries, API tokens
-- and the audit log.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One deduplicated, scored request. Only the ingest pipeline and audited
-- triage actions write here.
CREATE TABLE ideas (
    id               bigserial PRIMARY KEY,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    summary          text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new', 'under_review', 'planned', 'in_progress',
                                       'shipped', 'declined', 'merged')),
    stage            text CHECK (stage IN ('poc', 'alpha', 'beta', 'ga')),
    category         text NOT NULL DEFAULT 'feature'
                     CHECK (category IN ('security', 'reliability', 'performance', 'feature')),
    segments         text[] NOT NULL DEFAULT '{}',
    runtime          text NOT NULL DEFAULT 'cloud' CHECK (runtime IN ('client', 'cloud', 'both')),
    -- a person's overrides ({"category": ..., "segments": [...], "runtime": ...});
    -- classification never touches a key present here
    overrides        jsonb NOT NULL DEFAULT '{}',
    visibility       text NOT NULL DEFAULT 'internal'
                     CHECK (visibility IN ('internal', 'customer', 'public')),
    table_stakes     boolean NOT NULL DEFAULT false,
    disclosed        boolean NOT NULL DEFAULT false, -- security: fixed and disclosed
    owner            text,
    decision_note    text,   -- internal only
    declined_reason  text,
    merged_into      bigint REFERENCES ideas (id),
    score            double precision NOT NULL DEFAULT 0,
    score_breakdown  jsonb NOT NULL DEFAULT '{}',
    prev_breakdown   jsonb,  -- the breakdown before the last change: "what changed"
    requesters       integer NOT NULL DEFAULT 0,
    mention_count    integer NOT NULL DEFAULT 0,
    source_count     integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    scored_at        timestamptz
);
CREATE INDEX ideas_rank ON ideas (score DESC, id) WHERE status <> 'merged';

-- One raw message from one source: an issue, a comment, a post, a sales
-- note, a form submission. Idempotent by (source, external_id).
CREATE TABLE mentions (
    id                  bigserial PRIMARY KEY,
    idea_id             bigint REFERENCES ideas (id),
    source              text NOT NULL CHECK (source IN ('github', 'reddit', 'sales', 'employee')),
    external_id         text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 300),
    kind                text NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'comment')),
    parent_external_id  text,     -- a comment's issue / post
    author              text NOT NULL DEFAULT '',
    author_kind         text NOT NULL CHECK (author_kind IN ('employee', 'customer', 'community')),
    author_email        text,     -- employees only; never public
    account             text,     -- customer account (sales); never public
    arr                 bigint CHECK (arr IS NULL OR arr >= 0), -- annual revenue, dollars
    title               text NOT NULL DEFAULT '',
    body                text NOT NULL DEFAULT '',
    url                 text,
    labels              text[] NOT NULL DEFAULT '{}',
    votes               integer NOT NULL DEFAULT 0,
    is_public           boolean NOT NULL, -- text may appear in public views
    deleted             boolean NOT NULL DEFAULT false, -- deleted upstream: no demand
    upstream_created_at timestamptz,
    upstream_updated_at timestamptz,
    content_hash        text NOT NULL DEFAULT '',
    first_seen_at       timestamptz NOT NULL DEFAULT now(),
    last_seen_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, external_id)
);
CREATE INDEX mentions_idea ON mentions (idea_id);
CREATE INDEX mentions_url ON mentions (url) WHERE url IS NOT NULL;

-- Every link of a mention to an idea, newest last: how it was made and by
-- whom. The current link is the one not superseded.
CREATE TABLE mention_links (
    id            bigserial PRIMARY KEY,
    mention_id    bigint NOT NULL REFERENCES mentions (id),
    idea_id       bigint NOT NULL REFERENCES ideas (id),
    method        text NOT NULL CHECK (method IN ('new', 'auto_merge', 'explicit_link', 'person')),
    similarity    double precision,
    evidence      jsonb NOT NULL DEFAULT '{}',
    decided_by    text NOT NULL, -- 'triage' or a person / token name
    created_at    timestamptz NOT NULL DEFAULT now(),
    superseded_at timestamptz
);
CREATE INDEX mention_links_mention ON mention_links (mention_id) WHERE superseded_at IS NULL;

-- Connector state: cursors saved in the same transaction as their mentions.
CREATE TABLE connector_state (
    name          text PRIMARY KEY,
    cursor        jsonb NOT NULL DEFAULT '{}',
    last_run_at   timestamptz,
    last_ok_at    timestamptz,
    last_duration_ms integer,
    last_error    text,
    failures      integer NOT NULL DEFAULT 0,
    next_run_at   timestamptz,
    stats         jsonb NOT NULL DEFAULT '{}'
);

-- GitHub deliveries seen, so a redelivery is a no-op.
CREATE TABLE webhook_deliveries (
    delivery_id  text PRIMARY KEY CHECK (length(delivery_id) BETWEEN 1 AND 200),
    event        text NOT NULL,
    action       text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    outcome      text NOT NULL DEFAULT ''
);

-- API tokens: only a SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role        text NOT NULL CHECK (role IN ('customer', 'submitter', 'triager', 'admin')),
    token_hash  text NOT NULL UNIQUE,
    prefix      text NOT NULL, -- first characters, to tell tokens apart in listings
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at  timestamptz
);

-- Who changed what, when: every human decision and every publish.
CREATE TABLE audit_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    action    text NOT NULL,
    idea_id   bigint REFERENCES ideas (id),
    details   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_idea ON audit_log (idea_id, at);
