-- 006_idea_refs.sql - ideas are never deleted (a duplicate is merged: a
-- status, reversible), so the tables written for every ingested mention stop
-- checking their references to ideas row by row. Each such check took a FOR
-- KEY SHARE lock on the referenced idea, dirtying its heap page, for every
-- suggestion (two per row), mention, link, search entry and history row:
-- the largest share of an import's writes.
--
-- Integrity is kept by what makes those checks unnecessary: a row of ideas
-- can be neither deleted nor renumbered (the triggers below refuse both),
-- and every id written to these tables was read from ideas, or returned by
-- an INSERT into it, in the same transaction. TRUNCATE ideas still fails:
-- audit_log, idea_merges and ideas.merged_into keep their foreign keys
-- (they are written rarely, by people).

CREATE FUNCTION ideas_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ideas are never deleted or renumbered (merge an idea instead)'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER ideas_no_delete BEFORE DELETE ON ideas
    FOR EACH ROW EXECUTE FUNCTION ideas_are_kept();
CREATE TRIGGER ideas_no_renumber BEFORE UPDATE OF id ON ideas
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ideas_are_kept();

ALTER TABLE idea_similar DROP CONSTRAINT idea_similar_idea_id_fkey,
    DROP CONSTRAINT idea_similar_other_id_fkey;
ALTER TABLE idea_search DROP CONSTRAINT idea_search_idea_id_fkey;
ALTER TABLE idea_history DROP CONSTRAINT idea_history_idea_id_fkey;
ALTER TABLE mentions DROP CONSTRAINT mentions_idea_id_fkey;
ALTER TABLE mention_links DROP CONSTRAINT mention_links_idea_id_fkey;
