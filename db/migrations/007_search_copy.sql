-- 007_search_copy.sql - candidate retrieval reads one narrow table. Each
-- candidate's matching terms, norms and title key (what verification needs)
-- are kept next to its full-text entry, with whether it is still live (not
-- merged), so retrieval no longer joins the wide ideas rows (~2 kB each with
-- their breakdowns): the row retrieval already visited to rank is the row
-- verification reads. ideas stays the source of truth; a trigger copies
-- every change of these columns (edits, merges and their undoing - all
-- rare), and new ideas are inserted with their copy.

ALTER TABLE idea_search
    ADD COLUMN title_terms text[] NOT NULL DEFAULT '{}',
    ADD COLUMN all_terms   text[] NOT NULL DEFAULT '{}',
    ADD COLUMN title_norm  double precision NOT NULL DEFAULT 0,
    ADD COLUMN all_norm    double precision NOT NULL DEFAULT 0,
    ADD COLUMN norm_title  text NOT NULL DEFAULT '',
    ADD COLUMN live        boolean NOT NULL DEFAULT true;

UPDATE idea_search s
   SET title_terms = i.title_terms, all_terms = i.all_terms, title_norm = i.title_norm,
       all_norm = i.all_norm, norm_title = i.norm_title, live = i.status <> 'merged'
  FROM ideas i
 WHERE i.id = s.idea_id;

CREATE FUNCTION idea_search_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE idea_search
       SET title_terms = NEW.title_terms, all_terms = NEW.all_terms,
           title_norm = NEW.title_norm, all_norm = NEW.all_norm, norm_title = NEW.norm_title,
           live = NEW.status <> 'merged',
           search = CASE WHEN OLD.all_terms IS DISTINCT FROM NEW.all_terms
                         THEN to_tsvector('simple', array_to_string(NEW.all_terms, ' '))
                         ELSE search END
     WHERE idea_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER ideas_search_follow
    AFTER UPDATE OF status, norm_title, title_terms, all_terms, title_norm, all_norm ON ideas
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.norm_title IS DISTINCT FROM NEW.norm_title
          OR OLD.title_terms IS DISTINCT FROM NEW.title_terms
          OR OLD.all_terms IS DISTINCT FROM NEW.all_terms
          OR OLD.title_norm IS DISTINCT FROM NEW.title_norm
          OR OLD.all_norm IS DISTINCT FROM NEW.all_norm)
    EXECUTE FUNCTION idea_search_follow();
