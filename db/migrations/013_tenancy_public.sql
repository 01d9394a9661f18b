-- 013_tenancy_public.sql - who owns a mention's external_id, and what the
-- customer and public views read instead of fields that private data moves.
--
-- Tenancy: (source, external_id) stays the mention's key for operators; the
-- owner is the client that created it ('token:<id>' for an API token,
-- 'import' for file imports and the sales inbox, 'form' for the employee
-- form, the source's name for a connector). Only the owner may change it
-- (intake/pipeline.c). Rows written before this migration get the owner
-- their external_id says, else 'legacy': no client owns those, an operator
-- can hand them over with an UPDATE.
ALTER TABLE mentions ADD COLUMN owned_by text NOT NULL DEFAULT 'legacy'
    CHECK (length(owned_by) BETWEEN 1 AND 64);
UPDATE mentions SET owned_by = CASE
    WHEN source IN ('github', 'reddit') THEN source
    WHEN source = 'sales' THEN 'import'
    WHEN external_id LIKE 'form:%' THEN 'form'
    WHEN external_id ~ '^api:[0-9]+:' THEN 'token:' || split_part(external_id, ':', 2)
    ELSE 'legacy' END;

-- The public face of an idea's classification: fixed when a person
-- publishes it (visibility leaves 'internal') and changed only by a
-- person's overrides afterwards, so a private mention that reclassifies the
-- idea (its labels, say) moves nothing outside. public_changed_at moves only
-- when something an outside reader sees of the idea itself changes.
ALTER TABLE ideas
    ADD COLUMN public_category text
        CHECK (public_category IN ('security', 'reliability', 'performance', 'feature')),
    ADD COLUMN public_segments text[],
    ADD COLUMN public_changed_at timestamptz NOT NULL DEFAULT now();
UPDATE ideas SET public_category = category, public_segments = segments,
                 public_changed_at = updated_at
 WHERE visibility <> 'internal';

CREATE FUNCTION ideas_public_face() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.visibility = 'internal' OR NEW.public_category IS NULL THEN
        NEW.public_category := NEW.category;
        NEW.public_segments := NEW.segments;
    END IF;
    IF NEW.overrides ? 'category'
       AND NEW.overrides->>'category' IN ('security', 'reliability', 'performance', 'feature') THEN
        NEW.public_category := NEW.overrides->>'category';
    END IF;
    IF jsonb_typeof(NEW.overrides->'segments') = 'array' THEN
        NEW.public_segments := ARRAY(SELECT s FROM jsonb_array_elements_text(NEW.overrides->'segments') s
                                      WHERE s IN ('vpn', 'platform') ORDER BY s DESC);
    END IF;
    IF OLD.visibility IS DISTINCT FROM NEW.visibility
       OR OLD.public_title IS DISTINCT FROM NEW.public_title
       OR OLD.status IS DISTINCT FROM NEW.status
       OR OLD.stage IS DISTINCT FROM NEW.stage
       OR OLD.disclosed IS DISTINCT FROM NEW.disclosed
       OR OLD.public_category IS DISTINCT FROM NEW.public_category
       OR OLD.public_segments IS DISTINCT FROM NEW.public_segments THEN
        NEW.public_changed_at := now();
    END IF;
    RETURN NEW;
END $$;
-- only ideas outside readers may see pay for it (and the one update that
-- publishes an idea)
CREATE TRIGGER ideas_public_face BEFORE UPDATE ON ideas
    FOR EACH ROW WHEN (NEW.visibility <> 'internal') EXECUTE FUNCTION ideas_public_face();
