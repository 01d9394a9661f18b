-- 009_history_per_statement.sql - a new idea's first history row is written
-- once per INSERT statement, from its transition table, instead of by a
-- PL/pgSQL call per row. A bulk import founds tens of thousands of ideas in
-- a few hundred statements; the call per row was ~7 us of each, about a
-- sixth of inserting the idea. Updates keep the row trigger (it compares a
-- row's old and new score, and fires only when score or status is set).

DROP TRIGGER ideas_history ON ideas;

CREATE TRIGGER ideas_history AFTER UPDATE OF score, status ON ideas
    FOR EACH ROW EXECUTE FUNCTION ideas_record_history();

CREATE FUNCTION ideas_record_founded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO idea_history (idea_id, score, status)
    SELECT id, score, status FROM founded ORDER BY id;
    RETURN NULL;
END $$;

CREATE TRIGGER ideas_history_founded AFTER INSERT ON ideas
    REFERENCING NEW TABLE AS founded
    FOR EACH STATEMENT EXECUTE FUNCTION ideas_record_founded();
