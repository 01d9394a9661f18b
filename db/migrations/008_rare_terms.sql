-- 008_rare_terms.sql - the full-text index holds only the terms retrieval
-- can ask for. Retrieval queries an idea's rarest terms, never one used by
-- more than 500 ideas (RETRIEVAL_MAX_DF in intake/match.c); the words most
-- ideas share ("support", "add", a product's own name) made most of the
-- index's entries, and of the work of inserting an idea into it. An idea's
-- rare terms are those used by at most 500 ideas when it was stored (a
-- term's count only grows, so a term rare enough to be asked for later was
-- rare then too). search keeps every term: candidates are still ranked on
-- it, and the backlog's text search reads it.

ALTER TABLE idea_search ADD COLUMN rare tsvector NOT NULL DEFAULT ''::tsvector;

UPDATE idea_search s
   SET rare = to_tsvector('simple', coalesce((SELECT string_agg(t.term, ' ')
                                                 FROM terms t
                                                WHERE t.term = ANY (s.all_terms) AND t.df <= 500), ''));

CREATE INDEX idea_search_rare ON idea_search USING gin (rare) WITH (fastupdate = off);
DROP INDEX idea_search_terms;

-- an edited idea's rare terms: all its new terms (a superset: complete, if
-- a little larger than needed)
CREATE OR REPLACE FUNCTION idea_search_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE idea_search
       SET title_terms = NEW.title_terms, all_terms = NEW.all_terms,
           title_norm = NEW.title_norm, all_norm = NEW.all_norm, norm_title = NEW.norm_title,
           live = NEW.status <> 'merged',
           search = CASE WHEN OLD.all_terms IS DISTINCT FROM NEW.all_terms
                         THEN to_tsvector('simple', array_to_string(NEW.all_terms, ' '))
                         ELSE search END,
           rare = CASE WHEN OLD.all_terms IS DISTINCT FROM NEW.all_terms
                       THEN to_tsvector('simple', array_to_string(NEW.all_terms, ' '))
                       ELSE rare END
     WHERE idea_id = NEW.id;
    RETURN NULL;
END $$;
