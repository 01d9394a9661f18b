-- 003_triage.sql - what deduplication and scoring need: each idea's matching
-- terms (with norms), a full-text index over them for candidate retrieval,
-- document frequencies for idf weights, suggested near-duplicates, and
-- reversible merges.

ALTER TABLE ideas
    ADD COLUMN title_terms text[] NOT NULL DEFAULT '{}',
    ADD COLUMN all_terms   text[] NOT NULL DEFAULT '{}',
    ADD COLUMN title_norm  double precision NOT NULL DEFAULT 0,
    ADD COLUMN all_norm    double precision NOT NULL DEFAULT 0,
    ADD COLUMN classification jsonb NOT NULL DEFAULT '{}', -- what the rules found, and why
    ADD COLUMN last_activity_at timestamptz;

-- candidate retrieval: never a scan of all ideas. The terms live in a table
-- of their own, so rescoring an idea (a non-HOT update of ideas) does not
-- rewrite its full-text index entries. fastupdate off: with a pending list
-- every search would also scan the entries not yet merged, which under a
-- steady stream of new ideas is most of the cost.
CREATE TABLE idea_search (
    idea_id bigint PRIMARY KEY REFERENCES ideas (id),
    search  tsvector NOT NULL
);
CREATE INDEX idea_search_terms ON idea_search USING gin (search) WITH (fastupdate = off);

-- how many ideas use each term, for idf; and how many ideas there are
CREATE TABLE terms (
    term text PRIMARY KEY,
    df   integer NOT NULL CHECK (df >= 0)
);
CREATE TABLE corpus (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    ideas bigint NOT NULL DEFAULT 0
);
INSERT INTO corpus DEFAULT VALUES;

-- near matches below the auto-merge threshold, for a person to decide
CREATE TABLE idea_similar (
    idea_id    bigint NOT NULL REFERENCES ideas (id),
    other_id   bigint NOT NULL REFERENCES ideas (id),
    similarity double precision NOT NULL,
    evidence   jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (idea_id, other_id),
    CHECK (idea_id <> other_id)
);
CREATE INDEX idea_similar_other ON idea_similar (other_id);

-- a merge moves mentions; this remembers which, so it can be undone
CREATE TABLE idea_merges (
    id          bigserial PRIMARY KEY,
    from_idea   bigint NOT NULL REFERENCES ideas (id),
    into_idea   bigint NOT NULL REFERENCES ideas (id),
    mention_ids bigint[] NOT NULL,
    prev_status text NOT NULL,
    merged_by   text NOT NULL,
    merged_at   timestamptz NOT NULL DEFAULT now(),
    undone_by   text,
    undone_at   timestamptz
);
