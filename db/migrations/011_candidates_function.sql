-- 011_candidates_function.sql - one mention's candidates (intake/match.c,
-- match_find) through a function that keeps one generic plan per session.
-- Sent as a statement, the query was planned again on every attach: with
-- the tsquery as a constant, the planner estimates its selectivity from
-- the column's statistics each time, 0.15-0.18 ms of planning against
-- 0.2-0.3 ms of execution at 80k ideas (pg_stat_statements with
-- track_planning). The plan is the same either way: a bitmap scan of the
-- rare terms' GIN index, the only path that answers @@, then a top-N sort
-- by ts_rank; the terms asked for are the rare ones (intake/match.c), so
-- the index is always the better path. The many-at-once ingest asks for a
-- whole window's candidates in one statement and keeps the query inline.
CREATE FUNCTION idea_candidates(q text, lim int)
RETURNS TABLE (idea_id bigint, title_terms text[], title_norm double precision,
               all_terms text[], all_norm double precision, norm_title text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
    -- parsed once: in a generic plan, to_tsquery(q) in ORDER BY would be
    -- parsed again for every row ranked
    tq tsquery := to_tsquery('simple', q);
BEGIN
    RETURN QUERY
    SELECT s.idea_id, s.title_terms, s.title_norm, s.all_terms, s.all_norm, s.norm_title
      FROM idea_search s
     WHERE s.live AND s.rare @@ tq
     ORDER BY ts_rank(s.search, tq, 1) DESC, s.idea_id
     LIMIT lim;
END $$;
