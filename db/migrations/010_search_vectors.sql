-- 010_search_vectors.sql - an idea's full-text vectors are made from its
-- terms as they are (array_to_tsvector), not by running them through the
-- text-search parser again (to_tsvector): the terms are normalised
-- already (lowercase letters and digits), the parser only cost time (a
-- quarter of writing a bulk import's new entries), and without it the
-- lexemes are exactly the terms the in-memory index of a running import
-- holds. Matching (@@ with | and &) and ts_rank with OR queries give the
-- same results for both forms: each term once, weight D.

CREATE OR REPLACE FUNCTION idea_search_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE idea_search
       SET title_terms = NEW.title_terms, all_terms = NEW.all_terms,
           title_norm = NEW.title_norm, all_norm = NEW.all_norm, norm_title = NEW.norm_title,
           live = NEW.status <> 'merged',
           search = CASE WHEN OLD.all_terms IS DISTINCT FROM NEW.all_terms
                         THEN array_to_tsvector(array_remove(NEW.all_terms, ''))
                         ELSE search END,
           rare = CASE WHEN OLD.all_terms IS DISTINCT FROM NEW.all_terms
                       THEN array_to_tsvector(array_remove(NEW.all_terms, ''))
                       ELSE rare END
     WHERE idea_id = NEW.id;
    RETURN NULL;
END $$;
