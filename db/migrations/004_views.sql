-- 004_views.sql - what the backlog, roadmaps and triage actions need: a
-- person-written public title (customer and public views never show text
-- from a private mention), each idea's history of score and status, and
-- indexes that serve each view's ranking without scanning every idea.

ALTER TABLE ideas ADD COLUMN public_title text
    CHECK (public_title IS NULL OR length(public_title) BETWEEN 3 AND 200);

-- score and status over time, written by the database itself so no path
-- that changes an idea can forget it
CREATE TABLE idea_history (
    id       bigserial PRIMARY KEY,
    idea_id  bigint NOT NULL REFERENCES ideas (id),
    at       timestamptz NOT NULL DEFAULT now(),
    score    double precision NOT NULL,
    status   text NOT NULL
);
CREATE INDEX idea_history_idea ON idea_history (idea_id, at);

CREATE FUNCTION ideas_record_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status
       OR abs(NEW.score - OLD.score) > 1e-9 * greatest(abs(OLD.score), 1) THEN
        INSERT INTO idea_history (idea_id, score, status) VALUES (NEW.id, NEW.score, NEW.status);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ideas_history AFTER INSERT OR UPDATE OF score, status ON ideas
    FOR EACH ROW EXECUTE FUNCTION ideas_record_history();

-- each view walks its own ranking: score, then id for a stable order
CREATE INDEX ideas_rank_public ON ideas (score DESC, id) WHERE visibility = 'public' AND status <> 'merged';
CREATE INDEX ideas_rank_customer ON ideas (score DESC, id)
    WHERE visibility IN ('customer', 'public') AND status <> 'merged';
CREATE INDEX mentions_idea_public ON mentions (idea_id, id) WHERE is_public AND NOT deleted;
